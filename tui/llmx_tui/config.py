"""Settings from TOML (platformdirs config dir or --config) plus env; CLI flags override.

An invalid file is reported with its path and line and never overwritten.
"""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from llmx_tui import paths
from llmx_tui.base_url import base_url_problem
from llmx_tui.engine.tools.mcp_config import McpConfig


class ConfigError(Exception):
    """A config file that cannot be used; the message names the file (and line)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProviderConfig(_Strict):
    preset: str | None = None  # defaults to the table's name when that is a preset
    base_url: str | None = None  # http:// or https://, with a host
    api_key_env: str | None = None
    api_key_cmd: str | None = None
    api_key: str | None = None
    models: list[str] = Field(default_factory=list)
    default_model: str | None = None
    reasoning_field: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    context_window: int | None = None

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, url: str | None) -> str | None:
        if url is None:
            return None
        problem = base_url_problem(url)
        if problem is not None:
            raise PydanticCustomError("base_url", problem)
        return url.strip()


class ToolsConfig(_Strict):
    enabled: bool = True
    # 0 kept nothing of any tool's output, and a timeout of 0 stopped every command.
    output_cap: int = Field(default=32 * 1024, ge=1)
    shell_timeout: float = Field(default=120.0, gt=0)
    # Tool names that run without asking (besides read-only tools inside the cwd).
    always_allow: list[str] = Field(default_factory=list)


class NetworkConfig(_Strict):
    connect_timeout: float = Field(default=10.0, gt=0)
    idle_timeout: float = Field(default=60.0, gt=0)
    max_attempts: int = Field(default=4, ge=1, le=20)


class Settings(_Strict):
    default_provider: str | None = None
    default_model: str | None = None
    system_prompt: str | None = None
    theme: str | None = None
    max_steps: int = Field(default=25, ge=1)
    max_tokens: int | None = None
    reasoning_effort: str | None = None
    providers: dict[str, ProviderConfig] = Field(default_factory=dict)
    tools: ToolsConfig = Field(default_factory=ToolsConfig)
    network: NetworkConfig = Field(default_factory=NetworkConfig)
    mcp: McpConfig = Field(default_factory=McpConfig)

    source: Path | None = Field(default=None, exclude=True)
    warnings: list[str] = Field(default_factory=list, exclude=True)


def load_settings(path: Path | None = None) -> Settings:
    """Settings from ``path`` (default: the config dir); defaults when the file does not exist."""
    explicit = path is not None
    path = path or paths.config_path()
    if not path.exists():
        if explicit:
            raise ConfigError(f"config file {path} does not exist")
        return Settings()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"config file {path} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML in {path}: {exc}") from None
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"invalid config in {path}: {_first_problem(exc)}") from None
    settings.source = path
    settings.warnings.extend(_permission_warnings(path, data))
    return settings


def _first_problem(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors()[:3]:
        where = ".".join(str(part) for part in error["loc"])
        problems.append(f"{where}: {error['msg']}")
    return "; ".join(problems)


def _permission_warnings(path: Path, data: dict[str, Any]) -> list[str]:
    has_literal_key = any(
        isinstance(p, dict) and p.get("api_key") for p in data.get("providers", {}).values()
    )
    if not has_literal_key or os.name != "posix":
        return []
    mode = path.stat().st_mode
    if mode & (stat.S_IRGRP | stat.S_IROTH):
        return [
            f"{path} holds an api_key and is readable by other users; "
            f"run: chmod 600 {path} (or use api_key_env / api_key_cmd)"
        ]
    return []


def save_theme(theme: str, path: Path | None = None) -> None:
    """Persist the theme choice, touching only the ``theme`` line of the file."""
    path = path or paths.config_path()
    original = path.read_text(encoding="utf-8") if path.exists() else ""
    try:
        tomllib.loads(original)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not saving the theme: {path} is invalid TOML ({exc})") from None
    lines = original.splitlines()
    new_line = f"theme = {_toml_string(theme)}"
    for index, line in enumerate(lines):
        if line.strip().startswith("["):
            lines.insert(index, new_line)
            break
        if line.split("=", 1)[0].strip() == "theme":
            lines[index] = new_line
            break
    else:
        lines.append(new_line)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write beside and rename: a crash mid-write never leaves half a config.
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if path.exists():
        os.chmod(temporary, stat.S_IMODE(path.stat().st_mode))
    os.replace(temporary, path)


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
