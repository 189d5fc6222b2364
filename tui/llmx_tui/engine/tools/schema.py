"""JSON-schema parameters every provider accepts.

OpenAI and Anthropic take almost any JSON schema; Gemini's function
declarations take a small OpenAPI subset and reject unknown keys such as
``additionalProperties``, ``$ref`` or ``title``. So tool parameters are reduced
to the common ground: ``$ref`` inlined, ``Optional`` unions collapsed,
defaults moved into the description, everything else outside the subset
dropped. The same cleaner serves pydantic models and MCP servers' schemas.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

# Keys every provider understands; anything else is dropped.
_KEPT_KEYS = frozenset(
    {"type", "description", "properties", "required", "items", "enum", "minimum", "maximum"}
)
_JSON_TYPES = frozenset({"string", "number", "integer", "boolean", "array", "object"})
# Recursive schemas ($ref cycles) are cut off at this depth.
_MAX_DEPTH = 12


def parameters_from_model(model: type[BaseModel]) -> dict[str, Any]:
    """A provider-safe ``type: object`` schema for a pydantic arguments model."""
    return clean_parameters(model.model_json_schema())


def clean_parameters(schema: dict[str, Any] | None) -> dict[str, Any]:
    """Top-level tool parameters: always an object with ``properties`` and ``required``."""
    source = schema if isinstance(schema, dict) else {}
    definitions = {**source.get("definitions", {}), **source.get("$defs", {})}
    cleaned = _clean(source, definitions, 0)
    properties = cleaned.get("properties", {}) if cleaned.get("type") == "object" else {}
    result: dict[str, Any] = {"type": "object", "properties": properties}
    required = [name for name in cleaned.get("required", []) if name in properties]
    result["required"] = required
    return result


def _clean(node: Any, definitions: dict[str, Any], depth: int) -> dict[str, Any]:
    if not isinstance(node, dict) or depth > _MAX_DEPTH:
        return {"type": "object"} if depth > _MAX_DEPTH else {}
    for _ in range(_MAX_DEPTH):  # refs to refs, Optional[Model], ...: unwrap until stable
        unwrapped = _collapse_nullable(_resolve_ref(node, definitions))
        if unwrapped is node:
            break
        node = unwrapped
    out: dict[str, Any] = {}
    node_type = _single_type(node)
    if node_type is not None:
        out["type"] = node_type
    elif "properties" in node:
        out["type"] = "object"
    description = _description(node)
    if description:
        out["description"] = description
    if "enum" in node and isinstance(node["enum"], list):
        out["enum"] = list(node["enum"])
    elif "const" in node:
        out["enum"] = [node["const"]]
    for bound in ("minimum", "maximum"):
        if isinstance(node.get(bound), int | float) and not isinstance(node.get(bound), bool):
            out[bound] = node[bound]
    if out.get("type") == "object" or "properties" in node:
        properties = node.get("properties") or {}
        out["properties"] = {
            str(name): _clean(value, definitions, depth + 1) for name, value in properties.items()
        }
        required = [r for r in node.get("required", []) if r in out["properties"]]
        if required:
            out["required"] = required
    if out.get("type") == "array":
        out["items"] = _clean(node.get("items") or {}, definitions, depth + 1) or {"type": "string"}
    return {key: value for key, value in out.items() if key in _KEPT_KEYS}


def _resolve_ref(node: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if not isinstance(ref, str):
        return node
    target = definitions.get(ref.rsplit("/", 1)[-1])
    if not isinstance(target, dict):
        return {key: value for key, value in node.items() if key != "$ref"}
    # Sibling keys (a description next to the $ref) win over the definition's.
    return {**target, **{key: value for key, value in node.items() if key != "$ref"}}


def _collapse_nullable(node: dict[str, Any]) -> dict[str, Any]:
    """``anyOf: [X, {type: null}]`` (pydantic's Optional) becomes X."""
    for key in ("anyOf", "oneOf"):
        options = node.get(key)
        if not isinstance(options, list):
            continue
        non_null = [o for o in options if not (isinstance(o, dict) and o.get("type") == "null")]
        if non_null:
            # Only the first alternative survives: the common subset has no unions.
            merged = {k: v for k, v in node.items() if k != key}
            return {**non_null[0], **merged}
    return node


def _single_type(node: dict[str, Any]) -> str | None:
    declared = node.get("type")
    if isinstance(declared, list):
        declared = next((t for t in declared if t != "null"), None)
    return declared if declared in _JSON_TYPES else None


def _description(node: dict[str, Any]) -> str:
    description = node.get("description")
    text = description.strip() if isinstance(description, str) else ""
    if "default" in node and node["default"] is not None:
        default = json.dumps(node["default"], ensure_ascii=False)
        text = f"{text} Default: {default}." if text else f"Default: {default}."
    return text
