"""Generate a valid N-event kztj store for benchmarks: ``python benchmarks/make_store.py 100000 out/big.yaml``.

Events reuse the bundled entities and cite real sentences of the bundled articles (copied next
to the output), so the generated store passes the same validation as the real one. Ten events
carry the rare word ``zircon`` so a selective search has a known answer.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
RARE_WORD = "zircon"
TAGS = ["diplomacy", "trade", "energy-water", "culture", "security", "agriculture", "transport", "business", "industry"]
VERBS = ["discuss", "sign", "announce", "review", "launch", "expand", "propose", "agree on", "open", "celebrate"]
OBJECTS = [
    "a water-sharing protocol for the Syr Darya basin",
    "wheat and flour deliveries",
    "electricity exports from the Rogun and Nurek plants",
    "a joint venture to assemble buses",
    "cotton and aluminium supplies",
    "a cultural festival in Almaty",
    "border crossing upgrades",
    "direct flights between Dushanbe and Astana",
    "grape and dried fruit shipments",
    "a digital customs corridor",
    "security cooperation against trafficking",
    "student exchanges between universities",
]


def sentences(text: str) -> list[str]:
    """Sentences of an article that are safe to quote verbatim (no quote marks, reasonable length)."""
    parts = re.split(r"(?<=[.!?])\s+", " ".join(text.split()))
    return [p for p in parts if 40 <= len(p) <= 220 and not re.search(r"[\"“”«»]", p)]


def generate(count: int, seed: int = 1) -> dict[str, object]:
    """A store mapping with ``count`` events and a figure for every hundredth event."""
    rng = random.Random(seed)
    bundled = yaml.safe_load((REPO / "events.yaml").read_text(encoding="utf-8"))
    sources = bundled["sources"]
    quotes = {s["id"]: sentences((REPO / s["file"]).read_text(encoding="utf-8")) for s in sources}
    entity_ids = [e["id"] for e in bundled["entities"]]
    places = [e["id"] for e in bundled["entities"] if e["kind"] in ("city", "place")]
    events = []
    figures = []
    for index in range(count):
        year = 1993 + index * 31 // count
        month = rng.randint(1, 12)
        day = rng.randint(1, 28)
        precision = rng.random()
        date = (
            f"{year}"
            if precision < 0.1
            else f"{year}-{month:02d}"
            if precision < 0.3
            else f"{year}-{month:02d}-{day:02d}"
        )
        verb, thing = rng.choice(VERBS), rng.choice(OBJECTS)
        actors = rng.sample(entity_ids, 3)
        title = f"Officials {verb} {thing} ({index})"
        summary = (
            f"Delegations from Kazakhstan and Tajikistan {verb} {thing}. "
            f"The meeting in {rng.choice(['Astana', 'Dushanbe', 'Almaty', 'Khujand'])} follows earlier talks on "
            f"{rng.choice(OBJECTS)} and {rng.choice(OBJECTS)}, and officials expect progress on "
            f"{rng.choice(OBJECTS)} before the next session of the intergovernmental commission."
        )
        if index % (count // 10 or 1) == 0:
            summary += f" Geologists also mention {RARE_WORD} deposits."
        citations = []
        for _ in range(2):
            source = rng.choice(sources)["id"]
            citations.append({"source": source, "quote": rng.choice(quotes[source])})
        event = {
            "id": f"event-{index:06d}",
            "date": date,
            "title": title,
            "summary": summary,
            "tags": rng.sample(TAGS, 2),
            "actors": actors,
            "place": rng.choice(places),
            "status": rng.choice(["occurred"] * 8 + ["planned", "target"]),
            "sources": citations,
            "related": [f"event-{max(0, index - 1):06d}"],
        }
        events.append(event)
        if index % 100 == 0:
            figure_source = citations[0]
            figures.append(
                {
                    "id": f"figure-{index:06d}",
                    "metric": "trade_turnover" if index % 200 == 0 else "kz_exports_to_tj",
                    "period": date,
                    "value": rng.randint(100, 2000) * 1_000_000,
                    "unit": "USD",
                    "source": figure_source["source"],
                    "quote": figure_source["quote"],
                    "event": event["id"],
                }
            )
    return {"sources": sources, "entities": bundled["entities"], "events": events, "figures": figures}


def write(count: int, output: Path) -> None:
    """Write a generated store of ``count`` events to ``output``, with the articles beside it."""
    output.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "seeds", output.parent / "seeds", dirs_exist_ok=True)
    store = generate(count)
    with output.open("w", encoding="utf-8") as handle:
        yaml.dump(store, handle, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False, width=100)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("count", type=int)
    parser.add_argument("output", type=Path)
    args = parser.parse_args()
    write(args.count, args.output)
    size = args.output.stat().st_size
    print(f"wrote {args.output}: {args.count:,} events, {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
