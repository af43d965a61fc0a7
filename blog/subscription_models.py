"""Readers' e-mail: who asked to hear about new articles, and which articles were announced.

A subscriber list reveals an interest in mental-health treatment, so a Subscriber is only an
address, what it asked for, and one time: when it asked (kept only until it confirms, for the
7-day cleanup) or when it confirmed. Nothing else about the reader is stored; unsubscribing
deletes the row. blog/subscriptions.py holds the rules.
"""

from django.db import models
from django.db.models import Q
from django.urls import reverse


class SubscriberQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(confirmed_at__isnull=False)

    def unconfirmed(self):
        return self.filter(confirmed_at__isnull=True)

    def for_post(self, post):
        """Confirmed subscribers who want `post`: those of its series and of new articles."""
        wanted = Q(series__isnull=True)
        if post.series_id:
            wanted |= Q(series=post.series_id)
        return self.confirmed().filter(wanted)


class Subscriber(models.Model):
    email = models.EmailField(max_length=254, help_text="Lower-case, as typed otherwise.")
    series = models.ForeignKey(
        "blog.Series",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="subscribers",
        help_text="Empty: every new article.",
    )
    # Exactly one of the two is set: asked_at until the link in the confirmation e-mail is
    # followed (unconfirmed rows are deleted 7 days after it), then only confirmed_at.
    asked_at = models.DateTimeField(null=True, blank=True, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["email", "series__title"]
        verbose_name = "reader subscribed by e-mail"
        verbose_name_plural = "readers subscribed by e-mail"
        constraints = [
            # Two constraints: a unique (email, series) pair lets NULL series repeat.
            models.UniqueConstraint(
                fields=["email", "series"],
                condition=Q(series__isnull=False),
                name="%(app_label)s_%(class)s_once_per_series",
            ),
            models.UniqueConstraint(
                fields=["email"],
                condition=Q(series__isnull=True),
                name="%(app_label)s_%(class)s_once_for_new_articles",
            ),
            models.CheckConstraint(
                condition=Q(asked_at__isnull=False, confirmed_at__isnull=True)
                | Q(asked_at__isnull=True, confirmed_at__isnull=False),
                name="%(app_label)s_%(class)s_asked_or_confirmed",
            ),
        ]

    def __str__(self):
        return f"{self.email}: {self.subscribed_to}"

    def get_absolute_url(self):
        return reverse("blog:subscribe") + (f"?series={self.series.slug}" if self.series else "")

    @property
    def subscribed_to(self):
        return f"“{self.series}”" if self.series_id else "new articles"


class Announcement(models.Model):
    """An article announced to its subscribers. One row per article, ever: the row and the
    e-mails are written in one transaction, and a second process trying the same article
    fails on the primary key, so nobody gets an article twice."""

    post = models.OneToOneField(
        "blog.Post", on_delete=models.CASCADE, primary_key=True, related_name="announcement"
    )
    announced_at = models.DateTimeField()
    recipients = models.PositiveIntegerField(
        default=0, help_text="How many e-mails went out (0 for articles live before e-mail)."
    )

    def __str__(self):
        return f"{self.post} announced to {self.recipients}"

    def get_absolute_url(self):
        return self.post.get_absolute_url()
