"""Which sources and articles bring clients: each month's requests and how far they got
(contacted, call held, became a client), by month, by "How did you hear about us?" answer and by
article. Counts only: nothing here reads a visitor's name, contact details or message."""

import csv
import io
import math
from datetime import date, datetime, time

from django.db.models import Count, DateField, Exists, OuterRef, Q
from django.db.models.functions import TruncMonth
from django.http import HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from .export import neutralise
from .models import ConsultationRequest, ContactKind, ContactLogEntry, RequestStatus

MONTHS = 12
# Each stage counts the month's requests that reached it, so every row reads as a funnel.
STAGES = [
    ("requests", "Requests"),
    ("contacted", "Contacted"),
    ("call_held", "Call held"),
    ("became_client", "Became a client"),
]
NOT_GIVEN = "Not asked / not given"
NO_ARTICLE = "No article"
ARTICLES_CHARTED = 10  # the table lists them all

# Chart geometry, in SVG units (the charts scale down with the page).
WIDTH = 720
LEGEND_HEIGHT = 34
PLOT_HEIGHT = 220
AXIS_WIDTH = 44  # the vertical axis' numbers
LABEL_WIDTH = 236  # the horizontal charts' row names
GROUP_GAP = 10
BAR_THICKNESS, BAR_GAP, ROW_GAP = 9, 2, 16
LABEL_CHARACTERS = 34


def counted_requests():
    """The requests the funnel counts: neither spam nor folded into another request."""
    return ConsultationRequest.objects.exclude(status=RequestStatus.SPAM).filter(
        merged_into__isnull=True
    )


def stage_counts():
    """COUNT expressions, one a stage, for a grouped query of requests."""
    call_held = ContactLogEntry.objects.filter(request=OuterRef("pk"), kind=ContactKind.CALLED)
    return {
        "requests": Count("pk"),
        "contacted": Count("pk", filter=Q(first_contacted_at__isnull=False)),
        "call_held": Count("pk", filter=Q(Exists(call_held))),
        "became_client": Count("pk", filter=Q(status=RequestStatus.BECAME_CLIENT)),
    }


def month_starts(today, months=MONTHS):
    """The first days of the last `months` months up to `today`'s, oldest first."""
    index = today.year * 12 + today.month - 1
    return [date(i // 12, i % 12 + 1, 1) for i in range(index - months + 1, index + 1)]


def funnel_figures(now=None, months=MONTHS):
    """The funnel over the last `months` practice-local months: rows per month (every month,
    oldest first), per "How did you hear about us?" answer and per article (most requests
    first). Each row has the four stage counts; three grouped queries however many requests."""
    starts = month_starts(timezone.localdate(now or timezone.now()), months)
    counted = counted_requests().filter(
        submitted_at__gte=timezone.make_aware(datetime.combine(starts[0], time.min))
    )
    counts = stage_counts()

    per_month = {
        row.pop("month"): row
        for row in counted.annotate(month=TruncMonth("submitted_at", output_field=DateField()))
        .values("month")
        .annotate(**counts)
        .order_by()
    }
    by_month = [{"month": start, **per_month.get(start, zeros())} for start in starts]

    by_source = [
        {"name": row.pop("heard_about__name") or NOT_GIVEN, **row}
        for row in counted.values("heard_about__name").annotate(**counts).order_by()
    ]
    by_article = [
        {"slug": slug, "name": slug or NO_ARTICLE, "url": article_url(slug), **row}
        for row in counted.values("source").annotate(**counts).order_by()
        for slug in [row.pop("source")]
    ]
    return {
        "months": by_month,
        "total": {key: sum(row[key] for row in by_month) for key, _ in STAGES},
        "sources": most_requests_first(by_source),
        "articles": most_requests_first(by_article),
    }


def zeros():
    return {key: 0 for key, _ in STAGES}


def most_requests_first(rows):
    return sorted(rows, key=lambda row: (-row["requests"], row["name"].lower()))


def article_url(slug):
    """The article's address on the blog. By its URL name: consultations may not import the
    blog (tests/practice/test_layout.py), so the report shows the slug, not the title."""
    if not slug:
        return ""
    try:
        return reverse("blog:post_detail", kwargs={"slug": slug})
    except NoReverseMatch:  # not a slug the blog could have: show it as text
        return ""


# Charts ---------------------------------------------------------------------------------------


def scale(largest):
    """A round top for an axis and its ticks: 0, step, 2 × step… (1, 2 or 5 × 10ⁿ)."""
    if largest <= 0:
        return 4, [0, 1, 2, 3, 4]
    rough = largest / 4
    power = 10 ** math.floor(math.log10(rough))
    step = next(n * power for n in (1, 2, 5, 10) if n * power >= rough)
    step = max(1, round(step))  # counts are whole numbers
    top = step * math.ceil(largest / step)
    return top, list(range(0, top + 1, step))


def legend():
    """One swatch and label per stage; the swatches' patterns differ, not just their colour."""
    spacing = WIDTH / len(STAGES)
    return [
        {
            "pattern": index,
            "label": label,
            "x": round(index * spacing, 1),
            "text_x": round(index * spacing + 22, 1),
        }
        for index, (_, label) in enumerate(STAGES)
    ]


def month_chart(rows):
    """Grouped vertical bars: each month, its four stages side by side."""
    top, ticks = scale(max(row["requests"] for row in rows))
    plot_width = WIDTH - AXIS_WIDTH
    group = plot_width / len(rows)
    bar = (group - GROUP_GAP) / len(STAGES)
    base = LEGEND_HEIGHT + PLOT_HEIGHT
    groups = []
    for index, row in enumerate(rows):
        left = AXIS_WIDTH + index * group + GROUP_GAP / 2
        bars = []
        for stage, (key, _) in enumerate(STAGES):
            height = row[key] / top * PLOT_HEIGHT
            bars.append(
                {
                    "pattern": stage,
                    "x": round(left + stage * bar, 1),
                    "y": round(base - height, 1),
                    "width": round(bar, 1),
                    "height": round(height, 1),
                }
            )
        month = row["month"]
        groups.append(
            {
                "bars": bars,
                "label_x": round(left + (group - GROUP_GAP) / 2, 1),
                "label": f"{month:%b}",
                "year": f"{month:%Y}" if index == 0 or month.month == 1 else "",
            }
        )
    return {
        "width": WIDTH,
        "height": base + 36,
        "base": base,
        "axis_x": AXIS_WIDTH,
        "tick_x": AXIS_WIDTH - 8,
        "legend": legend(),
        "groups": groups,
        "ticks": [
            {"value": tick, "y": y, "label_y": y + 4}
            for tick in ticks
            for y in [round(base - tick / top * PLOT_HEIGHT, 1)]
        ],
    }


def row_chart(rows):
    """Horizontal bars: each row (an answer, an article), its four stages one under the
    other, with the count at the end of each bar."""
    largest = max((row["requests"] for row in rows), default=0) or 1
    room = WIDTH - LABEL_WIDTH - 40  # leave space for the count after the longest bar
    row_height = len(STAGES) * (BAR_THICKNESS + BAR_GAP) - BAR_GAP
    chart_rows = []
    for index, row in enumerate(rows):
        top = LEGEND_HEIGHT + index * (row_height + ROW_GAP)
        bars = []
        for stage, (key, _) in enumerate(STAGES):
            length = row[key] / largest * room
            y = top + stage * (BAR_THICKNESS + BAR_GAP)
            bars.append(
                {
                    "pattern": stage,
                    "x": LABEL_WIDTH,
                    "y": y,
                    "width": round(length, 1),
                    "height": BAR_THICKNESS,
                    "value": row[key],
                    "value_x": round(LABEL_WIDTH + length + 4, 1),
                    "value_y": y + BAR_THICKNESS - 1,
                }
            )
        name = row["name"]
        short = name if len(name) <= LABEL_CHARACTERS else name[: LABEL_CHARACTERS - 1] + "…"
        chart_rows.append(
            {"bars": bars, "label": short, "label_y": round(top + row_height / 2 + 4, 1)}
        )
    height = LEGEND_HEIGHT + len(rows) * (row_height + ROW_GAP)
    return {
        "width": WIDTH,
        "height": height,
        "label_x": LABEL_WIDTH - 8,
        "axis_x": LABEL_WIDTH,
        "plot_top": LEGEND_HEIGHT - 6,
        "legend": legend(),
        "rows": chart_rows,
    }


def charts(figures):
    return {
        "months": month_chart(figures["months"]),
        "sources": row_chart(figures["sources"]),
        "articles": row_chart(figures["articles"][:ARTICLES_CHARTED]),
    }


# CSV ------------------------------------------------------------------------------------------


def funnel_csv(figures):
    """One table a spreadsheet can filter: what a row counts (a month, an answer, an article),
    which one, then the four stages. Text cells cannot run as formulas."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    writer.writerow(["Breakdown", "Which", *(label for _, label in STAGES)])
    sections = [
        ("Month", [(f"{row['month']:%Y-%m}", row) for row in figures["months"]]),
        ("How they heard about us", [(row["name"], row) for row in figures["sources"]]),
        ("Article", [(row["name"], row) for row in figures["articles"]]),
    ]
    for breakdown, rows in sections:
        for which, row in rows:
            writer.writerow([breakdown, neutralise(which), *(row[key] for key, _ in STAGES)])
    return buffer.getvalue()


def csv_response(figures):
    stamp = timezone.localdate().isoformat()
    response = HttpResponse(funnel_csv(figures), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="consultation-funnel-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response
