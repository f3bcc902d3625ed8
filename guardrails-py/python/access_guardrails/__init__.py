"""Access Guardrails: check SQL, shell commands, argv and agent tool calls before they run.

An in-process policy engine (Rust, through a thin binding): give it the action you are about
to run and its context, get a decision -- allow, review (needs an approval) or deny -- with
the findings that explain it.

>>> from access_guardrails import evaluate, Sql, Context, Verdict
>>> d = evaluate(Sql("DELETE FROM users WHERE 1=1", dialect="postgres"))
>>> d.verdict is Verdict.DENY
True
>>> d.rules
['sql.tautological-where']
>>> evaluate(Sql("DROP TABLE t"), Context(actor_kind="human", environment="dev")).verdict
<Verdict.ALLOW: 'allow'>

``guard()`` raises ``Denied`` or ``ReviewRequired`` instead; ``Policy.builtin().monitor()``
computes the same decisions without enforcing them. Actions and contexts are dicts of the
JSON contract or the typed helpers ``Sql``, ``Shell``, ``Exec``, ``Tool`` and ``Context``.

Policy documents (``Policy.from_toml``, ``from_json``, ``from_path``) refine the built-in
policy; ``Policy.masker(decision)`` masks result rows, JSON and text (``detect()`` finds
sensitive values); ``AuditChain``, ``FileSink`` and ``verify()`` keep a tamper-evident log.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Union

from ._errors import (
    AuditError,
    Denied,
    GuardrailsError,
    InputError,
    InternalError,
    PolicyError,
    ReviewRequired,
    Verdict,
)
from ._native import (
    DETACH_BYTES,
    Action,
    AuditChain,
    AuditHead,
    Context,
    Decision,
    Exec,
    FileSink,
    Finding,
    Masker,
    Match,
    Policy,
    Shell,
    Sql,
    Tool,
    Verified,
    __version__,
    detect,
    evaluate,
    verify,
)

__all__ = [
    "Action",
    "AuditChain",
    "AuditError",
    "AuditHead",
    "Context",
    "Decision",
    "Denied",
    "Exec",
    "FileSink",
    "Finding",
    "GuardrailsError",
    "InputError",
    "InternalError",
    "Masker",
    "Match",
    "Policy",
    "PolicyError",
    "ReviewRequired",
    "Shell",
    "Sql",
    "Tool",
    "Verdict",
    "Verified",
    "DETACH_BYTES",
    "__version__",
    "detect",
    "evaluate",
    "guard",
    "verify",
]

ActionLike = Union[Action, Mapping[str, Any]]
"""An action: a typed helper (``Sql``, ``Shell``, ``Exec``, ``Tool``) or a dict of the JSON contract."""

ContextLike = Union[Context, Mapping[str, Any], None]
"""A context: ``None`` (production, agent), a ``Context`` or a dict of the JSON contract."""


def guard(
    action: ActionLike,
    context: ContextLike = None,
    policy: Optional[Policy] = None,
) -> Decision:
    """Decides ``action`` and raises unless it may run.

    Returns the decision when it is allowed, or when it is not enforced (a monitor-mode
    policy never raises). Raises ``Denied`` for an enforced deny and ``ReviewRequired`` for an
    enforced review; both carry the decision in ``.decision``. ``policy`` defaults to the
    built-in policy. Raises ``InputError`` when the action or context is not the contract.

    >>> from access_guardrails import guard, Shell, Sql, Denied
    >>> guard(Sql("SELECT 1")).verdict
    <Verdict.ALLOW: 'allow'>
    >>> try:
    ...     guard(Sql("DROP TABLE users", dialect="postgres"))
    ... except Denied as e:
    ...     e.decision.findings[0].rule
    'sql.drop'
    """
    decision = (
        evaluate(action, context)
        if policy is None
        else policy.evaluate(action, context)
    )
    if decision.permits:
        return decision
    if decision.verdict is Verdict.DENY:
        raise Denied(decision)
    raise ReviewRequired(decision)
