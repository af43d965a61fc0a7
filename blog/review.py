"""A second clinician's review: approving an article makes it public, and readers see who
reviewed it and when. Reviews are due again BLOG_REVIEW_MONTHS later, and any change to what was
reviewed puts the article back in the queue (it stays live meanwhile)."""

from calendar import monthrange
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from .models import Post


def why_not(author, reviewer):
    """Why `reviewer` may not approve an article by `author`, in their words; None if they may."""
    if author == reviewer:
        return (
            "You wrote this article, so another clinician must review it: that is what tells "
            "readers it was checked by someone else."
        )
    if not hasattr(reviewer, "author_profile"):
        return (
            "Readers see who reviewed an article, by their author profile: add yours under "
            "Blog → Authors first."
        )
    return None


def approve(post, reviewer, now=None):
    """Record `reviewer`'s approval of `post` (it may then be public), or raise ValidationError
    saying why not."""
    refusal = why_not(post.author, reviewer)
    if refusal:
        raise ValidationError(refusal)
    now = now or timezone.now()
    post.is_approved = True
    post.reviewed_by = reviewer
    post.reviewed_at = now
    post.review_by = months_after(timezone.localdate(now), settings.BLOG_REVIEW_MONTHS)
    post.save()


def months_after(day, months):
    """The same day `months` later (the month's last day when it has no such day)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def queue_counts(today=None):
    """What the admin home shows: how many articles wait for a first review, changed since
    theirs, or are due for the next."""
    posts = Post.objects.all()
    return {
        "waiting": posts.waiting_for_review().count(),
        "changed": posts.changed_since_review().count(),
        "due": posts.review_due(today).count(),
    }


def status(post, long=False):
    """Where an article stands with its review, as the admin shows it (`long` on its page)."""
    if post.reviewed_at is None:
        note = " It may go live only once another clinician approves it." if long else ""
        if post.is_approved:
            note = " It was live before reviews began, and stays live." if long else " (live)"
        return f"Waiting for review.{note}"
    reviewer = post.reviewer or post.reviewed_by
    reviewed = f"Reviewed by {reviewer} on {date_format(timezone.localtime(post.reviewed_at))}"
    if post.changed_since_review:
        return f"{reviewed}; changed since, waiting for a new review."
    if post.review_by and post.review_by <= timezone.localdate():
        return f"{reviewed}; review due since {date_format(post.review_by)}."
    due = f", next review by {date_format(post.review_by)}" if post.review_by and long else ""
    return f"{reviewed}{due}."


def date_format(moment):
    """'3 October 2026'."""
    return f"{moment.day} {moment:%B %Y}"
