"""The article page's "Related reading" table: which articles to suggest, in what order."""

from adminsortable2.admin import SortableTabularInline
from django import forms

from staff.widgets import NamedAutocomplete

from .models import RELATED_READING_MAX, RelatedReading


class RelatedReadingForm(forms.ModelForm):
    class Meta:
        model = RelatedReading
        fields = ["related_post", "position"]
        # A number to type, which adminsortable2's script also fills in after a drag (it numbers
        # the "_reorder_" inputs 1, 2, 3… as shown), as in a series' parts.
        widgets = {"position": forms.NumberInput(attrs={"class": "vIntegerField _reorder_"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].required = False  # empty: after the others


class RelatedReadingFormSet(forms.BaseInlineFormSet):
    """Keeps the order numbers as fields to type in (adminsortable2's own formset hides them),
    puts a row without a number last, and numbers the list 1, 2, 3… again on save."""

    def __init__(self, *args, default_order_direction="", default_order_field=None, **kwargs):
        self.default_order_direction = default_order_direction  # makes the rows draggable
        self.default_order_field = default_order_field
        super().__init__(*args, **kwargs)

    def save(self, commit=True):
        kept = [f for f in self.forms if not self._should_delete_form(f)]
        last = max((f.instance.position or 0 for f in kept), default=0)
        for form in kept:
            if form.has_changed() and form.instance.position is None:
                last += 1
                form.instance.position = last
        saved = super().save(commit)
        if commit:
            rows = list(self.instance.related_choices.order_by("position", "pk"))
            for number, row in enumerate(rows, start=1):
                row.position = number
            RelatedReading.objects.bulk_update(rows, ["position"])
        return saved


class RelatedReadingInline(SortableTabularInline):
    # Our accessible table (templates/admin/edit_inline/tabular.html), as for a series' parts.
    template = "admin/edit_inline/tabular.html"
    model = RelatedReading
    fk_name = "post"
    form = RelatedReadingForm
    formset = RelatedReadingFormSet
    fields = ["related_post", "position"]
    autocomplete_fields = ["related_post"]  # the list of articles is long: type to find one
    ordering = ["position", "pk"]
    extra = 1
    max_num = RELATED_READING_MAX
    verbose_name = "related article"
    verbose_name_plural = (
        f"related reading: up to {RELATED_READING_MAX} articles shown at the end of this one, "
        "in this order (drag a row, or change the numbers)"
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("related_post")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "related_post":
            # Without the add/change/view icons beside it: Tab goes on to the order number.
            for action in ("add", "change", "delete", "view"):
                setattr(field.widget, f"can_{action}_related", False)
        return field

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "related_post":
            kwargs["widget"] = NamedAutocomplete(
                db_field, self.admin_site, placeholder="Article: type part of its title"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
