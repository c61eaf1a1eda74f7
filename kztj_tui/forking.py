"""Split work with a forked child process: the one helper every fork site uses, and when to fork.

Whether to fork is decided once, by the command line (:func:`can_fork`), and passed down as a
``fork`` flag to the code that may fork (the two-process parse in ``halves``, the index writer of
``storebuild.IndexBuild``, the two-process export in ``export/parallel``); the browser passes
``fork=False``. Nothing below the entry point counts threads.

Every fork goes through :func:`start`: the child runs one function, writes what it has for the
parent to a pipe, and leaves without any cleanup; the parent reads the pipe as a stream (each
caller frames it: a pickle, length-prefixed blocks, or nothing at all), then either waits for the
child (:meth:`Child.wait`, which says whether it succeeded) or stops it (:meth:`Child.stop`).
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import signal
    from collections.abc import Callable
    from types import TracebackType
    from typing import BinaryIO

# Every command line asks can_fork(), a warm one too: this module imports nothing more until a fork.


def ending_signals() -> tuple[signal.Signals, ...]:
    """The signals that end a process from outside: Ctrl-C, kill, and the terminal going away.

    A writer turns them into cleanup (output.py); a forked child blocks them while it starts (see start).
    """
    import signal

    return (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def can_fork() -> bool:
    """Whether a forked child would run on a core of its own, and safely: the command line's decision.

    Forking a process that runs other threads can deadlock the child (a lock held by a thread
    that does not exist in it), so this asks for one thread alive. The command line asks once,
    before it starts anything, and passes the answer down; the browser, which runs workers, never
    forks (it passes ``fork=False``).
    """
    # Not imported here (~0.6 ms of a warm command's start): a process that never imported
    # threading runs no thread that threading would count.
    threading = sys.modules.get("threading")
    alone = threading is None or threading.active_count() == 1
    return hasattr(os, "fork") and (os.cpu_count() or 1) > 1 and alone


class Child:
    """A forked child seen from its parent: the read end of its pipe, then how it ended.

    Used as a context manager, it is stopped on leaving (an interrupt, an error, or a result the
    caller has no more use for): the child never outlives the work it was started for.
    """

    def __init__(self, pid: int, stream: BinaryIO) -> None:
        self.pid = pid
        self.stream = stream
        """What the child writes, as it writes it; at its end once the child has ended."""
        self._running = True

    def wait(self) -> bool:
        """Wait for the child to end; whether it succeeded (its function returned, or its reader left)."""
        _, status = os.waitpid(self.pid, 0)
        self._running = False  # only once reaped: an interrupted wait leaves it for stop()
        self.stream.close()
        return status == 0

    def stop(self) -> None:
        """Close the pipe and, unless it was waited for, kill the child and reap it."""
        self.stream.close()
        if self._running:
            import signal

            self._running = False
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.waitpid(self.pid, 0)

    def __enter__(self) -> Child:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()


def start(work: Callable[[BinaryIO], object]) -> Child:
    """Fork a child that runs ``work`` with the write end of a pipe, then leaves without any cleanup.

    The child ends with status 0 when ``work`` returns or its reader has gone (a broken pipe: no
    one is left to tell), and 1 on any other exception. It never runs the parent's signal handlers:
    one that turns SIGTERM into an exception (output.write_output) would unwind the parent's code
    in the child and remove the parent's temporary file. The ending signals wait, blocked, until
    the child has their default actions back, so a signal ends it at once (it holds nothing to clean).
    """
    import signal

    ending = ending_signals()
    read_end, write_end = os.pipe()
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, ending)
    try:
        pid = os.fork()
    except BaseException:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        os.close(read_end)
        os.close(write_end)
        raise
    if pid == 0:  # the child
        status = 1
        try:
            for number in ending:
                if signal.getsignal(number) != signal.SIG_IGN:
                    signal.signal(number, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
            os.close(read_end)
            with os.fdopen(write_end, "wb") as sink:
                work(sink)
            status = 0
        except BrokenPipeError:
            status = 0  # the reader stopped early (kztj export | head)
        finally:
            os._exit(status)
    signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    os.close(write_end)
    return Child(pid, os.fdopen(read_end, "rb"))
