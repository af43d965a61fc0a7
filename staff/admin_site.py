from django.conf import settings
from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode


def is_verified_staff(user):
    """Active staff who have passed two-step sign-in wherever it is required.

    The one test for everything that needs a staff member: the admin, draft previews, the
    editor's preview and upload, and staff-only pages. A password alone is not enough.
    """
    if not (user.is_active and user.is_staff):
        return False
    if not settings.TWO_FACTOR_REQUIRED:
        return True
    is_verified = getattr(user, "is_verified", None)  # added by django_otp's middleware
    return is_verified is not None and is_verified()


def needs_second_factor(request):
    """Signed-in staff who must still prove a second factor before using staff powers."""
    user = request.user
    return user.is_active and user.is_staff and not is_verified_staff(user)


class PracticeAdminSite(admin.AdminSite):
    site_header = f"{settings.PRACTICE_NAME} — staff"
    site_title = settings.PRACTICE_NAME
    index_title = "Articles, pages and consultation requests"
    enable_nav_sidebar = False  # the triage list needs the width

    def has_permission(self, request):
        return super().has_permission(request) and is_verified_staff(request.user)

    def login(self, request, extra_context=None):
        # After the password, the second factor: a code, or setting one up the first time.
        if request.user.is_authenticated and needs_second_factor(request):
            return redirect(keeping_next(reverse("two_factor"), request))
        return super().login(request, extra_context)


def keeping_next(url, request):
    """`url`, passing on where the visitor was going (?next=, encoded whole: a filtered list's
    address has its own ? and &)."""
    target = request.GET.get("next")
    return f"{url}?{urlencode({'next': target})}" if target else url
