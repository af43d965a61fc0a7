"""Readers' e-mail: "E-mail me when the next part is out" and "E-mail me new articles".

- **Double opt-in.** subscribe() stores the address unconfirmed and queues one e-mail with a
  signed link (valid CONFIRM_WITHIN); nothing else is ever sent to it until the link is followed
  and the button on its page pressed (mail systems' link checkers open links, but press nothing).
  Unconfirmed addresses are deleted CONFIRM_WITHIN after they asked (forget_unconfirmed()).
- **One e-mail per article per reader.** announce_due(), run every minute by
  `manage.py send_article_mail`, announces each article that has gone live: in one transaction
  it writes the article's Announcement (one per article, ever) and queues one e-mail per
  confirmed address that wants it (its series' subscribers and those of new articles; an
  address subscribed to both gets one). A second process announcing the same article at the same
  moment fails on the Announcement's key and rolls back, queueing nothing. An edit never
  announces: the article is announced already.
- **Unsubscribing** takes one request, from the link or the mail program's button (RFC 8058),
  and deletes the address's rows at once, with any of its reader mail still in the outbox.

Links in e-mails carry signed subscriber ids, never the address itself: they end up in web
server logs.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

import outbox

from .models import Announcement, Post, Subscriber

logger = logging.getLogger(__name__)

CONFIRM_WITHIN = timedelta(days=7)
# A confirmation e-mail goes at most this often to one address for one subscription, so the
# form cannot be used to flood someone's inbox.
RESEND_AFTER = timedelta(hours=1)
# An article whose publication time is further back than this when it goes live is not
# announced: one imported from an old site, or one missed while the command did not run.
ANNOUNCE_WITHIN = timedelta(days=7)
CONFIRM_SALT = "blog.subscriptions.confirm"
UNSUBSCRIBE_SALT = "blog.subscriptions.unsubscribe"


def normalise(email):
    return email.strip().lower()


def site_url(path):
    return settings.PRACTICE_URL.rstrip("/") + path


# --- Subscribing -----------------------------------------------------------------------------


def subscribe(email, series=None):
    """Ask for new articles (or `series`' new parts) at `email`: the unconfirmed row and the
    confirmation e-mail, in one transaction. An address already confirmed gets nothing; one
    already waiting gets the e-mail again at most every RESEND_AFTER. The caller says "check
    your e-mail" whatever happened, so nobody learns who subscribes."""
    email = normalise(email)
    now = timezone.now()
    try:
        with transaction.atomic():
            subscriber, created = Subscriber.objects.select_for_update().get_or_create(
                email=email, series=series, defaults={"asked_at": now}
            )
            if subscriber.confirmed_at:
                return
            if not created:
                if subscriber.asked_at > now - RESEND_AFTER:
                    return
                subscriber.asked_at = now  # the 7 days start again with the new link
                subscriber.save(update_fields=["asked_at"])
            send_confirmation(subscriber)
    except IntegrityError:
        return  # the same address, a moment ago, from another request: its e-mail is on the way


def confirm_url(subscriber):
    token = signing.dumps(subscriber.pk, salt=CONFIRM_SALT)
    return site_url(reverse("blog:subscribe_confirm", args=[token]))


def send_confirmation(subscriber):
    context = {
        "subscriber": subscriber,
        "confirm_url": confirm_url(subscriber),
        "days": CONFIRM_WITHIN.days,
    }
    send_reader_mail(
        [subscriber],
        f"Please confirm: e-mail about {subscriber.subscribed_to}",
        "blog/email/confirm.txt",
        context,
    )


def subscriber_to_confirm(token):
    """The Subscriber a confirmation link names, or None for a link that is not ours, too old,
    or whose address has been deleted since."""
    try:
        pk = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_WITHIN)
    except signing.BadSignature:  # SignatureExpired too
        return None
    return Subscriber.objects.select_related("series").filter(pk=pk).first()


def confirm(subscriber):
    """Confirm `subscriber` (found by subscriber_to_confirm()); confirming twice is fine. The
    Subscriber as it is now, or None if it was deleted meanwhile."""
    Subscriber.objects.filter(pk=subscriber.pk, confirmed_at__isnull=True).update(
        confirmed_at=timezone.now(),
        asked_at=None,  # needed only until now
    )
    return Subscriber.objects.select_related("series").filter(pk=subscriber.pk).first()


def forget_unconfirmed(now=None):
    """Delete addresses that did not confirm within CONFIRM_WITHIN; how many went."""
    now = now or timezone.now()
    with transaction.atomic():
        expired = Subscriber.objects.unconfirmed().filter(asked_at__lte=now - CONFIRM_WITHIN)
        return remove(expired)


# --- Unsubscribing ---------------------------------------------------------------------------


def unsubscribe_url(subscribers):
    """The link that stops the e-mail sent because of `subscribers` (one address's rows)."""
    token = signing.dumps(sorted(s.pk for s in subscribers), salt=UNSUBSCRIBE_SALT)
    return site_url(reverse("blog:unsubscribe", args=[token]))


def read_unsubscribe_token(token):
    """The subscriber ids an unsubscribe link names (it never expires), or None if not ours."""
    try:
        pks = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(pks, list) or not all(isinstance(pk, int) for pk in pks):
        return None
    return pks


def subscribed_to(pks):
    """What the subscriptions `pks` are about, in words ("new articles", "“Series”")."""
    return [s.subscribed_to for s in Subscriber.objects.filter(pk__in=pks).select_related("series")]


def unsubscribe(pks):
    """Delete the subscriptions `pks` (from an unsubscribe link) at once; what they were
    subscribed to, for the page to say (empty when they were gone already)."""
    with transaction.atomic():
        removed = subscribed_to(pks)
        remove(Subscriber.objects.filter(pk__in=pks))
    return removed


def remove(subscribers):
    """Delete `subscribers` (a queryset), and the reader mail still in the outbox for each
    address left with no subscription: nothing more goes to them, and the outbox keeps no
    trace of what they read. Returns how many subscriptions went."""
    addresses = set(subscribers.values_list("email", flat=True))
    count, _ = subscribers.delete()
    for address in addresses:
        if not Subscriber.objects.filter(email=address).exists():
            outbox.forget(address, list_mail_only=True)
    return count


# --- Announcing ------------------------------------------------------------------------------


def posts_to_announce(now=None):
    """Published articles not announced yet that went live within ANNOUNCE_WITHIN."""
    now = now or timezone.now()
    return (
        Post.objects.published()
        .filter(announcement__isnull=True, published_at__gte=now - ANNOUNCE_WITHIN)
        .select_related("series")
        .order_by("published_at", "pk")
    )


def announce_due():
    """Announce every article that is due: {post: e-mails queued}, with None for an article
    another process announced meanwhile."""
    return {post: announce(post) for post in posts_to_announce()}


def announce(post):
    """Queue `post`'s e-mail to each address that wants it, once; how many were queued, or None
    when another process announced it first."""
    by_address = {}
    for subscriber in Subscriber.objects.for_post(post).select_related("series"):
        by_address.setdefault(subscriber.email, []).append(subscriber)
    try:
        with transaction.atomic():
            # First: a second process stops here (on PostgreSQL, once the first commits).
            Announcement.objects.create(
                post=post, announced_at=timezone.now(), recipients=len(by_address)
            )
            for subscribers in by_address.values():
                send_announcement(post, subscribers)
    except IntegrityError:
        return None
    logger.info("Article #%s announced: %s e-mail(s) queued.", post.pk, len(by_address))
    return len(by_address)


def send_announcement(post, subscribers):
    series = post.series if post.series_id else None
    subject = f"New in “{series}”: {post.title}" if series else f"New article: {post.title}"
    context = {
        "post": post,
        "post_url": site_url(post.get_absolute_url()),
        "series": series,
        "subscribed_to": [subscriber.subscribed_to for subscriber in subscribers],
    }
    send_reader_mail(subscribers, subject, "blog/email/announcement.txt", context)


def send_reader_mail(subscribers, subject, template, context):
    """One plain-text e-mail to the address of `subscribers` (rows of one address), with the
    one-click unsubscribe of RFC 8058 for exactly those rows. Plain text: no images, no
    tracking, links as they are."""
    unsubscribe = unsubscribe_url(subscribers)
    body = render_to_string(
        template,
        {**context, "unsubscribe_url": unsubscribe, "practice_name": settings.PRACTICE_NAME},
    )
    outbox.send(
        subscribers[0].email,
        subject,
        body,
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
        holds_visitor_data=True,  # that this address reads about therapy
    )
