"""Paths the model names, resolved against the working directory.

Symlinks and ``..`` are resolved *before* deciding whether a path is inside
the working directory, so ``link-to-etc/passwd`` or ``../../x`` count as
outside and need approval.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from llmx_tui.engine.tools.base import ToolError


@dataclass(frozen=True)
class ResolvedPath:
    path: Path  # absolute, symlinks resolved
    inside: bool  # within the (resolved) working directory

    def __str__(self) -> str:
        return str(self.path)


def resolve_path(raw: str, working_dir: Path) -> ResolvedPath:
    if not raw.strip():
        raise ToolError("path is empty")
    if "\x00" in raw:
        raise ToolError("path contains a NUL character")
    root = working_dir.resolve()
    try:
        path = (root / Path(raw).expanduser()).resolve(strict=False)
    except (OSError, RuntimeError) as exc:  # symlink loops
        raise ToolError(f"cannot resolve path {raw!r}: {exc}") from None
    return ResolvedPath(path=path, inside=is_within(path, root))


def is_within(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def display_path(path: Path, working_dir: Path) -> str:
    """Relative to the working directory when inside it, absolute otherwise."""
    root = working_dir.resolve()
    if is_within(path, root):
        relative = os.path.relpath(path, root)
        return "." if relative == "." else relative
    return str(path)


def outside_note(target: ResolvedPath, working_dir: Path) -> str:
    """Appended to an approval description when the path leaves the working directory."""
    if target.inside:
        return ""
    return f" (outside the working directory {working_dir.resolve()})"
