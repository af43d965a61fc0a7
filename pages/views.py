from django.contrib.auth.views import redirect_to_login
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_cache_control

from page_cache.decorators import public_page
from staff.admin_site import is_verified_staff

from .models import Page


@public_page
def page_detail(request, address):
    page = get_object_or_404(Page, address=address)
    if page.staff_only and not is_verified_staff(request.user):
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    response = render(request, "pages/page_detail.html", {"page": page})
    if page.staff_only:
        patch_cache_control(response, private=True, no_store=True)
    return response
