from django.contrib import admin, messages
from django.contrib.flatpages.admin import FlatPageAdmin
from django.contrib.flatpages.forms import FlatpageForm
from django.contrib.flatpages.models import FlatPage

from blog.content_checks import accessibility_warnings
from blog.markdown import render, validate_markdown
from blog.widgets import MarkdownEditor

from .models import AuditEvent


class PageForm(FlatpageForm):
    class Meta(FlatpageForm.Meta):
        widgets = {"content": MarkdownEditor}
        help_texts = {
            "url": "Where the page lives, e.g. “/about/” is shown at /pages/about/.",
            "content": "Markdown. The preview below the editor shows exactly what visitors see.",
        }

    def clean_content(self):
        content = self.cleaned_data["content"]
        validate_markdown(content)
        return content


admin.site.unregister(FlatPage)


@admin.register(FlatPage)
class PageAdmin(FlatPageAdmin):
    """Editable pages (About, Services, FAQ, …), written in Markdown like articles."""

    form = PageForm
    list_display = ["title", "url"]
    search_fields = ["title", "content"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        for warning in accessibility_warnings(render(obj.content)):
            self.message_user(request, warning, level=messages.WARNING)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail, for the practice owner. Nobody can change or delete it here."""

    list_display = ["at", "action", "username", "address", "request_id", "detail"]
    list_filter = ["action", "at"]
    search_fields = ["username", "=request_id", "address"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
