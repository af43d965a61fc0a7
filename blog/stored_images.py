"""What make_image_sizes asks of the blog (images.sizes.on_sizes_made, registered in apps.py):
articles and series whose stored HTML shows an image that gained smaller copies are rendered and
stored again, so their pages offer them; pages showing such a cover or author photo are retired
from the page cache."""

from page_cache.versions import content_changed

from .models import Author, Post, Series


def offer_new_sizes(names):
    """Store again what shows one of these originals (storage names); how many were stored."""
    stored = 0
    for post in Post.objects.filter(body_html__contains="<img "):
        if _shows_any(post.body_html, names):
            post.skip_history_when_saving = True  # the same article: no new revision, no new date
            post.save(update_fields=["body_html", "reading_minutes"])
            stored += 1
    for series in Series.objects.filter(description_html__contains="<img "):
        if _shows_any(series.description_html, names):
            series.save(update_fields=["description_html"])
            stored += 1
    # Templates build covers' and photos' markup when a page is rendered: a fresh render is all
    # they need.
    if (
        Post.objects.filter(cover_image__in=names).exists()
        or Author.objects.filter(photo__in=names).exists()
    ):
        content_changed()
    return stored


def _shows_any(html, names):
    return any(f'/{name}"' in html for name in names)
