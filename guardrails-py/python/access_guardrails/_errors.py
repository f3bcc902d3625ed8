"""The verdict enum and the exceptions of access_guardrails.

Plain Python classes, so that an exception can inherit from both ``GuardrailsError`` and
``ValueError`` and carry typed attributes; the native module raises instances of them.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    from ._native import Decision

__all__ = [
    "Verdict",
    "GuardrailsError",
    "InputError",
    "PolicyError",
    "Denied",
    "ReviewRequired",
    "InternalError",
    "AuditError",
]

_RANK = {"allow": 0, "review": 1, "deny": 2}


class Verdict(enum.Enum):
    """What the engine says about an action: ``ALLOW < REVIEW < DENY``.

    Ordered, so the strictest of several verdicts is their ``max()``. The value is the
    wire name (``Verdict("deny") is Verdict.DENY``; ``str(Verdict.DENY) == "deny"``).
    """

    ALLOW = "allow"
    """The action may run."""
    REVIEW = "review"
    """The action needs a named approval before it runs."""
    DENY = "deny"
    """The action must not run."""

    @property
    def rank(self) -> int:
        """0 for allow, 1 for review, 2 for deny."""
        return _RANK[self.value]

    def __lt__(self, other: Any) -> bool:
        if not isinstance(other, Verdict):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: Any) -> bool:
        if not isinstance(other, Verdict):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: Any) -> bool:
        if not isinstance(other, Verdict):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: Any) -> bool:
        if not isinstance(other, Verdict):
            return NotImplemented
        return self.rank >= other.rank

    def __str__(self) -> str:
        return self.value


class GuardrailsError(Exception):
    """Base class of every error access_guardrails raises."""


class InputError(GuardrailsError, ValueError):
    """An action or context that is not the JSON contract (unknown field, wrong type,
    unknown kind or dialect, a value JSON cannot carry).

    ``path`` is the offending field (``"text"``, ``"actor.kind"``, ``"[3].argv"`` in a batch;
    empty when the whole value is wrong) and ``code`` a stable code (``invalid-field``,
    ``invalid-json``, ``invalid-type``). ``str(err)`` is the core's message.
    """

    def __init__(self, message: str, *, path: str = "", code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.code = code


class PolicyError(GuardrailsError, ValueError):
    """A policy document that cannot be loaded: ``line`` and ``column`` (1-based, when known),
    ``field`` (the offending key) and ``help`` (a hint, e.g. a did-you-mean).
    """

    def __init__(
        self,
        message: str,
        *,
        line: Optional[int] = None,
        column: Optional[int] = None,
        field: Optional[str] = None,
        help: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.field = field
        self.help = help


def _summary(decision: Decision) -> str:
    findings = decision.findings
    if not findings:
        return str(decision.verdict)
    first = findings[0]
    return f"{decision.verdict}: `{first.rule}`: {first.message}"


class Denied(GuardrailsError):
    """Raised by ``guard()`` when the decision is an enforced deny. ``decision`` holds it."""

    def __init__(self, decision: Decision) -> None:
        super().__init__(_summary(decision))
        self.decision = decision


class ReviewRequired(GuardrailsError):
    """Raised by ``guard()`` when the action needs an approval. ``decision`` holds it; its
    ``fingerprint`` is what an approval must name.
    """

    def __init__(self, decision: Decision) -> None:
        super().__init__(_summary(decision))
        self.decision = decision


class AuditError(GuardrailsError):
    """An audit log that does not verify: ``index`` is the 0-based index of the first bad
    record, ``kind`` what is wrong with it (``modified``, ``dropped``, ``reordered``,
    ``inserted``, ``truncated``, ``wrong-key``, ``malformed``) and ``detail`` the explanation.
    ``str(err)`` is the core's message (``record 1: modified: ...``).

    >>> from access_guardrails import verify
    >>> try:
    ...     verify(["{}"])
    ... except AuditError as e:
    ...     (e.index, e.kind)
    (0, 'malformed')
    """

    def __init__(self, message: str, *, index: int, kind: str, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.index = index
        self.kind = kind
        self.detail = detail


class InternalError(GuardrailsError):
    """A bug in the engine (a Rust panic, caught at the boundary). Please report it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
