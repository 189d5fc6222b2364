"""The ``llmx-tui.session/1`` JSON format: strict validation on import, export.

Import is all or nothing: the first problem raises SessionFormatError naming
the item index, and nothing is written. Export drops item ids and fields left
at their defaults, so export -> import -> export differs only in ids and
timestamps. Opaque provider fields on reasoning items are kept verbatim.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from llmx_tui.core.events import Usage
from llmx_tui.core.items import ITEM_ADAPTER, ITEM_TYPES, Item
from llmx_tui.core.surrogates import escape_surrogates_in_json
from llmx_tui.store.errors import SessionFormatError
from llmx_tui.store.models import SessionInfo

SESSION_FORMAT = "llmx-tui.session/1"
# SQLite's largest INTEGER.
_LARGEST_INTEGER = 2**63 - 1
_USAGE_KEYS = ("input_tokens", "cached_input_tokens", "output_tokens", "reasoning_tokens")


@dataclass
class ParsedSession:
    title: str | None
    provider: str | None = None
    model: str | None = None
    system_prompt: str | None = None
    demo: bool = False
    usage: Usage = field(default_factory=Usage)
    items: list[Item] = field(default_factory=list)


def parse_session_text(text: str, source: str = "input") -> ParsedSession:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SessionFormatError(
            f"{source} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    return parse_session(data, source)


def parse_session(data: Any, source: str = "input") -> ParsedSession:
    if not isinstance(data, dict):
        raise SessionFormatError(
            f'{source}: expected a JSON object with "format": "{SESSION_FORMAT}"'
        )
    if data.get("format") != SESSION_FORMAT:
        raise SessionFormatError(
            f'{source}: not an llmx-tui session ("format" must be "{SESSION_FORMAT}", '
            f"found {json.dumps(data.get('format'))})"
        )
    strings = {
        key: _optional_string(data, key, source)
        for key in ("title", "provider", "model", "system_prompt")
    }
    demo = data.get("demo", False)
    if not isinstance(demo, bool):
        raise SessionFormatError(f'{source}: "demo" must be true or false')
    raw_items = data.get("items")
    if not isinstance(raw_items, list):
        raise SessionFormatError(f'{source}: "items" must be a list')
    items = [_parse_item(index, raw, source) for index, raw in enumerate(raw_items)]
    return ParsedSession(
        title=strings["title"],
        provider=strings["provider"],
        model=strings["model"],
        system_prompt=strings["system_prompt"],
        demo=demo,
        usage=_parse_usage(data.get("usage"), source),
        items=items,
    )


def _optional_string(data: dict[str, Any], key: str, source: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise SessionFormatError(f'{source}: "{key}" must be a string')
    return value


def _parse_usage(raw: Any, source: str) -> Usage:
    if raw is None:
        return Usage()
    if not isinstance(raw, dict):
        raise SessionFormatError(f'{source}: "usage" must be an object')
    counts: dict[str, int | None] = {}
    for key in _USAGE_KEYS:
        value = raw.get(key)
        if value is not None and (type(value) is not int or not 0 <= value <= _LARGEST_INTEGER):
            raise SessionFormatError(
                f'{source}: usage "{key}" must be a whole number from 0 to {_LARGEST_INTEGER}'
            )
        counts[key] = value
    return Usage(
        input_tokens=counts["input_tokens"],
        cached_input_tokens=counts["cached_input_tokens"],
        output_tokens=counts["output_tokens"],
        reasoning_tokens=counts["reasoning_tokens"],
    )


def _parse_item(index: int, raw: Any, source: str) -> Item:
    where = f"{source}: item {index}"
    if not isinstance(raw, dict):
        raise SessionFormatError(f"{where}: expected an object, found {type(raw).__name__}")
    kind = raw.get("type")
    if kind is None:
        raise SessionFormatError(f'{where}: missing field "type"')
    if kind not in ITEM_TYPES:
        known = ", ".join(sorted(ITEM_TYPES))
        raise SessionFormatError(
            f"{where}: unknown item type {json.dumps(kind)} (known types: {known})"
        )
    # Ids are the store's business: an imported session gets fresh ones.
    fields = {key: value for key, value in raw.items() if key != "id"}
    try:
        item = ITEM_ADAPTER.validate_python(fields)
    except ValidationError as exc:
        raise SessionFormatError(f"{where} ({kind}): {_describe(exc)}") from None
    # What SQLite can hold: a NaN "created" was dropped on insert (NOT NULL), an infinite
    # one was saved as null (unreadable after), a huge "turn" cannot be stored at all.
    if not math.isfinite(item.created):
        raise SessionFormatError(f'{where} ({kind}): field "created" must be a finite number')
    if not -_LARGEST_INTEGER <= item.turn <= _LARGEST_INTEGER:
        raise SessionFormatError(
            f'{where} ({kind}): field "turn" must be a whole number from '
            f"{-_LARGEST_INTEGER} to {_LARGEST_INTEGER}"
        )
    return item


def _describe(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        # The first loc element is the union tag ("tool_call"); the rest is the field path.
        path = ".".join(str(part) for part in error["loc"][1:]) or "item"
        if error["type"] == "missing":
            problems.append(f'missing field "{path}"')
        else:
            problems.append(f'field "{path}": {error["msg"]}')
    return "; ".join(problems)


def item_to_json(item: Item) -> dict[str, Any]:
    """The export form: no id, no known field left at its default, extras kept."""
    dumped = item.model_dump(mode="json")
    fields = type(item).model_fields
    out: dict[str, Any] = {"type": dumped.pop("type")}
    dumped.pop("id")
    # Bookkeeping after the content, so an export reads content first.
    dumped["turn"] = dumped.pop("turn")
    dumped["created"] = dumped.pop("created")
    for key, value in dumped.items():
        spec = fields.get(key)
        if spec is not None and _is_default(spec, value):
            continue
        out[key] = value
    return out


def _is_default(spec: Any, value: Any) -> bool:
    if spec.default_factory is list:
        return bool(value == [])
    if spec.default_factory is not None:
        return False
    return not spec.is_required() and bool(value == spec.default)


def session_to_json(info: SessionInfo, items: list[Item]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "format": SESSION_FORMAT,
        "id": info.id,
        "title": info.title,
        "created": info.created,
        "updated": info.updated,
    }
    for key in ("provider", "model", "system_prompt"):
        value = getattr(info, key)
        if value is not None:
            out[key] = value
    if info.demo:
        out["demo"] = True
    out["usage"] = {key: getattr(info, key) for key in _USAGE_KEYS}
    out["items"] = [item_to_json(item) for item in items]
    return out


def session_json_text(data: dict[str, Any]) -> str:
    """An export (``session_to_json``) as the text of a file: readable, and encodable as
    UTF-8 even when an item holds a lone surrogate (written as its ``\\udXXX`` escape, which
    an import reads back as it was)."""
    return escape_surrogates_in_json(json.dumps(data, indent=2, ensure_ascii=False)) + "\n"
