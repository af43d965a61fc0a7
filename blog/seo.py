"""Absolute URLs and structured data for search engines, feeds and link previews."""

import re

from django.conf import settings
from django.utils import timezone

from editor.markdown import reference_links

# Our sanitizer always writes double-quoted attributes, so this finds every root-relative URL.
ROOT_RELATIVE_URL = re.compile(r'(\s(?:href|src))="/(?!/)')


# Every URL of a srcset (images/sizes.py writes "URL 480w, URL 800w", never a comma in a URL).
SRCSET = re.compile(r'(\ssrcset)="([^"]*)"')


def absolutize_html(html, site_url):
    """Make root-relative links and images absolute (`site_url` ends in /), for feed readers."""
    html = ROOT_RELATIVE_URL.sub(rf'\1="{site_url}', html)
    return SRCSET.sub(lambda match: f'{match[1]}="{_absolute_srcset(match[2], site_url)}"', html)


def _absolute_srcset(srcset, site_url):
    candidates = (candidate.strip() for candidate in srcset.split(","))
    return ", ".join(
        site_url + candidate[1:]
        if candidate.startswith("/") and candidate[1:2] != "/"
        else candidate
        for candidate in candidates
    )


def post_structured_data(post, request):
    """schema.org BlogPosting for the article page."""
    url = request.build_absolute_uri(post.get_absolute_url())
    byline = post.byline
    if hasattr(byline, "get_absolute_url"):
        author = person(byline, request)
    else:
        author = {"@type": "Organization", "name": str(byline)}
    # Who reviewed it, and when, are the web page's (schema.org WebPage: reviewedBy,
    # lastReviewed), the page whose main entity the article is.
    web_page = {"@type": "WebPage", "@id": url, "url": url}
    if post.reviewer:
        web_page["reviewedBy"] = person(post.reviewer, request)
        web_page["lastReviewed"] = timezone.localdate(post.reviewed_at).isoformat()
    data = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": post.title,
        "description": post.meta_description,
        "url": url,
        "mainEntityOfPage": web_page,
        "author": author,
        "publisher": {"@type": "Organization", "name": settings.PRACTICE_NAME},
        "dateModified": post.updated_at.isoformat(),
        "timeRequired": f"PT{post.reading_minutes}M",
    }
    if citations := reference_links(post.body_html):  # the sources its References list
        data["citation"] = citations
    if post.published_at:
        data["datePublished"] = post.published_at.isoformat()
    if post.cover_image:
        data["image"] = request.build_absolute_uri(post.cover_image.url)
    if post.series_id:
        data["isPartOf"] = {
            "@type": "CreativeWorkSeries",
            "name": post.series.title,
            "url": request.build_absolute_uri(post.series.get_absolute_url()),
        }
    return data


def person(profile, request):
    """An author profile as a schema.org Person."""
    url = request.build_absolute_uri(profile.get_absolute_url())
    return {"@type": "Person", "name": str(profile), "url": url}
