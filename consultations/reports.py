"""The practice's report: requests per week and median time to first contact."""

import math
import statistics
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from .business_hours import business_hours_between
from .models import ConsultationRequest, RequestStatus, TurnedAway, TurnedAwayDay

WEEKS = 12
RESPONSE_WEEKS = 8  # what "usually" means in "we usually call back within N business hours"
CHART_WIDTH, CHART_HEIGHT, BAR_GAP = 600, 200, 8


# Visits turned away, by reason: none until counted.
TURNED_AWAY = dict.fromkeys(TurnedAway.values, 0)


def weekly_figures(now=None, weeks=WEEKS):
    """One row per week (oldest first): start date, requests received, median hours to contact,
    and visitors turned away (`outside_states`, `under_18`)."""
    today = timezone.localdate(now or timezone.now())
    first_monday = today - timedelta(days=today.weekday(), weeks=weeks - 1)
    start = timezone.make_aware(datetime.combine(first_monday, time.min))
    received = (
        ConsultationRequest.objects.exclude(status=RequestStatus.SPAM)
        .filter(submitted_at__gte=start)
        .values_list("submitted_at", "first_contacted_at")
    )
    rows = [
        {"week": first_monday + timedelta(weeks=n), "requests": 0, "waits": [], **TURNED_AWAY}
        for n in range(weeks)
    ]
    turned_away = TurnedAwayDay.objects.filter(day__gte=first_monday, day__lte=today)
    for day, reason, count in turned_away.values_list("day", "reason", "count"):
        rows[(day - first_monday).days // 7][reason] += count
    for submitted_at, first_contacted_at in received:
        row = rows[(timezone.localdate(submitted_at) - first_monday).days // 7]
        row["requests"] += 1
        if first_contacted_at:
            row["waits"].append((first_contacted_at - submitted_at).total_seconds() / 3600)
    for row in rows:
        row["median_hours"] = (
            round(statistics.median(row.pop("waits")), 1) if row["waits"] else None
        )
    return rows


def typical_response_hours(now=None, weeks=RESPONSE_WEEKS):
    """How many business hours a call-back usually takes: the median time to first contact of
    the last `weeks` weeks' requests without a booked call, rounded up; the response target
    (CONSULTATION_RESPONSE_HOURS) until there are any."""
    since = (now or timezone.now()) - timedelta(weeks=weeks)
    answered = (
        ConsultationRequest.objects.exclude(status=RequestStatus.SPAM)
        .filter(submitted_at__gte=since, first_contacted_at__isnull=False, call_sequence=0)
        .values_list("submitted_at", "first_contacted_at")
    )
    waits = [business_hours_between(submitted, contacted) for submitted, contacted in answered]
    if not waits:
        return settings.CONSULTATION_RESPONSE_HOURS
    return max(1, math.ceil(statistics.median(waits)))


RESPONSE_HOURS_KEY = "consultations:usual-response-hours"
RESPONSE_HOURS_SECONDS = 3600


def usual_response_hours(now=None):
    """typical_response_hours(), worked out once in each hour of the clock and shared by every
    worker.

    The form and its thank-you page show it to every visitor, and timing thousands of call-backs
    took 130 ms of the form's 135 among 20,000 requests. An 8-week median barely moves in an
    hour. Without the cache it is worked out afresh: the form never fails because of it.
    """
    now = now or timezone.now()
    key = f"{RESPONSE_HOURS_KEY}:{now:%Y-%m-%dT%H}"  # a new hour, a new figure (not Redis' clock)
    try:
        return cache.get_or_set(key, lambda: typical_response_hours(now), RESPONSE_HOURS_SECONDS)
    except Exception:  # any cache client error
        return typical_response_hours(now)


def bar_chart(values, labels):
    """Bars for an SVG chart, scaled to the largest value; None draws no bar."""
    largest = max((value for value in values if value), default=0) or 1
    width = (CHART_WIDTH - BAR_GAP * (len(values) - 1)) / len(values)
    bars = []
    for index, (value, label) in enumerate(zip(values, labels, strict=True)):
        height = round((value or 0) / largest * (CHART_HEIGHT - 20), 1)
        x = round(index * (width + BAR_GAP), 1)
        bars.append(
            {
                "x": x,
                "y": CHART_HEIGHT - height,
                "width": round(width, 1),
                "height": height,
                "label": label,
                "value": "–" if value is None else value,
                "label_x": round(x + width / 2, 1),
                "value_y": round(CHART_HEIGHT - height - 4, 1),
            }
        )
    return {"bars": bars, "width": CHART_WIDTH, "height": CHART_HEIGHT}
