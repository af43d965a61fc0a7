"""Every public page, as production serves it (DEBUG off, over HTTPS), sends the security headers.

The pages are requested with something real behind them: enough articles for a second page, a
series, a topic, an author, an editable page, so each view runs its full template.
"""

from html.parser import HTMLParser
from http import HTTPStatus
from types import SimpleNamespace

import pytest

from tests.support.factories import make_page, make_post, make_series, make_topic

pytestmark = pytest.mark.django_db

ONE_YEAR = 365 * 24 * 60 * 60


@pytest.fixture
def site():
    topic = make_topic(name="Getting started")
    series = make_series(title="Understanding KAP")
    first_part = make_post(series=series, series_position=1, topics=[topic])
    last_part = make_post(series=series, series_position=2, topics=[topic])
    stand_alone = make_post(topics=[topic])
    for _ in range(9):  # 12 articles in all: a second page of the list
        make_post()
    author = stand_alone.author.author_profile
    make_page(address="about", title="About us")
    return SimpleNamespace(
        topic=topic,
        series=series,
        first_part=first_part,
        last_part=last_part,
        stand_alone=stand_alone,
        author=author,
    )


# (address, given the site; the status a visitor gets there)
PUBLIC_PAGES = [
    pytest.param(lambda site: "/", HTTPStatus.OK, id="home"),
    pytest.param(lambda site: "/blog/", HTTPStatus.OK, id="article-list"),
    pytest.param(lambda site: "/blog/?page=2", HTTPStatus.OK, id="article-list-page-2"),
    pytest.param(
        lambda site: site.first_part.get_absolute_url(), HTTPStatus.OK, id="article-in-a-series"
    ),
    pytest.param(
        lambda site: site.last_part.get_absolute_url(), HTTPStatus.OK, id="last-part-of-a-series"
    ),
    pytest.param(
        lambda site: site.stand_alone.get_absolute_url(), HTTPStatus.OK, id="stand-alone-article"
    ),
    pytest.param(lambda site: site.series.get_absolute_url(), HTTPStatus.OK, id="series"),
    pytest.param(lambda site: site.topic.get_absolute_url(), HTTPStatus.OK, id="topic"),
    pytest.param(lambda site: site.author.get_absolute_url(), HTTPStatus.OK, id="author"),
    pytest.param(lambda site: "/blog/search/?q=x", HTTPStatus.OK, id="search"),
    pytest.param(lambda site: "/blog/feed/", HTTPStatus.OK, id="rss-feed"),
    pytest.param(lambda site: "/blog/feed/atom/", HTTPStatus.OK, id="atom-feed"),
    pytest.param(lambda site: "/sitemap.xml", HTTPStatus.OK, id="sitemap"),
    pytest.param(lambda site: "/robots.txt", HTTPStatus.OK, id="robots-txt"),
    pytest.param(lambda site: "/pages/about/", HTTPStatus.OK, id="editable-page"),
    pytest.param(lambda site: "/consultation/", HTTPStatus.OK, id="consultation-form"),
    pytest.param(lambda site: "/consultation/thanks/", HTTPStatus.OK, id="consultation-thanks"),
    pytest.param(lambda site: "/no-such-page/", HTTPStatus.NOT_FOUND, id="not-found"),
    pytest.param(lambda site: "/blog/no-such-article/", HTTPStatus.NOT_FOUND, id="missing-article"),
    pytest.param(lambda site: "/healthz", HTTPStatus.OK, id="health-check"),
]
CONSULTATION_PAGES = [
    param for param in PUBLIC_PAGES if param.id in {"consultation-form", "consultation-thanks"}
]


def get(client, site, address):
    """The page as production serves it: over HTTPS, so HSTS applies."""
    return client.get(address(site), secure=True)


def policy(response):
    """The Content-Security-Policy as {directive: [sources]}."""
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name.lower()] = sources
    return directives


@pytest.mark.parametrize(("address", "status"), PUBLIC_PAGES)
def test_every_public_page_sends_a_strict_content_security_policy(client, site, address, status):
    response = get(client, site, address)

    assert response.status_code == status
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    every_source = [source.lower() for sources in csp.values() for source in sources]
    assert "'unsafe-inline'" not in every_source
    assert "'unsafe-eval'" not in every_source


@pytest.mark.parametrize(("address", "status"), PUBLIC_PAGES)
def test_every_public_page_sends_hsts_for_a_year_with_subdomains(client, site, address, status):
    response = get(client, site, address)

    assert response.status_code == status
    parts = [part.strip() for part in response["Strict-Transport-Security"].split(";")]
    max_age = [int(part.split("=", 1)[1]) for part in parts if part.lower().startswith("max-age=")]
    assert max_age and max_age[0] >= ONE_YEAR
    assert "includesubdomains" in [part.lower() for part in parts]


@pytest.mark.parametrize(("address", "status"), PUBLIC_PAGES)
def test_every_public_page_forbids_sniffing_framing_and_leaking_the_referrer(
    client, site, address, status
):
    response = get(client, site, address)

    assert response.status_code == status
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.parametrize(("address", "status"), CONSULTATION_PAGES)
def test_consultation_pages_are_never_stored_by_a_cache(client, site, address, status):
    response = get(client, site, address)

    assert response.status_code == status
    directives = [part.strip().lower() for part in response["Cache-Control"].split(",")]
    assert "no-store" in directives


class _Scripts(HTMLParser):
    def __init__(self, markup):
        super().__init__(convert_charrefs=True)
        self.scripts = []  # the attributes of each <script>
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts.append(dict(attrs))

    handle_startendtag = handle_starttag


@pytest.mark.parametrize(("address", "status"), PUBLIC_PAGES)
def test_public_html_pages_carry_no_script_but_structured_data(client, site, address, status):
    response = get(client, site, address)

    assert response.status_code == status
    if not response["Content-Type"].startswith("text/html"):
        return  # feeds, the sitemap, robots.txt and the health check are not HTML
    html = response.content.decode()
    scripts = _Scripts(html).scripts
    assert all(
        attrs.get("type") == "application/ld+json" and "src" not in attrs for attrs in scripts
    ), scripts
    # The parser and a plain count agree: no "<script" hides where the parser did not look.
    assert html.lower().count("<script") == len(scripts)


def test_an_article_page_does_carry_its_structured_data(client, site):
    response = client.get(site.stand_alone.get_absolute_url(), secure=True)

    assert _Scripts(response.content.decode()).scripts == [{"type": "application/ld+json"}]
