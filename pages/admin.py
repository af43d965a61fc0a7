from django.contrib import admin, messages
from simple_history.admin import SimpleHistoryAdmin

from editor.checks import writing_warnings
from editor.versions import VersionCheckedAdmin, VersionCheckedForm
from editor.widgets import MarkdownEditor

from .models import Page


class PageAdminForm(VersionCheckedForm):
    class Meta:
        model = Page
        fields = ["title", "address", "body", "staff_only"]
        widgets = {"body": MarkdownEditor}


@admin.register(Page)
class PageAdmin(VersionCheckedAdmin, SimpleHistoryAdmin):
    """Editable pages (About, Services, FAQ, …), written in Markdown like articles."""

    form = PageAdminForm
    list_display = ["title", "address", "staff_only", "updated_at"]
    search_fields = ["title", "body"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        for warning in writing_warnings(obj.body_html):
            self.message_user(request, warning, level=messages.WARNING)
