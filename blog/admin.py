from adminsortable2.admin import SortableAdminBase, SortableTabularInline
from django import forms
from django.contrib import admin, messages
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from editor.checks import reading_level, writing_warnings
from editor.readability import GRADE_AIM
from editor.versions import VersionCheckedAdmin, VersionCheckedForm
from editor.widgets import MarkdownEditor
from images.uploads import prepare_image
from staff.widgets import LabelledSplitDateTime

from . import review
from .models import Author, OldPath, Post, Series, Topic
from .related_admin import RelatedReadingInline


def checked_image(upload):
    """A new upload goes through the same Pillow checks as editor images; a kept file is kept."""
    if isinstance(upload, UploadedFile):
        return prepare_image(upload)
    return upload


class PostAdminForm(VersionCheckedForm):
    approve = forms.BooleanField(
        label="I have reviewed this article and approve it",
        required=False,
        help_text="Only a clinician who did not write it can approve it. Readers then see your "
        "name and the date, and the article may go live at its publication time.",
    )
    reviewer = None  # the signed-in user, set by PostAdmin.get_form

    class Meta:
        model = Post
        fields = [
            "title", "slug", "summary", "content_note", "body", "published_at", "unpublish_at",
            "author", "series", "series_position", "topics", "cover_image", "cover_image_alt",
            "seo_title", "seo_description", "review_by",
        ]  # fmt: skip
        widgets = {
            "body": MarkdownEditor,
            "summary": forms.Textarea(attrs={"rows": 3}),
            "published_at": LabelledSplitDateTime("Publication"),
            "unpublish_at": LabelledSplitDateTime("Take-down"),
            # A practice has a handful of topics: boxes to tick, not a two-list picker.
            "topics": forms.CheckboxSelectMultiple,
        }

    def clean_cover_image(self):
        return checked_image(self.cleaned_data.get("cover_image"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("approve"):
            refusal = review.why_not(cleaned.get("author"), self.reviewer)
            if refusal:
                self.add_error("approve", refusal)
        return cleaned


class ReviewFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("waiting", "Waiting for review"),
            ("changed", "Changed since review"),
            ("due", "Review due"),
        ]

    def queryset(self, request, queryset):
        return {
            "waiting": queryset.waiting_for_review,
            "changed": queryset.changed_since_review,
            "due": queryset.review_due,
        }.get(self.value(), queryset.all)()


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("live", "Live"),
            ("scheduled", "Scheduled"),
            ("draft", "Draft"),
            ("taken_down", "Taken down"),
        ]

    def queryset(self, request, queryset):
        return {
            "live": queryset.published,
            "scheduled": queryset.scheduled,
            "draft": queryset.drafts,
            "taken_down": queryset.taken_down,
        }.get(self.value(), queryset.all)()


@admin.register(Post)
class PostAdmin(VersionCheckedAdmin, SortableAdminBase, SimpleHistoryAdmin):
    form = PostAdminForm
    inlines = [RelatedReadingInline]
    list_display = [
        "title",
        "state_label",
        "review_label",
        "series_part",
        "author",
        "published_at",
        "view_link",
    ]
    list_filter = [StateFilter, ReviewFilter, "series", "topics", "author"]
    list_select_related = ["series", "author"]
    search_fields = ["title", "summary", "body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    actions = ["publish_now", "return_to_draft", "approve_review"]
    readonly_fields = ["review_status", "reading_grade"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "content_note", "body"]}),
        (
            "Review by a second clinician",
            {"fields": ["review_status", "approve", "review_by", "reading_grade"]},
        ),
        (
            "Publishing",
            {
                "fields": ["published_at", "unpublish_at", "author"],
                "description": "Empty time: a draft only staff can see. A future time: "
                "published automatically then. A past time: live now. Until another "
                "clinician approves it, an article stays a draft to visitors whatever its "
                "time.",
            },
        ),
        ("Series and topics", {"fields": ["series", "series_position", "topics"]}),
        ("Cover image", {"fields": ["cover_image", "cover_image_alt"]}),
        (
            "Search engines",
            {"fields": ["seo_title", "seo_description"], "classes": ["collapse"]},
        ),
    ]

    def get_changeform_initial_data(self, request):
        return {"author": request.user.pk, **super().get_changeform_initial_data(request)}

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"reviewer": request.user})

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if form.cleaned_data.get("approve"):
            review.approve(obj, request.user)
            self.message_user(request, "Approved: readers will see your review.")
        for warning in writing_warnings(obj.body_html, summary=obj.summary):
            self.message_user(request, warning, level=messages.WARNING)

    @admin.display(description="Review")
    def review_status(self, post):
        if post.pk is None:
            return "Waiting for review: another clinician approves the article once it is saved."
        return review.status(post, long=True)

    @admin.display(description="Reading grade")
    def reading_grade(self, post):
        if not post.body_html:
            return "Shown once the article has text and is saved."
        level = reading_level(post.body_html)
        if level.grade <= GRADE_AIM:
            return f"{level.grade:.1f} (Flesch–Kincaid): easy for most readers."
        return format_html(
            "{} (Flesch–Kincaid): above grade {}; health writing for the public reads best at "
            "grade 8 or below. Its longest sentences:<ol>{}</ol>",
            f"{level.grade:.1f}",
            GRADE_AIM,
            format_html_join("", "<li>{}</li>", ((s,) for s in level.longest_sentences)),
        )

    @admin.display(description="Review", ordering="reviewed_at")
    def review_label(self, post):
        return review.status(post)

    @admin.action(
        description="Approve the selected articles (as their reviewer)", permissions=["change"]
    )
    def approve_review(self, request, queryset):
        approved, refused = 0, []
        for post in queryset.select_related("author"):
            refusal = review.why_not(post.author, request.user)
            if refusal:
                refused.append((post, refusal))
                continue
            review.approve(post, request.user)
            approved += 1
        if approved:
            self.message_user(request, f"{approved} article(s) approved.")
        for post, refusal in refused:
            self.message_user(request, f"“{post}” was not approved. {refusal}", messages.ERROR)

    @admin.display(description="State", ordering="published_at")
    def state_label(self, post):
        return post.state

    @admin.display(description="Series", ordering="series__title")
    def series_part(self, post):
        if post.series_id is None:
            return "—"
        return f"{post.series} · part {post.series_position}"

    @admin.display(description="On the site")
    def view_link(self, post):
        label = "View" if post.is_public else "Preview"
        return format_html('<a href="{}">{}</a>', post.get_absolute_url(), label)

    @admin.action(description="Publish selected articles now", permissions=["change"])
    def publish_now(self, request, queryset):
        now = timezone.now()
        posts = list(queryset.exclude(published_at__lte=now))
        for post in posts:
            post.published_at = now
            post.save()  # through save(), so each change is a revision with who made it
        self.message_user(request, f"{len(posts)} article(s) published.")

    @admin.action(description="Return selected articles to draft", permissions=["change"])
    def return_to_draft(self, request, queryset):
        posts = list(queryset.exclude(published_at__isnull=True))
        for post in posts:
            post.published_at = None
            post.save()
        self.message_user(request, f"{len(posts)} article(s) returned to draft.")


class SeriesPartForm(forms.ModelForm):
    class Meta:
        model = Post
        fields = ["series_position"]
        # A number to type (the admin's narrow number field), which adminsortable2's script
        # also fills in after a drag: it numbers the "_reorder_" inputs 1, 2, 3… as shown.
        widgets = {"series_position": forms.NumberInput(attrs={"class": "vIntegerField _reorder_"})}

    def validate_unique(self):
        # Parts are checked against each other by the formset, and save_formset moves them
        # aside before renumbering, so a swap must not be refused against the old numbers.
        pass


class SeriesPartFormSet(forms.BaseInlineFormSet):
    """adminsortable2's inline formset would hide the part numbers; here they stay fields to
    type in (dragging is not the only way), and it only needs to know the order's field."""

    def __init__(self, *args, default_order_direction="", default_order_field=None, **kwargs):
        self.default_order_direction = default_order_direction  # makes the inline draggable
        self.default_order_field = default_order_field
        super().__init__(*args, **kwargs)


class SeriesPartInline(SortableTabularInline):
    # Our accessible table (templates/admin/edit_inline/tabular.html) in place of
    # adminsortable2's copy of Django's: rows still drag by their first cell, and its
    # "move to first/last" icons, which no keyboard can reach, are left out.
    template = "admin/edit_inline/tabular.html"
    model = Post
    form = SeriesPartForm
    formset = SeriesPartFormSet
    fields = ["series_position", "title", "state_label"]
    readonly_fields = ["title", "state_label"]
    ordering = ["series_position"]
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name = "part"
    verbose_name_plural = "parts, in reading order (drag a row, or change the numbers)"

    def has_add_permission(self, request, obj=None):
        return False  # articles join a series from their own page

    @admin.display(description="State")
    def state_label(self, post):
        return post.state


@admin.register(Series)
class SeriesAdmin(SortableAdminBase, admin.ModelAdmin):
    list_display = ["title", "part_count"]
    search_fields = ["title", "description"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [SeriesPartInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(part_count=Count("posts"))

    def get_form(self, request, obj=None, **kwargs):
        kwargs["widgets"] = {"description": MarkdownEditor}
        return super().get_form(request, obj, **kwargs)

    @admin.display(description="Parts", ordering="part_count")
    def part_count(self, series):
        return series.part_count

    def save_formset(self, request, form, formset, change):
        # The parts follow the numbers given (typed, or filled in by dragging; the formset has
        # refused two alike) and are numbered 1, 2, 3… again, without gaps. Swapping two parts
        # would briefly give both the same number, which the database refuses: the parts that
        # move are set aside first, on numbers no part has, then given their new numbers.
        formset.save(commit=False)
        given = {f.instance.pk: f.cleaned_data["series_position"] for f in formset.forms}
        with transaction.atomic():
            parts = list(Post.objects.select_for_update().filter(series=form.instance))
            # A part that joined the series since the page was shown keeps its place.
            parts.sort(key=lambda p: (given.get(p.pk, p.series_position), p.pk not in given))
            moving = [
                (post, number)
                for number, post in enumerate(parts, start=1)
                if post.series_position != number
            ]
            taken = {post.series_position for post in parts}
            count = len(parts)  # at most `count` of the next 2 * count + 1 numbers are taken
            aside = (n for n in range(count + 1, 3 * count + 2) if n not in taken)
            for post, _number in moving:
                Post.objects.filter(pk=post.pk).update(series_position=next(aside))
            for post, number in moving:
                post.series_position = number
                post.save()  # a revision with who made it; the public pages change at once
        formset.save_m2m()


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class AuthorAdminForm(forms.ModelForm):
    class Meta:
        model = Author
        fields = [
            "user", "display_name", "slug", "bio", "photo", "license_type", "license_number",
            "licensed_states",
        ]  # fmt: skip

    def clean_photo(self):
        return checked_image(self.cleaned_data.get("photo"))


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    form = AuthorAdminForm
    list_display = ["display_name", "user", "slug"]
    search_fields = ["display_name", "bio"]
    prepopulated_fields = {"slug": ["display_name"]}


@admin.register(OldPath)
class OldPathAdmin(admin.ModelAdmin):
    """Addresses from the previous website; most are made by `manage.py import_wordpress`."""

    list_display = ["path", "post", "created_at"]
    list_select_related = ["post"]
    search_fields = ["path", "post__title"]
    autocomplete_fields = ["post"]
    fields = ["path", "post", "created_at"]
    readonly_fields = ["created_at"]


# Readers subscribed by e-mail: addresses for the owner only.
from . import subscription_admin  # noqa: E402, F401
