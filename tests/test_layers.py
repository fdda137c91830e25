"""The package's shape: imports point one way (down the layers, in the order the README's
map of the code lists them), no module imports one that imports it back, and the heavy or
interface-specific libraries stay in the layer that owns them."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "geotag"

# Top layer first, one layer a line, as the README's map of the code lists them: a module
# may import only from its own layer or one further down this list.
ORDER = [
    ("geotag", "geotag.__main__"),
    ("geotag.cli",),
    ("geotag.api",),
    ("geotag.dask",),
    ("geotag.evaluate",),
    ("geotag.geocoder",),
    ("geotag.formats",),
    ("geotag.readers",),
    ("geotag.engine",),
    ("geotag.tagging",),
    ("geotag.gazetteer",),
    ("geotag.options",),
    ("geotag.models",),
    ("geotag.errors", "geotag._version", "geotag._lazy"),
]
# Lower number, lower layer.
LAYERS = {name: len(ORDER) - n for n, names in enumerate(ORDER) for name in names}
# Third-party packages only these parts of geotag may import.
OWNERS = {
    "click": ("geotag.cli",),
    "rich": ("geotag.cli", "geotag.formats"),
    "spacy": ("geotag.engine",),
    "thinc": ("geotag.engine",),
    "dask": ("geotag.dask",),
    "distributed": ("geotag.dask",),
}


def layer_of(module: str) -> int:
    """The layer of a module: that of the longest entry of LAYERS it falls under."""
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        prefix = ".".join(parts[:n])
        if prefix in LAYERS:
            return LAYERS[prefix]
    raise KeyError(f"{module} is in no layer: add it to LAYERS")


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, root: Path, known: set[str]) -> list[tuple[int, str]]:
    """(line, absolute module) for every import in a file, inside functions and
    TYPE_CHECKING blocks too; relative imports resolved against the file's package, and
    `from package import module` counted as the module."""
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.append((node.lineno, sub if sub in known else target))
    return found


def violations(root: Path) -> list[str]:
    problems = []
    known = {module_name(p, root) for p in root.rglob("*.py")}
    for path in sorted(root.rglob("*.py")):
        here = module_name(path, root)
        mine = layer_of(here)
        for line, target in sorted(set(imports_of(path, root, known))):
            top = target.split(".")[0]
            where = f"{path.relative_to(root.parent)}:{line}"
            if top == root.name:
                if layer_of(target) > mine:
                    problems.append(f"{where}: {here} imports {target}, from a layer above")
            elif top in OWNERS and not any(
                here == owner or here.startswith(f"{owner}.") for owner in OWNERS[top]
            ):
                problems.append(
                    f"{where}: {here} imports {top}, which only {' and '.join(OWNERS[top])} may"
                )
    return problems


def import_graph(root: Path) -> dict[str, set[str]]:
    """Each module of the package and the modules of the package it imports, lazily or not."""
    known = {module_name(p, root) for p in root.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for path in sorted(root.rglob("*.py")):
        here = module_name(path, root)
        graph[here] = {
            target
            for _, target in imports_of(path, root, known)
            if target in known and target != here
        }
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import one another, directly or round a loop (the
    strongly connected components of more than one module, by Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_imports_point_down_the_layers() -> None:
    assert violations(PACKAGE) == []


def test_no_module_imports_one_that_imports_it() -> None:
    assert cycles(import_graph(PACKAGE)) == []


def test_a_cycle_is_found_through_a_lazy_import(tmp_path: Path) -> None:
    root = write_package(
        tmp_path,
        {
            "engine/__init__.py": "",
            "engine/pipeline.py": "def run():\n    from .pool import Pool\n",
            "engine/pool.py": "from .model import load\n",
            "engine/model.py": "from . import pipeline\n",
        },
    )
    assert cycles(import_graph(root)) == [
        ["geotag.engine.model", "geotag.engine.pipeline", "geotag.engine.pool"]
    ]


def test_a_module_taking_a_name_from_its_package_that_imports_it_is_a_cycle(
    tmp_path: Path,
) -> None:
    # A command module that takes the group from the package whose __init__ imports the
    # command: a cycle; a sibling module taken the same way is not.
    root = write_package(
        tmp_path,
        {
            "cli/__init__.py": "from .tag import tag\ngroup = None\n",
            "cli/tag.py": "from . import status\ndef tag():\n    from . import group\n",
            "cli/status.py": "",
        },
    )
    assert cycles(import_graph(root)) == [["geotag.cli", "geotag.cli.tag"]]


def test_the_layers_are_the_readme_map_in_order() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Map of the code", 1)[1].split("\n## ", 1)[0]
    lines = re.findall(r"^- (`src/geotag/.*)$", section, flags=re.M)
    mapped = [
        tuple(
            "geotag." + path.removesuffix("/").removesuffix(".py").replace("/", ".")
            for path in re.findall(r"`src/geotag/([^`]+)`", line.split(" — ")[0])
        )
        for line in lines
    ]
    public = [tuple(n for n in names if not n.startswith(("geotag._",))) for names in ORDER]
    assert mapped == [names for names in public if names and names[0] != "geotag"]


def test_every_module_has_a_layer() -> None:
    for path in PACKAGE.rglob("*.py"):
        layer_of(module_name(path, PACKAGE))


# A module a reader can hold in mind; a function's result the type checker can follow.
MAX_MODULE_LINES = 600
MAX_FUNCTIONS_RETURNING_ANY = 2


def test_no_module_is_over_the_line_limit() -> None:
    long = {
        str(path.relative_to(PACKAGE)): n
        for path in PACKAGE.rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def returning_any(root: Path) -> list[str]:
    """The functions below `root` annotated to return `Any` (or `typing.Any`)."""
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                and node.returns is not None
                and ast.unparse(node.returns) in ("Any", "typing.Any")
            ):
                found.append(f"{path.relative_to(root)}:{node.lineno} {node.name}")
    return found


def test_few_functions_return_any(tmp_path: Path) -> None:
    assert len(returning_any(PACKAGE)) <= MAX_FUNCTIONS_RETURNING_ANY, returning_any(PACKAGE)
    root = write_package(tmp_path, {"a.py": "def f() -> Any: ...\ndef g() -> 'Any | None': ...\n"})
    assert returning_any(root) == ["a.py:1 f"]


def write_package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "geotag"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        # a lower layer importing a higher one, relatively, lazily
        (
            {
                "tagging/__init__.py": "",
                "tagging/x.py": "def f():\n    from ..cli import y\n",
                "cli/__init__.py": "",
                "cli/y.py": "",
            },
            "geotag.tagging.x imports geotag.cli.y, from a layer above",
        ),
        # ... absolutely, for type checking only
        (
            {
                "models.py": "if TYPE_CHECKING:\n    from geotag.engine import pipeline\n",
                "engine/__init__.py": "",
                "engine/pipeline.py": "",
            },
            "geotag.models imports geotag.engine.pipeline, from a layer above",
        ),
        # two layers the README lists on lines of their own
        (
            {"readers.py": "from .formats.csv import CsvWriter\n", "formats/__init__.py": ""},
            "geotag.readers imports geotag.formats.csv, from a layer above",
        ),
        # spaCy outside the engine
        ({"tagging/__init__.py": "import spacy\n"}, "geotag.tagging imports spacy"),
    ],
)
def test_a_violation_is_found(tmp_path: Path, files: dict[str, str], expected: str) -> None:
    (problem,) = violations(write_package(tmp_path, files))
    assert expected in problem


def test_imports_down_and_within_a_layer_are_allowed(tmp_path: Path) -> None:
    root = write_package(
        tmp_path,
        {
            "cli/__init__.py": "from ..engine import pipeline\nimport click\n",
            "engine/__init__.py": "",
            "engine/pipeline.py": "from . import pool\nfrom ..gazetteer.index import G\n",
            "engine/pool.py": "import spacy\n",
            "gazetteer/__init__.py": "",
            "gazetteer/index.py": "from ..models import Place\n",
            "models.py": "",
        },
    )
    assert violations(root) == []
