"""The store parser reads YAML as PyYAML's own safe loader does, and refuses what it refuses.

``yamlparse`` builds data from libyaml's events with shortcuts of its own (it keeps what short
plain scalars resolve to, and adds values inline); these tests compare it, value for value and
type for type, with ``yaml.load(..., CSafeLoader)`` followed by the same text sanitising; where
YAML 1.1 and 1.2 read a plain scalar differently (timestamps, integers not written in plain decimal)
both keep its text.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kztj_tui import yamlparse
from kztj_tui.errors import StoreError
from kztj_tui.text import sanitize

from .conftest import BUNDLED, REPO


class _Reference(yaml.CSafeLoader):
    """PyYAML's safe loader, keeping the text where YAML 1.1 and 1.2 disagree, as kztj does."""


def _timestamp_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    return str(node.value)


def _int_unless_odd(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    # Only plain decimal is an integer in both YAML versions; 1_000, 0x1F, 017 and 1:30 stay text.
    if re.fullmatch(r"[-+]?(?:0|[1-9][0-9]*)", node.value, re.ASCII):
        return yaml.SafeLoader.construct_yaml_int(loader, node)
    return str(node.value)


_Reference.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_text)
_Reference.add_constructor("tag:yaml.org,2002:int", _int_unless_odd)


def reference(text: str) -> Any:
    """PyYAML's safe loader (timestamps and odd integers as text), every string sanitised as kztj sanitises it."""
    return _sanitized(yaml.load(text, Loader=_Reference))


def _sanitized(value: Any) -> Any:
    if isinstance(value, str):
        return sanitize(value)
    if isinstance(value, list):
        return [_sanitized(v) for v in value]
    if isinstance(value, dict):
        out = {_key(_sanitized(k)): _sanitized(v) for k, v in value.items()}
        if len(out) < len(value):
            raise Refused("two keys are one once sanitised: kztj reports a duplicate key")
        return out
    return value


class Refused(Exception):
    """The reference sees a document kztj must refuse."""


def _key(key: Any) -> Any:
    # kztj's one departure: a key that is not a plain value (a date, say) is kept as its repr.
    return key if isinstance(key, (str, int, float, bool)) or key is None else repr(key)


def typed(value: Any) -> Any:
    """Value with the type of every leaf spelled out, so True never equals 1 nor 1.0 equals 1."""
    if isinstance(value, list):
        return [typed(v) for v in value]
    if isinstance(value, dict):
        return [(typed(k), typed(v)) for k, v in value.items()]
    if isinstance(value, float) and value != value:
        return ("float", "nan")
    return (type(value).__name__, value)


def ours(text: str) -> Any:
    return yamlparse.parse(text.encode("utf-8"), "store.yaml")


def assert_same_reading(text: str) -> None:
    try:
        expected = reference(text)
    except (yaml.YAMLError, TypeError, Refused):
        with pytest.raises(StoreError):
            ours(text)
        return
    assert typed(ours(text)) == typed(expected)


def test_bundled_store_reads_as_the_safe_loader_reads_it() -> None:
    assert_same_reading(BUNDLED.read_text(encoding="utf-8"))


def test_generated_store_reads_as_the_safe_loader_reads_it(tmp_path: Path) -> None:
    out = tmp_path / "gen.yaml"
    subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "make_store.py"), "300", str(out)], check=True, capture_output=True
    )
    text = out.read_text(encoding="utf-8")
    assert "date: 1993" in text  # unquoted dates: the scalars the plain-value memo serves most
    assert_same_reading(text)


SCALARS = [
    "0x1F",
    "0o17",
    "017",
    "0b101",
    "1_000",
    "1:30",
    "190:20:30",
    "1e3",
    "1.5e+3",
    "6.8523015e+5",
    ".5",
    "+12",
    "-0",
    ".inf",
    "-.Inf",
    ".NaN",
    "yes",
    "No",
    "ON",
    "off",
    "y",
    "n",
    "True",
    "FALSE",
    "~",
    "null",
    "Null",
    "",
    "2001-12-14",
    "2001-12-14t21:59:43.10-05:00",
    "2001-12-14 21:59:43.10",
    "2002-12-14T21:59:43Z",
    "2021-13-01",
    "1993-02-30",
    "12:30:00",
    "'quoted ''twice'''",
    '"tab\\there \\u00e9 \\x41 \\N \\_ \\L \\P"',
    '"2001-12-14"',
    "'yes'",
    "plain with: colon-less text",
    "é́ composed",
]


@pytest.mark.parametrize("scalar", SCALARS)
def test_each_scalar_resolves_as_the_safe_loader_resolves_it(scalar: str) -> None:
    # Twice as a value, once as a key and in a list: the second use comes from the memo.
    assert_same_reading(f"a: {scalar}\nb: {scalar}\nc:\n- {scalar}\n- {scalar}\n? {scalar}\n: x\n")


@pytest.mark.parametrize(
    "text",
    [
        "a: |\n  one\n  two\n\n",
        "a: |-\n  one\n  two\n\n",
        "a: |+\n  one\n  two\n\n",
        "a: >\n  folded\n  lines\n\n  para\n",
        "a: >-\n  folded\n  lines\n",
        "a: |2\n    indented\n  less\n",
        "a: plain\n  continued\n\n  after blank\n",
        "a: 'single\n  continued'\n",
        'a: "double \\\n  escaped break"\n',
        "\ufeffa: bom\n",
        "a: crlf\r\nb: two\r\n",
        "a: 1 # comment\n# whole line\nb: 2\n",
        "a: [1, yes, '2', {b: c}]\n",
        "{a: 1, b: [x, y]}\n",
        "- a\n- - b\n  - c\n",
        "a:\n  b:\n    c: deep\n",
        "a:\n",
        "a: \u2028x\n",
        "a: \x85next\n",
        # Text of 24 characters or more (not kept by the builder) with what sanitize changes, or keeps.
        "a: a long plain scalar of text\twith a tab inside\n",
        "a: a long plain scalar of text é, and more\n",
        "a: a long plain scalar of text \u2028 and a separator\n",
        "a: a long plain scalar of text\x85next line\n",
        "a: a long plain scalar\n  folded over two lines\n",
        "a: 'a quoted text\twith a tab, long enough'\n",
        'a: "escapes: \\x07 bell, \\t tab, \\x7f delete, \\e escape"\n',
        'a: "escapes: \\u200b zero width, \\x07 bell"\n',
        "a: |\n  a literal block\n  \tof two lines\n",
    ],
)
def test_each_style_reads_as_the_safe_loader_reads_it(text: str) -> None:
    assert_same_reading(text)


TOKENS = st.text(alphabet="0123456789-+:._eExXoObByYnNtTrRuUfFaAlLsS~ éй'\"#", max_size=14)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TOKENS, min_size=1, max_size=6))
def test_generated_plain_and_quoted_scalars_read_as_the_safe_loader_reads_them(tokens: list[str]) -> None:
    lines = []
    for i, token in enumerate(tokens):
        lines += [f"a{i}: {token}", f"b{i}: {token}", f"c{i}: '{token}'", f"d{i}: [{token}]"]
    assert_same_reading("\n".join(lines) + "\n")


@settings(max_examples=150, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.dates() | st.text(max_size=30),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
        max_leaves=20,
    ),
    st.sampled_from([None, "'", '"', "|", ">"]),
    st.sampled_from([True, False]),
)
def test_dumped_documents_read_back_as_the_safe_loader_reads_them(data: Any, style: str | None, flow: bool) -> None:
    text = yaml.safe_dump({"root": data}, default_style=style, default_flow_style=flow, allow_unicode=True, width=20)
    assert_same_reading(text)


def test_printable_ascii_is_what_sanitize_leaves_as_it_is() -> None:
    # The builder takes printable ASCII text as it is, without asking sanitize (a third of the time).
    for code in range(128):
        text = f"a{chr(code)}b"
        if text.isprintable():
            assert sanitize(text) is text


def test_generated_store_values_keep_their_types() -> None:
    data = ours("sources:\n- published: 2023-05-05\n  n: 3\n- published: 2023-05-05\n  n: '3'\n")
    first, second = data["sources"]
    assert first["published"] == second["published"] == "2023-05-05"
    assert (first["n"], second["n"]) == (3, "3")


@pytest.mark.parametrize(
    ("plain", "expected"),
    [
        ("1993-01-07 10:00:00", "1993-01-07 10:00:00"),  # YAML 1.1: a datetime, its time dropped by kztj before
        ("2023-05-04T23:30:00-05:00", "2023-05-04T23:30:00-05:00"),
        ("1993-1-7", "1993-1-7"),  # YAML 1.1: 7 January 1993
        ("1993-01-07", "1993-01-07"),
        ("1_993", "1_993"),  # YAML 1.1: the integer 1993
        ("0777", "0777"),  # YAML 1.1: octal 511
        ("0x7E7", "0x7E7"),
        ("0b11111001111", "0b11111001111"),
        ("33:13", "33:13"),  # YAML 1.1: sexagesimal 1993
        ("1993", 1993),
        ("+1993", 1993),
        ("-7", -7),
        ("0", 0),
    ],
)
def test_scalars_yaml_versions_read_differently_stay_text(plain: str, expected: object) -> None:
    # YAML 1.2, which editors checking the JSON Schema use, reads none of these texts as a date or
    # (but for plain decimal) an integer; neither does kztj, so it never reads a value an editor does not show.
    assert typed(ours(f"a: {plain}\n")) == typed({"a": expected})


def problems(text: str) -> list[str]:
    with pytest.raises(StoreError) as caught:
        ours(text)
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: !!python/object:os.system x\n", "store.yaml:1:4: YAML: tag !!python/object:os.system is not allowed"),
        ("a: &x 1\nb: *x\n", "store.yaml:1:4: YAML anchor &x is not allowed"),
        ("a: 1\na: 2\n", "store.yaml:2:1: duplicate key 'a' in the same mapping"),
        ("a: 1\n---\nb: 2\n", "store.yaml:2:1: expected one YAML document, found another ('---')"),
        ("a: <<\n", "store.yaml:1:4: YAML: tag !!merge is not allowed"),
    ],
)
def test_refusals_are_one_line_with_a_position(text: str, expected: str) -> None:
    found = problems(text)
    assert found[0].startswith(expected)
    assert all("\n" not in line for line in found)


def test_billion_laughs_is_refused_without_expanding() -> None:
    laughs = 'a: &a ["lol","lol"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n'
    assert any("anchor &a is not allowed" in line for line in problems(laughs))


def test_a_refused_plain_scalar_is_reported_at_every_use() -> None:
    # The plain-value memo must not serve a refused scalar silently the second time.
    assert [p.split(": ", 1)[0] for p in problems("a: =\nb: =\nc: =\n")] == [
        "store.yaml:1:4",
        "store.yaml:2:4",
        "store.yaml:3:4",
    ]
