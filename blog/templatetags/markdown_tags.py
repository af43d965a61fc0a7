from django import template
from django.utils.safestring import mark_safe

from blog.markdown import render

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text):
    """Markdown to sanitized HTML, for editable pages (articles store theirs on save)."""
    return mark_safe(render(str(text)))  # render() sanitizes with an allowlist
