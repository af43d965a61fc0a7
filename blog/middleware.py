from django.http import HttpResponsePermanentRedirect

from .models import OldPath, Post, normalize_old_path


class OldPathRedirectMiddleware:
    """Send visitors who follow a link to the previous website's address on to the article.

    Like django.contrib.redirects' fallback, it only looks at GET and HEAD requests that would
    otherwise be "not found", so it never hides a page of this site and costs nothing on the
    pages that exist. WordPress's own short links (/?p=123) land on our home page instead of a
    404, so those are looked up first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        post_id = request.GET.get("p", "")
        if request.path_info == "/" and post_id.isdigit():
            redirect = self._redirect(request, f"/?p={post_id}")
            if redirect:
                return redirect
        response = self.get_response(request)
        if response.status_code != 404:
            return response
        return self._redirect(request, normalize_old_path(request.path_info)) or response

    def _redirect(self, request, path):
        if "\x00" in path:
            return None  # never stored, and PostgreSQL refuses NUL in text: not found, not an error
        old = (
            OldPath.objects.filter(path=path, post__in=Post.objects.published())
            .select_related("post")
            .first()
        )
        if old is None:
            return None
        target = old.post.get_absolute_url()
        if target == request.path:
            return None  # the article itself is not found here: never redirect in a circle
        return HttpResponsePermanentRedirect(target)
