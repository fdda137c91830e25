"""How every command's `--help` ends: two or three real examples of it, shown as written."""

from __future__ import annotations

HEADING = "Examples:"


def examples(*commands: str, before: str = "") -> str:
    """A command's epilog: `before` (a paragraph), then the example command lines (click
    keeps the lines of a paragraph that starts with \\b as they are)."""
    lines = "\n".join(f"  {command}" for command in commands)
    return f"{before}\n\n{HEADING}\n\n\b\n{lines}" if before else f"{HEADING}\n\n\b\n{lines}"
