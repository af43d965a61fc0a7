from datetime import datetime
from itertools import groupby

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join

import licensing
from staff.audit import record
from staff.models import AuditAction, AuditEvent

from . import booking, call_windows, calls, funnel, reports
from .business_hours import waiting_in_words
from .export import consultations_to_csv
from .forms import day_heading, time_label, when
from .merging_admin import MergeAdminMixin
from .models import (
    FINISHED_STATUSES,
    CallTaker,
    Closure,
    ConsultationRequest,
    ContactLogEntry,
    HeardAbout,
    Referral,
    RequestStatus,
    TimeOff,
    WeeklyHours,
    new_calendar_token,
)

SUBMITTED_FIELDS = [
    "submitted_at",
    "name",
    "phone",
    "email",
    "where",
    "preferred_contact",
    "best_times_display",
    "ok_to_call",
    "voicemail_ok",
    "message",
    "source_link",
    "heard_about",
    "consent_version",
    "consented_at",
]


class OverdueFilter(admin.SimpleListFilter):
    title = "response"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", "Overdue")]

    def queryset(self, request, queryset):
        return queryset.overdue() if self.value() == "yes" else queryset


class AssignedFilter(admin.SimpleListFilter):
    title = "assigned to"
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        return [("me", "Me"), ("nobody", "Nobody yet")]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(assigned_to=request.user)
        if self.value() == "nobody":
            return queryset.filter(assigned_to__isnull=True)
        return queryset


class ContactLogInline(admin.TabularInline):
    """What has happened so far: read-only, because the log is append-only."""

    model = ContactLogEntry
    fields = ["created_at", "by", "kind", "text"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "contact log"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="By")
    def by(self, entry):
        # Plain text: staff may not open user accounts, so no link to one.
        if entry.author is None:
            return "—"
        return entry.author.get_full_name() or entry.author.get_username()


class NewContactLogInline(admin.TabularInline):
    model = ContactLogEntry
    fields = ["kind", "text"]
    extra = 1
    max_num = 1
    can_delete = False
    verbose_name = verbose_name_plural = "log a call, message or note"

    def get_queryset(self, request):
        return super().get_queryset(request).none()

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)


class TriageForm(forms.ModelForm):
    """The triage fields, and booking or moving the visitor's call for them."""

    call_time = forms.ChoiceField(
        label="Book or move the call",
        required=False,
        help_text="The free times in everyone's call hours. If the visitor gave an e-mail "
        "address, they get the same confirmation as when they book themselves.",
    )

    class Meta:
        model = ConsultationRequest
        fields = ["status", "assigned_to", "became_client_on"]
        help_texts = {
            "became_client_on": "Filled in with the day the status becomes “Became a client”; "
            "correct it here if they became a client on another day.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        booked = self.instance if self.instance.call_at else None
        times = [t for t in booking.free_times(moving=booked) if t != self.instance.call_at]
        keep = "Keep the booked time" if booked else "No call booked"
        self.fields["call_time"].choices = [("", keep)] + [
            (heading, [(t.isoformat(), time_label(t)) for t in group])
            for heading, group in groupby(times, key=day_heading)
        ]

    def clean_call_time(self):
        value = self.cleaned_data["call_time"]
        return datetime.fromisoformat(value) if value else None

    def clean(self):
        cleaned_data = super().clean()
        became_client_on = cleaned_data.get("became_client_on")
        if became_client_on is None:
            return cleaned_data
        if cleaned_data.get("status") != RequestStatus.BECAME_CLIENT:
            if "became_client_on" not in self.changed_data:
                # The date of a status being left: no longer true, so cleared.
                cleaned_data["became_client_on"] = None
            else:
                self.add_error(
                    "became_client_on",
                    "Give this date only with the status “Became a client” (or clear it).",
                )
        elif became_client_on > timezone.localdate():
            self.add_error("became_client_on", "That day is in the future.")
        elif became_client_on < timezone.localdate(self.instance.submitted_at):
            self.add_error("became_client_on", "That is before the request arrived.")
        return cleaned_data


@admin.register(ConsultationRequest)
class ConsultationRequestAdmin(MergeAdminMixin, admin.ModelAdmin):
    form = TriageForm
    list_display = [
        "submitted_at",
        "waiting",
        "overdue",
        "name",
        "status_and_mark",
        "call",
        "assigned_to",
        "preferred_contact",
        "ok_to_call_now",  # the best times against the clock: the list's "best times"
        "article",
    ]  # never the message
    list_display_links = ["submitted_at", "name"]
    # "submitted_at" filters by today, 7 days, month or year. No date_hierarchy: its month links
    # cost a scan of every request (90 ms at 20,000 on SQLite) on each view of the list.
    list_filter = ["status", AssignedFilter, OverdueFilter, "submitted_at", "heard_about"]
    list_select_related = ["assigned_to"]
    search_fields = ["name", "email", "phone"]
    readonly_fields = [
        *SUBMITTED_FIELDS,
        "call",
        "first_contacted_at",
        "waiting",
        "access_history",
    ]
    fieldsets = [
        (
            "Triage",
            {
                "fields": [
                    "status",
                    "became_client_on",
                    "assigned_to",
                    "call",
                    "call_time",
                    "first_contacted_at",
                    "waiting",
                ]
            },
        ),
        ("As submitted", {"fields": SUBMITTED_FIELDS}),
        ("Who has opened or changed this request", {"fields": ["access_history"]}),
    ]
    inlines = [ContactLogInline, NewContactLogInline]
    actions = [
        "assign_to_me",
        "mark_contacted",
        "mark_scheduled",
        "mark_spam",
        "merge_into_older",
        "export_csv",
    ]

    def get_queryset(self, request):
        # Annotate before ordering, since the default order uses the annotation.
        queryset = ConsultationRequest.objects.with_overdue_flag()
        return queryset.order_by(*self.get_ordering(request))

    def get_ordering(self, request):
        return ["-overdue_flag", "-submitted_at"]  # overdue requests first, newest first in each

    def has_add_permission(self, request):
        return False  # requests only arrive through the public form

    def lookup_allowed(self, lookup, value, request=None):
        # Only the fields the filters offer. Django would otherwise take a lookup on any field
        # from the list's address: client_key__regex=… recovers the address hash a character at
        # a time, and with it which requests came from one place.
        offered = {
            name if isinstance(name, str) else name.parameter_name for name in self.list_filter
        }
        field = lookup.split(LOOKUP_SEP, 1)[0]
        return field in offered and super().lookup_allowed(lookup, value, request)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser  # otherwise deletion is the retention command's job

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assigned_to":
            kwargs["queryset"] = db_field.related_model.objects.filter(
                is_staff=True, is_active=True
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # The audit trail: every look at, change to, export and deletion of a request.

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            record(AuditAction.VIEW_REQUEST, request, request_ids=[int(object_id)])
        return response

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        call_time = form.cleaned_data.get("call_time")
        if call_time:
            try:
                calls.booked_by_staff(obj, call_time, request.user, request.build_absolute_uri("/"))
            except booking.TimeTaken:
                obj.refresh_from_db()
                self.message_user(
                    request,
                    "That time was booked by someone else a moment ago; the call was not booked.",
                    level=messages.ERROR,
                )
        if form.changed_data:
            detail = "changed " + ", ".join(form.changed_data)
            record(AuditAction.CHANGE_REQUEST, request, request_ids=[obj.pk], detail=detail)

    def save_formset(self, request, form, formset, change):
        entries = formset.save(commit=False)
        for entry in entries:
            entry.author = request.user
            entry.save()
            detail = f"logged: {entry.get_kind_display()}"
            record(
                AuditAction.CHANGE_REQUEST, request, request_ids=[entry.request_id], detail=detail
            )

    def delete_model(self, request, obj):
        request_id = obj.pk
        super().delete_model(request, obj)
        record(AuditAction.DELETE_REQUEST, request, request_ids=[request_id])

    def delete_queryset(self, request, queryset):
        request_ids = list(queryset.values_list("pk", flat=True))
        super().delete_queryset(request, queryset)
        record(AuditAction.DELETE_REQUEST, request, request_ids=request_ids)

    @admin.display(description="History")
    def access_history(self, consultation):
        events = AuditEvent.objects.filter(request_id=consultation.pk)[:50]
        if not events:
            return "—"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{} · {} · {}</li>",
                (
                    (
                        date_format(timezone.localtime(event.at), "DATETIME_FORMAT"),
                        event.username or "—",
                        event.get_action_display() + (f" ({event.detail})" if event.detail else ""),
                    )
                    for event in events
                ),
            ),
        )

    @admin.display(description="Waiting", ordering="submitted_at")
    def waiting(self, consultation):
        if consultation.first_contacted_at:
            waited = waiting_in_words(consultation.submitted_at, consultation.first_contacted_at)
            return f"Answered after {waited}"
        return waiting_in_words(consultation.submitted_at)

    @admin.display(description="Call", ordering="call_at")
    def call(self, consultation):
        return when(consultation.call_at) if consultation.call_at else "—"

    @admin.display(description="Overdue", ordering="overdue_flag")
    def overdue(self, consultation):
        return format_html("<strong>{}</strong>", "Overdue") if consultation.overdue_flag else ""

    @admin.display(description="Best times")
    def best_times_display(self, consultation):
        return consultation.best_times_display()

    @admin.display(description="OK to call now?")
    def ok_to_call_now(self, consultation):
        if consultation.status in FINISHED_STATUSES:
            return "—"
        return call_windows.ok_to_call(consultation.best_times)

    @admin.display(description="OK to call")  # the request page adds a colon, after no "?"
    def ok_to_call(self, consultation):
        return self.ok_to_call_now(consultation)

    @admin.display(description="Where they will be during sessions")
    def where(self, consultation):
        # Requests sent before the form asked have no answer.
        return licensing.place_name(consultation.location) if consultation.location else "—"

    @admin.display(description="Article", ordering="source")
    def article(self, consultation):
        return consultation.source or "—"

    @admin.display(description="Came from article")
    def source_link(self, consultation):
        if not consultation.source:
            return "—"
        url = reverse("blog:post_detail", kwargs={"slug": consultation.source})
        return format_html('<a href="{}">{}</a>', url, consultation.source)

    @admin.action(description="Assign selected requests to me", permissions=["change"])
    def assign_to_me(self, request, queryset):
        count = self._update_each(request, queryset, assigned_to=request.user)
        self.message_user(request, f"{count} request(s) assigned to you.")

    @admin.action(description="Mark selected requests as contacted", permissions=["change"])
    def mark_contacted(self, request, queryset):
        count = self._update_each(
            request, queryset.filter(status=RequestStatus.NEW), status=RequestStatus.CONTACTED
        )
        self.message_user(request, f"{count} request(s) marked as contacted.")

    @admin.action(description="Mark selected requests as scheduled", permissions=["change"])
    def mark_scheduled(self, request, queryset):
        count = self._update_each(request, queryset, status=RequestStatus.SCHEDULED)
        self.message_user(request, f"{count} request(s) marked as scheduled.")

    @admin.action(description="Mark selected requests as spam", permissions=["change"])
    def mark_spam(self, request, queryset):
        count = self._update_each(request, queryset, status=RequestStatus.SPAM)
        self.message_user(request, f"{count} request(s) marked as spam.")

    @admin.action(description="Export selected requests as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        stamp = timezone.localtime().strftime("%Y-%m-%d")
        consultations = list(queryset)
        response = HttpResponse(
            consultations_to_csv(consultations), content_type="text/csv; charset=utf-8"
        )
        record(AuditAction.EXPORT_REQUEST, request, request_ids=[c.pk for c in consultations])
        response["Content-Disposition"] = (
            f'attachment; filename="consultation-requests-{stamp}.csv"'
        )
        response["Cache-Control"] = "no-store"
        return response

    @staticmethod
    def _update_each(request, queryset, **changes):
        """Save one by one, so first-contact and finished times are kept by the model."""
        consultations = list(queryset)
        for consultation in consultations:
            for field, value in changes.items():
                setattr(consultation, field, value)
            consultation.save()
        detail = "changed " + ", ".join(changes)
        ids = [consultation.pk for consultation in consultations]
        record(AuditAction.CHANGE_REQUEST, request, request_ids=ids, detail=detail)
        return len(consultations)

    def get_urls(self):
        report = self.admin_site.admin_view(self.report_view)
        funnel_report = self.admin_site.admin_view(self.funnel_view)
        agenda = self.admin_site.admin_view(self.calls_view)
        return [
            path("report/", report, name="consultations_consultationrequest_report"),
            path("report/funnel/", funnel_report, name="consultations_consultationrequest_funnel"),
            path("calls/", agenda, name="consultations_consultationrequest_calls"),
            *super().get_urls(),
        ]

    def calls_view(self, request):
        """The calls agenda: today's and the coming days' booked calls, and any whose time
        passed with no call logged (those count as overdue too)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        booked = ConsultationRequest.objects.agenda().select_related("assigned_to")
        days = [
            (day_heading(day), list(group))
            for day, group in groupby(booked, key=lambda c: timezone.localtime(c.call_at).date())
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": "Calls agenda",
            "opts": self.model._meta,
            "days": days,
            "zone_name": booking.zone_name(),
        }
        return TemplateResponse(request, "admin/consultations/calls.html", context)

    def report_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        rows = reports.weekly_figures()
        labels = [f"{row['week']:%b} {row['week'].day}" for row in rows]  # "Nov 3"
        context = {
            **self.admin_site.each_context(request),
            "title": "Consultation requests: the last 12 weeks",
            "opts": self.model._meta,
            "rows": rows,
            "requests_chart": reports.bar_chart([row["requests"] for row in rows], labels),
            "waits_chart": reports.bar_chart([row["median_hours"] for row in rows], labels),
        }
        return TemplateResponse(request, "admin/consultations/report.html", context)

    def funnel_view(self, request):
        """Which sources and articles bring clients, month by month; counts only."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        figures = funnel.funnel_figures()
        if request.GET.get("format") == "csv":
            return funnel.csv_response(figures)
        context = {
            **self.admin_site.each_context(request),
            "title": "Consultation funnel: the last 12 months",
            "opts": self.model._meta,
            "figures": figures,
            "charts": funnel.charts(figures),
            "stages": [label for _, label in funnel.STAGES],
        }
        return TemplateResponse(request, "admin/consultations/funnel.html", context)


HEARD_ABOUT_HELP = (
    "The form offers the answers ticked “offered”, lowest position first. Unticking one keeps "
    "it on the requests that chose it and in the funnel report. Deleting one keeps those "
    "requests too; they then count as “Not asked / not given”."
)


class HeardAboutRowForm(forms.ModelForm):
    """One row of the answers' list: its boxes named after the answer, as a column heading is
    not a label, and without the help the list does not show (nothing to point at)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name = self.instance.name
        self.fields["is_active"].help_text = ""
        self.fields["is_active"].widget.attrs["aria-label"] = f"Offer “{name}”"
        self.fields["position"].widget.attrs["aria-label"] = f"Position of “{name}”"


@admin.register(HeardAbout)
class HeardAboutAdmin(admin.ModelAdmin):
    """The answers the form offers to "How did you hear about us?", in the order shown."""

    list_display = ["name", "is_active", "position", "request_count"]
    list_editable = ["is_active", "position"]
    ordering = ["position", "name"]
    fieldsets = [
        (
            None,
            {
                "fields": ["name", "is_active", "position"],
                "description": HEARD_ABOUT_HELP,
            },
        )
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(requests=Count("consultationrequest"))

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, form=HeardAboutRowForm, **kwargs)

    def changelist_view(self, request, extra_context=None):
        extra_context = {"help": HEARD_ABOUT_HELP, **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    @admin.display(description="Requests that chose it", ordering="requests")
    def request_count(self, answer):
        changelist = reverse("admin:consultations_consultationrequest_changelist")
        url = f"{changelist}?heard_about__id__exact={answer.pk}"
        return format_html('<a href="{}">{}</a>', url, answer.requests)


# Call hours ------------------------------------------------------------------------------------


class WeeklyHoursInline(admin.TabularInline):
    model = WeeklyHours
    extra = 1


class TimeOffInline(admin.TabularInline):
    model = TimeOff
    fields = ["starts_on", "ends_on", "note"]
    extra = 0
    verbose_name_plural = "time off (no calls are booked on these days)"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(ends_on__gte=timezone.localdate())


class CallTakerForm(forms.ModelForm):
    new_calendar_address = forms.BooleanField(
        required=False,
        label="Make a new calendar address",
        help_text="The old address stops working at once: do this if it was shared by mistake.",
    )

    class Meta:
        model = CallTaker
        fields = ["user"]

    def save(self, commit=True):
        if self.cleaned_data.get("new_calendar_address"):
            self.instance.calendar_token = new_calendar_token()
        return super().save(commit)


@admin.register(CallTaker)
class CallTakerAdmin(admin.ModelAdmin):
    """Each person's weekly call hours and time off, edited by them (or the owner), with the
    calls booked with them beside."""

    form = CallTakerForm
    list_display = ["__str__", "hours", "upcoming_count"]
    fields = ["user", "upcoming_calls", "new_calendar_address"]
    readonly_fields = ["upcoming_calls"]
    inlines = [WeeklyHoursInline, TimeOffInline]

    def get_queryset(self, request):
        takers = super().get_queryset(request).select_related("user")
        takers = takers.prefetch_related("weekly_hours")
        return takers if request.user.is_superuser else takers.filter(user=request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._own(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._own(request, obj)

    def has_add_permission(self, request):
        mine = CallTaker.objects.filter(user=request.user).exists()
        return super().has_add_permission(request) and (request.user.is_superuser or not mine)

    @staticmethod
    def _own(request, obj):
        return obj is None or request.user.is_superuser or obj.user_id == request.user.pk

    def get_changeform_initial_data(self, request):
        return {"user": request.user.pk, **super().get_changeform_initial_data(request)}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user" and not request.user.is_superuser:
            kwargs["queryset"] = db_field.related_model.objects.filter(pk=request.user.pk)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="Weekly hours")
    def hours(self, taker):
        return ", ".join(str(block) for block in taker.weekly_hours.all()) or "—"

    @admin.display(description="Calls booked")
    def upcoming_count(self, taker):
        return ConsultationRequest.objects.filter(
            assigned_to=taker.user_id, call_at__gte=timezone.now()
        ).count()

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:  # the feed's full address, shown under the form
            context["calendar_feed_url"] = request.build_absolute_uri(obj.get_calendar_url())
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description="Upcoming calls")
    def upcoming_calls(self, taker):
        if taker.pk is None:
            return "—"
        calls = ConsultationRequest.objects.filter(
            assigned_to=taker.user_id, call_at__gte=timezone.now()
        ).order_by("call_at")[:50]
        if not calls:
            return "None booked."
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li>{} · <a href="{}">{}</a></li>',
                ((when(call.call_at), call.get_admin_url(), call) for call in calls),
            ),
        )


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    """Days the whole practice takes no calls (holidays), set by the owner."""

    list_display = ["starts_on", "ends_on", "note"]
    fields = ["starts_on", "ends_on", "note"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(taker__isnull=True)

    def has_module_permission(self, request):
        return request.user.is_superuser


# Referrals, for visitors the practice cannot see ------------------------------------------------

SHOWN_FOR_CHOICES = [*licensing.PLACE_CHOICES, (licensing.OUTSIDE_US, "Outside the US")]


class ReferralForm(forms.ModelForm):
    # Ticked places, so only known postal codes (and "outside") are ever stored.
    shown_for = forms.MultipleChoiceField(
        label="Shown to people in",
        choices=SHOWN_FOR_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Tick the places where it helps; tick none to show it to everyone we "
        "cannot see, wherever they are.",
    )
    web_address = forms.URLField(
        label="Web address",
        required=False,
        assume_scheme="https",  # "example.org" is taken as https://example.org
        help_text="The page where people can start, e.g. https://example.org/find-help/.",
    )

    class Meta:
        model = Referral
        fields = [
            "name",
            "offers",
            "serves",
            "phone",
            "web_address",
            "shown_to_under_18",
            "shown_for",
            "position",
            "is_active",
        ]
        help_texts = {
            "name": "As they call themselves; shown as a heading.",
            "phone": "Shown as a number to tap on a phone. A phone number, a web address, or both.",
            "position": "Referrals are listed by this number, smallest first.",
            "is_active": "Untick to stop showing it without deleting it.",
        }


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    """Who the kind page suggests to visitors the practice cannot see (another state, under
    18), as staff word it."""

    form = ReferralForm
    list_display = ["name", "offers", "where_shown", "shown_to_under_18", "is_active"]
    list_filter = ["is_active", "shown_to_under_18"]
    search_fields = ["name", "offers", "serves"]
    ordering = ["position", "name"]

    @admin.display(description="Shown to people in")
    def where_shown(self, referral):
        places = set(referral.shown_for)
        if not places:
            return "Everywhere"
        names = []
        if places >= set(licensing.PLACES):  # ticked one by one, but meant as "the US"
            names.append("Every US state and territory")
            places -= set(licensing.PLACES)
        names += sorted(licensing.place_name(code) for code in places)
        if len(names) > 4:
            return f"{', '.join(names[:3])} and {len(names) - 3} more"
        return ", ".join(names)
