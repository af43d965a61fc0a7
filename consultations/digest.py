"""The daily digest, so nobody is forgotten: once a day, from CONSULTATION_DIGEST_HOUR in the
practice's time zone, each person with requests assigned to them hears how many are overdue and
how many calls they have booked today, and the front desk how many new requests nobody has
taken yet. Counts and links to the staff area only: never a name, a number, an address, a
message or a request number.

`manage.py send_digest` sends it, and may run as often as anyone likes, from any number of
processes at once: the day's DigestDay row is written in the transaction that queues the mail,
and the database accepts one row a day, so one process sends and the others find it done.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

import outbox
from staff.roles import FRONT_DESK

from .models import FINISHED_STATUSES, ConsultationRequest, DigestDay, RequestStatus, missed_call

logger = logging.getLogger(__name__)


@dataclass
class Digest:
    """What one person hears: their own counts, and the unassigned ones for the front desk."""

    overdue: int = 0
    calls_today: int = 0
    unassigned: int = 0
    unassigned_overdue: int = 0

    @property
    def has_own(self):
        return bool(self.overdue or self.calls_today)

    def __bool__(self):
        return self.has_own or bool(self.unassigned)

    def subject(self):
        """ "Consultation requests today: 2 overdue, 3 calls booked, 4 unassigned"."""
        parts = []
        if self.overdue:
            parts.append(f"{self.overdue} overdue")
        if self.calls_today:
            parts.append(f"{self.calls_today} call{'s' if self.calls_today != 1 else ''} booked")
        if self.unassigned:
            parts.append(f"{self.unassigned} unassigned")
        return "Consultation requests today: " + ", ".join(parts)


def due_day(now=None):
    """The practice-time date whose digest is due at `now`: today once its hour has come (on
    the day the clocks skip that hour, from the hour after), else None."""
    local = timezone.localtime(now)
    return local.date() if local.hour >= settings.CONSULTATION_DIGEST_HOUR else None


def send_due(now=None):
    """Send today's digest if it is due and no process has handled it yet. Returns how many
    e-mails were queued, 0 when nobody had anything to hear (the day is recorded all the same),
    or None when there was nothing to do: before the hour, or today's was handled already."""
    now = now or timezone.now()
    day = due_day(now)
    if day is None or DigestDay.objects.filter(day=day).exists():
        return None
    with transaction.atomic():
        try:
            with transaction.atomic():
                DigestDay.objects.create(day=day, sent_at=now)
        except IntegrityError:
            return None  # another process wrote it a moment ago, and sends the digest
        sent = 0
        for user, digest in digests(now).items():
            sent += _send(user, digest, day)
    logger.info("Daily digest for %s: %s e-mail(s) queued.", day, sent)
    return sent


def digests(now=None):
    """Each staff member who has something to hear at `now`, with what: active, with an e-mail
    address, and with requests assigned to them or in the front desk group."""
    now = now or timezone.now()
    requests = ConsultationRequest.objects.order_by()
    overdue = dict(
        requests.overdue(now)
        .filter(assigned_to__isnull=False)
        .values_list("assigned_to")
        .annotate(Count("pk"))
    )
    today = timezone.localdate(now)
    calls_today = dict(
        requests.filter(call_at__gte=_midnight(today), call_at__lt=_midnight(today, days=1))
        .exclude(status__in=FINISHED_STATUSES)
        .exclude(missed_call(now))  # counted as overdue already
        .values_list("assigned_to")
        .annotate(Count("pk"))
    )
    waiting = requests.filter(status=RequestStatus.NEW, assigned_to__isnull=True)
    unassigned = waiting.count()
    unassigned_overdue = waiting.overdue(now).count() if unassigned else 0

    people = (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .exclude(email="")
        .filter(Q(pk__in=[*overdue, *calls_today]) | Q(groups__name=FRONT_DESK))
        .distinct()
        .order_by("pk")
    )
    front_desk = set(people.filter(groups__name=FRONT_DESK).values_list("pk", flat=True))
    result = {}
    for user in people:
        digest = Digest(overdue=overdue.get(user.pk, 0), calls_today=calls_today.get(user.pk, 0))
        if user.pk in front_desk:
            digest.unassigned, digest.unassigned_overdue = unassigned, unassigned_overdue
        if digest:
            result[user] = digest
    return result


def _midnight(day, days=0):
    return timezone.make_aware(datetime.combine(day + timedelta(days=days), time.min))


def _send(user, digest, day):
    """Queue `user`'s digest; 1 if queued, 0 for an address the outbox refuses (the others'
    digests go all the same)."""
    site = settings.PRACTICE_URL.rstrip("/")
    triage = site + reverse("admin:consultations_consultationrequest_changelist")
    context = {
        "digest": digest,
        "day": date_format(day, "l j F"),
        "overdue_url": f"{triage}?assigned=me&overdue=yes",
        "calls_url": site + reverse("admin:consultations_consultationrequest_calls"),
        "unassigned_url": f"{triage}?assigned=nobody&status__exact={RequestStatus.NEW}",
        "practice_name": settings.PRACTICE_NAME,
    }
    body = render_to_string("consultations/email/digest.txt", context)
    try:
        outbox.send(user.email, digest.subject(), body)
    except ValidationError:
        logger.warning("Daily digest: user #%s has an address the outbox refuses.", user.pk)
        return 0
    return 1
