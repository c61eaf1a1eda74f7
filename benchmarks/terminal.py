"""Run a command with its stdout on a pseudo-terminal (or a pipe); write when its first row came, as JSON.

``terminal.py REPORT COLUMNS [--pipe] -- CMD…``. The command's stdout is a pty COLUMNS wide (``isatty()``
is true, as in a real terminal, and the size is what ``os.get_terminal_size`` reads), or a pipe with
``--pipe``; stdin and stderr are this process's. Everything written is read as it comes and thrown away.

* ``first_row``: seconds from the spawn until the first row was read: the first line piped, the second
  on a terminal (``kztj search`` draws a header line first).
* ``seconds``: seconds from the spawn until the output ended and the command was reaped.
* ``lines``: how many lines were read.

run.py starts this under measure.py, whose peak memory is then the command's (this process is smaller).
"""

from __future__ import annotations

import fcntl
import json
import os
import struct
import subprocess
import sys
import termios
import time


def main() -> None:
    report, columns, *rest = sys.argv[1:]
    pipe = rest[0] == "--pipe"
    command = rest[rest.index("--") + 1 :]
    if pipe:
        reader, writer = os.pipe()
    else:
        reader, writer = os.openpty()
        fcntl.ioctl(writer, termios.TIOCSWINSZ, struct.pack("HHHH", 50, int(columns), 0, 0))
        attributes = termios.tcgetattr(writer)
        attributes[1] &= ~termios.ONLCR  # newlines as written: lines count the same as piped
        termios.tcsetattr(writer, termios.TCSANOW, attributes)
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=writer)
    os.close(writer)
    wanted = 1 if pipe else 2
    lines, first_row = 0, None
    while True:
        try:
            data = os.read(reader, 1 << 16)
        except OSError:  # EIO: a pty whose other end has closed
            break
        if not data:
            break
        lines += data.count(b"\n")
        if first_row is None and lines >= wanted:
            first_row = time.perf_counter() - start
    code = process.wait()
    seconds = time.perf_counter() - start
    os.close(reader)
    with open(report, "w", encoding="utf-8") as out:
        json.dump({"code": code, "first_row": first_row, "seconds": seconds, "lines": lines}, out)
    sys.exit(code)


if __name__ == "__main__":
    main()
