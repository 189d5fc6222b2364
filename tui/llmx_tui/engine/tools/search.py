"""Built-in search_text: a regex over the text files under a root, bounded.

Bounded in every direction so one call cannot stall the session: files
visited, bytes read, file size, matches, line length. Binary files, ``.git``
and symlinks (whose targets may lie outside the working directory) are skipped.
"""

from __future__ import annotations

import asyncio
import fnmatch
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, Field

from llmx_tui.engine.tools.base import PreparedCall, PydanticTool, ToolContext, ToolError
from llmx_tui.engine.tools.files import looks_binary
from llmx_tui.engine.tools.workspace import display_path, outside_note, resolve_path

SKIPPED_DIRS = frozenset({".git", ".hg", ".svn"})


@dataclass(frozen=True)
class SearchLimits:
    max_files: int = 5000
    max_file_bytes: int = 2 * 1024 * 1024
    max_total_bytes: int = 64 * 1024 * 1024
    max_line_chars: int = 300


class SearchTextArgs(BaseModel):
    pattern: str = Field(description="Python regular expression, matched against each line.")
    path: str = Field(".", description="File or directory to search under.")
    glob: str | None = Field(None, description="Only files whose name matches, e.g. '*.py'.")
    ignore_case: bool = Field(False, description="Match case-insensitively.")
    max_matches: int = Field(200, ge=1, le=1000, description="Stop after this many matches.")


class SearchTextTool(PydanticTool[SearchTextArgs]):
    name = "search_text"
    description = (
        "Search text files for a regular expression; returns 'path:line: text' per match. "
        "Skips binary files and .git; bounded in files, bytes and matches."
    )
    arguments_model = SearchTextArgs

    def __init__(self, limits: SearchLimits | None = None) -> None:
        self.limits = limits or SearchLimits()

    def plan(self, params: SearchTextArgs, context: ToolContext) -> PreparedCall:
        target = resolve_path(params.path, context.working_dir)
        try:
            regex = re.compile(params.pattern, re.IGNORECASE if params.ignore_case else 0)
        except re.error as exc:
            raise ToolError(f"invalid regular expression {params.pattern!r}: {exc}") from None
        description = (
            f"Search files under {target} for /{params.pattern}/"
            f"{outside_note(target, context.working_dir)}"
        )

        async def run() -> str:
            search = _Search(regex, params, self.limits, context.working_dir)
            return await asyncio.to_thread(search.run, target.path)

        return PreparedCall(description, needs_approval=not target.inside, run=run)


@dataclass
class _Search:
    regex: re.Pattern[str]
    params: SearchTextArgs
    limits: SearchLimits
    working_dir: Path
    matches: list[str] = field(default_factory=list)
    files_read: int = 0
    bytes_read: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    stopped: str = ""

    def run(self, root: Path) -> str:
        if not root.exists():
            raise ToolError(f"no such file or directory: {root}")
        for path in _candidate_files(root):
            if self.stopped:
                break
            if self.params.glob and not fnmatch.fnmatch(path.name, self.params.glob):
                continue
            self._search_file(path)
        return self._render()

    def _search_file(self, path: Path) -> None:
        if self.files_read >= self.limits.max_files:
            self.stopped = f"stopped after {self.files_read} files"
            return
        if self.bytes_read >= self.limits.max_total_bytes:
            self.stopped = f"stopped after reading {self.bytes_read} bytes"
            return
        try:
            if path.stat().st_size > self.limits.max_file_bytes:
                self._skip("larger than the size limit")
                return
            data = path.read_bytes()
        except OSError:
            self._skip("unreadable")
            return
        self.files_read += 1
        self.bytes_read += len(data)
        if looks_binary(data):
            self._skip("binary")
            return
        shown = display_path(path, self.working_dir)
        text = data.decode("utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            if self.regex.search(line):
                self.matches.append(f"{shown}:{number}: {self._clip(line)}")
                if len(self.matches) >= self.params.max_matches:
                    self.stopped = f"stopped at {len(self.matches)} matches"
                    return

    def _clip(self, line: str) -> str:
        limit = self.limits.max_line_chars
        return line if len(line) <= limit else line[:limit] + " [line cut]"

    def _skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1

    def _render(self) -> str:
        lines = list(self.matches)
        if not lines:
            lines.append(f"No matches for /{self.params.pattern}/ in {self.files_read} files.")
        if self.stopped:
            lines.append(f"[{self.stopped}; narrow the pattern, path or glob to see more]")
        if self.skipped:
            parts = ", ".join(f"{count} {reason}" for reason, count in sorted(self.skipped.items()))
            lines.append(f"[files skipped: {parts}]")
        return "\n".join(lines)


def _candidate_files(root: Path) -> Iterator[Path]:
    """Regular files under root in a stable order, not following symlinks."""
    if root.is_file():
        yield root
        return
    for directory, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(name for name in dirnames if name not in SKIPPED_DIRS)
        for name in sorted(filenames):
            path = Path(directory, name)
            if not path.is_symlink() and path.is_file():
                yield path
