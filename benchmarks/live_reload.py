"""Time from saving the store to the browser showing the change; prints one JSON line.

``python benchmarks/live_reload.py [STORE] [--runs N]``: copies the store (the bundled one by
default) and its articles into a temporary directory, opens the browser on the copy headless at
120x40, then N times renames an edited version (one event's title) over the file, as an editor
does, and waits until the browser shows the new title. The cache lives in a temporary directory;
the first open (a cold load) is not timed. The watcher polls every 0.1 s and waits for the file
to settle, so 0.1-0.2 s of each figure is the debounce; the rest is the reload itself. The clock
starts when the save ends (the rename), not while the benchmark writes the new version.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# The first event's title and its id, however the store is indented (bundled: "  - id:", generated: "- id:").
TITLE = re.compile(r"^( *title: )(.*)$", re.MULTILINE)
EVENT_ID = re.compile(r"^ *- id: (\S+)$", re.MULTILINE)


def _copy_store(store: Path, target: Path) -> Path:
    """Copy a store and every article it cites, keeping their relative paths; return the copy's path."""
    from kztj_tui.cache import open_store
    from kztj_tui.watch import input_paths

    opened = open_store(store, use_cache=False)
    for path in input_paths(opened.path, opened.meta):
        relative = path.relative_to(store.parent)
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target / relative)
    opened.close()
    return target / store.name


def _edit(path: Path, run: int) -> tuple[str, str]:
    """Rename a copy with the first event's title changed over the store; return its id and the title's marker."""
    text = path.read_text(encoding="utf-8")
    events = re.search(r"^events:", text, re.MULTILINE)
    found = TITLE.search(text, events.end() if events else 0)
    if found is None:
        raise SystemExit(f"{path}: no 'title: ' line to edit")
    marker = f"edited{run}x"
    value = found.group(2)
    quoted = value[-1:] in ("'", '"')  # the marker goes inside the closing quote
    edited = f"{value[:-1]} {marker}{value[-1]}" if quoted else f"{value} {marker}"
    temporary = path.with_name(f".{path.name}.{run}.tmp")
    temporary.write_text(text[: found.start(2)] + edited + text[found.end(2) :], encoding="utf-8")
    os.replace(temporary, path)
    event_id = list(EVENT_ID.finditer(text, 0, found.start()))[-1].group(1)
    return event_id, marker


async def _measure(store: Path, runs: int) -> list[float]:
    from kztj_tui.cache import open_store
    from kztj_tui.tui.app import KztjApp

    app = KztjApp(open_store(store))
    latencies = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.5)  # let the watcher start
        for run in range(runs):
            event_id, marker = _edit(store, run)
            started = time.perf_counter()  # the save is the rename that _edit ends with
            deadline = started + 120
            while True:
                event = app.store.event(event_id)
                if event is not None and marker in event.title:
                    break
                if time.perf_counter() > deadline:
                    raise SystemExit("the browser never showed the edit")
                await asyncio.sleep(0.005)
            await pilot.pause()  # the frame that shows it
            latencies.append(time.perf_counter() - started)
            await pilot.pause(0.3)  # apart from the next save
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", nargs="?", default=str(REPO / "events.yaml"))
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    source = Path(args.store).resolve()
    with tempfile.TemporaryDirectory(prefix="kztj-live-") as folder:
        os.environ["KZTJ_CACHE_DIR"] = str(Path(folder) / "cache")
        os.environ["KZTJ_CONFIG_DIR"] = str(Path(folder) / "config")
        copy = _copy_store(source, Path(folder) / "store")
        latencies = asyncio.run(_measure(copy, args.runs))
    print(
        json.dumps(
            {
                "benchmark": "live_reload",
                "store": str(source),
                "runs": len(latencies),
                "median_ms": round(statistics.median(latencies) * 1000, 1),
                "min_ms": round(min(latencies) * 1000, 1),
                "max_ms": round(max(latencies) * 1000, 1),
                "latencies_ms": [round(x * 1000, 1) for x in latencies],
            }
        )
    )


if __name__ == "__main__":
    sys.exit(main())
