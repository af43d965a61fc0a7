"""What make_image_sizes asks of editable pages (images.sizes.on_sizes_made, registered in
apps.py): a page whose stored HTML shows an image that gained smaller copies is rendered and
stored again, so it offers them."""

from .models import Page


def offer_new_sizes(names):
    """Store again the pages that show one of these originals (storage names); how many."""
    stored = 0
    for page in Page.objects.filter(body_html__contains="<img "):
        if any(f'/{name}"' in page.body_html for name in names):
            page.skip_history_when_saving = True  # the same page: no new revision
            page.save(update_fields=["body_html"])
            stored += 1
    return stored
