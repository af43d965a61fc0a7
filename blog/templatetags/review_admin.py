from django import template

from blog import review

register = template.Library()


@register.inclusion_tag("admin/blog/review_summary.html", takes_context=True)
def review_summary(context):
    """The review queue on the admin home, for clinicians who can see articles."""
    if not context["request"].user.has_perm("blog.view_post"):
        return {"show": False}
    return {"show": True, **review.queue_counts()}
