"""The admin pages clinicians work in every day, checked as the visitor pages are
(test_page_checks.py): axe-core with every rule on, light and dark, at a desktop size, and the
Nu HTML Checker on the HTML as the server sends it. Screenshots land in test-artifacts/admin/
for people to look at: the admin must still look like the practice's.
"""

import re
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.contrib.auth.models import Permission, User
from django.utils import timezone
from playwright.sync_api import expect

from blog.models import Author, Subscriber
from consultations import demo, merging
from consultations.models import (
    ContactKind,
    ContactLogEntry,
    HeardAbout,
    Referral,
    RequestStatus,
    TurnedAway,
    TurnedAwayDay,
)
from tests.support.browser import ARTIFACTS, sign_in
from tests.support.factories import (
    PASSWORD,
    make_clinician,
    make_page,
    make_post,
    make_request,
    make_series,
    make_topic,
    post_form,
)
from tests.support.page_checks import (
    BASE_DIR,
    RUN_AXE,
    axe_context,
    describe_violation,
    nu_problems,
)

# serialized_rollback: the roles made by data migrations come back after each test.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.browser,
]

STYLESHEET = BASE_DIR / "static" / "css" / "admin.css"
SCREENSHOTS = ARTIFACTS / "admin"
VAGUE_LINK = "[click here](https://988lifeline.org/)"  # editor/checks.py warns about it


class At:
    """An admin page at an address."""

    def __init__(self, path):
        self.path = path

    def open(self, page, base_url):
        response = page.goto(base_url + self.path)
        assert response.status == HTTPStatus.OK, f"{self.path} answered {response.status}"

    def fetch(self, client):
        response = client.get(self.path)
        assert response.status_code == HTTPStatus.OK, f"{self.path}: {response.status_code}"
        return response.content.decode()


class SavedWithWarnings:
    """An article just saved with "Save and continue editing", back with the editor's
    warnings about what it says (a link that says only "click here")."""

    def __init__(self, post):
        self.post = post
        self.path = f"/admin/blog/post/{post.pk}/change/"

    def open(self, page, base_url):
        page.goto(base_url + self.path)
        page.get_by_role("button", name="Save and continue editing").click()
        expect(page.locator(".messagelist .warning")).not_to_have_count(0)

    def fetch(self, client):
        now = timezone.localtime()
        self.post.refresh_from_db()  # the version a page opened now would carry
        data = post_form(
            opened_version=self.post.edit_version,
            title=self.post.title,
            slug=self.post.slug,
            body=self.post.body,
            author=self.post.author_id,
            published_at_0=now.strftime("%Y-%m-%d"),
            published_at_1=now.strftime("%H:%M:%S"),
            _continue="1",
        )
        response = client.post(self.path, data, follow=True)
        assert response.status_code == HTTPStatus.OK
        assert response.redirect_chain, response.context["adminform"].form.errors
        return response.content.decode()


@pytest.fixture
def clinician():
    """Robin, signed in: a clinician who also reads the practice's mail summary."""
    robin = make_clinician("robin", byline="Robin Hale, LMFT")
    robin.user_permissions.add(Permission.objects.get(codename="view_email"))
    return robin


@pytest.fixture
def pages(clinician):
    """The pages to check, with what they show: another clinician's article waiting for
    Robin's review, a series in two parts, Robin's author profile, an editable page."""
    dana = make_clinician("dana", byline="Dana Reyes, LCSW")
    topics = [make_topic(name) for name in ("Getting started", "Safety", "Integration")]
    series = make_series(title="Understanding KAP", description="Read them in order.")
    make_post(title="What is KAP?", author=dana, series=series, series_position=1)
    waiting = make_post(
        title="When the dark thoughts come",
        author=dana,
        is_approved=False,
        content_note="This article talks about suicide and thoughts of self-harm.",
        body="## You are not alone\n\nThoughts of dying can pass. Call or text 988 any time.",
        series=series,
        series_position=2,
        unpublish_at=timezone.now() + timedelta(days=365),
        topics=topics[:2],
    )
    own = make_post(title="A calm evening", author=clinician, body=f"Read {VAGUE_LINK}.")
    for number in range(3):
        make_request(name=f"Visitor {number}")
    # The funnel report with something in each of its charts, over several months.
    answers = list(HeardAbout.objects.all())
    for number in range(12):
        consultation = make_request(
            submitted_at=timezone.now() - timedelta(days=25 * number),
            heard_about=answers[number % 4] if number % 5 else None,
            source=["what-is-kap", "", "a-calm-evening"][number % 3],
            status=RequestStatus.BECAME_CLIENT if number % 4 == 1 else RequestStatus.CONTACTED,
        )
        if number % 2:
            ContactLogEntry.objects.create(request=consultation, kind=ContactKind.CALLED)
    # The same person twice: the newer marked, to be merged into the older.
    older = make_request(name="Sam Lee", submitted_at=timezone.now() - timedelta(days=2))
    newer = make_request(name="Sam Lee", email="sam@example.org", possible_duplicate_of=older)
    requests = "/admin/consultations/consultationrequest/"
    demo.load_referrals()
    for reason, count in ((TurnedAway.OUTSIDE_STATES, 4), (TurnedAway.UNDER_18, 1)):
        TurnedAwayDay.objects.create(day=timezone.localdate(), reason=reason, count=count)
    readers_by_email(series)
    return {
        "home": At("/admin/"),
        "articles-waiting-for-review": At("/admin/blog/post/?review=waiting"),
        "article-to-review": At(f"/admin/blog/post/{waiting.pk}/change/"),
        "new-article": At("/admin/blog/post/add/"),
        "article-saved-with-warnings": SavedWithWarnings(own),
        "series": At(f"/admin/blog/series/{series.pk}/change/"),
        "author": At(f"/admin/blog/author/{Author.objects.get(user=clinician).pk}/change/"),
        "page": At(f"/admin/pages/page/{make_page().pk}/change/"),
        "funnel-report": At("/admin/consultations/consultationrequest/report/funnel/"),
        "heard-about-answers": At("/admin/consultations/heardabout/"),
        "requests": At(requests),
        "merge-confirmation": At(f"{requests}{newer.pk}/merge/{older.pk}/"),
        "possible-duplicate": At(f"{requests}{newer.pk}/change/"),
        "report": At("/admin/consultations/consultationrequest/report/"),
        "referrals": At("/admin/consultations/referral/"),
        "referral": At(f"/admin/consultations/referral/{Referral.objects.first().pk}/change/"),
    }


@pytest.fixture
def html(pages, clinician, client):
    """Each page's HTML, exactly as the server sends it; the sign-in page first."""
    markup = {"sign-in": At("/admin/login/").fetch(client)}
    client.force_login(clinician)
    return markup | {name: admin_page.fetch(client) for name, admin_page in pages.items()}


def test_the_pages_are_the_pages_they_say(html):
    # So that the checks below check what they mean to.
    assert "Consultation requests" in html["home"]
    assert "Articles to review" in html["home"]
    assert "Outgoing mail" in html["home"]
    assert "When the dark thoughts come" in html["articles-waiting-for-review"]
    for name in ("article-to-review", "new-article"):
        assert 'name="published_at_0"' in html[name]
        assert 'name="unpublish_at_1"' in html[name]
        assert 'name="topics"' in html[name]
        assert "markdownx" in html[name]
    assert 'name="approve"' in html["article-to-review"]
    assert "This article talks about suicide" in html["article-to-review"]
    assert "click here" in html["article-saved-with-warnings"]
    assert 'class="warning"' in html["article-saved-with-warnings"]
    assert "What is KAP?" in html["series"]
    assert "When the dark thoughts come" in html["series"]
    assert html["funnel-report"].count('class="funnel-chart" role="img"') == 3
    assert "Psychology Today" in html["heard-about-answers"]
    assert "Possibly the same person as" in html["requests"]
    assert 'value="Yes, merge #' in html["merge-confirmation"]
    assert "Log a call, message or note" in html["possible-duplicate"]
    assert "Turned away: outside our states" in html["report"]
    assert "Riverbend Online Therapy" in html["referrals"]
    assert 'name="shown_for"' in html["referral"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations_on_the_admin_pages(pages, clinician, live_server, browser, scheme):
    context = axe_context(browser, "desktop", scheme)
    page = context.new_page()
    folder = SCREENSHOTS / scheme
    folder.mkdir(parents=True, exist_ok=True)
    problems = []

    def check(name):
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
        for violation in page.evaluate(RUN_AXE):
            problems.append(describe_violation(f"{name} ({scheme})", violation))

    try:
        page.goto(f"{live_server.url}/admin/login/")
        check("sign-in")
        sign_in(page, live_server, clinician.username)
        for name, admin_page in pages.items():
            admin_page.open(page, live_server.url)
            check(name)
    finally:
        context.close()
    assert not problems, f"axe found {len(problems)} problem(s):\n" + "\n".join(problems)


# The colours each admin.css variable takes on the page, after Django's stylesheets.
COLOURS = """(names) => {
  const style = getComputedStyle(document.documentElement);
  return Object.fromEntries(names.map((name) => [name, style.getPropertyValue(name).trim()]));
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_admins_theme_switch_gives_the_colours_the_system_setting_does(
    live_server, browser, scheme
):
    # admin.css says each scheme twice, for the system's setting and for the switch's choice;
    # the axe test above checks the first, this one that the second is the same.
    names = sorted(set(re.findall(r"(--[a-z-]+):", STYLESHEET.read_text())))
    other = {"light": "dark", "dark": "light"}[scheme]
    seen = {}
    for system, theme in ((scheme, "auto"), (other, scheme)):
        context = browser.new_context(color_scheme=system)
        page = context.new_page()
        try:
            page.goto(f"{live_server.url}/admin/login/")
            page.evaluate("(theme) => localStorage.setItem('theme', theme)", theme)
            page.reload()
            assert page.evaluate("document.documentElement.dataset.theme") == theme
            seen[theme] = page.evaluate(COLOURS, names)
        finally:
            context.close()
    assert seen[scheme] == seen["auto"]
    assert seen["auto"]["--body-bg"] == {"light": "#ffffff", "dark": "#121819"}[scheme]


def test_nu_html_checker_finds_no_errors_or_warnings_on_the_admin_pages(html, tmp_path):
    problems = nu_problems(html, [STYLESHEET], tmp_path)
    assert not problems, f"The Nu HTML Checker found {len(problems)}:\n" + "\n".join(problems)


@pytest.fixture
def owner_pages():
    """The pages only the practice owner sees: the merges, and undoing one."""
    owner = User.objects.create_superuser("owner", "owner@example.org", PASSWORD)
    older = make_request(name="Sam Lee", submitted_at=timezone.now() - timedelta(days=2))
    merge = merging.merge(make_request(name="Sam Lee"), older, owner)
    merges = "/admin/consultations/requestmerge/"
    readers_by_email(make_series(title="Owner's series"))
    return owner, {
        "merged-requests": At(merges),
        "undo-merge": At(f"{merges}{merge.pk}/undo/"),
        "owner-home": At("/admin/"),
        "readers-by-email": At("/admin/blog/subscriber/"),
    }


def readers_by_email(series):
    """Readers who get e-mail: of `series`, and of new articles, one waiting to confirm."""
    now = timezone.now()
    Subscriber.objects.create(email="reader1@example.org", series=series, confirmed_at=now)
    Subscriber.objects.create(email="reader2@example.org", confirmed_at=now)
    Subscriber.objects.create(email="reader3@example.org", asked_at=now)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations_on_the_owners_pages(owner_pages, live_server, browser, scheme):
    owner, pages = owner_pages
    context = axe_context(browser, "desktop", scheme)
    page = context.new_page()
    folder = SCREENSHOTS / scheme
    folder.mkdir(parents=True, exist_ok=True)
    problems = []
    try:
        sign_in(page, live_server, owner.username)
        for name, admin_page in pages.items():
            admin_page.open(page, live_server.url)
            page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
            for violation in page.evaluate(RUN_AXE):
                problems.append(describe_violation(f"{name} ({scheme})", violation))
    finally:
        context.close()
    assert not problems, f"axe found {len(problems)} problem(s):\n" + "\n".join(problems)


def test_nu_html_checker_finds_no_errors_or_warnings_on_the_owners_pages(
    owner_pages, client, tmp_path
):
    owner, pages = owner_pages
    client.force_login(owner)
    html = {name: admin_page.fetch(client) for name, admin_page in pages.items()}
    assert 'value="Yes, undo the merge"' in html["undo-merge"]
    problems = nu_problems(html, [], tmp_path)
    assert not problems, f"The Nu HTML Checker found {len(problems)}:\n" + "\n".join(problems)
