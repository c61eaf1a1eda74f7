"""The ``kztj`` command line: parse arguments, load the store, then run a command or the TUI.

Only the TUI imports Textual; every other command stays on the fast path.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import stat
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from . import __version__
from .console import json_text
from .errors import Problem, StoreError
from .forking import can_fork
from .locations import STDIN_NAME, default_store_path
from .model import Filters, format_value
from .query import QueryError
from .store import Store
from .streams import EXIT_ERROR, EXIT_NO_MATCH, EXIT_OK, Watched, error_line, output_failed, output_files, say
from .text import bytes_in_repr, quoted, visible

if TYPE_CHECKING:
    from .check import Finding
    from .userstate import UserState

COLOR_CHOICES = ("auto", "always", "never")
# The browser's own options: (option, dest, metavar, help, what a command takes in its place).
BROWSER_OPTIONS = (
    ("--event", "event", "ID", "open the browser at this event", "kztj show ID"),
    (
        "--search",
        "search",
        "QUERY",
        "open the browser with this search",
        "kztj search WORDS, or kztj export --query WORDS",
    ),
    (
        "--view",
        "browser_view",
        "NAME",
        "open the browser on the view saved as NAME (kztj views)",
        "kztj search --view NAME, or kztj export --view NAME",
    ),
)
SHELLS = ("bash", "zsh", "fish")

EPILOG = """\
examples:
  kztj                                  browse the timeline (q quits, ? lists keys)
  kztj --search Rogun                   open the browser on a search
  kztj export | head -40                Markdown report on stdout
  kztj export --from 2023 --to 2023 -o report.md
  kztj export --format json --tag trade
  kztj export -o kztj.ics               the format from the name: .md .json .jsonl .csv .ics .mw
  kztj export --format timelinejs -o timeline.json
  kztj search Tokaev '"allied interaction"'  exit 1 when nothing matches
  kztj search trade -wheat year:2022 --json
  kztj show declaration-allied-interaction
  kztj edit declaration-allied-interaction  open the store at that event in $EDITOR
  kztj figures --metric trade_turnover --format csv
  kztj tags; kztj actors                    what --tag and --actor accept
  kztj validate --events my-events.yaml
  kztj completion bash > ~/.local/share/bash-completion/completions/kztj
  kztj check                            data-quality report; exit 1 on warnings
  kztj check --json | jq '.findings[] | select(.severity == "warning")'

exit status: 0 success (search: something matched), 1 nothing matched or no such
event (check: warnings), 2 an error (invalid store, bad option or query, unwritable output).
"""


class _StderrProgress:
    """A one-line progress bar on stderr, shown only on a terminal and only if loading is slow."""

    def __init__(self) -> None:
        self._start = time.monotonic()
        self._shown = False
        self._enabled = sys.stderr.isatty()

    def __call__(self, phase: str, fraction: float) -> None:
        if not self._enabled or time.monotonic() - self._start < 0.3:
            return
        width = 30
        filled = int(width * min(1.0, fraction))
        sys.stderr.write(f"\rkztj: {phase:<10} [{'#' * filled}{'.' * (width - filled)}] {fraction:4.0%}")
        sys.stderr.flush()
        self._shown = True

    def done(self) -> None:
        if self._shown:
            sys.stderr.write("\r\x1b[2K")
            sys.stderr.flush()


def _date_bound(which: str):
    def convert(text: str) -> date:
        from . import edtf

        try:
            return edtf.bound(text, which)
        except edtf.EdtfError as error:
            raise argparse.ArgumentTypeError(f"{text!r} is not a date: {error}") from None

    return convert


_MAX_LIMIT = 2**63 - 1  # SQLite's largest integer


def _positive(text: str) -> int:
    # ASCII digits only: int() also takes "1_0" and "٣" (an Arabic-Indic three), which no one means as a count.
    digits = text.strip()
    value = int(digits) if digits.isascii() and digits.isdigit() and len(digits) < 20 else 0
    if not 1 <= value <= _MAX_LIMIT:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a positive whole number (at most {_MAX_LIMIT})")
    return value


def _help_width() -> int:
    """The width argparse wraps help to: the terminal's ($COLUMNS first), found as ``shutil.get_terminal_size`` does."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns if sys.__stdout__ else 0
        except (AttributeError, ValueError, OSError):
            columns = 0
    return (columns or 80) - 2


class _Formatter(argparse.HelpFormatter):
    """argparse's formatter, told the width: argparse asks shutil, whose import (zlib, bz2, lzma) costs ~2 ms a run."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, width=_help_width())


class _RawFormatter(_Formatter, argparse.RawDescriptionHelpFormatter):
    """The same, keeping the description's and epilog's line breaks."""


# argparse passes every string it builds through gettext (about 90 at every start), which looks
# for a message catalogue on disk each time: ~2.3 ms of every command. Python ships no catalogue
# for argparse, so the strings are the same without it.
setattr(argparse, "_", str)  # noqa: B010 (a name argparse calls, set on purpose)


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors on one line like every other kztj error."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        # argparse quotes some values with repr() (an undecodable byte as \udcff) and others raw ("unrecognized
        # arguments: ...").
        shown = visible(bytes_in_repr(" ".join(message.split())))
        self.exit(EXIT_ERROR, f"{self.prog}: {shown} (see {self.prog} --help)\n")

    def _print_message(self, message: str, file: Any = None) -> None:
        # argparse drops a failed write, so help or the version into a full disk exited 0: stdout's fails as
        # every command's does (a reader gone is not an error); stderr's still has nowhere to be told.
        if not message:
            return
        if file is None or file is not sys.stdout:
            error_line(message.rstrip("\n"))
            return
        out = Watched(file)
        try:
            out.write(message)
            out.flush()
        except OSError as error:
            self.exit(output_failed(error, out))


def _store_path(value: str) -> str:
    """``--events``'s value: an empty one names no file (it would quietly mean the default store)."""
    if not value:
        raise argparse.ArgumentTypeError("an empty path names no store file")
    return value


def _parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    common.add_argument(
        "--events",
        metavar="PATH",
        type=_store_path,
        default=argparse.SUPPRESS,
        help="store file, or - to read it from stdin (articles relative to the working directory; not cached) "
        "(default: $KZTJ_EVENTS, else the bundled store)",
    )
    common.add_argument(
        "--no-cache", action="store_true", default=argparse.SUPPRESS, help="do not read or write the cache"
    )
    common.add_argument(
        "--allow-outside-articles",
        action="store_true",
        default=argparse.SUPPRESS,
        help="let the store cite articles outside its own directory (absolute paths, ../)",
    )
    common.add_argument(
        "--color",
        choices=COLOR_CHOICES,
        default=argparse.SUPPRESS,
        help="colour and tables on stdout: auto (on a terminal, unless NO_COLOR is set; FORCE_COLOR, or "
        "CLICOLOR_FORCE without NO_COLOR, forces them), always, never",
    )
    filters = _Parser(add_help=False)
    group = filters.add_argument_group("filters")
    group.add_argument(
        "--from",
        dest="date_from",
        type=_date_bound("from"),
        metavar="DATE",
        help="events overlapping DATE or later; precision-aware (2021 means all of 2021)",
    )
    group.add_argument(
        "--to", dest="date_to", type=_date_bound("to"), metavar="DATE", help="events up to the end of DATE"
    )
    group.add_argument("--tag", action="append", default=[], metavar="TAG", help="keep events with TAG (repeatable)")
    group.add_argument(
        "--actor",
        action="append",
        default=[],
        metavar="NAME",
        help="keep events naming this actor, by id, name or alias (repeatable)",
    )
    # None when not given: an empty --query is refused like one of spaces, never taken for no filter.
    group.add_argument("--query", metavar="QUERY", help="keep events matching a search query")
    group.add_argument(
        "--view",
        metavar="NAME",
        help="start from the view saved as NAME in the browser (V; kztj views lists them); other filters narrow it",
    )

    parser = _Parser(
        prog="kztj",
        parents=[common],
        description="A sourced timeline of Kazakhstan–Tajikistan relations. With no command, opens the browser.",
        epilog=EPILOG,
        formatter_class=_RawFormatter,
    )
    parser.add_argument("-V", "--version", action="version", version=f"kztj {__version__}")
    for option, dest, metavar, text, _ in BROWSER_OPTIONS:
        parser.add_argument(option, dest=dest, metavar=metavar, help=text)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    commands.add_parser("validate", parents=[common], help="check the store; one PATH:LINE:COL line per problem")
    check = commands.add_parser(
        "check",
        parents=[common],
        help="is the valid store sound? conflicts, arithmetic, unsupported words, loose entities (exit 1 on warnings)",
        description=(
            "A data-quality report on a valid store, one PATH:LINE:COL line per finding, grouped by kind. "
            "Warnings (exit 1): conflicting figures, the same figure dated differently, figures that should agree "
            "by definition, numbers and names in a title or summary that no quote supports, months and days that "
            "neither the event's date nor its quotes give, entities no event uses or without a Cyrillic alias, "
            "events with no actor, disagreements not yet reviewed. Known: reviewed disagreements and the warnings "
            "they cover. Notes: single-source events, uncertain dates, places, actors and tags no quote names, "
            "plans and targets past their date with no later report ($KZTJ_TODAY=YYYY-MM-DD sets today), and "
            "disagreements whose versions differ in nothing check can see. "
            "Exit 0 without warnings, 1 with warnings, 2 if the store is invalid."
        ),
    )
    check.add_argument("--json", action="store_true", help="print the findings as one JSON object")
    from .formats import FORMATS

    export = commands.add_parser(
        "export",
        parents=[common, filters],
        help="write the (filtered) timeline as Markdown, JSON, JSONL, CSV, iCalendar, TimelineJS or markwhen",
        formatter_class=_RawFormatter,
        epilog="formats:\n" + "".join(f"  {name:<11} {fmt.help}\n" for name, fmt in FORMATS.items()),
    )
    export.add_argument(
        "--format",
        choices=tuple(FORMATS),
        default=None,
        help="output format (default: the one -o FILE's extension names, else markdown; see below)",
    )
    export.add_argument(
        "--marked",
        action="store_true",
        help="only the events marked in the browser (m), for this store file; with the other filters, those of them",
    )
    export.add_argument(
        "--notes",
        action="store_true",
        help='include your private notes (written in the browser, A): a Note paragraph in Markdown, a "note" field '
        "in JSON and JSONL; other formats refuse it",
    )
    export.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write to FILE atomically instead of stdout ('-' is stdout; a FIFO, device or /dev/stdout is written "
        "in place); never the store or its articles",
    )
    search = commands.add_parser(
        "search",
        parents=[common, filters],
        help="search events (exit 1 if none match)",
        description="Search events. Words starting with '-' are part of the query (trade -wheat), not options.",
    )
    search.add_argument(
        "terms",
        nargs="*",
        metavar="QUERY",
        help='words, "phrases", -not, OR, prefix*, tag:/actor:/year:/from:/to:/note: (may be left out with --view)',
    )
    search.add_argument("--json", action="store_true", help="print matching events as a JSON list")
    search.add_argument(
        "--sort",
        choices=("relevance", "date"),
        default=None,
        help="date (the default: every match, as the timeline reads) or relevance (BM25, title matches "
        "first; the default with --limit)",
    )
    search.add_argument("--limit", type=_positive, default=None, metavar="N", help="at most N results")
    show = commands.add_parser("show", parents=[common], help="show one event in full")
    show.add_argument("id", metavar="ID", help="the event's id (see kztj search)")
    show.add_argument("--json", action="store_true", help="print the event as JSON, shaped as in the export")
    # -- kztj edit (issue 20, edit at the line) --
    edit = commands.add_parser(
        "edit",
        parents=[common],
        help="open the store in $VISUAL or $EDITOR at the line where an event starts",
        description="Open the store file in $VISUAL (else $EDITOR) at the line of the event's '- id:' item: "
        "+LINE for vi, vim, nvim, nano, emacs and kak, --goto FILE:LINE for code and codium, the file alone for "
        "any other editor. Exit 0 when the editor exits 0, 1 when it fails, 2 with no editor set.",
    )
    edit.add_argument("id", metavar="ID", help="the event's id (see kztj search)")
    # -- end kztj edit --
    figures = commands.add_parser("figures", parents=[common], help="the numeric series, conflicts flagged")
    figures.add_argument(
        "--metric", action="append", default=[], metavar="METRIC", help="only this metric (repeatable)"
    )
    figures.add_argument(
        "--format",
        choices=("table", "csv", "json"),
        default=None,
        help="table (default: aligned on a terminal, tab-separated when piped), or csv/json with raw numbers",
    )
    figures.add_argument("--json", action="store_true", help="same as --format json")
    commands.add_parser("tags", parents=[common], help="list every tag with its number of events")
    commands.add_parser("actors", parents=[common], help="list every actor with its number of events")
    views = commands.add_parser(
        "views", parents=[common], help="list the views saved in the browser (V) for this store file"
    )
    views.add_argument("--json", action="store_true", help="print the views as one JSON object")
    schema = commands.add_parser("schema", help="print the store's JSON Schema (events.schema.json)")
    schema.add_argument(
        "--export", action="store_true", help="print the JSON Schema of `kztj export --format json` instead"
    )
    completion = commands.add_parser(
        "completion",
        help="print a shell completion script",
        description="Print a completion script: commands, options, paths, and the event ids, tags, actors and "
        "metrics of the store (the one --events names on the line being completed), read from the cache. bash: "
        "kztj completion bash > "
        "~/.local/share/bash-completion/completions/kztj; zsh: kztj completion zsh > ~/.zfunc/_kztj "
        "(with fpath+=~/.zfunc before compinit); fish: kztj completion fish > ~/.config/fish/completions/kztj.fish",
    )
    completion.add_argument("shell", choices=SHELLS, help="the shell to complete for")
    _ingest_parser(commands, common)
    return parser


# --- kztj ingest (issue 21): an article becomes a draft of sourced events and figures -------------
def _ingest_parser(commands: Any, common: argparse.ArgumentParser) -> None:
    ingest = commands.add_parser(
        "ingest",
        parents=[common],
        help="propose sourced events and figures from a new article (a draft; never writes the store)",
        description="Read a plain-text article (or an HTML page, whose main text it writes as one) and propose a "
        "draft: every sentence that states a dated fact, a "
        "number or one of the store's entities becomes a candidate event or figure, with its quote exactly as "
        "the article has it, a date resolved against the publication date with the reason in words, a "
        "suggested metric, actors, place and tags, and its relation to the store (duplicates, corroborates, "
        "conflicts). The draft's titles and summaries are TODO markers that kztj validate refuses until a "
        "person writes them.",
    )
    ingest.add_argument(
        "article",
        metavar="ARTICLE",
        help="the article: a UTF-8 text file, or an HTML page saved from a browser (needs pip install 'kztj[html]')",
    )
    ingest.add_argument(
        "--published",
        metavar="DATE",
        help="the publication date, YYYY-MM-DD or a range A/B (default: the article's ' date YYYY-MM-DD' line, "
        "or an HTML page's metadata)",
    )
    ingest.add_argument(
        "--outlet",
        metavar="NAME",
        help="the outlet (default: the one its dateline names, else a TODO marker; an HTML page's site name)",
    )
    ingest.add_argument(
        "--article-out",
        metavar="FILE",
        help="for an HTML page: write its main text, the article the draft quotes, to FILE (default: the page's "
        "name with .txt, never over an existing file)",
    )
    ingest.add_argument("--json", action="store_true", help="print the source and candidates as one JSON object")
    ingest.add_argument(
        "-o", "--output", metavar="DRAFT", help="write the draft (YAML, the store's format) to DRAFT atomically"
    )


def cmd_ingest(args: argparse.Namespace, out: TextIO) -> int:
    from .ingest.run import command

    return command(args, out, open_for)


# --- end of kztj ingest ---------------------------------------------------------------------------


def _filters(args: argparse.Namespace, query: str = "") -> Filters:
    given = (query, getattr(args, "view_query", ""), getattr(args, "query", ""))  # search's words, --view's, --query
    return Filters(
        date_from=getattr(args, "date_from", None),
        date_to=getattr(args, "date_to", None),
        tags=tuple(t.lower() for t in getattr(args, "tag", [])),
        actors=tuple(getattr(args, "actor", [])),
        query=" ".join(q for q in given if q),
        places=tuple(getattr(args, "places", ())),  # from a saved view: the CLI has no --place
        marked=getattr(args, "marked_ids", None),
    )


def _stdin_store(args: argparse.Namespace) -> Store:
    """``--events -``: the store read from stdin into memory, its articles relative to the working directory.

    Never cached: the cache is keyed by a store file's path and identity, which stdin has not. Read
    once, so a second open (after a damaged read) and ``check`` see the same bytes.
    """
    from .files import FileBytes, FileIdentity, digest
    from .loader import load
    from .storebuild import from_loaded
    from .yamlparse import MAX_STORE_BYTES

    data = getattr(args, "stdin_data", None)
    if data is None:
        if sys.stdin is None:  # started with it closed (<&-)
            raise StoreError([Problem(STDIN_NAME, 1, 1, "standard input is closed")])
        try:
            device = stat.S_ISCHR(os.fstat(sys.stdin.fileno()).st_mode) and not sys.stdin.isatty()
        except (OSError, ValueError):
            device = False
        if device:  # /dev/zero would be read to the 2 GiB limit (--events /dev/zero is refused at once too)
            raise StoreError([Problem(STDIN_NAME, 1, 1, "is a device, not a file")])
        data = sys.stdin.buffer.read(MAX_STORE_BYTES + 1)
        if len(data) > MAX_STORE_BYTES:
            raise StoreError([Problem(STDIN_NAME, 1, 1, f"is more than {MAX_STORE_BYTES:,} bytes, the limit")])
        args.stdin_data = data
    source = FileBytes(data, FileIdentity(len(data), 0, 0, 0, 0), digest(data), time.time())
    allow_outside = getattr(args, "allow_outside_articles", False)
    loaded = load(Path(STDIN_NAME), allow_outside_articles=allow_outside, source=source, fork=_fork(args))
    return from_loaded(loaded, {"allow_outside": str(int(allow_outside))})


def _fork(args: argparse.Namespace) -> bool:
    """Whether this run may fork: ``main``'s decision (see forking.py); never for arguments made elsewhere."""
    return bool(getattr(args, "fork", False))


def open_for(args: argparse.Namespace) -> Store:
    """Load the store the arguments name, with a progress bar if it is slow; raises StoreError."""
    from .cache import open_store

    if getattr(args, "events", None) == "-":
        return _stdin_store(args)
    path = Path(getattr(args, "events", None) or default_store_path())
    progress = _StderrProgress()
    try:
        return open_store(
            path,
            use_cache=not getattr(args, "no_cache", False),
            progress=progress,
            allow_outside_articles=getattr(args, "allow_outside_articles", False),
            notice=_notice,
            fork=_fork(args),
        )
    finally:
        progress.done()


_say, _json = say, json_text
_notice = say


def _color(args: argparse.Namespace) -> str:
    """``--color``, with ``auto`` made ``always`` by the environment as force-color.org and bixense.com/clicolors say.

    A non-empty FORCE_COLOR forces colour even over NO_COLOR; CLICOLOR_FORCE (set, not 0) forces it
    unless NO_COLOR is set. The command line wins over both.
    """
    color: str = getattr(args, "color", "auto")
    if color != "auto":
        return color
    if os.environ.get("FORCE_COLOR"):
        return "always"
    if not os.environ.get("NO_COLOR") and os.environ.get("CLICOLOR_FORCE", "0") not in ("", "0"):
        return "always"
    return "auto"


def _console(args: argparse.Namespace, out: TextIO) -> Any | None:
    """A rich Console for a terminal table, or None for plain lines (piped, and colour not forced).

    ``never`` keeps the table on a terminal but emits no escape sequence at all; ``auto`` drops
    colour (not bold) when NO_COLOR is set, as rich does.
    """
    color = _color(args)
    if color != "always" and not out.isatty():
        return None
    from rich.console import Console

    # No markup and no emoji codes: a name like ":smile:" or "[bold]" is shown as it is written.
    if color == "never":
        return Console(file=out, highlight=False, markup=False, emoji=False, color_system=None)
    if color == "always":
        # Forced colour is colour, whatever NO_COLOR says (rich alone would let NO_COLOR win).
        return Console(file=out, highlight=False, markup=False, emoji=False, force_terminal=True, no_color=False)
    return Console(file=out, highlight=False, markup=False, emoji=False)


def _filter_problems(store: Store, args: argparse.Namespace) -> list[str]:
    """One message per filter that cannot run: a --tag or --actor value that matches nothing in the store
    (with the nearest names), a --from after --to, then a query that does not parse.

    Checked before a command writes anything, so a bad filter never leaves half an export on stdout.
    The rule is the browser's filter dialog's too (``nearmiss.filter_problems``).
    """
    from .query import parse

    problems = []
    tags, actors = getattr(args, "tag", []), getattr(args, "actor", [])
    date_from, date_to = getattr(args, "date_from", None), getattr(args, "date_to", None)
    if tags or actors or (date_from and date_to):  # else pay neither for the tag count nor difflib
        from .nearmiss import filter_problems

        problems = filter_problems(store, tags, actors, date_from, date_to)
    words = getattr(args, "terms", None)  # kztj search's QUERY: none with --view alone
    typed = [" ".join(words)] if words else []
    if getattr(args, "query", None) is not None:
        typed.append(args.query)
    try:
        parse(_filters(args, " ".join(words or [])).query)
        # Typed text with nothing to search for would keep every event, as if each matched. A saved
        # view's query is not checked: the browser's search box shows the whole timeline for such text.
        problems += [f"nothing to search for in {text!r}: {NOTHING_TO_SEARCH}" for text in typed if not parse(text)]
    except QueryError as error:
        problems.append(str(error))
    return problems


# Why a query of only symbols, emoji or spaces finds nothing to search for.
NOTHING_TO_SEARCH = (
    "a query needs a word of letters or digits (AND, OR and NOT join words), a field such as tag:trade,"
    " or a word against (-trade)"
)


def cmd_validate(store: Store, args: argparse.Namespace, out: TextIO) -> int:
    out.write(
        f"{visible(str(store.path))}: ok — {store.count} events, {len(store.figures)} figures, "
        f"{len(store.sources)} sources, {len(store.entities)} entities\n"
    )
    return EXIT_OK


def cmd_check(store: Store, args: argparse.Namespace, out: TextIO) -> int:
    from . import check
    from .includes import read_texts

    found = check.run(store)
    stdin_data = getattr(args, "stdin_data", None)
    text = store.path.read_text(encoding="utf-8") if stdin_data is None else stdin_data.decode("utf-8")
    problems = check.locate(found, text, str(store.path), read_texts(store.path, store.meta))
    located = list(zip(found, problems, strict=True))
    warnings = sum(f.severity == check.WARNING for f in found)
    covered = sum(f.severity == check.KNOWN and f.kind != "disagreement" for f in found)
    notes = sum(f.severity == check.NOTE for f in found)
    summary = (
        f"{warnings} warning{'s' * (warnings != 1)}, {len(store.disagreements)} recorded disagreements "
        f"({covered} finding{'s' * (covered != 1)} covered), {notes} note{'s' * (notes != 1)}"
    )
    if args.json:
        return _answered(out, warnings == 0, lambda: _check_json(store, located, summary, out))
    return _answered(out, warnings == 0, lambda: _check_text(located, summary, out))


def _check_text(located: list[tuple[Finding, Problem]], summary: str, out: TextIO) -> None:
    from .check import KINDS, KNOWN, NOTE, WARNING

    def section(title: str, problems: list[Problem], count: int | None = None) -> None:
        if problems:
            out.write(f"== {title} ({len(problems) if count is None else count}) ==\n")
            out.writelines(f"{problem}\n" for problem in problems)

    def by_line(problems: list[Problem]) -> list[Problem]:
        return sorted(problems, key=lambda p: (p.path, p.line, p.column))  # a store in several files: file by file

    for kind, (heading, severity) in KINDS.items():
        if severity == WARNING:
            section(
                f"warnings: {heading}", by_line([p for f, p in located if f.kind == kind and f.severity == WARNING])
            )
    known: list[Problem] = []
    for finding, problem in located:
        if finding.kind == "disagreement":
            known.append(problem)
            known += [
                p._replace(message=f"covered by {finding.disagreement}: {f.kind}: {p.message}")
                for f, p in located
                if f.severity == KNOWN and f.kind != "disagreement" and f.disagreement == finding.disagreement
            ]
    count = sum(f.kind == "disagreement" for f, _ in located)
    section("known: reviewed disagreements, each followed by the warnings it covers", known, count)
    for kind, (heading, severity) in KINDS.items():
        if severity == NOTE:
            section(f"notes: {heading}", by_line([p for f, p in located if f.kind == kind]))
    out.write(f"kztj check: {summary}\n")


def _check_json(store: Store, located: list[tuple[Finding, Problem]], summary: str, out: TextIO) -> None:
    from .check import disagreement_sources

    figures = store.figures
    events = list(store.iter_events())
    data = {
        "store": str(store.path),
        "summary": summary,
        "findings": [
            {
                "kind": f.kind,
                "severity": f.severity,
                "path": p.path,
                "line": p.line,
                "column": p.column,
                "message": f.message,
                "events": list(f.events),
                "figures": list(f.figures),
                "entities": list(f.entities),
                "disagreement": f.disagreement,
            }
            for f, p in located
        ],
        "disagreements": [
            {**d.to_json(), "sources": disagreement_sources(d, figures, events)} for d in store.disagreements
        ],
    }
    out.write(_json(data))


def _mentions_notes(query: str) -> bool:
    """Whether a query has a ``note:`` field (it searches the user's notes, kept outside the store)."""
    from .query import parse

    return "note:" in query.lower() and any(field.name == "note" for field in parse(query).fields())


def _user_state(store: Store, args: argparse.Namespace, why: str) -> UserState | None:
    """The marks and notes kept for the store file (a damaged state file: one notice, and empty);
    ``note:`` in a query searches these notes from now on. None, with one line, for a store read from stdin.
    """
    from . import userstate
    from .query import note_matcher

    if getattr(args, "events", None) == "-":
        _say(f"{why} needs a store file: marks and notes are kept per store file, and stdin is none")
        return None
    state, notice = userstate.load(store.path)
    if notice:
        _notice(notice)
    store.note_matcher = note_matcher(state.notes)
    return state


def cmd_export(store: Store, args: argparse.Namespace, out: TextIO) -> int:
    from . import export
    from .output import OutputError, write_export

    target = "-" if args.output is None else args.output
    fmt = args.format
    named = export.format_for(target) if target != "-" else None
    if fmt is None:
        fmt = named or "markdown"
    elif named is not None and export.FORMATS[fmt].extension != export.FORMATS[named].extension:
        extension = export.FORMATS[named].extension
        _say(f"{target}: --format {fmt} does not match the .{extension} name (use --format {named}, or another name)")
        return EXIT_ERROR
    if args.notes and fmt not in export.NOTES_FORMATS:
        _say(f"--notes works with the {', '.join(export.NOTES_FORMATS)} formats, not {fmt}")
        return EXIT_ERROR
    filters = _filters(args)
    notes = None
    if args.marked or args.notes or _mentions_notes(filters.query):
        state = _user_state(store, args, "--marked" if args.marked else "--notes" if args.notes else "note:")
        if state is None:
            return EXIT_ERROR
        if args.marked:
            filters = filters._replace(marked=tuple(sorted(state.marks)))
            if not store.count_of(state.marks):
                _notice("no event of this store is marked (m marks one in the browser)")
        if args.notes:
            notes = state.notes
    chunks = export.chunks(store, filters, fmt, notes, fork=_fork(args))
    try:
        write_export(store, target, chunks, stdout=out)
    except OutputError as error:
        _say(str(error))
        return EXIT_ERROR
    if target != "-":
        _say(f"wrote {target}")
    return EXIT_OK


def _row(cells: Sequence[str]) -> str:
    """A tab-separated line: a tab or newline inside a cell is escaped, so columns and lines stay whole."""
    return "\t".join(map(visible, cells))


def _cells(row: Sequence[str]) -> list[Any]:
    """Table cells as rich Text, never str: user text is neither markup nor an emoji code, whatever the console."""
    from rich.text import Text

    return [Text(visible(cell)) for cell in row]


def cmd_search(store: Store, args: argparse.Namespace, out: TextIO) -> int:
    filters = _filters(args, " ".join(args.terms))
    if _mentions_notes(filters.query) and _user_state(store, args, "note:") is None:
        return EXIT_ERROR
    # Every match reads best in date order, like the timeline, and streams straight from the index;
    # the N best (--limit) are the most relevant. Ranking 100,000 matches by BM25 costs ~110 ms.
    sort = args.sort or ("relevance" if args.limit is not None else "date")
    from .searchview import terminal

    table = terminal(_color(args), out)  # rich's console, without importing it (~30 ms)
    if table is None and not args.json:
        # Piped: one streaming query for the three columns printed, no event decoded.
        matched = False
        for lines in store.search_lines(filters, sort=sort, limit=args.limit):
            matched = True
            out.write(lines)
        return EXIT_OK if matched else EXIT_NO_MATCH
    if args.json:
        hits = store.search(filters, sort=sort, limit=args.limit)
        return _json_answer(out, [event.to_json() for event in store.events_at(hits.rowids)], bool(hits.rowids))
    from .query import parse
    from .searchview import search_table

    assert table is not None  # a terminal, or colour forced: piped lines returned above
    query = parse(filters.query)  # once: the search and the highlights read the same parsed query
    shown = search_table(store, filters, query, out, table, sort=sort, limit=args.limit)
    return EXIT_OK if shown else EXIT_NO_MATCH


def cmd_show(store: Store, args: argparse.Namespace, out: TextIO) -> int:
    from .export import event_markdown

    event = store.event(args.id)
    if event is None:
        _say(f"no event with id {args.id!r}{_near(args.id, store.names('event'), 'try: kztj search WORD')}")
        return EXIT_NO_MATCH
    if args.json:
        out.write(_json(event.to_json()))
    else:
        out.write(event_markdown(store, event, heading="#"))
    return EXIT_OK


# -- kztj edit (issue 20, edit at the line) --


def cmd_edit(store: Store, args: argparse.Namespace, out: TextIO) -> int:
    """Run the user's editor on the store at the event's line; its terminal is the editor's."""
    from .editor import EditorError, edit_command

    if store.rowid_of(args.id) is None:
        _say(f"no event with id {args.id!r}{_near(args.id, store.names('event'), 'try: kztj search WORD')}")
        return EXIT_NO_MATCH
    if str(store.path) == STDIN_NAME:
        _say("kztj edit opens the store file: name it with --events FILE, not -")
        return EXIT_ERROR
    try:
        argv = edit_command(store, args.id)
    except EditorError as error:
        _say(str(error))
        return EXIT_ERROR
    out.flush()
    return _run_editor(argv)


def _edit_broken_store(args: argparse.Namespace) -> int | None:
    """``kztj edit ID`` on a store that does not load: the editor at its ``- id: ID`` line, to fix it; None
    (the store's problems are said instead) when the file has no such line or is not a file."""
    from .editor import EditorError, broken_store_command

    path = getattr(args, "events", None) or str(default_store_path())
    if path == "-":
        return None
    try:
        argv = broken_store_command(Path(path), args.id)
    except EditorError as error:
        _say(str(error))
        return EXIT_ERROR
    if argv is not None and output_files():  # the editor writes to kztj's stdout and stderr
        from .output import OutputError, refuse_outputs_onto

        try:
            refuse_outputs_onto([Path(path)])
        except OutputError as error:
            _say(str(error))
            return EXIT_ERROR
    return None if argv is None else _run_editor(argv)


def _run_editor(argv: list[str]) -> int:
    """Run the editor and say how it ended: 0 when it exits 0; 1 otherwise; 2 when it cannot run."""
    from .editor import run

    try:
        status = run(argv)
    except OSError as error:
        _say(f"cannot run the editor {quoted(argv[0])}: {error.strerror or error}")
        return EXIT_ERROR
    if status < 0:  # ended by a signal (subprocess gives minus its number)
        import signal

        try:
            name = signal.Signals(-status).name
        except ValueError:
            name = f"signal {-status}"
        _say(f"the editor {quoted(argv[0])} was ended by {name}")
        return EXIT_NO_MATCH
    if status != 0:
        _say(f"the editor {quoted(argv[0])} exited with status {status}")
        return EXIT_NO_MATCH
    return EXIT_OK


def _near(name: str, known: Sequence[str], otherwise: str) -> str:
    """The hint after an unknown name: the nearest known names, else where to find them."""
    from .nearmiss import near_hint

    return near_hint(name, known, otherwise)


def cmd_figures(store: Store, args: argparse.Namespace, out: TextIO) -> int:
    metrics = store.names("metric")
    for metric in args.metric:
        if metric not in metrics:
            listed = f"metrics: {', '.join(metrics)}" if len(metrics) <= 40 else "see: kztj figures"
            _say(f"unknown metric {metric!r}{_near(metric, metrics, listed)}")
            return EXIT_ERROR
    figures = [f for f in store.figures if not args.metric or f.metric in args.metric]
    fmt = "json" if args.json else args.format
    if fmt == "json":
        from .export.jsonfmt import figure_json

        return _json_answer(out, [figure_json(f) for f in figures], bool(figures))
    if fmt == "csv":
        from .export.csvfmt import figures_csv

        for chunk in figures_csv(store, args.metric):
            out.write(chunk)
        return EXIT_OK if figures else EXIT_NO_MATCH
    rows = []
    for f in figures:
        conflict = ""
        if f.conflicts:
            conflict = "CONFLICT vs " + ", ".join(
                f"{format_value(o.value, o.unit)} ({o.source})" for o in store.figure_conflicts(f)
            )
        rows.append((f.metric, f.period_label, format_value(f.value, f.unit), f.source, conflict))
    console = _console(args, out)
    if console is not None:
        from rich.table import Column, Table

        # The metric, period and value are never cut. Where the source and the conflict do not fit
        # beside them (80 columns), each figure takes two lines: they go on the second, indented.
        widths = [max((len(row[i]) for row in rows), default=0) for i in range(4)]
        if sum(widths) + 2 * 4 + len("⚠ CONFLICT") > console.width:
            _figures_in_two_lines(console, rows, widths)
            return EXIT_OK if figures else EXIT_NO_MATCH
        table = Table(
            Column("Metric", no_wrap=True),
            Column("Period", no_wrap=True),
            Column("Value", no_wrap=True, justify="right"),
            Column("Source", no_wrap=True),
            "Conflict",
            box=None,
            header_style="bold",
        )
        for metric, period, value, source, conflict in rows:
            table.add_row(
                *_cells((metric, period, value, source, f"⚠ {conflict}" if conflict else "")),
                style="yellow" if conflict else None,
            )
        console.print(table)
    else:
        for row in rows:
            out.write(_row(row).rstrip("\t") + "\n")
    return EXIT_OK if figures else EXIT_NO_MATCH


def _figures_in_two_lines(console: Any, rows: Sequence[tuple[str, ...]], widths: Sequence[int]) -> None:
    """The figures table for a narrow terminal: metric, period and value, then the source and conflict under them."""
    from rich.text import Text

    header = f" {'Metric'.ljust(widths[0])}  {'Period'.ljust(widths[1])}  {'Value'.rjust(widths[2])}"
    console.print(Text(header, style="bold"), no_wrap=True, overflow="ignore", crop=False)
    for metric, period, value, source, conflict in rows:
        line = Text(f" {visible(metric).ljust(widths[0])}  {visible(period).ljust(widths[1])}  ")
        line.append(visible(value).rjust(widths[2]))
        under = Text("   ").append(visible(source), style="dim")
        if conflict:
            under.append("  ⚠ " + visible(conflict))
        style = "yellow" if conflict else ""
        line.stylize(style)
        under.stylize(style)
        console.print(line, no_wrap=True, overflow="ignore", crop=False)
        console.print(under)


def _json_answer(out: TextIO, data: object, found: bool) -> int:
    """``data`` as JSON on stdout, and 0, or 1 when it holds nothing asked for (see ``_answered``)."""
    return _answered(out, found, lambda: out.write(_json(data)))


def _answered(out: TextIO, ok: bool, write: Callable[[], object]) -> int:
    """Run ``write``, then give 0 if ``ok``, else 1: an answer decided before the output stands though the
    reader goes (``check | head -1``, ``search x --json | true``), where a stream's ends with its reader."""
    status = EXIT_OK if ok else EXIT_NO_MATCH
    try:
        write()
    except BrokenPipeError as error:
        return output_failed(error, out if isinstance(out, Watched) else None, status)
    return status


def _listing(args: argparse.Namespace, out: TextIO, header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> int:
    console = _console(args, out)
    if console is not None:
        from rich.table import Table

        table = Table(*header, box=None, header_style="bold")
        for row in rows:
            table.add_row(*_cells(row))
        console.print(table)
    else:
        for row in rows:
            out.write(_row(row) + "\n")
    return EXIT_OK if rows else EXIT_NO_MATCH


def _apply_view(store: Store, args: argparse.Namespace) -> bool:
    """``--view NAME``: its filters under the command line's own; False, with one line, if there is no such view.

    A tag, actor or place the store no longer has is left out, with a line saying so.
    """
    from .savedviews import fitted

    name = args.view
    state = _user_state(store, args, "--view")
    if state is None:
        return False
    view = state.views.get(name)
    if view is None:
        if name in state.unreadable_views:
            _say(f"view {name!r} cannot be read: {state.unreadable_views[name][1]}")
        else:
            saved = ", ".join(sorted(state.views)) or "none yet; V in the browser saves one"
            _say(f"no saved view {name!r} (saved: {saved})")
        return False
    filters, notices = fitted(view, name, {tag for tag, _ in store.tags()}, set(store.entities))
    for notice in notices:
        _notice(notice)
    marks = tuple(sorted(state.marks)) if view.marked else None
    if args.command is None:  # the browser opens on the view
        args.view_filters = filters._replace(marked=marks)
        return True
    args.tag = [*filters.tags, *args.tag]
    args.actor = [*filters.actors, *args.actor]
    args.places = filters.places
    args.date_from = args.date_from or filters.date_from
    args.date_to = args.date_to or filters.date_to
    args.view_query = filters.query
    if marks is not None:
        args.marked_ids = marks
    if getattr(args, "sort", "absent") is None:
        args.sort = view.sort
    return True


def cmd_views(store: Store, args: argparse.Namespace, out: TextIO) -> int:
    state = _user_state(store, args, "views")
    if state is None:
        return EXIT_ERROR
    for name, (_, problem) in sorted(state.unreadable_views.items()):
        _notice(f"view {name!r} cannot be read: {problem}")
    if args.json:
        return _json_answer(
            out, {name: view.to_json() for name, view in sorted(state.views.items())}, bool(state.views)
        )
    rows = [(name, view.describe()) for name, view in sorted(state.views.items())]
    return _listing(args, out, ("View", "Shows"), rows)


def cmd_tags(store: Store, args: argparse.Namespace, out: TextIO) -> int:
    return _listing(args, out, ("Tag", "Events"), [(tag, str(count)) for tag, count in store.tags()])


def cmd_actors(store: Store, args: argparse.Namespace, out: TextIO) -> int:
    rows = []
    for entity_id, count in store.actors():
        entity = store.entities.get(entity_id)
        rows.append((entity_id, entity.name if entity else entity_id, entity.kind if entity else "", str(count)))
    return _listing(args, out, ("Id", "Name", "Kind", "Events"), rows)


def cmd_schema(args: argparse.Namespace, out: TextIO) -> int:
    if args.export:
        from .export.schema import export_json_schema

        out.write(export_json_schema())
    else:
        from .schema import json_schema

        out.write(json_schema())
    return EXIT_OK


def cmd_completion(args: argparse.Namespace, out: TextIO) -> int:
    from .completion import script

    out.write(script(_parser(), args.shell))
    return EXIT_OK


def _search_argv(argv: list[str], parser: argparse.ArgumentParser) -> list[str]:
    """Let a search query's ``-word`` through: after ``search``, what is not an option (``--x``) is a term.

    argparse would reject ``kztj search trade -wheat`` ('unrecognized arguments'); the terms are moved
    after a ``--`` in their original order, so ``-wheat`` reaches the query language.
    """
    top = _option_arity(parser)
    index = 0
    while index < len(argv) and argv[index] != "search":
        token = argv[index]
        if token == "--" or not token.startswith("-"):
            return argv  # another command, or not a command at all
        name, equals, _ = token.partition("=")
        index += 1 + (0 if equals else top.get(name, 0))
    if index >= len(argv):
        return argv
    options = _option_arity(_subparser(parser, "search"))
    kept, terms = argv[: index + 1], []
    rest = argv[index + 1 :]
    position = 0
    while position < len(rest):
        token = rest[position]
        name = token.partition("=")[0]
        if name.startswith("--") and name not in options:
            # As argparse reads a long option: a prefix of exactly one (`--lim 3`), whose value follows.
            named = [option for option in options if option.startswith(name)]
            name = named[0] if len(named) == 1 else name
        if token == "--":
            terms += rest[position + 1 :]
            break
        if name in options:
            takes = 0 if "=" in token else options[name]
            kept += rest[position : position + 1 + takes]
            position += 1 + takes
            continue
        if token.startswith("--"):
            kept.append(token)  # a mistyped option (--limt), never a term: argparse says it is unknown
            position += 1
            continue
        terms.append(token)
        position += 1
    return [*kept, "--", *terms] if terms else kept


def _option_arity(parser: argparse.ArgumentParser) -> dict[str, int]:
    """Each option string of a parser and how many values it takes."""
    arity = {}
    for action in parser._actions:
        takes = 0 if action.nargs == 0 else 1
        for option in action.option_strings:
            arity[option] = takes
    return arity


def _subparser(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices[name]  # type: ignore[no-any-return]
    raise KeyError(name)


COMMANDS = {
    "validate": cmd_validate,
    "check": cmd_check,
    "export": cmd_export,
    "search": cmd_search,
    "show": cmd_show,
    "edit": cmd_edit,
    "figures": cmd_figures,
    "tags": cmd_tags,
    "actors": cmd_actors,
    "views": cmd_views,
}
NO_STORE = {"schema": cmd_schema, "completion": cmd_completion}
NO_STORE["ingest"] = cmd_ingest  # opens the store itself, once the article is known to be readable


# Arguments that name a file: a file name need not be UTF-8 (KZTJ_EVENTS takes such a name too).
PATH_DESTS = frozenset({"events", "output", "article", "article_out"})


def _decode_arguments(args: argparse.Namespace) -> str | None:
    """Read every parsed value but file names as UTF-8, in ``args``; the first that is not UTF-8, or None.

    Python keeps the bytes of an argument its locale cannot decode as lone surrogates: bytes that are
    not UTF-8, and, under a locale that is not UTF-8 (``LC_ALL=C`` with Python's UTF-8 mode off),
    typed UTF-8 too, which is decoded again here. Read from what argparse parsed, so
    which values are file names follows the parser's own options and positionals, and never a second
    list of them.
    """
    for dest, value in vars(args).items():
        if dest in PATH_DESTS:
            continue
        items = value if isinstance(value, list) else [value]
        decoded = []
        for item in items:
            if isinstance(item, str) and not item.isascii():
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError:
                    try:
                        item = os.fsencode(item).decode("utf-8")
                    except UnicodeError:
                        return visible(item)  # the undecodable bytes as \\xNN, like every other escape
            decoded.append(item)
        setattr(args, dest, decoded if isinstance(value, list) else decoded[0])
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``kztj`` command."""
    argv = sys.argv[1:] if argv is None else list(argv)
    # Whether this run may split work with a forked child (a large store's parse, its index, a large
    # export): decided here, once, before anything could start a thread, and passed down.
    fork = can_fork()
    if argv[:1] == ["__complete"]:  # what the completion scripts run; before argparse, so never in --help
        from .completion import complete

        return _writing(lambda out: complete(argv[1:], out, fork=fork))  # type: ignore[arg-type]
    parser = _parser()
    args, unknown = parser.parse_known_args(_search_argv(argv, parser))
    args.fork = fork
    if unknown:
        # Point at the help of the command the option was given to: that is where its options are.
        (_subparser(parser, args.command) if args.command else parser).error(
            f"unrecognized arguments: {' '.join(unknown)}"
        )
    for option, dest, _, _, instead in BROWSER_OPTIONS:
        if args.command is not None and getattr(args, dest) is not None:
            # argparse keeps them beside any command: they were dropped, or --view applied to some.
            parser.error(f"{option} opens the browser, so it takes no command ({args.command}); use {instead}")
    if args.command is None:
        args.view = args.browser_view
    bad = _decode_arguments(args)
    if bad is not None:
        _say(f"argument '{bad[:60]}' is not valid UTF-8")
        return EXIT_ERROR
    if args.command is None and getattr(args, "events", None) == "-":
        _say("the browser reads its keys from stdin, so it cannot read the store there: use --events FILE")
        return EXIT_ERROR
    if args.command is None and not (sys.stdin is not None and sys.stdin.isatty() and sys.stdout.isatty()):
        # Textual would wait for keys that never come, drawing escape codes into a file.
        _say("the browser needs a terminal; try kztj export or kztj --help")
        return EXIT_ERROR
    if args.command == "search" and not args.terms and args.view is None:
        _subparser(parser, "search").error("the following arguments are required: QUERY (or --view NAME)")
    if args.command in NO_STORE:
        return _writing(lambda out: NO_STORE[args.command](args, out))  # type: ignore[arg-type]
    if args.command in (None, "check"):  # both weigh plans against today, which $KZTJ_TODAY can set
        from .check import today

        try:
            today()
        except ValueError as error:
            _say(str(error))
            return EXIT_ERROR
    try:
        try:
            store = open_for(args)
        except StoreError as error:
            if args.command == "edit" and (edited := _edit_broken_store(args)) is not None:
                return edited
            for problem in error.problems:
                error_line(str(problem))
            return EXIT_ERROR
        if getattr(args, "view", None) is not None and not _apply_view(store, args):  # `--view ''` too
            return EXIT_ERROR
        unknown = _filter_problems(store, args)
        if unknown:
            _say(unknown[0])  # bad input gets one line: the first value to fix
            return EXIT_ERROR
        if args.command is None:
            if getattr(args, "color", "auto") == "never":
                os.environ["NO_COLOR"] = "1"  # Textual's own switch
            from functools import partial

            from .cache import open_store
            from .tui.app import run

            # The same options as the first open, minus the progress bar and notices, which would
            # write over the screen.
            reopen = partial(
                open_store,
                store.path,
                use_cache=not getattr(args, "no_cache", False),
                allow_outside_articles=getattr(args, "allow_outside_articles", False),
                fork=False,  # the browser runs threads: it never forks
            )
            view = getattr(args, "view_filters", None)
            return run(store, event_id=args.event, search=args.search, reopen=reopen, filters=view)
        if output_files():  # a regular file may be the store (a terminal or a pipe cannot)
            from .output import refuse_outputs_onto, store_files

            # OutputError: one line, below. Export checks where it writes itself, stdout too.
            refuse_outputs_onto(store_files(store), stdout=args.command != "export")
        return _writing(lambda out: _run_command(store, args, out))
    except sqlite3.DatabaseError as error:
        _say(f"the cache was damaged while reading it ({error}); it was removed, run again")
        return EXIT_ERROR
    except QueryError as error:
        _say(str(error))
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except OSError as error:  # before any output: the store, an article, a file named on the command line, stdout
        return output_failed(error, None)


def _run_command(store: Store, args: argparse.Namespace, out: Watched) -> int:
    """Run ``args.command`` on ``store``; a cache that broke since it was opened is dropped, and, if nothing
    was printed yet, the command answers again from a fresh build."""
    try:
        return COMMANDS[args.command](store, args, out)  # type: ignore[arg-type]
    except sqlite3.DatabaseError as error:
        from .cache import drop

        drop(store.path)
        if out.written or getattr(args, "no_cache", False):
            raise
        _notice(f"the cache was damaged while reading it ({error}); rebuilding it")
        return COMMANDS[args.command](open_for(args), args, out)  # type: ignore[arg-type]


def _writing(command: Callable[[Watched], int]) -> int:
    """Run a command that writes to stdout: its status, kept though its reader goes after it answered
    (stdout is flushed now, not at exit); any other failure of the output as ``streams.output_failed`` says."""
    out = Watched(sys.stdout)
    status = EXIT_OK
    try:
        status = command(out)
        out.flush()
        return status
    except OSError as error:
        return output_failed(error, out, status)


def entry() -> None:
    """Console-script wrapper around main()."""
    sys.exit(main())
