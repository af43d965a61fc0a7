from django import template

from consultations.models import ConsultationRequest, RequestStatus

register = template.Library()


@register.inclusion_tag("admin/consultations/triage_summary.html", takes_context=True)
def triage_summary(context):
    """How many requests wait for a first call, for staff who handle them."""
    user = context["request"].user
    if not user.has_perm("consultations.view_consultationrequest"):
        return {"show": False}
    requests = ConsultationRequest.objects
    return {
        "show": True,
        "new": requests.filter(status=RequestStatus.NEW).count(),
        "overdue": requests.overdue().count(),
    }
