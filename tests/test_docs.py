"""The README's and docs' samples are what the commands print today, and their links lead somewhere.

A sample is a fenced block right after an HTML comment ``<!-- sample: COMMAND -->``: the test runs
COMMAND with bash in the repository, on the bundled store, and compares what it prints with the
block. ``KZTJ_UPDATE_DOCS=1`` writes what the commands print into the files instead.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO

DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
SAMPLE = re.compile(r"<!-- sample: (?P<command>.+?) -->\n(?P<fence>```[a-z]*\n)(?P<body>.*?)```\n", re.DOTALL)
LINK = re.compile(r"\]\((?P<target>[^)#\s]+)(?:#(?P<anchor>[^)\s]+))?\)")


def samples() -> list[tuple[Path, str]]:
    """Every (file, command) sample in the docs."""
    return [(path, m["command"]) for path in DOCS for m in SAMPLE.finditer(path.read_text(encoding="utf-8"))]


def run(command: str, cache: Path) -> str:
    """What a sample's command prints on the bundled store, with the installed kztj first on PATH."""
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "KZTJ_CACHE_DIR": str(cache),
        "NO_COLOR": "1",
    }
    env.pop("KZTJ_EVENTS", None)
    done = subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=REPO, env=env, capture_output=True, text=True)
    # A pipe that stops reading early (head) may end kztj with SIGPIPE: only the output counts then.
    assert done.returncode in (0, 1, 141) or not done.stderr, done.stderr
    return done.stdout


def test_the_docs_have_samples() -> None:
    assert len(samples()) >= 5


@pytest.mark.parametrize(("path", "command"), samples(), ids=lambda value: getattr(value, "name", value))
def test_a_sample_is_what_its_command_prints(path: Path, command: str, isolated_cache: Path) -> None:
    text = path.read_text(encoding="utf-8")
    match = next(m for m in SAMPLE.finditer(text) if m["command"] == command)
    printed = run(command, isolated_cache)
    assert printed, f"{command!r} printed nothing"
    if os.environ.get("KZTJ_UPDATE_DOCS"):
        path.write_text(text[: match.start("body")] + printed + text[match.end("body") :], encoding="utf-8")
        return
    assert match["body"] == printed, f"{path.name}: the sample of {command!r} is stale (KZTJ_UPDATE_DOCS=1 rewrites it)"


@pytest.mark.parametrize("path", DOCS, ids=lambda path: path.name)
def test_relative_links_lead_to_files_and_headings(path: Path) -> None:
    text = re.sub(r"`[^`\n]*`", "", path.read_text(encoding="utf-8"))  # code spans hold no links
    for link in LINK.finditer(text):
        target = link["target"]
        if "://" in target or target.startswith("mailto:"):
            continue
        file = (path.parent / target).resolve()
        assert file.exists(), f"{path.name}: link to missing {target}"
        if link["anchor"] and file.suffix == ".md":
            assert link["anchor"] in anchors(file), f"{path.name}: no heading #{link['anchor']} in {target}"


def anchors(path: Path) -> set[str]:
    """GitHub's anchors for the headings of a Markdown file."""
    out = set()
    fence = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fence = not fence
        if not fence and line.startswith("#"):
            heading = line.lstrip("#").strip().lower()
            out.add(re.sub(r"[^\w\- ]", "", heading).replace(" ", "-"))
    return out
