"""benchmarks/frame_time.py runs, and counts kztj's code, not Textual's (the benchmark itself is never timed here)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .conftest import REPO, write_generated_store


def test_the_frame_time_benchmark_runs_on_a_tiny_store(tmp_path: Path) -> None:
    store = write_generated_store(tmp_path / "events.yaml", 300)
    out = tmp_path / "frames.json"
    script = REPO / "benchmarks" / "frame_time.py"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, str(script), str(store), "--quick", "--runs", "2", "--json", str(out)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    scenarios = {scenario["name"]: scenario for scenario in report["scenarios"]}
    assert set(scenarios) == {"scrolling", "typing"}
    for scenario in scenarios.values():
        assert scenario["busy_frames"] > 0
        assert len(scenario["runs_max"]) == 2 and scenario["ours_max"] == min(scenario["runs_max"])
        assert 0 < scenario["ours_p50"] <= scenario["ours_p99"] <= scenario["ours_max"]
        # kztj's share of a frame is part of the frame's own CPU time.
        assert scenario["ours_max"] <= scenario["frame_max"]
    # Every function the probe names is kztj's: the timeline draws the rows while scrolling.
    drawn = [name for name, _ in scenarios["scrolling"]["worst_frame"] + scenarios["scrolling"]["slowest"]]
    assert any(name.startswith("Timeline.") for name in drawn), drawn
    assert not any(name.startswith(("Screen.", "App.", "Widget.", "Input.")) for name in drawn), drawn
    assert "scrolling: " in done.stderr and "typing: " in done.stderr


def test_the_probe_counts_kztj_code_on_the_ui_thread_once_and_nothing_off_it() -> None:
    import importlib.util
    import threading
    import time

    spec = importlib.util.spec_from_file_location("frame_time", REPO / "benchmarks" / "frame_time.py")
    assert spec and spec.loader
    frame_time = importlib.util.module_from_spec(spec)
    sys.modules["frame_time"] = frame_time
    spec.loader.exec_module(frame_time)

    def busy(seconds: float) -> None:
        end = time.thread_time() + seconds
        while time.thread_time() < end:
            pass

    probe = frame_time.Probe()
    probe.start()
    # Nested: the inner call is part of the outer one, counted once.
    probe.call("outer", lambda: (busy(0.01), probe.call("inner", busy, 0.01)))
    worker = threading.Thread(target=probe.call, args=("worker", busy, 0.05))
    worker.start()
    worker.join()
    probe.end_frame()
    probe.stop()
    [frame] = probe.frames
    assert 0.02 <= frame.ours_cpu < 0.04
    assert set(frame.parts) == {"outer"}
    assert frame.gc == 0


def test_the_probe_says_how_much_of_kztjs_time_went_to_garbage_collection() -> None:
    import gc
    import importlib.util

    spec = importlib.util.spec_from_file_location("frame_time", REPO / "benchmarks" / "frame_time.py")
    assert spec and spec.loader
    frame_time = importlib.util.module_from_spec(spec)
    sys.modules["frame_time"] = frame_time
    spec.loader.exec_module(frame_time)
    probe = frame_time.Probe()
    gc.callbacks.append(probe.gc_event)
    try:
        probe.start()
        garbage = [[index] for index in range(200_000)]
        probe.call("collecting", gc.collect)
        gc.collect()  # outside kztj's code: not counted
        probe.end_frame()
        probe.stop()
    finally:
        gc.callbacks.remove(probe.gc_event)
    del garbage
    [frame] = probe.frames
    assert 0 < frame.gc <= frame.ours_cpu
