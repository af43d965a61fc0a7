import functools
import re
from datetime import datetime
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

import licensing
from editor.markdown import stored_html, validate_markdown
from editor.reading_time import reading_minutes
from editor.versions import EditVersioned
from images.sizes import make_sizes

from .compiled import CompiledQuery
from .search import search_postgresql, search_sqlite

SUICIDE_OR_SELF_HARM = re.compile(
    r"suicid|self[- ]?harm|self[- ]?injur|kill(ing)? (my|your|them|him|her)sel", re.IGNORECASE
)
# What a reviewer approves: a change to any of these after the review needs another.
REVIEWED_FIELDS = ("title", "summary", "body", "content_note")
# Paths under /blog/ that belong to other pages, so no article may take them as its slug.
RESERVED_SLUGS = {"series", "topic", "author", "search", "feed", "subscribe", "unsubscribe"}
# Related reading at the end of an article: at most this many chosen by its writer, or, for an
# article outside a series with none chosen, up to this many sharing its topics.
RELATED_READING_MAX = 5
RELATED_BY_TOPIC = 3


def address_of(view_name, slug):
    """The address of the blog page `view_name` for `slug`, as reverse() gives it."""
    return addresses(view_name)(slug)


def addresses(view_name):
    """A function giving the address of the blog page `view_name` for a slug, as reverse() does.

    An article page links to a dozen articles, topics and authors, and up to a hundred parts of
    its series; reversing each link took a tenth of the page's time. The address is worked out
    once per view, and a slug (letters, digits, - and _, which need no quoting) is put in its
    place.
    """
    pattern = _address_pattern(view_name, get_script_prefix())

    def address(slug):
        if not PLAIN_SLUG.fullmatch(slug):
            return reverse(view_name, kwargs={"slug": slug})  # quoted, or refused, as reverse() is
        return pattern.replace(SLUG_MARK, slug)

    return address


class Headline(NamedTuple):
    """Just enough of a post to link to it by its title, as a series' contents do."""

    pk: int
    title: str
    slug: str
    series_position: int | None
    url: str

    def get_absolute_url(self):
        return self.url


SLUG_MARK = "--slug--"
PLAIN_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


@functools.cache
def _address_pattern(view_name, script_prefix):
    return reverse(view_name, kwargs={"slug": SLUG_MARK})


class Topic(models.Model):
    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return address_of("blog:topic_detail", self.slug)


class SeriesQuerySet(models.QuerySet):
    def with_published_parts(self):
        """Series with at least one public part: the series a visitor may see."""
        # A probe of each series' parts in an index: a page showing one series, or the newest
        # few, reads only theirs, not every published article.
        return self.filter(Exists(Post.objects.published().filter(series=OuterRef("pk"))))


class Series(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(
        blank=True,
        validators=[validate_markdown],
        help_text="Markdown. Shown at the top of the series page.",
    )
    description_html = models.TextField(editable=False, default="")
    updated_at = models.DateTimeField(auto_now=True)

    objects = SeriesQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "series"

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.description_html = stored_html(self.description)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return address_of("blog:series_detail", self.slug)

    def published_parts(self, now=None):
        return self.posts.published(now).order_by("series_position")

    def part_headlines(self):
        """The published parts in order, as plain Headlines: an article's page links to every
        part of its series, and building 67 model objects took twice as long as reading them."""
        address = addresses("blog:post_detail")
        return [
            Headline(pk, title, slug, position, url=address(slug))
            for pk, title, slug, position in PART_HEADLINES(series=self.pk, now=timezone.now())
        ]


class AuthorQuerySet(models.QuerySet):
    def licensed_states(self):
        """Postal codes of every state some author is licensed in (clean() checks the text)."""
        codes = set()
        for text in self.exclude(licensed_states="").values_list("licensed_states", flat=True):
            try:
                codes.update(licensing.parse_states(text))
            except ValueError:
                continue  # saved before the check, or by hand: shown as typed, not counted
        return codes


class Author(models.Model):
    """The public face of a clinician who writes: byline, bio and author page."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="author_profile"
    )
    display_name = models.CharField(
        max_length=120, help_text="Name with credentials, as readers see it: “Dana Reyes, LCSW”."
    )
    slug = models.SlugField(
        max_length=120,
        unique=True,
        help_text="Part of the author page's address, e.g. dana for /blog/author/dana/.",
    )
    bio = models.TextField(blank=True, help_text="A few sentences, in plain words.")
    license_type = models.CharField(
        max_length=60,
        blank=True,
        help_text="As the license names it, e.g. “Licensed Clinical Social Worker (LCSW)”. "
        "Several states require it on any advertising, websites included.",
    )
    license_number = models.CharField(max_length=40, blank=True)
    licensed_states = models.CharField(
        "licensed in",
        max_length=200,
        blank=True,
        help_text="The states where the license is valid, e.g. “Oregon, Washington”. The "
        "consultation form accepts requests from people in these states.",
    )
    photo = models.ImageField(
        upload_to="authors/", blank=True, width_field="photo_width", height_field="photo_height"
    )
    photo_width = models.PositiveIntegerField(null=True, editable=False)
    photo_height = models.PositiveIntegerField(null=True, editable=False)

    objects = AuthorQuerySet.as_manager()

    class Meta:
        ordering = ["display_name"]

    def __str__(self):
        return self.display_name

    def save(self, *args, **kwargs):
        new_photo = self.photo and not self.photo._committed  # stored by this save
        super().save(*args, **kwargs)
        if new_photo:
            make_sizes(self.photo.name)  # smaller copies, in WebP and AVIF too

    def get_absolute_url(self):
        return address_of("blog:author_detail", self.slug)

    def clean(self):
        try:
            licensing.parse_states(self.licensed_states)
        except ValueError as unknown:
            raise ValidationError(
                {
                    "licensed_states": f"Not a US state we know: {unknown}. Name each state in "
                    "full or by its postal code, separated by commas (e.g. “Oregon, WA”)."
                }
            ) from None


class PostQuerySet(models.QuerySet):
    def published(self, now=None):
        """What visitors may read: posts whose publication time has arrived and whose take-down
        time has not, approved by a second clinician (unless BLOG_REQUIRE_REVIEW is off). A NULL
        publication time means a draft, a future one scheduled."""
        now = now or timezone.now()
        public = self.filter(published_at__lte=now).exclude(unpublish_at__lte=now)
        return public.filter(is_approved=True) if settings.BLOG_REQUIRE_REVIEW else public

    def scheduled(self):
        return self.filter(published_at__gt=timezone.now())

    def drafts(self):
        return self.filter(published_at__isnull=True)

    def taken_down(self):
        return self.filter(unpublish_at__lte=timezone.now())

    def waiting_for_review(self):
        """Never reviewed (live articles from before reviews began included)."""
        return self.filter(reviewed_at__isnull=True)

    def changed_since_review(self):
        return self.filter(reviewed_at__isnull=False, content_changed_at__gt=F("reviewed_at"))

    def review_due(self, today=None):
        """Reviewed, and due for the next review (its "review by" date has come)."""
        return self.filter(review_by__lte=today or timezone.localdate())

    def next_publication_time(self):
        """When public pages next change by themselves: the next scheduled post goes live or a
        post is taken down; None if neither is ahead."""
        now = timezone.now()
        times = [
            self.filter(**{f"{field}__gt": now})
            .order_by(field)
            .values_list(field, flat=True)
            .first()
            for field in ("published_at", "unpublish_at")
        ]
        return min((time for time in times if time), default=None)

    def with_series_and_byline(self):
        """Each post with its series and its author's byline in the same query, reading only what
        a byline and a series link show (not the author's account, nor the series' description)."""
        return self.select_related(
            "series", "author__author_profile", "reviewed_by__author_profile"
        ).only(
            *(field.name for field in self.model._meta.concrete_fields),
            *("series__title", "series__slug"),
            *("author__author_profile__display_name", "author__author_profile__slug"),
            *("reviewed_by__author_profile__display_name", "reviewed_by__author_profile__slug"),
        )

    def for_article_page(self):
        """What an article's page shows of it (not the Markdown source: readers get body_html),
        and whether any related reading was chosen for it, so a series part with none is spared
        the query for it."""
        # Written as SQL: Django takes 0.3 ms to build the same test as an Exists() subquery, a
        # quarter of this query's cost, and the database reads the same index either way.
        quote = connections[self.db].ops.quote_name
        chosen = quote(RelatedReading._meta.db_table)
        # Only quoted table and column names of our own go into the text.
        has_chosen = RawSQL(  # noqa: S611
            f"EXISTS (SELECT 1 FROM {chosen} WHERE {chosen}.{quote('post_id')} = "  # noqa: S608
            f"{quote(self.model._meta.db_table)}.{quote('id')})",
            [],
            output_field=models.BooleanField(),
        )
        return self.with_series_and_byline().defer("body").annotate(has_chosen_reading=has_chosen)

    def for_listing(self):
        """What list pages show of each post, in listing order, without extra queries (and
        without the article text, which a list never shows)."""
        return (
            self.with_series_and_byline()
            .defer("body", "body_html")
            .order_by("-published_at", "-pk")
        )

    def tagged(self, topic=None):
        """Posts with `topic` (with any topic if None). Tested post by post in the topic links'
        index, so a list walks its own index in order and stops at its page; a join would read
        every post of the topic to sort them."""
        links = Post.topics.through.objects.filter(post=OuterRef("pk"))
        return self.filter(Exists(links if topic is None else links.filter(topic=topic)))

    def headlines(self):
        """Just enough of each post to link to it by its title."""
        return self.only("title", "slug", "series", "series_position", "published_at")

    def search(self, query):
        """Posts matching every word of `query` in title, summary or body, best first: a word in
        the title counts most, one in the body least; then the newest. Any text is a query
        (blog/search.py reads the full-text index of each database)."""
        if connections[self.db].vendor == "postgresql":
            return search_postgresql(self, query)
        return search_sqlite(self, query)

    def related_to(self, post, by_topic=True):
        """What to read after `post`, in one query: the posts among these that were chosen for
        it, in the chosen order; else, with `by_topic`, up to RELATED_BY_TOPIC of them sharing
        the most of its topics (the newest first among equals). Never `post` itself."""
        columns = ("title", "slug", "summary", "published_at")
        if not by_topic:
            chosen = self.filter(chosen_for__post=post.pk).exclude(pk=post.pk).only(*columns)
            ordered = chosen.order_by("chosen_for__position", "chosen_for__pk")
            return list(ordered[:RELATED_READING_MAX])
        # One query for both: candidates are found by id in indexes (the chosen posts, and those
        # sharing a topic), so only their rows are read; the chosen ones sort first, and past
        # RELATED_READING_MAX rows none can be chosen.
        choices = RelatedReading.objects.filter(post=post.pk)
        tagging = Post.topics.through.objects
        its_topics = tagging.filter(post=post.pk).values("topic")
        shared = (
            tagging.filter(post=OuterRef("pk"), topic__in=its_topics)
            .values("post")
            .annotate(count=Count("*"))
            .values("count")
        )
        candidates = (
            self.exclude(pk=post.pk)
            .filter(
                Q(pk__in=choices.values("related_post"))
                | Q(pk__in=tagging.filter(topic__in=its_topics).values("post"))
            )
            .annotate(
                position=Subquery(choices.filter(related_post=OuterRef("pk")).values("position")),
                shared_topics=Subquery(shared),
            )
            .only(*columns)
        )
        first = F("position").asc(nulls_last=True)
        ordered = candidates.order_by(first, "-shared_topics", "-published_at", "-pk")
        rows = list(ordered[:RELATED_READING_MAX])
        return [p for p in rows if p.position is not None] or rows[:RELATED_BY_TOPIC]


class Post(EditVersioned, models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        help_text="Part of the article's address, e.g. what-is-kap for /blog/what-is-kap/. "
        "If you change it after publishing, "
        "the old address keeps working.",
    )
    summary = models.TextField(
        max_length=300,
        blank=True,
        help_text="One or two sentences shown on lists, in feeds and to search engines.",
    )
    body = models.TextField(
        validators=[validate_markdown],
        help_text="Markdown. The preview (beside the text on a wide screen, below it on a narrow "
        "one) shows exactly what visitors will see. Paste or drag an image into the text to "
        "upload it.",
    )
    body_html = models.TextField(editable=False, default="")  # rendered + sanitized on save
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="posts",
        # Bylines name the author profile; a staff account's own name is never published.
        limit_choices_to={"author_profile__isnull": False},
        help_text="Only people with an author profile (Blog → Authors) can be credited.",
        error_messages={
            "invalid": "Only people with an author profile can be credited. Add one under Blog "
            "→ Authors (their name as readers should see it), or choose someone else."
        },
    )
    cover_image = models.ImageField(
        upload_to="covers/%Y/%m/",
        blank=True,
        width_field="cover_image_width",
        height_field="cover_image_height",
        help_text="Optional. JPEG, PNG or WebP, at most 5 MB.",
    )
    cover_image_width = models.PositiveIntegerField(null=True, editable=False)
    cover_image_height = models.PositiveIntegerField(null=True, editable=False)
    cover_image_alt = models.CharField(
        "cover image description",
        max_length=250,
        blank=True,
        help_text="Required with a cover image: what the picture shows, for people who cannot "
        "see it.",
    )
    published_at = models.DateTimeField(
        "publication time",
        null=True,
        blank=True,
        help_text="Leave empty to keep this a draft; a future time schedules it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    series = models.ForeignKey(
        Series, null=True, blank=True, on_delete=models.PROTECT, related_name="posts"
    )
    series_position = models.PositiveSmallIntegerField(
        "part", null=True, blank=True, help_text="1 for the first part, 2 for the second…"
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="posts")
    related_posts = models.ManyToManyField(
        "self",
        through="RelatedReading",
        through_fields=("post", "related_post"),
        symmetrical=False,
        blank=True,
        related_name="+",
    )
    seo_title = models.CharField(
        "title for search engines",
        max_length=70,
        blank=True,
        help_text="Optional. Replaces the title in search results and browser tabs.",
    )
    seo_description = models.CharField(
        "description for search engines",
        max_length=160,
        blank=True,
        help_text="Optional. Replaces the summary in search results.",
    )
    reading_minutes = models.PositiveSmallIntegerField(editable=False, default=1)
    content_note = models.CharField(
        max_length=200,
        blank=True,
        help_text="Optional. Shown before the text, e.g. “This article talks about suicide.” "
        "When it mentions suicide or self-harm, the crisis line is shown with it.",
    )
    unpublish_at = models.DateTimeField(
        "take down at",
        null=True,
        blank=True,
        help_text="Optional. From this time the article leaves every list, feed and series, and "
        "its address says it is no longer available (for notices that expire).",
    )
    # Review by a second clinician (blog/review.py).
    is_approved = models.BooleanField(
        "approved",
        default=False,
        editable=False,
        help_text="A second clinician approved it, so it may be public.",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviewed_posts",
        editable=False,
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)
    review_by = models.DateField(
        "review by",
        null=True,
        blank=True,
        help_text="When it is due for its next review (set when it is approved).",
    )
    # When the title, summary or text last changed: after the review, it needs another.
    content_changed_at = models.DateTimeField(default=timezone.now, editable=False)
    imported_from = models.CharField(
        max_length=200,
        blank=True,
        editable=False,
        help_text="The old site and this article's id in its export, set by import_wordpress: "
        "importing that export again updates this article, and no other.",
    )

    objects = PostQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["body_html", "reading_minutes"])

    class Meta:
        verbose_name = "article"  # what clinicians call them
        ordering = [F("published_at").desc(nulls_last=True), "-pk"]
        indexes = [
            # What published() reads, in the lists' order: counting a list and finding a page's
            # ids read these indexes alone, never an article's row, where these columns sit
            # behind its text (on SQLite each row read costs ~4 µs: a topic's count took 35 ms
            # at 20,000 articles, 6 ms from the index).
            models.Index(
                fields=["published_at", "id", "unpublish_at", "is_approved"],
                name="blog_post_public",
            ),
            models.Index(
                fields=["author", "published_at", "id", "unpublish_at", "is_approved"],
                name="blog_post_public_by_author",
            ),
            # Whether a series has a published part, and its newest update (the sitemap's
            # lastmod), from its parts' entries alone.
            models.Index(
                fields=["series", "updated_at", "published_at", "unpublish_at", "is_approved"],
                name="blog_post_public_by_series",
            ),
            # The sitemap's lastmod: the newest update among published articles, from the top.
            models.Index(
                fields=["updated_at", "published_at", "unpublish_at", "is_approved", "series"],
                name="blog_post_public_by_update",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "series_position"],
                name="%(app_label)s_%(class)s_one_post_per_position",
                violation_error_message="Another article already has this part of the series.",
            ),
            models.CheckConstraint(
                condition=Q(series__isnull=True, series_position__isnull=True)
                | Q(series__isnull=False, series_position__isnull=False, series_position__gte=1),
                name="%(app_label)s_%(class)s_series_and_position_together",
                violation_error_message="A series and a part number (1 or more) go together.",
            ),
            models.UniqueConstraint(
                fields=["imported_from"],
                condition=~Q(imported_from=""),
                name="%(app_label)s_%(class)s_imported_once",
            ),
            models.CheckConstraint(
                condition=Q(cover_image="") | ~Q(cover_image_alt=""),
                name="%(app_label)s_%(class)s_cover_image_has_alt_text",
                violation_error_message="Describe the cover image for people who cannot see it.",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.render_body()
        previous = (
            Post.objects.filter(pk=self.pk).values("slug", "published_at", *REVIEWED_FIELDS).first()
        )
        if previous and any(previous[name] != getattr(self, name) for name in REVIEWED_FIELDS):
            self.content_changed_at = timezone.now()  # what the reviewer read has changed
        new_cover = self.cover_image and not self.cover_image._committed  # stored by this save
        super().save(*args, **kwargs)
        if new_cover:
            make_sizes(self.cover_image.name)  # smaller copies, in WebP and AVIF too
        # A published post keeps its old address: remember it, and free the new one.
        OldPath.objects.filter(path=normalize_old_path(self.get_absolute_url())).delete()
        if previous and previous["slug"] != self.slug and previous["published_at"]:
            old = reverse("blog:post_detail", kwargs={"slug": previous["slug"]})
            OldPath.objects.update_or_create(path=normalize_old_path(old), defaults={"post": self})

    def get_absolute_url(self):
        return address_of("blog:post_detail", self.slug)

    @classmethod
    def public_article(cls, slug):
        """The published article at `slug`, with what its page shows (for_article_page), or
        None."""
        found = PUBLIC_ARTICLE(slug=slug, now=timezone.now())
        return found[0] if found else None

    def topic_list(self):
        """Its topics, in name order, as its page lists them."""
        return TOPICS_OF(post=self.pk)

    def render_body(self):
        """Fill in what is derived from the Markdown body: the sanitized HTML, the reading time."""
        self.body_html = stored_html(self.body)
        self.reading_minutes = reading_minutes(self.body)

    @property
    def state(self):
        now = timezone.now()
        if self.published_at is None:
            return "Draft"
        if self.unpublish_at and self.unpublish_at <= now:
            return "Taken down"
        if settings.BLOG_REQUIRE_REVIEW and not self.is_approved:
            return "Waiting for review"
        if self.published_at > now:
            return "Scheduled"
        return "Live"

    @property
    def is_public(self):
        return self.state == "Live"

    @property
    def updated_after_publication(self):
        """Edited on a later day than it went live (in the practice's time zone): worth saying."""
        published = self.published_at
        return bool(published) and timezone.localdate(self.updated_at) > timezone.localdate(
            published
        )

    @property
    def content_note_needs_crisis_line(self):
        return bool(SUICIDE_OR_SELF_HARM.search(self.content_note))

    @property
    def changed_since_review(self):
        return bool(self.reviewed_at) and self.content_changed_at > self.reviewed_at

    @property
    def reviewer(self):
        """The reviewer as readers see them: their author profile (reviewers must have one)."""
        return getattr(self.reviewed_by, "author_profile", None)

    @property
    def meta_title(self):
        return self.seo_title or self.title

    @property
    def meta_description(self):
        return self.seo_description or self.summary

    @property
    def byline(self):
        """The author as readers see them: their profile, else (for an article credited before
        profiles were required) the practice. Never the staff account's own name."""
        return getattr(self.author, "author_profile", None) or settings.PRACTICE_NAME

    def clean(self):
        errors = {}
        if self.slug in RESERVED_SLUGS:
            errors["slug"] = f"“{self.slug}” is used by another page of the site; choose another."
        if self.series_id and self.series_position is None:
            errors["series_position"] = "Give this article a part number (1 for the first part)."
        elif self.series_position is not None and not self.series_id:
            errors["series"] = "Choose a series for this part number, or clear the part number."
        if self.cover_image and not self.cover_image_alt.strip():
            errors["cover_image_alt"] = (
                "Describe the cover image in a few words, for people who cannot see it."
            )
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude=None):
        # The database constraint, explained in the editor's words.
        exclude = set(exclude or ())
        if self.series_id and not exclude & {"series", "series_position"}:
            taken = (
                Post.objects.filter(series=self.series_id, series_position=self.series_position)
                .exclude(pk=self.pk)
                .first()
            )
            if taken:
                raise ValidationError(
                    {
                        "series_position": f"Part {self.series_position} of “{self.series}” is "
                        f"already taken by “{taken}”. Choose another part number, or change that "
                        "article first."
                    }
                )
        super().validate_constraints(exclude)

    def neighbours(self, series_parts=None):
        """(previous, next) in reading order: the series order, else the listing order.

        Only published posts are candidates, so an unpublished part is skipped. Pass the
        series' published parts when you already have them, to save queries.
        """
        if self.series_id:
            parts = series_parts if series_parts is not None else self.series.published_parts()
            earlier = [p for p in parts if p.series_position < self.series_position]
            later = [p for p in parts if p.series_position > self.series_position]
            return (earlier[-1] if earlier else None, later[0] if later else None)
        if self.published_at is None:
            return (None, None)
        published = Post.objects.published().headlines()
        newer = Q(published_at__gt=self.published_at) | Q(
            published_at=self.published_at, pk__gt=self.pk
        )
        older = Q(published_at__lt=self.published_at) | Q(
            published_at=self.published_at, pk__lt=self.pk
        )
        previous = published.filter(newer).order_by("published_at", "pk").first()
        following = published.filter(older).order_by("-published_at", "-pk").first()
        return (previous, following)

    def related_reading(self):
        """The published articles to suggest after this one (PostQuerySet.related_to). A part of
        a series suggests only those chosen for it: its Next link already leads on."""
        if self.series_id and not getattr(self, "has_chosen_reading", True):
            return []  # PostQuerySet.for_article_page found none chosen: no query to make
        return Post.objects.published().related_to(self, by_topic=self.series_id is None)


# What an article's page reads for every visitor, built into SQL once per process instead of on
# every request: Django took 0.9 ms to build the article's query, SQLite 0.04 ms to answer it
# (blog/compiled.py).
PUBLIC_ARTICLE = CompiledQuery(
    lambda slug, now: Post.objects.published(now).for_article_page().filter(slug=slug)[:1],
    slug=str,
    now=datetime,
)
PART_HEADLINES = CompiledQuery(
    # A Headline's columns; its url is worked out, not read.
    lambda series, now: Series(pk=series).published_parts(now).values_list(*Headline._fields[:-1]),
    series=int,
    now=datetime,
)
TOPICS_OF = CompiledQuery(lambda post: Post(pk=post).topics.all(), post=int)


def normalize_old_path(path):
    """An old address as stored and looked up: /2024/05/03/my-post/ → /2024/05/03/my-post.

    With or without its trailing slash it is the same address. Case is kept, as the old site
    may have told /My-Post and /my-post apart.
    """
    return path.rstrip("/") or "/"


class OldPath(models.Model):
    """An address an article used to have: here before its slug changed, or on the practice's
    previous website (made by `manage.py import_wordpress`, or by hand).

    blog.middleware.OldPathRedirectMiddleware looks addresses up only when one would otherwise
    be "not found", and redirects (301) only to an article that is published.
    """

    path = models.CharField(
        max_length=500,
        unique=True,
        help_text="The old address without the domain, e.g. /blog/old-slug, "
        "/2024/05/03/coping-with-worry or /?p=123. With or without a slash at the end, it is "
        "the same address.",
    )
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="old_paths")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["path"]
        verbose_name = "old address"
        verbose_name_plural = "old addresses"

    def __str__(self):
        return f"{self.path} → {self.post.get_absolute_url()}"

    def save(self, *args, **kwargs):
        self.path = normalize_old_path(self.path)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return self.path  # "View on site" follows the redirect, to check where it leads

    def clean(self):
        # Before the uniqueness check, so /x/ typed in the admin is found to be /x.
        if not self.path.startswith("/"):
            raise ValidationError({"path": "Start with / and leave out the domain: /2024/05/x."})
        self.path = normalize_old_path(self.path)


class RelatedReading(models.Model):
    """An article suggested at the end of another, in the order its writer chose. One way:
    suggesting B at the end of A puts nothing at the end of B."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="related_choices")
    related_post = models.ForeignKey(
        Post,
        on_delete=models.CASCADE,
        related_name="chosen_for",
        verbose_name="article",
        help_text="Start typing its title. Readers see it only while it is published. One "
        "way: this article is not added to the other's list (add it there too for both).",
    )
    position = models.PositiveSmallIntegerField(
        "order", help_text="1 is shown first. Leave empty to put it last."
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "related article"
        verbose_name_plural = "related reading"
        constraints = [
            models.UniqueConstraint(
                fields=["post", "related_post"],
                name="%(app_label)s_%(class)s_once_per_article",
                violation_error_message="This article is already in the list.",
            ),
            models.CheckConstraint(
                condition=~Q(post=F("related_post")),
                name="%(app_label)s_%(class)s_not_itself",
                violation_error_message="An article cannot be its own related reading.",
            ),
        ]

    def __str__(self):
        return str(self.related_post)

    def get_absolute_url(self):
        return self.related_post.get_absolute_url()

    def clean(self):
        if self.post_id and self.post_id == self.related_post_id:
            raise ValidationError(
                {"related_post": "An article cannot be its own related reading: choose another."}
            )


# Readers' e-mail (blog/subscriptions.py), in a module of their own.
from .subscription_models import Announcement, Subscriber  # noqa: E402, F401
