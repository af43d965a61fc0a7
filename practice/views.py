from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.contrib.flatpages.models import FlatPage
from django.contrib.flatpages.views import render_flatpage
from django.db import DatabaseError, connection
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import never_cache

from blog.models import Post, Series

from .admin_site import is_verified_staff
from .context_processors import practice_details
from .page_cache import public_page

HOME_POSTS = 5


@public_page
def home(request):
    context = {
        "latest_posts": Post.objects.published().for_listing()[:HOME_POSTS],
        "series_list": Series.objects.with_published_parts(),
    }
    return render(request, "practice/home.html", context)


@public_page
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /editor/",
        "Disallow: /consultation/thanks/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


@public_page
def page(request, url):
    """An editable page. One marked "registration required" is for verified staff only."""
    url = "/" + url
    found = FlatPage.objects.filter(url=url, sites=settings.SITE_ID).first()
    if found is None:
        if not url.endswith("/") and FlatPage.objects.filter(url=url + "/").exists():
            return HttpResponsePermanentRedirect(request.path + "/")
        raise Http404("No such page.")
    if not found.registration_required:
        return render_flatpage(request, found)
    if not is_verified_staff(request.user):
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    response = render_flatpage(request, found)
    patch_cache_control(response, private=True, no_store=True)
    return response


@never_cache
def healthz(request):
    """200 when the database answers a query, 503 otherwise (for load balancers and monitors)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


def favicon(request):
    # Browsers ask for /favicon.ico on pages that name no icon (the admin, feeds).
    return HttpResponsePermanentRedirect(static("favicon.svg"))


def server_error(request):
    """The branded 500 page, rendered without context processors that might touch the database."""
    template = loader.get_template("500.html")
    return HttpResponse(template.render({"practice": practice_details()}), status=500)
