"""A few made-up consultation requests, so the triage desk is not empty in development."""

import uuid
from datetime import time, timedelta

from django.utils import timezone

import licensing

from .forms import CONSENT_VERSION
from .models import (
    CallTaker,
    ConsultationRequest,
    ContactLogEntry,
    HeardAbout,
    Referral,
    RequestStatus,
    Weekday,
    WeeklyHours,
)

DEMO_KEY = "demo"  # the client key marks demo requests, so loading twice adds nothing
REQUESTS = [
    # name, phone, e-mail, preferred, best times, hours ago, status, source, where, heard about
    ("Robin", "(555) 010-0122", "", "phone", ["afternoon"], 24 * 40, RequestStatus.BECAME_CLIENT,
     "what-is-kap", "OR", "Another clinician or my doctor"),
    ("Mei", "(555) 010-0144", "mei@example.com", "phone", ["afternoon"], 150,
     RequestStatus.SCHEDULED, "is-kap-right-for-me", "WA", "A search engine"),
    ("Priya", "", "priya@example.com", "email", [], 60, RequestStatus.NEW, "", "OR", ""),
    ("Jordan", "(555) 010-0133", "", "text", ["evening"], 30, RequestStatus.CONTACTED, "", "OR",
     "Psychology Today"),
    ("Alex", "(555) 010-0111", "", "phone", ["morning"], 2, RequestStatus.NEW, "what-is-kap",
     "WA", "A friend or family member"),
    # Jordan again, the number written another way: marked as possibly the same person.
    ("Jordan", "555.010.0133", "", "phone", ["evening"], 1, RequestStatus.NEW, "", "OR", ""),
]  # fmt: skip


def load():
    if ConsultationRequest.objects.filter(client_key=DEMO_KEY).exists():
        return 0
    now = timezone.now()
    answers = {answer.name: answer for answer in HeardAbout.objects.all()}
    for name, phone, email, method, times, hours_ago, status, source, where, heard in REQUESTS:
        submitted = now - timedelta(hours=hours_ago)
        consultation = ConsultationRequest.objects.create(
            name=name,
            phone=phone,
            email=email,
            preferred_contact=method,
            best_times=times,
            source=source,
            location=where,
            heard_about=answers.get(heard),
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
            if status == RequestStatus.BECAME_CLIENT:
                consultation.became_client_on = timezone.localdate(submitted + timedelta(days=12))
            consultation.save()
        else:
            duplicate_of = ConsultationRequest.objects.same_person_as(consultation).first()
            if duplicate_of:
                consultation.possible_duplicate_of = duplicate_of
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


# Made-up services (555-01xx numbers and .example addresses reach nobody) for the kind page.
REFERRALS = [
    {
        "name": "Riverbend Online Therapy (demo)",
        "offers": "Talk therapy by video for adults, with evening times.",
        "serves": "Online, across the US",
        "phone": "(555) 010-0160",
        "web_address": "https://riverbend.example/",
        "shown_for": sorted(licensing.PLACES),
    },
    {
        "name": "Lantern Teen and Family Counseling (demo)",
        "offers": "Counseling for young people aged 12 to 17, and their families.",
        "serves": "Online, across the US",
        "phone": "(555) 010-0170",
        "web_address": "https://lantern-teens.example/",
        "shown_to_under_18": True,
        "shown_for": sorted(licensing.PLACES),
    },
    {
        "name": "Harbourline International Counselling (demo)",
        "offers": "Therapy by video in English and Spanish for people living abroad.",
        "serves": "Online, outside the US",
        "web_address": "https://harbourline.example/",
        "shown_for": [licensing.OUTSIDE_US],
    },
]


def load_referrals():
    """The made-up referrals, unless there are any already (staff edits are kept)."""
    if Referral.objects.exists():
        return 0
    for position, fields in enumerate(REFERRALS, start=1):
        Referral.objects.create(position=position, **fields)
    return len(REFERRALS)
