"""Shell completion that knows the store: the scripts ``kztj completion`` prints, and the hidden command they run.

The scripts are made by shtab from the argparse parser; the options whose values live in the store
(event ids, tags, actors, metrics) call ``kztj __complete KIND PREFIX -- WORDS...``, which reads the
names from the cache, as git completes branch names. ``WORDS`` are the words of the command line being
completed, so an ``--events`` given there is the store completed from.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from .errors import StoreError
from .streams import output_files

HIDDEN_COMMAND = "__complete"
KINDS = ("event", "tag", "actor", "metric")
# A shell lists every candidate: past this many, the user types more letters instead.
MOST_CANDIDATES = 200

# Each shell's functions, shared by every option that completes from the store. bash passes its
# words (COMP_WORDS), zsh the words of its buffer, fish the tokens before the cursor.
_PREAMBLE = {
    "bash": """
# Candidates from the store: kztj __complete KIND PREFIX -- WORDS...
_kztj_from_store() {
  kztj __complete "$1" "$2" -- "${COMP_WORDS[@]}" 2>/dev/null
}
"""
    + "".join(f'_kztj_{kind}() {{ _kztj_from_store {kind} "$1"; }}\n' for kind in KINDS),
    "zsh": """
# Candidates from the store: kztj __complete KIND PREFIX -- WORDS...
_kztj_from_store() {
  local -a candidates
  candidates=(${(f)"$(kztj __complete "$1" "$PREFIX" -- ${(Q)${(z)BUFFER}} 2>/dev/null)"})
  compadd -a candidates
}
"""
    + "".join(f"_kztj_{kind}() {{ _kztj_from_store {kind} }}\n" for kind in KINDS),
    "fish": """
# Candidates from the store: kztj __complete KIND PREFIX -- WORDS...
function _kztj_from_store
  kztj __complete $argv[1] (commandline -ct) -- (commandline -opc) 2>/dev/null
end
""",
}


def _from_store(kind: str) -> dict[str, object]:
    """What shtab writes for an option whose values are the store's names of this kind."""
    return {
        "bash": f"_kztj_{kind}",
        "zsh": f"_kztj_{kind}",
        "fish": f"(_kztj_from_store {kind})",
    }


def script(parser: argparse.ArgumentParser, shell: str) -> str:
    """The completion script for ``shell``: the parser's commands and options, with values from the store and paths."""
    import shtab  # only this command needs it

    by_option = {"--event": "event", "--tag": "tag", "--actor": "actor", "--metric": "metric"}
    for action in _actions(parser):
        options = set(action.option_strings)
        kind = next((by_option[option] for option in options if option in by_option), None)
        if kind is None and not options and action.dest == "id":  # kztj show ID
            kind = "event"
        if kind is not None:
            action.complete = _from_store(kind)  # type: ignore[attr-defined]
        elif options & {"--events", "--output", "--article-out"} or (not options and action.dest == "article"):
            # fish completes the path typed so far (shtab 1.9.3's own fish entry lists the working directory).
            action.complete = {**shtab.FILE, "fish": "(__fish_complete_path (commandline -ct))"}  # type: ignore[attr-defined]
    # The functions go in as the script's preamble: an action's own "preamble" needs shtab 1.10,
    # and the floor (1.9.3) would leave the functions out, so nothing would complete from the store.
    return shtab.complete(parser, shell=shell, preamble=_PREAMBLE.get(shell, ""))


def _actions(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    """Every action of a parser and of its subcommands."""
    found = []
    for action in parser._actions:
        found.append(action)
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                found += _actions(sub)
    return found


def complete(argv: Sequence[str], out: TextIO, *, fork: bool = False) -> int:
    """``kztj __complete KIND PREFIX [-- WORDS...]``: the store's names of KIND starting with PREFIX, one a line.

    Never an error: a shell shows whatever is printed, so a store that cannot be read, or any other
    failure, gives no candidates, one line on stderr (which the scripts discard) and exit 0.
    ``fork`` is the command line's decision that building a cache may fork (see forking.py).
    """
    if len(argv) < 2 or argv[0] not in KINDS:
        return _quiet(f"usage: kztj {HIDDEN_COMMAND} {{{','.join(KINDS)}}} PREFIX [-- WORDS...]")
    kind, prefix, *rest = argv
    words = rest[1:] if rest[:1] == ["--"] else []
    try:
        path = _events_path(words)
        if path is None:  # the store comes on stdin, which is the shell's
            return 0
        names = _names(path, kind, prefix, words, fork)
    except StoreError as error:
        return _quiet(str(error))
    except Exception as error:  # see the docstring
        return _quiet(f"{type(error).__name__}: {error}")
    # Ids, tags and metrics are validated slugs: one printable line each, nothing a terminal acts on.
    out.write("".join(f"{name}\n" for name in names))
    return 0


def _names(path: Path, kind: str, prefix: str, words: Sequence[str], fork: bool) -> list[str]:
    """The store's names of KIND with PREFIX, read through the cache, or straight from the store if that fails."""
    from .cache import open_store

    outside = "--allow-outside-articles" in words
    try:
        store = open_store(
            path, use_cache="--no-cache" not in words, allow_outside_articles=outside, notice=_ignore, fork=fork
        )
    except StoreError:
        raise
    except Exception:
        # A cache that cannot be used here (a read-only or full cache folder) must not cost the candidates.
        store = open_store(path, use_cache=False, allow_outside_articles=outside, notice=_ignore, fork=fork)
    if output_files():  # `kztj __complete tag '' >> events.yaml`: the candidates would land in the store
        from .output import refuse_outputs_onto, store_files

        refuse_outputs_onto(store_files(store))  # OutputError: no candidates
    return list(store.names(kind, prefix, MOST_CANDIDATES))


def _ignore(message: str) -> None:
    """A notice from the cache (rebuilding, say): nothing a shell completing a word should show."""


def _quiet(message: str) -> int:
    """Say on stderr why there are no candidates (the scripts send it to /dev/null); exit 0, as completion does."""
    from .text import visible

    sys.stderr.write(f"kztj: completion: {visible(message)}\n")
    return 0


def _events_path(words: Sequence[str]) -> Path | None:
    """The store the completed command line names (its last ``--events``), else the default; None for stdin."""
    from .locations import default_store_path

    value = None
    for index, word in enumerate(words):
        if word == "--":
            break
        if word == "--events" and index + 1 < len(words):
            value = words[index + 1]
        elif word.startswith("--events="):
            value = word.partition("=")[2]
    if value is None:
        return Path(default_store_path())
    if value[:1] in ("'", '"'):  # bash passes the word as typed, quotes and all
        try:
            value = " ".join(shlex.split(value))
        except ValueError:
            value = value[1:]  # an open quote: the path typed so far
    if value in ("", "-"):
        return None
    return Path(os.path.expanduser(value))
