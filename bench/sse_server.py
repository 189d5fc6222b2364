"""The loopback SSE server, in its own process, answering every request with one body.

In its own process so that serving the bytes does not share the client's
interpreter lock: the client is what is being timed. It reuses the test
suite's LoopbackServer (tests/loopback.py).

    python bench/sse_server.py BODY_FILE [CHUNK_SIZE]   # prints the port, serves until stdin closes
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CHUNK = 4096


@contextlib.contextmanager
def serve(body: bytes, *, chunk_size: int = DEFAULT_CHUNK) -> Iterator[str]:
    """Serves ``body`` to every request from a child process; yields the base URL (``.../v1``)."""
    with tempfile.NamedTemporaryFile(suffix=".sse", delete=False) as handle:
        handle.write(body)
        body_path = Path(handle.name)
    child = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), str(body_path), str(chunk_size)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        port = int(child.stdout.readline().strip())
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        if child.stdin is not None:
            child.stdin.close()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        body_path.unlink(missing_ok=True)


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(REPO))
    from tests.loopback import LoopbackServer, Reply

    body = Path(argv[0]).read_bytes()
    chunk_size = int(argv[1]) if len(argv) > 1 else DEFAULT_CHUNK
    server = LoopbackServer()
    server.default = Reply(body=body, chunk_size=chunk_size)
    server.start()
    print(server.port, flush=True)
    sys.stdin.read()  # until the parent closes our stdin
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
