"""Run one command in a fresh process; write its time, CPU and memory as JSON: ``measure.py REPORT [--tree] -- CMD…``.

run.py starts every timed run through this small process, so that what is measured is the
command's own. Linux carries a process's peak RSS across ``exec``: a child forked (or vforked)
from a process holding 100 MB starts its ``ru_maxrss`` at 100 MB, which is how a 10,000-event cold
load once reported the benchmark's own peak (115 MB) instead of its own (66 MB). This process holds
about 10 MB, less than any Python command reaches, so the figure it gets back is the command's.

* ``seconds``: wall time from the spawn until the command was reaped.
* ``cpu_seconds``: user and system time of the command and of every child it waited for.
* ``largest_mb``: the peak RSS of the largest single process (``wait4``: the command, or a child
  it reaped, whichever peaked higher). A forked child's RSS counts the pages it still shares with
  its parent, so these peaks must not be added up.
* ``tree_pss_mb`` (with ``--tree``): the peak, over samples, of the proportional set size summed
  over the command and all its descendants alive at the sample. PSS splits each shared page
  between the processes sharing it, so a page a forked child shares with its parent counts once
  in the sum. Reading a process's PSS walks its page tables (~3 ms for 400 MB), so a sample is
  taken every 10 ms or ten times as long as the last one took, whichever is longer: the sampler
  takes at most a tenth of a core from what it measures. A peak shorter than that can be missed:
  the figure is a lower bound, never a double count. ``tree_rss_mb`` is the same sum of RSS, which
  counts a shared page once per process sharing it (an upper bound).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

INTERVAL = 0.01


def descendants(root: int) -> list[int]:
    """The process and every descendant alive now, through /proc/PID/task/TID/children."""
    found, queue = [], [root]
    while queue:
        pid = queue.pop()
        found.append(pid)
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as children:
                    queue += [int(child) for child in children.read().split()]
        except OSError:
            pass  # gone meanwhile
    return found


def memory_kb(pid: int) -> tuple[int, int]:
    """PSS and RSS of one process in kB (0, 0 once it has exited)."""
    pss = rss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss = int(line.split()[1])
    except (OSError, ValueError):
        pass
    return pss, rss


def main() -> None:
    report, *rest = sys.argv[1:]
    tree = rest[0] == "--tree"
    command = rest[rest.index("--") + 1 :]
    peaks = {"pss": 0, "rss": 0}
    done = threading.Event()

    def sample(pid: int) -> None:
        wait = INTERVAL
        while not done.wait(wait):
            started = time.perf_counter()
            sizes = [memory_kb(each) for each in descendants(pid)]
            peaks["pss"] = max(peaks["pss"], sum(pss for pss, _ in sizes))
            peaks["rss"] = max(peaks["rss"], sum(rss for _, rss in sizes))
            wait = max(INTERVAL, 10 * (time.perf_counter() - started))

    start = time.perf_counter()
    process = subprocess.Popen(command)
    sampler = threading.Thread(target=sample, args=(process.pid,), daemon=True) if tree else None
    if sampler:
        sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    done.set()
    if sampler:
        sampler.join()
    result = {
        "code": os.waitstatus_to_exitcode(status),
        "seconds": seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "largest_mb": usage.ru_maxrss / 1024,  # Linux reports kilobytes
    }
    if tree:
        result |= {"tree_pss_mb": peaks["pss"] / 1024, "tree_rss_mb": peaks["rss"] / 1024}
    with open(report, "w", encoding="utf-8") as out:
        json.dump(result, out)


if __name__ == "__main__":
    main()
