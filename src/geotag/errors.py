"""Errors geotag raises, each with a message a person can act on."""

from __future__ import annotations


class GeotagError(Exception):
    """Base class: the CLI prints the message on one line and exits 1."""


class InputError(GeotagError):
    """An input could not be read: missing, a directory, binary, malformed."""


class ModelError(GeotagError):
    """The spaCy pipeline could not be loaded or lacks an entity recogniser."""


class GazetteerError(GeotagError):
    """The gazetteer file is missing or malformed (the message names line and column)."""


class DumpError(GeotagError):
    """A GeoNames dump cannot be imported: a file is missing or a line is malformed
    (the message names the file and line)."""


class OptionError(GeotagError):
    """An option's value does not fit the data it applies to (a country the gazetteer has
    no row for). `parameter` names the option as the Python API spells it."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter


class OutputError(GeotagError):
    """The output could not be written: a full disk, a device or file that refuses it."""


class OverridesError(GeotagError):
    """A `--overrides` file is unreadable or a rule in it is wrong (the message names the
    file and line). A usage error: the CLI exits 2 before tagging any text."""
