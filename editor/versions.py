"""Two people editing one article: the second save is refused, and both texts are kept.

An edited model inherits `EditVersioned` (its version goes up on every save); its admin form
inherits `VersionCheckedForm`, which carries the version the page was opened at, and its
ModelAdmin inherits `VersionCheckedAdmin`. Both articles and pages use these, so the rule lives
here once.
"""

import json

from django import forms
from django.contrib.admin.utils import flatten_fieldsets
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from .models import Autosave


class EditVersioned(models.Model):
    edit_version = models.PositiveIntegerField(
        default=0, editable=False, help_text="Goes up by one on every save."
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.edit_version += 1
        super().save(*args, **kwargs)


class EditConflict(Exception):
    """Someone saved the object between this form's check and its save."""


class VersionInput(forms.HiddenInput):
    def id_for_label(self, id_):
        return None  # the admin gives every field in a fieldset a label; this one has no control


class VersionCheckedForm(forms.ModelForm):
    # The version the page was opened at (not the model field, which the admin may not edit).
    opened_version = forms.IntegerField(widget=VersionInput, required=False, min_value=0)
    conflict_field = "body"  # the long text shown back when a save is refused
    server_copy = None  # the signed-in user's autosave for this page (JSON), set by the admin

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read from the database: a form restoring an earlier revision has that revision's
        # number on its instance, not the current one.
        self.stored = None
        if self.instance.pk is not None:
            self.stored = type(self.instance)._default_manager.filter(pk=self.instance.pk).first()
        version = self.fields["opened_version"]
        version.initial = self.stored.edit_version if self.stored else 0
        version.widget.attrs["class"] = "editor-version"
        version.widget.attrs["data-autosave-url"] = reverse("editor_autosave")
        if self.server_copy:
            version.widget.attrs["data-server-copy"] = self.server_copy

    def clean(self):
        cleaned = super().clean()
        if self.stored is None:
            return cleaned  # a new object: nobody else can have saved it
        seen = cleaned.get("opened_version")
        if seen is None:
            # Never skip the check: a form without a version could overwrite anything.
            raise forms.ValidationError(
                "This form did not say which version it was opened at, so it was not saved. "
                "Copy your text, reload the page and paste it in again."
            )
        if seen != self.stored.edit_version:
            self.refuse_as_conflict()
        return cleaned

    def refuse_as_conflict(self):
        """Refuse the save; show the clinician's own text as typed, and what was saved."""
        stored = self.stored
        latest = stored.history.first()
        who = _name(latest.history_user) if latest else "Someone"
        when = timezone.localtime(latest.history_date if latest else stored.updated_at)
        self.saved_meanwhile = {
            "who": who,
            "when": date_format(when, "j F Y, H:i"),
            "text": getattr(stored, self.conflict_field),
        }
        self.add_error(
            None,
            f"Not saved: {who} saved this {stored._meta.verbose_name} at "
            f"{self.saved_meanwhile['when']}, after you opened it. Your text is kept below as "
            f"you left it, and what {who} saved is shown above it under “Saved meanwhile”. "
            f"Bring together what you want to keep, then save again: that save replaces theirs.",
        )
        # The next save is made knowing what was saved meanwhile, so it may go through.
        data = self.data.copy()
        data[self.add_prefix("opened_version")] = stored.edit_version
        data[self.add_prefix("saved_meanwhile")] = self.saved_meanwhile["text"]
        self.data = data
        self.fields["saved_meanwhile"] = forms.CharField(
            label=f"What {who} saved",
            required=False,
            widget=forms.Textarea(attrs={"readonly": True, "rows": 12, "class": "vLargeTextField"}),
            help_text="Read only. Copy from it what you want to keep.",
        )


def _name(user):
    if user is None:
        return "Someone"
    return user.get_full_name() or user.get_username()


class VersionCheckedAdmin:
    """Mix into a ModelAdmin (before the admin class) whose form is a VersionCheckedForm."""

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if "opened_version" in flatten_fieldsets(fieldsets):
            return fieldsets
        # The hidden version goes at the end of the first fieldset, so it is always posted.
        (name, options), *rest = fieldsets
        first = (name, {**options, "fields": [*options["fields"], "opened_version"]})
        return [first, *rest]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        copy = Autosave.objects.filter(user=request.user, key=request.path).first()
        last_save = getattr(obj, "updated_at", None)
        if copy is None or (last_save and copy.saved_at <= last_save):
            return form
        server_copy = json.dumps({"fields": copy.fields, "saved_at": copy.saved_at.isoformat()})
        return type(form.__name__, (form,), {"server_copy": server_copy})

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except EditConflict:
            # Rolled back. Shown again, the form now finds the newer version and says so.
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if change:
            # Holds the row until this request's transaction ends (on SQLite the whole
            # database, which the admin's transaction has already locked for writing), so two
            # saves at the same instant cannot both win.
            stored = (
                type(obj)
                ._default_manager.select_for_update()
                .filter(pk=obj.pk)
                .values_list("edit_version", flat=True)
                .get()
            )
            if stored != form.cleaned_data["opened_version"]:
                raise EditConflict
            obj.edit_version = stored
        super().save_model(request, obj, form, change)
        # Saved: the unsaved copy typed on this page is no longer needed.
        Autosave.objects.filter(user=request.user, key=request.path).delete()

    def render_change_form(self, request, context, *args, **kwargs):
        adminform = context.get("adminform")
        meanwhile = getattr(adminform and adminform.form, "saved_meanwhile", None)
        if meanwhile:
            title = f"Saved meanwhile by {meanwhile['who']} at {meanwhile['when']}"
            adminform.fieldsets = [(title, {"fields": ["saved_meanwhile"]}), *adminform.fieldsets]
        return super().render_change_form(request, context, *args, **kwargs)
