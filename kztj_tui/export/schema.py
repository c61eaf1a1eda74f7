"""The JSON Schema of ``kztj export --format json``: the store's schema plus derived, read-only fields.

Every field the store does not have is marked ``readOnly``: drop those (and ``format``) and a
JSON export is a store that ``kztj validate`` accepts.
"""

from __future__ import annotations

import json
from typing import Annotated, Literal

from pydantic import Field, StringConstraints
from pydantic.json_schema import JsonDict

from ..schema import EventModel, FigureModel, Id, StoreModel
from .jsonfmt import FORMAT

IsoDay = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")]


READ_ONLY: JsonDict = {"readOnly": True}


class ExportFigure(FigureModel):
    """A figure as exported: the store's fields plus its ISO period bounds and conflicting figures."""

    start: IsoDay = Field(description="First day of the period", json_schema_extra=READ_ONLY)
    end: IsoDay | None = Field(
        description="Last day of the period; null for an open or unknown end (2023/.., 2023/)",
        json_schema_extra=READ_ONLY,
    )
    conflicts: list[Id] = Field(
        description="Ids of figures for the same metric and period with another value", json_schema_extra=READ_ONLY
    )


class ExportEvent(EventModel):
    """An event as exported: the store's fields plus ISO bounds, precision and qualifiers."""

    start: IsoDay = Field(description="First day the date can mean", json_schema_extra=READ_ONLY)
    end: IsoDay | None = Field(
        description="Last day the date can mean; null for an open or unknown end (1993-06/.., 2023/)",
        json_schema_extra=READ_ONLY,
    )
    precision: Literal["day", "month", "year", "interval"] = Field(
        description="How precise the date is", json_schema_extra=READ_ONLY
    )
    uncertain: bool = Field(description="The date is marked uncertain (? or %)", json_schema_extra=READ_ONLY)
    approximate: bool = Field(description="The date is marked approximate (~ or %)", json_schema_extra=READ_ONLY)
    figures: list[ExportFigure] | None = Field(
        default=None, description="JSON Lines only: the event's figures", json_schema_extra=READ_ONLY
    )
    note: str | None = Field(
        default=None,
        description="With --notes only: the user's private note on the event, or null (not part of the store)",
        json_schema_extra=READ_ONLY,
    )


class ExportStore(StoreModel):
    """A JSON export: a store, with a format version and derived fields."""

    format: Literal["kztj-export/1"] = Field(description="Export format and version")
    events: list[ExportEvent]  # type: ignore[assignment]
    figures: list[ExportFigure] = []  # type: ignore[assignment]


assert FORMAT == "kztj-export/1", "ExportStore.format must name the version jsonfmt writes"


def export_json_schema() -> str:
    """The JSON Schema published by ``kztj schema --export`` and kept as ``export.schema.json``."""
    schema = ExportStore.model_json_schema()
    schema["title"] = "kztj JSON export"
    schema["$id"] = f"urn:kztj:schema:{FORMAT}"
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
