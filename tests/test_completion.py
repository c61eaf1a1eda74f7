"""Shell completion that knows the store: event ids, tags, actors, metrics and paths, in real bash, zsh and fish."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import MINIMAL, REPO

# Another store, named on the command line being completed: its names are in no other store.
CUSTOM = MINIMAL.replace("id: visit", "id: zz-custom-visit").replace("tags: [diplomacy]", "tags: [zz-custom-tag]")


@pytest.fixture
def kztj_bin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A ``kztj`` on PATH that runs this checkout, as the installed script would."""
    folder = tmp_path / "bin"
    folder.mkdir()
    script = folder / "kztj"
    script.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m kztj_tui "$@"\n', encoding="utf-8")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    return folder


@pytest.fixture
def places(tmp_path: Path, write_store: Callable[..., Path]) -> dict[str, str]:
    """A custom store whose name has a space, and a file to complete as a path."""
    custom = write_store(CUSTOM, name="my store.yaml")
    (tmp_path / "report-draft.md").write_text("", encoding="utf-8")
    return {"custom": str(custom), "dir": str(tmp_path)}


# (the words typed, a candidate that completing the last word must offer)
CASES = [
    ("kztj show declaration-allied", "declaration-allied-interaction"),
    ("kztj edit declaration-allied", "declaration-allied-interaction"),
    ("kztj --event declaration-allied", "declaration-allied-interaction"),
    ("kztj export --tag tra", "transport"),
    ("kztj export --tag tra", "trade"),
    ("kztj search Rogun --actor tok", "tokayev"),
    ("kztj figures --metric trade_turnover_g", "trade_turnover_growth"),
    ("kztj export -o {dir}/report-d", "report-draft.md"),
    ("kztj --events {dir}/my", "my store.yaml"),
    # The store named by --events on the line being completed, before or after the command:
    ("kztj --events {quoted} show zz", "zz-custom-visit"),
    ("kztj export --events {quoted} --tag zz", "zz-custom-tag"),
]


def _line(words: str, places: dict[str, str]) -> str:
    return words.format(quoted=shlex.quote(places["custom"]), **places)


def _need(shell: str) -> None:
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed (CI installs it)")


def _bash(line: str) -> list[str]:
    # COMP_WORDS holds the words as typed, quotes and all, as bash gives them to a completion function.
    words = " ".join(shlex.quote(word) for word in shlex.split(line, posix=False))
    script = (
        f"source <(kztj completion bash)\nCOMP_WORDS=({words})\nCOMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))\n"
        '_shtab_kztj\nprintf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def _fish(line: str) -> list[str]:
    result = subprocess.run(
        ["fish", "--no-config", "-c", "source (kztj completion fish | psub); complete -C $argv[1]", line],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return [candidate.split("\t")[0] for candidate in result.stdout.splitlines()]


# zsh completes the line (Tab) in a terminal made by zpty, after compinit found _kztj on fpath: it
# inserts the one candidate, or lists them all. The read waits for the candidate (the test's timeout
# bounds it).
ZSH_DRIVER = r"""
zmodload zsh/zpty
zpty -b z 'TERM=dumb zsh -f -i'
zpty -w z "fpath=(${(q)1} \$fpath); bindkey -e; autoload -Uz compinit && compinit -u -D"
zpty -w -n z "$2"$'\t'
zpty -r z out "*${(b)3}*" && print -r -- FOUND
zpty -d z
"""


def _zsh_offers(line: str, candidate: str, folder: Path) -> bool:
    functions = folder / "zfunc"
    functions.mkdir(exist_ok=True)
    (functions / "_kztj").write_text(_zsh_script(), encoding="utf-8")
    result = subprocess.run(
        ["zsh", "-f", "-c", ZSH_DRIVER, "zsh", str(functions), line, candidate],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.stdout.strip().endswith("FOUND")


def _why(line: str) -> str:
    """What ``kztj __complete`` says about the line, stderr included, which the scripts discard: a failure's reason."""
    words = shlex.split(line)
    result = subprocess.run(
        ["kztj", "__complete", "event", words[-1], "--", *words], capture_output=True, text=True, timeout=60
    )
    return f"exit {result.returncode}; stdout {result.stdout[:200]!r}; stderr {result.stderr[-2000:]!r}"


def _zsh_script() -> str:
    return subprocess.run(["kztj", "completion", "zsh"], capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize(("words", "candidate"), CASES)
def test_bash_completes_from_the_store_and_paths(
    kztj_bin: Path, places: dict[str, str], words: str, candidate: str
) -> None:
    _need("bash")
    offered = _bash(_line(words, places))
    assert any(Path(word).name == candidate or word == candidate for word in offered), (
        offered,
        _why(_line(words, places)),
    )


@pytest.mark.parametrize(("words", "candidate"), CASES)
def test_fish_completes_from_the_store_and_paths(
    kztj_bin: Path, places: dict[str, str], words: str, candidate: str
) -> None:
    _need("fish")
    offered = _fish(_line(words, places))
    assert any(Path(word).name == candidate or word == candidate for word in offered), (
        offered,
        _why(_line(words, places)),
    )


@pytest.mark.parametrize(("words", "candidate"), CASES)
def test_zsh_completes_from_the_store_and_paths(
    kztj_bin: Path, tmp_path: Path, places: dict[str, str], words: str, candidate: str
) -> None:
    _need("zsh")
    # zsh shows a name with a space escaped in its list.
    assert _zsh_offers(_line(words, places), candidate.replace(" ", "\\ "), tmp_path), _why(_line(words, places))


# -- the hidden command the scripts run -----------------------------------------------------------------------------


def _complete(capsys: pytest.CaptureFixture[str], *argv: str, errors: int = 0) -> list[str]:
    from kztj_tui import cli

    assert cli.main(["__complete", *argv]) == 0
    captured = capsys.readouterr()
    assert len(captured.err.splitlines()) == errors, captured.err
    return captured.out.splitlines()


def test_complete_prints_the_names_with_the_prefix(capsys: pytest.CaptureFixture[str]) -> None:
    assert _complete(capsys, "tag", "tra") == ["trade", "transport"]
    assert _complete(capsys, "actor", "tok") == ["tokayev"]
    assert _complete(capsys, "metric", "trade_turnover") == ["trade_turnover", "trade_turnover_growth"]
    events = _complete(capsys, "event", "")
    assert "declaration-allied-interaction" in events and events == sorted(events)
    assert _complete(capsys, "event", "declaration-allied") == ["declaration-allied-interaction"]
    # A prefix is a prefix, not a pattern.
    assert _complete(capsys, "tag", "%") == [] and _complete(capsys, "tag", "_") == []


def test_complete_caps_the_count(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from kztj_tui import completion

    monkeypatch.setattr(completion, "MOST_CANDIDATES", 3)
    assert len(_complete(capsys, "event", "")) == 3


@pytest.mark.parametrize(
    "words",
    [
        ["kztj", "--events", "{custom}", "show"],
        ["kztj", "show", "--events={custom}"],
        ["kztj", "--events", "'{custom}'"],
    ],
)
def test_complete_reads_the_store_named_on_the_line(
    capsys: pytest.CaptureFixture[str], places: dict[str, str], words: list[str]
) -> None:
    line = [word.format(**places) for word in words]
    assert _complete(capsys, "event", "", "--", *line) == ["zz-custom-visit"]
    assert _complete(capsys, "tag", "zz", "--", *line) == ["zz-custom-tag"]


@pytest.mark.parametrize(
    ("argv", "errors"),
    [
        (["event", "", "--", "kztj", "--events", "/no/such/store.yaml"], 1),
        (["event", "", "--", "kztj", "--events", "-"], 0),  # stdin: nothing to read names from, nothing wrong
        (["event", "", "--", "kztj", "--events", "{broken}"], 1),
        (["nonsense", ""], 1),
        (["event"], 1),
        ([], 1),
    ],
)
def test_complete_prints_no_candidates_and_says_why_where_the_shell_does_not_show_it(
    capsys: pytest.CaptureFixture[str], write_store: Callable[..., Path], argv: list[str], errors: int
) -> None:
    # No candidates; the reason goes to stderr, which the scripts send to /dev/null.
    broken = write_store(MINIMAL.replace("status: occurred", "status: nope"), name="broken.yaml")
    assert _complete(capsys, *[word.format(broken=broken) for word in argv], errors=errors) == []


def test_complete_still_offers_names_when_the_cache_folder_is_unusable(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("KZTJ_CACHE_DIR", str(blocker / "cache"))
    assert _complete(capsys, "event", "declaration-allied") == ["declaration-allied-interaction"]


def test_the_installed_command_completes_as_the_scripts_run_it(kztj_bin: Path) -> None:
    # What every shell's script runs; its stderr (which they discard) says why when it prints nothing.
    result = subprocess.run(
        ["kztj", "__complete", "event", "declaration-allied", "--", "kztj", "show", "declaration-allied"],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert (result.returncode, result.stdout) == (0, "declaration-allied-interaction\n"), result.stderr


def test_the_hidden_command_is_not_in_the_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kztj_tui", "--help"], capture_output=True, text=True, cwd=REPO, timeout=60
    )
    assert result.returncode == 0 and "__complete" not in result.stdout
