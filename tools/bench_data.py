"""The benchmark's data set: many articles, series and consultation requests, made fast.

`build(scale)` fills an empty, migrated database through the ORM's bulk_create: a few 800-word
Markdown bodies are rendered once (with the site's own renderer) and shared, titles and slugs
vary. Everything comes from one seeded random generator, and dates are relative to `now`, so the
same seed on the same day gives the same data. The defaults are what `make bench` measures:

- 2,000 published articles of about 800 words (a third of them in 100 numbered series), plus a
  few drafts and scheduled parts, by 4 clinicians, tagged with 1–3 of 20 topics;
- 20,000 consultation requests over the last six months: recent ones mostly New or Contacted,
  older ones mostly finished, with a backlog of overdue New ones;
- 50,000 contact-log entries on the requests that were contacted;
- one rare word (RARE_WORD) in the body of exactly 1% of the published articles (20 of 2,000,
  200 of 20,000), for timing a search whose results are few among many articles.

Run as a script (what tools/bench.py does) it builds into the database that DATABASE_URL names
and records GENERATOR_VERSION in SQLite's `user_version`, so a changed generator means a rebuild:

    DATABASE_URL=sqlite:///bench/bench-2000.sqlite3 .venv/bin/python tools/bench_data.py \
        [--articles 2000]
"""

import random
import re
import uuid
from dataclasses import dataclass
from datetime import timedelta

# Bump when the data changes shape: tools/bench.py then rebuilds the benchmark database.
GENERATOR_VERSION = 2
SEED = 7  # any fixed seed: the same data on every build of the same day


@dataclass(frozen=True)
class Scale:
    posts: int = 2000  # published; a third of them in series
    series: int = 100
    topics: int = 20
    authors: int = 4
    front_desk: int = 3
    requests: int = 20_000
    log_entries: int = 50_000
    request_days: int = 180  # requests arrive over this many days
    post_years: int = 6  # articles were published over this many years


FULL = Scale()
# In no other text of the data set, and no stem of another word: a search for it finds exactly
# the articles given it.
RARE_WORD = "heliotrope"


def rare_count(posts):
    """How many of `posts` published articles carry RARE_WORD: 1%, at least one."""
    return max(1, posts // 100)


# --- Words ----------------------------------------------------------------------------------

TOPIC_NAMES = [
    "Anxiety", "Depression", "Trauma", "Grief", "Relationships", "Sleep", "Integration",
    "Preparation", "Safety", "Medication", "Mindfulness", "Family", "Work and burnout",
    "Self-compassion", "Body awareness", "Research", "Getting started", "Costs and insurance",
    "Chronic pain", "Life changes", "Parenting", "Loneliness", "Motivation", "Boundaries",
]  # fmt: skip
TITLE_OPENINGS = [
    "What to know about", "A gentle guide to", "Questions about", "Making room for",
    "Small steps with", "Notes on", "Living with", "Talking about", "Understanding",
    "When you are ready for", "Why we talk about", "Starting again with",
]  # fmt: skip
TITLE_SUBJECTS = [
    "ketamine-assisted therapy", "the first session", "difficult feelings", "integration",
    "sleep after a session", "family conversations", "setting intentions", "the week after",
    "old habits", "hard days", "trusting the process", "your own pace", "feeling stuck",
    "the waiting room", "journaling", "breathing", "quiet mornings", "saying no",
]  # fmt: skip
SERIES_SUBJECTS = [
    "Understanding KAP", "Preparing well", "After the session", "Sleep and mood",
    "Grief, slowly", "Anxiety at work", "Families in therapy", "Starting therapy",
    "Trauma-informed care", "Everyday calm",
]  # fmt: skip
WORDS = [
    "therapy", "session", "feeling", "notice", "breath", "calm", "body", "memory", "trust",
    "pace", "gentle", "safe", "support", "question", "answer", "change", "week", "morning",
    "evening", "quiet", "space", "together", "clinician", "practice", "medicine", "dose",
    "setting", "intention", "integration", "journal", "sleep", "rest", "walk", "friend",
    "family", "partner", "story", "moment", "patience", "kindness", "curiosity", "routine",
    "plan", "care", "attention", "habit", "worry", "hope", "courage", "step", "room", "light",
    "voice", "listen", "return", "ground", "steady", "slowly",
]  # fmt: skip
FIRST_NAMES = [
    "Alex", "Sam", "Priya", "Jordan", "Mei", "Taylor", "Chris", "Noor", "Luis", "Ana",
    "Kai", "Robin", "Elena", "Omar", "Jess", "Maya", "Theo", "Ines", "Ravi", "Lena",
]  # fmt: skip
MESSAGES = [
    "I would like to know whether KAP could help me.",
    "Evenings are easiest for me. Thank you.",
    "My doctor suggested I reach out.",
    "Do you have openings next month?",
    "I have questions about fees and insurance.",
    "Please call rather than text if possible.",
]
BEST_TIMES = ["morning", "afternoon", "evening", "saturday"]
BODY_VARIANTS = 4  # distinct bodies, each rendered once
BODY_WORDS = 800


def _sentence(rng, words=12):
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _paragraph(rng, words):
    sentences = []
    while words > 0:
        length = min(words, rng.randint(8, 16))
        sentences.append(_sentence(rng, length))
        words -= length
    return " ".join(sentences)


def markdown_body(rng, words=BODY_WORDS):
    """About `words` words of Markdown with the things articles have: headings, emphasis,
    lists, a quote and links (one to another article, one elsewhere)."""
    parts, written, section = [], 0, 0

    def add(text):
        nonlocal written
        parts.append(text)
        written += len(re.findall(r"\w+", text))

    while written < words:
        section += 1
        add(f"## {_sentence(rng, 4)[:-1]}")
        for _ in range(2):
            size = min(rng.randint(45, 70), max(10, words - written))
            text = _paragraph(rng, size)
            add(text.replace(" calm ", " *calm* ", 1).replace(" trust ", " **trust** ", 1))
        if written >= words:
            break
        if section % 2:
            add("\n".join(f"- {_sentence(rng, 6)}" for _ in range(4)))
        else:
            add(
                f"> {_sentence(rng, 14)}\n\nRead more in [our introduction](/blog/what-is-kap/) "
                "or at [the NIMH](https://www.nimh.nih.gov/health)."
            )
    return "\n\n".join(parts) + "\n"


# --- Building -------------------------------------------------------------------------------


def build(scale=FULL, seed=SEED, now=None):
    """Fill a migrated, empty database. Returns {what: count}. Runs in one transaction."""
    from django.db import transaction

    with transaction.atomic():
        return _Builder(scale, seed, now).run()


class _Builder:
    def __init__(self, scale, seed, now):
        from django.utils import timezone

        self.scale = scale
        self.rng = random.Random(seed)  # noqa: S311 - repeatable data, not secrets
        self.now = (now or timezone.now()).replace(minute=0, second=0, microsecond=0)

    def run(self):
        import pages.demo

        pages.demo.load()  # the footer links to them
        authors, front_desk = self.users()
        topics = self.topics()
        posts = self.posts(authors, topics)
        requests = self.requests(front_desk, [post.slug for post in posts[:50]])
        entries = self.log_entries(requests, front_desk)
        return {
            "posts": len(posts),
            "series": self.series_count,
            "topics": len(topics),
            "requests": len(requests),
            "log_entries": entries,
        }

    def users(self):
        from django.contrib.auth.models import Group, User

        from blog.models import Author
        from staff.roles import CLINICIANS, FRONT_DESK

        def make(prefix, count, group_name):
            users = [
                User(
                    username=f"bench-{prefix}-{number}",
                    first_name=self.rng.choice(FIRST_NAMES),
                    last_name=f"{prefix.title()} {number}",
                    email=f"{prefix}{number}@clearwater-therapy.example",
                    is_staff=True,
                    password="!",  # unusable: nobody signs in as these
                )
                for number in range(1, count + 1)
            ]
            users = User.objects.bulk_create(users)
            Group.objects.get(name=group_name).user_set.add(*users)
            return users

        authors = make("clinician", self.scale.authors, CLINICIANS)
        Author.objects.bulk_create(
            Author(
                user=user,
                display_name=f"{user.first_name} {user.last_name}, LCSW",
                slug=f"clinician-{number}",
                bio=_paragraph(self.rng, 40),
            )
            for number, user in enumerate(authors, 1)
        )
        return authors, make("frontdesk", self.scale.front_desk, FRONT_DESK)

    def topics(self):
        from django.utils.text import slugify

        from blog.models import Topic

        names = (TOPIC_NAMES * (self.scale.topics // len(TOPIC_NAMES) + 1))[: self.scale.topics]
        names = [name if i < len(TOPIC_NAMES) else f"{name} {i}" for i, name in enumerate(names)]
        return Topic.objects.bulk_create(Topic(name=n, slug=slugify(n)) for n in names)

    def posts(self, authors, topics):
        from django.db.models import F
        from django.utils.text import slugify

        from blog.models import Post, Series
        from editor.markdown import render

        rng, scale, now = self.rng, self.scale, self.now
        bodies = []
        for _ in range(BODY_VARIANTS):
            rendered = Post(body=markdown_body(rng))
            rendered.render_body()  # what save() does, once per body rather than per post
            bodies.append((rendered.body, rendered.body_html, rendered.reading_minutes))
        # The same Markdown, but one word of its first paragraph is the rare one.
        rare = Post(body=re.sub(r"(\n\n\w+) ", rf"\1 {RARE_WORD} ", bodies[0][0], count=1))
        rare.render_body()
        rare_body = (rare.body, rare.body_html, rare.reading_minutes)

        # Publication times, oldest first, spread over the years.
        span = scale.post_years * 365 * 24 * 3600
        times = sorted(now - timedelta(seconds=rng.randint(3600, span)) for _ in range(scale.posts))

        # A third of the posts, in chronological runs, make up the series' parts.
        in_series = sorted(rng.sample(range(scale.posts), scale.posts // 3)) if scale.series else []
        series_of = {}  # post index -> (series index, part)
        per_series, extra = divmod(len(in_series), scale.series or 1)
        position = 0
        for series_index in range(scale.series):
            size = per_series + (series_index < extra)
            for part, post_index in enumerate(in_series[position : position + size], 1):
                series_of[post_index] = (series_index, part)
            position += size

        series = []
        for i in range(scale.series):
            subject = SERIES_SUBJECTS[i % len(SERIES_SUBJECTS)]
            description = f"{_paragraph(rng, 30)}\n\nRead the parts in order."
            series.append(
                Series(
                    title=f"{subject}, volume {i // len(SERIES_SUBJECTS) + 1}",
                    slug=f"{slugify(subject)}-{i + 1}",
                    description=description,
                    description_html=render(description),
                )
            )
        series = Series.objects.bulk_create(series)
        self.series_count = len(series)

        with_rare_word = set(rng.sample(range(1, scale.posts + 1), rare_count(scale.posts)))

        def new_post(number, published_at, series_part=None):
            title = f"{rng.choice(TITLE_OPENINGS)} {rng.choice(TITLE_SUBJECTS)}"
            body, body_html, minutes = (
                rare_body if number in with_rare_word else bodies[number % len(bodies)]
            )
            post = Post(
                title=title[:1].upper() + title[1:],
                slug=f"{slugify(title)}-{number}",
                summary=_sentence(rng, 18) + " " + _sentence(rng, 12),
                body=body,
                body_html=body_html,
                reading_minutes=minutes,
                author=rng.choice(authors),
                published_at=published_at,
                is_approved=True,  # reviewed: public at its time
            )
            if series_part:
                post.series, post.series_position = series[series_part[0]], series_part[1]
            return post

        posts = [new_post(i + 1, times[i], series_of.get(i)) for i in range(scale.posts)]
        # Not public, so they must stay out of every list: 1% drafts, and the next part of a
        # few series scheduled for next week.
        number = scale.posts
        for _ in range(max(1, scale.posts // 100)):
            number += 1
            posts.append(new_post(number, None))
        for series_index in range(min(len(series), max(1, scale.series // 10))):
            parts = [p for p in series_of.values() if p[0] == series_index]
            number += 1
            upcoming = now + timedelta(days=7, hours=series_index)
            posts.append(new_post(number, upcoming, (series_index, len(parts) + 1)))
        posts = Post.objects.bulk_create(posts)
        # Written when published and not edited since (bulk_create stamps "now").
        Post.objects.exclude(published_at=None).update(
            created_at=F("published_at"), updated_at=F("published_at")
        )

        # 1–3 topics each, some topics far more common than others.
        weights = [1 / (rank + 1) for rank in range(len(topics))]
        links = []
        for post in posts:
            chosen = set()
            for _ in range(rng.randint(1, 3)):
                chosen.add(rng.choices(topics, weights)[0].pk)
            links += [Post.topics.through(post_id=post.pk, topic_id=pk) for pk in sorted(chosen)]
        Post.topics.through.objects.bulk_create(links, batch_size=2000)
        return [post for post in posts if post.published_at and post.published_at <= now]

    def requests(self, front_desk, slugs):
        from consultations.forms import CONSENT_VERSION
        from consultations.models import FINISHED_STATUSES, ConsultationRequest
        from consultations.models import RequestStatus as S

        rng, now = self.rng, self.now
        # Status by age: fresh requests wait, old ones are mostly finished; a few old New ones
        # are the overdue backlog the triage list puts first.
        by_age = [
            (1, {S.NEW: 70, S.CONTACTED: 30}),
            (7, {S.NEW: 12, S.CONTACTED: 38, S.SCHEDULED: 30, S.NOT_A_FIT: 8, S.CLOSED: 6,
                 S.SPAM: 6}),
            (None, {S.NEW: 1.5, S.CONTACTED: 4, S.SCHEDULED: 22, S.NOT_A_FIT: 14, S.CLOSED: 52,
                    S.SPAM: 6.5}),
        ]  # fmt: skip
        span = self.scale.request_days * 24 * 3600
        rows = []
        for number in range(1, self.scale.requests + 1):
            submitted = now - timedelta(seconds=rng.randint(60, span))
            age_days = (now - submitted).total_seconds() / 86400
            table = next(t for limit, t in by_age if limit is None or age_days < limit)
            status = rng.choices(list(table), list(table.values()))[0]
            name = rng.choice(FIRST_NAMES)
            contact = rng.random()
            phone = f"(555) 01{number % 10}-{number % 10000:04d}" if contact < 0.85 else ""
            email = f"{name.lower()}{number}@example.com" if contact > 0.6 else ""
            method = "email" if not phone else rng.choice(["phone", "phone", "text"])
            first_contact = finished = None
            if status not in (S.NEW, S.SPAM):
                first_contact = min(now, submitted + timedelta(hours=rng.uniform(0.5, 48)))
            if status in FINISHED_STATUSES:
                start = first_contact or submitted
                finished = min(now, start + timedelta(days=rng.uniform(0, 20)))
            rows.append(
                ConsultationRequest(
                    name=name,
                    phone=phone,
                    email=email,
                    preferred_contact=method,
                    best_times=sorted(rng.sample(BEST_TIMES, rng.randint(0, 2))),
                    voicemail_ok=rng.random() < 0.6,
                    message=rng.choice(MESSAGES) if rng.random() < 0.6 else "",
                    consent_version=CONSENT_VERSION,
                    consented_at=submitted,
                    source=rng.choice(slugs) if slugs and rng.random() < 0.2 else "",
                    submitted_at=submitted,
                    submission_token=uuid.UUID(int=rng.getrandbits(128), version=4),
                    client_key=f"{rng.getrandbits(160):040x}",
                    status=status,
                    assigned_to=rng.choice(front_desk)
                    if rng.random() < (0.2 if status == S.NEW else 0.8)
                    else None,
                    first_contacted_at=first_contact,
                    finished_at=finished,
                )
            )
        return ConsultationRequest.objects.bulk_create(rows, batch_size=1000)

    def log_entries(self, requests, front_desk):
        from consultations.models import ContactKind, ContactLogEntry

        rng, now, total = self.rng, self.now, self.scale.log_entries
        contacted = [r for r in requests if r.first_contacted_at]
        if total and not contacted:
            raise ValueError("No contacted requests to log entries on; raise Scale.requests.")
        # Each contacted request has its first contact logged; the rest are follow-ups.
        counts = {r.pk: 1 for r in contacted[:total]}
        for _ in range(total - len(counts)):
            counts[rng.choice(contacted).pk] += 1
        attempts = [kind for kind in ContactKind.values if kind != ContactKind.NOTE]
        entries = []
        for request in contacted:
            end = request.finished_at or now
            for index in range(counts.get(request.pk, 0)):
                if index == 0:
                    at, kind = request.first_contacted_at, rng.choice(attempts)
                else:
                    seconds = max(0.0, (end - request.first_contacted_at).total_seconds())
                    at = request.first_contacted_at + timedelta(seconds=rng.uniform(0, seconds))
                    kind = rng.choice(ContactKind.values)
                entries.append(
                    ContactLogEntry(
                        request=request,
                        author=rng.choice(front_desk),
                        created_at=at,
                        kind=kind,
                        text=_sentence(rng, 10) if rng.random() < 0.5 else "",
                    )
                )
        ContactLogEntry.objects.bulk_create(entries, batch_size=2000)
        return len(entries)


def main():
    """Build into DATABASE_URL's (empty, migrated) database and mark it with the version."""
    import argparse
    import os
    import sys
    import time

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--articles", type=int, default=FULL.posts, help="published articles")
    args = parser.parse_args()
    if args.articles < 100:
        parser.error("--articles must be at least 100")

    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practice.settings")
    import django

    django.setup()
    from django.db import connection

    from blog.models import Post

    if Post.objects.exists():
        sys.exit("bench_data: the database already has articles; build into an empty one.")
    started = time.monotonic()
    counts = build(Scale(posts=args.articles))
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA user_version = {GENERATOR_VERSION}")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    summary = ", ".join(f"{value:,} {key.replace('_', ' ')}" for key, value in counts.items())
    print(f"{summary} in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
