"""The rule of the house, enforced on the import graph (static, with ``ast``; nothing is imported).

* a service package imports only ``hrss_shared``, ``hrss_contracts``, itself, the standard library and
  third-party packages: never another service package, never ``hrss_cli``;
* ``hrss_shared``, ``hrss_contracts`` and ``hrss_cli`` import no service package;
* ``hrss_shared`` (mechanisms) imports neither ``hrss_contracts`` nor ``hrss_cli``;
* ``hrss_contracts`` may import ``hrss_shared`` but not ``hrss_cli``.

Static imports (``import x``, ``from x import y``, relative imports resolved against the file's own
package, including those under ``if TYPE_CHECKING:`` or inside functions) and dynamic imports whose module
name is a string constant (``importlib.import_module("x")``, ``__import__("x")``) are edges. Strings that
merely name a module as data (``"gateway.main:create_app"`` handed to uvicorn) are not.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

from hrss_shared.registry import SERVICES

REPO = Path(__file__).resolve().parents[2]
SHARED_SRC = REPO / "shared" / "src"
SHARED_PACKAGES = ("hrss_shared", "hrss_contracts", "hrss_cli")


@dataclass(frozen=True, order=True)
class Edge:
    """One import: ``file`` (relative to the scanned root) line ``line`` imports module ``imported``."""

    file: str
    line: int
    imported: str
    dynamic: bool = False

    @property
    def top(self) -> str:
        """The top-level package imported (``""`` for a relative import that escapes its package)."""
        return "" if self.imported.startswith(".") else self.imported.split(".")[0]

    def describe(self, root: Path) -> str:
        how = "dynamically imports" if self.dynamic else "imports"
        where = (root / self.file).relative_to(REPO) if (root / self.file).is_relative_to(REPO) else root / self.file
        return f"{where}:{self.line} {how} {self.imported}"


def _module_name(package: str, relative: Path) -> tuple[str, bool]:
    """Dotted module name of ``relative`` (a path under the package directory) and whether it is a package."""
    parts = [package, *relative.with_suffix("").parts]
    is_package = parts[-1] == "__init__"
    if is_package:
        parts.pop()
    return ".".join(parts), is_package


def _resolve(current_package: str, level: int, module: str | None) -> str:
    """Absolute name of a ``level``-dot relative import from ``current_package``; unresolvable ones stay relative."""
    parts = current_package.split(".")
    if level - 1 >= len(parts):
        return "." * level + (module or "")
    base = parts[: len(parts) - (level - 1)]
    return ".".join([*base, module] if module else base)


class _Collector(ast.NodeVisitor):
    def __init__(self, file: str, module: str, is_package: bool) -> None:
        self.file = file
        self.package = module if is_package else module.rpartition(".")[0]
        self.edges: list[Edge] = []
        self.importlib_names: set[str] = set()  # names bound to the importlib module
        self.import_module_names: set[str] = set()  # names bound to importlib.import_module
        self.builtins_names: set[str] = set()

    def _add(self, node: ast.AST, imported: str, dynamic: bool = False) -> None:
        self.edges.append(Edge(self.file, getattr(node, "lineno", 0), imported, dynamic))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(node, alias.name)
            if alias.name == "importlib":
                self.importlib_names.add(alias.asname or "importlib")
            elif alias.name == "builtins":
                self.builtins_names.add(alias.asname or "builtins")
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            base = _resolve(self.package, node.level, node.module)
        else:
            base = node.module or ""
        if node.module is None:
            # ``from . import a, b``: each name is (normally) a submodule of the package
            for alias in node.names:
                self._add(node, f"{base}.{alias.name}" if not base.endswith(".") else base + alias.name)
        else:
            self._add(node, base)
        if base == "importlib":
            self.import_module_names.update(a.asname or a.name for a in node.names if a.name == "import_module")
        self.generic_visit(node)

    def _is_import_call(self, func: ast.expr) -> bool:
        if isinstance(func, ast.Name):
            return func.id == "__import__" or func.id in self.import_module_names
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            if func.attr == "import_module":
                return func.value.id in self.importlib_names or func.value.id == "importlib"
            if func.attr == "__import__":
                return func.value.id in self.builtins_names
        return False

    def visit_Call(self, node: ast.Call) -> None:
        if self._is_import_call(node.func) and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str) and first.value:
                name = first.value
                if name.startswith("."):
                    anchor = node.args[1] if len(node.args) > 1 else None
                    anchor = anchor or next((k.value for k in node.keywords if k.arg == "package"), None)
                    if isinstance(anchor, ast.Constant) and isinstance(anchor.value, str):
                        level = len(name) - len(name.lstrip("."))
                        name = _resolve(anchor.value, level, name.lstrip(".") or None)
                self._add(node, name, dynamic=True)
        self.generic_visit(node)


def import_edges(root: Path, package: str) -> list[Edge]:
    """Every import made by the ``.py`` files of ``root/package`` (sorted; ``file`` relative to ``root``)."""
    package_dir = root / package
    if not package_dir.is_dir():
        raise FileNotFoundError(f"no package directory {package_dir}")
    edges: list[Edge] = []
    for path in sorted(package_dir.rglob("*.py")):
        relative = path.relative_to(package_dir)
        module, is_package = _module_name(package, relative)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        collector = _Collector(path.relative_to(root).as_posix(), module, is_package)
        collector.visit(tree)
        edges.extend(collector.edges)
    return sorted(edges)


def forbidden_packages(package: str, services: Iterable[str]) -> set[str]:
    """The first-party top-level packages ``package`` must not import, by the rule of the house."""
    service_set = set(services)
    if package in service_set:
        return (service_set - {package}) | {"hrss_cli"}
    if package == "hrss_shared":
        return service_set | {"hrss_contracts", "hrss_cli"}
    if package == "hrss_contracts":
        return service_set | {"hrss_cli"}
    if package == "hrss_cli":
        return set(service_set)
    raise ValueError(f"{package!r} is neither a service package nor one of {SHARED_PACKAGES}")


def violations(edges: Iterable[Edge], package: str, services: Iterable[str]) -> list[Edge]:
    """The edges that break the rule for ``package``: forbidden imports and relative imports leaving the package."""
    forbidden = forbidden_packages(package, services)
    return [e for e in edges if e.top in forbidden or e.top == ""]


# --- discovery -------------------------------------------------------------------------------------------


def service_dirs_on_disk() -> dict[str, Path]:
    """Every ``services/*/src/<pkg>`` directory: package name → its ``src`` root."""
    found: dict[str, Path] = {}
    for src in sorted((REPO / "services").glob("*/src")):
        for pkg in sorted(p for p in src.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
            if pkg.name.endswith(".egg-info"):
                continue
            assert pkg.name not in found, f"service package {pkg.name} found twice: {found[pkg.name]} and {src}"
            found[pkg.name] = src
    return found


def shared_dirs_on_disk() -> list[str]:
    return sorted(
        p.name
        for p in SHARED_SRC.iterdir()
        if p.is_dir() and not p.name.startswith((".", "_")) and not p.name.endswith(".egg-info")
    )


REGISTRY_PACKAGES = sorted(s.package for s in SERVICES.values())
SERVICE_ROOTS = service_dirs_on_disk()
ALL_PACKAGES: dict[str, Path] = {**SERVICE_ROOTS, **dict.fromkeys(SHARED_PACKAGES, SHARED_SRC)}


def test_service_packages_of_the_registry_and_of_the_filesystem_agree() -> None:
    on_disk = sorted(SERVICE_ROOTS)
    problems = [
        f"services/*/src/{p} has no registry entry (hrss_shared.registry.SERVICES)"
        for p in on_disk
        if p not in REGISTRY_PACKAGES
    ] + [f"registry package {p!r} has no services/*/src/{p} directory" for p in REGISTRY_PACKAGES if p not in on_disk]
    assert not problems, "\n".join(problems)
    assert len(set(REGISTRY_PACKAGES)) == len(REGISTRY_PACKAGES), f"duplicate registry packages: {REGISTRY_PACKAGES}"


def test_shared_packages_are_the_ones_the_rule_knows() -> None:
    assert shared_dirs_on_disk() == sorted(SHARED_PACKAGES), (
        "shared/src holds packages the import rule does not cover; extend the rule (and this test) first"
    )


@pytest.mark.parametrize("package", sorted(ALL_PACKAGES))
def test_import_rule(package: str) -> None:
    root = ALL_PACKAGES[package]
    edges = import_edges(root, package)
    assert edges, f"no imports found in {root / package}: the scan is not looking at the code"
    services = set(REGISTRY_PACKAGES) | set(SERVICE_ROOTS)
    bad = violations(edges, package, services)
    forbidden = ", ".join(sorted(forbidden_packages(package, services)))
    if bad:
        listing = "\n".join(e.describe(root) for e in bad)
        pytest.fail(f"{package} must not import {forbidden}; found {len(bad)}:\n{listing}", pytrace=False)


@pytest.mark.parametrize("package", sorted(SERVICE_ROOTS))
def test_every_service_builds_on_hrss_shared(package: str) -> None:
    """A sanity check on the scan itself: every service reaches the mechanisms through ``hrss_shared``."""
    edges = import_edges(SERVICE_ROOTS[package], package)
    assert any(e.top == "hrss_shared" for e in edges)
    assert any(e.top == package for e in edges), f"{package} never imports its own modules: relative/absolute scan?"


# --- the checker catches what it should --------------------------------------------------------------------


def _write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_checker_reports_exactly_the_expected_edges(tmp_path: Path) -> None:
    _write(tmp_path, "svc_a/__init__.py", "from . import z\nimport svc_b.models\nimport os, json\n")
    _write(
        tmp_path,
        "svc_a/z.py",
        "from svc_b import thing\n"
        "from .sub import deep\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from hrss_cli.main import main\n",
    )
    _write(
        tmp_path,
        "svc_a/sub/__init__.py",
        "from .. import z\n"
        "from ..z import q\n"
        "from . import leaf\n"
        "import importlib as il\n"
        "from importlib import import_module as load\n"
        "APP = 'svc_b.main:create_app'\n"
        "def f(name):\n"
        "    il.import_module('svc_b.api')\n"
        "    load('.x', 'svc_b')\n"
        "    __import__('svc_b')\n"
        "    il.import_module(name)\n"
        "    print('svc_b.main')\n"
        "    return APP\n",
    )
    _write(tmp_path, "svc_a/sub/leaf.py", "from ... import escape\nfrom ..z import q\n")
    _write(tmp_path, "svc_b/__init__.py", "from svc_a import z\nfrom hrss_shared import registry\n")

    edges_a = import_edges(tmp_path, "svc_a")
    assert edges_a == sorted(
        [
            Edge("svc_a/__init__.py", 1, "svc_a.z"),
            Edge("svc_a/__init__.py", 2, "svc_b.models"),
            Edge("svc_a/__init__.py", 3, "os"),
            Edge("svc_a/__init__.py", 3, "json"),
            Edge("svc_a/z.py", 1, "svc_b"),
            Edge("svc_a/z.py", 2, "svc_a.sub"),
            Edge("svc_a/z.py", 3, "typing"),
            Edge("svc_a/z.py", 5, "hrss_cli.main"),
            Edge("svc_a/sub/__init__.py", 1, "svc_a.z"),
            Edge("svc_a/sub/__init__.py", 2, "svc_a.z"),
            Edge("svc_a/sub/__init__.py", 3, "svc_a.sub.leaf"),
            Edge("svc_a/sub/__init__.py", 4, "importlib"),
            Edge("svc_a/sub/__init__.py", 5, "importlib"),
            Edge("svc_a/sub/__init__.py", 8, "svc_b.api", dynamic=True),
            Edge("svc_a/sub/__init__.py", 9, "svc_b.x", dynamic=True),
            Edge("svc_a/sub/__init__.py", 10, "svc_b", dynamic=True),
            Edge("svc_a/sub/leaf.py", 1, "...escape"),
            Edge("svc_a/sub/leaf.py", 2, "svc_a.z"),
        ]
    )
    assert violations(edges_a, "svc_a", {"svc_a", "svc_b"}) == sorted(
        [
            Edge("svc_a/__init__.py", 2, "svc_b.models"),
            Edge("svc_a/z.py", 1, "svc_b"),
            Edge("svc_a/z.py", 5, "hrss_cli.main"),
            Edge("svc_a/sub/__init__.py", 8, "svc_b.api", dynamic=True),
            Edge("svc_a/sub/__init__.py", 9, "svc_b.x", dynamic=True),
            Edge("svc_a/sub/__init__.py", 10, "svc_b", dynamic=True),
            Edge("svc_a/sub/leaf.py", 1, "...escape"),
        ]
    )

    edges_b = import_edges(tmp_path, "svc_b")
    assert edges_b == [Edge("svc_b/__init__.py", 1, "svc_a"), Edge("svc_b/__init__.py", 2, "hrss_shared")]
    assert violations(edges_b, "svc_b", {"svc_a", "svc_b"}) == [Edge("svc_b/__init__.py", 1, "svc_a")]
    assert violations(edges_b, "hrss_shared", {"svc_a", "svc_b"}) == [Edge("svc_b/__init__.py", 1, "svc_a")]


def test_rule_table() -> None:
    services = {"svc_a", "svc_b"}
    assert forbidden_packages("svc_a", services) == {"svc_b", "hrss_cli"}
    assert forbidden_packages("hrss_shared", services) == {"svc_a", "svc_b", "hrss_contracts", "hrss_cli"}
    assert forbidden_packages("hrss_contracts", services) == {"svc_a", "svc_b", "hrss_cli"}
    assert forbidden_packages("hrss_cli", services) == {"svc_a", "svc_b"}
    contracts = [Edge("c.py", 1, "hrss_shared.events"), Edge("c.py", 2, "hrss_cli"), Edge("c.py", 3, "pydantic")]
    assert violations(contracts, "hrss_contracts", services) == [Edge("c.py", 2, "hrss_cli")]
    shared = [Edge("s.py", 1, "hrss_contracts.training"), Edge("s.py", 2, "sqlalchemy")]
    assert violations(shared, "hrss_shared", services) == [Edge("s.py", 1, "hrss_contracts.training")]
    with pytest.raises(ValueError):
        forbidden_packages("unknown", services)
