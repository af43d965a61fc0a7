"""The layout's one rule: imports run one way, from the project down to the services.

A module may import its own package, and packages of a lower layer; never one beside it or
above it. Imports inside functions count too (none may dodge a circle), except in an AppConfig's
ready(), where Django wants them.
"""

import ast
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
LAYERS = {
    # the project
    "practice": 3,
    # the apps
    "pages": 2,
    "blog": 2,
    "consultations": 2,
    # the site-wide services
    "editor": 1,
    "outbox": 1,  # its data migration gives the staff roles (staff.roles) their mail permissions
    "staff": 0,
    "licensing": 0,
    "page_cache": 0,
    "images": 0,
    "sqlite_backups": 0,
}


def imports_of(package):
    """(file, imported package) for every import of another of our packages in `package`."""
    for path in sorted((PROJECT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        ready_imports = {
            id(node)
            for function in ast.walk(tree)
            if isinstance(function, ast.FunctionDef) and function.name == "ready"
            for node in ast.walk(function)
        }
        for node in ast.walk(tree):
            if id(node) in ready_imports:
                continue
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                imported = name.split(".")[0]
                if imported in LAYERS and imported != package:
                    yield path.relative_to(PROJECT), imported


@pytest.mark.parametrize("package", LAYERS)
def test_a_package_imports_only_packages_below_it(package):
    upward = [
        f"{path} imports {imported}"
        for path, imported in imports_of(package)
        if LAYERS[imported] >= LAYERS[package]
    ]

    assert upward == []


def test_every_package_of_ours_has_a_layer():
    ours = {
        path.parent.name
        for path in PROJECT.glob("*/apps.py")
        if path.parent.name not in {"tests", "tools"}
    }

    assert ours == set(LAYERS)
