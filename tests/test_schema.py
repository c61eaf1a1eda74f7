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


def test_both_schemas_name_themselves_and_their_date_rule() -> None:
    """Each schema has its own $id, and the date pattern tells an editor what is wrong in words."""
    from kztj_tui.export.schema import export_json_schema

    store, exported = json.loads(json_schema()), json.loads(export_json_schema())
    assert store["$id"].startswith("urn:kztj:") and exported["$id"].startswith("urn:kztj:")
    assert store["$id"] != exported["$id"]
    dates = [node for node in _nodes(store) if isinstance(node, dict) and "pattern" in node and "EDTF" in str(node)]
    assert dates and all(node.get("patternErrorMessage") for node in dates)


def _nodes(node: object) -> list[object]:
    """Every dict and list inside a JSON value, itself included."""
    out: list[object] = [node]
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else []
    for child in children:
        out.extend(_nodes(child))
    return out
