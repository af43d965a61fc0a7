from django import template
from django.db.models import Count, Q
from post_office.models import STATUS, Email

from outbox.delivery import WAITING

register = template.Library()


@register.inclusion_tag("admin/outbox/mail_summary.html", takes_context=True)
def mail_summary(context):
    """How many e-mails failed and how many wait, for staff allowed to see queued mail."""
    if not context["request"].user.has_perm("post_office.view_email"):
        return {"show": False}
    counts = Email.objects.aggregate(
        failed=Count("pk", filter=Q(status=STATUS.failed)),
        waiting=Count("pk", filter=Q(status__in=WAITING)),
    )
    return {
        "show": True,
        **counts,
        "failed_query": f"status__exact={STATUS.failed}",
        "waiting_query": "status__in=" + ",".join(str(status) for status in WAITING),
    }
