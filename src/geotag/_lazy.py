"""Names a package loads on first use (PEP 562's module `__getattr__`), so importing the
package, or one of its light submodules, does not import what its heavy ones need."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any


def lazy_names(package: str, where: dict[str, str]) -> Callable[[str], Any]:
    """A module `__getattr__` for `package`: each name in `where` is imported from the
    submodule given (relative to the package) when first asked for, then kept in the
    package's namespace so that the next look-up is an ordinary one."""

    def load(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        found = import_module(f".{module}", package)
        value = getattr(found, name)
        setattr(import_module(package), name, value)
        return value

    return load
