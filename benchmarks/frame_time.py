"""The UI thread's frames while scrolling and typing in the browser, and kztj's own share of each.

``python benchmarks/frame_time.py STORE [--json OUT] [--quick]`` opens the browser headless at
120×40 on STORE (its cache is built first if needed, untimed) and, in one process, plays:

* ``scrolling``: j held down, k, PageDown, G, g (no search);
* ``scrolling found``: the same through the results of a search (``/trade`` Enter), so every new
  screenful asks a worker for its title matches;
* ``typing``: ``/commodity`` a letter at a time, backspaces, ``e*``, backspaces, ``kazakhstan``.

Keys are posted to the app as a terminal would send them (a key every 33 ms when held, as key
repeat does; every 80 ms when typed, a quick typist), never through Pilot, whose own key handling
runs on the same thread. How the time is counted, on the UI thread only (workers run beside it):

* **a callback**: every callback of the app's event loop is timed by wrapping asyncio's
  ``Handle._run``; while one runs, the UI cannot react;
* **a frame**: everything the UI thread ran since the screen was last updated, up to and including
  the update (``App._display``): the handlers of the keys and messages that led to it and the
  compositor's render. Headless, the update is not written to a terminal;
* **kztj's own work**: the time inside kztj's code, from Textual calling into it to its return,
  including what kztj asks of Textual, Rich or SQLite in the meantime (a ``query_one``, building a
  ``Text``, reading rows): every callback Textual invokes (handlers, actions, timers,
  ``call_later``, whose function is kztj's), every watcher, and every method of kztj's widgets,
  screens and app that Textual calls directly (``render_line``, ``render``, ``compose``,
  ``check_action``, …). Nested calls count once. The rest of a frame is Textual's: its message
  pumps, layout and compositor, the ``Input`` widget's own key handling.

With ``--runs N`` every scenario runs N times, each from a fresh app; the figures are those of
the run with the median maximum, and every run's maximum is given too. (run.py runs this script
three times instead, a fresh process each: apps run one after another in one process leave more
objects for each garbage collection, which lengthens the slowest frames.) A garbage collection
that starts inside kztj's code counts as kztj's; the slowest frame's share of it is given. Prints
a summary, and with ``--json`` writes every scenario's figures. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import gc
import importlib
import inspect
import json
import math
import os
import pkgutil
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

OURS = "kztj_tui"
HELD, TYPED = 0.033, 0.08  # seconds between keys: key repeat of a held key, a quick typist
# Methods of kztj's classes that Textual calls by name (besides those overriding a Textual method).
CALLED_BY_NAME = ("on_", "_on_", "action_", "watch_", "_watch_", "compute_", "validate_", "key_", "render", "compose")


@dataclass
class Callback:
    """One callback of the UI thread's event loop."""

    wall: float
    cpu: float  # the UI thread's own CPU time (wall minus waiting for a core or the GIL)
    ours: float  # CPU time in kztj's code
    name: str


@dataclass
class Frame:
    """The UI thread's work from one screen update to the next, and kztj's share of it."""

    busy: float  # wall time of every callback since the last update (idle time left out)
    busy_cpu: float  # the UI thread's CPU time in them
    ours: float  # wall time in kztj's code
    ours_cpu: float  # the UI thread's CPU time in kztj's code: the figure the target is about
    parts: dict[str, float] = field(default_factory=dict)  # kztj's CPU time by the function Textual called
    gc: float = 0.0  # of kztj's CPU time, how much went to garbage collections that started in kztj's code


@dataclass
class Probe:
    """Times the UI thread's callbacks and frames, and the time spent in kztj's code within them."""

    thread: int = field(default_factory=threading.get_ident)
    recording: bool = False
    callbacks: list[Callback] = field(default_factory=list)
    frames: list[Frame] = field(default_factory=list)
    # The longest single stretch of kztj's code (CPU time), by the function Textual called.
    longest: dict[str, float] = field(default_factory=dict)
    _depth: int = 0
    _ours: float = 0.0  # running totals
    _ours_cpu: float = 0.0
    _busy: float = 0.0
    _busy_cpu: float = 0.0
    _callback_start: tuple[float, float] | None = None
    _frame_marks: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    _frame_parts: dict[str, float] = field(default_factory=dict)
    _gc: float = 0.0  # running total of collections inside kztj's code
    _gc_start: float | None = None
    _frame_gc: float = 0.0

    # -- kztj's code -----------------------------------------------------------------------

    def call(self, name: str, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call function, counting its time as kztj's unless it runs off the UI thread or inside kztj's code."""
        if threading.get_ident() != self.thread:
            return function(*args, **kwargs)
        if self._depth:
            self._depth += 1
            try:
                return function(*args, **kwargs)
            finally:
                self._depth -= 1
        self._depth = 1
        entered, entered_cpu = time.perf_counter(), time.thread_time()
        try:
            return function(*args, **kwargs)
        finally:
            self._depth = 0
            self._ours += time.perf_counter() - entered
            spent = time.thread_time() - entered_cpu
            self._ours_cpu += spent
            if self.recording:
                self._frame_parts[name] = self._frame_parts.get(name, 0.0) + spent
                if spent > self.longest.get(name, 0.0):
                    self.longest[name] = spent

    def gc_event(self, phase: str, info: dict[str, int]) -> None:
        """A garbage collection started or stopped (gc.callbacks): count it if it ran inside kztj's code."""
        if not self._depth or threading.get_ident() != self.thread:
            return
        if phase == "start":
            self._gc_start = time.thread_time()
        elif self._gc_start is not None:
            self._gc += time.thread_time() - self._gc_start
            self._gc_start = None

    # -- callbacks and frames ----------------------------------------------------------------

    def run_callback(self, run: Callable[[], object], name: Callable[[], str]) -> object:
        start, cpu, ours = time.perf_counter(), time.thread_time(), self._ours_cpu
        self._callback_start = start, cpu
        try:
            return run()
        finally:
            self._callback_start = None
            wall, used = time.perf_counter() - start, time.thread_time() - cpu
            self._busy += wall
            self._busy_cpu += used
            if self.recording:
                self.callbacks.append(Callback(wall, used, self._ours_cpu - ours, name()))

    def end_frame(self) -> None:
        """The screen was updated: what ran since the last update is one frame."""
        busy, busy_cpu = self._busy, self._busy_cpu
        if self._callback_start is not None:  # the update's own callback, so far
            busy += time.perf_counter() - self._callback_start[0]
            busy_cpu += time.thread_time() - self._callback_start[1]
        marks = (busy, busy_cpu, self._ours, self._ours_cpu)
        if self.recording:
            busy, busy_cpu, ours, ours_cpu = (now - then for now, then in zip(marks, self._frame_marks, strict=True))
            self.frames.append(Frame(busy, busy_cpu, ours, ours_cpu, self._frame_parts, self._gc - self._frame_gc))
        self._frame_marks, self._frame_parts, self._frame_gc = marks, {}, self._gc

    def start(self) -> None:
        self.callbacks, self.frames, self.longest = [], [], {}
        self.end_frame()  # a frame starts here
        self.recording = True

    def stop(self) -> None:
        self.recording = False


def is_ours(callback: object) -> bool:
    while isinstance(callback, functools.partial):
        callback = callback.func
    function = getattr(callback, "__func__", callback)
    return str(getattr(function, "__module__", "") or "").startswith(OURS)


def callable_name(callback: object) -> str:
    while isinstance(callback, functools.partial):
        callback = callback.func
    return str(getattr(callback, "__qualname__", None) or repr(callback)[:60])


def handle_name(handle: asyncio.Handle) -> str:
    """Which task (and which timer's callback) an event loop callback ran."""
    callback = handle._callback  # type: ignore[attr-defined]
    owner = getattr(callback, "__self__", None)
    coro = owner.get_coro() if isinstance(owner, asyncio.Task) else None
    name = getattr(coro, "__qualname__", None) or repr(handle)[:120]
    timer = getattr(getattr(coro, "cr_frame", None), "f_locals", {}).get("self")
    timer_callback = getattr(timer, "_callback", None)
    if timer_callback is not None:  # say which timer: a repaint, a throttled search…
        name += f" {callable_name(timer_callback):.60}"
    return str(name)


def our_classes() -> Iterator[type]:
    """kztj's widgets, screens, app and other classes Textual calls into (every module of kztj_tui.tui)."""
    from textual.message_pump import MessagePump

    package = importlib.import_module(f"{OURS}.tui")
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{OURS}.tui.{info.name}")
        for value in vars(module).values():
            if isinstance(value, type) and value.__module__ == module.__name__ and issubclass(value, MessagePump):
                yield value


def timed_method(probe: Probe, function: Callable[..., Any], name: str) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(function):

        @functools.wraps(function)
        async def timed_coroutine(*args: Any, **kwargs: Any) -> Any:
            return await TimedAwait(probe, function(*args, **kwargs), name)

        return timed_coroutine

    @functools.wraps(function)
    def timed(*args: Any, **kwargs: Any) -> Any:
        return probe.call(name, function, *args, **kwargs)

    return timed


class TimedAwait:
    """Awaits a coroutine of kztj's, counting each step it runs (not the time it waits) as kztj's."""

    def __init__(self, probe: Probe, awaitable: Any, name: str) -> None:
        self.probe, self.awaitable, self.name = probe, awaitable, name

    def __await__(self) -> Any:
        steps = self.awaitable.__await__()
        sent: Any = None
        thrown: BaseException | None = None
        while True:
            try:
                if thrown is None:
                    yielded = self.probe.call(self.name, steps.send, sent)
                else:
                    yielded = self.probe.call(self.name, steps.throw, thrown)
            except StopIteration as stop:
                return stop.value
            sent, thrown = None, None
            try:
                sent = yield yielded
            except GeneratorExit:
                steps.close()
                raise
            except BaseException as error:  # a cancellation: passed on to the coroutine
                thrown = error


@contextmanager
def instrumented(probe: Probe) -> Iterator[None]:
    """Install the probe: the event loop's callbacks, Textual's calls into kztj's code, the screen updates."""
    from textual import _callback, reactive
    from textual.app import App

    saved: list[tuple[object, str, object]] = []

    def patch(owner: object, name: str, value: object) -> None:
        saved.append((owner, name, getattr(owner, name)))
        setattr(owner, name, value)

    original_run = asyncio.events.Handle._run

    def run(handle: asyncio.Handle) -> object:
        if threading.get_ident() != probe.thread:
            return original_run(handle)
        return probe.run_callback(lambda: original_run(handle), lambda: handle_name(handle))

    original_invoke = _callback._invoke

    async def invoke(callback: Callable[..., Any], *params: object) -> Any:
        if not is_ours(callback):
            return await original_invoke(callback, *params)
        name = callable_name(callback)
        result = probe.call(name, callback, *params[: _callback.count_parameters(callback)])
        if inspect.isawaitable(result):
            result = await TimedAwait(probe, result, name)
        return result

    original_watcher = reactive.invoke_watcher

    def invoke_watcher(watcher_object: Any, watch_function: Any, old_value: object, value: object) -> None:
        if not is_ours(watch_function):
            return original_watcher(watcher_object, watch_function, old_value, value)
        probe.call(callable_name(watch_function), original_watcher, watcher_object, watch_function, old_value, value)

    original_display = App._display

    def display(app: App[Any], screen: Any, renderable: Any) -> None:
        original_display(app, screen, renderable)
        if renderable is not None:
            probe.end_frame()

    patch(asyncio.events.Handle, "_run", run)
    patch(_callback, "_invoke", invoke)
    patch(reactive, "invoke_watcher", invoke_watcher)
    patch(App, "_display", display)
    gc.callbacks.append(probe.gc_event)
    for cls in our_classes():
        textual_names = {name for base in cls.__mro__ if base.__module__.startswith("textual") for name in vars(base)}
        for name, value in list(vars(cls).items()):
            if not inspect.isfunction(value) or inspect.isasyncgenfunction(value):
                continue
            if name in textual_names or name.startswith(CALLED_BY_NAME):
                patch(cls, name, timed_method(probe, value, f"{cls.__qualname__}.{name}"))
    try:
        yield
    finally:
        gc.callbacks.remove(probe.gc_event)
        for owner, name, value in reversed(saved):
            setattr(owner, name, value)


# --- the scenarios --------------------------------------------------------------------------------

Keys = list[tuple[str, float]]  # (key, seconds to wait after it)


def held(key: str, times: int) -> Keys:
    return [(key, HELD)] * times


def typed(text: str) -> Keys:
    return [(char, TYPED) for char in text]


SCROLL: Keys = [
    *held("j", 60),
    *held("k", 30),
    *held("pagedown", 20),
    ("G", 0.3),
    *held("pageup", 10),
    ("g", 0.3),
    *held("j", 30),
    ("G", 0.3),
    ("g", 0.3),
]
TYPING: Keys = [
    *typed("commodity"),
    ("", 0.3),
    *[("backspace", TYPED)] * 9,
    ("", 0.3),
    *typed("e*"),
    ("", 0.3),
    *[("backspace", TYPED)] * 2,
    ("", 0.3),
    *typed("kazakhstan"),
    ("", 0.3),
    ("ctrl+u", 0.3),
]
SCENARIOS: dict[str, tuple[Keys, Keys]] = {
    # name: (untimed keys that set the scene, timed keys)
    "scrolling": ([], SCROLL),
    "scrolling found": ([("slash", 0.3), *typed("trade"), ("enter", 0.5), ("g", 0.5)], SCROLL),
    "typing": ([("slash", 0.5)], TYPING),
}
QUICK: dict[str, tuple[Keys, Keys]] = {
    "scrolling": ([], [*held("j", 10), ("pagedown", HELD), ("G", 0.2), ("g", 0.2)]),
    "typing": ([("slash", 0.3)], [*typed("zir"), ("backspace", TYPED), ("", 0.2)]),
}


def key_event(key: str) -> Any:
    from textual import events
    from textual.keys import _character_to_key

    if len(key) == 1:
        return events.Key(_character_to_key(key), key)
    characters = {"slash": "/", "enter": "\r", "backspace": "\x7f"}
    return events.Key(key, characters.get(key))


@dataclass
class Scenario:
    """What one scenario measured (seconds). "ours" is kztj's own work: CPU time of the UI thread in its code."""

    name: str
    keys: int
    frames: int  # every screen update while the keys were played
    busy_frames: int  # those that ran any kztj code, which the figures below are about
    ours_max: float
    ours_p99: float
    ours_p50: float
    ours_wall_max: float  # the same stretches in wall time: adds waiting for a core and for the GIL
    ours_wall_p99: float
    frame_max: float  # the whole frame's CPU time (kztj and Textual)
    frame_p99: float
    frame_wall_max: float
    callback_max: float  # the longest single callback, wall time
    callback_name: str
    slowest: list[tuple[str, float]]  # the longest single calls into kztj's code (CPU)
    worst_frame: list[tuple[str, float]]  # what kztj's time in its slowest frame went to (CPU)
    worst_frame_gc: float  # of which garbage collection
    runs_max: list[float] = field(default_factory=list)  # ours_max of every run, in the order they ran


def percentile(samples: list[float], fraction: float) -> float:
    """The smallest sample that at least ``fraction`` of the samples are at or below."""
    ordered = sorted(samples)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(len(ordered) * fraction) - 1))] if ordered else 0.0


def summarise(name: str, keys: int, probe: Probe) -> Scenario:
    """The scenario's frames that ran any kztj code (the cursor's blink and idle repaints are left out)."""
    frames = [frame for frame in probe.frames if frame.ours_cpu > 0 or frame.ours > 0]
    measured = frames or [Frame(0.0, 0.0, 0.0, 0.0)]
    ours = [frame.ours_cpu for frame in measured]
    walls = [frame.ours for frame in measured]
    busy = [frame.busy_cpu for frame in measured]
    worst = max(measured, key=lambda frame: frame.ours_cpu)
    longest = max(probe.callbacks, key=lambda callback: callback.wall, default=Callback(0.0, 0.0, 0.0, ""))
    return Scenario(
        name=name,
        keys=keys,
        frames=len(probe.frames),
        busy_frames=len(frames),
        ours_max=max(ours),
        ours_p99=percentile(ours, 0.99),
        ours_p50=statistics.median(ours),
        ours_wall_max=max(walls),
        ours_wall_p99=percentile(walls, 0.99),
        frame_max=max(busy),
        frame_p99=percentile(busy, 0.99),
        frame_wall_max=max(frame.busy for frame in measured),
        callback_max=longest.wall,
        callback_name=longest.name,
        slowest=sorted(probe.longest.items(), key=lambda item: -item[1])[:5],
        worst_frame=sorted(worst.parts.items(), key=lambda item: -item[1]),
        worst_frame_gc=worst.gc,
    )


async def play(app: Any, keys: Keys) -> None:
    for key, pause in keys:
        if key:
            app.post_message(key_event(key))
        await asyncio.sleep(pause)


async def settle(app: Any) -> None:
    """Until every worker has finished and the screen has been updated after it."""
    from textual.worker import WorkerCancelled

    for _ in range(3):
        while True:
            try:
                await app.workers.wait_for_complete()
                break
            except WorkerCancelled:
                pass
        await asyncio.sleep(0.1)


def measure(store: Path, scenarios: dict[str, tuple[Keys, Keys]], runs: int = 1) -> list[Scenario]:
    """Open the browser headless on store and play every scenario ``runs`` times, each from a fresh app.

    A scenario's figures are those of its run with the median ``ours_max`` (one slow frame, say a
    garbage collection, moves the maximum of a run a lot), with every run's maximum in ``runs_max``.
    """
    from kztj_tui.cache import open_store
    from kztj_tui.tui.app import KztjApp

    measured: dict[str, list[Scenario]] = {name: [] for name in scenarios}
    probe = Probe()
    with instrumented(probe):
        for _ in range(runs):
            for name, (setup, keys) in scenarios.items():

                async def run(setup: Keys = setup, keys: Keys = keys, name: str = name) -> None:
                    app = KztjApp(open_store(store))
                    async with app.run_test(size=(120, 40)):
                        await settle(app)
                        await play(app, setup)
                        await settle(app)
                        probe.start()
                        await play(app, keys)
                        await settle(app)
                        probe.stop()
                        measured[name].append(summarise(name, sum(1 for key, _ in keys if key), probe))

                asyncio.run(run())
    results = []
    for found in measured.values():
        middle = sorted(found, key=lambda scenario: scenario.ours_max)[(len(found) - 1) // 2]
        middle.runs_max = [scenario.ours_max for scenario in found]
        results.append(middle)
    return results


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("store", type=Path)
    parser.add_argument("--json", type=Path, help="write every scenario's figures here")
    parser.add_argument("--quick", action="store_true", help="a few keys per scenario (for the tests)")
    parser.add_argument("--runs", type=int, default=1, help="runs of every scenario, in this process (default 1)")
    args = parser.parse_args()
    from kztj_tui.cache import open_store

    open_store(args.store)  # build the cache now, untimed
    load = os.getloadavg()[0]
    results = measure(args.store, QUICK if args.quick else SCENARIOS, args.runs)
    for result in results:
        print(
            f"{result.name}: {result.keys} keys, {result.busy_frames} of {result.frames} frames ran kztj code; "
            f"kztj's CPU per frame max {ms(result.ours_max)}, p99 {ms(result.ours_p99)}, p50 {ms(result.ours_p50)} "
            f"(wall max {ms(result.ours_wall_max)}, p99 {ms(result.ours_wall_p99)}); "
            f"whole frame CPU max {ms(result.frame_max)}, p99 {ms(result.frame_p99)} (wall max "
            f"{ms(result.frame_wall_max)}); longest callback {ms(result.callback_max)} ({result.callback_name}); "
            f"kztj's max in each run: {', '.join(ms(seconds) for seconds in result.runs_max)}",
            file=sys.stderr,
        )
        print("  longest single calls:", file=sys.stderr)
        for function, seconds in result.slowest:
            print(f"    {ms(seconds):>9}  {function}", file=sys.stderr)
        print(f"  the slowest frame's kztj time (garbage collection {ms(result.worst_frame_gc)}):", file=sys.stderr)
        for function, seconds in result.worst_frame:
            print(f"    {ms(seconds):>9}  {function}", file=sys.stderr)
    if args.json:
        report = {"load_average_1min": [load, os.getloadavg()[0]], "scenarios": [asdict(r) for r in results]}
        args.json.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
