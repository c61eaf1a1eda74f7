"""Issue 7: the query engine obeys its operators for fields too, and no input makes it crash."""

from __future__ import annotations

import contextlib
import io
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kztj_tui import query
from kztj_tui.cli import main
from kztj_tui.model import Filters
from kztj_tui.store import Store
from kztj_tui.tui.incremental import typing_query


def ids(store: Store, text: str) -> set[str]:
    return {store.event_at(r).id for r in store.search(Filters(query=text)).rowids}


def every(store: Store) -> set[str]:
    return ids(store, "")


def with_tag(store: Store, tag: str) -> set[str]:
    return {store.event_at(r).id for r in store.search(Filters(tags=(tag,))).rowids}


def in_year(store: Store, year: int) -> set[str]:
    return {
        store.event_at(r).id
        for r in store.search(Filters()).rowids
        if store.event_at(r).start[:4] <= str(year) <= store.event_at(r).end[:4]
    }


def test_negated_tag_excludes_it(store: Store) -> None:
    trade = with_tag(store, "trade")
    assert trade and ids(store, "-tag:trade") == every(store) - trade
    assert ids(store, "NOT tag:trade") == every(store) - trade


def test_negated_year_excludes_it(store: Store) -> None:
    assert ids(store, "NOT year:2023") == every(store) - in_year(store, 2023)
    assert ids(store, "-year:2023") == every(store) - in_year(store, 2023)


def test_fields_join_with_or(store: Store) -> None:
    trade, culture = with_tag(store, "trade"), with_tag(store, "culture")
    assert ids(store, "tag:trade OR tag:culture") == trade | culture
    assert ids(store, "wheat OR tag:culture") == ids(store, "wheat") | culture
    assert culture - ids(store, "wheat")  # the OR really widened the result


@pytest.mark.parametrize(
    ("a", "b"), [("year:2023 from:2020", "from:2020 year:2023"), ("to:2022 year:2021", "year:2021 to:2022")]
)
def test_fields_intersect_whatever_their_order(store: Store, a: str, b: str) -> None:
    assert ids(store, a) == ids(store, b)


def test_year_and_a_later_from_keep_the_later_bound(store: Store) -> None:
    # Only an event running from 2021 or before into 2023 or later (an interval open since 1993) is both.
    spanning = {e.id for e in store.iter_events() if e.start <= "2021-12-31" and e.end >= "2023-01-01"}
    assert spanning and ids(store, "year:2021 from:2023") == spanning
    assert not any(e.start >= "2021-01-01" and e.end <= "2021-12-31" for e in map(store.event, spanning) if e)
    assert ids(store, "from:2023 year:2021") == spanning


def test_while_typing_the_last_word_is_a_prefix(store: Store) -> None:
    typed = {store.event_at(r).id for r in store.search(Filters(query=typing_query("trad"))).rowids}
    assert typed and typed == ids(store, "trad*")
    assert ids(store, "trad") == set()  # on Enter the query means what it says


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 2
    return code, out.getvalue(), err.getvalue()


def assert_clean_error(code: int, err: str) -> None:
    assert code == 2, err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err


@pytest.mark.parametrize(
    "argv",
    [
        ["search", "trade", "--limit", str(2**64)],
        ["search", " ".join(f"tag:t{i}" for i in range(3000))],
        ["search", " ".join(f"w{i}" for i in range(3000))],
        ["search", "x" * 100_000],
        ["search", "a " * 50_000],
        ["search", "trade\udcff"],
        ["--events", "/tmp/\udcff.yaml", "validate"],
        ["export", "--query", "OR " * 5000],
    ],
    ids=["limit", "fields", "words", "long-word", "long-query", "argument", "path", "export-query"],
)
def test_hostile_arguments_get_one_line_and_exit_two(argv: list[str]) -> None:
    code, _out, err = run_cli(*argv)
    assert_clean_error(code, err)


QUERY_PIECE = st.one_of(
    st.sampled_from(["OR", "NOT", "AND", "tag:", "actor:", "year:", "from:", "to:", "-", '"', "*", "2023", "trade"]),
    st.text(alphabet='abcxyz -"*:()^~+\t\\é2', max_size=8),
)
QUERY_TEXT = st.lists(QUERY_PIECE, max_size=10).map(" ".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=QUERY_TEXT)
def test_random_queries_never_crash(store: Store, text: str) -> None:
    try:
        hits = store.search(Filters(query=text))
    except query.QueryError as error:
        assert "\n" not in str(error)
    else:
        assert len(hits.rowids) == hits.total


ARGUMENT = st.one_of(
    st.sampled_from(
        [
            "search",
            "export",
            "show",
            "figures",
            "validate",
            "schema",
            "--json",
            "--limit",
            "--from",
            "--to",
            "--tag",
            "--actor",
            "--query",
            "--sort",
            "--format",
            "-o",
            "--metric",
            "--no-cache",
            "-",
            "--",
            "trade",
            "2023",
            "year:2023",
            "-wheat",
            "0",
            "-1",
            "json",
            "markdown",
            "date",
            "relevance",
        ]
    ),
    st.text(max_size=12),
)


COMMAND = st.sampled_from(["search", "export", "show", "figures", "validate", "schema"])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(command=COMMAND, rest=st.lists(ARGUMENT, max_size=6))
def test_random_argv_never_tracebacks(command: str, rest: list[str]) -> None:
    # Always a command (no command opens the browser), and never -o (the fuzz must not write files).
    argv = [command, *(a for a in rest if a not in ("-o", "--output"))]
    code, _out, err = run_cli(*argv)
    assert "Traceback" not in err
    assert code in (0, 1, 2), (code, err)
    if code == 2:
        assert len(err.strip().splitlines()) == 1, err
        assert re.match(r"^(kztj|kztj \w+|.+:\d+:\d+): ", err), err
