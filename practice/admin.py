from django.contrib import admin
from django.contrib.flatpages.admin import FlatPageAdmin
from django.contrib.flatpages.forms import FlatpageForm
from django.contrib.flatpages.models import FlatPage

from blog.widgets import MarkdownEditor


class PageForm(FlatpageForm):
    class Meta(FlatpageForm.Meta):
        widgets = {"content": MarkdownEditor}
        help_texts = {
            "url": "Where the page lives, e.g. “/about/” is shown at /pages/about/.",
            "content": "Markdown. The preview below the editor shows exactly what visitors see.",
        }


admin.site.unregister(FlatPage)


@admin.register(FlatPage)
class PageAdmin(FlatPageAdmin):
    """Editable pages (About, Services, FAQ, …), written in Markdown like articles."""

    form = PageForm
    list_display = ["title", "url"]
    search_fields = ["title", "content"]
