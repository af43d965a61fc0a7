from ipaddress import IPv6Address, ip_address, ip_network

from django.conf import settings

# An ISP hands each home or phone an IPv6 /64 (2^64 addresses), so one visitor can use a new
# address for every request; per-visitor limits count the whole /64 as one.
IPV6_VISITOR_PREFIX = 64


def client_address(request):
    """The visitor's address: from our own reverse proxy's header when one is configured.

    Only DJANGO_CLIENT_IP_HEADER is trusted; a header a client sends itself is ignored.
    Used by the audit log, and through client_network by the limits.
    """
    header = settings.CLIENT_IP_HEADER
    if header:
        forwarded = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
        # With X-Forwarded-For, the last address is the one our proxy saw.
        address = forwarded.split(",")[-1].strip()
        if address:
            return address
    return request.META.get("REMOTE_ADDR", "")


def client_network(request):
    """What per-visitor limits count as one visitor: an IPv4 address, or an IPv6 address's /64
    (written as the /64's first address, so it still reads, and is stored, as an address).

    Used by the sign-in throttle and the consultation form's rate limit.
    """
    address = client_address(request)
    try:
        parsed = ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, IPv6Address):
        if parsed.ipv4_mapped:  # ::ffff:192.0.2.1 is the IPv4 visitor 192.0.2.1
            return str(parsed.ipv4_mapped)
        return str(ip_network(f"{parsed}/{IPV6_VISITOR_PREFIX}", strict=False).network_address)
    return str(parsed)
