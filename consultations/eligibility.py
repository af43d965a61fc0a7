"""Who the practice can see: people who will be in a state where its clinicians are licensed,
and who are 18 or older. Visitors it cannot see are not stored at all; only a count per day
of such visits is kept, for the weekly report."""

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

import licensing

from .models import Referral, TurnedAway, TurnedAwayDay


def served_states():
    """Postal codes of the states the practice serves: those its clinicians' author profiles
    say they are licensed in, or else the CONSULTATION_STATES setting. Empty: nobody is turned
    away for where they will be."""
    return licensing.licensed_states() or set(
        licensing.parse_states(", ".join(settings.CONSULTATION_STATES))
    )


def turned_away(place, adult):
    """Why the practice cannot see someone who will be in `place` (a postal code, OUTSIDE_US,
    or None when not said) and is (`adult`) 18 or older or not (None when not said): a
    TurnedAway reason, or None when it can (as far as these answers go)."""
    if adult is False:
        return TurnedAway.UNDER_18
    served = served_states()
    if place and served and place not in served:
        return TurnedAway.OUTSIDE_STATES
    return None


def count_visit(reason, now=None):
    """One more visit turned away for `reason` on today's date in the practice's time zone.
    The row is made once; the increment happens in the database, so parallel visits each
    count (SQLite and PostgreSQL alike)."""
    day = timezone.localdate(now or timezone.now())
    with transaction.atomic():
        TurnedAwayDay.objects.get_or_create(day=day, reason=reason)
        TurnedAwayDay.objects.filter(day=day, reason=reason).update(count=F("count") + 1)


def referrals(place, reason):
    """The referrals to show someone turned away: the shown ones listed for `place` (or for
    everywhere), only those for young people when they are under 18, in the practice's order."""
    shown = Referral.objects.shown(under_18=reason == TurnedAway.UNDER_18)
    return [referral for referral in shown if referral.is_shown_in(place)]


def served_in_words(codes=None):
    """'Oregon and Washington': the served states by name, alphabetically."""
    names = sorted(
        licensing.place_name(code) for code in (served_states() if codes is None else codes)
    )
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"
