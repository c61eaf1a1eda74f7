"""The store's schema: the one definition the validator and ``events.schema.json`` come from."""

from __future__ import annotations

import functools
import json
import math
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    WithJsonSchema,
)

from . import edtf
from .limits import MAX_LONG, MAX_SHORT

# An id's and a tag's form, also read by the validator's check of plain items (validate.EventChecker).
ID_PATTERN, ID_MAX = "[a-z0-9][a-z0-9._-]*", 200
TAG_PATTERN, TAG_MAX = "[a-z0-9][a-z0-9-]*", 60
Id = Annotated[str, StringConstraints(pattern=f"^{ID_PATTERN}$", max_length=ID_MAX)]
Tag = Annotated[str, StringConstraints(pattern=f"^{TAG_PATTERN}$", max_length=TAG_MAX)]
Metric = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=100)]
Short = Annotated[str, StringConstraints(min_length=1, max_length=MAX_SHORT)]
Long = Annotated[str, StringConstraints(min_length=1, max_length=MAX_LONG)]


def _edtf_text(value: Any) -> str:
    """Accept EDTF strings and bare years (what the JSON Schema accepts); return the EDTF text."""
    # The store parser keeps a plain YAML date as its text; a date object comes only from Python callers.
    if isinstance(value, (str, int, date)) and not isinstance(value, bool):
        return edtf_text_of(value)
    raise ValueError("expected an EDTF date such as 1993-01-07, 2021-05, 2015, 2018/2020 or 2023~")


@functools.lru_cache(maxsize=1 << 14, typed=True)
def edtf_text_of(value: str | int | date) -> str:
    """The EDTF text of a date as written (raises edtf.EdtfError); what EventModel's dates become."""
    # A large store repeats its dates: each distinct one is parsed once (errors are not cached).
    return edtf.parse(value).text


Edtf = Annotated[
    str,
    BeforeValidator(_edtf_text),
    WithJsonSchema(
        {
            "anyOf": [
                # Editors (the YAML language server, VS Code) show this instead of the long pattern.
                {"type": "string", "pattern": edtf.DATE_PATTERN, "patternErrorMessage": "not an EDTF date kztj reads"},
                {"type": "integer", "minimum": 1, "maximum": 9999},
            ],
            "description": (
                "EDTF date: YYYY, YYYY-MM, YYYY-MM-DD, with ? ~ % qualifiers, X for unspecified digits, "
                "A/B intervals, and open (A/..) or unknown (A/) interval ends"
            ),
        }
    ),
]


# Larger than any trade figure, and small enough that every value is exact as a float.
MAX_VALUE = 1e15


def _number(value: Any) -> Any:
    """Accept plain, finite numbers of sane size only; YAML strings and booleans are not values."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"expected a plain number such as 1400000000, got {type(value).__name__}")
    # Compare without converting: a 400-digit int would overflow a float.
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("expected a finite number, not NaN or infinity")
    if not -MAX_VALUE <= value <= MAX_VALUE:
        raise ValueError(f"the value is out of range; kztj stores numbers up to {MAX_VALUE:.0e} in size")
    return value


Number = Annotated[
    int | float,
    BeforeValidator(_number),
    WithJsonSchema({"type": "number", "minimum": -MAX_VALUE, "maximum": MAX_VALUE}),
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceModel(_Model):
    """An article in seeds/ that quotes are checked against."""

    id: Id
    file: Short = Field(description="Path of the article, relative to the store file")
    outlet: Short
    published: Edtf
    description: Short = Field(
        description="kztj's own one-line description of the article (the articles have no headlines)"
    )


class EntityModel(_Model):
    """A person, place, country or organisation, with every spelling a reader may type."""

    id: Id
    name: Short
    kind: Literal["country", "region", "city", "place", "person", "organisation"]
    aliases: list[Short] = []


class CitationModel(_Model):
    """A verbatim quote from a source; ``...`` may elide text."""

    source: Id
    quote: Long


class EventModel(_Model):
    """A dated happening, plan or target."""

    id: Id
    date: Edtf
    title: Short
    summary: Long
    tags: list[Tag] = Field(min_length=1)
    actors: list[Id] = []
    place: Id | None = None
    status: Literal["occurred", "planned", "target"]
    sources: list[CitationModel] = Field(min_length=1)
    related: list[Id] = []


class FigureModel(_Model):
    """A numeric fact with the quote that states it."""

    id: Id
    metric: Metric
    period: Edtf
    value: Number
    unit: Literal["USD", "tonnes", "percent", "count"]
    source: Id
    quote: Long
    note: Long | None = None
    event: Id | None = Field(default=None, description="The event this figure belongs to")


class DisagreementModel(_Model):
    """Sources that disagree, recorded after a person has looked at them."""

    id: Id
    about: Short = Field(description="What the sources disagree on, in our words")
    events: list[Id] = Field(min_length=1, description="The events the disagreement concerns")
    figures: list[Id] = Field(default=[], description="The figures that disagree, each with its own source")
    versions: list[CitationModel] = Field(
        default=[], description="Quotes that show each version, where the figures do not"
    )
    note: Long = Field(description="What was checked and how to read the versions")
    reviewed: StrictBool = Field(
        default=False, description="true once reviewed: `kztj check` then lists it as known instead of warning"
    )


class StoreModel(_Model):
    """The whole store file."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        title="kztj event store",
        # The $id names the schema (a URN: kztj has no web home to serve it from), so editors and
        # validators can tell it from the export's.
        json_schema_extra={"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "urn:kztj:schema:store"},
    )

    title: Short | None = Field(default=None, description="The timeline's title, used by every export")
    description: Long | None = Field(default=None, description="One paragraph on what the timeline covers")
    include: list[Short] = Field(
        default=[],
        description="Other YAML files whose sources, entities, events, figures and disagreements belong to this"
        " store: paths relative to this file's folder, with wildcards in the file name only (articles/*.yaml)",
    )
    sources: list[SourceModel] = []
    entities: list[EntityModel] = []
    events: list[EventModel]
    figures: list[FigureModel] = []
    disagreements: list[DisagreementModel] = []


class StoreHeadModel(StoreModel):
    """The store with its events already checked one by one, as the loader reads them."""

    events: list[Any]


def json_schema() -> str:
    """The JSON Schema published as ``events.schema.json``."""
    return json.dumps(StoreModel.model_json_schema(), indent=2, ensure_ascii=False) + "\n"
