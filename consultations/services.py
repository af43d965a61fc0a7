"""Receiving a request: rate limit, one-time token, insert, and the staff notification.

Everything that must be exact under concurrency happens in one transaction.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from . import abuse
from .forms import CONSENT_VERSION
from .models import ConsultationRequest

logger = logging.getLogger(__name__)

NOTIFICATION_SUBJECT = "New consultation request"


class RateLimited(Exception):
    pass


def receive(form, client_key, site_url):
    """Store a valid form as a request exactly once and tell staff after it is committed.

    A repeat of the same form (double click, back and resubmit, a retry) returns the request
    already stored. Raises RateLimited when this client has sent too many requests lately.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # One client's submissions queue here, so the count below is exact. (SQLite's
            # immediate transactions already queue every writer.)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [client_key])
        existing = ConsultationRequest.objects.filter(submission_token=form.submission_id).first()
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
        try:
            with transaction.atomic():
                consultation.save()
        except IntegrityError:
            # The same form, committed by a parallel request since we looked: that one counts.
            existing = ConsultationRequest.objects.filter(submission_token=form.submission_id)
            if existing.exists():
                return existing.get()
            raise
        transaction.on_commit(lambda: notify_staff(consultation, site_url))
    return consultation


def notify_staff(consultation, site_url):
    """Tell staff a request arrived. The e-mail says nothing about who sent it or why."""
    recipients = settings.CONSULTATION_NOTIFY_EMAILS
    if not recipients:
        return
    link = site_url.rstrip("/") + consultation.get_admin_url()
    body = (
        "A new consultation request has arrived.\n\n"
        f"Open it in the staff area (sign-in needed): {link}\n"
    )
    try:
        send_mail(NOTIFICATION_SUBJECT, body, settings.DEFAULT_FROM_EMAIL, recipients)
    except Exception as error:  # noqa: BLE001 - the request is stored; staff see it in the admin
        logger.error(
            "Could not send the new-request notification for request #%s (%s).",
            consultation.pk,
            type(error).__name__,
        )
