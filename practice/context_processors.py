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
