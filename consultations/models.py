import secrets
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from .business_hours import business_hours_before


class RequestStatus(models.TextChoices):  # module level, so Meta can see it
    NEW = "new", "New"
    CONTACTED = "contacted", "Contacted"
    SCHEDULED = "scheduled", "Scheduled"
    NOT_A_FIT = "not_a_fit", "Not a fit / referred"
    BECAME_CLIENT = "client", "Became a client"
    CLOSED = "closed", "Closed"
    SPAM = "spam", "Spam"


# Finished requests: purged after the retention period, counted from when they finished.
FINISHED_STATUSES = [
    RequestStatus.NOT_A_FIT,
    RequestStatus.BECAME_CLIENT,
    RequestStatus.CLOSED,
    RequestStatus.SPAM,
]


class ContactMethod(models.TextChoices):
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    EMAIL = "email", "E-mail"


class BestTime(models.TextChoices):
    MORNING = "morning", "Weekday mornings (9 am – noon)"
    AFTERNOON = "afternoon", "Weekday afternoons (noon – 5 pm)"
    EVENING = "evening", "Weekday evenings (5 – 7 pm)"
    SATURDAY = "saturday", "Saturday mornings"


# For the triage list's "OK to call now?", where the full labels do not fit.
SHORT_BEST_TIMES = {
    BestTime.MORNING: "Mornings",
    BestTime.AFTERNOON: "Afternoons",
    BestTime.EVENING: "Evenings",
    BestTime.SATURDAY: "Saturdays",
}


def overdue(now=None):
    """New requests without a booked call that nobody has answered within the response target
    (in business hours), and booked calls whose time has passed with no call, text or e-mail
    logged since."""
    now = now or timezone.now()
    cutoff = business_hours_before(now, settings.CONSULTATION_RESPONSE_HOURS)
    waiting = Q(status=RequestStatus.NEW, submitted_at__lt=cutoff, call_at__isnull=True)
    return waiting | missed_call(now)


def missed_call(now=None):
    """Booked calls whose time has passed with no contact attempt logged since it began."""
    attempts_since_the_call = ContactLogEntry.objects.filter(
        request=OuterRef("pk"), created_at__gte=OuterRef("call_at")
    ).exclude(kind=ContactKind.NOTE)
    return (
        Q(call_at__lt=now or timezone.now())
        & ~Exists(attempts_since_the_call)
        & ~Q(status__in=FINISHED_STATUSES)
    )


# How far back a new request looks for an open one from the same phone or e-mail.
SAME_PERSON_DAYS = 90


def phone_key(phone):
    """A phone number as digits only, without the US country code: "(555) 010-0142",
    "555.010.0142" and "+1 555 010 0142" are one number."""
    digits = "".join(character for character in phone if character.isdigit())
    return digits[1:] if len(digits) == 11 and digits.startswith("1") else digits


def email_key(email):
    return email.strip().lower()


class HeardAbout(models.Model):
    """An answer to "How did you hear about us?", as staff word them."""

    name = models.CharField(max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(
        "offered", default=True, help_text="Untick to stop offering it; past answers keep it."
    )

    class Meta:
        ordering = ["position", "name"]
        verbose_name = "“How did you hear about us?” answer"

    def __str__(self):
        return self.name


class ConsultationRequestQuerySet(models.QuerySet):
    def overdue(self, now=None):
        return self.filter(overdue(now))

    def with_overdue_flag(self, now=None):
        """Each request marked `overdue_flag`, for lists that show and sort by it."""
        return self.annotate(
            overdue_flag=models.Case(
                models.When(overdue(now), then=True),
                default=False,
                output_field=models.BooleanField(),
            )
        )

    def agenda(self, now=None):
        """Booked calls from the start of today on, and earlier ones missed (their time passed
        with nothing logged), soonest first, each marked `missed`."""
        now = now or timezone.now()
        today = timezone.make_aware(datetime.combine(timezone.localdate(now), time.min))
        return (
            self.filter(Q(call_at__gte=today) | missed_call(now))
            .annotate(
                missed=models.Case(
                    models.When(missed_call(now), then=True),
                    default=False,
                    output_field=models.BooleanField(),
                )
            )
            .order_by("call_at")
        )

    def purgeable(self, now=None):
        """Finished requests whose retention period has passed."""
        days = settings.CONSULTATION_RETENTION_DAYS
        cutoff = (now or timezone.now()) - timedelta(days=days)
        return self.filter(status__in=FINISHED_STATUSES, finished_at__lt=cutoff)

    def same_person_as(self, consultation):
        """Other open requests (not finished, not merged) from the SAME_PERSON_DAYS before
        `consultation` with its phone number or e-mail address, newest first. Empty keys never
        match: two requests without a phone are not the same person."""
        keys = Q()
        if consultation.phone_key:
            keys |= Q(phone_key=consultation.phone_key)
        if consultation.email_key:
            keys |= Q(email_key=consultation.email_key)
        if not keys:
            return self.none()
        since = consultation.submitted_at - timedelta(days=SAME_PERSON_DAYS)
        return (
            self.filter(keys, submitted_at__gte=since, merged_into=None)
            .exclude(status__in=FINISHED_STATUSES)
            .exclude(pk=consultation.pk)
            .order_by("-submitted_at", "-pk")
        )


class ConsultationRequest(models.Model):
    # What the visitor sent. Staff see it read-only; it never appears in logs or e-mails.
    name = models.CharField("name", max_length=100)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField("e-mail", blank=True)
    preferred_contact = models.CharField(
        max_length=10, choices=ContactMethod.choices, default=ContactMethod.PHONE
    )
    best_times = models.JSONField(default=list, blank=True)
    voicemail_ok = models.BooleanField("OK to leave a voicemail", default=False)
    message = models.TextField(max_length=1000, blank=True)
    consent_version = models.CharField(max_length=20)
    consented_at = models.DateTimeField()
    source = models.SlugField(
        "came from article", max_length=200, blank=True, help_text="The article they were reading."
    )
    # Where they will be during sessions: a US postal code (licensing.PLACES). Empty on requests
    # made before the form asked.
    location = models.CharField("where they will be", max_length=7, blank=True)
    heard_about = models.ForeignKey(
        HeardAbout,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name="heard about us from",
    )
    # For spotting the same person twice: the phone as digits, the e-mail in lower case.
    phone_key = models.CharField(max_length=20, blank=True, editable=False, db_index=True)
    email_key = models.CharField(max_length=254, blank=True, editable=False, db_index=True)
    submitted_at = models.DateTimeField(
        "submitted", default=timezone.now, editable=False, db_index=True
    )
    # One per rendering of the form, so a double submit makes one request.
    submission_token = models.UUIDField(unique=True, editable=False)
    # A keyed hash of the visitor's network address: enough to count requests, not to find them.
    client_key = models.CharField(max_length=64, editable=False, db_index=True)

    # Triage, by staff.
    status = models.CharField(
        max_length=20, choices=RequestStatus.choices, default=RequestStatus.NEW, db_index=True
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_consultations",
        limit_choices_to={"is_staff": True},
    )
    # A booked call: when, with `assigned_to`. `call_sequence` counts the changes, for calendars.
    call_at = models.DateTimeField("call booked for", null=True, blank=True, editable=False)
    call_sequence = models.PositiveIntegerField(default=0, editable=False)
    # The visitor's reminder, queued in the outbox: cancelled if the call moves or is cancelled.
    reminder = models.ForeignKey(
        "post_office.Email", null=True, blank=True, on_delete=models.SET_NULL, editable=False
    )
    first_contacted_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True, editable=False)
    became_client_on = models.DateField("became a client on", null=True, blank=True)
    # An open request from the same phone or e-mail, found when this one arrived.
    possible_duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="possible_duplicates",
        editable=False,
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_requests",
        editable=False,
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ConsultationRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = "consultation request"
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RequestStatus.values),
                name="%(app_label)s_%(class)s_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(phone="") | ~Q(email=""),
                name="%(app_label)s_%(class)s_phone_or_email",
            ),
            # Never double-booked: one call at a time for each person who takes them.
            models.UniqueConstraint(
                fields=["assigned_to", "call_at"],
                condition=Q(call_at__isnull=False),
                name="%(app_label)s_%(class)s_one_call_at_a_time",
                violation_error_message="That person already has a call booked at this time.",
            ),
            models.CheckConstraint(
                condition=Q(call_at__isnull=True) | Q(assigned_to__isnull=False),
                name="%(app_label)s_%(class)s_booked_call_has_someone",
            ),
        ]

    def __str__(self):
        # Never the person's name: the admin's own log keeps this text after a deletion.
        return f"Request #{self.pk}"

    def save(self, *args, **kwargs):
        now = timezone.now()
        self.phone_key = phone_key(self.phone)
        self.email_key = email_key(self.email)
        if self.status == RequestStatus.BECAME_CLIENT:
            self.became_client_on = self.became_client_on or timezone.localdate(now)
        if self.status not in (RequestStatus.NEW, RequestStatus.SPAM):
            self.first_contacted_at = self.first_contacted_at or now
        if self.status in FINISHED_STATUSES:
            self.finished_at = self.finished_at or now
        else:
            self.finished_at = None
        super().save(*args, **kwargs)

    def get_admin_url(self):
        return reverse("admin:consultations_consultationrequest_change", args=[self.pk])

    def best_times_display(self):
        labels = dict(BestTime.choices)
        return ", ".join(labels.get(code, code) for code in self.best_times) or "Any time"


class ContactKind(models.TextChoices):
    CALLED = "called", "Called, spoke with them"
    VOICEMAIL = "voicemail", "Called, left a voicemail"
    NO_ANSWER = "no_answer", "Called, no answer"
    TEXTED = "texted", "Sent a text message"
    EMAILED = "emailed", "Sent an e-mail"
    NOTE = "note", "Note"


class ContactLogEntry(models.Model):
    """One contact attempt or note on a request. Entries are added, never edited."""

    request = models.ForeignKey(
        ConsultationRequest, on_delete=models.CASCADE, related_name="log_entries"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    kind = models.CharField(max_length=20, choices=ContactKind.choices, default=ContactKind.CALLED)
    text = models.TextField("details", max_length=2000, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = "contact log entry"
        verbose_name_plural = "contact log"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ContactKind.values), name="%(app_label)s_%(class)s_kind_valid"
            )
        ]

    def __str__(self):
        return f"Log entry #{self.pk}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # Reaching out to a new request means it has been contacted.
        if self.is_contact_attempt and self.request.status == RequestStatus.NEW:
            self.request.status = RequestStatus.CONTACTED
            self.request.save()

    @property
    def is_contact_attempt(self):
        return self.kind != ContactKind.NOTE


def new_calendar_token():
    return secrets.token_urlsafe(32)


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class CallTaker(models.Model):
    """A staff member who takes consultation calls, with their weekly hours and time off."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="call_taker",
        limit_choices_to={"is_staff": True, "is_active": True},
        verbose_name="staff member",
    )
    # The secret part of this person's calendar feed address; a new one revokes the old.
    calendar_token = models.CharField(max_length=64, unique=True, default=new_calendar_token)

    class Meta:
        ordering = ["user__first_name", "user__username"]
        verbose_name = "call hours"
        verbose_name_plural = "call hours"

    def __str__(self):
        return self.user.get_full_name() or self.user.get_username()

    def get_calendar_url(self):
        return reverse("consultations:calendar_feed", kwargs={"token": self.calendar_token})


class WeeklyHours(models.Model):
    """A block of time on one weekday when someone takes calls (several a day are fine)."""

    taker = models.ForeignKey(CallTaker, on_delete=models.CASCADE, related_name="weekly_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts = models.TimeField("from")
    ends = models.TimeField("to")

    class Meta:
        ordering = ["weekday", "starts"]
        verbose_name = "weekly hours"
        verbose_name_plural = "weekly hours (in the practice's time zone)"
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__gt=F("starts")),
                name="%(app_label)s_%(class)s_ends_after_it_starts",
                violation_error_message="The hours must end after they start.",
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6),
                name="%(app_label)s_%(class)s_weekday_valid",
            ),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.starts:%H:%M}–{self.ends:%H:%M}"


class TimeOff(models.Model):
    """Days when no calls are booked: one person's (`taker`) or the whole practice's (none)."""

    taker = models.ForeignKey(
        CallTaker, null=True, blank=True, on_delete=models.CASCADE, related_name="time_off"
    )
    starts_on = models.DateField("first day")
    ends_on = models.DateField("last day")
    note = models.CharField(max_length=100, blank=True, help_text="e.g. Thanksgiving.")

    class Meta:
        ordering = ["starts_on"]
        verbose_name = "time off"
        verbose_name_plural = "time off"
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="%(app_label)s_%(class)s_ends_on_or_after_it_starts",
                violation_error_message="The last day cannot come before the first.",
            )
        ]

    def __str__(self):
        who = self.taker or "Whole practice"
        first, last = self.starts_on, self.ends_on
        return f"{who}: {first.day} {first:%b} – {last.day} {last:%b %Y}"


class Closure(TimeOff):
    """The practice's own closures (holidays): time off for everyone, set by the owner."""

    class Meta:
        proxy = True
        verbose_name = "practice closure"


class RequestMerge(models.Model):
    """One request folded into an older one from the same person, with what it takes to undo
    it: which log entries moved and both requests' fields as they were."""

    kept = models.ForeignKey(ConsultationRequest, on_delete=models.CASCADE, related_name="+")
    merged = models.ForeignKey(ConsultationRequest, on_delete=models.CASCADE, related_name="+")
    merged_at = models.DateTimeField(default=timezone.now)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    before = models.JSONField(default=dict)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-merged_at"]

    def __str__(self):
        return f"Request #{self.merged_id} merged into #{self.kept_id}"


class ReferralQuerySet(models.QuerySet):
    def shown(self, under_18=False):
        """Referrals staff have switched on; for someone under 18, only those for young
        people."""
        shown = self.filter(is_active=True)
        return shown.filter(shown_to_under_18=True) if under_18 else shown


class Referral(models.Model):
    """Someone to suggest to a visitor the practice cannot see (another state, under 18)."""

    name = models.CharField(max_length=120)
    offers = models.CharField(
        "what they offer", max_length=200, help_text="e.g. “Therapy for teens and families”."
    )
    phone = models.CharField(max_length=40, blank=True)
    web_address = models.URLField(blank=True)
    serves = models.CharField(
        "where they serve",
        max_length=200,
        help_text="In plain words, e.g. “Online, across the US”.",
    )
    # Postal codes (licensing.PLACES) and licensing.OUTSIDE_US: whose page lists it.
    shown_for = models.JSONField(
        "shown to people in", default=list, blank=True, help_text="Leave empty for everywhere."
    )
    shown_to_under_18 = models.BooleanField(
        "shown to people under 18", default=False, help_text="Tick for services for young people."
    )
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField("shown", default=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(phone="") | ~Q(web_address=""),
                name="%(app_label)s_%(class)s_phone_or_web_address",
                violation_error_message="Give a phone number or a web address (or both).",
            )
        ]

    def __str__(self):
        return self.name

    def is_shown_in(self, place):
        """Whether it is listed for someone in `place` (a postal code or OUTSIDE_US)."""
        return not self.shown_for or place in self.shown_for

    def phone_href(self):
        """A tel: address for the phone as typed: "+1" and ten digits for a US number, the
        digits as typed for a short number (988) or one with a country code."""
        digits = "".join(character for character in self.phone if character.isdigit())
        if self.phone.strip().startswith("+"):
            return f"tel:+{digits}"
        if len(phone_key(self.phone)) == 10:
            return f"tel:+1{phone_key(self.phone)}"
        return f"tel:{digits}"


class TurnedAway(models.TextChoices):
    OUTSIDE_STATES = "outside_states", "Outside the states we serve"
    UNDER_18 = "under_18", "Under 18"


class TurnedAwayDay(models.Model):
    """How many visitors on one day the practice could not see, and why. Nothing else about
    them is kept: no address, no time of day, no state."""

    day = models.DateField()
    reason = models.CharField(max_length=20, choices=TurnedAway.choices)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day", "reason"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "reason"], name="%(app_label)s_%(class)s_one_row_a_day"
            )
        ]

    def __str__(self):
        return f"{self.day}: {self.count} {self.get_reason_display().lower()}"


class DigestDay(models.Model):
    """The practice-time date a daily digest went out: once a day, whichever process is first."""

    day = models.DateField(unique=True)
    sent_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return str(self.day)
