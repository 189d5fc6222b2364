"""Command palette provider: every chat action, searchable (ctrl+p)."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

# (label, help, action on the chat screen)
COMMANDS: list[tuple[str, str, str]] = [
    ("Cancel turn", "Stop the running turn; the partial reply stays (Esc)", "cancel_turn"),
    ("Retry", "Re-run the last prompt (ctrl+r)", "retry"),
    ("Toggle reasoning pane", "Show or hide the reasoning pane (F2)", "toggle_reasoning"),
    ("Toggle tool pane", "Show or hide the tool-call pane (F3)", "toggle_tools"),
    ("Copy last reply", "Copy the last assistant reply to the clipboard (F6)", "copy_reply"),
    ("Copy last code block", "Copy the last code block of the last reply (F7)", "copy_code"),
    ("New chat", "Start a new session (ctrl+n)", "new_chat"),
    ("Sessions", "Open the sessions list (ctrl+s)", "sessions"),
    ("Model", "Show or change the model (F4)", "model"),
    ("Edit an earlier prompt", "Fork from an earlier prompt and edit it (F9)", "edit_prompt"),
    (
        "Payload inspector",
        "The exact last request and what the builder changed (F8)",
        "inspect_payload",
    ),
    ("System prompt", "Edit this session's system prompt (/system)", "system_prompt"),
    ("Export session", "Write this session as Markdown in the working folder (/export)", "export"),
    ("Help", "The commands and keys (/help)", "help"),
]


class ChatCommands(Provider):
    async def _run(self, action: str) -> None:
        await self.screen.run_action(action)

    def _applicable(self) -> list[tuple[str, str, str]]:
        """The commands that can run now: the screen refuses the others (Cancel turn with
        no turn running, Retry with no prompt), which left them doing nothing when chosen."""
        return [
            command for command in COMMANDS if self.screen.check_action(command[2], ()) is not False
        ]

    async def discover(self) -> Hits:
        for label, help_text, action in self._applicable():
            yield DiscoveryHit(label, partial(self._run, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for label, help_text, action in self._applicable():
            score = matcher.match(label)
            if score > 0:
                yield Hit(
                    score, matcher.highlight(label), partial(self._run, action), help=help_text
                )
