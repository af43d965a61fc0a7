"""The triage desk's side of merging (consultations/merging.py): the "possibly the same person"
mark, the merge action and its confirmation page, and the owner's list of merges to undo."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from staff.audit import record
from staff.models import AuditAction

from . import merging
from .forms import when
from .models import ConsultationRequest, RequestMerge


def merge_url(first, second):
    return reverse("admin:consultations_consultationrequest_merge", args=[first.pk, second.pk])


def undo_url(merge):
    return reverse("admin:consultations_requestmerge_undo", args=[merge.pk])


class MergeAdminMixin:
    """For ConsultationRequestAdmin: merging two requests from the same person."""

    @admin.display(description="Status", ordering="status")
    def status_and_mark(self, consultation):
        # Ids only, so the list makes no query per row.
        status = consultation.get_status_display()
        if consultation.merged_into_id:
            mark, other = "Merged into", consultation.merged_into_id
        elif consultation.possible_duplicate_of_id:
            mark, other = "Possibly the same person as", consultation.possible_duplicate_of_id
        else:
            return status
        url = reverse("admin:consultations_consultationrequest_change", args=[other])
        return format_html(
            '{} <span class="same-person">{} <a href="{}">#{}</a></span>',
            status,
            mark,
            url,
            other,
        )

    @admin.action(description="Merge into the older request", permissions=["change"])
    def merge_into_older(self, request, queryset):
        chosen = list(queryset.order_by("submitted_at", "pk")[:3])
        if len(chosen) != 2:
            self.message_user(
                request,
                "Choose exactly two requests to merge: the newer is folded into the older.",
                level=messages.ERROR,
            )
            return None
        older, newer = chosen
        return redirect(merge_url(newer, older))

    def get_urls(self):
        merge = self.admin_site.admin_view(self.merge_view)
        return [
            path(
                "<int:pk>/merge/<int:other>/",
                merge,
                name="consultations_consultationrequest_merge",
            ),
            *super().get_urls(),
        ]

    def merge_view(self, request, pk, other):
        """Like Django's delete confirmation: both requests side by side and what will happen;
        "Yes" merges."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        older, newer = merging.older_and_newer(
            get_object_or_404(ConsultationRequest, pk=pk),
            get_object_or_404(ConsultationRequest, pk=other),
        )
        if request.method == "POST":
            try:
                merging.merge(newer, older, request.user, request)
            except merging.CannotMerge as problem:
                self.message_user(request, str(problem), level=messages.ERROR)
                return redirect(newer.get_admin_url())
            self.message_user(
                request,
                format_html(
                    'Request <a href="{}">#{}</a> was merged into this one.',
                    newer.get_admin_url(),
                    newer.pk,
                ),
                level=messages.SUCCESS,
            )
            return redirect(older.get_admin_url())
        record(AuditAction.VIEW_REQUEST, request, request_ids=[older.pk, newer.pk])
        context = {
            **self.admin_site.each_context(request),
            "title": f"Merge request #{newer.pk} into #{older.pk}?",
            "opts": self.model._meta,
            "older": older,
            "newer": newer,
            "rows": _side_by_side(older, newer),
            "problem": merging.problem_with(older, newer),
            "plan": merging.plan(older, newer),
        }
        return TemplateResponse(request, "admin/consultations/merge_confirmation.html", context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["same_person"] = _same_person(obj, request.user)
        return super().render_change_form(request, context, add, change, form_url, obj)


def _side_by_side(older, newer):
    """The rows of the confirmation's table: what staff compare to tell it is one person."""
    pairs = [
        ("Submitted", lambda c: when(c.submitted_at)),
        ("Name", lambda c: c.name),
        ("Phone", lambda c: c.phone or "—"),
        ("E-mail", lambda c: c.email or "—"),
        ("Status", lambda c: c.get_status_display()),
        ("Call booked", lambda c: when(c.call_at) if c.call_at else "—"),
        ("Contact log", lambda c: merging.entries_in_words(c.log_entries.count())),
    ]
    return [(label, value(older), value(newer)) for label, value in pairs]


def _same_person(consultation, user):
    """What the request's page says about other requests from the same person."""
    duplicate_of = consultation.possible_duplicate_of
    if consultation.merged_into_id or (duplicate_of and duplicate_of.merged_into_id):
        duplicate_of = None
    merges = []
    if user.is_superuser:
        merges = [
            (merge, undo_url(merge))
            for merge in merging.undoable().filter(kept=consultation).select_related("merged")
        ]
    info = {
        "merged_into": consultation.merged_into,
        "duplicate_of": duplicate_of,
        "merge_url": merge_url(consultation, duplicate_of) if duplicate_of else "",
        "merged_here": list(consultation.merged_requests.all()),
        "possible_duplicates": [
            (other, merge_url(other, consultation))
            for other in consultation.possible_duplicates.filter(merged_into=None)
        ],
        "undoable": merges,
    }
    return info if any(info.values()) else None


@admin.register(RequestMerge)
class RequestMergeAdmin(admin.ModelAdmin):
    """The owner's list of merges, to find one to undo. Read-only: merges are made on the
    triage desk."""

    list_display = ["merged_link", "kept_link", "merged_at", "merged_by", "undone_at", "undo"]
    list_display_links = None
    list_select_related = ["merged_by"]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        title = f"Merged requests (each can be undone for {merging.UNDO_DAYS} days)"
        return super().changelist_view(request, {"title": title, **(extra_context or {})})

    @admin.display(description="Merged request", ordering="merged")
    def merged_link(self, merge):
        return _request_link(merge.merged_id)

    @admin.display(description="Into", ordering="kept")
    def kept_link(self, merge):
        return _request_link(merge.kept_id)

    @admin.display(description="Undo")
    def undo(self, merge):
        if not merging.still_undoable(merge):
            return "—"
        return format_html('<a href="{}">Undo merge</a>', undo_url(merge))

    def get_urls(self):
        undo = self.admin_site.admin_view(self.undo_view)
        return [
            path("<int:pk>/undo/", undo, name="consultations_requestmerge_undo"),
            *super().get_urls(),
        ]

    def undo_view(self, request, pk):
        if not request.user.is_superuser:
            raise PermissionDenied
        merge = get_object_or_404(RequestMerge.objects.select_related("kept", "merged"), pk=pk)
        problem = merging.problem_with_undo(merge, request.user)
        if request.method == "POST":
            try:
                warnings = merging.undo(
                    merge, request.user, request, site_url=request.build_absolute_uri("/")
                )
            except merging.CannotUndo as refusal:
                self.message_user(request, str(refusal), level=messages.ERROR)
                return redirect(merge.kept.get_admin_url())
            self.message_user(
                request,
                format_html(
                    'The merge was undone: request <a href="{}">#{}</a> is back as it was.',
                    merge.merged.get_admin_url(),
                    merge.merged_id,
                ),
                level=messages.SUCCESS,
            )
            for warning in warnings:
                self.message_user(request, warning, level=messages.WARNING)
            return redirect(merge.kept.get_admin_url())
        context = {
            **self.admin_site.each_context(request),
            "title": f"Undo the merge of request #{merge.merged_id} into #{merge.kept_id}?",
            "opts": ConsultationRequest._meta,
            "merge": merge,
            "problem": problem,
            "undo_days": merging.UNDO_DAYS,
        }
        return TemplateResponse(request, "admin/consultations/undo_merge.html", context)


def _request_link(pk):
    url = reverse("admin:consultations_consultationrequest_change", args=[pk])
    return format_html('<a href="{}">#{}</a>', url, pk)
