"""Every export format, parsed back by its real consumer, on the bundled store and on hostile text.

csv: the standard library and Polars (a second, independent parser in Rust, one wheel without
dependencies, stricter than the stdlib about ragged rows). ics: the icalendar package.
timelinejs: a JSON Schema written from TimelineJS3's json-format documentation, plus its media
rules, run by TimelineJS3's own lookupMediaType under Node. markwhen: @markwhen/parser under Node.
Both Node packages are installed by .ci/run (npm ci in .ci/markwhen and .ci/timelinejs).
"""

from __future__ import annotations

import csv
import functools
import html
import io
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kztj_tui import cli, edtf, export
from kztj_tui.cache import open_store
from kztj_tui.export.csvfmt import EVENT_COLUMNS
from kztj_tui.model import Filters
from kztj_tui.store import Store
from kztj_tui.text import sanitize

from .conftest import BUNDLED, MINIMAL, REPO
from .test_export import check_golden

# How many events the bundled store holds, counted by PyYAML rather than by kztj.
EVENTS = len(yaml.safe_load((REPO / "events.yaml").read_text(encoding="utf-8"))["events"])


def facts(store: Store) -> dict[str, Any]:
    """What the store says about each event, to compare each consumer's reading with."""
    return {e.id: e for e in store.iter_events()}


def hostile_store(write_store: Callable[..., Path], title: str, summary: str) -> Store:
    text = MINIMAL.replace("title: Tokayev visits Dushanbe", f"title: {json.dumps(title)}").replace(
        "summary: A two-day visit.", f"summary: {json.dumps(summary)}"
    )
    return open_store(write_store(text), use_cache=False)


# -- golden files -----------------------------------------------------------------------------

GOLDEN = {"csv": "export.csv", "jsonl": "export.jsonl", "ics": "export.ics", "timelinejs": "export.timelinejs.json"}
GOLDEN["markwhen"] = "export.mw"


@pytest.mark.parametrize("fmt", sorted(GOLDEN))
def test_golden(store: Store, fmt: str) -> None:
    check_golden(GOLDEN[fmt], export.render(store, fmt=fmt))


@pytest.mark.parametrize("fmt", sorted(export.FORMATS))
def test_no_control_bytes_and_filters_followed(store: Store, fmt: str) -> None:
    text = export.render(store, Filters(tags=("culture",)), fmt)
    assert not [c for c in text if (ord(c) < 32 and c not in "\t\n\r") or 0x7F <= ord(c) < 0xA0]
    culture = {e.id for e in store.iter_events(Filters(tags=("culture",)))}
    other = {e.id for e in store.iter_events()} - culture
    assert all(event_id in text for event_id in culture) or fmt == "markdown"
    assert not [event_id for event_id in other if re.search(rf"(?<![\w-]){re.escape(event_id)}(?![\w-])", text)]


# -- CSV --------------------------------------------------------------------------------------


def test_csv_read_by_the_standard_library(store: Store) -> None:
    text = export.render(store, fmt="csv")
    assert text.endswith("\r\n")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert tuple(rows[0]) == EVENT_COLUMNS and len(rows) == EVENTS
    known = facts(store)
    for row in rows:
        event = known[row["id"]]
        known_end = "" if edtf.parse(event.date).open_end else event.end  # an open or unknown end: no date
        assert (row["date"], row["start"], row["end"], row["title"]) == (
            event.date,
            event.start,
            known_end,
            event.title,
        )
        assert len(row["sources"].split("\n")) == len(row["quotes"].split("\n")) == len(event.sources)
    by_id = {row["id"]: row for row in rows}
    assert by_id["kz-mission-embassy-status"]["precision"] == "month"
    assert by_id["tajik-embassy-opens"]["precision"] == "interval" and by_id["tajik-embassy-opens"]["end"] == ""
    assert by_id["tokayev-visit-dushanbe-2021"]["precision"] == "interval"
    assert by_id["trade-2013"]["precision"] == "year"
    assert by_id["business-forum-2023"]["figures"].count("⚠ conflicts with") == 2


def test_csv_read_by_polars(store: Store) -> None:
    polars = pytest.importorskip("polars")
    frame = polars.read_csv(io.BytesIO(export.render(store, fmt="csv").encode("utf-8")), infer_schema_length=0)
    assert frame.columns == list(EVENT_COLUMNS) and frame.height == EVENTS
    assert frame["id"].to_list() == [e.id for e in store.iter_events()]
    assert frame["uncertain"].unique().sort().to_list() == ["false", "true"]


def test_figures_csv_has_raw_numbers(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["figures", "--format", "csv", "--metric", "business_forum_contracts"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out, newline="")))
    assert [float(r["value"]) for r in rows] == [1.8e9, 1.3e9]
    assert {r["start"] for r in rows} == {"2023-05-03"} and all(r["conflicts"] for r in rows)
    assert all(r["quote"] and r["outlet"] and r["unit"] == "USD" for r in rows)


def test_figures_json_has_raw_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["figures", "--format", "json", "--metric", "trade_turnover"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures and all(isinstance(f["value"], (int, float)) for f in figures)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", f[k]) for f in figures for k in ("start", "end"))


@pytest.mark.parametrize("formula", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"])
def test_csv_cells_never_run_as_formulas(write_store: Callable[..., Path], formula: str) -> None:
    store = hostile_store(write_store, formula, formula)
    row = next(csv.DictReader(io.StringIO(export.render(store, fmt="csv"), newline="")))
    assert row["title"] == row["summary"] == "'" + formula


# -- iCalendar --------------------------------------------------------------------------------


def _calendar(text: str) -> Any:
    icalendar = pytest.importorskip("icalendar")
    return icalendar.Calendar.from_ical(text)


def test_ics_read_by_icalendar(store: Store) -> None:
    text = export.render(store, fmt="ics")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert "\n" not in text.replace("\r\n", "")
    calendar = _calendar(text)
    events = calendar.walk("VEVENT")
    assert len(events) == EVENTS
    known = facts(store)
    for vevent in events:
        event = known[str(vevent["UID"]).removesuffix("@kztj")]
        start, end = vevent.decoded("DTSTART"), vevent.decoded("DTEND")
        when = edtf.parse(event.date)
        last_day = when.first.end if when.open_end else when.end  # an open end: the start's span only
        assert start == date.fromisoformat(event.start) and end == last_day + timedelta(days=1)
        assert str(vevent["SUMMARY"]) == event.title
        assert [str(c) for c in vevent["CATEGORIES"].cats] == list(event.tags)
        description = str(vevent["DESCRIPTION"])
        assert all(" ".join(c.quote.split()) in description for c in event.sources)
    by_uid = {str(v["UID"]): v for v in events}
    month = by_uid["tajik-embassy-opens@kztj"]
    assert (month.decoded("DTSTART"), month.decoded("DTEND")) == (date(1993, 6, 1), date(1993, 7, 1))
    forum = str(by_uid["business-forum-2023@kztj"]["DESCRIPTION"])
    assert "⚠ conflicts with" in forum
    hedged = [v for v in events if "uncertain" in str(v["DESCRIPTION"]) or "approximate" in str(v["DESCRIPTION"])]
    assert hedged


def test_ics_uids_are_stable(store: Store) -> None:
    assert export.render(store, fmt="ics") == export.render(store, fmt="ics")


def test_ics_escapes_text(write_store: Callable[..., Path]) -> None:
    title = "Commas, semicolons; back\\slashes and ünïcödé " + "long " * 30
    store = hostile_store(write_store, title, "line one\nEND:VEVENT\nBEGIN:VEVENT")
    calendar = _calendar(export.render(store, fmt="ics"))
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == " ".join(title.split())
    assert "line one END:VEVENT BEGIN:VEVENT" in str(vevent["DESCRIPTION"])


# -- TimelineJS3 ------------------------------------------------------------------------------

# Written from TimelineJS3's website/docs/json-format: events (slides) need a start_date whose
# year is a number; month 1-12 and day are numbers; text, media (url required), group,
# display_date, unique_id, autolink are the documented slide fields.
DATE = {
    "type": "object",
    "required": ["year"],
    "properties": {
        "year": {"type": "integer"},
        "month": {"type": "integer", "minimum": 1, "maximum": 12},
        "day": {"type": "integer", "minimum": 1, "maximum": 31},
        "hour": {"type": "integer", "minimum": 0, "maximum": 23},
        "minute": {"type": "integer", "minimum": 0, "maximum": 59},
        "second": {"type": "integer", "minimum": 0, "maximum": 59},
        "millisecond": {"type": "integer", "minimum": 0, "maximum": 999},
        "display_date": {"type": "string"},
    },
    "additionalProperties": False,
}
TEXT = {
    "type": "object",
    "properties": {"headline": {"type": "string"}, "text": {"type": "string"}},
    "additionalProperties": False,
}
SLIDE_PROPERTIES = {
    "start_date": DATE,
    "end_date": DATE,
    "text": TEXT,
    "media": {
        "type": "object",
        "required": ["url"],
        "properties": {k: {"type": "string"} for k in ("url", "caption", "credit", "thumbnail", "alt", "title")},
        "additionalProperties": False,
    },
    "group": {"type": "string"},
    "display_date": {"type": "string"},
    "unique_id": {"type": "string"},
    "autolink": {"type": "boolean"},
}
TIMELINEJS_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["events"],
    "properties": {
        "title": {"type": "object", "properties": {"text": TEXT}, "additionalProperties": False},
        "events": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["start_date"],
                "properties": SLIDE_PROPERTIES,
                "additionalProperties": False,
            },
        },
    },
    "additionalProperties": False,
}
# TimelineJS3 src/js/media/MediaType.js: the patterns it tries on media.url, in order, before
# "blockquote" (the quote type kztj uses). A url matching any of them would be shown as that media.
# Patterns TimelineJS3 writes as JavaScript strings lose their backslashes there ("youtu\.be" is the
# regex youtu.be, any character between), so they are written here as JavaScript reads them; the
# tests below also run TimelineJS3's own lookupMediaType under Node.
MEDIA_BEFORE_BLOCKQUOTE = [
    r"^(https?:)?/*(www.|m.)?youtube|youtu.be",
    r"^(https?:)?/*(player.)?vimeo.com",
    r"<blockquote class=['\"]twitter-tweet['\"]",
    r"google.+?\/maps\/",
    r"(?i)(jpg|jpeg|png|gif|svg|webp)(\?.*)?$",
    r"(?i)^.*imgur.com\/.+$|<blockquote class=['\"]imgur-embed-pub['\"]",
    r"documentcloud.org\/",
    r"^.*\.pdf(\?.*)?(\#.*)?",
    r"spotify",
    r"iframe",
]


def _timelinejs(store: Store) -> dict[str, Any]:
    return json.loads(export.render(store, fmt="timelinejs"))  # type: ignore[no-any-return]


def test_timelinejs_matches_the_documented_format(store: Store) -> None:
    import jsonschema

    data = _timelinejs(store)
    jsonschema.Draft202012Validator(TIMELINEJS_SCHEMA).validate(data)
    slides = data["events"]
    assert len(slides) == EVENTS and data["title"]["text"]["headline"] == store.title
    assert len({s["unique_id"] for s in slides}) == EVENTS
    known = facts(store)
    for slide in slides:
        event = known[slide["unique_id"]]
        start = date.fromisoformat(event.start)
        precision = {"day": 3, "month": 2, "year": 1}
        first = event.date.split("/")[0].rstrip("?~%")
        parts = set(slide["start_date"]) - {"hour"}  # hour 0 keeps TimelineJS from dropping an end (see timelinejs.py)
        assert len(parts) == precision[{10: "day", 7: "month", 4: "year"}[len(first)]]
        assert slide["start_date"]["year"] == start.year
        assert slide["display_date"] == event.long_label and slide["group"] == event.tags[0]
        assert all(re.search(r"blockquote", slide["media"]["url"]) for _ in [0])
        assert not [p for p in MEDIA_BEFORE_BLOCKQUOTE if re.search(p, slide["media"]["url"])]
    by_id = {s["unique_id"]: s for s in slides}
    assert by_id["tajik-embassy-opens"]["start_date"] == {"year": 1993, "month": 6}  # no invented day
    assert by_id["tokayev-visit-dushanbe-2021"]["end_date"] == {
        **{"year": 2021, "month": 5, "day": 20},
        **{"hour": 23, "minute": 59, "second": 59, "millisecond": 999},  # the whole last day
    }
    assert "⚠ conflicts with" in by_id["business-forum-2023"]["text"]["text"]


@pytest.mark.parametrize(
    "quote",
    [
        "watch youtu.be/x",
        "watch youtu be",
        "WATCH YOUTU-BE",
        "youtube",
        "photo.png?x=1",
        "report.pdf",
        "on spotify",
        "an <iframe>",
        "https://imgur.com/a",
        "a:b",
    ],
)
def test_timelinejs_quote_stays_a_quote(write_store: Callable[..., Path], quote: str) -> None:
    store = hostile_store(write_store, "<script>alert(1)</script>", "x")
    from kztj_tui.export import timelinejs
    from kztj_tui.model import Citation

    event = store.event("visit")
    assert event is not None
    slide = timelinejs.slide(store, event._replace(sources=(Citation("s1", quote),)))
    assert not [p for p in MEDIA_BEFORE_BLOCKQUOTE if re.search(p, slide["media"]["url"])]
    assert timelinejs_media_types([slide["media"]]) == [{"type": "blockquote", "image": None}]
    assert html.unescape(slide["media"]["url"]) == f"<blockquote>{quote}</blockquote>"


TIMELINEJS = REPO / ".ci" / "timelinejs"


@functools.cache
def bundled_store() -> Store:
    """The bundled store, opened once for property tests (a fixture would be made again per example)."""
    return open_store(BUNDLED, use_cache=False)


def timelinejs_media_types(media: list[dict[str, Any]]) -> list[dict[str, str | None]]:
    """The media type TimelineJS3's own lookupMediaType picks for each media object (and as a thumbnail)."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed, so TimelineJS3's media lookup cannot run")
    if not (TIMELINEJS / "node_modules" / "@knight-lab" / "timelinejs").is_dir():
        if os.environ.get("CI"):
            pytest.fail("TimelineJS3 is missing: .ci/run installs it with npm ci in .ci/timelinejs")
        pytest.skip("TimelineJS3 is not installed: run `npm ci --prefix .ci/timelinejs`")
    result = subprocess.run(
        ["node", str(TIMELINEJS / "media.mjs")],
        input=json.dumps(media),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(result.stdout)["types"]  # type: ignore[no-any-return]


def test_timelinejs_media_lookup_runs_timelinejs_own_patterns() -> None:
    """The Node script reaches TimelineJS3's real lookup: known urls get their documented types."""
    urls = ["youtu.be/pi2v1m6gmD8", "youtu be", "http://vimeo.com/1", "x.jpg", "<blockquote>q</blockquote>", "y"]
    found = [t["type"] for t in timelinejs_media_types([{"url": u} for u in urls])]
    assert found == ["youtube", "youtube", "vimeo", "image", "blockquote", "imageblank"]


# Words and punctuation of every TimelineJS3 media pattern, and markup, for generated quotes.
MEDIA_WORDS = [
    "youtu be", "youtu.be", "YouTube", "youtube.com/watch?v=1", "m.youtube", "vimeo", "vimeo.com", "player.vimeo",
    "dailymotion.com", "dai.ly", "vine.co", "tiktok.com/@a/video/1", "bsky.app/profile/a/post/b", "soundcloud.com",
    "twitter.com", "x.com", "<blockquote class='twitter-tweet'>", "google.com/maps/@1,2,3z", "flickr.com/photos",
    "flic.kr/p", "instagram.com/p/", "instagr.am/abc", "documentcloud.org/", "wikipedia.org", "wikimedia.org",
    "commons.wikimedia.org/wiki/File:a.jpg", "#/media/a.png", ".jpg", "jpeg", "png?x", ".gif", "svg", "webp",
    "imgur.com/a", "<blockquote class=\"imgur-embed-pub\">", "docs.google.com/document/d/x/edit?usp=sharing",
    "drive.google.com/open?id=1", "googledrive.com/host/", ".pdf", "#page", "spotify", "Spotify", "iframe",
    "<iframe src=x>", "mp4", "webm", "wistia.com/", "wi.st/", "mp3", "wav", "m4a", "https://", "http:", "//", "?",
    ":", ".", "/", "&", "#", "<", ">", "'", '"', " ", "</blockquote>", "<blockquote>",
]  # fmt: skip


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.lists(st.sampled_from(MEDIA_WORDS) | st.text(min_size=1, max_size=3), min_size=1, max_size=8).map("".join),
        min_size=10,
        max_size=30,
    )
)
def test_timelinejs_generated_quotes_stay_quotes_in_timelinejs(quotes: list[str]) -> None:
    """Hostile quotes through TimelineJS3's real lookup: every media url is a quote, never an embed."""
    from kztj_tui.export import timelinejs
    from kztj_tui.model import Citation

    store = bundled_store()
    event = next(store.iter_events())
    quotes = [" ".join(sanitize(q).split()) or "x" for q in quotes]  # what a store can hold
    cited = [event._replace(sources=(Citation(event.sources[0].source, q),)) for q in quotes]
    media = [timelinejs.slide(store, e)["media"] for e in cited]
    assert [t for t in timelinejs_media_types(media) if t != {"type": "blockquote", "image": None}] == []
    assert [html.unescape(m["url"]) for m in media] == [f"<blockquote>{q}</blockquote>" for q in quotes]


def test_timelinejs_text_is_html_escaped(write_store: Callable[..., Path]) -> None:
    store = hostile_store(write_store, "<script>alert(1)</script> &copy;", "<img src=x onerror=alert(1)>")
    slide = _timelinejs(store)["events"][0]
    assert slide["text"]["headline"] == "&lt;script&gt;alert(1)&lt;/script&gt; &amp;copy;"
    assert "<img" not in slide["text"]["text"] and "&lt;img src=x onerror=alert(1)&gt;" in slide["text"]["text"]


# -- markwhen ---------------------------------------------------------------------------------

MARKWHEN = REPO / ".ci" / "markwhen"


def markwhen_parse(text: str) -> dict[str, Any]:
    if shutil.which("node") is None:
        pytest.skip("node is not installed, so @markwhen/parser cannot run")
    if not (MARKWHEN / "node_modules" / "@markwhen" / "parser").is_dir():
        if os.environ.get("CI"):
            pytest.fail("@markwhen/parser is missing: .ci/run installs it with npm ci in .ci/markwhen")
        pytest.skip("@markwhen/parser is not installed: run `npm ci --prefix .ci/markwhen`")
    result = subprocess.run(
        ["node", str(MARKWHEN / "parse.mjs")], input=text, capture_output=True, text=True, check=True, timeout=60
    )
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_markwhen_read_by_its_parser(store: Store) -> None:
    parsed = markwhen_parse(export.render(store, fmt="markwhen"))
    assert parsed["header"]["title"] == store.title and parsed["messages"] == [] and parsed["groups"] == []
    events = parsed["events"]
    assert len(events) == EVENTS
    known = facts(store)
    for item in events:
        event = known[item["properties"]["id"]]
        assert item["id"] == event.id and re.sub(r"\\(.)", r"\1", item["title"]).strip() == event.title
        assert item["from"][:10] == event.start
        if edtf.parse(event.date).open_end == "open":  # written 1993-06/now: markwhen runs it to today
            assert item["to"][:10] >= date.today().isoformat()
        else:
            assert item["to"][:10] == (date.fromisoformat(event.end) + timedelta(days=1)).isoformat()
        assert item["tags"] == [t.replace("-", "_") for t in event.tags] and item["properties"]["edtf"] == event.date
        assert item["percent"] is None and item["locations"] == []
        assert sum(1 for s in item["supplemental"] if s and s.startswith("Source: ")) == len(event.sources)
    forum = next(e for e in events if e["id"] == "business-forum-2023")
    assert sum("⚠ conflicts with" in s for s in forum["supplemental"]) == 2


MARKWHEN_HOSTILE = [
    "#wheat and #1 tags",
    "2021: looks like an event",
    "May 5: a casual date",
    "now: relative",
    "after !other: relative to an event",
    "!fake id and .start",
    "grew 40% this year",
    "[Dushanbe](location) and ![img](http://x.png)",
    "// a comment",
    "group Trade",
    "section Culture",
    "endGroup",
    "- [ ] a checklist item",
    "note: looks like a property",
    "# A heading",
    "---",
    "every week: recurring",
]


@pytest.mark.parametrize("text", MARKWHEN_HOSTILE)
def test_markwhen_user_text_cannot_change_the_structure(write_store: Callable[..., Path], text: str) -> None:
    store = hostile_store(write_store, text, text)
    parsed = markwhen_parse(export.render(store, fmt="markwhen"))
    assert parsed["groups"] == [] and len(parsed["events"]) == 1
    (item,) = parsed["events"]
    assert item["id"] == "visit" and item["tags"] == ["diplomacy"]
    assert item["percent"] is None and item["locations"] == [] and item["completed"] is None
    unescaped = re.sub(r"\\(.)", r"\1", item["title"]).strip()
    assert unescaped == text
    summary = next(s for s in item["supplemental"] if s and s.startswith("Summary: "))
    assert re.sub(r"\\(.)", r"\1", summary) == f"Summary: {text}"
    assert set(item["properties"]) == {"id", "edtf", "status", "tags"}


# -- JSON and JSON Lines ----------------------------------------------------------------------


def _export_schema() -> dict[str, Any]:
    from kztj_tui.export.schema import export_json_schema

    return json.loads(export_json_schema())  # type: ignore[no-any-return]


def test_export_schema_is_published_and_current() -> None:
    from kztj_tui.export.schema import export_json_schema

    assert (REPO / "export.schema.json").read_text(encoding="utf-8") == export_json_schema()


@pytest.mark.parametrize("filters", [Filters(), Filters(tags=("trade",)), Filters(query="Rogun")])
def test_json_export_validates_against_its_schema(store: Store, filters: Filters) -> None:
    import jsonschema

    schema = _export_schema()
    data = json.loads(export.render(store, filters, "json"))
    assert data["format"] == "kztj-export/1"
    jsonschema.Draft202012Validator(schema).validate(data)
    event_schema = {"$defs": schema["$defs"], "$ref": "#/$defs/ExportEvent"}
    for line in export.render(store, filters, "jsonl").splitlines():
        jsonschema.Draft202012Validator(event_schema).validate(json.loads(line))


def _strip_read_only(data: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """The export less every field its schema marks readOnly: what a store holds."""

    def read_only(name: str) -> set[str]:
        properties = schema["$defs"][name]["properties"]
        return {key for key, value in properties.items() if value.get("readOnly")}

    events, figures = read_only("ExportEvent"), read_only("ExportFigure")
    out = {k: v for k, v in data.items() if k != "format" and v is not None}
    out["events"] = [{k: v for k, v in e.items() if k not in events} for e in data["events"]]
    out["figures"] = [{k: v for k, v in f.items() if k not in figures} for f in data["figures"]]
    return out


@pytest.mark.parametrize(
    "argv",
    [[], ["--tag", "culture"], ["--from", "2023", "--to", "2023"], ["--query", "embassy"], ["--tag", "energy-water"]],
)
def test_filtered_json_export_is_a_valid_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    assert cli.main(["export", "--format", "json", *argv]) == 0
    data = json.loads(capsys.readouterr().out)
    ids = {e["id"] for e in data["events"]}
    assert all(set(e["related"]) <= ids for e in data["events"])
    shutil.copytree(REPO / "seeds", tmp_path / "seeds")
    store = tmp_path / "exported.json"
    store.write_text(json.dumps(_strip_read_only(data, _export_schema()), ensure_ascii=False), encoding="utf-8")
    assert cli.main(["validate", "--events", str(store), "--no-cache"]) == 0, capsys.readouterr().err
    reloaded = open_store(store, use_cache=False)
    assert [e.id for e in reloaded.iter_events()] == [e["id"] for e in data["events"]]


def test_filtered_export_keeps_conflicting_figures_visible(store: Store) -> None:
    data = json.loads(export.render(store, Filters(query="Kazinform forum contracts"), "json"))
    conflicting = [f for f in data["figures"] if f["conflicts"]]
    assert conflicting and all(
        other in {f["id"] for f in data["figures"]} for f in conflicting for other in f["conflicts"]
    )
