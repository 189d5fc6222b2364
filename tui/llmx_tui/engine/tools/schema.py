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


def clean_parameters(schema: Any) -> dict[str, Any]:
    """Top-level tool parameters: always an object with ``properties`` and ``required``.

    Accepts anything (an MCP server's schema is foreign input) and never raises.
    """
    source = schema if isinstance(schema, dict) else {}
    definitions = {**_as_dict(source.get("definitions")), **_as_dict(source.get("$defs"))}
    cleaned = _clean(source, definitions, 0)
    properties = cleaned.get("properties", {}) if cleaned.get("type") == "object" else {}
    return {
        "type": "object",
        "properties": properties,
        "required": cleaned.get("required", []) if properties else [],
    }


def _clean(node: Any, definitions: dict[str, Any], depth: int) -> dict[str, Any]:
    if depth > _MAX_DEPTH:
        return {"type": "object"}
    node = _unwrap(_as_dict(node), definitions)
    out: dict[str, Any] = {}
    enum = _enum(node)
    # Some providers insist on a type; an untyped ("any") value becomes a string,
    # which can carry anything.
    node_type = _single_type(node) or _implied_type(node, enum)
    out["type"] = node_type
    description = _description(node, enum)
    if description:
        out["description"] = description
    if enum is not None and node_type == "string" and all(isinstance(v, str) for v in enum):
        out["enum"] = enum
    for bound in ("minimum", "maximum"):
        value = node.get(bound)
        if isinstance(value, int | float) and not isinstance(value, bool):
            out[bound] = value
    if node_type == "object":
        properties = _as_dict(node.get("properties"))
        out["properties"] = {
            str(name): _clean(value, definitions, depth + 1) for name, value in properties.items()
        }
        required = node.get("required")
        names = [r for r in required if isinstance(r, str)] if isinstance(required, list) else []
        names = [name for name in dict.fromkeys(names) if name in out["properties"]]
        if names:
            out["required"] = names
    if node_type == "array":
        out["items"] = _clean(node.get("items"), definitions, depth + 1)
    return out


def _as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _unwrap(node: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    for _ in range(_MAX_DEPTH):  # refs to refs, Optional[Model], ...: unwrap until stable
        unwrapped = _collapse_nullable(_resolve_ref(node, definitions))
        if unwrapped is node:
            break
        node = unwrapped
    return node


def _resolve_ref(node: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    if "$ref" not in node:
        return node
    siblings = {key: value for key, value in node.items() if key != "$ref"}
    ref = node["$ref"]
    target = definitions.get(ref.rsplit("/", 1)[-1]) if isinstance(ref, str) else None
    # Sibling keys (a description next to the $ref) win over the definition's.
    return {**target, **siblings} if isinstance(target, dict) else siblings


def _collapse_nullable(node: dict[str, Any]) -> dict[str, Any]:
    """``anyOf: [X, {type: null}]`` (pydantic's Optional) becomes X."""
    for key in ("anyOf", "oneOf", "allOf"):
        if key not in node:
            continue
        options = node[key] if isinstance(node[key], list) else []
        rest = {k: v for k, v in node.items() if k != key}
        choices = [o for o in options if isinstance(o, dict) and o.get("type") != "null"]
        # Only the first alternative survives: the common subset has no unions.
        return {**choices[0], **rest} if choices else rest
    return node


def _single_type(node: dict[str, Any]) -> str | None:
    declared = node.get("type")
    if isinstance(declared, list):
        declared = next((t for t in declared if isinstance(t, str) and t != "null"), None)
    return declared if isinstance(declared, str) and declared in _JSON_TYPES else None


def _implied_type(node: dict[str, Any], enum: list[Any] | None) -> str:
    if "properties" in node:
        return "object"
    if enum and all(isinstance(v, bool) for v in enum):
        return "boolean"
    if enum and all(isinstance(v, int) and not isinstance(v, bool) for v in enum):
        return "integer"
    if enum and all(isinstance(v, int | float) and not isinstance(v, bool) for v in enum):
        return "number"
    return "string"


def _enum(node: dict[str, Any]) -> list[Any] | None:
    if isinstance(node.get("enum"), list) and node["enum"]:
        return list(node["enum"])
    if "const" in node:
        return [node["const"]]
    return None


def _description(node: dict[str, Any], enum: list[Any] | None) -> str:
    description = node.get("description")
    parts = [description.strip()] if isinstance(description, str) and description.strip() else []
    if enum is not None and not all(isinstance(value, str) for value in enum):
        # Gemini takes enums of strings only; other choices are spelt out instead.
        parts.append(f"One of: {', '.join(_json(value) for value in enum)}.")
    if node.get("default") is not None:
        parts.append(f"Default: {_json(node['default'])}.")
    return " ".join(parts)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)
