from csp.middleware import CSPMiddleware


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """The strict site-wide policy, plus data: images inside the admin.

    Django's admin and the markdownx editor need no inline script or style, but the editor's
    drag-and-drop shows a data: thumbnail while an image uploads.
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if request.path_info.startswith("/admin/") and not report_only:
            parts.update = {**(parts.update or {}), "img-src": ["'self'", "data:"]}
        return parts
