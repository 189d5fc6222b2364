"""Tool parameter schemas: generated from pydantic, reduced to what every provider accepts."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

import jsonschema
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, Field

from llmx_tui.engine.tools import ToolRegistry
from llmx_tui.engine.tools.schema import clean_parameters, parameters_from_model

ALLOWED_KEYS = {
    "type",
    "description",
    "properties",
    "required",
    "items",
    "enum",
    "minimum",
    "maximum",
}


def keys_used(schema: Any, under_properties: bool = False) -> set[str]:
    """Every schema keyword in a schema (property names are not keywords)."""
    found: set[str] = set()
    if isinstance(schema, dict):
        for key, value in schema.items():
            if not under_properties:
                found.add(key)
            is_property_map = key == "properties" and not under_properties
            found |= keys_used(value, under_properties=is_property_map)
    return found


class Color(StrEnum):
    red = "red"
    blue = "blue"


class Inner(BaseModel):
    """Inner docs."""

    depth: int = Field(ge=0, description="How deep.")


class Example(BaseModel):
    name: str = Field(description="A name.")
    count: int = Field(3, ge=1, le=9)
    inner: Inner
    maybe: Inner | None = None
    color: Color = Color.red
    mode: Literal["fast"] = "fast"
    tags: list[str] = Field(default_factory=list)


INNER = {
    "type": "object",
    "description": "Inner docs.",
    "properties": {"depth": {"type": "integer", "description": "How deep.", "minimum": 0}},
    "required": ["depth"],
}


def test_pydantic_model_becomes_a_plain_object_schema() -> None:
    assert parameters_from_model(Example) == {
        "type": "object",
        "properties": {
            "name": {"type": "string", "description": "A name."},
            "count": {"type": "integer", "description": "Default: 3.", "minimum": 1, "maximum": 9},
            "inner": INNER,
            "maybe": INNER,
            "color": {"type": "string", "description": 'Default: "red".', "enum": ["red", "blue"]},
            "mode": {"type": "string", "description": 'Default: "fast".', "enum": ["fast"]},
            "tags": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["name", "inner"],
    }


def test_builtin_specs_use_only_portable_keywords_and_are_valid_schemas(tmp_path: Path) -> None:
    specs = ToolRegistry.with_builtins(tmp_path).specs()
    assert [spec.name for spec in specs] == [
        "read_file",
        "list_directory",
        "search_text",
        "write_file",
        "run_shell",
    ]
    for spec in specs:
        assert spec.description
        assert spec.parameters["type"] == "object"
        assert keys_used(spec.parameters) <= ALLOWED_KEYS, spec.name
        jsonschema.Draft202012Validator.check_schema(spec.parameters)
    read_file = specs[0].parameters
    jsonschema.validate({"path": "a.txt", "offset": 2}, read_file)
    assert read_file["required"] == ["path"]


def test_foreign_schemas_are_cleaned_too() -> None:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "title": "Args",
        "additionalProperties": False,
        "properties": {
            "mode": {"const": "x"},
            "level": {"enum": [1, 2, 3], "description": "Level."},
            "anything": {},
            "either": {"type": ["string", "null"], "format": "uri"},
            "list": {"type": "array"},
            "map": {"type": "object", "additionalProperties": {"type": "string"}},
            "node": {"$ref": "#/$defs/Node"},
        },
        "required": ["mode", "ghost"],
        "$defs": {
            "Node": {
                "type": "object",
                "properties": {"child": {"$ref": "#/$defs/Node"}},
            }
        },
    }
    cleaned = clean_parameters(schema)
    props = cleaned["properties"]
    assert props["mode"] == {"type": "string", "enum": ["x"]}
    assert props["level"] == {"type": "integer", "description": "Level. One of: 1, 2, 3."}
    assert props["anything"] == {"type": "string"}
    assert props["either"] == {"type": "string"}
    assert props["list"] == {"type": "array", "items": {"type": "string"}}
    assert props["map"] == {"type": "object", "properties": {}}
    assert cleaned["required"] == ["mode"]  # a required name with no property is dropped
    # The recursive $ref is cut off rather than followed forever.
    depth, node = 0, props["node"]
    while "properties" in node and "child" in node["properties"]:
        node, depth = node["properties"]["child"], depth + 1
    assert 1 < depth < 20
    assert keys_used(cleaned) <= ALLOWED_KEYS
    jsonschema.Draft202012Validator.check_schema(cleaned)


def test_missing_or_odd_schemas_still_give_an_object() -> None:
    empty = {"type": "object", "properties": {}, "required": []}
    assert clean_parameters(None) == empty
    assert clean_parameters({"type": "string"}) == empty
    assert clean_parameters({}) == empty


leaves = (
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.sampled_from(["object", "string", "null", "array", "#/$defs/a", "a"])
)
schema_keys = st.sampled_from(
    [
        "type",
        "properties",
        "required",
        "items",
        "anyOf",
        "$ref",
        "$defs",
        "enum",
        "const",
        "default",
        "title",
        "description",
        "minimum",
        "additionalProperties",
        "format",
    ]
)
schemas = st.recursive(
    st.dictionaries(schema_keys, leaves | st.lists(leaves, max_size=2), max_size=3),
    lambda inner: st.dictionaries(
        schema_keys,
        inner | st.lists(inner, max_size=2) | st.dictionaries(st.sampled_from("ab"), inner),
        max_size=3,
    ),
    max_leaves=8,
)


@settings(deadline=None)
@given(schemas)
def test_any_input_gives_a_portable_object_schema(schema: dict[str, Any]) -> None:
    cleaned = clean_parameters(schema)
    assert cleaned["type"] == "object"
    assert set(cleaned["required"]) <= set(cleaned["properties"])
    jsonschema.Draft202012Validator.check_schema(cleaned)
    assert keys_used(cleaned) <= ALLOWED_KEYS
