"""Read a store file's bytes and turn libyaml's event stream into plain Python data.

PyYAML's own constructor spends most of a large load in generic Python machinery; the loop
here needs a fraction of that. It also refuses tags, anchors and aliases without expanding
them (billion laughs, cycles), reports duplicate keys and extra documents, strips control
characters as it goes, and is iterative, so deep nesting cannot exhaust the stack.

Items of the top-level ``events`` list can be handed to a callback as soon as each is
complete, so the loader validates and converts them while parsing instead of holding the
whole document, its models and its events at once.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import collection
from .errors import Problem, Progress, StoreError
from .files import FileBytes, read_regular_file
from .text import sanitize, visible

_STANDARD_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_COLLECTION_TAGS = {None, "!", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
# Where YAML 1.1 (PyYAML) and YAML 1.2 (every editor checking the JSON Schema) read a scalar
# differently, kztj keeps the text: a plain timestamp (1993-01-07 10:00:00, 1993-1-7), which 1.2
# reads as a string, and an integer other than plain decimal (1_993, 0777 is 511 in 1.1, 0x7E7,
# 0b1, 1:30). Otherwise a time would be dropped, or digits read as another number than an editor shows.
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)", re.ASCII)
MAX_DEPTH = 64
TOO_DEEP = f"YAML is nested more than {MAX_DEPTH} levels deep"

# Called with (index in the events list, the item's data); whatever it returns is kept in its place.
EventSink = Callable[[int, Any], Any]


# A store is text a person edits; anything near this size is a mistake or an attack.
MAX_STORE_BYTES = 2 << 30


def read_store(path: Path) -> FileBytes:
    """Read the store file, turning every OS failure into a Problem at 1:1."""
    shown = str(path)
    try:
        read = read_regular_file(path, MAX_STORE_BYTES)
    except FileNotFoundError:
        raise StoreError([Problem(shown, 1, 1, "no such file")]) from None
    except PermissionError:
        raise StoreError([Problem(shown, 1, 1, "permission denied")]) from None
    except ValueError as error:
        raise StoreError([Problem(shown, 1, 1, str(error))]) from None
    except OSError as error:
        raise StoreError([Problem(shown, 1, 1, f"cannot read: {error.strerror or error}")]) from None
    return read


def position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character index in text."""
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def check_utf8(data: bytes, shown: str, piece: int = 1 << 20) -> None:
    """Raise a one-line Problem at the first byte that is not UTF-8 (checked ``piece`` bytes at a time)."""
    if _is_utf8(data, piece):
        return
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start].decode("utf-8", "replace")
        line, column = position(before, len(before))  # a character index: the bytes before may be multi-byte
        message = f"not UTF-8: byte 0x{data[error.start]:02x} cannot be decoded"
        raise StoreError([Problem(shown, line, column, message)]) from None


def _is_utf8(data: bytes, piece: int) -> bool:
    """Whether data is UTF-8, checked a piece at a time: an ASCII piece needs no decoding, and no string
    of the whole file is made (at 300,000 events that string alone cost 0.4 s)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(data), piece):
            chunk = data[start : start + piece]
            if not chunk.isascii() or decoder.getstate()[0]:  # a sequence cut by the last piece goes on here
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


class _ProgressReader:
    """A file-like view of bytes that reports how far libyaml has read."""

    def __init__(self, data: bytes, progress: Progress | None) -> None:
        self._data = data
        self._pos = 0
        self._progress = progress
        self._next_report = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._data) if size < 0 else self._pos + size
        chunk = self._data[self._pos : end]
        self._pos += len(chunk)
        if self._progress and self._pos >= self._next_report:
            self._progress("parsing", self._pos / max(1, len(self._data)))
            self._next_report = self._pos + (1 << 20)
        return chunk


def _yaml_message(error: Any, data: bytes) -> str:
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None)
    mark = getattr(error, "problem_mark", None)
    if mark is not None and _char_at(data, mark) == "\t":
        return "YAML: tab character where YAML expects spaces (indent with spaces only)"
    if "maximum nesting depth" in problem:
        # libyaml 0.2.6 stops at its own depth limit, and reads far enough ahead to reach it first.
        return TOO_DEEP
    message = f"YAML syntax error: {problem}"
    if context:
        message += f" ({context})"
    return message


def _char_at(data: bytes, mark: Any) -> str:
    """The character at a libyaml mark (line and column count characters, not bytes)."""
    lines = data.split(b"\n", mark.line + 1)
    if mark.line >= len(lines):
        return ""
    line = lines[mark.line].decode("utf-8", "replace")
    return line[mark.column] if mark.column < len(line) else ""


class _Builder:
    """Builds plain Python data from libyaml's events, collecting problems as it goes."""

    def __init__(self, path: str, on_event: EventSink | None, outline: list[int] | None = None) -> None:
        import yaml

        self.yaml = yaml
        self.path = path
        self.on_event = on_event
        self.outline = outline
        self.problems: list[Problem] = []
        self._anchors: set[str] = set()
        self._constructor = yaml.constructor.SafeConstructor()
        self._resolver_starts: frozenset[str] | None = None

    def _problem(self, mark: Any, message: str) -> None:
        self.problems.append(Problem(self.path, mark.line + 1, mark.column + 1, message))

    def _refuse_tag(self, tag: str, mark: Any) -> None:
        name = tag.replace("tag:yaml.org,2002:", "!!")
        self._problem(mark, f"YAML: tag {name} is not allowed; kztj reads plain data only")

    def _refuse_anchor(self, event: Any, alias: bool) -> None:
        if event.anchor in self._anchors:
            return
        self._anchors.add(event.anchor)
        what = f"alias *{event.anchor}" if alias else f"anchor &{event.anchor}"
        self._problem(event.start_mark, f"YAML {what} is not allowed (anchors and aliases can explode or loop)")

    def _scalar(self, loader: Any, event: Any) -> Any:
        value = event.value
        tag = event.tag
        if tag is None or tag == "!":
            if event.style or not event.implicit[0]:  # libyaml reports plain style as ""
                return sanitize(value)
            if self._resolver_starts is not None and value[:1] not in self._resolver_starts:
                return sanitize(value)  # no implicit type starts with this character: resolve() says str
            tag = loader.resolve(self.yaml.ScalarNode, value, event.implicit)
        if tag in (_STR, _TIMESTAMP) or (tag == _INT and not _DECIMAL.fullmatch(value)):
            return sanitize(value)
        if tag not in _STANDARD_TAGS:
            self._refuse_tag(tag, event.start_mark)
            return None
        node = self.yaml.ScalarNode(tag, value, event.start_mark, event.end_mark)
        try:
            return self._constructor.construct_object(node)
        except (ValueError, OverflowError, self.yaml.YAMLError):
            return sanitize(value)

    def build(self, loader: Any) -> Any:
        """Consume every event and return the document's data."""
        yaml = self.yaml
        scalar_event, mapping_start, sequence_start = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
        mapping_end, sequence_end, alias_event = yaml.MappingEndEvent, yaml.SequenceEndEvent, yaml.AliasEvent
        document_start, stream_end = yaml.DocumentStartEvent, yaml.StreamEndEvent
        get_event = loader.get_event
        # The resolver picks its candidate types by a plain scalar's first character, and finds none
        # for most text (titles, summaries, quotes): such a scalar is text without asking it.
        resolvers = loader.yaml_implicit_resolvers
        self._resolver_starts = None if None in resolvers or loader.yaml_path_resolvers else frozenset(resolvers)
        resolver_starts = self._resolver_starts
        missing = object()
        # The state of the container being filled lives in locals (4.4 million events at 100,000 events
        # make every lookup count): ``parent``, whether it is a list, its pending mapping key (``missing``
        # when the next value is a key) and that key's mark. ``stack`` saves the enclosing containers' states.
        stack: list[tuple[Any, bool, Any, Any]] = []
        parent: Any = None  # None at the top
        in_list = False
        key: Any = missing
        key_mark: Any = None
        root: Any = None
        documents = 0
        on_event = self.on_event
        outline = self.outline
        events_list: Any = None  # the top-level events sequence, once it is open
        # Items of the events list are outlined: this is the events list once it opens, if outlined.
        outlined: Any = missing
        # Plain scalars repeat (every key, every status, every date): keep what short ones resolve to.
        # Only immutable values (str, int, float, bool, None, dates) are kept, so sharing them is safe.
        plain: dict[str, Any] = {}
        scalar = self._scalar
        problems = self.problems

        while True:
            event = get_event()
            kind = event.__class__
            if parent is outlined and kind is not sequence_end:
                outline.append(event.start_mark.line)  # type: ignore[union-attr]  # an item of the events list starts here
            if kind is scalar_event:
                if event.anchor:
                    self._refuse_anchor(event, alias=False)
                text = event.value
                if event.tag is not None:
                    value = scalar(loader, event)
                elif event.style:  # quoted, literal or folded, untagged: text
                    # Printable ASCII is what sanitize leaves as it is, told in a third of its time.
                    value = text if text.isascii() and text.isprintable() else sanitize(text)
                elif len(text) < 24 and event.implicit[0]:
                    value = plain.get(text, missing)
                    if value is missing:
                        reported = len(problems)
                        value = scalar(loader, event)
                        if len(problems) == reported:  # a refused scalar is reported at every use
                            plain[text] = value
                elif resolver_starts is not None and text[:1] not in resolver_starts:
                    # Plain text no implicit type starts with (see _scalar): most titles, summaries, quotes.
                    value = text if text.isascii() and text.isprintable() else sanitize(text)
                else:
                    value = scalar(loader, event)
                mark = None  # the event's start mark, read only when needed
            elif kind is mapping_end or kind is sequence_end:
                value = parent
                if value is events_list and outline is not None:
                    outline.append(event.start_mark.line)  # where the events list ends
                mark = key_mark
                parent, in_list, key, key_mark = stack.pop()
            elif kind is mapping_start or kind is sequence_start:
                if event.anchor:
                    self._refuse_anchor(event, alias=False)
                if event.tag not in _COLLECTION_TAGS:
                    self._refuse_tag(event.tag, event.start_mark)
                if len(stack) >= MAX_DEPTH:
                    # Deeper YAML is never a store, and recursive code further on would overflow the C stack.
                    self._problem(event.start_mark, TOO_DEEP)
                    break
                if kind is mapping_start:
                    container: Any = {}
                else:
                    container = []
                    if len(stack) == 1 and key == "events":
                        events_list = container
                        if outline is not None:
                            outlined = container
                stack.append((parent, in_list, key, key_mark))
                parent, in_list, key, key_mark = container, kind is sequence_start, missing, event.start_mark
                continue
            elif kind is alias_event:
                self._refuse_anchor(event, alias=True)
                value, mark = None, event.start_mark
            elif kind is document_start:
                documents += 1
                if documents > 1:
                    self._problem(event.start_mark, "expected one YAML document, found another ('---')")
                    break
                continue
            elif kind is stream_end:
                break
            else:
                continue
            # Add the finished value to its parent: the document, a list, or a mapping as key or value.
            if in_list:
                if parent is events_list and on_event is not None:
                    value = on_event(len(parent), value)
                parent.append(value)
            elif parent is None:
                root = value
            elif key is missing:
                key = value if isinstance(value, (str, int, float, bool)) or value is None else repr(value)
                key_mark = event.start_mark if mark is None else mark
            else:
                if key in parent:
                    self._problem(key_mark, f"duplicate key '{key}' in the same mapping")
                elif key == "file" and kind is scalar_event and value != event.value:
                    # Text is cleaned as it is read (see sanitize); a file name that changed would name another
                    # file, so it is refused, shown as written.
                    self._problem(event.start_mark, _unclean_file_name(event.value, value))
                parent[key] = value
                key = missing
        return root


def _unclean_file_name(written: str, cleaned: str) -> str:
    """Why a file name that sanitize() changed is refused."""
    if unicodedata.normalize("NFC", written) == cleaned:
        return f"file name is not in Unicode NFC form: write it as {visible(cleaned)}"
    return f"file name has control or invisible characters: {visible(written)}"


def parse(
    data: bytes,
    path: str,
    progress: Progress | None = None,
    on_event: EventSink | None = None,
    outline: list[int] | None = None,
) -> Any:
    """Parse a YAML document into plain data; raise StoreError with every problem found.

    ``outline``, when given, receives the 0-based line where each item of the top-level events
    list starts, then the line where the list ends.
    """
    import yaml

    builder = _Builder(path, on_event, outline)
    loader = yaml.CSafeLoader(_ProgressReader(data, progress))  # type: ignore[arg-type]
    try:
        with collection.paused():
            root = builder.build(loader)
    except yaml.reader.ReaderError as error:
        before = data[: error.position].decode("utf-8", "replace")
        line, column = position(before, len(before))
        char = error.character if isinstance(error.character, int) else ord(str(error.character)[:1] or "?")
        message = f"character U+{char:04X} is not allowed in YAML ({error.reason})"
        raise StoreError([*builder.problems, Problem(path, line, column, message)]) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        raise StoreError([*builder.problems, Problem(path, line, column, _yaml_message(error, data))]) from None
    except yaml.YAMLError as error:
        raise StoreError([*builder.problems, Problem(path, 1, 1, _yaml_message(error, data))]) from None
    finally:
        loader.dispose()
    if builder.problems:
        raise StoreError(sorted(builder.problems, key=lambda p: (p.line, p.column)))
    return root
