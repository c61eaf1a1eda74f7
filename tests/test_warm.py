"""A warm search's cache records: the seal and the verified record read exactly as written, the inputs no more
generously than json reads them, and an older kztj's build taken as outdated, not damaged."""

from __future__ import annotations

import json
import math
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kztj_tui.cache import current_files, open_store
from kztj_tui.cachefiles import (
    Sealed,
    Verified,
    inputs_in_sql,
    read_seal,
    read_verified,
    seal_text,
    verified_file,
    verified_text,
)
from kztj_tui.files import FileIdentity
from kztj_tui.storeschema import database_uri
from kztj_tui.warm import open_trusted

from .conftest import BUNDLED, REPO


@pytest.fixture
def built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the bundled store whose cache is built (under this test's KZTJ_CACHE_DIR), read as if a
    few seconds after it was written, as a store saved a while ago is (else only a hash vouches for it)."""
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 3)
    path = tmp_path / "events.yaml"
    path.write_bytes(BUNDLED.read_bytes())
    shutil.copytree(REPO / "seeds", tmp_path / "seeds")
    open_store(path, fork=False).close()
    return path


IDENTITY = st.builds(FileIdentity, *[st.integers(-(2**63), 2**64)] * 5)


@given(st.text(alphabet="0123456789abcdef:crc", min_size=1, max_size=16), IDENTITY, IDENTITY)
def test_a_seal_reads_back_as_written(digest: str, main: FileIdentity, fts: FileIdentity) -> None:
    sealed = {"main": Sealed(digest, main), "fts": Sealed(digest[::-1], fts)}
    path = Path(os.environ["KZTJ_CACHE_DIR"]) / "x.seal"
    path.write_text(seal_text(sealed), encoding="ascii")
    assert read_seal(path) == sealed


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[:-1],  # cut short
        lambda text: text.replace("main", "mane"),
        lambda text: text + text.splitlines(keepends=True)[0],  # a file twice
        lambda text: text.splitlines(keepends=True)[0],  # one file only
        lambda text: text.replace(" ", "  ", 1),
        lambda text: text.replace(text.split()[2], f"+{text.split()[2]}", 1),  # int() would take it
        lambda text: text.replace(text.split()[2], f"{text.split()[2]}_0", 1),
        lambda text: '{"main": {}}',  # an older kztj's JSON
    ],
)
def test_a_seal_that_is_not_exactly_what_kztj_writes_is_refused(built: Path, damage: object) -> None:
    files = current_files(built)
    assert files is not None
    assert read_seal(files.seal).keys() == {"main", "fts"}
    files.seal.write_text(damage(files.seal.read_text(encoding="ascii")), encoding="utf-8")  # type: ignore[operator]
    with pytest.raises(ValueError):
        read_seal(files.seal)
    assert open_trusted(str(built)) is None


@given(
    st.dictionaries(
        st.text(max_size=6),  # any path, surrogates (a name that is not UTF-8) included
        st.builds(Verified, st.floats(allow_nan=False, allow_infinity=False), IDENTITY),
        max_size=4,
    )
)
def test_a_verified_record_reads_back_as_written(verified: dict[str, Verified]) -> None:
    seal = Path(os.environ["KZTJ_CACHE_DIR"]) / "y.seal"
    Path(verified_file(seal)).write_text(verified_text(verified), encoding="ascii")
    assert read_verified(seal) == verified


def test_a_verified_line_that_is_not_what_kztj_writes_vouches_for_nothing(tmp_path: Path) -> None:
    seal = tmp_path / "z.seal"
    good = verified_text({"events.yaml": Verified(1.5, FileIdentity(1, 2, 3, 4, 5))})
    path = good.split()[-1]
    for line in [
        f"inf 1 2 3 4 5 {path}",
        f"nan 1 2 3 4 5 {path}",
        f"1_0 1 2 3 4 5 {path}",
        f"1.5 1 2 3 4 {path}",
        f"1.5 1 2 3 4 5 6 {path}",
        f"1.5 +1 2 3 4 5 {path}",
        f"1.5 1 2 3 4 5 {path.upper()}",
        f"1.5 1 2 3 4 5 {path}zz",
        '{"events.yaml": [1.5, 1, 2, 3, 4, 5]}',  # an older kztj's JSON
    ]:
        Path(verified_file(seal)).write_text(line + "\n", encoding="ascii")
        assert read_verified(seal) == {}, line
    Path(verified_file(seal)).write_text(good + good.rstrip("\n"), encoding="ascii")  # the last line cut short
    assert read_verified(seal) == {"events.yaml": Verified(1.5, FileIdentity(1, 2, 3, 4, 5))}
    assert math.isfinite(read_verified(seal)["events.yaml"].at)


def _inputs_of(text: str) -> list[dict[str, object]] | None:
    """inputs_in_sql() of a meta table holding ``text`` as its inputs."""
    memory = sqlite3.connect(":memory:")
    memory.execute("CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT)")
    memory.execute("INSERT INTO meta VALUES ('inputs', ?)", (text,))
    return inputs_in_sql(memory)


def test_the_inputs_read_by_sqlite_are_the_inputs_json_reads(built: Path) -> None:
    files = current_files(built)
    assert files is not None
    conn = sqlite3.connect(database_uri(files.main), uri=True)
    meta = dict(conn.execute("SELECT key, value FROM meta"))
    assert inputs_in_sql(conn) == json.loads(meta["inputs"]) and len(json.loads(meta["inputs"])) > 1


ENTRY = {"path": "events.yaml", "size": 1, "mtime_ns": 2, "ctime_ns": 3, "ino": 4, "dev": 5, "digest": "d"}


@pytest.mark.parametrize(
    "text",
    [
        json.dumps({**ENTRY, "ino": 2**63 + 1}),  # not an array
        json.dumps([{**ENTRY, "ino": 2**63 + 1}]),  # SQLite would round it (to 2**63: another file)
        json.dumps([ENTRY])[:-2] + ', "ino": 9}]',  # a key twice: json keeps the last, SQLite the first
        json.dumps([ENTRY, "events.yaml"]),
        json.dumps([{**ENTRY, "size": "1"}]),
        json.dumps([ENTRY]).replace('"path"', "path"),  # JSON5, which newer SQLite reads
        json.dumps([ENTRY]) + ",",
        json.dumps([ENTRY]) + "\x00x",  # SQLite's JSON ends at a NUL; json refuses the rest
        json.dumps([{**ENTRY, "path": "events.yaml\x00x"}]),  # SQLite would read "events.yaml"
        json.dumps([{**ENTRY, "path": True}]),  # SQLite reads 1: a file named 1, where json reads True
        json.dumps([{**ENTRY, "path": 10**22}]),  # SQLite reads 1e+22
        json.dumps([{**ENTRY, "ino": True}]),  # SQLite reads 1
        json.dumps([{**ENTRY, "digest": 1}]),
    ],
)
def test_inputs_json_would_not_read_as_given_vouch_for_nothing(text: str) -> None:
    assert _inputs_of(text) is None


def test_inputs_exactly_as_json_reads_them() -> None:
    assert _inputs_of(json.dumps([ENTRY, {**ENTRY, "path": "seeds/a.txt"}])) == [
        ENTRY,
        {**ENTRY, "path": "seeds/a.txt"},
    ]


def test_a_warm_store_opens_and_a_touched_cache_file_does_not(built: Path) -> None:
    store = open_trusted(str(built))
    assert store is not None and store.count_of(["declaration-allied-interaction"]) == 1
    store.close()
    files = current_files(built)
    assert files is not None
    files.main.touch()
    assert open_trusted(str(built)) is None  # its seal no longer vouches for it: cache.open_store decides


def test_an_older_kztjs_build_is_rebuilt_without_a_word_of_damage(built: Path) -> None:
    files = current_files(built)
    assert files is not None
    files.seal.rename(files.seal.with_name(files.seal.name + ".json"))  # as a kztj before this one left it
    said: list[str] = []
    store = open_store(built, fork=False, notice=said.append)
    assert said == [] and store.count > 0
    store.close()
    rebuilt = current_files(built)
    assert rebuilt is not None and rebuilt.seal.exists() and read_seal(rebuilt.seal).keys() == {"main", "fts"}


def test_a_fifo_in_place_of_a_seal_or_record_hangs_nothing(built: Path) -> None:
    files = current_files(built)
    assert files is not None
    record = Path(verified_file(files.seal))
    record.unlink(missing_ok=True)
    os.mkfifo(record)
    assert read_verified(files.seal) == {}  # not a wait for a writer that never comes
    files.seal.unlink()
    os.mkfifo(files.seal)
    with pytest.raises(ValueError):
        read_seal(files.seal)


def _search(store: Path) -> subprocess.CompletedProcess[str]:
    """``kztj search`` as a user runs it, in a process of its own: a hang fails the test instead of the suite."""
    command = [sys.executable, "-m", "kztj_tui", "--events", str(store), "search", "Dushanbe"]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


# Not /dev/zero in place of `current`: read to its end, it fills memory (the cache's other files are
# only checksummed, block by block, so there it spins instead).
@pytest.mark.parametrize(
    ("name", "replacement"), [("current", "fifo"), ("main", "fifo"), ("fts", "fifo"), ("main", "zero"), ("fts", "zero")]
)
def test_a_fifo_or_device_in_place_of_a_cache_file_is_damage_not_a_wait(
    built: Path, name: str, replacement: str
) -> None:
    files = current_files(built)
    assert files is not None
    before = _search(built)
    assert before.returncode == 0 and "Dushanbe" in before.stdout
    target = {"current": files.main.parent / "current", "main": files.main, "fts": files.fts}[name]
    target.unlink()
    if replacement == "fifo":
        os.mkfifo(target)
    else:
        target.symlink_to("/dev/zero")
    after = _search(built)  # was: waited for a writer, or checksummed /dev/zero, for ever
    assert (after.returncode, after.stdout) == (0, before.stdout)
    assert "Traceback" not in after.stderr
    again = _search(built)  # rebuilt, and trusted again
    assert (again.returncode, again.stdout, again.stderr) == (0, before.stdout, "")


def test_a_lock_made_a_symlink_creates_nothing_outside_the_cache(built: Path, tmp_path: Path) -> None:
    files = current_files(built)
    assert files is not None
    outside = tmp_path / "outside"
    (files.main.parent / "lock").symlink_to(outside)
    files.seal.unlink()  # damage: the next open rebuilds, under the lock
    open_store(built, fork=False, notice=lambda _: None).close()
    assert not outside.exists()
    assert current_files(built) is not None


def test_a_lock_made_a_symlink_is_replaced_and_the_build_holds_the_lock(built: Path, tmp_path: Path) -> None:
    import fcntl

    files = current_files(built)
    assert files is not None
    lock = files.main.parent / "lock"
    lock.symlink_to(tmp_path / "outside")
    files.seal.unlink()  # damage: the next open rebuilds, under the lock
    held: list[bool] = []

    def progress(stage: str, _fraction: float) -> None:
        if stage != "indexing" or held:
            return
        # Another open file description of the lock: it must find the lock taken by the build.
        descriptor = os.open(lock, os.O_RDONLY | os.O_NOFOLLOW)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            held.append(True)
        else:
            held.append(False)
        finally:
            os.close(descriptor)

    open_store(built, progress=progress, fork=False, notice=lambda _: None).close()
    assert held == [True]
    assert not lock.is_symlink() and not lock.exists()  # removed when the build let go of it
    assert not (tmp_path / "outside").exists()


def record_inputs_and_reseal(built: Path, inputs: str) -> None:
    """Write ``inputs`` as the build's recorded inputs, and a seal that vouches for the edited file."""
    files = current_files(built)
    assert files is not None
    conn = sqlite3.connect(database_uri(files.main, "rw"), uri=True)
    with conn:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'inputs'", (inputs,))
    conn.close()
    os.chmod(files.seal, 0o644)
    sealed = read_seal(files.seal)
    sealed["main"] = Sealed(sealed["main"].digest, FileIdentity.of(os.stat(files.main)))
    files.seal.write_text(seal_text(sealed), encoding="ascii")


@pytest.mark.parametrize("inputs", ["[]", "[{}]", "[1]", '[{"path": []}]', "{}"])
def test_a_resealed_cache_with_inputs_of_the_wrong_shape_is_rebuilt_not_a_traceback(built: Path, inputs: str) -> None:
    record_inputs_and_reseal(built, inputs)
    store = open_store(built, fork=False, notice=lambda _: None)
    assert store.count == 45
    store.close()


def test_inputs_nested_past_jsons_depth_are_damage_not_a_traceback(built: Path) -> None:
    record_inputs_and_reseal(built, "[" * 100_000 + "]" * 100_000)
    assert open_trusted(built) is None
    store = open_store(built, fork=False)  # rebuilt, with a word of damage: no RecursionError
    assert store.count > 0
    store.close()
