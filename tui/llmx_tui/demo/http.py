"""The little HTTP/1.1 a loopback SSE server needs: read one request, stream one reply."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from http import HTTPStatus


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


async def read_request(reader: asyncio.StreamReader) -> Request:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            key, value = line.split(":", 1)
            headers[key.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0") or 0)
    body = await reader.readexactly(length) if length else b""
    return Request(method, path, headers, body)


def response_head(status: int, content_type: str, extra: dict[str, str] | None = None) -> bytes:
    """Status line and headers of a chunked, connection-closing response."""
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Unknown"
    lines = [
        f"HTTP/1.1 {status} {reason}",
        f"content-type: {content_type}",
        "transfer-encoding: chunked",
        "connection: close",
    ]
    lines += [f"{key}: {value}" for key, value in (extra or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def chunk(piece: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(piece), piece)


LAST_CHUNK = b"0\r\n\r\n"
