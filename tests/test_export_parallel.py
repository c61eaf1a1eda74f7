"""A large Markdown export split across two processes writes the same bytes as one process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from kztj_tui import cache, export
from kztj_tui.export import FORMATS, parallel
from kztj_tui.store import Store

from .conftest import write_generated_store


@pytest.fixture
def generated(tmp_path: Path) -> Path:
    return write_generated_store(tmp_path / "events.yaml", 300)


def test_two_processes_write_what_one_writes(generated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = cache.open_store(generated)
    try:
        alone = "".join(export.markdown(store, fork=False))
        monkeypatch.setattr(parallel, "MIN_EVENTS", 1)
        monkeypatch.setattr(parallel, "BLOCK", 7)  # many blocks, and years that run across them
        assert parallel.usable(store, store.count, fork=True)
        assert "".join(export.markdown(store, fork=True)) == alone
    finally:
        store.close()


def test_a_failed_second_process_is_an_error_not_a_shorter_export(
    generated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "BLOCK", 50)
    store = cache.open_store(generated)

    def render(own: Store, block: Sequence[int], previous_year: int | None) -> str:
        if own is not store:
            raise RuntimeError("the child fails")
        return ",".join(map(str, block))

    try:
        with pytest.raises(OSError, match="second export process"):
            "".join(parallel.blocks(store, render))
    finally:
        store.close()


def test_export_into_a_closed_pipe_stops_both_processes(generated: Path, tmp_path: Path) -> None:
    # kztj export | head: the reader leaves after one line; kztj (and its child) must end quietly.
    code = (
        "import sys; from kztj_tui import cli; from kztj_tui.export import parallel;"
        "parallel.MIN_EVENTS = 1; parallel.BLOCK = 5; sys.exit(cli.main(sys.argv[1:]))"
    )
    env = {"KZTJ_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    command = [sys.executable, "-c", code, "--events", str(generated), "export"]
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=120)  # build the cache
    pipeline = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert pipeline.stdout is not None
    first = pipeline.stdout.readline()
    pipeline.stdout.close()
    pipeline.wait(timeout=60)
    assert first.startswith(b"# ")
    assert b"Traceback" not in (pipeline.stderr.read() if pipeline.stderr else b"")


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_an_export_forks_only_when_its_caller_says_so(
    generated: Path, monkeypatch: pytest.MonkeyPatch, forks: list[int], fmt: str
) -> None:
    # Neither the cores nor the threads alive decide it (the suite runs an idle thread): the caller
    # does, the command line once for its run, the browser never.
    monkeypatch.setattr(parallel, "MIN_EVENTS", 1)
    monkeypatch.setattr(parallel, "BLOCK", 50)
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    store = cache.open_store(generated)
    try:
        alone = "".join(export.chunks(store, fmt=fmt, fork=False))
        assert forks == []
        assert "".join(export.chunks(store, fmt=fmt, fork=True)) == alone
        assert len(forks) == 1
    finally:
        store.close()
