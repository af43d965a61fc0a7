"""When a visitor said they can take a call, against the practice's clock: "OK to call now?".

Each best time is a weekly window in the practice's time zone, as the form words it (BestTime):
weekday mornings 9–12, afternoons 12–17, evenings 17–19, Saturday mornings 9–12. A window holds
from its start up to, not including, its end.
"""

import math
from datetime import UTC, datetime, time, timedelta

from django.utils import timezone

from .models import SHORT_BEST_TIMES, BestTime

WEEKDAYS = range(5)  # Monday to Friday
SATURDAY = 5

# best time -> (weekdays it holds on, from, to)
WINDOWS = {
    BestTime.MORNING: (WEEKDAYS, time(9), time(12)),
    BestTime.AFTERNOON: (WEEKDAYS, time(12), time(17)),
    BestTime.EVENING: (WEEKDAYS, time(17), time(19)),
    BestTime.SATURDAY: ((SATURDAY,), time(9), time(12)),
}
ANY_TIME = "Any time"
# "Evenings —", "3 h", "9 am": a narrow column never splits these.
NBSP = "\N{NO-BREAK SPACE}"


def ok_to_call(best_times, now=None):
    """A short answer to "OK to call now?" for a request's `best_times`: "Any time" when they
    gave none; "Mornings — now" inside one; otherwise the soonest start, "Evenings — in 3 h",
    "Mornings — in 40 min", "Saturdays — tomorrow 9 am", "Mornings — Monday 9 am" (a week
    ahead: "next Saturday 9 am")."""
    windows = [WINDOWS[code] + (code,) for code in best_times if code in WINDOWS]
    if not windows:
        return ANY_TIME
    now = timezone.localtime(now)
    starts = []
    for offset in range(8):  # each window recurs within a week
        day = now.date() + timedelta(days=offset)
        for weekdays, starts_at, ends_at, code in windows:
            if day.weekday() not in weekdays:
                continue
            start = _at(day, starts_at)
            if start <= now < _at(day, ends_at):
                return f"{SHORT_BEST_TIMES[code]}{NBSP}— now"
            if start > now:
                starts.append((start, code))
    start, code = min(starts)
    return f"{SHORT_BEST_TIMES[code]}{NBSP}— {_until(start, now)}"


def _at(day, wall_time):
    return timezone.make_aware(datetime.combine(day, wall_time))


def _until(start, now):
    days = (start.date() - now.date()).days
    if days == 0:
        # Subtracted in UTC: two times in one zone subtract as wall clocks, ignoring a change
        # of the clocks between them.
        minutes = math.ceil((start.astimezone(UTC) - now.astimezone(UTC)).total_seconds() / 60)
        if minutes < 60:
            return f"in {minutes}{NBSP}min"
        return f"in {int(minutes / 60 + 0.5)}{NBSP}h"  # to the nearest hour, a half up
    when = "tomorrow" if days == 1 else f"{'next ' if days == 7 else ''}{start:%A}"
    return f"{when} {_clock(start)}"


def _clock(moment):
    """9 am, noon, 5 pm."""
    if moment.hour == 12 and moment.minute == 0:
        return "noon"
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02}" if moment.minute else ""
    return f"{hour}{minutes}{NBSP}{'am' if moment.hour < 12 else 'pm'}"
