"""The layout the conventions ask for, checked from the source (no import, no model).

``app → assistant → index``: ``index`` never imports ``assistant``, no import cycle among the
project's modules, no module over 400 lines, and no interface reaching into the catalog or the
vector store. The import graph is read with ``ast``, so it sees every import statement, wherever
it is: at module level, inside functions, under ``if TYPE_CHECKING:``, relative or absolute.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("assistant", "index")
ENTRY_POINTS = ("app",)
MAX_LINES = 400
STORAGE = ("index.catalog", "index.store")


@dataclass(frozen=True)
class Module:
    name: str
    path: Path

    @property
    def is_package(self) -> bool:
        return self.path.name == "__init__.py"


@dataclass(frozen=True)
class Edge:
    """``source`` imports ``target`` at ``line`` of its file."""

    source: str
    target: str
    line: int


def project_modules(root: Path, packages: Iterable[str] = PACKAGES,
                    entry_points: Iterable[str] = ENTRY_POINTS) -> dict[str, Module]:
    """Every source module of the packages (a package is named by its ``__init__``) and the
    top-level entry points that exist."""
    mods: dict[str, Module] = {}
    for pkg in packages:
        for path in sorted((root / pkg).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            mods[".".join(parts)] = Module(".".join(parts), path)
    for name in entry_points:
        if (root / f"{name}.py").is_file():
            mods[name] = Module(name, root / f"{name}.py")
    return mods


def _absolute(module: Module, level: int, target: str | None) -> str:
    """The absolute name of ``from <.level><target> import ...`` written in ``module``."""
    if not level:
        return target or ""
    package = module.name.split(".") if module.is_package else module.name.split(".")[:-1]
    base = package[: len(package) - (level - 1)]
    return ".".join(base + ([target] if target else []))


def _known(name: str, mods: dict[str, Module]) -> str | None:
    """The project module ``name`` or, for ``import a.b.C``-like names, its longest known
    prefix; None outside the project."""
    parts = name.split(".")
    while parts:
        if ".".join(parts) in mods:
            return ".".join(parts)
        parts.pop()
    return None


def imports_of(module: Module, mods: dict[str, Module]) -> list[Edge]:
    """The project modules ``module`` imports, from every import statement in its source."""
    tree = ast.parse(module.path.read_text(encoding="utf-8"), filename=str(module.path))
    edges = []

    def add(target: str | None, line: int) -> None:
        if target is not None and target != module.name:
            edges.append(Edge(module.name, target, line))

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(_known(alias.name, mods), node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, node.level, node.module)
            for alias in node.names:
                # ``from pkg import sub`` depends on the submodule; ``from pkg import name`` on
                # the package's ``__init__`` (or the module) that defines the name.
                sub = f"{base}.{alias.name}"
                add(sub if sub in mods else _known(base, mods), node.lineno)
        elif (isinstance(node, ast.Call) and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
              and (_called(node.func) in ("import_module", "__import__"))):
            add(_known(node.args[0].value, mods), node.lineno)
    return edges


def _called(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def import_graph(root: Path = ROOT) -> tuple[dict[str, Module], dict[str, dict[str, Edge]]]:
    """The project's modules, and for each the modules it imports (with one import's line)."""
    mods = project_modules(root)
    graph: dict[str, dict[str, Edge]] = {}
    for name, module in mods.items():
        targets: dict[str, Edge] = {}
        for edge in imports_of(module, mods):
            targets.setdefault(edge.target, edge)
        graph[name] = targets
    return mods, graph


def strongly_connected(graph: dict[str, dict[str, Edge]]) -> list[list[str]]:
    """The components of more than one module that import each other (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            v, children = work[-1]
            for w in children:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph.get(w, {})))))
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    component = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        component.append(w)
                        if w == v:
                            break
                    if len(component) > 1:
                        out.append(sorted(component))
    return out


def a_cycle(component: list[str], graph: dict[str, dict[str, Edge]]) -> list[Edge]:
    """One shortest cycle through the component's first module, as the imports that make it."""
    start = component[0]
    members = set(component)
    came: dict[str, Edge] = {}
    frontier = [start]
    while frontier:
        following = []
        for v in frontier:
            for w, edge in sorted(graph[v].items()):
                if w not in members or w in came:
                    continue
                came[w] = edge
                if w == start:
                    path = [edge]
                    while path[0].source != start:
                        path.insert(0, came[path[0].source])
                    return path
                following.append(w)
        frontier = following
    raise AssertionError(f"no cycle through {start} in {component}")


def describe(cycle: list[Edge], mods: dict[str, Module], root: Path = ROOT) -> str:
    names = " -> ".join([cycle[0].source] + [e.target for e in cycle])
    where = "; ".join(f"{mods[e.source].path.relative_to(root)}:{e.line} imports {e.target}"
                      for e in cycle)
    return f"{names} ({where})"


def _within(package: str, name: str) -> bool:
    return name == package or name.startswith(package + ".")


MODS, GRAPH = import_graph()


def test_the_graph_covers_the_project():
    # Guards the checks below against passing on an empty graph (a wrong ROOT, say).
    assert {"app", "assistant", "index"} <= MODS.keys()
    assert any(n.startswith("assistant.interfaces.") for n in MODS)
    assert "assistant" in GRAPH["app"] or any(t.startswith("assistant.") for t in GRAPH["app"])


def test_no_import_cycle():
    cycles = [describe(a_cycle(c, GRAPH), MODS) for c in strongly_connected(GRAPH)]
    assert not cycles, "import cycles among the project's modules:\n" + "\n".join(cycles)


def test_no_module_over_400_lines():
    long = {n: len(m.path.read_text(encoding="utf-8").splitlines()) for n, m in MODS.items()}
    over = sorted(((lines, n) for n, lines in long.items() if lines > MAX_LINES), reverse=True)
    assert not over, f"modules over {MAX_LINES} lines: " + ", ".join(
        f"{n} ({lines} lines, {MODS[n].path.relative_to(ROOT)})" for lines, n in over)


def test_index_never_imports_assistant():
    wrong = [e for n, targets in GRAPH.items() if _within("index", n)
             for e in targets.values() if _within("assistant", e.target)]
    assert not wrong, "index imports assistant: " + "; ".join(
        f"{MODS[e.source].path.relative_to(ROOT)}:{e.line} imports {e.target}" for e in wrong)


def test_interfaces_never_reach_into_the_catalog_or_the_store():
    wrong = [e for n, targets in GRAPH.items()
             if _within("assistant.interfaces", n)
             for e in targets.values() if e.target in STORAGE]
    assert not wrong, "interfaces importing the catalog or the store: " + "; ".join(
        f"{MODS[e.source].path.relative_to(ROOT)}:{e.line} imports {e.target}" for e in wrong)


# -- the checker itself, on a made-up project ------------------------------------------------------

def test_the_graph_sees_every_kind_of_import(tmp_path: Path):
    files = {
        "app.py": "import pkg.a\n",
        "pkg/__init__.py": "from pkg.a import A\n",
        "pkg/a.py": "A = 1\ndef f():\n    from pkg import b\n",
        "pkg/b.py": ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                     "    from .sub.c import C\n"),
        "pkg/sub/__init__.py": "from .. import a\n",
        "pkg/sub/c.py": ("import importlib\nimport os.path\nfrom pkg import A\n"
                         "def g():\n    return importlib.import_module('pkg.sub.d')\n"),
        "pkg/sub/d.py": "from . import c\nfrom ..a import A\n",
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    mods = project_modules(tmp_path, packages=("pkg",))
    graph = {n: {e.target for e in imports_of(m, mods)} for n, m in mods.items()}
    assert graph == {
        "app": {"pkg.a"},
        "pkg": {"pkg.a"},
        "pkg.a": {"pkg.b"},  # function level; ``from pkg import b`` is the submodule
        "pkg.b": {"pkg.sub.c"},  # under TYPE_CHECKING, relative
        "pkg.sub": {"pkg.a"},  # ``from .. import a`` in a package's __init__
        "pkg.sub.c": {"pkg", "pkg.sub.d"},  # a name from the package; importlib
        "pkg.sub.d": {"pkg.sub.c", "pkg.a"},
    }
    full = {n: {e.target: e for e in imports_of(m, mods)} for n, m in mods.items()}
    assert strongly_connected(full) == [["pkg", "pkg.a", "pkg.b", "pkg.sub.c", "pkg.sub.d"]]
    cycle = a_cycle(["pkg.sub.c", "pkg.sub.d"], full)
    assert [(e.source, e.target, e.line) for e in cycle] == [
        ("pkg.sub.c", "pkg.sub.d", 5), ("pkg.sub.d", "pkg.sub.c", 1)]
