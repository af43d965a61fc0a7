"""A few made-up consultation requests, so the triage desk is not empty in development."""

import uuid
from datetime import timedelta

from django.utils import timezone

from .forms import CONSENT_VERSION
from .models import ConsultationRequest, ContactLogEntry, RequestStatus

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
