"""Every kind of visitor page, checked the way visitors and their tools meet it.

axe-core runs in Debian's chromium at a phone and a desktop size, light and dark; the Nu HTML
Checker reads the HTML exactly as the server sends it; the page budgets (no JavaScript, a light
article page, sized and described images, one h1 and headings in order, a label for every form
control) are checked on that same HTML. On a phone, crisis help is in the first screen and tap
targets are 44px; on a desktop, article lines run about 65 characters. Screenshots of every page
land in test-artifacts/pages/ for people to look at.
"""

import gzip
import io
import re
from datetime import datetime, timedelta
from html.parser import HTMLParser
from http import HTTPStatus

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from blog import subscriptions
from blog.models import Series, Subscriber
from blog.views import POSTS_PER_PAGE
from consultations import booking, calls, demo
from consultations.forms import TIME_NOT_FREE
from consultations.models import CallTaker
from consultations.views import thanks_address
from practice.views import server_error
from tests.support.browser import ARTIFACTS, answer_the_first_question
from tests.support.factories import make_call_taker, make_post, make_request
from tests.support.page_checks import (
    BASE_DIR,
    RUN_AXE,
    VIEWPORTS,
    axe_context,
    describe_violation,
    nu_problems,
)

# serialized_rollback: the roles made by data migrations come back after each test.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.browser,
]

STYLESHEET = BASE_DIR / "static" / "css" / "site.css"
SCREENSHOTS = ARTIFACTS / "pages"

ARTICLE = "/blog/what-to-expect/"  # a series part with an illustration: our heaviest page
ARTICLE_BUDGET = 30_000  # bytes of HTML + CSS, gzip-compressed
BAD_EMAIL = "sam@example,com"
NOT_FREE = TIME_NOT_FREE.split(".")[0]  # "That time is not free any more"
HONEYPOT = "website"  # consultations/forms.py: bots fill it in, people never see it
DECORATIVE_IMAGES = {"author__photo"}  # classes of images that may have alt="": the name is beside


# What a visitor can open: a page at an address, or one reached by doing something.
class At:
    """A page at an address."""

    def __init__(self, path, status=HTTPStatus.OK):
        self.path = path
        self.status = status

    def open(self, page, base_url):
        response = page.goto(base_url + self.path)
        assert response.status == self.status, f"{self.path} answered {response.status}"

    def fetch(self, client):
        response = client.get(self.path)
        assert response.status_code == self.status, f"{self.path}: {response.status_code}"
        return response.content.decode()


class FormWithErrors:
    """The consultation form sent back: a mistyped e-mail address and no consent."""

    path = "/consultation/"

    def open(self, page, base_url):
        page.goto(base_url + self.path)
        answer_the_first_question(page)
        page.get_by_label("What should we call you?").fill("Sam")
        page.get_by_label("E-mail address").fill(BAD_EMAIL)
        page.get_by_role("button", name="Send my request").click()
        expect(page.get_by_role("alert")).to_contain_text("Please check 2 things below")

    def fetch(self, client):
        token = client.get(self.path).context["form"].initial["form_token"]
        # What the browser sends: the form starts with "Phone call" chosen.
        data = {
            "form_token": token,
            **FIRST_QUESTION,
            "name": "Sam",
            "email": BAD_EMAIL,
            "preferred_contact": "phone",
        }
        response = client.post(self.path, data)
        assert response.status_code == HTTPStatus.OK
        assert set(response.context["form"].errors) == {"email", "consent"}
        return response.content.decode()


# The form's first question, answered as someone the practice can see would (the demo's
# clinicians are licensed in Oregon and Washington).
FIRST_QUESTION = {"location": "OR", "age": "adult"}


class NotAFitHere:
    """The kind page the form answers with when the practice cannot see the visitor: they
    will be where its clinicians are not licensed, or they are under 18. The demo's made-up
    referrals are listed."""

    path = "/consultation/"

    def __init__(self, location, age):
        self.answers = {"location": location, "age": age}

    def open(self, page, base_url):
        demo.load_referrals()
        page.goto(base_url + self.path)
        answer_the_first_question(page, **self.answers)
        page.get_by_label("What should we call you?").fill("Sam")
        with page.expect_navigation() as navigation:
            page.get_by_role("button", name="Send my request").click()
        assert navigation.value.status == HTTPStatus.OK
        expect(page.get_by_role("heading", level=1)).to_contain_text("but others can help")

    def fetch(self, client):
        demo.load_referrals()
        token = client.get(self.path).context["form"].initial["form_token"]
        data = {"form_token": token, **self.answers, "name": "Sam", "preferred_contact": "phone"}
        response = client.post(self.path, data)
        assert response.status_code == HTTPStatus.OK
        assert "consultations/not_a_fit_here.html" in [t.name for t in response.templates]
        return response.content.decode()


# Booking the call. The `site` fixture gives one person call hours; each booking page makes
# sure they are at work (times offered) or, for the form as it is without them, away.


def call_hours(on):
    """Someone takes calls (the site's one call taker is at work), or nobody does (away)."""
    User.objects.filter(call_taker__isnull=False).update(is_active=on)


def book_a_call():
    """A request booked for the first free time, as the form stores it."""
    call_hours(True)
    request = make_request(email="robin@example.com")
    booking.book(request, booking.free_times()[0])
    return request


class WithCallHours:
    """`visitor_page` when someone has call hours (so the form offers times), or (`on=False`)
    when nobody has."""

    def __init__(self, visitor_page, on=True):
        self.visitor_page = visitor_page
        self.on = on

    def open(self, page, base_url):
        call_hours(self.on)
        self.visitor_page.open(page, base_url)

    def fetch(self, client):
        call_hours(self.on)
        return self.visitor_page.fetch(client)


def book_meanwhile(moment):
    """Someone else books `moment` while the visitor is still filling in the form."""
    make_request(name="Quicker", assigned_to=CallTaker.objects.get().user, call_at=moment)


class FormTimeNotFree:
    """The consultation form sent back (409): the time chosen was booked by someone else
    a moment before."""

    path = "/consultation/"

    def open(self, page, base_url):
        call_hours(True)
        page.goto(base_url + self.path)
        answer_the_first_question(page)
        page.get_by_label("What should we call you?").fill("Sam")
        page.get_by_label("Phone number").fill("(555) 010-0177")
        page.get_by_role("checkbox", name=re.compile("^I agree that")).check()
        first_time = page.locator("input[name=call_time]").nth(1)  # after "No time suits me"
        page.locator(f"label[for={first_time.get_attribute('id')}]").click()
        book_meanwhile(datetime.fromisoformat(first_time.get_attribute("value")))
        with page.expect_navigation() as navigation:
            page.get_by_role("button", name="Send my request").click()
        assert navigation.value.status == HTTPStatus.CONFLICT
        expect(page.get_by_role("alert")).to_contain_text(NOT_FREE)

    def fetch(self, client):
        call_hours(True)
        form = client.get(self.path).context["form"]
        taken = form.free_times[0]
        book_meanwhile(taken)
        data = {
            "form_token": form.initial["form_token"],
            **FIRST_QUESTION,
            "name": "Sam",
            "phone": "(555) 010-0177",
            "preferred_contact": "phone",
            "consent": "on",
            "call_time": taken.isoformat(),
        }
        response = client.post(self.path, data)
        assert response.status_code == HTTPStatus.CONFLICT
        assert response.context["form"].has_error("call_time", "not_free")
        return response.content.decode()


class FormLaterDays:
    """The consultation form after "Show later days": every day's times, a time chosen, and
    what was typed."""

    path = "/consultation/"

    def open(self, page, base_url):
        call_hours(True)
        page.goto(base_url + self.path)
        page.get_by_label("What should we call you?").fill("Sam")
        # The last time shown, hours from the minimum notice: the first could come too close
        # (and rightly be dropped) between showing the form and showing later days.
        last_time = page.locator("input[name=call_time]").last
        chosen = last_time.get_attribute("value")
        page.locator(f"label[for={last_time.get_attribute('id')}]").click()
        page.get_by_role("button", name="Show later days").click()
        expect(page.get_by_role("button", name="Show later days")).to_have_count(0)
        expect(page.locator("input[name=call_time]:checked")).to_have_value(chosen)

    def fetch(self, client):
        call_hours(True)
        form = client.get(self.path).context["form"]
        data = {
            "form_token": form.initial["form_token"],
            "name": "Sam",
            "preferred_contact": "phone",
            "call_time": form.free_times[0].isoformat(),
            "later_days": "1",
        }
        response = client.post(self.path, data)
        assert response.status_code == HTTPStatus.OK
        assert not response.context["form"].call_days()["more"]
        return response.content.decode()


class Booked:
    """A page for a call just booked, at the address `address(request)` gives: the thank-you
    page the form redirects to, or the page the link in the confirmation opens."""

    def __init__(self, address):
        self.address = address

    def open(self, page, base_url):
        response = page.goto(base_url + self.address(book_a_call()))
        assert response.status == HTTPStatus.OK, f"{response.url} answered {response.status}"

    def fetch(self, client):
        response = client.get(self.address(book_a_call()))
        assert response.status_code == HTTPStatus.OK
        return response.content.decode()


def change_link(request):
    return reverse("consultations:change_call", kwargs={"token": calls.change_token(request)})


class ServerError:
    """The 500 page, as the handler renders it; the browser gets it in place of a page."""

    path = "/a-page-that-failed/"

    def render(self):
        return server_error(RequestFactory().get(self.path)).content.decode()

    def open(self, page, base_url):
        url = base_url + self.path
        html = self.render()
        page.route(
            url, lambda route: route.fulfill(status=500, body=html, content_type="text/html")
        )
        page.goto(url)
        page.unroute(url)

    def fetch(self, client):
        return self.render()


# Readers' e-mail: the form, and the pages its links open.


class SubscribeWithErrors:
    """The form for e-mail about new articles, sent back with a mistyped address."""

    path = "/blog/subscribe/?series=understanding-kap"

    def open(self, page, base_url):
        page.goto(base_url + self.path)
        page.get_by_label("Your e-mail address").fill(BAD_EMAIL)
        page.get_by_role("button", name="E-mail me").click()
        expect(page.get_by_role("alert")).to_contain_text("Please check the form")

    def fetch(self, client):
        response = client.post(self.path, {"email": BAD_EMAIL})
        assert response.status_code == HTTPStatus.OK
        assert set(response.context["form"].errors) == {"email"}
        return response.content.decode()


def reader():
    subscriptions.subscribe("reader@example.org", Series.objects.get(slug="understanding-kap"))
    return Subscriber.objects.get(email="reader@example.org")


def path_of(url):
    return "/" + url.split("/", 3)[3]


class ReaderLink:
    """The page a link in a reader's e-mail opens: `link(subscriber)` gives it."""

    def __init__(self, link):
        self.link = link

    def open(self, page, base_url):
        response = page.goto(base_url + path_of(self.link(reader())))
        assert response.status == HTTPStatus.OK, f"{response.url} answered {response.status}"

    def fetch(self, client):
        response = client.get(path_of(self.link(reader())))
        assert response.status_code == HTTPStatus.OK
        return response.content.decode()


def unsubscribe_link(subscriber):
    return subscriptions.unsubscribe_url([subscriber])


class Confirmed:
    """The page after "Yes, e-mail me" on the page the confirmation link opens."""

    def open(self, page, base_url):
        page.goto(base_url + path_of(subscriptions.confirm_url(reader())))
        page.get_by_role("button", name="Yes, e-mail me").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, you are subscribed")

    def fetch(self, client):
        response = client.post(path_of(subscriptions.confirm_url(reader())))
        assert response.status_code == HTTPStatus.OK
        return response.content.decode()


class Unsubscribed:
    """The page after "Stop the e-mails" (the same a mail program's one-click POST gets)."""

    def open(self, page, base_url):
        page.goto(base_url + path_of(unsubscribe_link(reader())))
        page.get_by_role("button", name="Stop the e-mails").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("You are unsubscribed")

    def fetch(self, client):
        response = client.post(path_of(unsubscribe_link(reader())))
        assert response.status_code == HTTPStatus.OK
        return response.content.decode()


PAGES = {
    "home": At("/"),
    "series-article": At(ARTICLE),
    "last-series-article": At("/blog/integration/"),
    "standalone-article": At("/blog/is-kap-right-for-me/"),
    "article-with-references": At("/blog/what-is-kap/"),
    "article-with-related-reading": At("/blog/grounding-when-anxious/"),
    "series": At("/blog/series/understanding-kap/"),
    "topic": At("/blog/topic/safety/"),
    "author": At("/blog/author/dana/"),
    "list-page-2": At("/blog/?page=2"),
    "search": At("/blog/search/?q=ketamine"),
    "editable-page": At("/pages/about/"),
    "consultation-form": WithCallHours(At("/consultation/"), on=False),
    "form-with-errors": WithCallHours(FormWithErrors(), on=False),
    "thank-you": At("/consultation/thanks/"),
    "not-a-fit-here": NotAFitHere(location="outside", age="adult"),
    "not-a-fit-here-under-18": NotAFitHere(location="OR", age="under_18"),
    "form-with-times": WithCallHours(At("/consultation/")),
    "form-later-days": FormLaterDays(),
    "form-time-not-free": FormTimeNotFree(),
    "thank-you-booked": Booked(thanks_address),
    "change-call": Booked(change_link),
    "call-cancelled": At("/consultation/call/cancelled/"),
    "link-no-longer-works": At("/consultation/call/not-a-link-we-sent/", status=HTTPStatus.GONE),
    "article-with-content-note": At("/blog/when-the-dark-thoughts-come/"),
    "article-with-cover": At("/blog/a-room-to-rest/"),
    "taken-down-article": At("/blog/summer-group-2026/", status=HTTPStatus.GONE),
    "not-found": At("/blog/no-such-article/", status=HTTPStatus.NOT_FOUND),
    "server-error": ServerError(),
    "subscribe-series": At("/blog/subscribe/?series=understanding-kap"),
    "subscribe-new-articles": At("/blog/subscribe/"),
    "subscribe-with-errors": SubscribeWithErrors(),
    "subscribe-check-email": At("/blog/subscribe/sent/"),
    "subscribe-confirm": ReaderLink(subscriptions.confirm_url),
    "subscribe-confirmed": Confirmed(),
    "subscribe-link-not-valid": At("/blog/subscribe/confirm/x/", status=HTTPStatus.NOT_FOUND),
    "unsubscribe": ReaderLink(unsubscribe_link),
    "unsubscribed": Unsubscribed(),
}


def cover_photo():
    """A cover image as the admin stores one (with its sizes): a soft gradient, like a photo."""
    image = Image.linear_gradient("L").resize((1600, 900)).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG")
    return ContentFile(buffer.getvalue(), name="cover.jpg")


@pytest.fixture
def site(settings):
    """The demo content, with enough extra articles for a second page of the list."""
    # The form treats a quick submission as a bot's; the live server reads this per request.
    settings.CONSULTATION_MIN_FILL_SECONDS = 0
    call_command("load_demo", stdout=io.StringIO())
    for _ in range(POSTS_PER_PAGE):
        make_post()
    make_post(
        title="When the dark thoughts come",
        slug="when-the-dark-thoughts-come",
        content_note="This article talks about suicide and thoughts of self-harm.",
        body="## You are not alone\n\nThoughts of dying can pass. Call or text 988 any time.",
    )
    make_post(
        title="A room to rest in",
        slug="a-room-to-rest",
        cover_image=cover_photo(),
        cover_image_alt="Morning light on a reclining chair by a window",
    )
    make_post(
        title="Our summer group",
        slug="summer-group-2026",
        series=Series.objects.get(slug="understanding-kap"),
        series_position=9,
        published_at=timezone.now() - timedelta(days=90),
        unpublish_at=timezone.now() - timedelta(days=1),
    )
    # Call hours every day, so the form always offers times (WithCallHours).
    make_call_taker(hours=((9, 17),), weekdays=range(7))


@pytest.fixture
def html(site, client):
    """Each visitor page's HTML, exactly as the server sends it."""
    return {name: visitor_page.fetch(client) for name, visitor_page in PAGES.items()}


def test_the_booking_pages_are_the_pages_they_say(html):
    # So that the checks below check what they mean to.
    assert 'name="call_time"' not in html["consultation-form"]
    assert 'name="call_time"' not in html["form-with-errors"]
    assert 'name="call_time"' in html["form-with-times"]
    assert 'name="later_days"' in html["form-with-times"]
    assert 'name="later_days"' not in html["form-later-days"]
    chosen = re.compile(r'<input type="radio" name="call_time" value="[^"]+"[^>]* checked')
    assert chosen.search(html["form-later-days"])  # a time chosen, to check how it looks
    assert NOT_FREE in html["form-time-not-free"]
    assert "You told us you will be outside the US" in html["not-a-fit-here"]
    assert "Harbourline International" in html["not-a-fit-here"]  # the demo's, for abroad
    assert "We see adults only" in html["not-a-fit-here-under-18"]
    assert "Lantern Teen and Family" in html["not-a-fit-here-under-18"]
    assert "Riverbend" not in html["not-a-fit-here-under-18"]  # for adults
    assert "Your call is booked for" in html["thank-you-booked"]
    assert "Your call is booked for" not in html["thank-you"]
    assert "Move my call to this time" in html["change-call"]
    assert "Cancel my call" in html["change-call"]
    assert "Your call is cancelled" in html["call-cancelled"]
    assert "This link no longer works" in html["link-no-longer-works"]
    assert "<h2>References</h2>" in html["article-with-references"]
    assert '<source type="image/avif"' in html["article-with-cover"]  # a photo: AVIF and WebP
    assert '<source type="image/webp"' in html["series-article"]  # the demo's illustration
    assert "Related reading" in html["article-with-related-reading"]  # chosen by its writer
    assert "Related reading" in html["standalone-article"]  # sharing its topics
    assert "Before you read:" in html["article-with-content-note"]
    assert 'href="tel:988"' in html["article-with-content-note"]
    assert "no longer available" in html["taken-down-article"]
    assert 'href="/blog/series/understanding-kap/"' in html["taken-down-article"]


def test_the_reader_mail_pages_are_the_pages_they_say(html):
    assert "E-mail me when the next part of “Understanding KAP” is out" in html["subscribe-series"]
    assert "<h1>E-mail me new articles</h1>" in html["subscribe-new-articles"]
    assert "Check your e-mail" in html["subscribe-check-email"]
    assert "Yes, e-mail me" in html["subscribe-confirm"]
    assert "Thank you, you are subscribed" in html["subscribe-confirmed"]
    assert "This link does not work" in html["subscribe-link-not-valid"]
    assert "Stop the e-mails" in html["unsubscribe"]
    assert "You are unsubscribed" in html["unsubscribed"]
    for name in ("series-article", "last-series-article", "series"):
        assert "E-mail me when the next part is out" in html[name], name
    assert "E-mail me new articles" in html["list-page-2"]


# axe-core with every rule on (tests/support/page_checks.py).
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_axe_finds_no_violations_on_any_visitor_page(site, live_server, browser, viewport, scheme):
    context = axe_context(browser, viewport, scheme)
    page = context.new_page()
    folder = SCREENSHOTS / f"{viewport}-{scheme}"
    folder.mkdir(parents=True, exist_ok=True)
    problems = []
    try:
        for name, visitor_page in PAGES.items():
            visitor_page.open(page, live_server.url)
            page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
            for violation in page.evaluate(RUN_AXE):
                problems.append(describe_violation(f"{name} ({viewport}, {scheme})", violation))
    finally:
        context.close()
    assert not problems, f"axe found {len(problems)} problem(s):\n" + "\n".join(problems)


# Tap targets: buttons, form controls, the labels of tick boxes and radio buttons, and links
# that stand alone (the whole text of their paragraph, list item, heading…). A link inside a
# sentence is exempt, as in WCAG 2.5.8. Off-screen elements (the skip link, the honeypot) too.
PHONE_LAYOUT = """() => {
  const problems = [];
  const text = (element) => element.textContent.replace(/\\s+/g, " ").trim();
  const describe = (element) => `<${element.localName}> "${text(element).slice(0, 40)}"`;
  if (document.documentElement.scrollWidth > innerWidth) {
    problems.push(`the page scrolls sideways: ${document.documentElement.scrollWidth}px wide`);
  }
  for (const number of ["988", "911"]) {
    const link = document.querySelector(`a[href="tel:${number}"]`);
    if (!link || link.getBoundingClientRect().bottom > innerHeight) {
      problems.push(`no ${number} link in the first screen`);
    }
  }
  const targets = document.querySelectorAll(
    "a[href], button, input:not([type=hidden]), select, textarea, label"
  );
  for (const element of targets) {
    const box = element.getBoundingClientRect();
    if (box.right <= 0 || box.bottom <= 0 || element.closest("[aria-hidden=true]")) continue;
    if (element.matches("input[type=checkbox], input[type=radio]")) continue;  // their label
    if (element.matches("label") && !element.control?.matches("[type=checkbox], [type=radio]")) {
      continue;
    }
    if (element.matches("a") && text(element) !== text(element.parentElement)) continue;
    if (box.height < 44 || box.width < 44) {
      problems.push(`${describe(element)} is ${Math.round(box.width)}×${Math.round(box.height)}px`);
    }
  }
  return problems;
}"""


def test_on_a_phone_each_page_fits_shows_crisis_help_first_and_has_44px_tap_targets(
    site, live_server, browser
):
    context = browser.new_context(**VIEWPORTS["phone"])
    page = context.new_page()
    problems = []
    try:
        for name, visitor_page in PAGES.items():
            visitor_page.open(page, live_server.url)
            problems += [f"{name}: {problem}" for problem in page.evaluate(PHONE_LAYOUT)]
    finally:
        context.close()
    assert not problems, "\n".join(problems)


# Characters on each full line of the article's paragraphs (a paragraph's last line is short).
CHARACTERS_PER_LINE = """() => {
  const counts = [];
  for (const paragraph of document.querySelectorAll(".prose > p")) {
    const lines = new Map();
    const walker = document.createTreeWalker(paragraph, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      for (let i = 0; i < node.length; i++) {
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const top = Math.round(range.getBoundingClientRect().top);
        lines.set(top, (lines.get(top) || 0) + 1);
      }
    }
    counts.push(...[...lines.entries()].sort((a, b) => a[0] - b[0]).slice(0, -1).map((e) => e[1]));
  }
  return counts;
}"""


def test_article_text_runs_about_65_characters_a_line_on_a_desktop(site, live_server, browser):
    context = browser.new_context(**VIEWPORTS["desktop"])
    page = context.new_page()
    try:
        page.goto(live_server.url + ARTICLE)
        counts = sorted(page.evaluate(CHARACTERS_PER_LINE))
    finally:
        context.close()
    median = counts[len(counts) // 2]
    assert 55 <= median <= 75, f"{median} characters a line (median of {len(counts)} lines)"


def test_nu_html_checker_finds_no_errors_or_warnings(html, tmp_path):
    problems = nu_problems(html, [STYLESHEET], tmp_path)
    assert not problems, f"The Nu HTML Checker found {len(problems)}:\n" + "\n".join(problems)


# The page budgets, checked on the HTML as sent.
VOID_ELEMENTS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip
HEADING = re.compile(r"h([1-6])")


class Element:
    def __init__(self, tag, attrs, parent):
        self.tag = tag
        self.attrs = {key: value or "" for key, value in attrs}
        self.parent = parent
        self.children = []  # elements and text, in document order

    def __repr__(self):
        attrs = "".join(f' {key}="{value}"' for key, value in self.attrs.items())
        return f"<{self.tag}{attrs}>"

    def descendants(self):
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.descendants()

    def ancestors(self):
        parent = self.parent
        while parent is not None:
            yield parent
            parent = parent.parent

    def text(self):
        return " ".join(
            " ".join((c.text() if isinstance(c, Element) else c).split()) for c in self.children
        ).strip()


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.document = Element("#document", [], None)
        self.open_elements = [self.document]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, attrs, self.open_elements[-1])
        self.open_elements[-1].children.append(element)
        if tag not in VOID_ELEMENTS:
            self.open_elements.append(element)

    def handle_startendtag(self, tag, attrs):
        self.open_elements[-1].children.append(Element(tag, attrs, self.open_elements[-1]))

    def handle_endtag(self, tag):
        for depth in range(len(self.open_elements) - 1, 0, -1):
            if self.open_elements[depth].tag == tag:
                del self.open_elements[depth:]
                return

    def handle_data(self, data):
        self.open_elements[-1].children.append(data)


def parse(markup):
    builder = _TreeBuilder()
    builder.feed(markup)
    builder.close()
    return builder.document


def failures_by_page(html, check):
    """`check(document)` lists what is wrong with one page; this collects them for all pages."""
    return [
        f"{name}: {problem}" for name, markup in html.items() for problem in check(parse(markup))
    ]


def javascript(document):
    problems = []
    for element in document.descendants():
        if element.tag == "script" and element.attrs.get("type") != "application/ld+json":
            problems.append(f"{element!r}")
        problems += [f"{element!r} ({key})" for key in element.attrs if key.startswith("on")]
        for key in ("href", "src", "action", "formaction"):
            if element.attrs.get(key, "").strip().lower().startswith("javascript:"):
                problems.append(f"{element!r} ({key})")
    return problems


def test_visitor_pages_run_no_javascript(html):
    # Structured data (application/ld+json) is a data block: browsers never run it.
    problems = failures_by_page(html, javascript)
    assert not problems, "Script on a visitor page:\n" + "\n".join(problems)


def test_an_article_page_weighs_under_30_kb_compressed(site, client):
    page = client.get(ARTICLE).content
    compressed_html = len(gzip.compress(page, compresslevel=6))
    compressed_css = len(gzip.compress(STYLESHEET.read_bytes(), compresslevel=6))
    total = compressed_html + compressed_css
    assert total < ARTICLE_BUDGET, (
        f"{ARTICLE} weighs {total:,} bytes compressed (HTML {compressed_html:,} + CSS "
        f"{compressed_css:,}); the budget is {ARTICLE_BUDGET:,}"
    )


def images_without_size_or_alt(document):
    problems = []
    for image in (e for e in document.descendants() if e.tag == "img"):
        for dimension in ("width", "height"):
            if not image.attrs.get(dimension, "").isdigit():
                problems.append(f"{image!r} has no {dimension}")
        if "alt" not in image.attrs:
            problems.append(f"{image!r} has no alt")
        elif not image.attrs["alt"].strip() and not (
            DECORATIVE_IMAGES & set(image.attrs.get("class", "").split())
        ):
            problems.append(f"{image!r} has an empty alt but is not a decorative image")
    return problems


def test_every_image_has_width_height_and_alt(html):
    # Width and height let the browser keep the image's place, so text does not jump as it loads.
    assert "<img" in html["series-article"]  # the check below has something to check
    problems = failures_by_page(html, images_without_size_or_alt)
    assert not problems, "\n".join(problems)


def heading_problems(document):
    headings = [e for e in document.descendants() if HEADING.fullmatch(e.tag)]
    problems = []
    h1_count = sum(1 for heading in headings if heading.tag == "h1")
    if h1_count != 1:
        problems.append(f"{h1_count} h1 elements")
    level = 0  # so the first heading must be the h1
    for heading in headings:
        new_level = int(heading.tag[1])
        if new_level > level + 1:
            problems.append(f"h{level} then {heading.tag} ({heading.text()!r})")
        if not heading.text():
            problems.append(f"empty {heading.tag}")
        level = new_level
    return problems


def test_every_page_has_one_h1_and_skips_no_heading_level(html):
    problems = failures_by_page(html, heading_problems)
    assert not problems, "\n".join(problems)


def unlabelled_controls(document):
    elements = list(document.descendants())
    ids = {e.attrs["id"]: e for e in elements if "id" in e.attrs}
    label_for = {e.attrs.get("for"): e for e in elements if e.tag == "label"}
    problems = []
    for control in elements:
        if control.tag not in {"input", "select", "textarea"}:
            continue
        kind = control.attrs.get("type", "text")
        if control.tag == "input" and kind in {"hidden", "submit", "reset", "button", "image"}:
            continue  # not filled in, or named by its value (axe checks button names)
        if control.attrs.get("name") == HONEYPOT:
            if not any(a.attrs.get("aria-hidden") == "true" for a in control.ancestors()):
                problems.append(f"{control!r}: the honeypot is not hidden from assistive tech")
            if control.attrs.get("tabindex") != "-1":
                problems.append(f"{control!r}: the honeypot is in the tab order")
            continue
        names = [
            control.attrs.get("aria-label", ""),
            *(ids[i].text() for i in control.attrs.get("aria-labelledby", "").split() if i in ids),
            *(a.text() for a in control.ancestors() if a.tag == "label"),
        ]
        if "id" in control.attrs and control.attrs["id"] in label_for:
            names.append(label_for[control.attrs["id"]].text())
        if not any(name.strip() for name in names):
            problems.append(f"{control!r} has no label")
    return problems


def test_every_form_control_has_a_label(html):
    assert "<textarea" in html["consultation-form"]  # the check below has something to check
    problems = failures_by_page(html, unlabelled_controls)
    assert not problems, "\n".join(problems)
