"""The package's shape: imports point one way (down the layers), and the heavy or
interface-specific libraries stay in the layer that owns them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "geotag"

# Lower number, lower layer: a module may import only from its own layer or below.
LAYERS = {
    "geotag._version": 0,
    "geotag.models": 0,
    "geotag.errors": 0,
    "geotag.gazetteer": 1,
    "geotag.tagging": 2,
    "geotag.engine": 3,
    "geotag.api": 4,
    "geotag.readers": 4,
    "geotag.evaluate": 4,
    "geotag.geocoder": 4,
    "geotag.formats": 4,
    "geotag.dask": 4,
    "geotag.cli": 5,
    "geotag.__main__": 6,
    "geotag": 6,
}
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
                    problems.append(
                        f"{where}: {here} (layer {mine}) imports {target} "
                        f"(layer {layer_of(target)})"
                    )
            elif top in OWNERS and not any(
                here == owner or here.startswith(f"{owner}.") for owner in OWNERS[top]
            ):
                problems.append(
                    f"{where}: {here} imports {top}, which only {' and '.join(OWNERS[top])} may"
                )
    return problems


def test_imports_point_down_the_layers() -> None:
    assert violations(PACKAGE) == []


def test_every_module_has_a_layer() -> None:
    for path in PACKAGE.rglob("*.py"):
        layer_of(module_name(path, PACKAGE))


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
            "geotag.tagging.x (layer 2) imports geotag.cli.y (layer 5)",
        ),
        # ... absolutely, for type checking only
        (
            {
                "models.py": "if TYPE_CHECKING:\n    from geotag.engine import pipeline\n",
                "engine/__init__.py": "",
                "engine/pipeline.py": "",
            },
            "geotag.models (layer 0) imports geotag.engine.pipeline (layer 3)",
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
