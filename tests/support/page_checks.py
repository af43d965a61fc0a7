"""The checks every page gets, visitors' and staff's alike: axe-core in Debian's chromium with
every rule switched on, and the Nu HTML Checker on the HTML the server sent."""

import json
import shutil
import subprocess

import pytest
from django.conf import settings

BASE_DIR = settings.BASE_DIR
AXE = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
VNU = BASE_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

VIEWPORTS = {
    "phone": {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}

# axe-core with every rule it knows switched on: WCAG A to AAA (color-contrast-enhanced is 7:1),
# best practice, and the experimental and deprecated rules too (css-orientation-lock,
# focus-order-semantics, p-as-heading, table-fake-caption, td-has-header, duplicate-id…). None is
# noisy on our pages, so none is left out. "hidden-content" only ever asks for a human review
# ("incomplete"), never a violation; we assert on violations.
RUN_AXE = """async () => {
  const rules = Object.fromEntries(axe.getRules().map((rule) => [rule.ruleId, {enabled: true}]));
  const results = await axe.run(document, {rules, resultTypes: ["violations"]});
  return results.violations;
}"""


def axe_context(browser, viewport, scheme):
    """A browser context in which every page loads with axe-core, ready for RUN_AXE."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci --ignore-scripts` (or `make test`).")
    # Our Content-Security-Policy rightly refuses injected scripts; axe needs to run anyway.
    context = browser.new_context(bypass_csp=True, color_scheme=scheme, **VIEWPORTS[viewport])
    # Injected into every page as it loads: quicker than add_script_tag after each load.
    context.add_init_script(path=str(AXE))
    return context


def describe_violation(where, violation):
    nodes = "\n".join(
        f"      {' '.join(map(str, node['target']))}: {node['failureSummary']}".replace(
            "\n", "\n        "
        )
        for node in violation["nodes"]
    )
    return (
        f"{where}: {violation['id']} ({violation['impact']}): {violation['help']}\n"
        f"    {violation['helpUrl']}\n{nodes}"
    )


def nu_problems(html, stylesheets, folder):
    """What the Nu HTML Checker says, errors and warnings, about each page's HTML (`html`: name
    -> markup) and each stylesheet (paths), written to `folder` for it to read."""
    if shutil.which("java") is None:
        pytest.fail("The Nu HTML Checker needs Java: sudo apt-get install -y default-jre-headless")
    if not VNU.exists():
        pytest.fail("vnu.jar is missing: run `npm ci --ignore-scripts` (or `make test`).")
    files = {}  # path given to the checker -> what to call it in a failure
    for name, markup in html.items():
        path = folder / f"{name}.html"
        path.write_text(markup, encoding="utf-8")
        files[str(path)] = name
    for stylesheet in stylesheets:
        copy = folder / stylesheet.name
        shutil.copyfile(stylesheet, copy)
        files[str(copy)] = str(stylesheet.relative_to(BASE_DIR))

    # One run for everything, as the JVM is slow to start. --also-check-css: .css files as CSS,
    # the rest as HTML. --verbose names each file checked on stderr; the checker skips a file
    # it cannot read without a word, so we make sure that each one was read.
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--format", "json", "--stdout", "--also-check-css", "--verbose"]
        + list(files),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert set(result.stderr.split()) >= set(files), f"Some files went unchecked:\n{result.stderr}"
    try:
        messages = json.loads(result.stdout)["messages"]
    except (json.JSONDecodeError, KeyError):
        pytest.fail(f"The Nu HTML Checker gave no report:\n{result.stdout}\n{result.stderr}")

    def where(message):
        path = message.get("url", "").removeprefix("file:")
        return f"{files.get(path, path)}, line {message.get('lastLine', '?')}"

    problems = [
        f"{where(m)}: {m.get('subType', m['type'])}: {m['message']}\n    {m.get('extract', '')!r}"
        for m in messages
        if m["type"] != "info" or m.get("subType") == "warning"
    ]
    if not problems:
        assert result.returncode == 0, result.stderr
    return problems
