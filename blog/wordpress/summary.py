"""What an import did, as the command reports it."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone


@dataclass
class Summary:
    dry_run: bool = False
    articles: int = 0
    created: list = field(default_factory=list)  # posts
    updated: list = field(default_factory=list)  # (post, names of what changed)
    unchanged: list = field(default_factory=list)  # posts
    skipped: dict = field(default_factory=lambda: defaultdict(list))  # reason -> names
    credited: dict = field(default_factory=dict)  # old author -> user credited instead
    topics_created: int = 0
    images_imported: int = 0
    missing_images: list = field(default_factory=list)  # (post title, [(address, reason)])
    embeds: list = field(default_factory=list)  # (post title, [address])
    redirects: int = 0
    series: str = ""
    notes: list = field(default_factory=list)

    def lines(self):
        lines = []
        if self.dry_run:
            lines.append("Dry run: nothing was saved. This is what the import would do:")
        lines.append(
            f"Articles: {len(self.created)} imported, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged (of {self.articles} in the export)."
        )
        for post in self.created:
            lines.append(f"  + “{post.title}” → {post.get_absolute_url()} ({_state(post)})")
        for post, changed in self.updated:
            lines.append(f"  ~ “{post.title}”: {', '.join(changed)} changed ({_state(post)})")
        count = sum(len(names) for names in self.skipped.values())
        lines.append(f"Skipped: {count} item{'s' * (count != 1)}, not imported.")
        for reason, names in self.skipped.items():
            titled = [name for name in names if name]
            listed = f" ({', '.join(titled)})" if titled and len(titled) <= 10 else ""
            lines.append(f"  - {reason}: {len(names)}{listed}")
        for old, user in self.credited.items():
            lines.append(f"Credited to {user} (no user here matches the old author): {old}")
        lines.append(f"Topics: {self.topics_created} new.")
        missing = sum(len(found) for _title, found in self.missing_images)
        lines.append(
            f"Images: {self.images_imported} brought over, {missing} could not be"
            + (" (add them in the editor, or run again with --media-dir):" if missing else ".")
        )
        for title, found in self.missing_images:
            lines.append(f"  “{title}”:")
            lines.extend(f"    - {address} — {reason}" for address, reason in found)
        if self.embeds:
            lines.append("Embedded videos and frames, now plain links (check these articles):")
            for title, addresses in self.embeds:
                lines.extend(f"  “{title}”: {address}" for address in addresses)
        lines.append(f"Redirects: {self.redirects} new old addresses now lead to their articles.")
        if self.series:
            lines.append(self.series)
        lines.extend(self.notes)
        return lines


def _state(post):
    if post.published_at is None:
        return "draft"
    local = timezone.localtime(post.published_at)
    when = f"{local.day} {local:%b %Y, %H:%M %Z}"
    return f"scheduled for {when}" if post.published_at > timezone.now() else f"live, {when}"
