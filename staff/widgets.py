from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime, AutocompleteSelect


class LabelledSplitDateTime(AdminSplitDateTime):
    """The admin's date and time boxes, each with a label that names its field: "Publication"
    gives "Publication date" and "Publication time" to screen readers, "Date:" and "Time:" to
    the eye, as before.

    Django writes "Date:" and "Time:" beside the boxes as plain text, and the field's own label
    points at neither box, so a screen reader meets two boxes without a name (four, when a
    form has two such fields).
    """

    template_name = "staff/widgets/split_datetime.html"

    def __init__(self, field_name, attrs=None):
        super().__init__(attrs)
        self.field_name = field_name

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["field_name"] = self.field_name
        return context


class NamedAutocomplete(AutocompleteSelect):
    """The admin's type-to-find box (autocomplete_fields), named for screen readers.

    Its script (select2) names the box by what it shows, not by the field's label, and Django
    leaves it showing nothing until something is chosen: here it shows `placeholder`. And the
    text inside, which select2 marks as an unnamed text box, is unmarked
    (staff/autocomplete.js).
    """

    def __init__(self, field, admin_site, placeholder, **kwargs):
        super().__init__(field, admin_site, **kwargs)
        self.placeholder = placeholder

    def build_attrs(self, base_attrs, extra_attrs=None):
        return {
            **super().build_attrs(base_attrs, extra_attrs),
            "data-placeholder": self.placeholder,
        }

    @property
    def media(self):
        return super().media + forms.Media(js=["staff/autocomplete.js"])
