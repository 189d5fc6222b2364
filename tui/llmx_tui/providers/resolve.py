"""From settings and flags to one concrete provider: preset, URL, key, model."""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass, field

from llmx_tui.config import ProviderConfig, Settings
from llmx_tui.core.safe_text import neutralise
from llmx_tui.providers.registry import KEY_ENV_ALIASES, PRESETS, Preset, get_preset

DEFAULT_MODELS: dict[str, str] = {
    "openai": "gpt-4o-mini",
    "openrouter": "openai/gpt-4o-mini",
    "deepseek": "deepseek-chat",
    "groq": "llama-3.3-70b-versatile",
    "mistral": "mistral-small-latest",
    "xai": "grok-3-mini",
    "together": "meta-llama/Llama-3.3-70B-Instruct-Turbo",
    "anthropic": "claude-sonnet-4-5",
    "gemini": "gemini-2.5-flash",
}


class ProviderSetupError(Exception):
    """The provider cannot be used as configured; the message says how to fix it."""


class NoProviderError(ProviderSetupError):
    """Nothing names a provider (no flag, no config, no key variable): a first run."""


@dataclass(frozen=True)
class ResolvedProvider:
    name: str
    preset: Preset
    base_url: str
    model: str
    api_key: str | None = field(default=None, repr=False)
    reasoning_field: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    context_window: int | None = None

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.api_key,) if self.api_key else ()


def resolve_provider(
    settings: Settings,
    *,
    provider: str | None = None,
    model: str | None = None,
    base_url: str | None = None,
    api_key_env: str | None = None,
) -> ResolvedProvider:
    name = provider or settings.default_provider or _guess_provider(base_url)
    configured = settings.providers.get(name, ProviderConfig())
    preset = _configured_preset(settings, name) if name in settings.providers else get_preset(name)
    key = _api_key(name, preset, configured, api_key_env)
    chosen_model = (
        model
        or configured.default_model
        or (settings.default_model if name == settings.default_provider else None)
        or (configured.models[0] if configured.models else None)
        or DEFAULT_MODELS.get(preset.name)
    )
    if not chosen_model:
        raise ProviderSetupError(f"no model chosen for provider {name!r}: pass --model NAME")
    return ResolvedProvider(
        name=name,
        preset=preset,
        base_url=base_url or configured.base_url or preset.base_url,
        model=chosen_model,
        api_key=key,
        reasoning_field=configured.reasoning_field or preset.reasoning_field,
        headers=dict(configured.headers),
        context_window=configured.context_window,
    )


def _configured_preset(settings: Settings, name: str) -> Preset:
    """The preset of the config's ``[providers.NAME]``; a wrong one is named with its entry."""
    chosen = settings.providers[name].preset
    found = PRESETS.get(chosen or name)
    if found is not None:
        return found
    entry = f"[providers.{_toml_key(name)}]"
    where = f" in {settings.source}" if settings.source else ""
    choices = ", ".join(sorted(PRESETS))
    if chosen:
        raise ProviderSetupError(
            f"{entry} preset {json.dumps(chosen)}{where} is not a known preset; "
            f"choose one of: {choices}"
        )
    raise ProviderSetupError(
        f"{entry}{where} has no preset and {json.dumps(name)} is not a preset name; "
        f"set preset to one of: {choices}"
    )


def _toml_key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else json.dumps(name)


def _guess_provider(base_url: str | None) -> str:
    if base_url:
        return "openai-compatible"
    for preset in PRESETS.values():
        if preset.api_key_env and any(os.environ.get(v) for v in _key_vars(preset.api_key_env)):
            return preset.name
    raise NoProviderError(
        "no provider configured: pass --provider NAME (and --model), set an API key such as "
        "OPENAI_API_KEY or ANTHROPIC_API_KEY, or point --base-url at a local server"
    )


def _key_vars(env: str) -> tuple[str, ...]:
    return KEY_ENV_ALIASES.get(env, (env,))


def _api_key(
    name: str, preset: Preset, configured: ProviderConfig, flag_env: str | None
) -> str | None:
    if flag_env:
        value = os.environ.get(flag_env)
        if not value:
            raise ProviderSetupError(f"the environment variable {flag_env} is not set or empty")
        return value
    if configured.api_key_env:
        value = os.environ.get(configured.api_key_env)
        if not value:
            raise ProviderSetupError(
                f"provider {name!r} needs an API key: set {configured.api_key_env}"
            )
        return value
    if configured.api_key_cmd:
        return _key_from_command(name, configured.api_key_cmd)
    if configured.api_key:
        return configured.api_key
    if preset.api_key_env is None:
        return None
    for var in _key_vars(preset.api_key_env):
        value = os.environ.get(var)
        if value:
            return value
    raise ProviderSetupError(f"provider {name!r} needs an API key: set {preset.api_key_env}")


def _key_from_command(name: str, command: str) -> str:
    try:
        done = subprocess.run(command, shell=True, capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ProviderSetupError(f"api_key_cmd for {name!r} failed: {exc}") from None
    try:
        key = done.stdout.decode("utf-8").strip()
    except UnicodeDecodeError:  # never quoted: it may be (part of) a key
        raise ProviderSetupError(
            f"api_key_cmd for {name!r} printed something that is not UTF-8 text, not a key"
        ) from None
    if done.returncode != 0 or not key:
        message = f"api_key_cmd for {name!r} exited {done.returncode} without printing a key"
        said = _last_line(done.stderr.decode("utf-8", errors="replace"))
        raise ProviderSetupError(f"{message}: {said}" if said else message)
    return key


# How much of a failing api_key_cmd's stderr a message quotes.
_STDERR_ROOM = 200


def _last_line(stderr: str) -> str:
    """The command's last non-empty stderr line, neutralised and clipped (its stdout,
    which may hold part of a key, is never quoted)."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    if not lines:
        return ""
    line = " ".join(neutralise(lines[-1]).split())
    return line if len(line) <= _STDERR_ROOM else line[: _STDERR_ROOM - 1] + "…"
