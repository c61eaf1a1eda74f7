"""Run every kztj benchmark and print a Markdown table: ``python benchmarks/run.py``.

Generates a 100,000-event store (benchmarks/out/, ~100 MB) the first time. Times are medians of
repeated runs of real processes; ratios are against a floor (ripgrep, ``python -c "import yaml"``,
a minimal Textual app). These are benchmarks, not tests: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import functools
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"
BIG = OUT / "big.yaml"
SMALL = OUT / "k1.yaml"
PY = sys.executable
KZTJ = [PY, "-m", "kztj_tui"]
RARE = "zircon"


def run(command: list[str], env: dict[str, str] | None = None, stdout: int | None = subprocess.DEVNULL) -> None:
    subprocess.run(command, check=True, stdout=stdout, stderr=subprocess.DEVNULL, env=env, cwd=REPO)


def timed(
    command: list[str], env: dict[str, str] | None = None, repeat: int = 5, warm_up: bool = True
) -> tuple[float, float]:
    """Median wall seconds and peak RSS (MB) of a command, after one warm-up run unless told not to."""
    wrapper = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    times, peaks = [], []
    for attempt in range(repeat + int(warm_up)):
        result = subprocess.run([PY, "-c", wrapper, *command], capture_output=True, text=True, env=env, cwd=REPO)
        if result.returncode != 0:
            raise SystemExit(f"benchmark command failed: {' '.join(command)}\n{result.stderr}")
        seconds, rss_kb = result.stdout.split()
        if attempt or not warm_up:
            times.append(float(seconds))
            peaks.append(int(rss_kb) / 1024)
    return statistics.median(times), max(peaks)


def env_with(cache: Path) -> dict[str, str]:
    return {**os.environ, "KZTJ_CACHE_DIR": str(cache), "PYTHONPATH": str(REPO)}


def ensure_stores(count: int) -> None:
    """Generate the big store unless one of this size is already there."""
    marker = BIG.with_suffix(".count")
    if not BIG.exists() or not marker.exists() or marker.read_text(encoding="utf-8") != str(count):
        run([PY, str(HERE / "make_store.py"), str(count), str(BIG)], stdout=None)
        marker.write_text(str(count), encoding="utf-8")
    if not SMALL.exists():
        run([PY, str(HERE / "make_store.py"), "1000", str(SMALL)], stdout=None)


@functools.cache
def _scan_texts() -> list[str]:
    import yaml

    data = yaml.load(BIG.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    return [
        " ".join([e["title"], e["summary"], *(c["quote"] for c in e["sources"]), *e["tags"]]).lower()
        for e in data["events"]
    ]


def naive_scan_ms(words: list[str]) -> float:
    """A linear scan over the loaded events (lower-cased text), as a store without an index would do."""
    texts = _scan_texts()
    samples = []
    for word in words:
        for _ in range(5):
            start = time.perf_counter()
            [i for i, text in enumerate(texts) if word in text]
            samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def keystroke_latency_ms(words: list[str]) -> tuple[float, float]:
    """p50/p95 from a keystroke reaching the search box to the timeline holding the new results.

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
        app = KztjApp(open_store(BIG))
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
    samples.sort()
    return statistics.median(samples) * 1000, samples[max(0, int(len(samples) * 0.95) - 1)] * 1000


def ui_blocked_ms(words: list[str], interval: float = 0.08) -> tuple[float, float, float, str]:
    """How long the UI thread is busy with one thing at a time while the user types.

    Every callback the app's event loop runs (handling a key or a message, a repaint, a timer)
    is timed by wrapping asyncio's Handle._run: while one runs, the UI cannot react. Words are
    typed a key every ``interval`` seconds, as a quick typist would, on the 100,000-event store,
    with the search worker running meanwhile. Returns the longest wall time, its 99th percentile,
    the longest CPU time of the UI thread itself in one callback (wall time minus waiting for a
    core or for the GIL), and what the longest callback was.
    """
    import asyncio

    from textual import events

    from kztj_tui.cache import open_store
    from kztj_tui.tui.app import KztjApp

    samples: list[tuple[float, float, str]] = []
    recording = False
    original_run = asyncio.events.Handle._run

    def timed_run(self):  # type: ignore[no-untyped-def]
        start, cpu = time.perf_counter(), time.thread_time()
        try:
            return original_run(self)
        finally:
            if recording:
                wall, used = time.perf_counter() - start, time.thread_time() - cpu
                owner = getattr(self._callback, "__self__", None)
                coro = owner.get_coro() if isinstance(owner, asyncio.Task) else None
                name = getattr(coro, "__qualname__", repr(self)[:120])
                timer = getattr(getattr(coro, "cr_frame", None), "f_locals", {}).get("self")
                callback = getattr(timer, "_callback", None)
                if callback is not None:  # say which timer: a repaint, a throttled search…
                    name += f" {getattr(callback, '__qualname__', callback)!s:.60}"
                samples.append((wall, used, name))

    async def measure() -> None:
        nonlocal recording
        app = KztjApp(open_store(BIG))
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause(0.5)
            await pilot.press("slash")
            await pilot.pause(0.5)  # focusing the box redraws the footer: not typing yet
            recording = True
            for word in words:
                for char in word:
                    app.post_message(events.Key(char, char))
                    await asyncio.sleep(interval)
                await asyncio.sleep(0.3)
                app.post_message(events.Key("ctrl+u", None))
                await asyncio.sleep(0.3)
            recording = False

    asyncio.events.Handle._run = timed_run  # type: ignore[method-assign]
    try:
        asyncio.run(measure())
    finally:
        asyncio.events.Handle._run = original_run  # type: ignore[method-assign]
    samples.sort()
    longest, _, what = samples[-1]
    p99 = samples[max(0, int(len(samples) * 0.99) - 1)][0]
    cpu = max(used for _, used, _ in samples)
    if os.environ.get("KZTJ_BENCH_VERBOSE"):
        for wall, used, name in samples[-10:]:
            print(f"    {wall * 1000:6.1f} ms wall, {used * 1000:6.1f} ms CPU  {name}", file=sys.stderr)
    return longest * 1000, p99 * 1000, cpu * 1000, what


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, {platform.system()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=100_000, help="size of the generated store")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    ensure_stores(args.events)
    rows: list[tuple[str, str, str, str]] = []

    def row(name: str, ours: str, floor: str, verdict: str) -> None:
        rows.append((name, ours, floor, verdict))
        print(f"  {name}: {ours} | {floor} | {verdict}", file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory() as cache_dir:
        cache = Path(cache_dir)
        env = env_with(cache)
        # --- bundled store, warm cache --------------------------------------------------------
        yaml_floor, _ = timed([PY, "-c", "import yaml"], repeat=args.repeat * 2)
        for label, command in [
            ("validate", ["validate"]),
            ("export", ["export"]),
            ("search trade", ["search", "trade"]),
            ("show", ["show", "declaration-allied-interaction"]),
            ("figures", ["figures"]),
        ]:
            run([*KZTJ, *command], env=env)
            seconds, _ = timed([*KZTJ, *command], env=env, repeat=args.repeat * 2)
            ratio = seconds / yaml_floor
            row(
                f"bundled `kztj {label}` (warm)",
                f"{seconds * 1000:.0f} ms",
                f"import yaml {yaml_floor * 1000:.0f} ms",
                f"{ratio:.2f}× ({'ok' if ratio <= 3 else 'MISS'} ≤ 3×)",
            )
        minimal, _ = timed([PY, str(HERE / "first_frame.py"), "minimal"], repeat=args.repeat)
        run([*KZTJ, "validate"], env=env)
        bundled_frame, _ = timed([PY, str(HERE / "first_frame.py"), "kztj"], env=env, repeat=args.repeat)
        ratio = bundled_frame / minimal
        row(
            "bundled TUI first frame (warm)",
            f"{bundled_frame * 1000:.0f} ms",
            f"minimal Textual app {minimal * 1000:.0f} ms",
            f"{ratio:.2f}× ({'ok' if ratio <= 1.3 else 'MISS'} ≤ 1.3×)",
        )
        # --- 100k store -----------------------------------------------------------------------
        size_mb = BIG.stat().st_size / 1e6
        cold = []
        cold_rss = 0.0
        for _ in range(2):
            # No warm-up here: each run starts from an empty cache, which is the point.
            shutil.rmtree(cache, ignore_errors=True)
            cache.mkdir()
            seconds, rss = timed([*KZTJ, "validate", "--events", str(BIG)], env=env, repeat=1, warm_up=False)
            cold.append(seconds)
            cold_rss = max(cold_rss, rss)
        first_load = statistics.median(cold)
        row(
            f"100k first load ({size_mb:.0f} MB YAML, cold cache)",
            f"{first_load:.1f} s, peak {cold_rss:.0f} MB",
            "—",
            f"{'ok' if first_load <= 15 else 'MISS'} ≤ 15 s",
        )
        search, search_rss = timed([*KZTJ, "search", "--events", str(BIG), RARE], env=env, repeat=args.repeat * 2)
        rg, _ = timed(["rg", "-i", RARE, str(BIG)], repeat=args.repeat * 2) if shutil.which("rg") else (float("nan"), 0)
        row(
            f"100k `kztj search {RARE}` (warm, rare word)",
            f"{search * 1000:.0f} ms, peak {search_rss:.0f} MB",
            f"rg -i {rg * 1000:.0f} ms",
            f"{search / rg:.2f}× of rg ({'ok' if search <= 0.3 and search <= 4 * rg else 'MISS'} ≤ 0.3 s and ≤ 4×)",
        )
        from kztj_tui.cache import open_store
        from kztj_tui.model import Filters

        os.environ["KZTJ_CACHE_DIR"] = str(cache)
        store = open_store(BIG)
        for label, words in [("rare word", [RARE]), ("common words", ["wheat", "dushanbe", '"direct flights"'])]:
            scan = naive_scan_ms(words)
            engine = []
            for word in words:
                for _ in range(5):
                    start = time.perf_counter()
                    store.search(Filters(query=word), sort="relevance", limit=20)
                    engine.append(time.perf_counter() - start)
            median = statistics.median(engine) * 1000
            row(
                f"100k engine query, {label} (BM25 top 20 + count)",
                f"{median:.1f} ms",
                f"naive linear scan {scan:.0f} ms",
                f"{scan / max(median, 0.01):.0f}× faster than the scan",
            )
        p50, p95 = keystroke_latency_ms(["zircon", "rogun", "tokaev", "avicenna"])
        row(
            "100k TUI keystroke → new rows, selective words",
            f"p50 {p50:.1f} ms, p95 {p95:.1f} ms",
            "typing throttle 30 ms (first key searches at once)",
            f"{'ok' if p95 <= 50 else 'MISS'} p95 ≤ 50 ms",
        )
        p50, p95 = keystroke_latency_ms(["wheat", "kazakhstan", "trade"])
        row(
            "100k TUI keystroke → new rows, words matching ⅓–all events",
            f"p50 {p50:.1f} ms, p95 {p95:.1f} ms",
            "capped: first 5,000 in date order + exact count",
            "typing never blocks (search runs in a worker)",
        )
        longest, p99, cpu, _ = ui_blocked_ms(["zircon", "wheat", "dushanbe", "kazakhstan trade", "avicenna"])
        row(
            "100k TUI: longest the UI thread is blocked while typing",
            f"{longest:.1f} ms (p99 {p99:.1f} ms; its own CPU at most {cpu:.1f} ms)",
            "one frame at 60 Hz: 16 ms",
            f"{'ok' if longest <= 16 else 'MISS'} ≤ 16 ms",
        )
        frame_command = [PY, str(HERE / "first_frame.py"), "kztj", "--events", str(BIG)]
        big_frame, frame_rss = timed(frame_command, env=env, repeat=args.repeat)
        row(
            "100k TUI first frame (warm)",
            f"{big_frame * 1000:.0f} ms, peak {frame_rss:.0f} MB",
            f"minimal Textual app {minimal * 1000:.0f} ms",
            f"{'ok' if big_frame <= 1.0 else 'MISS'} ≤ 1.0 s",
        )
        export, export_rss = timed([*KZTJ, "export", "--events", str(BIG)], env=env, repeat=max(1, args.repeat // 2))
        run([*KZTJ, "validate", "--events", str(SMALL)], env=env)
        _, small_rss = timed([*KZTJ, "export", "--events", str(SMALL)], env=env, repeat=2)
        row(
            "100k `kztj export` to Markdown (warm, streamed)",
            f"{export:.1f} s, peak {export_rss:.0f} MB",
            f"1k-event export peak {small_rss:.0f} MB",
            f"{'ok' if export <= 10 else 'MISS'} ≤ 10 s; memory {'flat' if export_rss < small_rss * 2 else 'grows'}",
        )
        peak = max(search_rss, frame_rss, export_rss)
        verdict = f"{'ok' if peak <= 500 else 'MISS'} ≤ 500 MB"
        row("100k peak RSS, warm (search, TUI, export)", f"{peak:.0f} MB", "—", verdict)

    print(f"\nMachine: {machine()}. Store: {args.events:,} generated events, {size_mb:.0f} MB.\n")
    print("| benchmark | kztj | baseline | target |")
    print("|---|---|---|---|")
    for name, ours, floor, verdict in rows:
        print(f"| {name} | {ours} | {floor} | {verdict} |")


if __name__ == "__main__":
    main()
