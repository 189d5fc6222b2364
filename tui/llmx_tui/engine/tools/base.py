"""What a tool is: a name, a description, parameters, and a two-phase call.

A call is first *prepared*: arguments validated, paths resolved, and a
``PreparedCall`` says whether it needs approval and describes exactly what
will happen. Only then is it run, doing exactly what was described (the
resolved path, the exact command): nothing is re-resolved between the
approval and the action.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from llmx_tui.core.items import ToolCall, ToolOutput, ToolStatus
from llmx_tui.engine.tools.schema import parameters_from_model

DEFAULT_MAX_OUTPUT_BYTES = 32 * 1024


class ToolError(Exception):
    """A failure the model should read (bad path, timeout...), not a crash."""


@dataclass(frozen=True)
class ToolContext:
    """Where tools act and how much they may return."""

    working_dir: Path
    max_output_bytes: int = DEFAULT_MAX_OUTPUT_BYTES


@dataclass(frozen=True)
class ToolResult:
    """What a call came to: the output the model reads, and its status."""

    output: str
    is_error: bool
    status: ToolStatus

    def as_item(self, call: ToolCall) -> ToolOutput:
        return ToolOutput(
            call_id=call.call_id,
            output=self.output,
            is_error=self.is_error,
            status=self.status,
            turn=call.turn,
        )


@dataclass(frozen=True)
class PreparedCall:
    """A validated call, ready to run once approved."""

    description: str
    needs_approval: bool
    run: Callable[[], Awaitable[str]]


class Tool(ABC):
    """Anything the model can call: a built-in or an MCP server's tool."""

    name: str
    description: str

    @property
    @abstractmethod
    def parameters(self) -> dict[str, Any]:
        """Provider-safe JSON schema of the arguments object."""

    @abstractmethod
    def prepare(self, arguments: dict[str, Any], context: ToolContext) -> PreparedCall:
        """Validate and plan a call; raises ToolError when it cannot run at all."""


Params = TypeVar("Params", bound=BaseModel)


class PydanticTool(Tool, Generic[Params]):
    """A built-in whose arguments are a pydantic model."""

    arguments_model: ClassVar[type[BaseModel]]

    @property
    def parameters(self) -> dict[str, Any]:
        return parameters_from_model(self.arguments_model)

    def prepare(self, arguments: dict[str, Any], context: ToolContext) -> PreparedCall:
        try:
            params = self.arguments_model.model_validate(arguments)
        except ValidationError as exc:
            raise ToolError(f"invalid arguments for {self.name}: {_brief(exc)}") from None
        return self.plan(params, context)  # type: ignore[arg-type]

    @abstractmethod
    def plan(self, params: Params, context: ToolContext) -> PreparedCall: ...


def _brief(exc: ValidationError) -> str:
    """One line per problem, without pydantic's documentation links."""
    problems = []
    for error in exc.errors(include_url=False):
        where = ".".join(str(part) for part in error["loc"]) or "arguments"
        problems.append(f"{where}: {error['msg']}")
    return "; ".join(problems)
