from django.contrib.admin.widgets import AdminSplitDateTime


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
