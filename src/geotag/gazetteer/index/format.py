"""The compiled gazetteer index's file format, shared by its writer and its reader.

    MAGIC (16 bytes) | header length (8 bytes, little endian) | header JSON | padding to 8
    | section | padding to 8 | section | ...

Fixed-width columns (ids, coordinates, populations, and codes into small vocabularies for
the short text columns) are typed arrays; names are one UTF-8 blob and an offsets array.
The name index is a sorted table of UTF-8 keys, each key pointing at a slice of one array
of row numbers; abbreviations have the same shape; geonameids are a sorted array with
their rows beside it. There is no dict over the rows. The file holds bytes and JSON only:
nothing in it is executed when read.
"""

from __future__ import annotations

FORMAT = 1
MAGIC = b"GEOTAG-GAZINDEX\n"
ALIGN = 8
HEADER_LIMIT = 64 << 20  # a header larger than this is damage, not data
# The short text columns stored as codes into a vocabulary kept in the header.
VOCABULARIES = ("feature", "country", "admin1", "source")
# The array typecodes a section may have.
TYPECODES = frozenset("bBhHiIqQd")


class IndexDamaged(Exception):
    """The file is not a complete, intact index of this format (rebuild it)."""


def padded(n: int) -> int:
    """`n` rounded up to the next multiple of ALIGN: where the next section starts."""
    return (n + ALIGN - 1) // ALIGN * ALIGN
