"""The exact JSON of the last request (secrets redacted) and the builder's report
(entries that say the same thing shown as one row, with their count).

``PayloadInspector(last_request, secrets=())`` dismisses with None.

A long session's payload takes a while to redact and pretty-print (about 0.4 s
for 10,000 items: Python's JSON encoder has no C path with ``indent``), so a
payload of more than ``PREPARED_AT_ONCE`` items is prepared in a thread while
the dialog says so; the report and the keys work meanwhile.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Static
from textual.worker import Worker, WorkerState

from llmx_tui.engine.turn import LastRequest
from llmx_tui.providers.base import ReportEntry
from llmx_tui.ui.dialogs.json_view import JsonView
from llmx_tui.ui.dialogs.redact import redact, redact_url
from llmx_tui.ui.dialogs.text import one_line

# Shown escaped (\\u0085 ...) rather than raw: C1 controls and bidi overrides are
# legal in JSON strings but would act on the terminal or reorder the text.
_INVISIBLE = re.compile("[\u0080-\u009f\u202a-\u202e\u2066-\u2069]")
REPORT_COLUMNS = ("Item", "Rule", "Action", "Detail")
# Payloads with up to this many items in their lists are prepared before the dialog shows.
PREPARED_AT_ONCE = 300


def payload_json(last_request: LastRequest, secrets: Sequence[str] = ()) -> str:
    """The redacted payload as pretty JSON, with invisible controls escaped."""
    text = json.dumps(redact(last_request.payload, secrets), indent=2, ensure_ascii=False)
    return _INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def payload_items(payload: object) -> int:
    """How many items the payload's top-level lists hold (messages, contents, tools...)."""
    if not isinstance(payload, dict):
        return 0
    return sum(len(value) for value in payload.values() if isinstance(value, list))


def grouped_report(
    report: Sequence[ReportEntry],
) -> dict[tuple[str, str, str], tuple[str | None, int]]:
    """Entries that say the same (rule, action, detail), as one: the first one's item
    and how many there are, in the order they first came. A long session repeats a few
    rules for every earlier turn (thousands of rows that say one thing, and slow to lay
    out)."""
    groups: dict[tuple[str, str, str], tuple[str | None, int]] = {}
    for entry in report:
        key = (entry.rule, entry.action, entry.detail)
        first, count = groups.get(key, (entry.item_id, 0))
        groups[key] = (first, count + 1)
    return groups


class PayloadInspector(ModalScreen[None]):
    CSS_PATH = "payload_inspector.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close", id="inspector.close"),
        Binding("c", "copy", "Copy JSON", id="inspector.copy"),
    ]

    def __init__(self, last_request: LastRequest | None, *, secrets: Sequence[str] = ()) -> None:
        super().__init__()
        self._request = last_request
        self._secrets = tuple(secrets)
        self._items = payload_items(last_request.payload) if last_request else 0
        # None while a large payload is being prepared (``_prepare``).
        self._json: str | None = ""
        if last_request is not None:
            self._json = (
                payload_json(last_request, self._secrets)
                if self._items <= PREPARED_AT_ONCE
                else None
            )

    def compose(self) -> ComposeResult:
        with Vertical(id="inspector-box", classes="-empty" if self._request is None else ""):
            if self._request is None:
                yield Static(Content("Payload inspector"), id="inspector-title")
                yield Static(
                    Content(
                        "No request sent yet. Send a message, then open the inspector again "
                        "to see the exact JSON that went to the provider."
                    ),
                    id="inspector-empty",
                )
            else:
                url = redact_url(self._request.url, self._secrets)
                yield Static(
                    Content.from_markup("[b]POST[/b] $url", url=one_line(url)),
                    id="inspector-title",
                )
                if self._json is None:
                    yield Static(
                        Content(f"Preparing the request JSON ({self._items:,} items)…"),
                        id="inspector-preparing",
                    )
                else:
                    yield JsonView(self._json, id="inspector-json")
                yield Static(self._report_heading(), id="inspector-report-title")
                if self._request.report:
                    yield DataTable(id="inspector-report", cursor_type="row", zebra_stripes=True)
        yield Footer()

    @property
    def json_text(self) -> str | None:
        """The JSON as shown (and copied): redacted, pretty-printed; None while it is
        being prepared."""
        return self._json

    def _report_heading(self) -> Content:
        assert self._request is not None
        count = len(self._request.report)
        if not count:
            return Content(
                "Builder report: nothing skipped, synthesised or joined; "
                "the history was sent as it is."
            )
        noun = "change" if count == 1 else "changes"
        return Content(f"Builder report: {count:,} {noun} to the history before sending")

    def on_mount(self) -> None:
        if self._request is None:
            return
        if self._request.report:
            table = self.query_one(DataTable)
            table.add_columns(*REPORT_COLUMNS)
            for (rule, action, detail), (item_id, count) in grouped_report(
                self._request.report
            ).items():
                item = one_line(item_id, 14, empty="—") if count == 1 else f"{count:,} items"
                table.add_row(
                    Text(item),
                    Text(one_line(rule)),
                    Text(one_line(action)),
                    Text(one_line(detail, 200)),
                )
        if self._json is None:
            # After the first paint: the thread would otherwise share the interpreter
            # with drawing the dialog, which then shows later.
            self.call_after_refresh(self._prepare)
        else:
            self.query_one("#inspector-json").focus()

    @work(thread=True, exclusive=True, exit_on_error=False, name="inspector-json")
    def _prepare(self) -> str:
        assert self._request is not None
        return payload_json(self._request, self._secrets)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name != "inspector-json" or self._json is not None:
            return
        placeholder = self.query_one("#inspector-preparing", Static)
        if event.state is WorkerState.SUCCESS:
            self._json = event.worker.result
            view = JsonView(self._json, id="inspector-json")
            self.query_one("#inspector-box").mount(view, after=placeholder)
            placeholder.remove()
            view.focus()
        elif event.state is WorkerState.ERROR:
            placeholder.update(Content(f"Could not show the request JSON: {event.worker.error}"))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # No request yet: nothing to copy, so the key bar does not offer it.
        return not (action == "copy" and self._request is None)

    def action_close(self) -> None:
        if self.is_active:  # dismiss() closes the top screen: never one opened over this
            self.dismiss(None)

    def action_copy(self) -> None:
        if self._json is None:
            self.notify("The request JSON is still being prepared.", markup=False)
            return
        if not self._json:
            self.notify("Nothing to copy: no request sent yet.", markup=False)
            return
        self.app.copy_to_clipboard(self._json)
        self.notify("Copied the request JSON (secrets redacted).", markup=False)
