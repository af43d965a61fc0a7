import re
from datetime import datetime
from itertools import groupby

from django import forms
from django.conf import settings
from django.forms.renderers import Jinja2
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

import licensing

from . import abuse, booking, eligibility
from .models import BestTime, ConsultationRequest, ContactMethod, HeardAbout

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

NO_TIME = "No time suits me — please call me back"
TIME_NOT_FREE = (
    "That time is not free any more. Here are the next free times; or choose “No time suits "
    "me” and we will call you back."
)

# The first question: where the visitor will be during sessions, and whether they are an adult.
PLACE_CHOICES = [
    ("", "Choose a state"),
    *licensing.PLACE_CHOICES,
    (licensing.OUTSIDE_US, "Outside the US"),
]
PLACES_OFFERED = {code for code, _name in PLACE_CHOICES if code}
ADULT, UNDER_18 = "adult", "under_18"
AGE_CHOICES = [(ADULT, "I am 18 or older"), (UNDER_18, "I am under 18")]

# Days of times shown at first (a phone screen's worth); a button shows the rest.
FIRST_DAYS = 2


def day_heading(moment):
    """'Monday 7 December'."""
    return f"{moment:%A} {moment.day} {moment:%B}"


def time_label(moment):
    """'9:00 am', '2:20 pm'."""
    return moment.strftime("%I:%M %p").lstrip("0").lower()


def when(moment):
    """'Monday 7 December at 9:00 am', in the practice's time zone."""
    local = timezone.localtime(moment)
    return f"{day_heading(local)} at {time_label(local)}"


# The visitors' forms draw their fields with Django's own Jinja2 widget templates, which give
# the same HTML: with a radio button for every free time, Django's template language took more
# than half of the form page's time.
VISITOR_FORMS = Jinja2()


class CallTimeFields:
    """A form's `call_time`: one of the free times, or (`call_back_choice`) none, "call me
    back". Without anyone's call hours there are no times, and no field."""

    call_back_choice = True
    default_renderer = VISITOR_FORMS

    def __init__(self, *args, now=None, all_days=False, booked=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.free_times = [
            moment
            for moment in booking.free_times(now, moving=booked)
            if booked is None or moment != booked.call_at
        ]
        self.all_days = all_days
        if self.free_times:
            choices = [(t.isoformat(), time_label(t)) for t in self.free_times]
            if self.call_back_choice:
                choices.insert(0, ("", NO_TIME))
            self.fields["call_time"] = forms.CharField(
                label="Pick a time for our call",
                required=not self.call_back_choice,
                error_messages={"required": "Please choose one of the times."},
                widget=forms.RadioSelect(choices=choices),
                help_text=f"Times are {booking.zone_name()}. The call takes about "
                f"{settings.CONSULTATION_CALL_MINUTES} minutes.",
            )
            self.initial.setdefault("call_time", "")

    def call_time_errors(self):
        """The errors to show on the times. A form shown again unsent ("Show later days") has
        none of its own, but a time chosen earlier that has since been taken or come too close
        is flagged, so the visitor does not send the form believing the time is still theirs."""
        if self.is_bound:
            return self["call_time"].errors
        chosen = self.initial.get("call_time") or ""
        if chosen and chosen not in {t.isoformat() for t in self.free_times}:
            return [TIME_NOT_FREE]
        return []

    def clean_call_time(self):
        value = self.cleaned_data.get("call_time") or ""
        if not value:
            return None
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None or moment not in self.free_times:
            raise forms.ValidationError(TIME_NOT_FREE, code="not_free")
        return moment.astimezone(timezone.get_current_timezone())

    def call_days(self):
        """The times to show, by day ({"days": [(heading, [radio, …])], "more": whether later
        days are left out, for a button that shows them})."""
        if "call_time" not in self.fields:
            return {"days": [], "more": False}
        radios = list(self["call_time"])[1 if self.call_back_choice else 0 :]
        days = [
            (heading, list(group))
            for heading, group in groupby(
                radios, key=lambda radio: day_heading(datetime.fromisoformat(radio.data["value"]))
            )
        ]
        chosen = self["call_time"].value() or ""
        later = [radio for _heading, group in days[FIRST_DAYS:] for radio in group]
        if self.all_days or any(radio.data["value"] == chosen for radio in later):
            return {"days": days, "more": False}
        return {"days": days[:FIRST_DAYS], "more": len(days) > FIRST_DAYS}

    def call_back_radio(self):
        if "call_time" in self.fields and self.call_back_choice:
            return list(self["call_time"])[0]
        return None


class NewCallTimeForm(CallTimeFields, forms.Form):
    """A visitor moving their booked call to another free time."""

    call_back_choice = False


class ConsultationForm(CallTimeFields, forms.ModelForm):
    location = forms.ChoiceField(
        label="Where will you be during your sessions?",
        choices=PLACE_CHOICES,
        error_messages={
            "required": "Please tell us where you will be during your sessions.",
            "invalid_choice": "Please choose a state from the list, or “Outside the US”.",
        },
    )
    # Asked, never stored: under 18 is turned away before anything is kept.
    age = forms.ChoiceField(
        label="Your age",
        choices=AGE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Please tell us whether you are 18 or older.",
            "invalid_choice": "Please tell us whether you are 18 or older.",
        },
    )
    heard_about = forms.ModelChoiceField(
        label="How did you hear about us?",
        queryset=HeardAbout.objects.filter(is_active=True),
        required=False,
        empty_label="— (optional)",
    )
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
        fields = [
            "location",
            "name",
            "phone",
            "email",
            "preferred_contact",
            "voicemail_ok",
            "message",
            "heard_about",
        ]
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

    field_order = ["location", "age"]  # the first question, first in the list of errors too

    @classmethod
    def initial_from(cls, data):
        """What was typed into a posted form, as initial values for showing it again."""
        lists = {
            name
            for name, field in cls.base_fields.items()
            if isinstance(field, forms.MultipleChoiceField)
        }
        return {key: data.getlist(key) if key in lists else data.get(key) for key in data}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = CONSENT_TEXT.format(practice=settings.PRACTICE_NAME)
        self.fields["preferred_contact"].choices = ContactMethod.choices
        served = eligibility.served_states()
        if served:
            self.fields["location"].help_text = (
                f"Our clinicians are licensed in {eligibility.served_in_words(served)}, so we "
                "can see people who are there during their sessions."
            )
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

    def turned_away(self):
        """Why the practice cannot see this visitor (a TurnedAway), read from the first two
        answers alone, before the rest of the form is checked; None when it can, or when those
        answers are missing (is_valid() asks for them)."""
        age = self["age"].data if self.is_bound else None
        return eligibility.turned_away(self.place(), {ADULT: True, UNDER_18: False}.get(age))

    def place(self):
        """Where the visitor says they will be (a postal code or OUTSIDE_US), or None."""
        place = self["location"].data if self.is_bound else None
        return place if place in PLACES_OFFERED else None

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
