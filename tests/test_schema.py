"""The published JSON Schema must be generated from the model the validator uses."""

from __future__ import annotations

import json

from kztj_tui.schema import json_schema

from .conftest import REPO


def test_committed_schema_matches_the_model() -> None:
    committed = (REPO / "events.schema.json").read_text(encoding="utf-8")
    assert committed == json_schema(), "events.schema.json drifted: run `kztj schema > events.schema.json`"


def test_schema_validates_the_bundled_store_shape() -> None:
    import jsonschema
    import yaml

    schema = json.loads(json_schema())
    data = yaml.safe_load((REPO / "events.yaml").read_text(encoding="utf-8"))
    # JSON Schema has no date type: YAML dates become their ISO text, as an editor's language server sees them.
    text = json.loads(json.dumps(data, default=lambda d: d.isoformat()))
    jsonschema.validate(text, schema)


def test_schema_rejects_unknown_keys() -> None:
    import jsonschema
    import pytest

    schema = json.loads(json_schema())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"events": [], "bogus": 1}, schema)
