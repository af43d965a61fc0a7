from datetime import datetime
from http import HTTPStatus
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

import licensing

from . import abuse, booking, calls, eligibility, reports, services
from .forms import TIME_NOT_FREE, ConsultationForm, NewCallTimeForm, when
from .models import CallTaker, TurnedAway

THANKS_SALT = "consultations.thanks"

RATE_LIMITED = (
    "We have already received several requests from your connection recently, so this "
    "one was not sent. Please call us on {phone}, or try again later."
)


@sensitive_post_parameters()  # error reports never include what the visitor typed
@never_cache
def request_form(request):
    status = HTTPStatus.OK
    if request.method == "POST" and "later_days" in request.POST:
        # "Show later days": the same form, everything typed kept, with every day's times.
        form = ConsultationForm(initial=ConsultationForm.initial_from(request.POST), all_days=True)
    elif request.method == "POST":
        form = ConsultationForm(request.POST)
        if form.looks_automated:
            return redirect("consultations:thanks")  # a bot is thanked, and nothing is stored
        reason = form.turned_away()
        if reason:
            # Answered here, not redirected: the place and age never appear in an address.
            return not_a_fit_here(request, reason, form.place())
        received = services.already_received(form)
        if received:  # a double click or a retry: its time is taken, by this very request
            return redirect(thanks_address(received))
        if form.is_valid():
            try:
                consultation = services.receive(
                    form, abuse.client_key(request), request.build_absolute_uri("/")
                )
            except services.RateLimited:
                form.add_error(None, RATE_LIMITED.format(phone=settings.PRACTICE_PHONE))
                status = HTTPStatus.TOO_MANY_REQUESTS
            except booking.TimeTaken:
                # Taken a moment ago by someone else: the form again, with the times free now
                # (the chosen one is no longer among them).
                form = ConsultationForm(request.POST)
                if form.is_valid():  # nobody has a free time left at all
                    form.add_error(None, TIME_NOT_FREE)
            else:
                return redirect(thanks_address(consultation))
        if form.has_error("call_time", "not_free") or TIME_NOT_FREE in form.non_field_errors():
            status = HTTPStatus.CONFLICT
    else:
        form = ConsultationForm(initial={"source": request.GET.get("from", "")[:200]})
    context = {"form": form, "response_hours": reports.usual_response_hours()}
    return render(request, "consultations/request_form.html", context, status=status)


def not_a_fit_here(request, reason, place):
    """Someone the practice cannot see (another state, under 18): nothing about them is kept,
    only one more visit counted for the day; they get referrals and the crisis line."""
    eligibility.count_visit(reason)
    context = {
        "under_18": reason == TurnedAway.UNDER_18,
        "place_name": licensing.place_name(place) if place else None,
        "outside_us": place == licensing.OUTSIDE_US,
        "served": eligibility.served_in_words(),
        "referrals": eligibility.referrals(place, reason),
    }
    return render(request, "consultations/not_a_fit_here.html", context)


def thanks_address(consultation):
    """The thank-you page, saying when the call is if one was booked (signed, so the page
    only ever shows a time this site booked)."""
    address = reverse("consultations:thanks")
    if consultation.call_at:
        call_at = timezone.localtime(consultation.call_at)
        booked = signing.dumps(call_at.isoformat(), salt=THANKS_SALT)
        address += "?" + urlencode({"call": booked})
    return address


@never_cache
def thanks(request):
    try:
        booked = signing.loads(request.GET.get("call", ""), salt=THANKS_SALT, max_age=86400)
        call_at = when(datetime.fromisoformat(booked))
    except (signing.BadSignature, TypeError, ValueError):
        call_at = None
    context = {
        "call_at": call_at,
        "zone_name": booking.zone_name(),
        "response_hours": reports.usual_response_hours(),
    }
    return render(request, "consultations/request_thanks.html", context)


@sensitive_post_parameters()
@never_cache
def change_call(request, token):
    """The link in the visitor's confirmation: their booked time, another free time, or cancel."""
    try:
        consultation = calls.from_change_token(token)
    except calls.LinkNotValid:
        return render(request, "consultations/call_link_not_valid.html", status=HTTPStatus.GONE)
    status = HTTPStatus.OK
    if "later_days" in request.POST:
        form = NewCallTimeForm(booked=consultation, all_days=True)
    else:
        form = NewCallTimeForm(request.POST or None, booked=consultation)
    if "cancel" in request.POST:
        with transaction.atomic():
            calls.cancel(consultation, request.build_absolute_uri("/"))
        return redirect("consultations:call_cancelled")
    if form.is_valid():
        try:
            with transaction.atomic():
                calls.move(
                    consultation, form.cleaned_data["call_time"], request.build_absolute_uri("/")
                )
        except booking.TimeTaken:
            consultation.refresh_from_db()  # as it was: nothing was changed
            form = NewCallTimeForm(request.POST, booked=consultation)
            form.is_valid()
        else:
            return redirect(thanks_address(consultation))
    if form.has_error("call_time", "not_free"):
        status = HTTPStatus.CONFLICT
    context = {"form": form, "booked": when(consultation.call_at), "zone_name": booking.zone_name()}
    return render(request, "consultations/change_call.html", context, status=status)


@never_cache
def call_cancelled(request):
    return render(request, "consultations/call_cancelled.html")


@never_cache
def calendar_feed(request, token):
    """A staff member's calls for their calendar app; the secret address is the key."""
    taker = get_object_or_404(CallTaker, calendar_token=token, user__is_active=True)
    return HttpResponse(calls.staff_calendar(taker), content_type="text/calendar; charset=utf-8")
