"""A booked call's life after the form: the visitor's confirmation (with a calendar file), the
link that lets them move or cancel it, the reminder, and word to staff.

Every e-mail goes through the outbox, in the same transaction as the change it reports. What a
visitor receives never repeats what they typed: no name, phone number or message, and no health
words in a subject.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

import outbox
from staff.audit import record
from staff.models import AuditAction

from . import booking
from .forms import when
from .models import (
    FINISHED_STATUSES,
    ConsultationRequest,
    ContactKind,
    ContactLogEntry,
    ContactMethod,
    RequestStatus,
)
from .reports import usual_response_hours

CHANGE_SALT = "consultations.change-call"
CALENDAR_PAST_DAYS = 30  # how far back a staff calendar feed still lists calls
HOW_WE_CONTACT = {
    ContactMethod.PHONE: "We will phone you",
    ContactMethod.TEXT: "We will send you a text message",
    ContactMethod.EMAIL: "We will e-mail you",
}
STAFF_SUBJECTS = {
    "new": "New consultation request",
    "moved": "A consultation call was moved",
    "cancelled": "A consultation call was cancelled",
}


class LinkNotValid(Exception):
    """A change link that is forged, or whose call has passed, been cancelled or closed."""


def change_token(consultation):
    return signing.dumps(consultation.pk, salt=CHANGE_SALT)


def change_url(consultation, site_url):
    path = reverse("consultations:change_call", kwargs={"token": change_token(consultation)})
    return site_url.rstrip("/") + path


def from_change_token(token, now=None):
    """The request a change link is for, while its call is still ahead; else LinkNotValid."""
    try:
        pk = signing.loads(token, salt=CHANGE_SALT)
    except signing.BadSignature:
        raise LinkNotValid from None
    consultation = ConsultationRequest.objects.filter(pk=pk).first()
    while consultation is not None and consultation.merged_into_id:
        # Merged into an older request from the same person, which now holds the call.
        consultation = consultation.merged_into
    if (
        consultation is None
        or consultation.call_at is None
        or consultation.call_at <= (now or timezone.now())
        or consultation.status in FINISHED_STATUSES
    ):
        raise LinkNotValid
    return consultation


def received(consultation, site_url):
    """After the form: the visitor's confirmation and reminder, and a word to staff."""
    if consultation.email:
        if consultation.call_at:
            _send_confirmation(consultation, site_url)
        else:
            _send_to_visitor(
                consultation,
                "call_back",
                {"response_hours": usual_response_hours()},
            )
    notify_staff(consultation, site_url, "new")


def move(consultation, start, site_url):
    """Move the visitor's call to `start` (raises booking.TimeTaken, changing nothing)."""
    old = consultation.call_at
    booking.book(consultation, start)
    _log(consultation, f"The visitor moved the call from {when(old)} to {when(start)}.")
    if consultation.email:
        _send_confirmation(consultation, site_url)
    notify_staff(consultation, site_url, "moved")


def cancel(consultation, site_url):
    """Cancel the visitor's call: the time is free again at once, and the request closed."""
    old = consultation.call_at
    consultation.call_sequence += 1
    _cancel_reminder(consultation)
    if consultation.email:
        _send_to_visitor(
            consultation,
            "call_cancelled",
            {"call": when(old)},
            attachment=calendar_file(consultation, old, cancelled=True),
        )
    consultation.call_at = None
    consultation.status = RequestStatus.CLOSED
    consultation.save()
    _log(consultation, f"The visitor cancelled the call booked for {when(old)}.")
    notify_staff(consultation, site_url, "cancelled")


def notify_staff(consultation, site_url, what):
    """Tell staff something happened to a request. Says nothing about who sent it or why."""
    recipients = settings.CONSULTATION_NOTIFY_EMAILS
    if not recipients:
        return
    link = site_url.rstrip("/") + consultation.get_admin_url()
    body = render_to_string(
        "consultations/email/staff_notice.txt",
        {"what": what, "link": link, "number": consultation.pk},
    )
    outbox.send(recipients, STAFF_SUBJECTS[what], body)


def calendar_file(consultation, start, cancelled=False):
    """The call as an iCalendar (RFC 5545) request, or its cancellation: one stable UID per
    request, SEQUENCE counting the changes, so calendar apps update the one event."""
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.PRACTICE_NAME}//Consultation calls//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    domain = settings.PRACTICE_EMAIL.rpartition("@")[2] or "localhost"
    event.add("uid", f"consultation-call-{consultation.pk}@{domain}")
    event.add("sequence", consultation.call_sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", start)
    event.add("dtend", start + booking.call_length())
    event.add("summary", f"Phone call with {settings.PRACTICE_NAME}")
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{settings.PRACTICE_EMAIL}")
    organizer.params["cn"] = vText(settings.PRACTICE_NAME)
    event.add("organizer", organizer)
    # No ATTENDEE: it would repeat the visitor's address; calendar apps add the event without.
    calendar.add_component(event)
    return ("call.ics", calendar.to_ical(), _calendar_type(cancelled))


def _calendar_type(cancelled):
    return f"text/calendar; charset=utf-8; method={'CANCEL' if cancelled else 'REQUEST'}"


def _send_confirmation(consultation, site_url):
    _cancel_reminder(consultation)
    context = _call_context(consultation, site_url)
    _send_to_visitor(
        consultation,
        "call_booked",
        context,
        attachment=calendar_file(consultation, consultation.call_at),
    )
    _queue_reminder(consultation, context)


def queue_reminder(consultation, site_url):
    """Queue the visitor's reminder for their booked call again (after an undone merge gave the
    call back), without a new confirmation."""
    _queue_reminder(consultation, _call_context(consultation, site_url))


def _call_context(consultation, site_url):
    return {
        "call": when(consultation.call_at),
        "how": HOW_WE_CONTACT[consultation.preferred_contact],
        "change_url": change_url(consultation, site_url),
    }


def _queue_reminder(consultation, context):
    remind_at = consultation.call_at - timedelta(hours=settings.CONSULTATION_REMINDER_HOURS)
    if settings.CONSULTATION_REMINDER_HOURS and remind_at > timezone.now():
        consultation.reminder = _send_to_visitor(
            consultation, "call_reminder", context, scheduled_time=remind_at
        )
        consultation.save(update_fields=["reminder"])


def _cancel_reminder(consultation):
    if consultation.reminder_id:
        outbox.cancel(consultation.reminder)
        consultation.reminder = None
        consultation.save(update_fields=["reminder"])


def _send_to_visitor(consultation, template, context, attachment=None, scheduled_time=None):
    context = {**context, "practice": _practice(), "zone_name": booking.zone_name()}
    subject = render_to_string(f"consultations/email/{template}_subject.txt", context).strip()
    body = render_to_string(f"consultations/email/{template}.txt", context)
    return outbox.send(
        consultation.email,
        subject,
        body,
        attachments=[attachment] if attachment else (),
        holds_visitor_data=True,
        scheduled_time=scheduled_time,
    )


def _practice():
    return {
        "name": settings.PRACTICE_NAME,
        "phone": settings.PRACTICE_PHONE,
        "email": settings.PRACTICE_EMAIL,
    }


def _log(consultation, text):
    ContactLogEntry.objects.create(request=consultation, kind=ContactKind.NOTE, text=text)
    record(
        AuditAction.CHANGE_REQUEST,
        username="visitor (change link)",
        request_ids=[consultation.pk],
        detail="call changed by the visitor",
    )


def booked_by_staff(consultation, start, user, site_url):
    """Staff book or move the call for the visitor (after phone tag): the same confirmation as
    when the visitor books. Raises booking.TimeTaken, changing nothing."""
    old = consultation.call_at
    booking.book(consultation, start, prefer=consultation.assigned_to)
    verb = f"Moved the call from {when(old)} to" if old else "Booked the call for"
    ContactLogEntry.objects.create(
        request=consultation, author=user, kind=ContactKind.NOTE, text=f"{verb} {when(start)}."
    )
    if consultation.email:
        _send_confirmation(consultation, site_url)


def staff_calendar(taker, now=None):
    """A person's booked calls as an iCalendar feed for their calendar app. Events name the
    request number only: calendars sync to services outside the practice."""
    now = now or timezone.now()
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.PRACTICE_NAME}//Consultation calls//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{settings.PRACTICE_NAME}: consultation calls")
    calls = ConsultationRequest.objects.filter(
        assigned_to=taker.user_id, call_at__gte=now - timedelta(days=CALENDAR_PAST_DAYS)
    ).order_by("call_at")
    domain = settings.PRACTICE_EMAIL.rpartition("@")[2] or "localhost"
    for consultation in calls:
        event = Event()
        event.add("uid", f"consultation-call-{consultation.pk}-staff@{domain}")
        event.add("sequence", consultation.call_sequence)
        event.add("dtstamp", now)
        event.add("dtstart", consultation.call_at)
        event.add("dtend", consultation.call_at + booking.call_length())
        event.add("summary", "Consultation call")
        event.add("description", f"Request #{consultation.pk}")
        calendar.add_component(event)
    return calendar.to_ical()
