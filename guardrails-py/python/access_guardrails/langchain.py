"""LangChain integration: guard any tool before it runs.

Needs ``langchain-core`` (``pip install "access-guardrails[langchain]"``).

Two ways to put the engine in front of a tool:

* :func:`guard_tool` wraps a ``BaseTool`` in a :class:`GuardedTool` with the same name, description
  and argument schema. Each call is decided first; the wrapped tool runs only when the decision
  permits it. A refused call raises ``Denied`` / ``ReviewRequired`` (``on_violation="raise"``,
  the default) or returns a refusal message the agent can read (``on_violation="message"``).
* :class:`GuardrailsCallbackHandler` is a callback handler whose ``on_tool_start`` raises
  ``Denied`` / ``ReviewRequired``: pass it in ``callbacks`` to guard every tool of a run
  without wrapping them.

A tool call becomes an action of kind ``tool`` with the call's arguments; the engine maps it
(``query``/``sql``/``statement`` → SQL, ``command``/``cmd``/``commands`` → shell, ``argv`` →
exec). ``action_for(tool_name, arguments)`` replaces that mapping with your own.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Literal, Optional

from langchain_core.callbacks import BaseCallbackHandler, CallbackManagerForToolRun
from langchain_core.tools import BaseTool
from pydantic import ConfigDict

from . import ContextLike, ActionLike, guard
from ._errors import Denied, ReviewRequired
from ._native import Policy, Tool

__all__ = ["GuardedTool", "GuardrailsCallbackHandler", "guard_tool", "ActionFor"]

ActionFor = Callable[[str, Dict[str, Any]], ActionLike]
"""Maps a tool call (tool name, arguments) to the action to decide."""

_FILTERED = frozenset({"run_manager", "callbacks", "config"})


def _action(
    name: str,
    arguments: Dict[str, Any],
    action_for: Optional[ActionFor],
    dialect: Optional[str],
) -> ActionLike:
    if action_for is not None:
        return action_for(name, arguments)
    if dialect is not None and "dialect" not in arguments:
        arguments = {**arguments, "dialect": dialect}
    return Tool(name, arguments)


class GuardedTool(BaseTool):
    """A ``BaseTool`` that decides each call with access_guardrails before the wrapped
    ``tool`` runs. Build it with :func:`guard_tool`.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    tool: BaseTool
    """The wrapped tool."""
    policy: Optional[Policy] = None
    """The policy that decides (default: the built-in policy)."""
    context: Any = None
    """The context of every call: ``None`` (production, agent), a ``Context`` or a dict."""
    action_for: Optional[ActionFor] = None
    """Maps (tool name, arguments) to the action to decide; default: a ``tool`` action."""
    dialect: Optional[str] = None
    """The SQL dialect of the tool's queries, when it has one (default ``generic``)."""
    on_violation: Literal["raise", "message"] = "raise"
    """``"raise"``: raise ``Denied`` / ``ReviewRequired``. ``"message"``: return a refusal
    message instead of running the tool, for the agent to read."""

    def _run(
        self,
        *args: Any,
        run_manager: Optional[CallbackManagerForToolRun] = None,
        **kwargs: Any,
    ) -> Any:
        tool_kwargs = {k: v for k, v in kwargs.items() if k not in _FILTERED}
        arguments = dict(zip(self.tool.args.keys(), args))
        arguments.update(tool_kwargs)
        action = _action(self.tool.name, arguments, self.action_for, self.dialect)
        try:
            guard(action, self.context, self.policy)
        except (Denied, ReviewRequired) as refused:
            if self.on_violation == "message":
                return f"refused by access guardrails: {refused}"
            raise
        tool_input: Any = args[0] if len(args) == 1 and not tool_kwargs else tool_kwargs
        callbacks = run_manager.get_child() if run_manager is not None else None
        return self.tool.invoke(tool_input, config={"callbacks": callbacks})


def guard_tool(
    tool: BaseTool,
    *,
    policy: Optional[Policy] = None,
    context: ContextLike = None,
    action_for: Optional[ActionFor] = None,
    dialect: Optional[str] = None,
    on_violation: Literal["raise", "message"] = "raise",
) -> GuardedTool:
    """Wraps ``tool`` so that every call is decided before it runs.

    The result has the tool's name, description and argument schema, so an agent sees the
    same tool. ``policy`` defaults to the built-in policy, ``context`` to production/agent.
    ``dialect`` is the SQL dialect of a SQL tool's queries. ``action_for(name, arguments)``
    maps a call to the action to decide when the built-in mapping (``query`` → SQL,
    ``commands`` → shell, ...) does not fit. ``on_violation="message"`` returns a refusal
    message instead of raising ``Denied`` / ``ReviewRequired``.
    """
    return GuardedTool(
        name=tool.name,
        description=tool.description,
        args_schema=tool.args_schema,
        return_direct=tool.return_direct,
        tool=tool,
        policy=policy,
        context=context,
        action_for=action_for,
        dialect=dialect,
        on_violation=on_violation,
    )


class GuardrailsCallbackHandler(BaseCallbackHandler):
    """A callback handler that decides every tool call when it starts and raises ``Denied``
    or ``ReviewRequired`` (through LangChain, which re-raises since ``raise_error`` is set)
    before the tool runs.

    ``tool.invoke(input, config={"callbacks": [GuardrailsCallbackHandler()]})``.

    The handler sees the call's arguments as a dict when the tool was invoked with one. A tool
    invoked with a plain string is decided as ``{"input": text}``: give ``action_for`` for
    such tools (or wrap them with :func:`guard_tool`, which knows their argument names).
    """

    raise_error: bool = True

    def __init__(
        self,
        policy: Optional[Policy] = None,
        context: ContextLike = None,
        action_for: Optional[ActionFor] = None,
        dialect: Optional[str] = None,
    ) -> None:
        """``policy``, ``context``, ``action_for`` and ``dialect`` as in :func:`guard_tool`."""
        super().__init__()
        self.policy = policy
        self.context = context
        self.action_for = action_for
        self.dialect = dialect

    def on_tool_start(
        self,
        serialized: Dict[str, Any],
        input_str: str,
        *,
        inputs: Optional[Dict[str, Any]] = None,
        **kwargs: Any,
    ) -> None:
        """Decides the call; raises ``Denied`` / ``ReviewRequired`` unless it may run."""
        name = str((serialized or {}).get("name") or kwargs.get("name") or "")
        arguments = dict(inputs) if inputs is not None else {"input": input_str}
        guard(
            _action(name, arguments, self.action_for, self.dialect),
            self.context,
            self.policy,
        )
