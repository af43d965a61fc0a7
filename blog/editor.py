"""markdownx's editor endpoints, behind a staff permission check.

markdownx's own URLs are open to anonymous users, so we never include them.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest
from django.views.decorators.http import require_POST

from .markdown import render

# Anyone who may edit Markdown content somewhere may use the editor.
EDITOR_PERMISSIONS = ["flatpages.change_flatpage", "flatpages.add_flatpage"]


def can_use_editor(user):
    return (
        user.is_active
        and user.is_staff
        and any(user.has_perm(permission) for permission in EDITOR_PERMISSIONS)
    )


def editor_only(view):
    """403 for anyone who may not edit Markdown content (anonymous visitors included)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can_use_editor(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@require_POST
@editor_only
def preview(request):
    content = request.POST.get("content")
    if content is None:
        return HttpResponseBadRequest("Nothing to preview.")
    return HttpResponse(render(content))
