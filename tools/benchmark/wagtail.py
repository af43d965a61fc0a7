"""A stock Wagtail 8 article page beside ours: with the page cache off, our article and this
page take turns in the same load rounds.

Built once into bench/wagtail-8.0.1/ (git-ignored), from PyPI: a virtualenv with wagtail and
gunicorn, a project from `wagtail start`, and the blog of Wagtail's own tutorial ("Your first
Wagtail site": a BlogIndexPage, and a BlogPage with title, date, intro and a RichTextField
body), nothing tuned. Each run puts our article's title, summary and body HTML into one such
page and serves it with the stock project's production settings (DEBUG off), SQLite, gunicorn
with 2 workers on 127.0.0.1. No Wagtail code is kept in the repository: only this script.
"""

# Runs pip, wagtail's commands and gunicorn, all on this machine, and talks only to 127.0.0.1.
# ruff: noqa: S603

import contextlib
import json
import secrets
import shutil
import subprocess
import time

from tools.benchmark.database import BENCH_DIR, PYTHON
from tools.serving import HOST, HttpClient, Server, clean_environment, free_port, stop_group

VERSION = "8.0.1"
FOLDER = BENCH_DIR / f"wagtail-{VERSION}"
VENV = FOLDER / "venv"
SITE = FOLDER / "benchsite"
BUILT = FOLDER / "built"  # written last: a folder without it is half-built and made again
PAGE_PATH = "/blog/bench-article/"
STARTUP_TIMEOUT = 30

# The tutorial's models and template, as the tutorial writes them.
MODELS = """from django.db import models

from wagtail.models import Page
from wagtail.fields import RichTextField


class BlogIndexPage(Page):
    intro = RichTextField(blank=True)

    content_panels = Page.content_panels + ["intro"]


class BlogPage(Page):
    date = models.DateField("Post date")
    intro = models.CharField(max_length=250)
    body = RichTextField(blank=True)

    content_panels = Page.content_panels + ["date", "intro", "body"]
"""
PAGE_TEMPLATE = """{% extends "base.html" %}
{% load wagtailcore_tags %}

{% block body_class %}template-blogpage{% endblock %}

{% block content %}
    <h1>{{ page.title }}</h1>
    <p class="meta">{{ page.date }}</p>

    <div class="intro">{{ page.intro }}</div>

    {{ page.body|richtext }}

    <p><a href="{{ page.get_parent.url }}">Return to blog</a></p>

{% endblock %}
"""
INDEX_TEMPLATE = """{% extends "base.html" %}
{% load wagtailcore_tags %}

{% block body_class %}template-blogindexpage{% endblock %}

{% block content %}
    <h1>{{ page.title }}</h1>

    <div class="intro">{{ page.intro|richtext }}</div>

    {% for post in page.get_children %}
        <h2><a href="{% pageurl post %}">{{ post.title }}</a></h2>
        {{ post.specific.intro }}
        {{ post.specific.body|richtext }}
    {% endfor %}

{% endblock %}
"""
# Production settings need a secret key and the hosts; the stock production.py reads local.py.
LOCAL_SETTINGS = """SECRET_KEY = {secret!r}
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
"""
# Puts the article into the one BlogPage under the blog index, creating both the first time.
PUT_ARTICLE = """
import json, os
from wagtail.models import Site
from blog.models import BlogIndexPage, BlogPage

article = json.loads(os.environ["BENCH_ARTICLE"])
home = Site.objects.get(is_default_site=True).root_page
index = BlogIndexPage.objects.first()
if index is None:
    index = home.add_child(instance=BlogIndexPage(title="Blog", slug="blog"))
page = BlogPage.objects.first()
if page is None:
    page = index.add_child(instance=BlogPage(slug="bench-article", **article))
for name, value in article.items():
    setattr(page, name, value)
page.save_revision().publish()
"""


def site_env(**extra):
    return clean_environment(DJANGO_SETTINGS_MODULE="benchsite.settings.production", **extra)


def step(command, label, env=None, cwd=None):
    started = time.monotonic()
    done = subprocess.run(
        command, cwd=cwd or SITE, env=env or site_env(), capture_output=True, text=True,
        check=False, timeout=900,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"{label} failed (exit {done.returncode}): {done.stderr[-1500:]}")
    print(f"  {label:<28} {time.monotonic() - started:5.1f} s", flush=True)


def build():
    """The virtualenv and the stock project with the tutorial's blog, once."""
    if BUILT.exists():
        return
    print(f"  building Wagtail {VERSION} in {FOLDER.relative_to(BENCH_DIR.parent)} (once)")
    shutil.rmtree(FOLDER, ignore_errors=True)
    FOLDER.mkdir(parents=True)
    step([str(PYTHON), "-m", "venv", str(VENV)], "virtualenv", cwd=FOLDER)
    pip = [str(VENV / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check"]
    step([*pip, f"wagtail=={VERSION}", "gunicorn"], "pip install wagtail", cwd=FOLDER)
    step([str(VENV / "bin" / "wagtail"), "start", SITE.name], "wagtail start", cwd=FOLDER)
    python = str(VENV / "bin" / "python")
    step([python, "manage.py", "startapp", "blog"], "startapp blog")
    (SITE / "blog" / "models.py").write_text(MODELS)
    templates = SITE / "blog" / "templates" / "blog"
    templates.mkdir(parents=True)
    (templates / "blog_page.html").write_text(PAGE_TEMPLATE)
    (templates / "blog_index_page.html").write_text(INDEX_TEMPLATE)
    base = SITE / "benchsite" / "settings" / "base.py"
    base.write_text(
        base.read_text().replace("INSTALLED_APPS = [\n", 'INSTALLED_APPS = [\n    "blog",\n', 1)
    )
    local = LOCAL_SETTINGS.format(secret=secrets.token_urlsafe(50))
    (SITE / "benchsite" / "settings" / "local.py").write_text(local)
    step([python, "manage.py", "makemigrations", "blog"], "makemigrations")
    step([python, "manage.py", "migrate", "--noinput"], "migrate")
    step([python, "manage.py", "collectstatic", "--noinput"], "collectstatic")
    BUILT.write_text(f"wagtail=={VERSION}\n")


def article_fields(post):
    """Our article's title, date, summary and body HTML, as the tutorial's BlogPage has them."""
    return {
        "title": post.title,
        "date": post.published_at.date().isoformat(),
        "intro": post.summary[:250],
        "body": post.body_html,
    }


def prepare(article):
    """Build once, then put `article` (article_fields) into the page. None when ready, else
    why Wagtail is not measured (no network to PyPI, say)."""
    try:
        build()
        python = str(VENV / "bin" / "python")
        env = site_env(BENCH_ARTICLE=json.dumps(article))
        step([python, "manage.py", "shell", "-c", PUT_ARTICLE], "Wagtail page", env=env)
    except (OSError, RuntimeError, subprocess.SubprocessError) as error:
        return f"not measured: Wagtail {VERSION} could not be set up ({error})"
    return None


@contextlib.contextmanager
def running_wagtail(workdir):
    """The Wagtail site under gunicorn (2 workers) on a free port of 127.0.0.1; yields its
    Server once the page answers 200, and stops it whatever happens."""
    port = free_port()
    server = Server(
        name="wagtail",
        port=port,
        process=None,
        error_log=workdir / "wagtail-error.log",
        access_log=workdir / "wagtail-access.log",
    )
    command = [
        *(str(VENV / "bin" / "gunicorn"), "benchsite.wsgi", "--workers", "2", "--threads", "1"),
        *("--bind", f"{HOST}:{port}", "--error-logfile", str(server.error_log)),
        *(
            "--access-logfile",
            str(server.access_log),
            "--access-logformat",
            "%(p)s %(m)s %(U)s %(s)s",
        ),
        "--no-control-socket",
    ]
    server.process = subprocess.Popen(
        command, cwd=SITE, env=site_env(), stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            if server.process.poll() is not None:
                raise RuntimeError(f"Wagtail's gunicorn exited.{server.logs()}")
            with contextlib.suppress(OSError):
                if HttpClient().get(server, PAGE_PATH).status == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"Wagtail's page did not answer 200.{server.logs()}")
            time.sleep(0.2)
        yield server
    finally:
        stop_group(server.process)
