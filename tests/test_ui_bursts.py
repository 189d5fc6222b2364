"""Keys typed in one burst (fast typing, tmux send-keys) act in the order typed in the
composer, the model picker and the system prompt editor, and keys typed after the key
that sends the text or closes a dialog land where they would have landed typed slowly
(``ui/widgets/bound_keys``, ``ui/widgets/composer``)."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input, OptionList

from llmx_tui.config import ProviderConfig, Settings
from llmx_tui.models_cache import ModelListing
from llmx_tui.ui.app import LlmxApp
from llmx_tui.ui.dialogs.model_picker import ModelPicker
from llmx_tui.ui.dialogs.system_prompt import SystemPromptEditor
from llmx_tui.ui.screens.chat import ChatScreen
from tests.test_dialogs_harness import SIZE, DialogHost
from tests.ui_helpers import ScriptedConversation, burst, text_turn, wait_for

SETTINGS = Settings(providers={"box": ProviderConfig(preset="vllm", models=["box-small"])})


async def fetch(settings: Settings, provider: str, refresh: bool) -> ModelListing:
    return ModelListing(provider, (f"{provider}-large", f"{provider}-small", "other"), "server")


def chat_app(picked: list[Any], scripts: Any = None) -> tuple[LlmxApp, ScriptedConversation]:
    """The chat app whose F4 opens the picker (choices land in ``picked``) and whose
    conversation takes a system prompt."""
    conversation = ScriptedConversation(scripts)

    def pick(app: LlmxApp) -> None:
        app.push_screen(ModelPicker(SETTINGS, "box", "box-small", fetch=fetch), picked.append)

    async def set_system_prompt(text: str) -> None:
        conversation.system_prompt = text  # type: ignore[attr-defined]

    conversation.set_system_prompt = set_system_prompt  # type: ignore[attr-defined]
    conversation.system_prompt = "Old"  # type: ignore[attr-defined]
    app = LlmxApp(
        conversation,
        clock=lambda: 0.0,
        cursor_blink=False,
        on_pick_model=pick,
        on_open_sessions=lambda app: picked.append("sessions"),
    )
    return app, conversation


def composer_text(app: LlmxApp) -> str | None:
    return app.screen.composer.text if isinstance(app.screen, ChatScreen) else None


async def settle(pilot: Any) -> None:
    for _ in range(15):
        await pilot.pause(0.02)


# -- the composer ---------------------------------------------------------------------


async def test_keys_typed_after_enter_stay_for_the_next_prompt_and_a_second_enter_waits() -> None:
    """They were typed into the text being sent and wiped with it; the second enter sent
    the same text again."""
    app, conversation = chat_app([], [text_turn("one"), text_turn("two")])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        burst(pilot, *"hello", "enter", "enter", *"world")
        await wait_for(pilot, lambda: composer_text(app) == "world")
        await settle(pilot)
        assert conversation.submitted == ["hello"]
        assert app.screen.composer.text == "world"


async def test_letters_typed_before_f4_stay_in_the_composer_and_those_after_filter() -> None:
    picked: list[Any] = []
    app, _conversation = chat_app(picked)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        burst(pilot, *"abc", "f4", *"xy")
        await settle(pilot)
        assert picker_of(app).query_one("#picker-filter", Input).value == "xy"
        await pilot.press("escape")
        assert composer_text(app) == "abc"


async def test_ctrl_j_in_a_burst_breaks_the_line_where_it_was_typed() -> None:
    app, _conversation = chat_app([])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        burst(pilot, *"ab", "ctrl+j", *"cd", "alt+enter", "e")
        await settle(pilot)
        assert app.screen.composer.text == "ab\ncd\ne"


async def test_slash_system_typed_with_its_text_in_one_burst_saves_it() -> None:
    """The text went into the composer (and was wiped) and ctrl+s opened the sessions
    browser: both ran before the command that opened the editor."""
    calls: list[Any] = []
    app, conversation = chat_app(calls)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        burst(pilot, *"/system", "enter", "ctrl+u", *"Be terse.", "ctrl+s", *"hi")
        await wait_for(pilot, lambda: composer_text(app) == "hi")
        await settle(pilot)
        assert conversation.system_prompt == "Be terse."  # type: ignore[attr-defined]
        assert calls == []  # ctrl+s saved; it did not open the sessions
        assert isinstance(app.screen, ChatScreen)


# -- the system prompt editor ---------------------------------------------------------


async def test_the_editor_takes_ctrl_u_then_new_text_then_ctrl_s_in_order() -> None:
    """ctrl+u wiped the letters typed after it; ctrl+s (a priority key) saved before the
    letters typed ahead of it were in."""
    app = DialogHost(lambda: SystemPromptEditor("Be brief."))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        burst(pilot, "ctrl+u", *"Be kind.", "ctrl+s")
        await settle(pilot)
    assert app.results == ["Be kind."]


async def test_keys_typed_after_the_editor_closes_go_to_the_composer() -> None:
    app, conversation = chat_app([])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.action_system_prompt()
        burst(pilot, *" and more", "ctrl+s", "escape", *"next")  # typed as it opens
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        await settle(pilot)
        assert conversation.system_prompt == "Old and more"  # type: ignore[attr-defined]
        assert isinstance(app.screen, ChatScreen)  # the second key did not close it too
        assert app.screen.composer.text == "next"


# -- the model picker -----------------------------------------------------------------


def picker_of(app: LlmxApp) -> ModelPicker:
    assert isinstance(app.screen, ModelPicker)
    return app.screen


async def test_tab_arrows_and_enter_in_a_burst_pick_the_provider_then_the_typed_model() -> None:
    """tab moved the focus only once the keys behind it were queued in the filter:
    down moved the models, enter chose one and the letters were lost."""
    picked: list[Any] = []
    app, _conversation = chat_app(picked)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await settle(pilot)
        second = picker_of(app).provider_names()[1]
        burst(pilot, "tab", "down", "enter", *"my-model", "enter")
        await wait_for(pilot, lambda: picked != [])
    assert picked == [(second, "my-model")]


async def test_ctrl_u_and_arrows_in_the_filter_act_in_the_order_typed() -> None:
    picked: list[Any] = []
    app, _conversation = chat_app(picked)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await settle(pilot)
        burst(pilot, *"large", "ctrl+u", *"box", "down", "enter")
        await wait_for(pilot, lambda: picked != [])
    # "box" lists box-small (the current model) then box-large: down is the second.
    assert picked == [("box", "box-large")]


async def test_a_second_enter_or_esc_never_closes_the_chat_screen() -> None:
    """Each enter closed a screen: the second one the chat screen under the picker,
    leaving a blank window."""
    picked: list[Any] = []
    app, _conversation = chat_app(picked)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await settle(pilot)
        burst(pilot, "enter", "enter", *"hi")
        await settle(pilot)
        assert isinstance(app.screen, ChatScreen)
        assert picked == [("box", "box-small")]
        assert app.screen.composer.text == "hi"  # typed after the picker closed

        await pilot.press("f4")
        await settle(pilot)
        burst(pilot, *"zz", "escape", "escape", *"!")
        await settle(pilot)
        assert isinstance(app.screen, ChatScreen)
        assert picked[-1] is None
        assert app.screen.composer.text == "hi!"


async def test_after_tab_the_arrows_move_the_providers_and_the_filter_keeps_the_focus() -> None:
    app = DialogHost(lambda: ModelPicker(SETTINGS, "box", "box-small", fetch=fetch))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        providers = app.screen.query_one("#picker-providers", OptionList)
        await pilot.press("tab", "down")
        assert app.screen.query_one("#picker-filter", Input).has_focus
        assert providers.has_class("-active") and providers.highlighted == 1
        await pilot.press("enter", "down")  # back to the models
        assert providers.highlighted == 1
        assert app.screen.query_one("#picker-models", OptionList).highlighted == 1


# -- the first-run form -------------------------------------------------------------


async def test_the_first_run_form_saves_a_model_name_typed_with_ctrl_s_in_one_burst(
    tmp_path: Any,
) -> None:
    """ctrl+s saved before the letters: 'Enter a model name', with the name in the field."""
    import tomllib

    from textual.widgets import Select

    from llmx_tui.ui.dialogs.welcome import WelcomeScreen

    config = tmp_path / "config.toml"
    app = DialogHost(lambda: WelcomeScreen(config_path=config))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.query_one("#welcome-preset", Select).value = "llamacpp"
        app.screen.query_one("#welcome-model", Input).focus()
        await pilot.pause()
        burst(pilot, *"qwen3-8b", "ctrl+s")
        await wait_for(pilot, lambda: app.results != [])
    assert app.results == ["configured"]
    saved = tomllib.loads(config.read_text())
    assert saved["providers"]["llamacpp"]["default_model"] == "qwen3-8b"


# -- F9: edit an earlier prompt ---------------------------------------------------------
class ForkingConversation(ScriptedConversation):
    """Earlier prompts to pick from; the fork takes a moment, as saving it to the store does."""

    def __init__(self) -> None:
        from llmx_tui.core.items import AssistantMessage, UserMessage

        super().__init__(
            history=[
                UserMessage(text="first prompt"),
                AssistantMessage(text="one"),
                UserMessage(text="second prompt"),
                AssistantMessage(text="two"),
            ]
        )
        self.branches: list[ScriptedConversation] = []

    def earlier_prompts(self) -> list[tuple[int, str]]:
        from llmx_tui.core.items import UserMessage

        return [(i, it.text) for i, it in enumerate(self.history) if isinstance(it, UserMessage)]

    async def branch_before(self, index: int) -> ScriptedConversation:
        import asyncio

        await asyncio.sleep(0.1)
        branch = ScriptedConversation(history=self.history[:index])
        self.branches.append(branch)
        return branch


async def test_keys_typed_right_after_picking_a_prompt_to_edit_land_after_it() -> None:
    conversation = ForkingConversation()
    app = LlmxApp(conversation, clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        burst(pilot, "f9", "down", "enter", *" more")
        await wait_for(pilot, lambda: bool(conversation.branches))
        await settle(pilot)
        assert app.conversation is conversation.branches[0]
        assert composer_text(app) == "first prompt more"
        assert app.screen.composer.cursor_location == (0, len("first prompt more"))


async def test_a_draft_replaced_by_the_picked_prompt_is_one_up_away_and_the_user_told() -> None:
    conversation = ForkingConversation()
    app = LlmxApp(conversation, clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.composer.load_text("a half-written idea")
        burst(pilot, "f9", "enter")  # newest first: the second prompt
        await wait_for(pilot, lambda: bool(conversation.branches))
        await settle(pilot)
        assert composer_text(app) == "second prompt"
        assert any("draft" in str(n.message) for n in app._notifications)
        await pilot.press("up")
        assert composer_text(app) == "a half-written idea"
        await pilot.press("down")
        assert composer_text(app) == "second prompt"


async def test_esc_in_the_prompt_picker_leaves_the_draft_and_later_keys_go_after_it() -> None:
    conversation = ForkingConversation()
    app = LlmxApp(conversation, clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.composer.load_text("draft")
        app.screen.composer.move_cursor(app.screen.composer.document.end)
        burst(pilot, "f9", "escape", *" on")
        await settle(pilot)
        assert conversation.branches == []
        assert composer_text(app) == "draft on"


async def test_a_draft_set_aside_while_recalling_is_kept_when_f9_replaces_the_text() -> None:
    conversation = ForkingConversation()
    app = LlmxApp(conversation, clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        composer = app.screen.composer
        composer.prompt_history.extend(["one", "two"])
        composer.load_text("my long draft")
        composer.move_cursor(composer.document.end)
        await pilot.press("up")  # recalling: "two" shows, the draft waits aside
        assert composer_text(app) == "two"
        burst(pilot, "f9", "enter")
        await wait_for(pilot, lambda: bool(conversation.branches))
        await settle(pilot)
        assert "my long draft" in composer.prompt_history
        await pilot.press("up")
        assert composer_text(app) == "my long draft"
