import json
import re

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

# The same escapes as Django's json_script, so no "</script>" can end the block early.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def jsonld(data):
    """Structured data for search engines: a JSON-LD data block, which is never executed."""
    payload = json.dumps(data, cls=DjangoJSONEncoder).translate(JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))


# A link whose text is its own address (`<https://…>` in Markdown, a bare address in the
# references). On paper each link's address follows it (static/css/site.css); not this one's.
BARE_LINK = re.compile(r'<a href="(https?://[^"]+)"([^>]*)>\1</a>')


@register.filter
def mark_bare_links(stored_html):
    """An article's stored, sanitized HTML (never anything else) with its bare links marked."""
    return mark_safe(BARE_LINK.sub(r'<a class="bare-link" href="\1"\2>\1</a>', stored_html))
