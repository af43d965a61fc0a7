"""Times for the free consultation call: which are free, and booking one without ever booking
anyone twice.

A time is free when someone who takes calls has hours then (weekly hours, in the practice's
time zone), is not on time off, and has no call that overlaps it, the gap between calls
included; and it is at least the minimum notice away and inside the booking window. The
database's own constraint (one call at a time per person) backs this up when two visitors pick
the same time at once.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from .models import CallTaker, ConsultationRequest, TimeOff

# What visitors read next to the times, for the zones a US practice is likely to be in.
ZONE_NAMES = {
    "America/New_York": "Eastern time",
    "America/Detroit": "Eastern time",
    "America/Chicago": "Central time",
    "America/Denver": "Mountain time",
    "America/Boise": "Mountain time",
    "America/Phoenix": "Arizona time",
    "America/Los_Angeles": "Pacific time",
    "America/Anchorage": "Alaska time",
    "Pacific/Honolulu": "Hawaii time",
}


class TimeTaken(Exception):
    """Nobody is free at the time asked for (any more)."""


def call_length():
    return timedelta(minutes=settings.CONSULTATION_CALL_MINUTES)


def gap():
    return timedelta(minutes=settings.CONSULTATION_CALL_GAP_MINUTES)


def zone_name():
    """The practice's time zone as visitors say it: "Pacific time"."""
    return ZONE_NAMES.get(settings.TIME_ZONE, f"{settings.TIME_ZONE.replace('_', ' ')} time")


@dataclass
class _Taker:
    taker: CallTaker
    hours: dict  # weekday -> [(starts, ends)]
    days_off: set
    calls: list  # start times of their booked calls


def free_times(now=None, moving=None):
    """Every start time someone can take a call at, soonest first (aware, in the practice's
    zone). `moving`: a request whose booked call is being moved, so its time counts as free."""
    now = now or timezone.now()
    times = set()
    for taker in _takers(now, moving):
        times.update(_free_for(taker, now))
    return sorted(times)


def free_takers(start, now=None, moving=None):
    """Who can take a call at `start`, fairest first: the one with the fewest calls booked
    from now on (then the one who has taken calls here longest)."""
    now = now or timezone.now()
    takers = [taker for taker in _takers(now, moving) if start in _free_for(taker, now)]
    load = Counter(
        ConsultationRequest.objects.filter(
            call_at__gte=now, assigned_to__in=[t.taker.user_id for t in takers]
        ).values_list("assigned_to", flat=True)
    )
    return [t.taker for t in sorted(takers, key=lambda t: (load[t.taker.user_id], t.taker.pk))]


def book(consultation, start, now=None, prefer=None):
    """Give `consultation` the call at `start` with the fairest free person (`prefer`, a user,
    when they are free), and save it.

    Runs inside the caller's transaction. Raises TimeTaken when nobody is free at `start`,
    having saved nothing.
    """
    if connection.vendor == "postgresql":
        # Visitors asking for one time queue here, so the check below sees every booking made
        # before it. (SQLite's immediate transactions already queue every writer.)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"consultation-call:{start}"]
            )
    sequence = consultation.call_sequence + 1
    moving = consultation if consultation.call_at else None
    takers = free_takers(start, now, moving)
    takers.sort(key=lambda taker: taker.user_id != getattr(prefer, "pk", None))  # stable
    for taker in takers:
        consultation.assigned_to = taker.user
        consultation.call_at = start
        consultation.call_sequence = sequence
        try:
            with transaction.atomic():
                consultation.save()
        except IntegrityError:
            taken = ConsultationRequest.objects.filter(assigned_to=taker.user, call_at=start)
            if not taken.exists():
                raise  # not a double booking: the caller's to handle
            continue  # booked by someone else a moment ago; the next person, if any
        return taker
    raise TimeTaken


def _takers(now, moving=None):
    today = timezone.localdate(now)
    last_day = today + timedelta(days=settings.CONSULTATION_BOOKING_DAYS - 1)
    everyone = list(
        CallTaker.objects.filter(user__is_active=True).prefetch_related("weekly_hours", "time_off")
    )
    if not everyone:
        return []
    closures = _days_in(
        TimeOff.objects.filter(taker=None, ends_on__gte=today, starts_on__lte=last_day),
        today,
        last_day,
    )
    booked = ConsultationRequest.objects.filter(
        assigned_to__in=[taker.user_id for taker in everyone],
        call_at__gte=now - call_length() - gap(),
    )
    if moving is not None:
        booked = booked.exclude(pk=moving.pk)
    calls = {}
    for user_id, call_at in booked.values_list("assigned_to", "call_at"):
        calls.setdefault(user_id, []).append(call_at)
    takers = []
    for taker in everyone:
        hours = {}
        for block in taker.weekly_hours.all():
            hours.setdefault(block.weekday, []).append((block.starts, block.ends))
        if hours:
            days_off = closures | _days_in(taker.time_off.all(), today, last_day)
            takers.append(_Taker(taker, hours, days_off, calls.get(taker.user_id, [])))
    return takers


def _days_in(time_off, first, last):
    days = set()
    for period in time_off:
        day = max(period.starts_on, first)
        while day <= min(period.ends_on, last):
            days.add(day)
            day += timedelta(days=1)
    return days


def _free_for(taker, now):
    zone = timezone.get_current_timezone()
    earliest = now + timedelta(hours=settings.CONSULTATION_MIN_NOTICE_HOURS)
    length, between = call_length(), gap()
    step = length + between
    today = timezone.localdate(now)
    for offset in range(settings.CONSULTATION_BOOKING_DAYS):
        day = today + timedelta(days=offset)
        if day in taker.days_off:
            continue
        for starts, ends in taker.hours.get(day.weekday(), []):
            # Wall-clock times, as the hours are written: 9:00, 9:20… whatever the offset.
            wall, end = datetime.combine(day, starts), datetime.combine(day, ends)
            while wall + length <= end:
                start = wall.replace(tzinfo=zone)  # the first, when the clocks go back
                if (
                    start >= earliest
                    and _exists(start)
                    and not any(
                        start < call + length + between and call < start + length + between
                        for call in taker.calls
                    )
                ):
                    yield start
                wall += step


def _exists(moment):
    """False for a wall-clock time skipped when the clocks go forward (2:30 am that night)."""
    return moment.astimezone(UTC).astimezone(moment.tzinfo).replace(tzinfo=None) == (
        moment.replace(tzinfo=None)
    )
