from django import template

from blog.subscription_admin import counts

register = template.Library()


@register.inclusion_tag("admin/blog/reader_mail_summary.html", takes_context=True)
def reader_mail_summary(context):
    """How many readers get e-mail about what, for every staff member; addresses only for the
    owner, through the link."""
    user = context["request"].user
    return {"rows": counts(), "owner": user.is_superuser}
