"""Items to and from the JSON text of their rows, lone UTF-16 surrogates included.

A lone surrogate (an imported file's ``"\\ud83d"``, a hand-edited session) cannot be
encoded as UTF-8, so pydantic's fast serialiser refuses the item and SQLite would
refuse the text. Such an item is stored with the surrogate as a JSON escape instead:
the history keeps exactly what it was given, and the payload builders mend it on
the way out (``core.surrogates``). The usual item costs nothing more.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from pydantic import ValidationError
from pydantic_core import PydanticSerializationError

from llmx_tui.core.items import ITEM_ADAPTER, ITEMS_ADAPTER, Item
from llmx_tui.core.surrogates import encodable
from llmx_tui.store.errors import StoreError


def item_row_json(item: Item) -> str:
    """The item as the JSON text of its row."""
    try:
        return item.model_dump_json()
    except PydanticSerializationError:
        # Python's encoder escapes a lone surrogate as ``\\udXXX`` (ensure_ascii).
        return json.dumps(item.model_dump(mode="json"), separators=(",", ":"))


class UnreadableItemError(StoreError):
    """A row's JSON is no item (the file was edited or damaged by hand)."""

    def __init__(self, number: int, reason: str) -> None:
        super().__init__(f"item {number} cannot be read ({reason})")
        self.number = number  # of the rows read, from 1
        self.reason = reason


def items_from_row_jsons(jsons: Sequence[str]) -> list[Item]:
    """The items of these rows, in order; UnreadableItemError names the first row that
    holds no item."""
    text = "[" + ",".join(jsons) + "]"
    try:
        return ITEMS_ADAPTER.validate_json(text)
    except ValidationError:
        pass
    # pydantic's JSON parser rejects a lone surrogate's escape; Python's does not. Row by
    # row, so that a row which is no item at all is named.
    items: list[Item] = []
    for number, row in enumerate(jsons, start=1):
        try:
            items.append(ITEM_ADAPTER.validate_python(json.loads(row)))
        except (ValueError, RecursionError) as exc:  # ValidationError is a ValueError
            raise UnreadableItemError(number, _first_line(exc)) from None
    return items


def _first_line(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"][1:])
        return f"{where}: {error['msg']}" if where else error["msg"]
    return str(exc).splitlines()[0]


def storable_text(text: str | None) -> str | None:
    """A session field SQLite can store: a lone surrogate becomes U+FFFD. For the
    session's own fields (title, system prompt); items keep theirs (``item_row_json``)."""
    return None if text is None else encodable(text)
