"""Random mutations of a valid store validate or yield PATH:LINE:COL lines; never a traceback."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kztj_tui import loader

from .conftest import BUNDLED, REPO

PROBLEM = re.compile(r"^.+:\d+:\d+: \S.*$")
LINES = BUNDLED.read_text(encoding="utf-8").splitlines(keepends=True)
NASTY = [
    "",
    " ",
    "\t",
    ":",
    "- ",
    "&a ",
    "*a",
    "!!python/name:os.system",
    "'",
    '"',
    "[",
    "{",
    "}",
    "]",
    "#",
    "2021-13-45",
    "null",
    "~",
    "true",
    "1e309",
    "\x00",
    "\x1b[31m",
    "\u202e",
    "é",
    "ü",
    "---\n",
    "...\n",
    "? ",
    "%YAML 1.1\n",
    "|",
    ">",
]


@st.composite
def mutated(draw: st.DrawFn) -> str:
    lines = list(LINES)
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "insert", "replace-value", "indent", "swap"]))
        line = lines[index]
        if action == "delete":
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, line)
        elif action == "insert":
            column = draw(st.integers(0, max(0, len(line) - 1)))
            token = draw(st.sampled_from(NASTY) | st.text(max_size=6))
            lines[index] = line[:column] + token + line[column:]
        elif action == "replace-value" and ":" in line:
            key = line.split(":", 1)[0]
            lines[index] = f"{key}: {draw(st.sampled_from(NASTY) | st.text(max_size=8))}\n"
        elif action == "indent":
            lines[index] = draw(st.sampled_from(["", " ", "   ", "\t"])) + line.lstrip(" ")
        elif action == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        if not lines:
            lines = ["\n"]
    return "".join(lines)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(text=mutated())
def test_mutations_never_traceback(tmp_path_factory, text: str) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("mutant")
    seeds = folder / "seeds"
    if not seeds.exists():
        shutil.copytree(REPO / "seeds", seeds)
    path = folder / "events.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        loader.load(path)
    except loader.StoreError as error:
        assert error.problems
        for problem in error.problems:
            assert PROBLEM.match(str(problem)), str(problem)
            assert problem.line >= 1 and problem.column >= 1
            assert "\n" not in str(problem)


def test_property_fixture_is_valid() -> None:
    assert loader.load(Path(BUNDLED))
