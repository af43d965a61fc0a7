import re

from django import forms
from django.conf import settings
from django.utils.datastructures import MultiValueDict

from . import abuse
from .models import BestTime, ConsultationRequest, ContactMethod

# The consent wording is versioned: each request stores the version its sender agreed to.
# Change the text, change the version.
CONSENT_VERSION = "2026-11-1"
CONSENT_TEXT = (
    "I agree that {practice} may keep these details to contact me about a consultation, "
    "as described on the privacy page."
)

# Invisible characters that can disguise text (bidi overrides, zero-width marks): removed.
INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
# Control characters: refused, with a message. Line breaks are fine only in the message.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
LINE_BREAK = re.compile("[\r\n\t\u2028\u2029]")
PHONE = re.compile(r"\+?[\d ().\-]+( *(ext\.?|x) *\d{1,6})?", re.IGNORECASE)


class ConsultationForm(forms.ModelForm):
    consent = forms.BooleanField(
        error_messages={"required": "Please tick the consent box so that we may keep your details."}
    )
    best_times = forms.MultipleChoiceField(
        label="Best times to reach you",
        choices=BestTime.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Optional. Leave them all empty if any time suits you.",
    )
    # A plain Field: a strange value is dropped by clean_source, never shown as an error.
    source = forms.Field(required=False, widget=forms.HiddenInput)
    # Anti-abuse: people never see `website`; bots fill it in.
    website = forms.CharField(required=False, label="Leave this field empty")
    form_token = forms.CharField(widget=forms.HiddenInput)

    class Meta:
        model = ConsultationRequest
        fields = ["name", "phone", "email", "preferred_contact", "voicemail_ok", "message"]
        labels = {
            "name": "What should we call you?",
            "phone": "Phone number",
            "email": "E-mail address",
            "preferred_contact": "How should we contact you?",
            "voicemail_ok": "It is OK to leave a voicemail that names our practice",
            "message": "Anything you would like us to know before we call? (optional)",
        }
        help_texts = {
            "name": "A first name is enough.",
            "phone": "Recommended: we return most requests with a phone call.",
            "email": "Optional if you give a phone number.",
            "message": "Please do not include health details here. At most 1,000 characters.",
        }
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "preferred_contact": forms.RadioSelect,
            "message": forms.Textarea(attrs={"rows": 4, "maxlength": 1000}),
        }
        error_messages = {
            "name": {"required": "Please tell us what to call you."},
            "email": {"invalid": "Please check your e-mail address, e.g. name@example.com."},
            "message": {"max_length": "Please keep your message to 1,000 characters or fewer."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = CONSENT_TEXT.format(practice=settings.PRACTICE_NAME)
        self.fields["preferred_contact"].choices = ContactMethod.choices
        for name, field in self.fields.items():
            if field.help_text:
                # Errors already sit in the label; point only at the help text, so screen
                # readers do not read an error twice.
                field.widget.attrs["aria-describedby"] = f"id_{name}_helptext"
        if not self.is_bound:
            self.initial["form_token"] = abuse.new_form_token()
        self.submission_id = None
        self.looks_automated = False
        self.token_expired = False
        if self.is_bound:
            self.data = self._without_invisible_characters(self.data)
            self._read_token()

    @staticmethod
    def _without_invisible_characters(data):
        """Strip disguising characters before any validation sees the text."""
        cleaned = MultiValueDict()
        for key in data:
            values = data.getlist(key) if hasattr(data, "getlist") else [data[key]]
            cleaned.setlist(key, [INVISIBLE.sub("", str(value)) for value in values])
        return cleaned

    def _read_token(self):
        """Recognise bots (honeypot, forged token, filled in too fast) before anything else."""
        try:
            self.submission_id, seconds_open = abuse.read_form_token(self.data.get("form_token"))
        except abuse.TokenInvalid:
            self.looks_automated = True
            return
        except abuse.TokenExpired:
            # A person who left the form open: show it again with a fresh token.
            self.data["form_token"] = abuse.new_form_token()
            self.token_expired = True
            return
        self.looks_automated = bool(self.data.get("website")) or abuse.filled_too_fast(seconds_open)

    def clean(self):
        cleaned = super().clean()
        if self.token_expired:
            raise forms.ValidationError(
                "This form was open for more than a day. Please check your details and send "
                "it again.",
                code="expired",
            )
        phone, email = cleaned.get("phone"), cleaned.get("email")
        method = cleaned.get("preferred_contact")
        if "phone" in self.errors or "email" in self.errors:
            return cleaned  # one message per field is enough
        if not phone and not email:
            self.add_error(
                "phone", "Please give us a phone number or an e-mail address (a phone is best)."
            )
        elif method == ContactMethod.EMAIL and not email:
            self.add_error("email", "Please add your e-mail address, or choose a phone call.")
        elif method in (ContactMethod.PHONE, ContactMethod.TEXT) and not phone:
            self.add_error("phone", "Please add your phone number, or choose e-mail.")
        return cleaned

    def clean_name(self):
        name = self._clean_text("name")
        if LINE_BREAK.search(name):
            raise forms.ValidationError("Please write your name on one line.")
        return name

    def clean_phone(self):
        phone = self._clean_text("phone")
        if phone and (not PHONE.fullmatch(phone) or not 7 <= sum(c.isdigit() for c in phone) <= 20):
            raise forms.ValidationError(
                "Please enter a phone number with its area code, e.g. (555) 010-0142."
            )
        return phone

    def clean_email(self):
        email = self._clean_text("email")
        if any(character.isspace() for character in email):
            raise forms.ValidationError("Please check your e-mail address, e.g. name@example.com.")
        return email

    def clean_message(self):
        return self._clean_text("message")

    def clean_source(self):
        source = str(self.cleaned_data.get("source") or "").strip()
        # The article slug from ?from=; anything else is dropped rather than shown as an error.
        return source if re.fullmatch(r"[-a-zA-Z0-9_]{1,200}", source) else ""

    def _clean_text(self, field):
        value = (self.cleaned_data.get(field) or "").strip()
        if CONTROL.search(value):
            raise forms.ValidationError(
                "This contains characters we cannot store. Please retype it.", code="control"
            )
        return value
