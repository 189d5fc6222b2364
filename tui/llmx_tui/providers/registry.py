"""Provider presets: dialect, default base URL, key variable, reasoning policy.

Policies follow PAYLOAD-RULES.md section 2. ``base_url`` is the URL the
dialect appends its path to: ``{base}/chat/completions`` for OpenAI-style
servers, ``{base}/v1/messages`` for Anthropic, ``{base}/v1beta/models/...``
for Gemini.
"""

from __future__ import annotations

from dataclasses import dataclass

from llmx_tui.providers.base import Dialect, ReasoningPolicy


@dataclass(frozen=True)
class Preset:
    name: str
    dialect: Dialect
    base_url: str
    api_key_env: str | None  # None: no key needed (local servers)
    reasoning_policy: ReasoningPolicy = "never"
    reasoning_field: str | None = None
    # stream_options.include_usage is understood by this server.
    supports_stream_options: bool = True
    local: bool = False
    label: str = ""


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            "openai", "openai-chat", "https://api.openai.com/v1", "OPENAI_API_KEY", label="OpenAI"
        ),
        Preset(
            "openrouter",
            "openai-chat",
            "https://openrouter.ai/api/v1",
            "OPENROUTER_API_KEY",
            "anchored",
            "reasoning_details",
            label="OpenRouter",
        ),
        Preset(
            "deepseek",
            "openai-chat",
            "https://api.deepseek.com",
            "DEEPSEEK_API_KEY",
            "every_message",
            "reasoning_content",
            label="DeepSeek",
        ),
        Preset(
            "groq", "openai-chat", "https://api.groq.com/openai/v1", "GROQ_API_KEY", label="Groq"
        ),
        Preset(
            "mistral",
            "openai-chat",
            "https://api.mistral.ai/v1",
            "MISTRAL_API_KEY",
            supports_stream_options=False,
            label="Mistral",
        ),
        Preset("xai", "openai-chat", "https://api.x.ai/v1", "XAI_API_KEY", label="xAI"),
        Preset(
            "together",
            "openai-chat",
            "https://api.together.xyz/v1",
            "TOGETHER_API_KEY",
            label="Together",
        ),
        Preset(
            "ollama",
            "openai-chat",
            "http://127.0.0.1:11434/v1",
            None,
            "anchored",
            "reasoning",
            local=True,
            label="Ollama",
        ),
        Preset(
            "vllm",
            "openai-chat",
            "http://127.0.0.1:8000/v1",
            None,
            "anchored",
            "reasoning",
            local=True,
            label="vLLM",
        ),
        Preset(
            "llamacpp",
            "openai-chat",
            "http://127.0.0.1:8080/v1",
            None,
            "anchored",
            "reasoning_content",
            local=True,
            label="llama.cpp",
        ),
        Preset(
            "lmstudio",
            "openai-chat",
            "http://127.0.0.1:1234/v1",
            None,
            local=True,
            label="LM Studio",
        ),
        Preset(
            "anthropic",
            "anthropic",
            "https://api.anthropic.com",
            "ANTHROPIC_API_KEY",
            "anthropic",
            label="Anthropic",
        ),
        Preset(
            "gemini",
            "gemini",
            "https://generativelanguage.googleapis.com",
            "GEMINI_API_KEY",
            "gemini",
            label="Gemini",
        ),
        Preset(
            "openai-compatible",
            "openai-chat",
            "http://127.0.0.1:8000/v1",
            None,
            supports_stream_options=False,
            label="OpenAI-compatible",
        ),
    )
}

# Gemini accepts either variable; GEMINI_API_KEY wins when both are set.
KEY_ENV_ALIASES: dict[str, tuple[str, ...]] = {
    "GEMINI_API_KEY": ("GEMINI_API_KEY", "GOOGLE_API_KEY"),
}


class UnknownProviderError(ValueError):
    def __init__(self, name: str) -> None:
        choices = ", ".join(sorted(PRESETS))
        super().__init__(f"unknown provider {name!r}; choose one of: {choices}")


def get_preset(name: str) -> Preset:
    try:
        return PRESETS[name]
    except KeyError:
        raise UnknownProviderError(name) from None
