from http import HTTPStatus

from django.conf import settings
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from . import abuse, services
from .forms import ConsultationForm

RATE_LIMITED = (
    "We have already received several requests from your connection recently, so this "
    "one was not sent. Please call us on {phone}, or try again later."
)


@sensitive_post_parameters()  # error reports never include what the visitor typed
@never_cache
def request_form(request):
    status = HTTPStatus.OK
    if request.method == "POST":
        form = ConsultationForm(request.POST)
        if form.looks_automated:
            return redirect("consultations:thanks")  # a bot is thanked, and nothing is stored
        if form.is_valid():
            try:
                services.receive(form, abuse.client_key(request), request.build_absolute_uri("/"))
            except services.RateLimited:
                form.add_error(None, RATE_LIMITED.format(phone=settings.PRACTICE_PHONE))
                status = HTTPStatus.TOO_MANY_REQUESTS
            else:
                return redirect("consultations:thanks")
    else:
        form = ConsultationForm(initial={"source": request.GET.get("from", "")[:200]})
    return render(request, "consultations/request_form.html", {"form": form}, status=status)


@never_cache
def thanks(request):
    return render(request, "consultations/request_thanks.html")
