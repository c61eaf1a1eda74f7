"""Run the kztj benchmarks and print a Markdown table: ``python benchmarks/run.py [--quick] [--only NAME]``.

Every comparison runs the kztj command and its baseline in one interleaved loop (A, B, A, B, …), each
run a fresh process, so a change of load on the machine hits both sides alike. Each run is started by
a small process of its own (measure.py), so its peak memory is its own and not this process's. Each cell gives the
median, the fastest run and the spread (interquartile range / median) of its side. Stores are generated into
benchmarks/out/ (100,000 events ≈ 100 MB) and reused; caches and config live in a temporary folder,
never the user's. The table is also written to benchmarks/out/results.md, every raw sample to
benchmarks/out/results.json. These are benchmarks, not tests: the numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import compileall
import datetime
import functools
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"
PY = sys.executable
# What a user runs: the `kztj` script the installer wrote beside this Python (its launcher costs count: pip
# before 25.2 writes one that imports `re`), else `python -m kztj_tui`.
SCRIPT = Path(PY).parent / "kztj"
KZTJ = [str(SCRIPT)] if SCRIPT.is_file() else [PY, "-m", "kztj_tui"]
FLOOR = [PY, str(HERE / "sqlite_floor.py")]
FIRST_FRAME = [PY, str(HERE / "first_frame.py")]
# Every timed command runs under this small process (see measure.py): its peak memory is then its own.
MEASURE = [PY, str(HERE / "measure.py")]
# Words of the generated store (make_store.py) by how many events they are in: 10 events; ~4.6%
# (a word of the quoted article sentences); every event (every summary names both countries).
RARE, FIVE_PERCENT, EVERY = "zircon", "commodity", "kazakhstan"
YAML_EVENT_STREAM = "import sys, yaml\nfor _ in yaml.parse(open(sys.argv[1], 'rb'), Loader=yaml.CSafeLoader): pass"


# --- measuring ----------------------------------------------------------------------------------------


@dataclass
class Side:
    """One side of a comparison: what ran and every timed sample."""

    label: str
    command: list[str] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)  # the largest single process of each run
    cpu_seconds: list[float] = field(default_factory=list)  # the command and the children it reaped
    tree_pss_mb: list[float] = field(default_factory=list)  # whole process tree, when measured
    tree_rss_mb: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def spread(self) -> float:
        """The interquartile range as a fraction of the median: how far apart the middle half of the runs were."""
        if len(self.seconds) < 2 or not self.median:
            return 0.0
        low, _, high = statistics.quantiles(self.seconds, n=4, method="inclusive")
        return (high - low) / self.median

    @property
    def peak_mb(self) -> float:
        return max(self.rss_mb, default=0.0)

    @property
    def tree_peak_mb(self) -> float:
        return max(self.tree_pss_mb, default=0.0)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpu_seconds)

    def cell(self, rss: bool = False, label: bool = True) -> str:
        """Median (fastest run, spread, number of runs), after the label unless told not to."""
        if not self.seconds:
            return self.label
        text = (
            f"{self.label + ' ' if label else ''}{duration(self.median)} "
            f"(min {duration(min(self.seconds))}, IQR {self.spread:.0%}, n={len(self.seconds)})"
        )
        return text + (f", peak {self.peak_mb:.0f} MB" if rss and self.rss_mb else "")


@dataclass
class Row:
    """One line of the table."""

    group: str
    name: str
    ours: Side
    baseline: Side | None
    target: str
    ok: bool | None
    ratio: float | None = None
    ours_cell: str = ""
    baseline_cell: str = ""
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def duration(seconds: float) -> str:
    return (
        f"{seconds:.2f} s"
        if seconds >= 1
        else f"{seconds * 1000:.0f} ms"
        if seconds >= 0.01
        else f"{seconds * 1000:.1f} ms"
    )


def times(ratio: float) -> str:
    """A ratio for the table; a third decimal where two would show a ratio just past 1 as 1.00×."""
    if ratio >= 10:
        return f"{ratio:.0f}×"
    return f"{ratio:.3f}×" if 0.995 <= ratio < 1.005 and ratio != 1 else f"{ratio:.2f}×"


def run_once(
    command: Sequence[str],
    side: Side | None = None,
    stdout: Path | None = None,
    env: dict[str, str] | None = None,
    codes: tuple[int, ...] = (0,),
    tree: bool = False,
) -> float:
    """Run a command in a fresh process; add its wall time, CPU and peak memory to side; return the time.

    It runs under measure.py, which this process starts afresh each time: a child of this process
    (which has generated and read 100 MB stores) would start with this process's peak as its own.
    With ``tree``, the memory of the command and all its children is sampled and summed too.
    """
    with (
        tempfile.TemporaryFile() as errors,
        open(stdout or os.devnull, "wb") as out,
        tempfile.TemporaryDirectory() as folder,
    ):
        report = Path(folder) / "report.json"
        launcher = [*MEASURE, str(report), *(["--tree"] if tree else []), "--", *command]
        launched = subprocess.run(launcher, stdout=out, stderr=errors, env=env, cwd=REPO, check=False)
        result = json.loads(report.read_text(encoding="utf-8")) if launched.returncode == 0 else {"code": None}
        if result["code"] not in codes:
            errors.seek(0)
            message = errors.read().decode(errors="replace")[-2000:]
            raise SystemExit(f"benchmark command failed ({result['code']}): {' '.join(command)}\n{message}")
    if side is not None:
        side.seconds.append(result["seconds"])
        side.rss_mb.append(result["largest_mb"])
        side.cpu_seconds.append(result["cpu_seconds"])
        if tree:
            side.tree_pss_mb.append(result["tree_pss_mb"])
            side.tree_rss_mb.append(result["tree_rss_mb"])
    return float(result["seconds"])


def interleaved(
    sides: Sequence[tuple[Side, Callable[[Side | None], object]]], rounds: int, warm_up: bool = True
) -> None:
    """Run every side once per round, in turn (A, B, A, B, …), after one untimed warm-up run of each.

    Each side's step gets the Side to record into, or None for the warm-up run.
    """
    if warm_up:
        for _, step in sides:
            step(None)
    for _ in range(rounds):
        for side, step in sides:
            step(side)


def command_step(
    command: list[str], stdout: Path | None = None, env: dict[str, str] | None = None, tree: bool = False
) -> Callable[[Side | None], object]:
    """A step that runs one command, for interleaved()."""
    return lambda side: run_once(command, side, stdout=stdout, env=env, tree=tree)


def compare(
    group: str,
    name: str,
    ours: Side,
    baseline: Side,
    limit: float | None,
    target: str,
    rounds: int,
    ours_out: Path | None = None,
    baseline_out: Path | None = None,
) -> Row:
    """Time two commands in one interleaved loop; ok when the ratio of medians is at most limit (if given)."""
    interleaved(
        [(ours, command_step(ours.command, ours_out)), (baseline, command_step(baseline.command, baseline_out))],
        rounds,
    )
    ratio = ours.median / baseline.median
    return Row(group, name, ours, baseline, target, None if limit is None else ratio <= limit, ratio)


def at_most(row: Row, seconds: float) -> None:
    """Judge a row by its own median time instead of its ratio, which is then shown for information."""
    row.ok = row.ours.median <= seconds


def timed_call(function: Callable[[], object]) -> Callable[[Side | None], object]:
    """A step that times one call in this process, for interleaved()."""

    def step(side: Side | None) -> None:
        start = time.perf_counter()
        function()
        if side is not None:
            side.seconds.append(time.perf_counter() - start)

    return step


def warm_with_files(bench: Bench) -> tuple[Path, Any]:
    """The benchmark's store with its cache built, and that cache's files (CacheFiles), for the floor scripts."""
    from kztj_tui.cache import current_files

    store = bench.warm(bench.store())
    files = current_files(store)
    if files is None:
        raise SystemExit(f"no cache for {store} after building it")
    return store, files


def line_count(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


# --- context ------------------------------------------------------------------------------------------


@dataclass
class Bench:
    """What every row needs: sizes, rounds and where things live."""

    events: int
    rounds: int
    slow_rounds: int
    cold_sizes: list[int]
    cold_rounds: dict[int, int]
    scratch: Path
    warmed: set[Path] = field(default_factory=set)

    @property
    def medium_rounds(self) -> int:
        return max(2, self.rounds * 2 // 3)

    @property
    def size(self) -> str:
        return size_label(self.events)

    def store(self, count: int | None = None) -> Path:
        """The generated store of count events (default: --events), made once into benchmarks/out/."""
        count = count or self.events
        path = OUT / f"events-{count}.yaml"
        marker = path.with_suffix(".count")
        if not path.exists() or not marker.exists() or marker.read_text(encoding="utf-8") != str(count):
            subprocess.run([PY, str(HERE / "make_store.py"), str(count), str(path)], check=True, stdout=sys.stderr)
            marker.write_text(str(count), encoding="utf-8")
        return path

    def warm(self, path: Path) -> Path:
        """The store, with its cache built (one untimed run), so "warm" rows never time a build."""
        if path not in self.warmed:
            run_once([*KZTJ, "validate", "--events", str(path)])
            self.warmed.add(path)
        return path

    def copy_store(self, name: str, count: int | None = None) -> Path:
        """A private copy of a generated store (with its articles) that a row may edit."""
        folder = self.scratch / name
        shutil.copytree(OUT / "seeds", folder / "seeds", dirs_exist_ok=True)
        copy = folder / "events.yaml"
        shutil.copyfile(self.store(count), copy)
        return copy


def size_label(count: int) -> str:
    return f"{count // 1000}k" if count % 1000 == 0 else f"{count:,}"


def percent_of(count: int, total: int) -> str:
    return f"{count:,} = {count / total:.2%}" if total else str(count)


# --- rows ---------------------------------------------------------------------------------------------


def bundled_commands(bench: Bench) -> list[Row]:
    """Warm quick commands on the bundled store, each against starting Python and importing yaml."""
    rows = []
    for label, command in [
        ("validate", ["validate"]),
        ("export", ["export"]),
        ("search trade", ["search", "trade"]),
        ("show", ["show", "declaration-allied-interaction"]),
        ("figures", ["figures"]),
    ]:
        ours = Side(f"`kztj {label}`", [*KZTJ, *command])
        floor = Side("`python -c 'import yaml'`", [PY, "-c", "import yaml"])
        rows.append(compare("bundled", f"bundled `kztj {label}` (warm)", ours, floor, 3, "≤ 3×", bench.rounds))
    return rows


def bundled_first_frame(bench: Bench) -> list[Row]:
    """The browser's first frame on the bundled store against a minimal Textual app."""
    run_once([*KZTJ, "validate"])
    ours = Side("kztj", [*FIRST_FRAME, "kztj"])
    floor = Side("minimal Textual app", [*FIRST_FRAME, "minimal"])
    return [compare("first-frame", "bundled TUI first frame (warm)", ours, floor, 1.3, "≤ 1.3×", bench.rounds)]


def search_vs_ripgrep(bench: Bench) -> list[Row]:
    """Warm `kztj search WORD`, printing every match, against `rg -i WORD` on the YAML, for three frequencies."""
    store = bench.warm(bench.store())
    rows = []
    for kind, word in [("rare word", RARE), ("word in ~5% of events", FIVE_PERCENT), ("word in every event", EVERY)]:
        ours_out, rg_out = bench.scratch / "search.out", bench.scratch / "rg.out"
        ours = Side(f"`kztj search {word}`", [*KZTJ, "search", "--events", str(store), word])
        rg = Side(f"`rg -i {word}`", ["rg", "-i", word, str(store)])
        limit = 1.5 if word == EVERY else 1.0  # faster than ripgrep (issue 22); every event: at most 1.5×
        target = f"≤ {limit:g}× rg"
        row = compare(
            "search", f"{bench.size} `kztj search` {kind}", ours, rg, limit, target, bench.rounds, ours_out, rg_out
        )
        matches, lines = line_count(ours_out), line_count(rg_out)
        row.note = f"{word}: {percent_of(matches, bench.events)} events printed; rg prints {lines:,} lines"
        row.extra = {"word": word, "events_printed": matches, "rg_lines": lines}
        rows.append(row)
    return rows


def terminal_step(
    command: list[str], columns: int, pipe: bool, first_rows: list[float]
) -> Callable[[Side | None], object]:
    """A step that runs one command with its stdout on a pty ``columns`` wide (a pipe with ``pipe``), for
    interleaved(): the time until the output ended and the first row came (terminal.py), the peak memory
    (measure.py)."""

    def step(side: Side | None) -> None:
        with tempfile.TemporaryDirectory() as folder:
            report = Path(folder) / "terminal.json"
            measured = Side("")
            runner = [PY, str(HERE / "terminal.py"), str(report), str(columns), *(["--pipe"] if pipe else [])]
            run_once([*runner, "--", *command], measured)
            if side is None:
                return
            result = json.loads(report.read_text(encoding="utf-8"))
            # terminal.py's own time, from the command's spawn: not its own start-up, which measure.py counts.
            side.seconds.append(result["seconds"])
            side.rss_mb += measured.rss_mb
            side.cpu_seconds += measured.cpu_seconds
            first_rows.append(result["first_row"])

    return step


def search_vs_fts(bench: Bench) -> list[Row]:
    """Warm `kztj search WORD` against a bare Python script running the same FTS5 query (≤ 2×): its overhead."""
    store, files = warm_with_files(bench)
    rows = []
    for kind, word in [("rare word", RARE), ("word in ~5% of events", FIVE_PERCENT)]:
        ours_out, floor_out = bench.scratch / "search.out", bench.scratch / "floor.out"
        ours = Side(f"`kztj search {word}`", [*KZTJ, "search", "--events", str(store), word])
        floor = Side("bare FTS5 script", [*FLOOR, "every", str(files.main), str(files.fts), word])
        name = f"{bench.size} `kztj search` {kind}, against its own query"
        row = compare("search-floor", name, ours, floor, 2.0, "≤ 2×", bench.rounds, ours_out, floor_out)
        row.note = f"both print {line_count(ours_out):,} and {line_count(floor_out):,} lines"
        rows.append(row)
    return rows


def search_table(bench: Bench) -> list[Row]:
    """`kztj search WORD` drawing its table on a 120-column pseudo-terminal against the same search piped
    (≤ 2×): the whole output, and the first row against the first piped line (as fast)."""
    store, files = warm_with_files(bench)
    rows = []
    for kind, word in [("word in ~5% of events", FIVE_PERCENT), ("word in every event", EVERY)]:
        command = [*KZTJ, "search", "--events", str(store), word]
        table = Side(f"`kztj search {word}` on a terminal", command)
        piped = Side(f"`kztj search {word}` piped", command)
        # What no table can beat: a bare script reading the same highlighted matches, on the same terminal.
        floor_command = [*FLOOR, "highlighted", str(files.main), str(files.fts), word]
        floor = Side("bare script of its highlight query, on a terminal", floor_command)
        table_first: list[float] = []
        piped_first: list[float] = []
        interleaved(
            [
                (table, terminal_step(command, 120, False, table_first)),
                (piped, terminal_step(command, 120, True, piped_first)),
                (floor, terminal_step(floor_command, 120, False, [])),
            ],
            bench.medium_rounds,
        )
        name = f"{bench.size} `kztj search` table for a terminal, {kind}"
        ratio = table.median / piped.median
        row = Row("terminal", name, table, piped, "≤ 2× piped, memory flat", ratio <= 2.0, ratio)
        row.note = (
            f"peak {table.peak_mb:.0f} MB against {piped.peak_mb:.0f} MB piped; a bare script running only"
            f" the table's highlight query takes {times(floor.median / piped.median)} the piped search"
        )
        rows.append(row)
        rows.append(
            Row(
                "terminal",
                f"{bench.size} `kztj search` table for a terminal, {kind}, against its highlight query",
                table,
                floor,
                "for information: the floor",
                None,
                table.median / floor.median,
            )
        )
        first, first_piped = statistics.median(table_first), statistics.median(piped_first)
        first_ratio = first / first_piped
        rows.append(
            Row(
                "terminal",
                f"{bench.size} `kztj search` first row on a terminal, {kind}",
                table,
                piped,
                "≤ 1.1× the first piped line",
                first_ratio <= 1.1,
                first_ratio,
                ours_cell=f"first row {duration(first)} (min {duration(min(table_first))}, n={len(table_first)})",
                baseline_cell=f"first piped line {duration(first_piped)} (min {duration(min(piped_first))})",
            )
        )
    return rows


def search_limit_vs_fts(bench: Bench) -> list[Row]:
    """`kztj search WORD --limit 20` against a plain FTS5 query of the same cache, both fresh processes."""
    store, files = warm_with_files(bench)
    ours = Side(f"`kztj search {EVERY} --limit 20`", [*KZTJ, "search", "--events", str(store), EVERY, "--limit", "20"])
    floor = Side("plain FTS5 script", [*FLOOR, "top", str(files.main), str(files.fts), EVERY, "20"])
    name = f"{bench.size} `kztj search --limit 20`, word in every event"
    ours_out, floor_out = bench.scratch / "limit.out", bench.scratch / "floor.out"
    row = compare("limit", name, ours, floor, 1.5, "≤ 1.5×", bench.rounds, ours_out, floor_out)
    row.note = f"both print {line_count(ours_out)} and {line_count(floor_out)} lines (date, id, title)"
    return [row]


def search_filtered(bench: Bench) -> list[Row]:
    """Warm `kztj search` with a filter against the same search without one, both on the full command line:
    what a filter adds (no list SQLite builds over and over, no count of every tag)."""
    store = bench.warm(bench.store())
    rows = []
    for label, filtered in [("--tag trade", ["--tag", "trade"]), ("-trade (a word against)", ["-trade"])]:
        # --sort date is the default order; it only keeps the plain search on the same path (cli, not quick).
        plain = Side(
            f"`kztj search {RARE} --sort date`", [*KZTJ, "search", "--events", str(store), RARE, "--sort", "date"]
        )
        ours = Side(
            f"`kztj search {RARE} {label.split()[0]}`",
            [*KZTJ, "search", "--events", str(store), RARE, "--sort", "date", *filtered],
        )
        name = f"{bench.size} `kztj search` rare word with {label}"
        ours_out, plain_out = bench.scratch / "filtered.out", bench.scratch / "plain.out"
        row = compare("filtered", name, ours, plain, 1.25, "≤ 1.25× no filter", bench.rounds, ours_out, plain_out)
        row.note = f"{line_count(ours_out)} of {line_count(plain_out)} lines kept"
        rows.append(row)
    return rows


def export_formats(bench: Bench) -> list[Row]:
    """Every warm export format to /dev/null (≤ 1.5 s and ≤ 2× reading the cached rows); then Markdown's peak memory."""
    from kztj_tui.formats import FORMATS

    store, files = warm_with_files(bench)
    rows = []
    for fmt in FORMATS:
        side = Side(f"`kztj export --format {fmt}`", [*KZTJ, "export", "--events", str(store), "--format", fmt])
        floor = Side("reading the cached rows", [*FLOOR, "rows", str(files.main), str(files.fts)])
        name = f"{bench.size} `kztj export` {fmt} (warm)"
        row = compare("export", name, side, floor, 2.0, "≤ 1.5 s, ≤ 2× rows", bench.medium_rounds)
        row.ok = side.median <= 1.5 and (row.ratio or 0) <= 2.0
        rows.append(row)
    ours = next(row.ours for row in rows if "markdown" in row.name)
    # Memory flat: the peak RSS of exporting this store against exporting a tenth of it.
    small_count = max(1000, bench.events // 10)
    small = bench.warm(bench.store(small_count))
    small_side = Side(f"{size_label(small_count)} export", [*KZTJ, "export", "--events", str(small)])
    interleaved([(small_side, command_step(small_side.command))], max(1, bench.rounds // 3), warm_up=False)
    growth = ours.peak_mb / small_side.peak_mb
    rows.append(
        Row(
            "export",
            f"{bench.size} `kztj export` peak RSS (memory flat)",
            ours,
            small_side,
            "flat (≤ 1.5×)",
            growth <= 1.5,
            growth,
            ours_cell=f"peak {ours.peak_mb:.0f} MB",
            baseline_cell=f"{size_label(small_count)}-event export peak {small_side.peak_mb:.0f} MB",
        )
    )
    return rows


def check_store(bench: Bench) -> list[Row]:
    """Warm `kztj check` of the whole store, against libyaml's event stream of its file: for information.

    A check reads every event and places each finding at its line and column, so it parses the YAML text.
    """
    store = bench.warm(bench.store())
    ours = Side("`kztj check`", [*KZTJ, "check", "--events", str(store)])
    floor = Side("libyaml event stream", [PY, "-c", YAML_EVENT_STREAM, str(store)])

    def check(side: Side | None) -> None:
        run_once(ours.command, side, codes=(0, 1))  # 1: it found warnings

    interleaved([(ours, check), (floor, command_step(floor.command))], bench.slow_rounds, warm_up=False)
    return [
        Row(
            "check",
            f"{bench.size} `kztj check` (warm)",
            ours,
            floor,
            "for information",
            None,
            ours.median / floor.median,
            ours_cell=f"{ours.cell(label=False)}, peak {ours.peak_mb:.0f} MB",
        )
    ]


# Wall seconds and megabytes of the whole process tree (PSS: the parse and index children included).
COLD_LIMITS = {100_000: (6.0, 450.0), 300_000: (20.0, 1200.0)}
COLD_CPU_RATIO = 2.5  # CPU time against libyaml's event stream


def cold_first_load(bench: Bench) -> list[Row]:
    """`kztj validate` with an empty cache folder each run: time, CPU and the whole tree's peak memory, against libyaml.

    libyaml's event stream is the floor: it only tokenises the file, in C, in one process.
    """
    rows = []
    for count in bench.cold_sizes:
        store = bench.store(count)

        def cold(side: Side | None, store: Path = store) -> None:
            # No warm-up and a fresh cache folder every run: an empty cache is the point.
            cache = Path(tempfile.mkdtemp(prefix="cold-", dir=bench.scratch))
            try:
                run_once(
                    [*KZTJ, "validate", "--events", str(store)],
                    side,
                    env={**os.environ, "KZTJ_CACHE_DIR": str(cache)},
                    tree=True,
                )
            finally:
                shutil.rmtree(cache, ignore_errors=True)

        ours = Side("`kztj validate`, empty cache", [*KZTJ, "validate", "--events", str(store)])
        floor = Side("libyaml event stream", [PY, "-c", YAML_EVENT_STREAM, str(store)])
        interleaved([(ours, cold), (floor, command_step(floor.command))], bench.cold_rounds[count], warm_up=False)
        limits = COLD_LIMITS.get(count)
        ratio = ours.median / floor.median
        cpu_ratio = ours.cpu / floor.cpu
        if limits:
            seconds, megabytes = limits
            target = f"≤ {seconds:g} s, ≤ {megabytes:g} MB, CPU ≤ {COLD_CPU_RATIO:g}× libyaml's"
            ok: bool | None = ours.median <= seconds and ours.tree_peak_mb <= megabytes and cpu_ratio <= COLD_CPU_RATIO
        else:
            target, ok = "no target", None
        size_mb = store.stat().st_size / 1e6
        rows.append(
            Row(
                "cold",
                f"{size_label(count)} cold first load ({size_mb:.0f} MB YAML)",
                ours,
                floor,
                target,
                ok,
                ratio,
                ours_cell=(
                    f"{ours.cell(label=False)}, whole tree peak {ours.tree_peak_mb:.0f} MB "
                    f"(largest process {ours.peak_mb:.0f} MB), CPU {duration(ours.cpu)} = {times(cpu_ratio)} libyaml's"
                ),
                baseline_cell=f"{floor.cell()}, CPU {duration(floor.cpu)}",
                note=(
                    "memory of the process tree (kztj and the children it forks to parse and to index), measured "
                    "in a fresh process (benchmarks/measure.py): the peak of its PSS summed over the tree, sampled "
                    "every 10 ms or more (a page shared by a child and its parent counts once; a shorter peak "
                    "can be missed); the sum of RSS, which counts a shared page once per process sharing it, "
                    f"peaked at {max(ours.tree_rss_mb):.0f} MB; CPU is user + system of the whole tree"
                ),
                extra={"cpu_ratio": cpu_ratio},
            )
        )
    return rows


def cache_size(bench: Bench) -> list[Row]:
    """The cache folder's files on disk against the YAML they describe."""
    from kztj_tui.cache import cache_folder, current_files

    store = bench.warm(bench.store())
    folder = cache_folder(store)
    total = sum(path.stat().st_size for path in folder.iterdir() if path.is_file())
    files = current_files(store)
    parts = {} if files is None else {kind: getattr(files, kind).stat().st_size for kind in ("main", "fts")}
    yaml_size = store.stat().st_size
    ratio = total / yaml_size
    split = ", ".join(f"{kind} {size / 1e6:.0f} MB" for kind, size in parts.items())
    return [
        Row(
            "cache-size",
            f"{bench.size} cache on disk",
            Side("cache folder"),
            Side("YAML"),
            "≤ 1.5×",
            ratio <= 1.5,
            ratio,
            ours_cell=f"{total / 1e6:.0f} MB ({split})",
            baseline_cell=f"the YAML {yaml_size / 1e6:.0f} MB",
            extra={"cache_bytes": total, "yaml_bytes": yaml_size, "parts": parts},
        )
    ]


def event_block(text: bytes, index: int) -> tuple[int, int]:
    """Start and end offsets of generated event number index in the YAML text."""
    start = text.index(b"\n- id: event-%06d\n" % index) + 1
    end = text.index(b"\n- ", start) + 1
    return start, end


def incremental_reload(bench: Bench) -> list[Row]:
    """`kztj search` right after editing one event of a built store: a title, an insert, a delete.

    The edits alternate (title A→B→A…, insert then delete) so every run starts from the state the
    cache was built for, one edit away. The baseline is the same search with nothing changed.
    """
    store = bench.copy_store("incremental")
    search = [*KZTJ, "search", "--events", str(store), RARE]
    out = bench.scratch / "incremental.out"
    run_once(search, stdout=out)  # builds the cache
    matches = line_count(out)
    # Every (count // 10)th generated event carries the rare word: edit one of them, in the middle,
    # so each search's output shows whether kztj saw the edit (a fast but stale answer is an error).
    edited = (bench.events // 10 or 1) * 5
    text = store.read_bytes()
    start, end = event_block(text, edited)
    title_at = text.index(b"\n  title: Officials ", start) + len(b"\n  title: ")
    inserted = text[start:end].replace(b"- id: event-%06d\n" % edited, b"- id: event-bench-inserted\n", 1)
    del text
    titles = [b"Ministers", b"Officials"]  # same length: the edit rewrites nine bytes in place

    def search_sees(side: Side | None, lines: int, title: bytes) -> None:
        run_once(search, side, stdout=out)
        printed = out.read_bytes()
        if printed.count(b"\n") != lines or f"{title.decode()} ".encode() not in printed:
            raise SystemExit(f"kztj search missed an edit of {store}: expected {lines} lines with {title!r}")

    def edit_title(side: Side | None) -> None:
        with store.open("r+b") as handle:
            handle.seek(title_at)
            handle.write(titles[0])
        titles.reverse()
        search_sees(side, matches, titles[1])

    def insert_event(side: Side | None) -> None:
        with store.open("r+b") as handle:
            handle.seek(end)
            tail = handle.read()
            handle.seek(end)
            handle.write(inserted + tail)
        search_sees(side, matches + 1, titles[1])

    def delete_event(side: Side | None) -> None:
        with store.open("r+b") as handle:
            handle.seek(end + len(inserted))
            tail = handle.read()
            handle.seek(end)
            handle.write(tail)
            handle.truncate()
        search_sees(side, matches, titles[1])

    title, insert, delete = (
        Side(f"`kztj search {RARE}` after {what}") for what in ("a title edit", "an insert", "a delete")
    )
    unchanged = Side(f"`kztj search {RARE}`, nothing changed", search)
    interleaved(
        [(title, edit_title), (unchanged, command_step(search, out)), (insert, insert_event), (delete, delete_event)],
        bench.slow_rounds,
        warm_up=False,
    )
    rows = []
    for side, what in [(title, "edit one title"), (insert, "insert one event"), (delete, "delete that event")]:
        side.command = search
        name = f"{bench.size} incremental reload: {what}, then `kztj search`"
        rows.append(Row("incremental", name, side, unchanged, "≤ 1.5 s", side.median <= 1.5))
    return rows


def live_reload(bench: Bench) -> list[Row]:
    """The browser's reload after a save, measured by benchmarks/live_reload.py (one JSON line) if present."""
    script = HERE / "live_reload.py"
    name = f"{bench.size} live reload in the browser (save → shown)"
    if not script.exists():
        missing = "not measured (benchmarks/live_reload.py missing)"
        return [Row("live-reload", name, Side(missing), None, "≤ 1 s", None)]
    store = bench.copy_store("live")
    side = Side("live_reload.py", [PY, str(script), str(store)])
    result = subprocess.run(side.command, capture_output=True, text=True, cwd=REPO, check=False)
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        failed = f"failed (exit {result.returncode}): {result.stderr.strip()[-200:]}"
        return [Row("live-reload", name, Side(failed), None, "≤ 1 s", False)]
    report = json.loads(lines[-1])
    seconds = latency_seconds(report)
    summary = ", ".join(f"{key} {value}" for key, value in report.items() if not isinstance(value, list | dict))
    ok = None if seconds is None else seconds <= 1
    return [Row("live-reload", name, side, None, "≤ 1 s", ok, ours_cell=summary, extra={"report": report})]


def latency_seconds(report: dict[str, Any]) -> float | None:
    """The median latency in a live_reload.py report, whichever of the usual names and units it uses."""
    for key, value in report.items():
        if isinstance(value, int | float) and ("median" in key or "p50" in key):
            return value / 1000 if key.endswith("ms") else float(value)
    return None


def big_first_frame(bench: Bench) -> list[Row]:
    """The browser's first frame on the big store (warm) against a minimal Textual app."""
    store = bench.warm(bench.store())
    ours = Side("kztj", [*FIRST_FRAME, "kztj", "--events", str(store)])
    floor = Side("minimal Textual app", [*FIRST_FRAME, "minimal"])
    row = compare(
        "first-frame-big", f"{bench.size} TUI first frame (warm)", ours, floor, None, "≤ 1.0 s", bench.medium_rounds
    )
    at_most(row, 1.0)
    row.ours_cell = ours.cell(rss=True, label=False)
    return [row]


def engine_vs_scan(bench: Bench) -> list[Row]:
    """In one process: the engine's BM25 top 20 + count against a linear scan of the loaded events."""
    from kztj_tui.cache import open_store
    from kztj_tui.model import Filters

    store = open_store(bench.warm(bench.store()))
    texts = [
        " ".join([e.title, e.summary, *(c.quote for c in e.sources), *e.tags]).lower() for e in store.iter_events()
    ]
    rows = []
    for label, words in [("rare word", [RARE]), ("common words", ["wheat", "dushanbe", '"direct flights"'])]:
        engine, scan = Side("engine"), Side("naive linear scan")
        for word in words:
            query = functools.partial(store.search, Filters(query=word), sort="relevance", limit=20)
            linear = functools.partial(scan_for, texts, word.strip('"'))
            interleaved([(engine, timed_call(query)), (scan, timed_call(linear))], bench.rounds)
        speedup = scan.median / engine.median
        name = f"{bench.size} engine query, {label} (BM25 top 20 + count)"
        rows.append(Row("engine", name, engine, scan, f"{times(speedup)} as fast as the scan", None))
    return rows


def scan_for(texts: list[str], needle: str) -> list[int]:
    """The events whose lower-cased text contains needle, as a store without an index would find them."""
    return [i for i, text in enumerate(texts) if needle in text]


def typing_latency(bench: Bench) -> list[Row]:
    """In one process: keystroke → new rows, and the longest the UI thread is blocked while typing."""
    store = bench.warm(bench.store())
    rows = []
    for label, words, target, limit in [
        ("selective words", ["zircon", "rogun", "tokaev", "avicenna"], "p95 ≤ 50 ms", 0.05),
        ("words matching ⅓–all events", ["wheat", "kazakhstan", "trade"], "typing never blocks (worker)", None),
    ]:
        side = Side("keystroke → rows", seconds=keystroke_latency(store, words))
        p95 = percentile(side.seconds, 0.95)
        rows.append(
            Row(
                "typing",
                f"{bench.size} TUI keystroke → new rows, {label}",
                side,
                None,
                target,
                None if limit is None else p95 <= limit,
                ours_cell=f"p50 {duration(side.median)}, p95 {duration(p95)} (n={len(side.seconds)})",
                baseline_cell="typing throttle 30 ms (first key searches at once)",
            )
        )
    walls, cpu, what = ui_blocked(store, ["zircon", "wheat", "dushanbe", "kazakhstan trade", "avicenna"])
    side = Side("UI callbacks", seconds=walls)
    longest = max(walls)
    rows.append(
        Row(
            "typing",
            f"{bench.size} TUI: longest the UI thread is blocked while typing",
            side,
            None,
            "≤ 16 ms",
            longest <= 0.016,
            ours_cell=f"{duration(longest)} (p99 {duration(percentile(walls, 0.99))}; its own CPU ≤ {duration(cpu)})",
            baseline_cell="one frame at 60 Hz: 16 ms",
            note=f"longest: {what}",
        )
    )
    return rows


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, int(len(ordered) * fraction) - 1)]


def keystroke_latency(path: Path, words: list[str]) -> list[float]:
    """Seconds from a keystroke reaching the search box to the timeline holding the new results.

    Measured inside the app (Pilot's own key handling takes ~100 ms, which no user waits
    for): from the moment Textual creates Input.Changed for a key to the end of the handler
    that sets the new rows. The repaint follows on the next frame.
    """
    import asyncio

    from textual.widgets import Input

    from kztj_tui.cache import open_store
    from kztj_tui.tui import main as main_screen
    from kztj_tui.tui.app import KztjApp

    typed: dict[str, float] = {}
    samples: list[float] = []
    original_init = Input.Changed.__init__
    original_finished = main_screen.MainScreen.on_search_finished

    def changed(self, input, value, validation_result=None):  # type: ignore[no-untyped-def]
        typed[value] = time.perf_counter()
        original_init(self, input, value, validation_result)

    def finished(self, message):  # type: ignore[no-untyped-def]
        original_finished(self, message)
        start = typed.pop(message.result.request.filters.query, None)
        if start is not None:
            samples.append(time.perf_counter() - start)

    Input.Changed.__init__ = changed  # type: ignore[method-assign]
    main_screen.MainScreen.on_search_finished = finished  # type: ignore[method-assign]

    async def measure() -> None:
        app = KztjApp(open_store(path))
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await pilot.press("slash")
            for word in words:
                for char in word:
                    await pilot.press(char)
                    await app.workers.wait_for_complete()
                    await pilot.pause(0.05)
                await pilot.press("ctrl+u")
                await app.workers.wait_for_complete()
                await pilot.pause(0.1)

    try:
        asyncio.run(measure())
    finally:
        Input.Changed.__init__ = original_init  # type: ignore[method-assign]
        main_screen.MainScreen.on_search_finished = original_finished  # type: ignore[method-assign]
    return samples


def ui_blocked(path: Path, words: list[str], interval: float = 0.08) -> tuple[list[float], float, str]:
    """How long the UI thread is busy with one thing at a time while the user types.

    Every callback the app's event loop runs (handling a key or a message, a repaint, a timer)
    is timed by frame_time.py's probe, which wraps asyncio's Handle._run: while one runs, the UI
    cannot react. Words are typed a key every ``interval`` seconds, as a quick typist would, with
    the search worker running meanwhile. Returns every callback's wall time, the longest CPU time
    of the UI thread itself in one callback (wall time minus waiting for a core or for the GIL),
    and what the longest callback was.
    """
    import asyncio

    from frame_time import Probe, instrumented
    from textual import events

    from kztj_tui.cache import open_store
    from kztj_tui.tui.app import KztjApp

    probe = Probe()

    async def measure() -> None:
        app = KztjApp(open_store(path))
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause(0.5)
            await pilot.press("slash")
            await pilot.pause(0.5)  # focusing the box redraws the footer: not typing yet
            probe.start()
            for word in words:
                for char in word:
                    app.post_message(events.Key(char, char))
                    await asyncio.sleep(interval)
                await asyncio.sleep(0.3)
                app.post_message(events.Key("ctrl+u", None))
                await asyncio.sleep(0.3)
            probe.stop()

    with instrumented(probe):
        asyncio.run(measure())
    samples = probe.callbacks
    if os.environ.get("KZTJ_BENCH_VERBOSE"):
        for callback in sorted(samples, key=lambda callback: callback.wall)[-10:]:
            wall, cpu = callback.wall * 1000, callback.cpu * 1000
            print(f"    {wall:6.1f} ms wall, {cpu:6.1f} ms CPU  {callback.name}", file=sys.stderr)
    longest = max(samples, key=lambda callback: callback.wall)
    return [callback.wall for callback in samples], max(callback.cpu for callback in samples), longest.name


FRAME_TARGET = 0.004  # seconds of kztj's own work on the UI thread per frame (issue 19)
FRAME_RUNS = 3


def frame_time(bench: Bench) -> list[Row]:
    """kztj's own work per frame while scrolling and typing: frame_time.py, three times, a fresh process each.

    Each scenario is judged by its run with the median maximum; the cell gives every run's maximum.
    """
    store = bench.warm(bench.store())
    runs: dict[str, list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "frames.json"
        for _ in range(FRAME_RUNS):
            subprocess.run([PY, str(HERE / "frame_time.py"), str(store), "--json", str(out)], check=True, cwd=REPO)
            for found in json.loads(out.read_text(encoding="utf-8"))["scenarios"]:
                runs.setdefault(found["name"], []).append(found)
    scenarios = []
    for found_runs in runs.values():
        middle = sorted(found_runs, key=lambda found: found["ours_max"])[(len(found_runs) - 1) // 2]
        scenarios.append({**middle, "runs_max": [found["ours_max"] for found in found_runs]})
    rows = []
    for scenario in scenarios:
        side = Side("kztj per frame", seconds=[scenario["ours_max"]])
        worst = ", ".join(f"{name} {duration(seconds)}" for name, seconds in scenario["worst_frame"][:3])
        worst += f" (garbage collection in kztj's code: {duration(scenario['worst_frame_gc'])})"
        rows.append(
            Row(
                "frames",
                f"{bench.size} TUI frame, {scenario['name']}: the UI thread's CPU time in kztj's code",
                side,
                None,
                f"≤ {FRAME_TARGET * 1000:.0f} ms per frame",
                scenario["ours_max"] <= FRAME_TARGET,
                ours_cell=(
                    f"max {duration(scenario['ours_max'])} (median of "
                    f"{', '.join(duration(seconds) for seconds in scenario['runs_max'])}), "
                    f"p99 {duration(scenario['ours_p99'])}, "
                    f"p50 {duration(scenario['ours_p50'])} ({scenario['busy_frames']} frames, {scenario['keys']} keys; "
                    f"wall max {duration(scenario['ours_wall_max'])})"
                ),
                baseline_cell=(
                    f"whole frame, Textual included: CPU max {duration(scenario['frame_max'])}, "
                    f"p99 {duration(scenario['frame_p99'])}"
                ),
                note=f"slowest frame: {worst}",
                extra=scenario,
            )
        )
    return rows


# Every group of rows, in the order they run; --only takes these names. The in-process rows come last
# (they load Textual and the whole store into this process).
GROUPS: dict[str, Callable[[Bench], list[Row]]] = {
    "bundled": bundled_commands,
    "first-frame": bundled_first_frame,
    "search": search_vs_ripgrep,
    "search-floor": search_vs_fts,
    "limit": search_limit_vs_fts,
    "filtered": search_filtered,
    "export": export_formats,
    "check": check_store,
    "terminal": search_table,
    "cache-size": cache_size,
    "first-frame-big": big_first_frame,
    "incremental": incremental_reload,
    "live-reload": live_reload,
    "cold": cold_first_load,
    "engine": engine_vs_scan,
    "typing": typing_latency,
    "frames": frame_time,
}


def warm_peak_rss(rows: list[Row], events: int) -> list[Row]:
    """One row for the largest peak RSS of the warm commands on the big store, when they ran."""
    warm = [row for row in rows if row.group in ("search", "limit", "export", "first-frame-big") and row.ours.rss_mb]
    if not warm:
        return []
    peak = max(warm, key=lambda row: row.ours.peak_mb)
    return [
        Row(
            "peak-rss",
            f"{size_label(events)} peak RSS, warm (search, export, TUI)",
            peak.ours,
            None,
            "≤ 500 MB",
            peak.ours.peak_mb <= 500,
            ours_cell=f"{peak.ours.peak_mb:.0f} MB ({peak.name})",
        )
    ]


# --- report -------------------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO)
    rg = subprocess.run(["rg", "--version"], capture_output=True, text=True) if shutil.which("rg") else None
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "python": platform.python_version(),
        "os": platform.platform(),
        "sqlite": sqlite3.sqlite_version,
        "ripgrep": rg.stdout.split("\n", 1)[0] if rg else "missing",
        "launcher": launcher(),
        "commit": commit.stdout.strip() or "unknown",
        "date": datetime.datetime.now().astimezone().isoformat(timespec="minutes"),
    }


def launcher() -> str:
    """How the benchmark starts kztj: the installed script, and whether its launcher imports ``re``."""
    if KZTJ[0] != str(SCRIPT):
        return "python -m kztj_tui"
    imports_re = any(line.strip() == "import re" for line in SCRIPT.read_text(encoding="utf-8").splitlines())
    return f"the installed kztj script ({'imports re: pip before 25.2' if imports_re else 'no re'})"


def table(rows: list[Row]) -> list[str]:
    lines = [
        "| benchmark | kztj (median, spread) | baseline (median, spread) | ratio / target | ok? |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        ours = row.ours_cell or row.ours.cell(label=False)  # the benchmark's name says what ran
        baseline = row.baseline_cell or (row.baseline.cell() if row.baseline else "—")
        target = row.target if row.ratio is None else f"{times(row.ratio)} / {row.target}"
        ok = "—" if row.ok is None else "ok" if row.ok else "MISS"
        lines.append(f"| {row.name} | {ours} | {baseline} | {target} | {ok} |")
    return lines


def report(
    rows: list[Row], info: dict[str, str], loads: dict[str, tuple[float, float]], args: argparse.Namespace
) -> str:
    notes = [row for row in rows if row.note]
    text = [
        f"Machine: {info['cpu']}, {info['cores']} cores, Python {info['python']}, {info['os']}, "
        f"SQLite {info['sqlite']}, {info['ripgrep']}; kztj {info['commit']}, run as {info['launcher']}; "
        f"{info['date']}.",
        f"Store: {args.events:,} generated events (benchmarks/make_store.py). Every cell: median "
        "(fastest run, IQR = interquartile range / median, n = runs); kztj and its baseline ran interleaved.",
        "",
        *table(rows),
        "",
        "Notes:",
        *(f"- {row.name}: {row.note}" for row in notes),
        "- load average (1 min) before → after each group: "
        + "; ".join(f"{group} {before:.2f} → {after:.2f}" for group, (before, after) in loads.items()),
    ]
    return "\n".join(text) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=100_000, help="size of the generated store (default 100,000)")
    parser.add_argument("--quick", action="store_true", help="fewer rounds, and no 300k cold load")
    parser.add_argument("--rounds", type=int, help="rounds of the fast comparisons (default 7, --quick 3)")
    parser.add_argument(
        "--cold-sizes", help="comma-separated store sizes for the cold load (default 10000,EVENTS,300000)"
    )
    parser.add_argument("--only", action="append", choices=list(GROUPS), help="run only this group (repeatable)")
    args = parser.parse_args()
    rounds = args.rounds or (3 if args.quick else 7)
    if args.cold_sizes:
        cold_sizes = sorted({int(size) for size in args.cold_sizes.split(",")})
    else:
        cold_sizes = sorted({10_000, args.events} | (set() if args.quick else {300_000}))
    # The slowest load runs once (twice without --quick at 100k and below): it takes about a minute at 300k.
    cold_rounds = {size: 1 if args.quick or size > 100_000 else 2 for size in cold_sizes}

    OUT.mkdir(exist_ok=True)
    # An installed kztj has its bytecode compiled (pip does it); a checkout run with
    # PYTHONDONTWRITEBYTECODE=1 would compile every module on every run, ~100 ms of a start-up.
    compileall.compile_dir(REPO / "kztj_tui", quiet=1)
    scratch = Path(tempfile.mkdtemp(prefix="kztj-bench-"))
    # Children inherit these: no run reads or writes the user's cache, config or chosen store.
    os.environ.update(
        {"KZTJ_CACHE_DIR": str(scratch / "cache"), "KZTJ_CONFIG_DIR": str(scratch / "config"), "PYTHONPATH": str(REPO)}
    )
    os.environ.pop("KZTJ_EVENTS", None)
    bench = Bench(args.events, rounds, max(1, rounds // 2), cold_sizes, cold_rounds, scratch)
    rows: list[Row] = []
    loads: dict[str, tuple[float, float]] = {}
    try:
        for name, group in GROUPS.items():
            if args.only and name not in args.only:
                continue
            print(f"{name}…", file=sys.stderr, flush=True)
            before = os.getloadavg()[0]
            found = group(bench)
            loads[name] = (before, os.getloadavg()[0])
            for row in found:
                print(f"  {table([row])[-1]}", file=sys.stderr, flush=True)
            rows += found
        rows += warm_peak_rss(rows, args.events)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    info = machine()
    text = report(rows, info, loads, args)
    print("\n" + text)
    (OUT / "results.md").write_text(text, encoding="utf-8")
    raw = {"machine": info, "args": vars(args), "load_average_1min": loads, "rows": [asdict(row) for row in rows]}
    (OUT / "results.json").write_text(json.dumps(raw, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
