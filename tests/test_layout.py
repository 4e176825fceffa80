"""The house's layout holds: one namespace, every package installed, imports flowing the documented way."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT

#: folder on disk -> the package it is installed and imported as
FOLDERS = {
    "policywatch": "policywatch",
    "crawlers": "policywatch.crawlers",
    "transforms": "policywatch.transforms",
    "warehouse": "policywatch.warehouse",
}
CODE = [*FOLDERS, "dags", "tests", "bench"]

#: package -> what its modules may import from policywatch besides the package itself (the longest match rules)
RULES: dict[str, tuple[str, ...]] = {
    "policywatch.transforms": ("policywatch.transforms",),  # no I/O layer, no application
    "policywatch.transforms.policy": ("policywatch.transforms.models", "policywatch.transforms.errors",
                                      "policywatch.transforms.yaml_lines"),
    "policywatch.transforms.alerts": ("policywatch.transforms.models", "policywatch.transforms.errors",
                                      "policywatch.transforms.yaml_lines"),
    "policywatch.transforms.event_study": ("policywatch.transforms.models", "policywatch.transforms.errors"),
    "policywatch.transforms.linking": ("policywatch.transforms.models", "policywatch.transforms.errors",
                                       "policywatch.transforms.policy"),
    "policywatch.transforms.sina": ("policywatch.transforms.models", "policywatch.transforms.errors",
                                    "policywatch.transforms.linking.tickers",
                                    "policywatch.transforms.linking.text_codes",
                                    "policywatch.transforms.policy.measures"),
    "policywatch.crawlers": ("policywatch.transforms",),
    "policywatch.warehouse": ("policywatch.transforms",),
}  # fmt: skip


def modules() -> list[tuple[str, Path]]:
    """Every module of the installed packages, with its dotted name."""
    found = []
    for folder, package in FOLDERS.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            if package == "policywatch" and path.relative_to(ROOT / folder).parts[0] == "data":
                continue
            parts = path.relative_to(ROOT / folder).with_suffix("").parts
            name = ".".join((package, *[p for p in parts if p != "__init__"]))
            found.append((name, path))
    return found


def imported(path: Path) -> list[str]:
    """Absolute module names a file imports (``from a.b import c`` gives ``a.b.c`` and ``a.b``), at any depth."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names += [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def test_every_package_in_the_tree_is_installed():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert config["package-dir"] == {package: folder for folder, package in FOLDERS.items()}
    packages = {name for name, path in modules() if path.name == "__init__.py"}
    assert sorted(config["packages"]) == sorted(packages)
    assert (ROOT / "policywatch" / "py.typed").exists()


@pytest.mark.parametrize("folder", CODE)
def test_nothing_imports_the_folders_as_top_level_packages(folder):
    wrong = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in sorted((ROOT / folder).rglob("*.py"))
        for name in imported(path)
        if name.split(".")[0] in ("crawlers", "transforms", "warehouse")
    ]
    assert wrong == []


def violations(name: str, targets: list[str]) -> list[str]:
    """The imports of module ``name`` that its package's rule does not allow."""
    owner = max((p for p in RULES if name == p or name.startswith(p + ".")), key=len, default=None)
    if owner is None:
        return []
    allowed = RULES[owner]
    return [
        f"{name} imports {target}"
        for target in targets
        if target.startswith("policywatch")
        and not (target == owner or target.startswith(owner + "."))
        and not any(target == a or target.startswith(a + ".") for a in allowed)
    ]


def test_imports_flow_the_documented_way():
    assert [v for name, path in modules() for v in violations(name, imported(path))] == []


def test_the_rules_catch_a_wrong_import(tmp_path):
    """The checker sees what it is meant to: a transform importing the warehouse, a policy module the linker."""
    bad = tmp_path / "bad.py"
    bad.write_text("from policywatch.warehouse.store import open_reader\nimport policywatch.transforms.models\n")
    assert violations("policywatch.transforms.policy.score", imported(bad)) == [
        "policywatch.transforms.policy.score imports policywatch.warehouse.store",
        "policywatch.transforms.policy.score imports policywatch.warehouse.store.open_reader",
    ]
    assert violations("policywatch.transforms.policy.score", ["policywatch.transforms.linking.linker"]) == [
        "policywatch.transforms.policy.score imports policywatch.transforms.linking.linker"
    ]
    assert violations("policywatch.transforms.linking.linker", ["policywatch.transforms.policy.themes"]) == []
