"""When kztj may split work with a forked child process."""

from __future__ import annotations

import os
import signal

# The signals that end a process from outside: Ctrl-C, kill, and the terminal going away. A writer
# turns them into cleanup (output.py); a forked child blocks them while it starts (export/parallel.py).
ENDING_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def can_fork() -> bool:
    """Whether a forked child would run on a core of its own, and safely.

    Forking a process that runs other threads can deadlock the child (a lock held by a thread
    that does not exist in it), so the browser, which runs workers, never forks.
    """
    import threading  # not at the top: a warm command never forks, and this import is ~0.6 ms of its start

    return hasattr(os, "fork") and (os.cpu_count() or 1) > 1 and threading.active_count() == 1
