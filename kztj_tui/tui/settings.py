"""The browser's settings file: theme, layout and a keymap, in TOML in the platform config directory.

    theme = "nord"
    layout = "auto"          # "auto" (by width), "split" (side by side) or "single" (one pane)

    [keymap]                 # binding id = keys, as in Textual keymaps (see the help screen)
    "main.axis" = "v"
    "timeline.down" = "j,down,ctrl+n"

A file that cannot be read or makes no sense gives one line saying where and why, and the defaults.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any, NamedTuple

from ..locations import config_dir

LAYOUTS = ("auto", "split", "single")
FILE_NAME = "config.toml"
_WHERE = re.compile(r"\(at line (\d+), column (\d+)\)")


class Settings(NamedTuple):
    """What the user chose; None or empty for what they did not."""

    theme: str | None = None
    layout: str = "auto"
    keymap: dict[str, str] = {}


def settings_path() -> Path:
    """Where the settings file lives."""
    return config_dir() / FILE_NAME


def _line_of(text: str, key: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(rf'\s*"?{re.escape(key)}"?\s*=', line):
            return number
    return 1


def load(path: Path) -> tuple[Settings, str | None]:
    """The settings in ``path`` (defaults if it does not exist), and a one-line problem if any."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings(), None
    except (OSError, UnicodeDecodeError) as error:
        return Settings(), f"{path}: cannot read it ({getattr(error, 'strerror', None) or error}); using the defaults"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        where = _WHERE.search(message)
        line, column = where.groups() if where else ("1", "1")
        return Settings(), f"{path}:{line}:{column}: {_WHERE.sub('', message).strip()}; using the defaults"

    def problem(key: str, message: str) -> tuple[Settings, str]:
        return Settings(), f"{path}:{_line_of(text, key)}:1: {message}; using the defaults"

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
    return Settings(theme, layout, dict(keymap)), None


def _toml_string(value: str) -> str:
    # A JSON string is a valid TOML basic string for the text we write (escapes included).
    return json.dumps(value, ensure_ascii=False)


def save(path: Path, theme: str | None, layout: str) -> str | None:
    """Write theme and layout into ``path``, keeping the rest of the file as the user wrote it.

    Returns a one-line problem instead of raising when the file cannot be written.
    """
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
    except (OSError, UnicodeDecodeError) as error:
        return f"{path}: cannot read it ({getattr(error, 'strerror', None) or error}); settings not saved"
    lines = text.splitlines()
    values = {"layout": _toml_string(layout)}
    if theme is not None:
        values["theme"] = _toml_string(theme)
    # Top-level keys must come before the first table, so edit or insert them there.
    first_table = next((i for i, line in enumerate(lines) if line.lstrip().startswith("[")), len(lines))
    for key, value in values.items():
        pattern = re.compile(rf"\s*{key}\s*=")
        found = next((i for i in range(first_table) if pattern.match(lines[i])), None)
        if found is None:
            lines.insert(0, f"{key} = {value}")
            first_table += 1
        else:
            lines[found] = f"{key} = {value}"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
        temporary.replace(path)
    except OSError as error:
        return f"{path}: cannot write it ({error.strerror or error}); settings not saved"
    return None
