"""The browser's settings file: theme, layout and a keymap, in TOML in the platform config directory.

    theme = "nord"
    layout = "auto"          # "auto" (by width), "split" (side by side) or "single" (one pane)

    [keymap]                 # binding id = keys, as in Textual keymaps (see the help screen)
    "main.axis" = "v"
    "timeline.down" = "j,down,ctrl+n"

The file is read as articles are (a regular file of at most 1 MiB). One that cannot be read or makes
no sense gives one line saying where and why, and the defaults. Saving edits only the settings the
user changed, keeping comments and quoting, and leaves a file kztj cannot make sense of alone.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from ..files import read_regular_file
from ..locations import config_dir

LAYOUTS = ("auto", "split", "single")
FILE_NAME = "config.toml"
LIMIT = 1 << 20
"""The largest settings file read (a few lines are usual)."""
_WHERE = re.compile(r"\(at line (\d+), column (\d+)\)")


class Settings(NamedTuple):
    """What the user chose; None or empty for what they did not."""

    theme: str | None = None
    layout: str = "auto"
    keymap: dict[str, str] = {}
    keymap_lines: dict[str, int] = {}
    """The line of each keymap entry in the file, to say where one is wrong."""


def settings_path() -> Path:
    """Where the settings file lives."""
    return config_dir() / FILE_NAME


def _line_of(text: str, key: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(rf'\s*"?{re.escape(key)}"?\s*=', line):
            return number
    return 1


def _read(path: Path) -> str | None:
    """The text of the settings file, None if there is none; raises OSError, ValueError or UnicodeDecodeError."""
    try:
        # As articles are read: a FIFO, a device or a huge file gives a reason, never a hang.
        return read_regular_file(path, LIMIT).data.decode("utf-8")
    except FileNotFoundError:
        return None


def _reason(error: Exception) -> str:
    return getattr(error, "strerror", None) or str(error)


def _parse(path: Path, text: str) -> tuple[Settings, str | None]:
    """The settings in a file's text, and a one-line problem (without what follows from it) if any."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        where = _WHERE.search(message)
        line, column = where.groups() if where else ("1", "1")
        return Settings(), f"{path}:{line}:{column}: {_WHERE.sub('', message).strip()}"
    except RecursionError:
        return Settings(), f"{path}: values nested too deeply"

    def problem(key: str, message: str) -> tuple[Settings, str]:
        return Settings(), f"{path}:{_line_of(text, key)}:1: {message}"

    theme = data.get("theme")
    if theme is not None and not isinstance(theme, str):
        return problem("theme", 'theme must be a string, e.g. theme = "nord"')
    layout = data.get("layout", "auto")
    if layout not in LAYOUTS:
        return problem("layout", f"layout must be one of {', '.join(LAYOUTS)}")
    keymap: Any = data.get("keymap", {})
    if not isinstance(keymap, dict):
        return problem("keymap", '[keymap] must be a table of binding ids and keys, e.g. "main.axis" = "v"')
    for key, value in keymap.items():
        if not isinstance(value, str) or not value.strip():
            return problem(key, f'[keymap] {key!r} must be keys in quotes, e.g. "v" or "j,down"')
    unknown = [key for key in data if key not in ("theme", "layout", "keymap")]
    if unknown:
        return problem(unknown[0], f"unknown setting {unknown[0]!r} (known: theme, layout, [keymap])")
    return Settings(theme, layout, dict(keymap), {key: _line_of(text, key) for key in keymap}), None


def load(path: Path) -> tuple[Settings, str | None]:
    """The settings in ``path`` (defaults if it does not exist), and a one-line problem if any."""
    try:
        text = _read(path)
    except (OSError, ValueError) as error:
        return Settings(), f"{path}: cannot read it ({_reason(error)}); using the defaults"
    if text is None:
        return Settings(), None
    settings, problem = _parse(path, text)
    return settings, f"{problem}; using the defaults" if problem else None


def save(path: Path, changes: Mapping[str, str]) -> str | None:
    """Set the top-level settings in ``changes`` (theme, layout) in ``path``, keeping the rest as the user wrote it.

    Nothing is written when the file already says so. A file kztj cannot read or make sense of is
    left alone. The file is replaced atomically, through a symlink, keeping its mode. Returns a
    one-line problem instead of raising.
    """
    try:
        text = _read(path)
    except (OSError, ValueError) as error:
        return f"{path}: cannot read it ({_reason(error)}); settings not saved"
    current, problem = _parse(path, text or "")
    if problem:
        return f"{problem}; settings not saved (the file is left as it is)"
    wanted = {key: value for key, value in changes.items() if getattr(current, key) != value}
    if not wanted:
        return None
    import tomlkit  # ~40 ms: only a changed setting needs it, never the first frame
    from tomlkit.exceptions import TOMLKitError

    from ..output import write_output

    try:
        document = tomlkit.parse(text or "")
        for key, value in wanted.items():
            document[key] = value  # in place, a quoted key included; a new key goes before the first table
        updated = document.as_string()
    except (TOMLKitError, RecursionError, ValueError) as error:
        return f"{path}: cannot edit it ({error}); settings not saved (the file is left as it is)"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_output(path, [updated])
    except OSError as error:
        return f"{path}: cannot write it ({_reason(error)}); settings not saved"
    return None
