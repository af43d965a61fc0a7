"""Receiving a request: rate limit, one-time token, insert (with the booked call), and the e-mails.

Everything that must be exact under concurrency happens in one transaction.
"""

from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from . import abuse, booking, calls
from .forms import CONSENT_VERSION
from .models import ConsultationRequest


class RateLimited(Exception):
    pass


def already_received(form):
    """The request this very form (its one-time token) made already, if any."""
    if form.submission_id is None:
        return None
    return ConsultationRequest.objects.filter(submission_token=form.submission_id).first()


def receive(form, client_key, site_url):
    """Store a valid form as a request exactly once and tell staff after it is committed.

    A repeat of the same form (double click, back and resubmit, a retry) returns the request
    already stored. Raises RateLimited when this client has sent too many requests lately, and
    booking.TimeTaken when the time they chose was booked by someone else a moment ago.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # One client's submissions queue here, so the count below is exact. (SQLite's
            # immediate transactions already queue every writer.)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [client_key])
        existing = already_received(form)
        if existing:
            return existing
        limit = abuse.rate_limit()
        if limit:
            count, seconds = limit
            since = timezone.now() - timedelta(seconds=seconds)
            recent = ConsultationRequest.objects.filter(
                client_key=client_key, submitted_at__gte=since
            )
            if recent.count() >= count:
                raise RateLimited
        consultation = form.save(commit=False)
        consultation.submission_token = form.submission_id
        consultation.client_key = client_key
        consultation.best_times = form.cleaned_data["best_times"]
        consultation.source = form.cleaned_data["source"]
        consultation.consent_version = CONSENT_VERSION
        consultation.consented_at = timezone.now()
        call_time = form.cleaned_data.get("call_time")
        try:
            if call_time:
                booking.book(consultation, call_time)  # raises TimeTaken: nothing is stored
            else:
                with transaction.atomic():
                    consultation.save()
        except IntegrityError:
            # The same form, committed by a parallel request since we looked: that one counts.
            existing = ConsultationRequest.objects.filter(submission_token=form.submission_id)
            if existing.exists():
                return existing.get()
            raise
        consultation.possible_duplicate_of = ConsultationRequest.objects.same_person_as(
            consultation
        ).first()
        if consultation.possible_duplicate_of:
            consultation.save(update_fields=["possible_duplicate_of"])
        calls.received(consultation, site_url)  # the e-mails, queued in this transaction
    return consultation
