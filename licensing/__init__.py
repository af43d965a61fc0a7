"""Where the practice may see people: US states and territories by postal code, read from what
clinicians type ("Oregon, WA"), and the states their licenses cover.

An app that knows the licenses (the blog's author profiles) registers a source of them with
`register_source`; apps that need the states (the consultation form) ask `licensed_states()`.
"""

import us

OUTSIDE_US = "outside"

# Where someone can be, by postal code: the states, DC and the territories, by name.
PLACES = {place.abbr: place.name for place in us.states.STATES_AND_TERRITORIES}
PLACE_CHOICES = sorted(PLACES.items(), key=lambda item: item[1])

_sources = []


def register_source(source):
    """`source()` returns postal codes of states where someone on staff is licensed."""
    if source not in _sources:
        _sources.append(source)


def licensed_states():
    """Every state some clinician is licensed in (postal codes), empty until anyone says."""
    return {code for source in _sources for code in source()}


def parse_states(text):
    """Postal codes for a comma- or "and"-separated list of state names or codes, in order
    and without repeats. Raises ValueError naming what it does not recognise."""
    codes, unknown = [], []
    for part in text.replace(" and ", ",").replace(";", ",").split(","):
        part = part.strip().rstrip(".")
        if not part:
            continue
        place = us.states.lookup(part, use_cache=False) if len(part) > 1 else None
        if place is None or place.abbr not in PLACES:
            unknown.append(part)
        elif place.abbr not in codes:
            codes.append(place.abbr)
    if unknown:
        raise ValueError(", ".join(unknown))
    return codes


def place_name(code):
    """'Oregon' for "OR"; 'Outside the US' for OUTSIDE_US; the code itself when unknown."""
    if code == OUTSIDE_US:
        return "Outside the US"
    return PLACES.get(code, code)
