from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from editor.markdown import stored_html, validate_markdown
from editor.versions import EditVersioned


class PageQuerySet(models.QuerySet):
    def public(self):
        """Pages anyone may read (not the staff-only ones)."""
        return self.filter(staff_only=False)


class Page(EditVersioned, models.Model):
    title = models.CharField(max_length=200)
    address = models.CharField(
        max_length=100,
        unique=True,
        validators=[
            RegexValidator(
                r"^[\w.~-]+(/[\w.~-]+)*$",
                "Use letters, numbers and dashes, with / between parts: about, or fees/insurance.",
            )
        ],
        help_text="Where the page lives: about is shown at /pages/about/.",
    )
    body = models.TextField(
        blank=True,
        validators=[validate_markdown],
        help_text="Markdown. The preview (beside the text on a wide screen, below it on a narrow "
        "one) shows exactly what visitors will see.",
    )
    body_html = models.TextField(editable=False, default="")  # rendered + sanitized on save
    staff_only = models.BooleanField(
        "only for signed-in staff",
        default=False,
        help_text="For pages such as a staff handbook: visitors are asked to sign in, and the "
        "page is left out of the sitemap.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = PageQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["body_html"])

    class Meta:
        ordering = ["address"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.body_html = stored_html(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("pages:page_detail", kwargs={"address": self.address})
