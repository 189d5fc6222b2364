"""Whether a built request holds anything for the model to answer.

A history with no sendable message (empty prompts, replies and errors the payload
builder leaves out) builds ``messages: []`` (``contents: []`` for Gemini), or only the
system prompt, and every provider rejects that with an error that does not say why.
The engine checks here before it sends a step, and ends the turn with an error of its
own instead. Pure: it reads the payload and never touches the network.
"""

from __future__ import annotations

from typing import Any

from llmx_tui.core.events import ErrorInfo
from llmx_tui.providers.base import Dialect

EMPTY_REQUEST = "empty_request"

# Where each dialect puts the conversation, and the roles in it that are not a message
# of the conversation (the system prompt travels beside it for Anthropic and Gemini).
_CONVERSATION_KEY: dict[Dialect, str] = {
    "openai-chat": "messages",
    "anthropic": "messages",
    "gemini": "contents",
}
_NOT_CONVERSATION = frozenset({"system", "developer"})


def has_conversation(dialect: Dialect, payload: dict[str, Any]) -> bool:
    """True when ``payload`` holds at least one message besides the system prompt."""
    messages = payload.get(_CONVERSATION_KEY[dialect])
    if not isinstance(messages, list):
        return True  # a shape this does not know: the provider judges it
    return any(
        not isinstance(message, dict) or message.get("role") not in _NOT_CONVERSATION
        for message in messages
    )


def empty_request_error(dialect: Dialect, payload: dict[str, Any]) -> ErrorInfo | None:
    """The error that ends the turn instead of sending ``payload``; None when it may go."""
    if has_conversation(dialect, payload):
        return None
    return ErrorInfo(
        kind=EMPTY_REQUEST,
        message="Not sent: the request would hold no message, and providers reject that. "
        "Nothing in this conversation has text a model could read (empty prompts and "
        "replies are left out of requests). Type a prompt with some text to go on.",
    )
