import re

from django.conf import settings


def practice(request):
    """The practice's contact details, for the header, footer and crisis notices."""
    return {"practice": practice_details()}


def practice_details():
    return {
        "name": settings.PRACTICE_NAME,
        "phone": settings.PRACTICE_PHONE,
        "phone_href": "tel:+1" + re.sub(r"\D", "", settings.PRACTICE_PHONE)[-10:],
        "email": settings.PRACTICE_EMAIL,
        "address": settings.PRACTICE_ADDRESS,
    }


def canonical_url(request):
    """This page's address without tracking or other query strings (keeping ?page=N)."""
    url = request.build_absolute_uri(request.path)
    page = request.GET.get("page", "")
    if page.isdigit() and page != "1":
        url += f"?page={page}"
    return {"canonical_url": url}
