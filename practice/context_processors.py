import functools
import re

from django.conf import settings
from django.urls import get_script_prefix, reverse


def practice(request):
    """The practice's contact details, for the header, footer and crisis notices."""
    return {"practice": practice_details()}


def practice_details():
    return {
        "name": settings.PRACTICE_NAME,
        "phone": settings.PRACTICE_PHONE,
        "phone_href": "tel:+1" + re.sub(r"\D", "", settings.PRACTICE_PHONE)[-10:],
        "email": settings.PRACTICE_EMAIL,
        "address": settings.PRACTICE_ADDRESS,
    }


def canonical_url(request):
    """This page's address without tracking or other query strings (keeping ?page=N)."""
    url = request.build_absolute_uri(request.path)
    page = request.GET.get("page", "")
    if page.isdigit() and page != "1":
        url += f"?page={page}"
    return {"canonical_url": url}


def site_links(request):
    """The addresses every page links to (header, footer, feed), worked out once per process
    rather than reversed on every page."""
    return {"links": _site_links(get_script_prefix())}


@functools.cache
def _site_links(script_prefix):
    return {
        "home": reverse("home"),
        "articles": reverse("blog:post_list"),
        "feed": reverse("blog:feed_rss"),
        "consultation": reverse("consultations:request_form"),
        **{
            address: reverse("pages:page_detail", args=[address])
            for address in ("about", "services", "faq", "fees", "privacy", "accessibility")
        },
    }
