import functools

from django.http import QueryDict


def public_page(view=None, *, query=()):
    """Marks a view's responses as the same for every anonymous visitor (so they may be shared).

    `query` names the query parameters the view reads, e.g. `@public_page(query=["page"])`.
    The view sees no others, and pages are cached by those alone: `?utm_source=…` or any made-up
    parameter gets the same cached page instead of a new render and a new entry.
    """
    if view is None:
        return functools.partial(public_page, query=query)
    read = frozenset(query)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        request.GET = _only(request.GET, read)
        response = view(request, *args, **kwargs)
        response.shareable = True
        return response

    wrapper.page_cache_query = read
    return wrapper


def _only(params, names):
    kept = QueryDict(mutable=True)
    for name in names & params.keys():
        kept.setlist(name, params.getlist(name))
    kept._mutable = False
    return kept
