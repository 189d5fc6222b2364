"""Synthetic streams: a Markdown reply of N tokens and the OpenAI chat stream that says it.

Chunks look like OpenAI's own (id, object, created, model, fingerprint,
logprobs, finish_reason on every chunk) so JSON decoding costs what it costs
against the real service; one token per chunk, as the service sends them.
"""

from __future__ import annotations

import json
import re

_TOKEN = re.compile(r"\S+\s*")


def _section(n: int) -> str:
    return f"""## Section {n}: how the pieces fit

A paragraph with **bold words**, some `inline code`, an *emphasis* and a [link](https://example.com/{n}).
It goes on for a second line so that the paragraph wraps in a narrow terminal window.

- first point of section {n}, short
- second point with `code` and more words after it
  1. a nested numbered item
  2. another nested item
- third point

| Name | Value | Notes |
|------|------:|-------|
| alpha | {n} | the first row |
| beta | {n * 2} | the second row, longer |
| gamma | {n * 3} | third |

```python
def compute_{n}(values: list[int]) -> int:
    total = 0
    for value in values:
        total += value * {n}
    return total
```

> A quoted remark closing section {n}.

"""


def markdown_tokens(count: int) -> list[str]:
    """Exactly ``count`` tokens (a word and its trailing whitespace) of a Markdown reply."""
    tokens: list[str] = ["# A long answer\n\n"]
    section = 1
    while len(tokens) < count:
        tokens += _TOKEN.findall(_section(section))
        section += 1
    return tokens[:count]


def openai_stream(tokens: list[str], *, model: str = "gpt-4o-mini") -> bytes:
    """The ``/chat/completions`` SSE body streaming ``tokens``, one per chunk, with usage."""
    head = {
        "id": "chatcmpl-bench0001",
        "object": "chat.completion.chunk",
        "created": 1760000000,
        "model": model,
        "system_fingerprint": "fp_bench",
    }
    events = []
    first = {
        **head,
        "choices": [
            {
                "index": 0,
                "delta": {"role": "assistant", "content": ""},
                "logprobs": None,
                "finish_reason": None,
            }
        ],
    }
    events.append(first)
    for token in tokens:
        events.append(
            {
                **head,
                "choices": [
                    {
                        "index": 0,
                        "delta": {"content": token},
                        "logprobs": None,
                        "finish_reason": None,
                    }
                ],
            }
        )
    events.append(
        {**head, "choices": [{"index": 0, "delta": {}, "logprobs": None, "finish_reason": "stop"}]}
    )
    events.append(
        {
            **head,
            "choices": [],
            "usage": {
                "prompt_tokens": 12,
                "completion_tokens": len(tokens),
                "total_tokens": 12 + len(tokens),
            },
        }
    )
    body = "".join(f"data: {json.dumps(event, separators=(',', ':'))}\n\n" for event in events)
    return (body + "data: [DONE]\n\n").encode()
