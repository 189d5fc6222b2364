"""Tool-call ids on the wire: unique within a payload, in the shape a server accepts.

Ids are rewritten consistently: one id in, one id out, used by the call and by
its result alike. Derived ids come from a hash of the original, so they stay
the same from one turn to the next (prompt caches keep working).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from llmx_tui.providers.base import ReportEntry
from llmx_tui.providers.history_model import AssistantStep, Step

ShapeId = Callable[[str, int], str]  # (wire id, salt) -> the id in a server's shape
_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_blake2s = hashlib.blake2s
_ANTHROPIC_ID = re.compile(r"[A-Za-z0-9_-]+")


def assign_unique_call_ids(steps: list[Step], report: list[ReportEntry]) -> None:
    """Every kept call gets a ``wire_id`` no other call of the payload uses."""
    used: set[str] = set()
    next_suffix: dict[str, int] = {}  # per reused id: no rescanning from _2 (linear)
    for step in steps:
        if not isinstance(step, AssistantStep):
            continue
        for call in step.calls:
            wire_id = call.item.call_id
            if not wire_id:
                wire_id = f"call_{call.item.id}"
                report.append(
                    ReportEntry(
                        call.item.id, "missing-call-id", "changed", f"sent with id {wire_id!r}"
                    )
                )
            # A made-up id may be taken too: by a call whose id it is, or by a
            # call without id whose item has the same id (an import).
            if wire_id in used:
                wire_id = suffixed_id(call.item.id, wire_id, used, next_suffix, report)
            used.add(wire_id)
            call.wire_id = wire_id


# Byte -> alphanumeric (a slight bias towards the first eight characters is harmless).
_TO_ALPHANUMERIC = bytes(ord(_ALPHABET[b % 62]) for b in range(256))


def mistral_id(original: str, salt: int = 0) -> str:
    """Mistral wants exactly 9 alphanumerics."""
    if salt == 0 and len(original) == 9 and original.isascii() and original.isalnum():
        return original  # str methods: this runs per call on every request
    digest = _blake2s(f"{original}\x00{salt}".encode(), digest_size=9).digest()
    return digest.translate(_TO_ALPHANUMERIC).decode("ascii")


# OpenAI rejects a longer id: "string too long. Expected a string with maximum length 40"
# (vLLM's ids are 46 characters, some routers' longer still).
OPENAI_MAX_ID_LENGTH = 40


def openai_id(original: str, salt: int = 0) -> str:
    """api.openai.com takes ids of at most 40 characters; a longer one (from another
    provider) is sent as ``call_`` and 24 alphanumerics derived from it."""
    if salt == 0 and len(original) <= OPENAI_MAX_ID_LENGTH:
        return original  # the usual case, per call on every request: one length check
    digest = _blake2s(f"{original}\x00{salt}".encode(), digest_size=24).digest()
    return "call_" + digest.translate(_TO_ALPHANUMERIC).decode("ascii")


# OpenAI checks the names of calls in the history too ("string does not match pattern");
# Anthropic documents the same pattern for tool names. Another server's model may have
# called a tool nobody offered by a name with dots or colons (gpt-oss:
# ``repo_browser.open_file``).
_TOOL_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
_NAME_CHARACTER = re.compile(r"[^A-Za-z0-9_-]")
# Names already seen to match: writers test ``in`` this set (a few tens of ns per call)
# before calling ``tool_name``. Names come from models: its size is bounded.
VALID_TOOL_NAMES: set[str] = set()


def tool_name(name: str) -> str:
    """``name``, or (outside ``^[A-Za-z0-9_-]{1,64}$``) the name with every other
    character as ``_``, cut to 55, and 8 characters of its hash: ``read.file`` must not
    become the real ``read_file`` the model was given (nor ``read:file``). The same
    name always gives the same wire name, so prompt caches still match."""
    if name in VALID_TOOL_NAMES:
        return name
    if _TOOL_NAME.fullmatch(name):
        if len(VALID_TOOL_NAMES) < 4096:
            VALID_TOOL_NAMES.add(name)
        return name
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{_NAME_CHARACTER.sub('_', name)[:55]}_{digest}"


def anthropic_id(original: str, salt: int = 0) -> str:
    """Anthropic tool_use ids match ``^[a-zA-Z0-9_-]+$``."""
    if salt == 0 and _ANTHROPIC_ID.fullmatch(original):
        return original
    cleaned = re.sub(r"[^A-Za-z0-9_-]", "_", original) or "call"
    return cleaned if salt == 0 else f"{cleaned}_{salt}"


def rewrite_wire_ids(steps: list[Step], shape: ShapeId, report: list[ReportEntry]) -> None:
    """Give every call the server's id shape; results follow their call's ``wire_id``.

    One id in, one id out: ``wire_id`` is already unique within the payload
    (``assign_unique_call_ids``), so each is shaped once; a shaped id another
    call already took is salted until it is free.
    """
    taken: set[str] = set()
    for step in steps:
        if not isinstance(step, AssistantStep):
            continue
        for call in step.calls:
            wire_id = call.wire_id
            call.wire_id = shaped_id(call.item.id, wire_id, shape(wire_id, 0), shape, taken, report)


# One call at a time: the passes above and ``history_fast`` alike.


def suffixed_id(
    item_id: str,
    call_id: str,
    used: set[str],
    next_suffix: dict[str, int],
    report: list[ReportEntry],
) -> str:
    """A free ``{call_id}_{n}`` for an id the payload already uses."""
    n = next_suffix.get(call_id, 2)
    while f"{call_id}_{n}" in used:
        n += 1
    next_suffix[call_id] = n + 1
    wire_id = f"{call_id}_{n}"
    report.append(
        ReportEntry(
            item_id,
            "duplicate-call-id",
            "changed",
            f"id {call_id!r} already used; sent as {wire_id!r}",
        )
    )
    return wire_id


def shaped_id(
    item_id: str,
    wire_id: str,
    new_id: str,
    shape_id: ShapeId,
    taken: set[str],
    report: list[ReportEntry],
) -> str:
    """The id one call is sent with in the server's shape (``new_id``: its shape,
    unsalted), salted until no other call has it."""
    salt = 0
    while new_id in taken:
        salt += 1
        new_id = shape_id(wire_id, salt)
    taken.add(new_id)
    if new_id != wire_id:
        report.append(
            ReportEntry(item_id, "call-id-format", "changed", f"id {wire_id!r} sent as {new_id!r}")
        )
    return new_id
