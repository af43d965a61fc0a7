from django.db import DatabaseError, connection
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import never_cache

from blog.models import Post, Series
from page_cache.decorators import public_page

from .context_processors import practice_details

HOME_POSTS = 5
HOME_SERIES = 6


@public_page
def home(request):
    context = {
        "latest_posts": Post.objects.published().for_listing()[:HOME_POSTS],
        # The newest few: a list of every series would grow with the blog.
        "series_list": Series.objects.with_published_parts().order_by("-pk")[:HOME_SERIES],
    }
    return render(request, "practice/home.html", context)


@public_page
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /editor/",
        "Disallow: /consultation/thanks/",
        "Disallow: /consultation/call/",
        "Disallow: /consultation/calendar/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


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
