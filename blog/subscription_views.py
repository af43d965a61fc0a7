"""The pages of readers' e-mail: the form, "check your e-mail", the confirmation link and the
unsubscribe link. Never cached (they are not @public_page): the form carries a CSRF token, and
the links are one reader's. Public pages only link here (blog/subscriptions.py has the rules)."""

from http import HTTPStatus

from django import forms
from django.core.cache import cache
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.crypto import salted_hmac
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from staff.network import client_network

from . import subscriptions
from .models import Series

# Sends of the form one network (an IPv6 /64) may make per hour: each can e-mail an address.
SENDS_PER_HOUR = 10


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label="Your e-mail address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    # The honeypot: hidden from people (the template keeps it out of sight), filled in by bots.
    website = forms.CharField(required=False, label="Leave this empty")


def too_many_sends(request):
    """Counts this network's sends in the cache, under a keyed hash (no address is stored)."""
    key = "blog-subscribe:" + salted_hmac("blog-subscribe", client_network(request)).hexdigest()
    try:
        cache.add(key, 0, timeout=3600)
        return cache.incr(key) > SENDS_PER_HOUR
    except Exception:  # noqa: BLE001 - a cache that cannot count must not stop a reader
        return False


@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "POST"])
def subscribe(request):
    slug = request.GET.get("series")
    series = get_object_or_404(Series.objects.with_published_parts(), slug=slug) if slug else None
    form = SubscribeForm(request.POST if request.method == "POST" else None)
    status = HTTPStatus.OK
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["website"]:
            return redirect("blog:subscribe_sent")  # a bot: thanked, nothing stored or sent
        if too_many_sends(request):
            status = HTTPStatus.TOO_MANY_REQUESTS
            form.add_error(None, "Too many requests from your connection. Please try later.")
        else:
            subscriptions.subscribe(form.cleaned_data["email"], series)
            return redirect("blog:subscribe_sent")
    context = {"form": form, "series": series, "days": subscriptions.CONFIRM_WITHIN.days}
    return render(request, "blog/subscribe_form.html", context, status=status)


@never_cache
def subscribe_sent(request):
    return render(request, "blog/subscribe_sent.html", {"days": subscriptions.CONFIRM_WITHIN.days})


@never_cache
@require_http_methods(["GET", "POST"])
def subscribe_confirm(request, token):
    """GET shows a button (link checkers in mail systems open links); POST confirms."""
    subscriber = subscriptions.subscriber_to_confirm(token)
    if subscriber and request.method == "POST":
        subscriber = subscriptions.confirm(subscriber)
    context = {"subscriber": subscriber, "days": subscriptions.CONFIRM_WITHIN.days}
    status = HTTPStatus.OK if subscriber else HTTPStatus.NOT_FOUND
    return render(request, "blog/subscribe_confirm.html", context, status=status)


@csrf_exempt  # RFC 8058: mail programs POST here, with no page and no cookie
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET asks (link checkers in mail systems follow links); POST, from the page's button or a
    mail program's one-click unsubscribe, deletes the subscription at once."""
    pks = subscriptions.read_unsubscribe_token(token)
    if pks is None:
        context = {"invalid": True}
        return render(request, "blog/unsubscribe.html", context, status=HTTPStatus.NOT_FOUND)
    if request.method == "POST":
        removed = subscriptions.unsubscribe(pks)
        return render(request, "blog/unsubscribe.html", {"done": True, "removed": removed})
    subscribed_to = subscriptions.subscribed_to(pks)
    return render(request, "blog/unsubscribe.html", {"subscribed_to": subscribed_to})
