"""Bringing articles over from a WordPress or Squarespace export (manage.py import_wordpress).

Authors, dates and sizes are checked before anything is written, and everything is written in
one transaction, so a bad export imports nothing at all. Running it again updates the articles
it made (each keeps the old site's post id) instead of adding them twice; an article written
here is never changed, even when it has the same slug.
"""

from urllib.parse import parse_qs, unquote, urlsplit

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator, slugify

from editor.markdown import validate_markdown
from page_cache.versions import content_changed

from ..models import RESERVED_SLUGS, Author, OldPath, Post, Series, Topic, normalize_old_path
from .convert import MAX_BODY_CHARACTERS, UnconvertibleHTML, html_to_markdown, plain_text
from .media import MediaFolder
from .summary import Summary
from .wxr import ExportError

# wp:status -> what the article becomes here.
STATES = {
    "publish": "live",
    "future": "scheduled",
    "draft": "draft",
    "pending": "draft",  # waiting for review on the old site
    "private": "draft",  # only its author could see it there
}
SKIPPED_STATUSES = {
    "trash": "posts in the old site's trash",
    "auto-draft": "empty drafts WordPress made by itself",
    "inherit": "saved revisions",
}
SKIPPED_TYPES = {
    "attachment": "uploaded files, not articles (images come over with --media-dir)",
    "page": "pages, not blog articles",
    "nav_menu_item": "menu entries",
    "revision": "saved revisions",
}
TITLE_LENGTH = Post._meta.get_field("title").max_length
SUMMARY_LENGTH = Post._meta.get_field("summary").max_length
TOPIC_LENGTH = Topic._meta.get_field("name").max_length
PATH_LENGTH = OldPath._meta.get_field("path").max_length


def import_export(
    export, *, author=None, media_dir=None, series_title=None, dry_run=False, progress=None
):
    """Import the articles of `export` (a wxr.Export) and return a Summary.

    `author` is the username credited with articles whose old author matches nobody here.
    Raises ExportError, having written nothing, when the export cannot be imported whole.
    """
    summary = Summary(dry_run=dry_run)
    items = _articles(export.items, summary)
    summary.articles = len(items)
    users = _users(export, items, author, summary)
    _check(items)
    importer = _Importer(export.site, users, MediaFolder(media_dir, dry_run), summary)
    try:
        with transaction.atomic():
            for number, item in enumerate(items, 1):
                importer.add(item)
                if progress:
                    progress(number, len(items))
            if series_title:
                importer.add_to_series(series_title)
            if summary.created and not dry_run:
                content_changed()  # update() above bypassed the signals the page cache uses
            transaction.set_rollback(dry_run)
    except BaseException:
        importer.images.discard()  # nothing partial: not even image files
        raise
    return summary


def _articles(items, summary):
    """The items to import: blog posts that are not in the trash or WordPress's own drafts."""
    articles = []
    for item in items:
        if item.post_type != "post":
            reason = SKIPPED_TYPES.get(item.post_type, f"“{item.post_type}” items, not articles")
            summary.skipped[reason].append("" if item.post_type == "attachment" else str(item))
        elif item.status in STATES:
            articles.append(item)
        else:
            reason = SKIPPED_STATUSES.get(item.status, f"posts with the status “{item.status}”")
            summary.skipped[reason].append(str(item))
    return articles


def _users(export, items, fallback, summary):
    """The user here for each old author (by login, then e-mail), or ExportError naming all
    that match nobody when there is no --author to fall back on."""
    User = get_user_model()
    by_username = f"{User.USERNAME_FIELD}__iexact"
    fallback_user = None
    if fallback:
        fallback_user = User.objects.filter(**{User.USERNAME_FIELD: fallback}).first()
        if fallback_user is None:
            raise ExportError(f"There is no user “{fallback}” here to credit articles to.")
    entries = {entry.login.casefold(): entry for entry in export.authors if entry.login}
    users, unmatched = {}, []
    for creator in dict.fromkeys(item.creator for item in items):
        entry = entries.get(creator.casefold())
        lookups = [{by_username: creator}] if creator else []
        if entry and entry.email:
            lookups.append({"email__iexact": entry.email})
        if "@" in creator:
            lookups.append({"email__iexact": creator})
        user = None
        for lookup in lookups:
            found = list(User.objects.filter(**lookup)[:2])
            if len(found) == 1:  # an e-mail address two users share decides nothing
                user = found[0]
                break
        if user is None and fallback_user is not None:
            user = fallback_user
            summary.credited[_describe(creator, entry)] = fallback_user.get_username()
        if user is None:
            unmatched.append(_describe(creator, entry))
        users[creator] = user
    if unmatched:
        raise ExportError(
            "No user here matches these authors of the export: "
            f"{'; '.join(unmatched)}. Create users with those usernames or e-mail addresses, "
            "or pass --author USERNAME to credit their articles to one user."
        )
    with_profile = set(Author.objects.values_list("user", flat=True))
    without = sorted(
        user.get_username() for user in set(users.values()) if user.pk not in with_profile
    )
    if without:
        raise ExportError(
            "Articles can only be credited to people with an author profile, and these users "
            f"have none: {', '.join(without)}. Add one for each under Blog → Authors (their "
            "name as readers should see it), or pass --author with someone who has one."
        )
    return users


def _describe(creator, entry):
    if not creator:
        return "(no author given)"
    details = [entry.display_name, entry.email] if entry else []
    details = [detail for detail in details if detail and detail != creator]
    return f"{creator} ({', '.join(details)})" if details else creator


def _check(items):
    problems = []
    for item in items:
        if STATES[item.status] != "draft" and item.date is None:
            problems.append(f"{item} is {item.status} but has no publication date")
        if item.content is None:
            problems.append(f"{item} has no <content:encoded>, so no body at all")
        elif len(item.content) > MAX_BODY_CHARACTERS:
            problems.append(
                f"{item} has a body of {len(item.content):,} characters, more than the "
                f"{MAX_BODY_CHARACTERS:,} an article may have"
            )
    if problems:
        raise ExportError(
            "The export cannot be imported: "
            + "; ".join(problems[:10])
            + (f"; and {len(problems) - 10} more" if len(problems) > 10 else "")
            + "."
        )


class _Importer:
    def __init__(self, site, users, image_folder, summary):
        self.site = site or "the old site"
        self.users = users
        self.images = image_folder
        self.summary = summary
        self.claimed = {}  # post pk -> item, for the posts this run has made or updated

    def add(self, item):
        source = f"{self.site} #{item.post_id}"
        post = self._existing(source)
        fields = self._fields(item, post)
        topics = [topic for term in item.terms if (topic := self._topic(term))]
        if post is None:
            # Live on the old site, live here, waiting for its first review (as articles
            # live before reviews began); anything else waits for approval to go live.
            post = Post(imported_from=source, is_approved=STATES[item.status] == "live", **fields)
            self._save(post, item)
            post.topics.set(topics)
            self._keep_old_update_time(post, item)
            self.summary.created.append(post)
        else:
            changed = [name for name, value in fields.items() if getattr(post, name) != value]
            if {topic.pk for topic in topics} != set(post.topics.values_list("pk", flat=True)):
                changed.append("topics")
            if changed:
                for name, value in fields.items():
                    setattr(post, name, value)
                self._save(post, item)
                post.topics.set(topics)
                self.summary.updated.append((post, changed))
            else:
                self.summary.unchanged.append(post)
        self.claimed[post.pk] = item
        self._remember_old_paths(item, post)

    def _keep_old_update_time(self, post, item):
        """An old article was last changed on the old site, not today: readers, feeds and
        sitemaps would otherwise call every imported article freshly updated."""
        times = [time for time in (post.published_at, item.modified) if time]
        if times and max(times) <= timezone.now():
            post.updated_at = max(times)
            Post.objects.filter(pk=post.pk).update(updated_at=post.updated_at)

    def _existing(self, source):
        """The article an earlier import made of this item, if any."""
        return Post.objects.filter(imported_from=source).first()

    def _fields(self, item, post):
        missing = {}

        def bring_over(address):
            new, reason = self.images.bring_over(address)
            if new is None:
                missing[address] = reason
            else:
                self.summary.images_imported += 1
            return new

        try:
            converted = html_to_markdown(item.content, self.site, bring_over)
        except UnconvertibleHTML as error:
            raise ExportError(f"{item} cannot be imported: {error}.") from None
        except RecursionError:
            raise ExportError(f"{item} is too deeply nested to convert.") from None
        title = item.title or item.slug.replace("-", " ").capitalize()
        if not item.title:
            self.summary.notes.append(f"Note: {item} had no title; it is called “{title}” now.")
        title = Truncator(title).chars(TITLE_LENGTH)
        if missing:
            self.summary.missing_images.append((title, list(missing.items())))
        if converted.embeds:
            self.summary.embeds.append((title, converted.embeds))
        state = STATES[item.status]
        return {
            "title": title,
            "slug": self._free_slug(item, post),
            "summary": Truncator(plain_text(item.excerpt)).chars(SUMMARY_LENGTH),
            "body": converted.markdown,
            "author": self.users[item.creator],
            "published_at": None if state == "draft" else item.date,
        }

    def _free_slug(self, item, post):
        """The old slug, unless another article here has it: then the old id is added."""
        slug = item.slug
        holder = Post.objects.filter(slug=slug).exclude(pk=getattr(post, "pk", None)).first()
        if holder is None and slug not in RESERVED_SLUGS:
            return slug
        new = f"{slug[: 200 - len(item.post_id) - 1]}-{item.post_id}"
        if holder is None:
            why = "that address belongs to another page of this site"
        elif holder.imported_from:
            why = f"“{holder.title}” from another import is there"
        else:
            why = f"“{holder.title}”, written here, is there and is left as it is"
        self.summary.notes.append(f"Note: {item} is at /blog/{new}/, because {why}.")
        return new

    def _save(self, post, item):
        try:
            validate_markdown(post.body)
        except ValidationError as error:
            raise ExportError(f"{item} cannot be imported: {error.messages[0]}") from None
        try:
            post.full_clean(exclude=["body"])  # an old draft may have no text yet
        except ValidationError as error:
            problems = "; ".join(
                f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
            )
            raise ExportError(f"{item} cannot be imported ({problems}).") from None
        post.save()

    def _topic(self, term):
        name = (term.name or term.slug)[:TOPIC_LENGTH].strip()
        slug = (slugify(term.slug) or slugify(name))[:TOPIC_LENGTH].strip("-")
        if term.kind not in ("category", "post_tag") or not slug or slug == "uncategorized":
            return None  # "Uncategorized" is WordPress's default, not a topic anyone chose
        topic = (
            Topic.objects.filter(slug=slug).first()
            or Topic.objects.filter(name__iexact=name).first()
        )
        if topic is None:
            topic = Topic.objects.create(name=name, slug=slug)
            self.summary.topics_created += 1
        return topic

    def _remember_old_paths(self, item, post):
        for path in _old_paths(item):
            if len(path) > PATH_LENGTH:
                self.summary.notes.append(f"Note: {item}'s old address is too long to redirect.")
                continue
            old, created = OldPath.objects.get_or_create(path=path, defaults={"post": post})
            if created:
                self.summary.redirects += 1
            elif old.post_id != post.pk and old.post.imported_from:
                old.post = post
                old.save()
            elif old.post_id != post.pk:
                self.summary.notes.append(
                    f"Note: {path} already leads to “{old.post.title}”, written here; left so."
                )

    def add_to_series(self, title):
        """Add this import's articles, oldest first, to the series called `title` (which is
        made if there is none), after any parts it has; articles already in it stay put."""
        series = Series.objects.filter(title__iexact=title).first()
        if series is None:
            series = Series(title=title, slug=_free_series_slug(title))
            series.save()
        last = series.posts.order_by("-series_position").first()
        position = last.series_position if last else 0
        first = position + 1
        items = sorted(
            self.claimed.items(),
            key=lambda pair: (pair[1].date is None, pair[1].date or 0, pair[1].number),
        )
        for pk, _item in items:
            post = Post.objects.get(pk=pk)
            if post.series_id == series.pk:
                continue
            if post.series_id:
                self.summary.notes.append(
                    f"Note: “{post.title}” is part of “{post.series}” already; left there."
                )
                continue
            position += 1
            post.series, post.series_position = series, position
            post.save()
        added = position - first + 1
        parts = f"parts {first}–{position}" if added > 1 else f"part {position}"
        self.summary.series = (
            f"Series “{series.title}”: {added} article{'s' * (added != 1)} added as {parts}."
            if added
            else f"Series “{series.title}”: nothing to add."
        )


def _free_series_slug(title):
    base = slugify(title)[:190] or "series"
    slug, number = base, 1
    while Series.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def _old_paths(item):
    """The addresses the article had: its permalink, and WordPress's /?p=123 if it had one."""
    paths = []
    link = urlsplit(item.link)
    if item.link.startswith(("http://", "https://", "/")) and link.path.strip("/"):
        paths.append(normalize_old_path(unquote(link.path)))
    # Squarespace's guids are not addresses; WordPress's are https://oldsite.com/?p=123.
    for parts in (link, urlsplit(item.guid)):
        post_id = parse_qs(parts.query).get("p", [""])[0]
        if parts.scheme in ("http", "https", "") and post_id.isdigit():
            paths.append(f"/?p={post_id}")
    return list(dict.fromkeys(paths))
