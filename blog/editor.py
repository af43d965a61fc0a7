"""markdownx's editor endpoints, behind a staff permission check.

markdownx's own URLs are open to anonymous users, so we never include them.
"""

from functools import wraps

from django.core.exceptions import (
    BadRequest,
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
    ValidationError,
)
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from .images import store_editor_image
from .markdown import render

# Alt text the editor inserts with an uploaded image: visibly unfinished, so the clinician
# replaces it and a check can find any left behind (empty alt would silently mean "decorative").
ALT_TEXT_PLACEHOLDER = "Describe this image"

# What reading a request body can raise: Django's size and count limits, a malformed or
# interrupted upload.
UNREADABLE_BODY_ERRORS = (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
    MultiPartParserError,
    UnreadablePostError,
    BadRequest,
)


def can_use_editor(user):
    # Clinicians (who edit articles and pages) may use the editor; front desk may not.
    return user.is_active and user.is_staff and user.has_perm("blog.change_post")


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


# CSRF is still checked, by csrf_protect below, but only once the body has been read here:
# the middleware would read it first, and Django's limits would then answer with an HTML page
# that markdownx's JavaScript cannot parse.
@csrf_exempt
@require_POST
@editor_only
def upload(request):
    """markdownx's drag-and-drop upload: 200 {"image_code": "![…](url)"}, or 400 {"error": …}.

    markdownx's JavaScript passes a rejection's JSON to its `markdownx.fileUploadError` event.
    """
    try:
        image = request.FILES.get("image")
    except UNREADABLE_BODY_ERRORS:
        return _upload_error(
            "This upload could not be received. Please try again with one JPEG, PNG or WebP "
            "image under 5 MB."
        )
    return _store_upload(request, image)


@csrf_protect
def _store_upload(request, image):
    if image is None:
        return _upload_error("No image was received. Please choose an image to upload.")
    try:
        url = store_editor_image(image)
    except ValidationError as error:
        return _upload_error(error.messages[0])
    return JsonResponse({"image_code": f"![{ALT_TEXT_PLACEHOLDER}]({url})"})


def _upload_error(message):
    return JsonResponse({"error": message}, status=400)
