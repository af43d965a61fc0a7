"""Demo pages for `manage.py load_demo`, written for this project."""

from pathlib import Path

from editor.documents import read_document

from ..models import Page

PAGES_DIR = Path(__file__).parent / "pages"
# In the order the footer and sitemap list them.
ADDRESSES = ["about", "services", "faq", "fees", "privacy", "accessibility"]


def load():
    """Create the editable pages that are missing; never overwrite a page staff have edited."""
    created = 0
    for address in ADDRESSES:
        fields, body = read_document(PAGES_DIR / f"{address}.md")
        _page, was_created = Page.objects.get_or_create(
            address=address, defaults={"title": fields["title"], "body": body}
        )
        created += was_created
    return created
