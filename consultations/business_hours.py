"""Response targets count business hours: a weekend does not make a request overdue."""

from datetime import datetime, time, timedelta

from django.utils import timezone

SATURDAY = 5


def business_hours_before(moment, hours):
    """The time from which `hours` weekday hours will have passed by `moment`.

    A request submitted before it has waited more than `hours` business hours. Monday to Friday
    count all day, in the practice's time zone; Saturday and Sunday not at all.
    """
    remaining = timedelta(hours=hours)
    end = timezone.localtime(moment)
    day = end.date()
    while True:
        start = timezone.make_aware(datetime.combine(day, time.min))
        if day.weekday() < SATURDAY:
            if end - start >= remaining:
                return end - remaining
            remaining -= end - start
        end = start
        day -= timedelta(days=1)


def business_hours_between(start, end):
    """How many weekday hours (in the practice's time zone) lie between `start` and `end`."""
    total = timedelta()
    moment, end = timezone.localtime(start), timezone.localtime(end)
    while moment < end:
        next_day = moment.date() + timedelta(days=1)
        stop = min(timezone.make_aware(datetime.combine(next_day, time.min)), end)
        if moment.weekday() < SATURDAY:
            total += stop - moment
        moment = stop
    return total.total_seconds() / 3600


def waiting_in_words(since, now=None):
    """How long someone has waited, as staff say it: "25 min", "3 h", "2 days"."""
    seconds = max(0, ((now or timezone.now()) - since).total_seconds())
    if seconds < 3600:
        return f"{int(seconds // 60)} min"
    if seconds < 48 * 3600:
        return f"{int(seconds // 3600)} h"
    return f"{int(seconds // 86400)} days"
