"""A failing api_key_cmd says why: the last line of its stderr, never its stdout."""

from __future__ import annotations

import pytest

from llmx_tui.config import Settings
from llmx_tui.providers.resolve import ProviderSetupError, resolve_provider


def _fails_with(command: str) -> str:
    settings = Settings.model_validate(
        {"providers": {"vault": {"preset": "openai", "api_key_cmd": command}}}
    )
    with pytest.raises(ProviderSetupError) as caught:
        resolve_provider(settings, provider="vault")
    return str(caught.value)


def test_the_last_stderr_line_is_quoted() -> None:
    message = _fails_with(
        'echo sk-partial; echo "first" >&2; echo "oops: vault locked" >&2; echo >&2; exit 3'
    )
    assert message == "api_key_cmd for 'vault' exited 3 without printing a key: oops: vault locked"


def test_stdout_is_never_quoted() -> None:
    message = _fails_with("echo sk-partial-key-123; exit 2")
    assert message == "api_key_cmd for 'vault' exited 2 without printing a key"


def test_the_stderr_line_is_neutralised_and_clipped() -> None:
    message = _fails_with(r"printf '\033[2Jbad\n' >&2; printf 'x%.0s' $(seq 500) >&2; exit 1")
    assert "\x1b" not in message
    said = message.partition("without printing a key: ")[2]
    assert said.startswith("xxx") and said.endswith("…") and len(said) == 200
    assert "\x1b" not in _fails_with(r"printf 'locked \033[31mred\n' >&2; exit 1")


def test_output_that_is_not_utf8_is_one_clear_error() -> None:
    message = _fails_with(r"printf '\377\376sk'")
    assert message == (
        "api_key_cmd for 'vault' printed something that is not UTF-8 text, not a key"
    )
    said = _fails_with(r"printf 'bad \377 byte\n' >&2; exit 4").partition("key: ")[2]
    assert said == "bad \ufffd byte"
