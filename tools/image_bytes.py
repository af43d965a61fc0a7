"""How many bytes of images a phone downloads for one page: `python tools/image_bytes.py`.

Serves the site the way `make serve` does (gunicorn, DEBUG off, collected static files) with the
demo content, in a throwaway database and media folder, then opens the page in Debian's chromium
(Playwright) as a 360x640 phone (touch, mobile viewport, 3 device pixels per CSS pixel, like the
phones that size is taken from), scrolls to the bottom so every lazy image loads, and adds up
the bodies of the image responses. Prints each image and the total.

    .venv/bin/python tools/image_bytes.py [--path /blog/what-to-expect/] [--scale 3]
                                          [--width 360] [--height 640]

Run from another checkout (say, the code before a change) it measures that checkout's pages.
"""

# Runs our own commands (manage.py, gunicorn) and fetches pages from the server it started on
# 127.0.0.1 only.
# ruff: noqa: S603

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tools.chromium import CHROMIUM, CHROMIUM_FLAGS  # noqa: E402
from tools.serving import production_environment, run_setup, running_gunicorn  # noqa: E402

ARTICLE_WITH_THE_ILLUSTRATION = "/blog/what-to-expect/"
SCROLL_STEPS = 40


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", default=ARTICLE_WITH_THE_ILLUSTRATION)
    parser.add_argument("--width", type=int, default=360)
    parser.add_argument("--height", type=int, default=640)
    parser.add_argument("--scale", type=float, default=3, help="device pixels per CSS pixel")
    return parser.parse_args(argv)


def image_responses(base_url, args):
    """(url, content type, body bytes) of every image the page loaded, top to bottom."""
    found = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        context = browser.new_context(
            viewport={"width": args.width, "height": args.height},
            device_scale_factor=args.scale,
            is_mobile=True,
            has_touch=True,
        )
        page = context.new_page()

        def on_response(response):
            if response.request.resource_type == "image":
                found.append(
                    (response.url, response.headers.get("content-type"), len(response.body()))
                )

        page.on("response", on_response)
        page.goto(base_url + args.path, wait_until="load")
        height = page.evaluate("document.documentElement.scrollHeight")
        for step in range(1, SCROLL_STEPS + 1):
            page.evaluate(f"window.scrollTo(0, {height * step // SCROLL_STEPS})")
            page.wait_for_timeout(50)
        page.wait_for_load_state("networkidle")
        context.close()
        browser.close()
    return found


def main(argv=None):
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="image-bytes-") as folder:
        workdir = Path(folder)
        env = production_environment(workdir)
        manage = [sys.executable, "manage.py"]
        run_setup([*manage, "collectstatic", "--noinput", "--verbosity", "0"], env, "collectstatic")
        run_setup([*manage, "migrate", "--noinput"], env, "migrate")
        run_setup([*manage, "load_demo"], env, "load_demo")
        with running_gunicorn(env, workdir, workers=1) as server:
            found = image_responses(server.base_url, args)
    print(f"{args.path} at {args.width}x{args.height}, {args.scale:g} device pixels per CSS px:")
    for url, content_type, size in found:
        print(f"  {size:>9,} bytes  {content_type:<11} {url.removeprefix(server.base_url)}")
    print(f"  {sum(size for _url, _type, size in found):>9,} bytes of images in all")


if __name__ == "__main__":
    main()
