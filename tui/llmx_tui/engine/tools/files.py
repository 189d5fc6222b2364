"""Built-ins over files: read_file, list_directory, write_file."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from pydantic import BaseModel, Field

from llmx_tui.core.surrogates import encodable
from llmx_tui.engine.tools.base import PreparedCall, PydanticTool, ToolContext, ToolError
from llmx_tui.engine.tools.workspace import display_path, outside_note, resolve_path

BINARY_SNIFF_BYTES = 8192
MAX_LISTED_ENTRIES = 1000
_NOTES_ROOM = 256


def looks_binary(head: bytes) -> bool:
    """A NUL byte in the first few KB: the same test git and grep use."""
    return b"\x00" in head[:BINARY_SNIFF_BYTES]


class ReadFileArgs(BaseModel):
    path: str = Field(description="File to read, relative to the working directory or absolute.")
    offset: int = Field(1, ge=1, description="Line number to start at; 1 is the first line.")
    limit: int = Field(2000, ge=1, le=20000, description="Maximum number of lines to return.")


class ReadFileTool(PydanticTool[ReadFileArgs]):
    name = "read_file"
    description = (
        "Read a text file. Returns up to `limit` lines starting at line `offset`; "
        "says how to continue when more lines follow."
    )
    arguments_model = ReadFileArgs

    def plan(self, params: ReadFileArgs, context: ToolContext) -> PreparedCall:
        target = resolve_path(params.path, context.working_dir)
        last = params.offset + params.limit - 1
        description = (
            f"Read lines {params.offset}-{last} of {target}"
            f"{outside_note(target, context.working_dir)}"
        )

        async def run() -> str:
            return await asyncio.to_thread(
                _read_lines, target.path, params.offset, params.limit, context.max_output_bytes
            )

        return PreparedCall(description, needs_approval=not target.inside, run=run)


def _read_lines(path: Path, offset: int, limit: int, max_bytes: int) -> str:
    if path.is_dir():
        raise ToolError(f"{path} is a directory; use list_directory")
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise ToolError(f"no such file: {path}") from None
    with handle:
        if looks_binary(handle.read(BINARY_SNIFF_BYTES)):
            raise ToolError(f"{path} is a binary file ({path.stat().st_size} bytes); not shown")
        handle.seek(0)
        shown: list[str] = []
        size = 0
        line_number = 0
        # Stay under the output cap so the continuation note is never cut off.
        budget = max(max_bytes - _NOTES_ROOM, _NOTES_ROOM)
        for line_number, raw in enumerate(_bounded_lines(handle, budget), start=1):
            if line_number < offset:
                continue
            if len(shown) >= limit or (shown and size + len(raw) > budget):
                last = offset + len(shown) - 1
                shown.append(
                    f"[showing lines {offset}-{last}; more lines follow: "
                    f"call read_file with offset={last + 1}]\n"
                )
                break
            text = raw.decode("utf-8", errors="replace")
            shown.append(text)
            size += len(raw)
    if not shown:
        if line_number == 0:
            return "[empty file]"
        return f"[the file has only {line_number} lines; offset {offset} is past the end]"
    return "".join(shown)


def _bounded_lines(handle: BinaryIO, max_line: int) -> Iterator[bytes]:
    """Lines of at most ``max_line`` bytes, so one giant line cannot fill memory."""
    max_line = max(max_line, 1)
    while raw := handle.readline(max_line):
        if len(raw) == max_line and not raw.endswith(b"\n"):
            skipped = 0
            while rest := handle.readline(max_line):
                if rest.endswith(b"\n"):
                    skipped += len(rest) - 1
                    break
                skipped += len(rest)
            if skipped:
                raw += f" [line cut: {skipped} more bytes]\n".encode()
        yield raw


class ListDirectoryArgs(BaseModel):
    path: str = Field(".", description="Directory to list, relative to the working directory.")


class ListDirectoryTool(PydanticTool[ListDirectoryArgs]):
    name = "list_directory"
    description = (
        "List a directory's entries: directories end with '/', files show their size, "
        "symlinks show their target."
    )
    arguments_model = ListDirectoryArgs

    def plan(self, params: ListDirectoryArgs, context: ToolContext) -> PreparedCall:
        target = resolve_path(params.path, context.working_dir)
        description = f"List the directory {target}{outside_note(target, context.working_dir)}"

        async def run() -> str:
            return await asyncio.to_thread(_list_directory, target.path)

        return PreparedCall(description, needs_approval=not target.inside, run=run)


def _list_directory(path: Path) -> str:
    if not path.exists():
        raise ToolError(f"no such directory: {path}")
    if not path.is_dir():
        raise ToolError(f"{path} is not a directory; use read_file")
    with os.scandir(path) as scan:
        entries = sorted(scan, key=lambda entry: entry.name)
    lines = [_describe_entry(entry) for entry in entries[:MAX_LISTED_ENTRIES]]
    if len(entries) > MAX_LISTED_ENTRIES:
        lines.append(f"[{len(entries) - MAX_LISTED_ENTRIES} more entries not shown]")
    return "\n".join(lines) if lines else "[empty directory]"


def _describe_entry(entry: os.DirEntry[str]) -> str:
    if entry.is_symlink():
        return f"{entry.name} -> {os.readlink(entry.path)}"
    if entry.is_dir():
        return f"{entry.name}/"
    try:
        return f"{entry.name}  ({entry.stat().st_size} bytes)"
    except OSError:
        return entry.name


class WriteFileArgs(BaseModel):
    path: str = Field(description="File to write, relative to the working directory.")
    content: str = Field(description="The complete new content of the file (UTF-8).")


class WriteFileTool(PydanticTool[WriteFileArgs]):
    name = "write_file"
    description = (
        "Create or overwrite a file with the given content; missing parent directories "
        "are created. Always asks the user first."
    )
    arguments_model = WriteFileArgs

    def plan(self, params: WriteFileArgs, context: ToolContext) -> PreparedCall:
        target = resolve_path(params.path, context.working_dir)
        if target.path.is_dir():
            raise ToolError(f"{target} is a directory")
        # Half an emoji (a lone UTF-16 surrogate the model escaped) cannot be written as
        # UTF-8: it is written as U+FFFD, and both the question and the answer say so.
        content = encodable(params.content)
        mended = "" if content is params.content else "; a character cut in half written as U+FFFD"
        data = content.encode("utf-8")
        shown = display_path(target.path, context.working_dir)
        description = (
            f"Write {len(data)} bytes to {target} ({_write_effect(target.path)})"
            f"{outside_note(target, context.working_dir)}{mended}"
        )

        async def run() -> str:
            await asyncio.to_thread(_write_bytes, target.path, data)
            return f"Wrote {len(data)} bytes to {shown}{mended}."

        return PreparedCall(description, needs_approval=True, run=run)


def _write_effect(path: Path) -> str:
    if path.exists():
        return f"replacing the existing {path.stat().st_size}-byte file"
    missing = [parent for parent in path.parents if not parent.exists()]
    if len(missing) == 1:
        return f"creating a new file and the directory {missing[0]}"
    if missing:
        return f"creating a new file and the directories {missing[-1]} ... {missing[0]}"
    return "creating a new file"


def _write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
