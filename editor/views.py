"""markdownx's editor endpoints, behind a staff permission check.

markdownx's own URLs are open to anonymous users, so we never include them.
"""

import json
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
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from images.uploads import store_editor_image
from staff.admin_site import is_verified_staff

from .checks import ALT_TEXT_PLACEHOLDER
from .markdown import MAX_CHARACTERS, render
from .models import Autosave

# An article's form has about a dozen text fields; anything far beyond is not an editor.
MAX_AUTOSAVE_FIELDS = 40

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


@require_POST
@editor_only
def autosave(request):
    """Keep the signed-in clinician's unsaved text for one admin page; never touches the page's
    article or page itself. `discard=1` drops the copy. 403 once the session has expired (the
    editor then keeps its copy in the browser)."""
    key = request.POST.get("key", "")
    if not key.startswith("/admin/") or len(key) > Autosave._meta.get_field("key").max_length:
        return HttpResponseBadRequest("Which page is this copy from?")
    Autosave.objects.expired().delete()
    if request.POST.get("discard"):
        Autosave.objects.filter(user=request.user, key=key).delete()
        return JsonResponse({"discarded": True})
    try:
        fields = json.loads(request.POST.get("fields", ""))
    except ValueError:
        fields = None
    if not (
        isinstance(fields, dict)
        and len(fields) <= MAX_AUTOSAVE_FIELDS
        and all(isinstance(v, str) for v in fields.values())
    ):
        return HttpResponseBadRequest("The copy should name each field with its text.")
    copy, _created = Autosave.objects.update_or_create(
        user=request.user, key=key, defaults={"fields": fields, "saved_at": timezone.now()}
    )
    return JsonResponse({"saved_at": copy.saved_at.isoformat()})
