"""Add or update one provider in the config file, as TOML text, without losing anything.

The file is edited line by line (comments and layout survive), then the new
text is parsed and compared with the old data plus the intended change: if
anything else moved, nothing is written. A file that does not parse or does
not validate is never touched. Writes are atomic and leave the file 0600.
"""

from __future__ import annotations

import copy
import os
import re
import stat
import tempfile
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from llmx_tui import paths
from llmx_tui.config import ConfigError, Settings
from llmx_tui.providers.registry import PRESETS

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_HEADER = re.compile(r"^\s*\[")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def add_provider(
    name: str,
    *,
    preset: str,
    base_url: str | None = None,
    api_key_env: str | None = None,
    model: str | None = None,
    make_default: bool = True,
    path: Path | None = None,
) -> Path:
    """Write ``[providers.<name>]`` (created, or its keys updated); returns the file's path.

    Raises ConfigError when the file cannot be read, parsed or validated, when
    the provider is defined in a form this editor cannot change safely, or
    when an argument is unusable. Only an environment variable *name* is
    stored for the key, never a key.
    """
    name = name.strip()
    if not name:
        raise ConfigError("a provider needs a name")
    if preset not in PRESETS:
        raise ConfigError(f"unknown preset {preset!r}; choose one of: {', '.join(sorted(PRESETS))}")
    if api_key_env is not None and not _ENV_NAME.match(api_key_env):
        raise ConfigError(
            f"{api_key_env!r} is not an environment variable name (like OPENAI_API_KEY)"
        )
    path = path or paths.config_path()
    original = _read(path)
    data = _parse(path, original)

    fields: dict[str, str] = {"preset": preset}
    for key, value in (
        ("base_url", base_url),
        ("api_key_env", api_key_env),
        ("default_model", model),
    ):
        if value:
            fields[key] = value.strip()
    top_level: dict[str, str | None] = {}
    if make_default:
        top_level = {"default_provider": name, "default_model": fields.get("default_model")}

    lines = original.splitlines()
    lines = _set_provider_fields(lines, name, fields, exists=name in data.get("providers", {}))
    lines = _set_top_level(lines, top_level)
    text = "\n".join(lines).strip("\n") + "\n"

    expected = _apply(data, name, fields, top_level)
    _verify(path, text, expected)
    _write_atomically(path, text)
    return path


def _read(path: Path) -> str:
    if not path.exists():
        return ""
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"not changing {path}: it is not UTF-8 text") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None


def _parse(path: Path, text: str) -> dict[str, Any]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not changing {path}: it is invalid TOML ({exc})") from None
    try:
        Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(
            f"not changing {path}: it is not a valid config ({exc.errors()[0]['msg']})"
        ) from None
    return data


def toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else toml_string(key)


def toml_string(value: str) -> str:
    escaped = []
    for char in value:
        if char in ('"', "\\"):
            escaped.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            escaped.append(f"\\u{ord(char):04X}")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'


def _section_span(lines: list[str], name: str) -> tuple[int, int] | None:
    """Line range (header, end) of the ``[providers.<name>]`` table, if written as one."""
    header = re.compile(
        r"^\s*\[\s*providers\s*\.\s*(?:"
        + re.escape(name)
        + "|"
        + re.escape(toml_string(name))
        + r")\s*\]\s*(#.*)?$"
    )
    for index, line in enumerate(lines):
        if header.match(line):
            end = index + 1
            while end < len(lines) and not _HEADER.match(lines[end]):
                end += 1
            return index, end
    return None


def _key_of(line: str) -> str | None:
    if "=" not in line or line.lstrip().startswith("#"):
        return None
    return line.split("=", 1)[0].strip().strip('"')


def _set_provider_fields(
    lines: list[str], name: str, fields: dict[str, str], *, exists: bool
) -> list[str]:
    span = _section_span(lines, name)
    new_lines = [f"{key} = {toml_string(value)}" for key, value in fields.items()]
    if span is None:
        if exists:
            raise ConfigError(
                f"provider {name!r} is already defined in a form this form cannot edit; "
                "change it by hand"
            )
        while lines and not lines[-1].strip():
            lines = lines[:-1]
        separator = [""] if lines else []
        return [*lines, *separator, f"[providers.{toml_key(name)}]", *new_lines]
    start, end = span
    body = lines[start + 1 : end]
    remaining = dict(zip(fields, new_lines, strict=True))
    for offset, line in enumerate(body):
        key = _key_of(line)
        if key in remaining:
            body[offset] = remaining.pop(key)
    # New keys go after the last non-blank line of the table.
    insert_at = len(body)
    while insert_at and not body[insert_at - 1].strip():
        insert_at -= 1
    body[insert_at:insert_at] = list(remaining.values())
    return [*lines[: start + 1], *body, *lines[end:]]


def _set_top_level(lines: list[str], values: dict[str, str | None]) -> list[str]:
    """Set (or, for None, remove) keys that come before the first table header."""
    first_header = next((i for i, line in enumerate(lines) if _HEADER.match(line)), len(lines))
    head, rest = lines[:first_header], lines[first_header:]
    for key, value in values.items():
        index = next((i for i, line in enumerate(head) if _key_of(line) == key), None)
        if value is None:
            if index is not None:
                del head[index]
            continue
        line = f"{key} = {toml_string(value)}"
        if index is None:
            insert_at = len(head)
            while insert_at and not head[insert_at - 1].strip():
                insert_at -= 1
            head.insert(insert_at, line)
        else:
            head[index] = line
    if head and rest and head[-1].strip():
        head.append("")
    return head + rest


def _apply(
    data: dict[str, Any], name: str, fields: dict[str, str], top_level: dict[str, str | None]
) -> dict[str, Any]:
    expected = copy.deepcopy(data)
    expected.setdefault("providers", {}).setdefault(name, {}).update(fields)
    for key, value in top_level.items():
        if value is None:
            expected.pop(key, None)
        else:
            expected[key] = value
    return expected


def _verify(path: Path, text: str, expected: dict[str, Any]) -> None:
    try:
        written = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        written = None
    if written != expected:
        raise ConfigError(
            f"not changing {path}: its layout is too unusual to edit safely; change it by hand"
        )
    try:
        Settings.model_validate(written)
    except ValidationError as exc:
        problem = exc.errors()[0]["msg"]
        raise ConfigError(f"not changing {path}: the result would be invalid ({problem})") from None


def _write_atomically(path: Path, text: str) -> None:
    # A symlinked config (dotfiles) is written through: the link itself survives.
    path = path.resolve() if path.is_symlink() else path
    path.parent.mkdir(parents=True, exist_ok=True)
    # A temporary file beside the target, renamed over it: a crash mid-write
    # never leaves half a config, and the file is private from its first byte.
    descriptor, temporary = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, stat.S_IRUSR | stat.S_IWUSR)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
