"""Items to and from the JSON text of their rows, lone UTF-16 surrogates included.

A lone surrogate (an imported file's ``"\\ud83d"``, a hand-edited session) cannot be
encoded as UTF-8, so pydantic's fast serialiser refuses the item and SQLite would
refuse the text. Such an item is stored with the surrogate as a JSON escape instead:
the history keeps exactly what it was given, and the payload builders mend it on
the way out (``providers.surrogates``). The usual item costs nothing more.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from pydantic import ValidationError
from pydantic_core import PydanticSerializationError

from llmx_tui.core.items import ITEMS_ADAPTER, Item
from llmx_tui.providers.surrogates import has_surrogates, mend_surrogates


def item_row_json(item: Item) -> str:
    """The item as the JSON text of its row."""
    try:
        return item.model_dump_json()
    except PydanticSerializationError:
        # Python's encoder escapes a lone surrogate as ``\\udXXX`` (ensure_ascii).
        return json.dumps(item.model_dump(mode="json"), separators=(",", ":"))


def items_from_row_jsons(jsons: Sequence[str]) -> list[Item]:
    """The items of these rows, in order."""
    text = "[" + ",".join(jsons) + "]"
    try:
        return ITEMS_ADAPTER.validate_json(text)
    except ValidationError:
        # pydantic's JSON parser rejects a lone surrogate's escape; Python's does not.
        # Any other error is raised again by the strict validation below.
        if "\\u" not in text:
            raise
        return ITEMS_ADAPTER.validate_python(json.loads(text))


def storable_text(text: str | None) -> str | None:
    """A session field SQLite can store: a lone surrogate becomes U+FFFD. For the
    session's own fields (title, system prompt); items keep theirs (``item_row_json``)."""
    if text is None or text.isascii() or not has_surrogates(text):
        return text
    return mend_surrogates(text)
