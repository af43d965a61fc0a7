"""Demo articles for `manage.py load_demo`: a series, stand-alone posts, a draft and a
scheduled post, with authors, an illustration and related reading, all written for this
project."""

import io
from datetime import timedelta
from pathlib import Path

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image, ImageDraw

from blog import review
from blog.models import Author, Post, RelatedReading, Series, Topic
from editor.documents import read_document
from images.uploads import store_editor_image

POSTS_DIR = Path(__file__).parent / "posts"

AUTHORS = {
    # username: (first name, last name, display name, bio, license type, number, states)
    "dana": (
        "Dana",
        "Reyes",
        "Dana Reyes, LCSW",
        "Dana is a licensed clinical social worker trained in ketamine-assisted psychotherapy. "
        "She leads preparation, dosing-day support and integration, and also offers weekly "
        "talk therapy for anxiety, low mood, grief and life changes.",
        "Licensed Clinical Social Worker (LCSW)",
        "DEMO-1042",  # made up, as is all demo content
        "Oregon, Washington",
    ),
    "sam": (
        "Sam",
        "Okafor",
        "Dr. Sam Okafor, MD",
        "Dr. Okafor is a psychiatrist. He carries out the medical screening for KAP, prescribes "
        "and gives the medicine when it is a safe option, and works with your own doctor.",
        "Physician and Surgeon (MD), board-certified in psychiatry",
        "DEMO-2087",
        "Oregon",
    ),
}
# Each writes; the other reviews.
REVIEWERS = {"dana": "sam", "sam": "dana"}
SERIES_DESCRIPTIONS = {
    "Understanding KAP": (
        "Four short articles for anyone wondering about ketamine-assisted psychotherapy: what it "
        "is, what a session is like, how to prepare, and how the work continues afterwards. "
        "Read them in order, at your own pace."
    ),
}


def load():
    """Create what is missing; never overwrite an article, series or profile staff have edited."""
    created = 0
    related = {}  # post: the slugs of its related reading, chosen once every post exists
    for path in sorted(POSTS_DIR.glob("*.md")):
        fields, body = read_document(path)
        if Post.objects.filter(slug=fields["slug"]).exists():
            continue
        if "(room.jpg)" in body:
            body = body.replace("(room.jpg)", f"({illustration_url()})")
        post = Post(
            title=fields["title"],
            slug=fields["slug"],
            summary=fields["summary"],
            body=body,
            author=author_user(fields["author"]),
            published_at=publication_time(fields),
        )
        if "series" in fields:
            post.series = series_named(fields["series"])
            post.series_position = int(fields["position"])
        post.full_clean()
        post.save()
        post.topics.set(topic_named(name.strip()) for name in fields["topics"].split(","))
        if "related" in fields:
            related[post] = [slug.strip() for slug in fields["related"].split(",")]
        if post.published_at:  # reviewed two days before it went out (or now, if scheduled)
            reviewed = min(post.published_at, timezone.now()) - timedelta(days=2)
            review.approve(post, author_user(REVIEWERS[fields["author"]]), now=reviewed)
        # Written when published, not edited since.
        Post.objects.filter(pk=post.pk).update(updated_at=post.published_at or post.created_at)
        created += 1
    for post, slugs in related.items():
        for position, slug in enumerate(slugs, start=1):
            RelatedReading.objects.create(
                post=post, related_post=Post.objects.get(slug=slug), position=position
            )
    return created


def publication_time(fields):
    now = timezone.now().replace(second=0, microsecond=0)
    if fields["state"] == "draft":
        return None
    if fields["state"] == "scheduled":
        return now + timedelta(days=int(fields["days_ahead"]))
    return now - timedelta(days=int(fields["days_ago"]))


def author_user(username):
    """The author's account; outside DEBUG it is created without a way to sign in."""
    first_name, last_name, display_name, bio, license_type, number, states = AUTHORS[username]
    user, created = User.objects.get_or_create(
        username=username, defaults={"first_name": first_name, "last_name": last_name}
    )
    if created:
        user.set_unusable_password()
        user.save()
    Author.objects.get_or_create(
        user=user,
        defaults={
            "display_name": display_name,
            "slug": username,
            "bio": bio,
            "license_type": license_type,
            "license_number": number,
            "licensed_states": states,
        },
    )
    return user


def series_named(title):
    series, _ = Series.objects.get_or_create(
        slug=slugify(title),
        defaults={"title": title, "description": SERIES_DESCRIPTIONS.get(title, "")},
    )
    return series


def topic_named(name):
    topic, _ = Topic.objects.get_or_create(slug=slugify(name), defaults={"name": name})
    return topic


def illustration_url():
    """Draw the treatment-room illustration and upload it the way the editor does."""
    image = Image.new("RGB", (1200, 700), "#efe6d8")
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 520, 1200, 700], fill="#c9b59a")  # floor
    draw.rectangle([820, 90, 1080, 330], fill="#dcecf0", outline="#a8896a", width=10)  # window
    draw.line([950, 90, 950, 330], fill="#a8896a", width=6)
    # The reclining chair: backrest, seat, footrest, arm, base.
    draw.polygon([(180, 190), (270, 160), (390, 430), (300, 460)], fill="#5f7f7a")
    draw.rounded_rectangle([290, 400, 600, 480], radius=30, fill="#6b8d87")
    draw.polygon([(590, 420), (760, 470), (745, 520), (585, 475)], fill="#5f7f7a")
    draw.rounded_rectangle([330, 360, 560, 410], radius=20, fill="#557570")
    draw.rectangle([350, 480, 560, 540], fill="#4a625e")
    # A folded blanket over the arm.
    draw.rounded_rectangle([400, 330, 520, 430], radius=12, fill="#d98e6a")
    draw.line([400, 360, 520, 360], fill="#c07656", width=5)
    # The small table and a glass of water.
    draw.rectangle([830, 410, 1010, 430], fill="#8a6a4c")
    draw.rectangle([850, 430, 866, 560], fill="#8a6a4c")
    draw.rectangle([974, 430, 990, 560], fill="#8a6a4c")
    draw.polygon([(905, 330), (945, 330), (940, 410), (910, 410)], fill="#cfe7f2")
    draw.rectangle([910, 360, 940, 408], fill="#9fcde3")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    upload = SimpleUploadedFile("treatment-room.png", buffer.getvalue(), "image/png")
    return store_editor_image(upload)
