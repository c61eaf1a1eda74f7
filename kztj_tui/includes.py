"""A store in several files: the main file's ``include:`` patterns, the files they name, and where each item came from.

``include: [articles/*.yaml]`` in the main store file adds the items of every file the patterns
match (sorted by name, pattern after pattern) after the main file's own, list by list. Ids are
unique across all files and references work across them: the merged data is validated as one
store. An included file holds only the store's lists (``sources``, ``entities``, ``events``,
``figures``, ``disagreements``), never ``include`` (no recursion) nor ``title``/``description``.

Patterns are relative to the main file's folder and stay inside it: no absolute path, no ``..``,
and wildcards (``*``, ``?``, ``[...]``) in the file name only, so the folder a pattern reads is
one known folder (the one live reload watches for new files). ``*`` and ``?`` do not match a
leading dot (as a shell's glob). A file named without a wildcard must exist, and so must the
folder of every pattern; a wildcard that matches no file in its folder is not an error (the
folder of a store that has no article file yet), but ``kztj check`` notes it, since a typo
(``*.yml``) would otherwise drop a whole article's events without a word. The main file itself
is never included again, even when a pattern (``*.yaml``) matches it.

Problems are found against the merged data (``events[12]``) and then placed in the file the
item came from (``articles/b.yaml:4:3: events[2].title: ...``) by :class:`Origins`.
"""

from __future__ import annotations

import errno
import fnmatch
import json
import os
import stat
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from .errors import Problem, StoreError
from .files import FileBytes, read_regular_file, resolved, stays_inside
from .positions import Loc, Locator, dotted

# What an included file may hold: the store's lists.
LISTS = ("sources", "entities", "events", "figures", "disagreements")
KEY = "include"
# The store's meta key recording the patterns and the files they matched (see ``meta_value``).
META = "include"
_WILDCARDS = frozenset("*?[")


class IncludeError(ValueError):
    """A pattern kztj will not expand, or one that matches nothing, with the reason in words."""


def _has_wildcard(text: str) -> bool:
    return any(c in _WILDCARDS for c in text)


def _name_matches(file_name: str, name: str) -> bool:
    """Whether a file name matches a pattern's name part; ``*`` and ``?`` never match a leading dot, as in a shell."""
    return fnmatch.fnmatchcase(file_name, name) and (name.startswith(".") or not file_name.startswith("."))


NAMES_A_FOLDER = "names a folder; name files, as in articles/*.yaml"


def _split(pattern: str) -> tuple[str, str]:
    """(folder, file-name pattern) of a pattern, checked: relative, inside, wildcards in the name only."""
    if not pattern.strip():
        raise IncludeError("is empty; write a path such as articles/*.yaml")
    if pattern.startswith("/") or Path(pattern).is_absolute():
        raise IncludeError("is an absolute path; included files must sit in the store's folder")
    if "\\" in pattern:  # a Windows folder separator, or an escape fnmatch would not read as one
        raise IncludeError("has a backslash; separate folders with /, as in articles/*.yaml")
    parts = pattern.split("/")
    if any(part == ".." for part in parts):
        raise IncludeError("leads outside the store's folder")
    folder, name = parts[:-1], parts[-1]
    if name in ("", "."):
        raise IncludeError(NAMES_A_FOLDER)
    if any(_has_wildcard(part) for part in folder):
        raise IncludeError("has a wildcard in a folder name; wildcards are allowed in the file name only")
    return "/".join(part for part in folder if part not in ("", ".")), name


def folder_of(pattern: str) -> str:
    """The folder a valid pattern reads, relative to the store's folder ("" for the store's own)."""
    return _split(pattern)[0]


def expand(store_dir: Path, pattern: str, store_path: Path | None = None) -> list[str]:
    """The files a pattern matches, relative to the store's folder, sorted; raises IncludeError.

    ``store_path`` (the main file) is left out of the result.
    """
    folder, name = _split(pattern)
    base = store_dir / folder if folder else store_dir
    try:
        inside = base.resolve().is_relative_to(store_dir.resolve())
    except (OSError, RuntimeError):
        inside = False
    if not inside:
        raise IncludeError("leads outside the store's folder")
    if not _has_wildcard(name):
        # os.stat, not Path.exists(): that says False for a folder kztj may not enter (Python 3.14: any error).
        try:
            if stat.S_ISDIR(os.stat(base / name).st_mode):
                _refuse_outside(store_dir, base / name)  # a link out of the store says so first
                raise IncludeError(NAMES_A_FOLDER)
        except OSError as error:
            if error.errno in (errno.EACCES, errno.EPERM):
                raise IncludeError(f"cannot read {folder or '.'}: {error.strerror}") from None
            if not os.path.lexists(base / name):
                raise IncludeError("no such file") from None
            # A link that leads nowhere or in a loop: reading it says which.
        names = [name]
    else:
        try:
            with os.scandir(base) as listing:
                # A pattern names files: a folder it matches is not read as one (`articles/*` beside articles/old/).
                names = sorted(e.name for e in listing if _name_matches(e.name, name) and not _is_folder(e))
        except FileNotFoundError:
            raise IncludeError(f"matches no file: there is no folder {folder or '.'}") from None
        except OSError as error:
            raise IncludeError(f"cannot list {folder or '.'}: {error.strerror or error}") from None
    own = _resolved(store_path) if store_path is not None else None
    out = []
    for found in names:
        path = base / found
        if own is not None and _resolved(path) == own:
            continue  # the main file (first: it may be a link to a file kept elsewhere)
        _refuse_outside(store_dir, path)
        out.append(f"{folder}/{found}" if folder else found)
    return out


def matches_nothing(patterns: Sequence[str], files: Sequence[str]) -> list[int]:
    """The index of each pattern that matched none of ``files`` (what a build recorded)."""
    out = []
    for index, pattern in enumerate(patterns):
        folder, name = _split(pattern)
        if not _has_wildcard(name):
            continue  # a named file exists (the load checks it), unless it is the main file itself
        names = [rel.rpartition("/")[2] for rel in files if rel.rpartition("/")[0] == folder]
        if not any(_name_matches(n, name) for n in names):
            out.append(index)
    return out


def _refuse_outside(store_dir: Path, path: Path) -> None:
    """Raise IncludeError if ``path`` (a matched file, or a pattern's folder) leads outside the store's folder."""
    if not stays_inside(path, store_dir):  # the rule an article is held to (files.stays_inside)
        loop = " (a symlink loop)" if resolved(path) is None else ""
        raise IncludeError(f"{path.name} leads outside the store's folder{loop}")


def _is_folder(entry: os.DirEntry[str]) -> bool:
    """Whether a folder's entry is a folder (its type, read with the listing); if that cannot be told, a file,
    whose read says why."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def _resolved(path: Path) -> Path | None:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return None


def expand_all(store_dir: Path, patterns: Sequence[str], store_path: Path | None = None) -> list[str]:
    """Every file the patterns match, in order, each once; raises IncludeError naming the pattern."""
    out: list[str] = []
    seen: set[str] = set()
    for pattern in patterns:
        try:
            found = expand(store_dir, pattern, store_path)
        except IncludeError as error:
            raise IncludeError(f"{pattern}: {error}") from None
        for rel in found:
            if rel not in seen:
                seen.add(rel)
                out.append(rel)
    return out


class Part(NamedTuple):
    """One file of the store: the main file (``rel`` empty) or an included one."""

    rel: str
    shown: str
    data: bytes


class Origins:
    """Which file each item of the merged lists came from, and its index there."""

    def __init__(self, parts: list[Part]) -> None:
        self.parts = parts  # the caller's list: a part appended to it is known here
        # key -> [(first merged index, part)], in merged order
        self.segments: dict[str, list[tuple[int, int]]] = {}
        self._locators: dict[int, Locator] = {}

    def add(self, key: str, start: int, part: int) -> None:
        """Items of ``key`` from merged index ``start`` on come from ``part`` (until the next segment)."""
        self.segments.setdefault(key, []).append((start, part))

    def local(self, loc: Loc) -> tuple[int, Loc]:
        """(part, path in that file's data) of a path in the merged data."""
        if len(loc) >= 2 and isinstance(loc[0], str) and isinstance(loc[1], int) and loc[0] in self.segments:
            found = None
            for start, part in self.segments[loc[0]]:
                if start <= loc[1]:
                    found = (start, part)
            if found is not None:
                return found[1], (loc[0], loc[1] - found[0], *loc[2:])
        return 0, loc

    def locator(self, part: int) -> Locator:
        """The Locator of a part's text (a second parse: only a store with problems pays for it)."""
        found = self._locators.get(part)
        if found is None:
            text = self.parts[part].data.decode("utf-8", "replace")
            found = self._locators[part] = Locator(text, self.parts[part].shown)
        return found

    def place(self, found: Sequence[Any]) -> list[Problem]:
        """Problems (``validate.Found``) at their positions in the files they are about, file by file."""
        placed: list[tuple[int, Problem]] = []
        for item in found:
            part, loc = self.local(item.loc)
            message = _renamed(item.message, item.loc, loc)
            other = getattr(item, "other", None)
            if other is not None:
                other_part, other_loc = self.local(other)
                before = f"(first at {dotted(other[:2])})"
                if other_part == part:
                    message = message.replace(before, f"(first at {dotted(other_loc[:2])})")
                else:
                    at = self.locator(other_part).problem(other_loc, "")
                    message = message.replace(before, f"(first at {at.path}:{at.line}:{at.column})")
            placed.append((part, self.locator(part).problem(loc, message, at_key=item.at_key)))
        placed.sort(key=lambda p: (p[0], p[1].line, p[1].column))
        return [problem for _, problem in placed]


def _renamed(message: str, merged: Loc, local: Loc) -> str:
    """The message with its leading ``events[12]`` written as the index in the item's own file."""
    if merged[:2] == local[:2] or len(merged) < 2:
        return message
    before, after = dotted(merged[:2]), dotted(local[:2])
    if message.startswith(before) and message[len(before) : len(before) + 1] in (".", ":", "[", " ", ""):
        return after + message[len(before) :]
    return message


class Read(NamedTuple):
    """The included files, read and parsed, merged into the main file's data."""

    merged: dict[str, Any]
    origins: Origins
    inputs: list[tuple[str, FileBytes]]  # (path relative to the store's folder, bytes as read)
    patterns: list[str]
    files: list[str]


def read_included(
    store_path: Path,
    main: Part,
    raw: dict[str, Any],
    on_event: Callable[[int, Any], Any],
) -> Read | None:
    """Read every file the main file's ``include`` names and merge their lists after the main file's.

    None when the main file has no ``include`` key. ``on_event`` is the loader's event checker,
    called with each event's index in the merged list. Raises StoreError with every problem of the
    patterns and of the included files themselves (reading, YAML, top-level shape); problems of
    their items are left to the validator, which sees the merged data.
    """
    from . import yamlparse

    if KEY not in raw:
        return None
    value = raw[KEY]
    patterns = [p for p in value if isinstance(p, str)] if isinstance(value, list) else []
    store_dir = store_path.parent
    parts = [main]
    origins = Origins(parts)
    problems: list[Problem] = []
    files: list[str] = []
    seen: set[str] = set()
    for index, pattern in enumerate(value if isinstance(value, list) else []):
        if not isinstance(pattern, str):
            continue  # the schema reports it
        try:
            found = expand(store_dir, pattern, store_path)
        except IncludeError as error:
            shown_pattern = f"{pattern}: " if pattern.strip() else ""
            problems.append(origins.locator(0).problem((KEY, index), f"{KEY}[{index}]: {shown_pattern}{error}"))
            continue
        for rel in found:
            if rel not in seen:
                seen.add(rel)
                files.append(rel)
    if problems:
        raise StoreError(problems)
    merged = dict(raw)
    for key in LISTS:
        if isinstance(raw.get(key), list):
            merged[key] = list(raw[key])
            origins.add(key, 0, 0)
    inputs: list[tuple[str, FileBytes]] = []
    for rel in files:
        path = store_dir / rel
        shown = str(path)
        try:
            read = yamlparse.read_store(path)
            yamlparse.check_utf8(read.data, shown)
            base = len(merged["events"]) if isinstance(merged.get("events"), list) else 0
            data = yamlparse.parse(read.data, shown, on_event=_shifted(on_event, base))
        except StoreError as error:
            problems += error.problems
            continue
        inputs.append((rel, read))
        part = len(parts)
        parts.append(Part(rel, shown, read.data))
        if data is None:
            message = "the included file is empty; expected a mapping of lists (events: ...)"
            problems.append(Problem(shown, 1, 1, message))
            continue
        if not isinstance(data, dict):
            message = f"expected a mapping of lists (events: ...) at the top level, got {type(data).__name__}"
            problems.append(Problem(shown, 1, 1, message))
            continue
        for key, items in data.items():
            if key not in LISTS:
                if key == KEY:
                    why = "an included file cannot include others; list every pattern in the main store file"
                elif key in ("title", "description"):
                    why = f"'{key}' belongs in the main store file"
                else:
                    why = f"unknown key '{key}'; an included file holds only {', '.join(LISTS)}"
                problems.append(origins.locator(part).problem((key,), why, at_key=True))
                continue
            if not isinstance(items, list):
                problems.append(origins.locator(part).problem((key,), f"{key}: expected a list"))
                continue
            if key not in merged:
                merged[key] = []
                origins.add(key, 0, 0)
            if not isinstance(merged[key], list):
                continue  # the main file's own value is not a list: the schema reports it
            origins.add(key, len(merged[key]), part)
            merged[key] += items
    if problems:
        raise StoreError(problems)
    return Read(merged, origins, inputs, patterns, files)


def _shifted(on_event: Callable[[int, Any], Any], base: int) -> Callable[[int, Any], Any]:
    """The event checker for a file whose events start at ``base`` in the merged list."""

    def call(index: int, item: Any) -> Any:
        return on_event(base + index, item)

    return call


def meta_value(patterns: Sequence[str], files: Sequence[str]) -> str:
    """What the cache records of the includes: the patterns, and the files they matched when it was built.

    ASCII JSON: a file name that is not UTF-8 (its bytes kept as lone surrogates) is written as ``\\udcXX``,
    which SQLite's text can hold and ``json.loads`` gives back as the same name.
    """
    return json.dumps({"patterns": list(patterns), "files": list(files)})


def recorded(meta: Mapping[str, str]) -> tuple[list[str], list[str]]:
    """(patterns, files) as a build recorded them; empty when the store has no includes."""
    try:
        value = json.loads(meta.get(META, "null"))
        if isinstance(value, dict):
            return [str(p) for p in value["patterns"]], [str(f) for f in value["files"]]
    except (ValueError, KeyError, TypeError):
        pass
    return [], []


def still_matches(store_path: Path, meta: Mapping[str, str]) -> bool:
    """Whether the recorded patterns still match exactly the recorded files (a new article file is noticed)."""
    patterns, files = recorded(meta)
    if not patterns:
        return True
    try:
        return expand_all(store_path.parent, patterns, store_path) == files
    except IncludeError:
        return False


def included_paths(store_path: Path, meta: Mapping[str, str]) -> list[Path]:
    """The included files of a build, as paths."""
    return [store_path.parent / rel for rel in recorded(meta)[1]]


def watched_folders(store_path: Path, meta: Mapping[str, str]) -> list[Path]:
    """The folders the patterns read: a file added to or removed from one changes the folder."""
    out: list[Path] = []
    for pattern in recorded(meta)[0]:
        try:
            folder = folder_of(pattern)
        except IncludeError:
            continue
        path = store_path.parent / folder if folder else store_path.parent
        if path not in out:
            out.append(path)
    return out


def would_include(store_path: Path, meta: Mapping[str, str], target: Path) -> bool:
    """Whether one of the store's include patterns names ``target`` (which need not exist yet)."""
    try:
        parent = target.absolute().parent.resolve()
    except (OSError, RuntimeError):
        return False
    for pattern in recorded(meta)[0]:
        try:
            folder, name = _split(pattern)
            base = (store_path.parent / folder).resolve()
        except (IncludeError, OSError, RuntimeError):
            continue
        if base == parent and _name_matches(target.name, name):
            return True
    return False


def read_texts(store_path: Path, meta: Mapping[str, str], limit: int = 2 << 30) -> list[tuple[str, str]]:
    """(shown path, text) of each included file as it is now; a file that cannot be read is left out."""
    out = []
    for path in included_paths(store_path, meta):
        try:
            out.append((str(path), read_regular_file(path, limit).data.decode("utf-8", "replace")))
        except (OSError, ValueError):
            continue
    return out
