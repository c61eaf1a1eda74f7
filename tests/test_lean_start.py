"""What a warm command runs instead of typing and re, held to what those do.

The query tokenizer and word splitter were regular expressions, and the quick path's named tuples
were typing's: the expressions stay here as the specification the hand-written code must meet.
"""

from __future__ import annotations

import pickle
import re
import typing

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kztj_tui import query
from kztj_tui.lean_typing import NamedTuple

# The expressions query.py used before (the specification).
WORD = re.compile(r"[^\W_]+")
TOKEN = re.compile(r'(?P<neg>-?)(?:(?P<field>[A-Za-z]+):)?(?:"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+))')

# Characters the rules turn on: quotes, dashes, colons, every kind of space, letters and digits of
# several scripts, and a few that are neither (the underscore is a word character to \w, not to WORD).
QUERY_TEXT = st.text(
    alphabet=st.sampled_from([*" \t\n\u00a0\u2003\x1c", *'-:"*_./', *"aZtgOR", *"éßİжا中٣²½", "\u0301", "\u200d"]),
    max_size=30,
)


def _as_regex_saw_it(match: re.Match[str]) -> tuple[object, ...]:
    return (match.start(), match.end(), bool(match["neg"]), match["field"], match["phrase"], match["word"])


@settings(max_examples=3000)
@given(QUERY_TEXT)
def test_tokens_are_what_the_expression_found(text: str) -> None:
    assert [tuple(token) for token in query.tokens(text)] == [_as_regex_saw_it(m) for m in TOKEN.finditer(text)]


@pytest.mark.parametrize(
    "text",
    ["-", "- x", "--x", "tag:", "tag: x", 'tag:"a b', '-"', "a:b:c", "http://x", '"', '""', "x-y -z", "OR NOT -tag:t"],
)
def test_tokens_on_the_edges(text: str) -> None:
    assert [tuple(token) for token in query.tokens(text)] == [_as_regex_saw_it(m) for m in TOKEN.finditer(text)]


@settings(max_examples=3000)
@given(QUERY_TEXT)
def test_words_are_what_the_expression_found(text: str) -> None:
    assert query.words(text) == WORD.findall(text)


@given(st.text(max_size=8))
def test_a_year_is_four_ascii_digits(value: str) -> None:
    try:
        query.parse(f"year:{value}")
        accepted = True
    except query.QueryError:
        accepted = False
    if not value.strip() or value.strip() != value or any(c.isspace() or c == '"' for c in value):
        return  # the tokenizer, not the year rule, decides these
    assert accepted == bool(re.fullmatch(r"[0-9]{4}", value))


class Lean(NamedTuple):
    """A named tuple made without typing."""

    name: str
    count: int = 0

    @classmethod
    def of(cls, name: str) -> Lean:
        return cls(name, len(name))

    def doubled(self) -> int:
        return self.count * 2


class Typed(typing.NamedTuple):
    """The same, made by typing."""

    name: str
    count: int = 0

    @classmethod
    def of(cls, name: str) -> Typed:
        return cls(name, len(name))

    def doubled(self) -> int:
        return self.count * 2


def test_a_lean_named_tuple_is_what_typing_makes() -> None:
    lean, typed = Lean.of("abc"), Typed.of("abc")
    assert tuple(lean) == tuple(typed) and lean.doubled() == typed.doubled() == 6
    assert lean._fields == typed._fields and lean._field_defaults == typed._field_defaults == {"count": 0}
    assert Lean("x") == ("x", 0) and lean._replace(count=1) == ("abc", 1) and lean._asdict() == typed._asdict()
    assert (repr(lean), Lean.__module__) == ("Lean(name='abc', count=3)", __name__)
    assert (Lean.__doc__, Typed.__doc__) == ("A named tuple made without typing.", "The same, made by typing.")
    assert typing.get_type_hints(Lean) == typing.get_type_hints(Typed) == {"name": str, "count": int}
    assert type(Lean) is type
    assert pickle.loads(pickle.dumps(lean)) == lean and Lean.__mro__ == (Lean, tuple, object)


def test_a_lean_named_tuple_refuses_what_typing_refuses() -> None:
    with pytest.raises(TypeError):

        class DefaultFirst(NamedTuple):
            first: int = 0
            second: int  # type: ignore[misc]

    with pytest.raises(AttributeError):

        class Overwrites(NamedTuple):
            name: str

            def _asdict(self) -> dict[str, object]:  # type: ignore[override]
                return {}


def test_a_lean_named_tuple_takes_no_other_base() -> None:
    class Mixin:
        pass

    with pytest.raises(TypeError):

        class Mixed(NamedTuple, Mixin):  # type: ignore[misc]
            name: str

    with pytest.raises(AttributeError):

        class Sourced(NamedTuple):
            name: str
            _source = "what typing refuses too"


def test_an_expression_is_compiled_when_first_read_and_then_kept() -> None:
    from kztj_tui.text import Compiled

    class Patterns:
        digits = Compiled(r"\d+")

    assert isinstance(Patterns.__dict__["digits"], Compiled)  # nothing compiled yet
    first = Patterns().digits
    assert first.findall("a1b22") == ["1", "22"]
    assert Patterns.__dict__["digits"] is first  # the class now holds the pattern itself
    assert Patterns().digits is first


def test_text_compiles_no_expression_on_import() -> None:
    import subprocess
    import sys

    code = "import sys, kztj_tui.text as t; print('re' in sys.modules); t.visible('\\x1b'); print('re' in sys.modules)"
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert shown == ["False", "True"]


@given(st.binary(max_size=300))
@example(bytes(range(256)))  # the longest it computes itself
@example(bytes(range(256)) + b"/")  # one byte more: zlib's
def test_the_cache_folders_checksum_is_zlibs(data: bytes) -> None:
    import zlib

    from kztj_tui.cachefiles import crc32

    assert crc32(data) == zlib.crc32(data)


def test_lean_sqlite_is_sqlite3s_own_classes() -> None:
    import sqlite3

    from kztj_tui.lean_sqlite import sqlite3 as lean

    assert (lean.connect, lean.Connection, lean.DatabaseError, lean.Error) == (
        sqlite3.connect,
        sqlite3.Connection,
        sqlite3.DatabaseError,
        sqlite3.Error,
    )


def test_lean_sqlite_falls_back_to_sqlite3_without_its_c_module() -> None:
    import subprocess
    import sys

    # sqlite3 first (it needs the C module), then the C module made unimportable, as where it does not exist.
    code = (
        "import sqlite3, sys\n"
        "sys.modules['_sqlite3'] = None\n"
        "from kztj_tui.lean_sqlite import sqlite3 as lean\n"
        "print(lean is sqlite3, lean.connect(':memory:').execute('SELECT 41 + 1').fetchone()[0])\n"
    )
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert shown == ["True", "42"]
