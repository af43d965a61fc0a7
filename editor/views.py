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
from django.utils.html import format_html
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from images.uploads import store_editor_image
from staff.admin_site import is_verified_staff

from .checks import ALT_TEXT_PLACEHOLDER
from .markdown import MAX_CHARACTERS, render

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
    return is_verified_staff(user) and user.has_perm("blog.change_post")


def editor_only(view):
    """403 for anyone who may not edit Markdown content (anonymous visitors included)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can_use_editor(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@csrf_exempt  # checked by csrf_protect once the body is read, as for upload() below
@require_POST
@editor_only
def preview(request):
    """The editor's live preview. markdownx shows whatever comes back, so a refusal is a message
    in place of the preview (with a 400 status for anything else that asks)."""
    try:
        content = request.POST.get("content")
    except UNREADABLE_BODY_ERRORS:
        return _preview_error(
            f"This text is too long to preview. An article may have at most "
            f"{MAX_CHARACTERS:,} characters."
        )
    return _preview(request, content)


@csrf_protect
def _preview(request, content):
    if content is None:
        return HttpResponseBadRequest("Nothing to preview.")
    try:
        return HttpResponse(render(content))
    except ValidationError as error:
        return _preview_error(error.messages[0])


def _preview_error(message):
    return HttpResponseBadRequest(format_html('<p class="errornote" role="alert">{}</p>', message))


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
