import json

from django import template
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html, linebreaks
from django.utils.safestring import mark_safe

from blog.markdown import render

register = template.Library()

# The same escapes as Django's json_script, so no "</script>" can end the block early.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter(name="markdown")
def markdown_filter(text):
    """Markdown to sanitized HTML, for editable pages (articles store theirs on save).

    A page saved before the renderer's limits existed, and over them, shows as plain text.
    """
    try:
        return mark_safe(render(str(text)))  # render() sanitizes with an allowlist
    except ValidationError:
        return linebreaks(text, autoescape=True)


@register.filter
def jsonld(data):
    """Structured data for search engines: a JSON-LD data block, which is never executed."""
    payload = json.dumps(data, cls=DjangoJSONEncoder).translate(JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))
