"""Two-factor sign-in for staff: a code from an authenticator app after the password.

The first time, staff scan a QR code and receive ten one-time recovery codes. The owner (a
superuser) can remove a person's devices in the admin so they can set up again.
"""

from base64 import b32encode

import segno
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import user_passes_test
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .admin_site import keeping_next, needs_second_factor
from .audit import record
from .models import AuditAction

RECOVERY_CODES = 10


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=16,
        help_text="The 6-digit code your authenticator app shows now, or one of your recovery "
        "codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_code(self):
        return self.cleaned_data["code"].replace(" ", "").strip()


def staff_only(view):
    return user_passes_test(lambda user: user.is_active and user.is_staff, "admin:login")(view)


@sensitive_post_parameters("code")
@never_cache
@staff_only
def verify(request):
    if not needs_second_factor(request):
        return redirect(_next_url(request))
    if not TOTPDevice.objects.devices_for_user(request.user, confirmed=True).exists():
        return redirect(keeping_next(reverse("two_factor_setup"), request))
    form = CodeForm(request.POST or None)
    if form.is_valid():
        device = match_token(request.user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        record(AuditAction.TWO_FACTOR_FAILED, request)
        form.add_error(
            "code", "That code did not work. Check the time on your phone and try the newest code."
        )
    return render(request, "registration/two_factor_verify.html", _context(request, form))


@sensitive_post_parameters("code")
@never_cache
@staff_only
def setup(request):
    if TOTPDevice.objects.devices_for_user(request.user, confirmed=True).exists():
        return redirect(keeping_next(reverse("two_factor"), request))
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=request.user, name="Authenticator app", confirmed=False
        )
    form = CodeForm(request.POST or None)
    if form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save()
            otp_login(request, device)
            record(AuditAction.TWO_FACTOR_ENROLLED, request)
            context = _context(request, None, codes=_new_recovery_codes(request.user))
            return render(request, "registration/two_factor_codes.html", context)
        form.add_error(
            "code", "That code did not match. Scan the QR code again and use the newest code."
        )
    context = _context(
        request,
        form,
        qr_code=segno.make(device.config_url, error="m").svg_inline(
            scale=5, border=4, light="#ffffff", title="QR code for your authenticator app"
        ),
        secret=b32encode(device.bin_key).decode(),
    )
    return render(request, "registration/two_factor_setup.html", context)


def _new_recovery_codes(user):
    """Ten single-use codes for a lost phone; any earlier ones stop working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _context(request, form, **extra):
    return {
        "form": form,
        "next": _next_url(request),
        "title": "Two-step sign-in",
        "site_header": f"{settings.PRACTICE_NAME} — staff",
        "has_permission": False,
        **extra,
    }


def _next_url(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("admin:index")
