"""A few made-up consultation requests, so the triage desk is not empty in development."""

import uuid
from datetime import time, timedelta

from django.utils import timezone

from .forms import CONSENT_VERSION
from .models import (
    CallTaker,
    ConsultationRequest,
    ContactLogEntry,
    RequestStatus,
    Weekday,
    WeeklyHours,
)

DEMO_KEY = "demo"  # the client key marks demo requests, so loading twice adds nothing
REQUESTS = [
    # name, phone, e-mail, preferred, best times, hours ago, status, source
    ("Alex", "(555) 010-0111", "", "phone", ["morning"], 2, RequestStatus.NEW, "what-is-kap"),
    ("Priya", "", "priya@example.com", "email", [], 60, RequestStatus.NEW, ""),
    ("Jordan", "(555) 010-0133", "", "text", ["evening"], 30, RequestStatus.CONTACTED, ""),
    ("Mei", "(555) 010-0144", "mei@example.com", "phone", ["afternoon"], 150,
     RequestStatus.SCHEDULED, "is-kap-right-for-me"),
]  # fmt: skip


def load():
    if ConsultationRequest.objects.filter(client_key=DEMO_KEY).exists():
        return 0
    now = timezone.now()
    for name, phone, email, method, times, hours_ago, status, source in REQUESTS:
        submitted = now - timedelta(hours=hours_ago)
        consultation = ConsultationRequest.objects.create(
            name=name,
            phone=phone,
            email=email,
            preferred_contact=method,
            best_times=times,
            source=source,
            consent_version=CONSENT_VERSION,
            consented_at=submitted,
            submitted_at=submitted,
            submission_token=uuid.uuid4(),
            client_key=DEMO_KEY,
        )
        if status != RequestStatus.NEW:
            ContactLogEntry.objects.create(
                request=consultation, kind="called", created_at=submitted + timedelta(hours=3)
            )
            consultation.status = status
            consultation.first_contacted_at = submitted + timedelta(hours=3)
            consultation.save()
    return len(REQUESTS)


def load_call_hours(user):
    """Weekday call hours, 9 am to 5 pm, for `user` (the demo front desk), unless they have
    hours already: so `make run` offers times at once."""
    taker, created = CallTaker.objects.get_or_create(user=user)
    if created or not taker.weekly_hours.exists():
        WeeklyHours.objects.bulk_create(
            WeeklyHours(taker=taker, weekday=day, starts=time(9), ends=time(17))
            for day in range(Weekday.SATURDAY)
        )
