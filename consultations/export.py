"""CSV export of requests that a spreadsheet can open without running anything."""

import csv
import io

from django.utils import timezone

# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = [
    ("Request", lambda r: str(r)),
    ("Submitted", lambda r: timezone.localtime(r.submitted_at).strftime("%Y-%m-%d %H:%M")),
    ("Status", lambda r: r.get_status_display()),
    ("Name", lambda r: r.name),
    ("Phone", lambda r: r.phone),
    ("E-mail", lambda r: r.email),
    ("Preferred contact", lambda r: r.get_preferred_contact_display()),
    ("Best times", lambda r: r.best_times_display()),
    ("Voicemail OK", lambda r: "yes" if r.voicemail_ok else "no"),
    ("Came from article", lambda r: r.source),
    ("Assigned to", lambda r: r.assigned_to.get_username() if r.assigned_to else ""),
]


def neutralise(value):
    """Make a cell plain text: a leading apostrophe tells spreadsheets "not a formula".

    Spreadsheets hide the apostrophe, so "+1 555 010 0142" still reads as a phone number.
    """
    value = str(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def consultations_to_csv(consultations):
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    writer.writerow([title for title, _ in COLUMNS])
    for consultation in consultations:
        writer.writerow([neutralise(get(consultation)) for _, get in COLUMNS])
    return buffer.getvalue()
