"""The compiled gazetteer index on disk: compiled once, mapped after, checked when in
doubt, rebuilt when damaged, shared by processes that start together, and a cache folder
in which geotag deletes nothing that is not its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from geotag.errors import GazetteerError
from geotag.gazetteer import Gazetteer
from geotag.gazetteer import cache as cache_module
from geotag.gazetteer.cache import CACHE_KEEP, OLD_MAGIC, sibling_index
from geotag.gazetteer.index.format import MAGIC
from geotag.gazetteer.index.writer import compile_csv
from geotag.gazetteer.lookup import forget_loaded

from .helpers import MINI_DEMONYMS, MINI_GAZETTEER


@pytest.fixture()
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache folder of the test's own."""
    path = tmp_path / "cache"
    monkeypatch.setenv("GEOTAG_CACHE_DIR", str(path))
    return path


def copy_of_mini(tmp_path: Path, name: str = "g.csv", extra: str = "") -> Path:
    path = tmp_path / name
    path.write_bytes(MINI_GAZETTEER.read_bytes() + extra.encode())
    return path


def refuse(name: str):
    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"{name} was called")

    return refused


def entries(folder: Path, suffix: str) -> list[Path]:
    return sorted(folder.glob(f"gazetteer-*{suffix}"))


def test_first_use_compiles_and_later_runs_map_without_reading_the_csv(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    csv_path = copy_of_mini(tmp_path)
    first = Gazetteer.load(csv_path, demonyms=MINI_DEMONYMS)
    assert len(entries(folder, ".index")) == 1 and len(entries(folder, ".trust")) == 1
    # Long after the check (no same-tick edit could hide): neither compiled nor hashed.
    monkeypatch.setattr(cache_module, "RACY_NS", 0)
    monkeypatch.setattr(cache_module, "compile_csv", refuse("compile_csv"))
    monkeypatch.setattr(cache_module, "_sha256", refuse("_sha256"))
    forget_loaded()
    again = Gazetteer.load(csv_path, demonyms=MINI_DEMONYMS)
    assert again is not first and again.sha256 == first.sha256
    assert again.lookup("Idlib") == first.lookup("Idlib") and len(again) == len(first)


def test_a_csv_changed_moments_before_is_hashed_again_not_trusted(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    csv_path = copy_of_mini(tmp_path)
    Gazetteer.load(csv_path)
    hashed: list[Path] = []
    real_sha256 = cache_module._sha256
    monkeypatch.setattr(cache_module, "_sha256", lambda p: hashed.append(p) or real_sha256(p))
    monkeypatch.setattr(cache_module, "compile_csv", refuse("compile_csv"))
    forget_loaded()
    assert Gazetteer.load(csv_path).lookup("Idlib")
    assert hashed == [csv_path]  # same file, same times, but too recent to trust


def test_a_changed_csv_gets_a_new_index(folder: Path, tmp_path: Path) -> None:
    path = copy_of_mini(tmp_path)
    a = Gazetteer.load(path)
    path.write_bytes(MINI_GAZETTEER.read_bytes() + b"1,Newtown,,,1,2,P,PPL,US,,,5,x\n")
    forget_loaded()
    b = Gazetteer.load(path)
    assert a.sha256 != b.sha256
    assert len(b) == len(a) + 1 and b.lookup("Newtown")


@pytest.mark.parametrize(
    "damage",
    ["truncated", "bytes in the middle", "not an index", "empty", "trust points elsewhere"],
)
def test_a_damaged_cache_is_rebuilt(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    csv_path = copy_of_mini(tmp_path)
    first = Gazetteer.load(csv_path)
    expected = {key: first.lookup(key) for key in ("Idlib", "Paris", "Asia", "Turkey")}
    (index,) = entries(folder, ".index")
    (trust,) = entries(folder, ".trust")
    data = index.read_bytes()
    if damage == "truncated":
        index.write_bytes(data[: len(data) // 2])
    elif damage == "bytes in the middle":
        middle = len(data) // 2
        index.write_bytes(data[:middle] + b"\xff" * 64 + data[middle + 64 :])
    elif damage == "not an index":
        index.write_bytes(b"GEOTAG" + data[6:])
    elif damage == "empty":
        index.write_bytes(b"")
    else:
        other = tmp_path / "other.index"
        compile_csv(copy_of_mini(tmp_path, "other.csv", "1,Newtown,,,1,2,P,PPL,US,,,5,x\n"), other)
        record = orjson.loads(trust.read_bytes()[len(cache_module.TRUST_MAGIC) :])
        record["index"][0] = str(other)
        trust.write_bytes(cache_module.TRUST_MAGIC + orjson.dumps(record))
    monkeypatch.setattr(cache_module, "RACY_NS", 0)
    forget_loaded()
    again = Gazetteer.load(csv_path)
    assert {key: again.lookup(key) for key in expected} == expected
    assert not again.lookup("Newtown")


def test_an_index_damaged_while_in_use_is_one_clear_error(folder: Path, tmp_path: Path) -> None:
    """Cache corrupted mid-read: the mapped file is overwritten in place under a running
    gazetteer. Rows past the end are caught before they are used."""
    csv_path = copy_of_mini(tmp_path)
    gazetteer = Gazetteer.load(csv_path)
    (index,) = entries(folder, ".index")
    header = gazetteer._index.header
    offset, size, _, _ = header["sections"]["names.rows"]
    with index.open("r+b") as f:
        f.seek(gazetteer._index.payload_start + offset)
        f.write(b"\xff" * size)
    with pytest.raises(GazetteerError, match=r"damaged while in use .* run again to rebuild"):
        gazetteer.lookup("Idlib")
    forget_loaded()
    assert Gazetteer.load(csv_path).lookup("Idlib")  # the next run rebuilds it


def test_a_replaced_index_does_not_disturb_a_running_gazetteer(
    folder: Path, tmp_path: Path
) -> None:
    """Writers replace an index whole (a new file renamed over the old), so a process
    that has the old one mapped keeps reading it intact."""
    csv_path = copy_of_mini(tmp_path)
    gazetteer = Gazetteer.load(csv_path)
    (index,) = entries(folder, ".index")
    expected = gazetteer.lookup("Paris")
    compile_csv(copy_of_mini(tmp_path, "other.csv", "1,Paris,,,1,2,P,PPL,US,,,5,x\n"), index)
    assert gazetteer.lookup("Moscow") and gazetteer.lookup("Paris") == expected


def test_an_index_next_to_the_csv_is_checked_and_used(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    csv_path = copy_of_mini(tmp_path)
    compile_csv(csv_path, sibling_index(csv_path))
    real_compile = cache_module.compile_csv
    monkeypatch.setattr(cache_module, "compile_csv", refuse("compile_csv"))
    gazetteer = Gazetteer.load(csv_path)
    assert gazetteer._index.path == sibling_index(csv_path) and gazetteer.lookup("Idlib")
    assert entries(folder, ".index") == [] and len(entries(folder, ".trust")) == 1
    # Edited after the import: the index no longer answers for it.
    csv_path.write_bytes(csv_path.read_bytes() + b"1,Newtown,,,1,2,P,PPL,US,,,5,x\n")
    monkeypatch.setattr(cache_module, "compile_csv", real_compile)
    forget_loaded()
    edited = Gazetteer.load(csv_path)
    assert edited.lookup("Newtown") and edited._index.path != sibling_index(csv_path)


def test_without_the_cache_nothing_is_written(folder: Path, tmp_path: Path) -> None:
    gazetteer = Gazetteer.load(copy_of_mini(tmp_path), cache=False)
    assert gazetteer.lookup("Idlib") and not folder.exists()


def test_an_unwritable_cache_folder_is_harmless(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("GEOTAG_CACHE_DIR", str(blocker / "sub"))
    assert len(Gazetteer.load(MINI_GAZETTEER)) > 10


def test_pruning_deletes_only_geotags_own_files(folder: Path, tmp_path: Path) -> None:
    """Issue 11: a user's file named like a cache entry was deleted."""
    folder.mkdir()
    users = {
        "gazetteer-mybackup.csv": b"x\n",
        "gazetteer-0123-v1.json": b"{}",
        "gazetteer-notes-f1.index": b"my own notes\n",
    }
    for name, data in users.items():
        (folder / name).write_bytes(data)
    old = folder / "gazetteer-0123456789abcdef-v5.index"
    old.write_bytes(OLD_MAGIC + b'{"format": 5}\n')
    for n in range(CACHE_KEEP + 2):
        Gazetteer.load(
            copy_of_mini(tmp_path, f"g{n}.csv", f"{n + 1},Town{n},,,1,2,P,PPL,US,,,5,x\n")
        )
    assert {name: (folder / name).read_bytes() for name in users} == users
    assert not old.exists()
    own = [p for p in entries(folder, "") if p.name not in users]
    assert len([p for p in own if p.read_bytes().startswith(MAGIC)]) == CACHE_KEEP
    assert len(entries(folder, ".trust")) == CACHE_KEEP
    assert len(own) == 2 * CACHE_KEEP


LOAD_AND_REPORT = """
import sys, time
from geotag.gazetteer import Gazetteer
g = Gazetteer.load(sys.argv[1])
print(g._index.path, g._index.stat.st_ino, len(g), g.lookup("Town 777"))
"""


def test_two_processes_starting_together_compile_once(folder: Path, tmp_path: Path) -> None:
    """Both wait for one compile (a lock in the cache folder) and map the same file."""
    csv_path = tmp_path / "big.csv"
    rows = "".join(f"{n},Town {n},,,1,2,P,PPL,US,,,5,x\n" for n in range(1, 60_001))
    csv_path.write_text(MINI_GAZETTEER.read_text(encoding="utf-8").split("\n", 1)[0] + "\n" + rows)
    env = {**os.environ, "GEOTAG_CACHE_DIR": str(folder)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", LOAD_AND_REPORT, str(csv_path)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert outputs[0][0] == outputs[1][0]  # the same file, the same inode, the same answers
    assert outputs[0][0].split()[2:] == ["60000", "[776]"]
    assert len(entries(folder, ".index")) == 1
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []


def test_compiling_ahead_leaves_the_index_for_the_load(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first run starts the compile in another process, loads spaCy, then maps the
    index that process wrote (waiting on the cache lock if need be) without compiling."""
    csv_path = copy_of_mini(tmp_path)
    Gazetteer.compile_ahead(csv_path)
    (child,) = cache_module._ahead
    assert child.wait(timeout=120) == 0
    monkeypatch.setattr(cache_module, "compile_csv", refuse("compile_csv"))
    assert Gazetteer.load(csv_path).lookup("Idlib")
    assert len(entries(folder, ".index")) == 1
    Gazetteer.compile_ahead(csv_path)  # compiled already: nothing is started
    assert cache_module._ahead == []
