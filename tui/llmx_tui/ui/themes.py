"""Themes: TOML files loaded into Textual ``Theme`` objects.

Built-ins come from the packaged ``llmx_tui/themes`` folder (the wheel
force-includes the repo's top-level ``themes/``); in a source checkout the
repo folder is used. User themes live in ``<config dir>/themes``. A file that
cannot be read becomes an error message and is skipped.

A theme file::

    name = "llmx-dark"
    dark = true
    primary = "#4f9cf9"      # required; the other colours are optional
    [variables]              # optional Textual theme variables
    "footer-key-foreground" = "#4f9cf9"
"""

from __future__ import annotations

import importlib.resources
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from textual.color import Color, ColorParseError
from textual.theme import Theme

from llmx_tui.paths import config_dir

COLOUR_FIELDS = (
    "primary",
    "secondary",
    "warning",
    "error",
    "success",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
)
DEFAULT_THEME = "llmx-dark"


@dataclass
class LoadedThemes:
    themes: list[Theme] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class ThemeFileError(ValueError):
    pass


def theme_from_toml(text: str, source: str) -> Theme:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ThemeFileError(f"{source}: not valid TOML ({exc})") from None
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ThemeFileError(f"{source}: missing 'name'")
    if "primary" not in data:
        raise ThemeFileError(f"{source}: missing 'primary' colour")
    colours: dict[str, str] = {}
    for key in COLOUR_FIELDS:
        if key in data:
            value = data[key]
            try:
                Color.parse(value)
            except (ColorParseError, TypeError, ValueError):
                raise ThemeFileError(f"{source}: {key} = {value!r} is not a colour") from None
            colours[key] = value
    variables = data.get("variables", {})
    if not isinstance(variables, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in variables.items()
    ):
        raise ThemeFileError(f"{source}: [variables] must map names to strings")
    dark = data.get("dark", True)
    if not isinstance(dark, bool):
        raise ThemeFileError(f"{source}: 'dark' must be true or false")
    return Theme(name=name.strip(), dark=dark, variables=dict(variables), **colours)


def _builtin_dir() -> Path | None:
    try:
        packaged = importlib.resources.files("llmx_tui") / "themes"
        if packaged.is_dir():
            return Path(str(packaged))
    except (ModuleNotFoundError, OSError):
        pass
    repo = Path(__file__).resolve().parents[3] / "themes"
    return repo if repo.is_dir() else None


def user_theme_dir() -> Path:
    return config_dir() / "themes"


def load_theme_dir(folder: Path, into: LoadedThemes) -> None:
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.toml")):
        try:
            into.themes.append(theme_from_toml(path.read_text(encoding="utf-8"), str(path)))
        except ThemeFileError as exc:
            into.errors.append(f"Theme skipped: {exc}")
        except (OSError, UnicodeDecodeError) as exc:
            into.errors.append(f"Theme skipped: {path}: {exc}")


def load_themes(user_dir: Path | None = None) -> LoadedThemes:
    """Built-in themes, then user themes (a user theme may replace a built-in one)."""
    loaded = LoadedThemes()
    builtin = _builtin_dir()
    if builtin is not None:
        load_theme_dir(builtin, loaded)
    load_theme_dir(user_dir if user_dir is not None else user_theme_dir(), loaded)
    return loaded
