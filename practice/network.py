from django.conf import settings


def client_address(request):
    """The visitor's address: from our own reverse proxy's header when one is configured.

    Only DJANGO_CLIENT_IP_HEADER is trusted; a header a client sends itself is ignored.
    Used by the sign-in throttle, the audit log and the consultation rate limit.
    """
    header = settings.CLIENT_IP_HEADER
    if header:
        forwarded = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
        # With X-Forwarded-For, the last address is the one our proxy saw.
        address = forwarded.split(",")[-1].strip()
        if address:
            return address
    return request.META.get("REMOTE_ADDR", "")
