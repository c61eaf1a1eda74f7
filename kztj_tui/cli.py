"""The ``kztj`` command line: parse arguments, load the store, then run a command or the TUI.

Only the TUI imports Textual; every other command stays on the fast path.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from . import __version__
from .errors import Problem, StoreError
from .locations import default_store_path
from .model import Filters, format_value
from .query import QueryError
from .store import Store

if TYPE_CHECKING:
    from .check import Finding

EXIT_OK, EXIT_NO_MATCH, EXIT_ERROR = 0, 1, 2

EPILOG = """\
examples:
  kztj                                  browse the timeline (q quits, ? lists keys)
  kztj --search Rogun                   open the browser on a search
  kztj export | head -40                Markdown report on stdout
  kztj export --from 2023 --to 2023 -o report.md
  kztj export --format json --tag trade
  kztj search 'Tokaev "allied interaction"'   exit 1 when nothing matches
  kztj search 'trade -wheat year:2022' --json
  kztj show declaration-allied-interaction
  kztj figures --metric trade_turnover
  kztj validate --events my-events.yaml
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
            when = edtf.parse(text)
        except edtf.EdtfError as error:
            raise argparse.ArgumentTypeError(f"{text!r} is not a date: {error}") from None
        return when.start if which == "from" else when.end

    return convert


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return value


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--events",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="store file (default: $KZTJ_EVENTS, else the bundled store)",
    )
    common.add_argument(
        "--no-cache", action="store_true", default=argparse.SUPPRESS, help="do not read or write the cache"
    )
    filters = argparse.ArgumentParser(add_help=False)
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
    group.add_argument("--query", default="", metavar="QUERY", help="keep events matching a search query")

    parser = argparse.ArgumentParser(
        prog="kztj",
        parents=[common],
        description="A sourced timeline of Kazakhstan–Tajikistan relations. With no command, opens the browser.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"kztj {__version__}")
    parser.add_argument("--event", metavar="ID", help="open the browser at this event")
    parser.add_argument("--search", metavar="QUERY", help="open the browser with this search")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    commands.add_parser("validate", parents=[common], help="check the store; one PATH:LINE:COL line per problem")
    check = commands.add_parser(
        "check",
        parents=[common],
        help="is the valid store sound? conflicts, arithmetic, unsupported words, loose entities (exit 1 on warnings)",
        description=(
            "A data-quality report on a valid store, one PATH:LINE:COL line per finding, grouped by kind. "
            "Warnings (exit 1): conflicting figures, the same figure dated differently, figures that should agree "
            "by definition, numbers and names in a title or summary that no quote supports, entities no event uses "
            "or without a Cyrillic alias, events with no actor, disagreements not yet reviewed. Known: reviewed "
            "disagreements and the warnings they cover. Notes: single-source events and uncertain dates. "
            "Exit 0 without warnings, 1 with warnings, 2 if the store is invalid."
        ),
    )
    check.add_argument("--json", action="store_true", help="print the findings as one JSON object")
    export = commands.add_parser(
        "export", parents=[common, filters], help="write the (filtered) timeline as Markdown or JSON"
    )
    export.add_argument("--format", choices=("markdown", "json"), default="markdown")
    export.add_argument("-o", "--output", metavar="FILE", help="write to FILE atomically instead of stdout")
    search = commands.add_parser("search", parents=[common, filters], help="search events (exit 1 if none match)")
    search.add_argument(
        "terms", nargs="+", metavar="QUERY", help='words, "phrases", -not, OR, prefix*, tag:/actor:/year:/from:/to:'
    )
    search.add_argument("--json", action="store_true", help="print matching events as a JSON list")
    search.add_argument("--sort", choices=("relevance", "date"), default="relevance")
    search.add_argument("--limit", type=_positive, default=None, metavar="N", help="at most N results")
    show = commands.add_parser("show", parents=[common], help="show one event in full")
    show.add_argument("id", metavar="ID")
    show.add_argument("--json", action="store_true")
    figures = commands.add_parser("figures", parents=[common], help="the numeric series, conflicts flagged")
    figures.add_argument("--metric", action="append", default=[], metavar="METRIC")
    figures.add_argument("--json", action="store_true")
    commands.add_parser("schema", help="print the store's JSON Schema (events.schema.json)")
    return parser


def _filters(args: argparse.Namespace, query: str = "") -> Filters:
    extra = getattr(args, "query", "") or ""
    return Filters(
        date_from=getattr(args, "date_from", None),
        date_to=getattr(args, "date_to", None),
        tags=tuple(t.lower() for t in getattr(args, "tag", [])),
        actors=tuple(getattr(args, "actor", [])),
        query=" ".join(q for q in (query, extra) if q),
    )


def open_for(args: argparse.Namespace) -> Store:
    """Load the store the arguments name, with a progress bar if it is slow; raises StoreError."""
    from .cache import open_store

    path = Path(getattr(args, "events", None) or default_store_path())
    progress = _StderrProgress()
    try:
        return open_store(path, use_cache=not getattr(args, "no_cache", False), progress=progress)
    finally:
        progress.done()


def _write(chunks: Iterable[str], output: str | None, out: TextIO) -> None:
    if not output:
        for chunk in chunks:
            out.write(chunk)
        out.flush()
        return
    from .export import write_atomically

    write_atomically(Path(output), chunks)


def cmd_validate(store: Store, args: argparse.Namespace, out: TextIO) -> int:
    out.write(
        f"{store.path}: ok — {store.count} events, {len(store.figures)} figures, "
        f"{len(store.sources)} sources, {len(store.entities)} entities\n"
    )
    return EXIT_OK


def cmd_check(store: Store, args: argparse.Namespace, out: TextIO) -> int:
    from . import check

    found = check.run(store)
    problems = check.locate(found, store.path.read_text(encoding="utf-8"), str(store.path))
    located = list(zip(found, problems, strict=True))
    warnings = sum(f.severity == check.WARNING for f in found)
    covered = sum(f.severity == check.KNOWN and f.kind != "disagreement" for f in found)
    notes = sum(f.severity == check.NOTE for f in found)
    summary = (
        f"{warnings} warning{'s' * (warnings != 1)}, {len(store.disagreements)} recorded disagreements "
        f"({covered} finding{'s' * (covered != 1)} covered), {notes} note{'s' * (notes != 1)}"
    )
    if args.json:
        _check_json(store, located, summary, out)
    else:
        _check_text(located, summary, out)
    return EXIT_NO_MATCH if warnings else EXIT_OK


def _check_text(located: list[tuple[Finding, Problem]], summary: str, out: TextIO) -> None:
    from .check import KINDS, KNOWN, NOTE, WARNING

    def section(title: str, problems: list[Problem], count: int | None = None) -> None:
        if problems:
            out.write(f"== {title} ({len(problems) if count is None else count}) ==\n")
            out.writelines(f"{problem}\n" for problem in problems)

    def by_line(problems: list[Problem]) -> list[Problem]:
        return sorted(problems, key=lambda p: (p.line, p.column))

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
    out.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def cmd_export(store: Store, args: argparse.Namespace, out: TextIO) -> int:
    from . import export

    filters = _filters(args)
    chunks = export.markdown(store, filters) if args.format == "markdown" else export.to_json(store, filters)
    _write(chunks, args.output, out)
    if args.output:
        print(f"kztj: wrote {args.output}", file=sys.stderr)
    return EXIT_OK


def cmd_search(store: Store, args: argparse.Namespace, out: TextIO) -> int:
    filters = _filters(args, " ".join(args.terms))
    hits = store.search(filters, sort=args.sort, limit=args.limit)
    if args.json:
        events = [store.event_at(r).to_json() for r in hits.rowids]
        out.write(json.dumps(events, ensure_ascii=False, indent=2) + "\n")
    elif out.isatty():
        _search_table(store, filters.query, hits.rowids, hits.total, out)
    else:
        for rowid in hits.rowids:
            event = store.event_at(rowid)
            out.write(f"{event.date}  {event.id}  {event.title}\n")
    return EXIT_OK if hits.rowids else EXIT_NO_MATCH


def _search_table(store: Store, query: str, rowids: Sequence[int], total: int, out: TextIO) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from .text import snippet

    highlights = store.highlights(query, rowids[:200])
    table = Table(box=None, pad_edge=False, header_style="bold", caption=f"{len(rowids)} of {total} matching events")
    table.add_column("Date", no_wrap=True)
    table.add_column("Event", ratio=2)
    table.add_column("Match", ratio=3, style="dim")
    for rowid in rowids:
        event = store.event_at(rowid)
        title_spans, summary_spans = highlights.get(rowid, ([], []))
        title = Text(event.title, style="bold")
        for start, end in title_spans:
            title.stylize("reverse", start, end)
        title.append(f"\n{event.id}", style="dim")
        window, spans = snippet(event.summary, summary_spans, 90)
        match = Text(window)
        for start, end in spans:
            match.stylize("bold reverse", start, end)
        table.add_row(event.label, title, match)
    Console(file=out, highlight=False).print(table)


def cmd_show(store: Store, args: argparse.Namespace, out: TextIO) -> int:
    from .export import event_markdown

    event = store.event(args.id)
    if event is None:
        print(f"kztj: no event with id {args.id!r} (try: kztj search WORD)", file=sys.stderr)
        return EXIT_NO_MATCH
    if args.json:
        out.write(json.dumps(event.to_json(), ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(event_markdown(store, event, heading="#"))
    return EXIT_OK


def cmd_figures(store: Store, args: argparse.Namespace, out: TextIO) -> int:
    figures = [f for f in store.figures if not args.metric or f.metric in args.metric]
    if args.json:
        out.write(json.dumps([f.to_json() for f in figures], ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK if figures else EXIT_NO_MATCH
    rows = []
    for f in figures:
        conflict = ""
        if f.conflicts:
            conflict = "CONFLICT vs " + ", ".join(
                f"{format_value(o.value, o.unit)} ({o.source})" for o in store.figure_conflicts(f)
            )
        rows.append((f.metric, f.period_label, format_value(f.value, f.unit), f.source, conflict))
    if out.isatty():
        from rich.console import Console
        from rich.table import Table

        table = Table("Metric", "Period", "Value", "Source", "Conflict", box=None, header_style="bold")
        for metric, period, value, source, conflict in rows:
            table.add_row(
                metric, period, value, source, f"⚠ {conflict}" if conflict else "", style="yellow" if conflict else None
            )
        Console(file=out, highlight=False, markup=False).print(table)
    else:
        for row in rows:
            out.write("\t".join(row).rstrip("\t") + "\n")
    return EXIT_OK if figures else EXIT_NO_MATCH


COMMANDS = {
    "validate": cmd_validate,
    "check": cmd_check,
    "export": cmd_export,
    "search": cmd_search,
    "show": cmd_show,
    "figures": cmd_figures,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``kztj`` command."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "schema":
        from .schema import json_schema

        sys.stdout.write(json_schema())
        return EXIT_OK
    try:
        try:
            store = open_for(args)
        except StoreError as error:
            for problem in error.problems:
                print(problem, file=sys.stderr)
            return EXIT_ERROR
        if args.command is None:
            from .tui.app import run

            return run(store, event_id=args.event, search=args.search)
        return COMMANDS[args.command](store, args, sys.stdout)
    except QueryError as error:
        print(f"kztj: {error}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); that is not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        return 130
    except OSError as error:
        print(f"kztj: {error.filename or ''}: {error.strerror or error}", file=sys.stderr)
        return EXIT_ERROR


def entry() -> None:
    """Console-script wrapper around main()."""
    sys.exit(main())
