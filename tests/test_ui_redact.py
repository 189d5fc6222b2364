"""The payload inspector hides configured keys: long ones everywhere, short and dummy
ones only where they stand as a whole value (``ui/dialogs/redact``)."""

from __future__ import annotations

from llmx_tui.ui.dialogs.redact import REDACTED, redact, redact_url


def test_a_short_key_is_not_cut_out_of_words_but_hidden_as_a_whole_value() -> None:
    payload = {
        "messages": [{"role": "user", "content": "thinktool k is a letter"}],
        "extra_headers": {"X-Custom-Auth": "k", "Authorization2": "Bearer k"},
        "token": " k ",
    }
    shown = redact(payload, secrets=("k",))
    assert shown["messages"][0]["content"] == "thinktool k is a letter"
    assert shown["extra_headers"] == {
        "X-Custom-Auth": REDACTED,
        "Authorization2": f"Bearer {REDACTED}",
    }
    assert shown["token"] == REDACTED


def test_dummy_keys_of_local_servers_leave_the_words_in_prose() -> None:
    for key in ("ollama", "EMPTY", "lm-studio", "sk-no-key-required"):
        text = f"Run it with {key} locally; ({key}) setups differ."
        shown = redact({"content": text, "api_token": key, "auth": f"Bearer {key}"}, (key,))
        assert shown == {"content": text, "api_token": REDACTED, "auth": f"Bearer {REDACTED}"}


def test_a_long_key_is_hidden_everywhere_even_inside_other_text() -> None:
    key = "loc4l-s3cret-value"
    shown = redact({"content": f"x{key}y and {key}", "v": key}, (key,))
    assert shown == {"content": f"x{REDACTED}y and {REDACTED}", "v": REDACTED}
    assert redact_url(f"http://h/v1/{key}/chat", (key,)) == f"http://h/v1/{REDACTED}/chat"


def test_a_short_key_in_the_url_s_key_parameter_is_hidden() -> None:
    assert redact_url("http://h/x?alt=sse&key=k", ("k",)) == f"http://h/x?alt=sse&key={REDACTED}"
    assert redact_url("http://kk.example/kx", ("k",)) == "http://kk.example/kx"


def test_a_short_key_anywhere_in_the_url_is_hidden_as_a_whole_part() -> None:
    url = "https://gw.example/abc1234/v1/chat?token=abc1234&mode=abc12345"
    assert redact_url(url, ["abc1234"]) == (
        f"https://gw.example/{REDACTED}/v1/chat?token={REDACTED}&mode=abc12345"
    )
    # A placeholder key names a host or a path as often as it stands for a key.
    assert redact_url("http://ollama:11434/v1", ["ollama"]) == "http://ollama:11434/v1"
