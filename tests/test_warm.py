"""The warm path reads the cache's seal, inputs and verified record with SQLite, never more generously than json."""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kztj_tui.cache import current_files, open_store
from kztj_tui.cachefiles import (
    inputs_in_sql,
    read_seal,
    read_verified,
    sealed_in_sql,
    verified_file,
    verified_in_sql,
)
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


def _connect(built: Path) -> tuple[sqlite3.Connection, Path, Path, Path]:
    files = current_files(built)
    assert files is not None
    conn = sqlite3.connect(database_uri(files.main), uri=True)
    return conn, files.main, files.fts, files.seal


def test_the_inputs_read_by_sqlite_are_the_inputs_json_reads(built: Path) -> None:
    conn, *_ = _connect(built)
    meta = dict(conn.execute("SELECT key, value FROM meta"))
    assert inputs_in_sql(conn) == json.loads(meta["inputs"])
    assert len(inputs_in_sql(conn)) > 1  # the store and its articles


def test_the_seal_read_by_sqlite_vouches_for_what_it_recorded_and_nothing_else(built: Path) -> None:
    conn, main, fts, seal = _connect(built)
    text = seal.read_text(encoding="utf-8")
    assert read_seal(seal)["main"]["identity"] and sealed_in_sql(conn, text, {"main": str(main), "fts": str(fts)})
    other = built.with_name("other")
    other.write_bytes(fts.read_bytes())  # the same bytes, another file: another identity
    assert not sealed_in_sql(conn, text, {"main": str(main), "fts": str(other)})
    assert not sealed_in_sql(conn, text.replace('"main"', '"mane"'), {"main": str(main), "fts": str(fts)})
    with pytest.raises(sqlite3.Error):
        sealed_in_sql(conn, text[:-2], {"main": str(main), "fts": str(fts)})  # damaged: open_trusted says None


NUMBER = st.one_of(st.integers(0, 2**62), st.floats(allow_nan=False, allow_infinity=False), st.booleans())
ENTRY = st.one_of(
    st.lists(st.integers(0, 2**62), min_size=6, max_size=6),  # what kztj writes
    st.lists(st.one_of(NUMBER, st.text(max_size=3), st.none()), min_size=5, max_size=7),
    st.integers(),
    st.text(max_size=3),
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.text(max_size=5), ENTRY, max_size=4))
def test_the_verified_record_read_by_sqlite_vouches_for_no_more_than_json(built: Path, record: dict) -> None:
    conn, *_, seal = _connect(built)
    text = json.dumps(record)
    Path(verified_file(seal)).write_text(text, encoding="utf-8")
    by_sqlite, by_json = verified_in_sql(conn, str(seal)), read_verified(seal)
    assert by_sqlite.items() <= by_json.items()
    written = {key for key, value in record.items() if isinstance(value, list) and len(value) == 6}
    if all(type(v) is int for key in written for v in record[key]) and "\\u0000" not in text:
        assert by_sqlite == by_json and by_json.keys() == written


def test_an_unreadable_verified_record_vouches_for_nothing(built: Path) -> None:
    conn, *_, seal = _connect(built)
    for text in ("[[0, 1, 2, 3, 4, 5]]", '{"a": [0, 1, 2, 3, 4, 5', '{"a": [0, 1, 2, 3, 4, Infinity]}', "\udcff"):
        Path(verified_file(seal)).write_text(text, encoding="utf-8", errors="surrogateescape")
        assert verified_in_sql(conn, str(seal)) == {}


def test_a_warm_store_opens_and_a_touched_cache_file_does_not(built: Path) -> None:
    store = open_trusted(str(built))
    assert store is not None and store.count_of(["declaration-allied-interaction"]) == 1
    store.close()
    _, main, _, _ = _connect(built)
    main.touch()
    assert open_trusted(str(built)) is None  # its seal no longer vouches for it: cache.open_store decides
