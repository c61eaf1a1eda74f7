"""Leave one article out: how much of what the store holds for an article would ``kztj ingest`` have found?

``python benchmarks/ingest_eval.py`` prints a Markdown table. For each bundled article: remove it,
and every event and figure only it supports, from a copy of the store; ingest it against that copy;
compare the candidates with what the full store holds for it.

- recall: the store's events and figures citing the article that some candidate's quote overlaps
  (an event's candidates are event candidates, a figure's are figure candidates);
- dates: of the recalled, those whose best candidate (the largest overlap; for a figure, the one of
  the same value) has the store's EDTF date or period exactly;
- values: of the recalled figures, those with a candidate of the same value;
- metric: of the recalled figures whose metric the reduced store still has, those whose candidate of
  the same value suggests it;
- delete: candidates whose quote overlaps nothing the store quotes from the article;
- conflicts: the store's conflicting figure pairs across articles (same metric and period, another
  value) that a candidate reports as a ``conflicts`` relation;
- time: ingesting the article (the store already open), and opening the store without the cache.
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from kztj_tui import articles  # noqa: E402
from kztj_tui.cache import open_store  # noqa: E402
from kztj_tui.ingest import run  # noqa: E402
from kztj_tui.text import find_quote_span  # noqa: E402


class _Loader(yaml.SafeLoader):
    """YAML 1.1 without timestamps: dates stay the strings the store wrote."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_raw(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    return data


def without(raw: dict[str, Any], source_id: str) -> dict[str, Any]:
    """The store without the source, its citations, and the events and figures only it supports."""
    import copy

    data = copy.deepcopy(raw)
    data["sources"] = [s for s in data["sources"] if s["id"] != source_id]
    events = []
    for event in data["events"]:
        event["sources"] = [c for c in event["sources"] if c["source"] != source_id]
        if event["sources"]:
            events.append(event)
    kept = {e["id"] for e in events}
    for event in events:
        event["related"] = [r for r in event.get("related", []) if r in kept]
    data["events"] = events
    figures = [f for f in data.get("figures", []) if f["source"] != source_id]
    for figure in figures:
        if figure.get("event") not in kept:
            figure.pop("event", None)
    data["figures"] = figures
    figure_ids = {f["id"] for f in figures}
    disagreements = []
    for item in data.get("disagreements", []):
        item["events"] = [e for e in item["events"] if e in kept]
        item["figures"] = [f for f in item.get("figures", []) if f in figure_ids]
        item["versions"] = [v for v in item.get("versions", []) if v["source"] != source_id]
        if item["events"]:
            disagreements.append(item)
    data["disagreements"] = disagreements
    return data


@dataclass
class Row:
    article: str
    events: int = 0
    figures: int = 0
    recalled: int = 0
    dated: int = 0
    figures_recalled: int = 0
    values: int = 0
    candidates: int = 0
    delete: int = 0
    conflicts: int = 0
    metrics: int = 0
    metrics_known: int = 0
    conflicts_found: int = 0
    seconds: float = 0.0
    load_seconds: float = 0.0
    misses: list[str] = field(default_factory=list)


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def evaluate(raw: dict[str, Any], source: dict[str, Any], workdir: Path) -> Row:
    """Leave ``source`` out of ``raw``, ingest its article, and score the candidates."""
    article_path = REPO / source["file"]
    text = articles.read(article_path).text
    store_file = workdir / "events.yaml"
    store_file.write_text(yaml.safe_dump(without(raw, source["id"]), allow_unicode=True, sort_keys=False), "utf-8")
    started = time.perf_counter()
    store = open_store(store_file, use_cache=False)
    loaded = time.perf_counter()
    knowledge = run.knowledge_of(store)
    known_metrics = {f.metric for f in knowledge.figures}
    has_date_line = text.lstrip().startswith("date ")
    published = None if has_date_line else str(source["published"])
    _, _, found = run.ingest(article_path, knowledge, published=published, outlet=None)
    done = time.perf_counter()
    store.close()
    row = Row(
        source["file"].split("/")[-1][:3] + f" {source['id']}", seconds=done - loaded, load_seconds=loaded - started
    )
    spans = [(c, (c.start, c.end)) for c in found]
    row.candidates = len(found)
    stored_spans: list[tuple[int, int]] = []

    def spans_of(quote: str) -> list[tuple[int, int]]:
        """Where a stored quote is: each piece of an elided quote (``...``) on its own."""
        found_spans = [find_quote_span(piece, text) for piece in re.split(r"\s*(?:\.\.\.|…)\s*", quote) if piece]
        where = [s for s in found_spans if s]
        stored_spans.extend(where)
        return where

    for event in raw["events"]:
        mine = [q for c in event["sources"] if c["source"] == source["id"] for q in spans_of(c["quote"])]
        if not mine:
            continue
        row.events += 1
        # The candidates that overlap the event's quotes most: one sentence may give several (one per date).
        overlaps = [(sum(_overlap(w, q) for q in mine), c) for c, w in spans if c.kind == "event"]
        most = max((o for o, _ in overlaps), default=0)
        best = [c for o, c in overlaps if o == most and o > 0]
        if not best:
            row.misses.append(f"event {event['id']}: not found")
            continue
        row.recalled += 1
        if any(c.when == str(event["date"]) for c in best):
            row.dated += 1
        else:
            row.misses.append(f"event {event['id']}: {best[0].when} for {event['date']} ({best[0].reason})")
    for figure in raw.get("figures", []):
        if figure["source"] != source["id"]:
            continue
        where_stored = spans_of(figure["quote"])
        row.figures += 1
        overlapping = [c for c, w in spans if c.kind == "figure" and any(_overlap(w, q) for q in where_stored)]
        if not overlapping:
            row.misses.append(f"figure {figure['id']}: not found")
            continue
        row.figures_recalled += 1
        same = [c for c in overlapping if c.value == figure["value"]]
        if figure["metric"] in known_metrics:
            row.metrics_known += 1
            if any(c.metric == figure["metric"] for c in same):
                row.metrics += 1
            else:
                row.misses.append(f"figure {figure['id']}: metric {[c.metric for c in same]} for {figure['metric']}")
        if same:
            row.values += 1
        else:
            row.misses.append(f"figure {figure['id']}: values {[c.value for c in overlapping]} for {figure['value']}")
        chosen = (same or overlapping)[0]
        if chosen.when == str(figure["period"]):
            row.dated += 1
        else:
            row.misses.append(f"figure {figure['id']}: period {chosen.when} for {figure['period']} ({chosen.reason})")
        others = [
            f
            for f in raw.get("figures", [])
            if f["source"] != source["id"]
            and f["metric"] == figure["metric"]
            and str(f["period"]) == str(figure["period"])
            and f["value"] != figure["value"]
        ]
        for other in others:
            row.conflicts += 1
            if any(r.relation == "conflicts" and r.id == other["id"] for c in overlapping for r in c.relations):
                row.conflicts_found += 1
            else:
                row.misses.append(f"conflict {figure['id']} vs {other['id']}: not found")
    for item in raw.get("disagreements", []):
        for version in item.get("versions", []):
            if version["source"] == source["id"]:
                spans_of(version["quote"])
    for _candidate, where in spans:
        if not any(_overlap(where, s) for s in stored_spans):
            row.delete += 1
    return row


def rows(store_path: Path = REPO / "events.yaml") -> Iterator[Row]:
    raw = load_raw(store_path)
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        shutil.copytree(REPO / "seeds", workdir / "seeds")
        for source in raw["sources"]:
            (workdir / "cache").mkdir(exist_ok=True)
            yield evaluate(raw, source, workdir)
            shutil.rmtree(workdir / "cache", ignore_errors=True)


def _pct(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.0f}%)" if whole else "–"


def table(results: list[Row]) -> str:
    total = Row("**total** (time: the slowest)")
    for row in results:
        for name in (
            "events",
            "figures",
            "recalled",
            "dated",
            "figures_recalled",
            "values",
            "candidates",
            "delete",
            "conflicts",
            "conflicts_found",
            "metrics",
            "metrics_known",
        ):
            setattr(total, name, getattr(total, name) + getattr(row, name))
        total.seconds = max(total.seconds, row.seconds)
        total.load_seconds = max(total.load_seconds, row.load_seconds)
    lines = [
        "| article | recall | dates right (of recalled) | values right | metric suggested | candidates (to delete) "
        "| conflicts found | ingest s (store load s) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in [*results, total]:
        recalled = row.recalled + row.figures_recalled
        lines.append(
            f"| {row.article} | {_pct(recalled, row.events + row.figures)} | {_pct(row.dated, recalled)} "
            f"| {_pct(row.values, row.figures_recalled)} | {_pct(row.metrics, row.metrics_known)} "
            f"| {row.candidates} ({row.delete}) "
            f"| {_pct(row.conflicts_found, row.conflicts)} | {row.seconds:.2f} ({row.load_seconds:.2f}) |"
        )
    return "\n".join(lines)


def main() -> int:
    verbose = "-v" in sys.argv
    results = list(rows())
    print(table(results))
    if verbose:
        for row in results:
            for miss in row.misses:
                print(f"{row.article}: {miss}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
