from django.conf import settings
from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse


def needs_second_factor(request):
    """Signed-in staff who must still prove a second factor before using the admin."""
    user = request.user
    return (
        settings.TWO_FACTOR_REQUIRED and user.is_active and user.is_staff and not user.is_verified()
    )


class PracticeAdminSite(admin.AdminSite):
    site_header = f"{settings.PRACTICE_NAME} — staff"
    site_title = settings.PRACTICE_NAME
    index_title = "Articles, pages and consultation requests"
    enable_nav_sidebar = False  # the triage list needs the width

    def has_permission(self, request):
        return super().has_permission(request) and not needs_second_factor(request)

    def login(self, request, extra_context=None):
        # After the password, the second factor: a code, or setting one up the first time.
        if request.user.is_authenticated and needs_second_factor(request):
            return redirect(reverse("two_factor") + _next(request))
        return super().login(request, extra_context)


def _next(request):
    target = request.GET.get("next")
    return f"?next={target}" if target else ""
