"""post-office's e-mail admin, made safe for visitor data.

- The bodies and attachments of mail that holds visitor data are shown only to superusers
  (they are erased once it is sent); other staff see who, when, status and attempts.
- List mail (to a mailing list's subscribers) is shown to superusers only.
- Requeue (post-office's action) takes failed messages only, and gives each a new 24 hours of
  retries; it needs only the view permission that Clinicians and Front desk have.
- post-office's "Resend" button is gone: it sent straight from the admin, past the claim that
  keeps two senders apart and past the erasing of visitor data.
- Its attachment and template admins are gone: attachments have no public address
  (outbox/storage.py), and the site renders no mail from templates.
"""

import post_office.admin as post_office_admin  # registers post-office's admins, replaced here
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from post_office.models import STATUS, Attachment, Email, EmailTemplate

from .delivery import WAITING
from .models import Delivery
from .queue import LIST_MAIL

HIDDEN_BODY = (
    "Hidden: this message holds what a visitor wrote or is. Only a superuser can read it "
    "while it waits, and it is erased once sent."
)

for model in (Email, Attachment, EmailTemplate):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


def holds_visitor_data(email):
    delivery = getattr(email, "delivery", None)
    return delivery is not None and delivery.holds_visitor_data


@admin.action(description="Requeue selected failed e-mails", permissions=["view"])
def requeue(modeladmin, request, queryset):
    failed = list(queryset.filter(status=STATUS.failed).values_list("pk", flat=True))
    chosen = queryset.count()
    post_office_admin.requeue(modeladmin, request, Email.objects.filter(pk__in=failed))
    now = timezone.now()
    Email.objects.filter(pk__in=failed).update(scheduled_time=None, last_updated=now)
    for pk in failed:
        Delivery.objects.update_or_create(email_id=pk, defaults={"due_since": now})
    text = f"{len(failed)} requeued: they go with the next delivery pass."
    if chosen > len(failed):
        text += f" {chosen - len(failed)} left alone: only failed e-mails can be requeued."
    modeladmin.message_user(request, text, messages.SUCCESS)


class AttachmentInline(admin.TabularInline):
    """Which files a message carries (shown to those allowed to see its body)."""

    model = Attachment.emails.through
    verbose_name = "attachment"
    fields = readonly_fields = ["name", "mimetype"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="file name")
    def name(self, link):
        return link.attachment.name

    @admin.display(description="type")
    def mimetype(self, link):
        return link.attachment.mimetype


@admin.register(Email)
class EmailAdmin(post_office_admin.EmailAdmin):
    list_display = [
        "id",
        "to_display",
        "shortened_subject",
        "status",
        "attempts",
        "visitor_data",
        "last_updated",
        "scheduled_time",
    ]
    list_filter = ["status", "delivery__holds_visitor_data"]
    search_fields = ["to", "subject"]
    inlines = [AttachmentInline, post_office_admin.LogInline]
    actions = [requeue]
    change_form_template = "admin/change_form.html"  # without post-office's Resend button

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("delivery")
        if not request.user.is_superuser:
            queryset = queryset.exclude(LIST_MAIL)  # who subscribes is for the owner alone
        return queryset

    def get_urls(self):
        return [url for url in super().get_urls() if url.name != "resend"]

    def may_read_body(self, request, email):
        return request.user.is_superuser or not holds_visitor_data(email)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        delivery = ("Delivery", {"fields": ["delivery_summary"]})
        if not self.may_read_body(request, obj):
            hidden = ("Message", {"fields": ["render_subject", "hidden_body"]})
            return [fieldsets[0], delivery, hidden]
        return [fieldsets[0], delivery, *fieldsets[1:]]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "delivery_summary", "hidden_body"]

    def get_inlines(self, request, obj):
        if obj is not None and not self.may_read_body(request, obj):
            return [post_office_admin.LogInline]
        return super().get_inlines(request, obj)

    def preview_html(self, request, pk):
        self._deny_hidden_body(request, pk)
        return super().preview_html(request, pk)

    def fetch_email_image(self, request, pk, content_id):
        self._deny_hidden_body(request, pk)
        return super().fetch_email_image(request, pk, content_id)

    def _deny_hidden_body(self, request, pk):
        email = self.get_object(request, pk)
        if email is not None and not self.may_read_body(request, email):
            raise PermissionDenied

    @admin.display(description="attempts")
    def attempts(self, email):
        delivery = getattr(email, "delivery", None)
        return delivery.attempts if delivery else 0

    @admin.display(description="visitor data", boolean=True)
    def visitor_data(self, email):
        return holds_visitor_data(email)

    @admin.display(description="delivery")
    def delivery_summary(self, email):
        delivery = getattr(email, "delivery", None)
        if delivery is None:
            return "Not attempted yet."
        text = f"{delivery.attempts} attempt(s)."
        if delivery.erased_at:
            erased = timezone.localtime(delivery.erased_at)
            text += f" Body and attachments erased after delivery ({erased:%Y-%m-%d %H:%M})."
        elif email.status in WAITING and delivery.holds_visitor_data:
            text += " Holds visitor data: erased once sent."
        return text

    @admin.display(description="body")
    def hidden_body(self, email):
        return HIDDEN_BODY
