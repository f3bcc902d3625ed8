"""The native module of access_guardrails (Rust, PyO3). Import from ``access_guardrails``."""

import os
from typing import Any, Iterable, List, Mapping, Optional, Sequence, Tuple, Union, final

from typing_extensions import disjoint_base

from ._errors import Verdict

__all__ = [
    "__version__",
    "DETACH_BYTES",
    "Policy",
    "Decision",
    "Finding",
    "Action",
    "Sql",
    "Shell",
    "Exec",
    "Tool",
    "Context",
    "evaluate",
    "_force_panic",
    "_force_panic_detached",
]

__version__: str
DETACH_BYTES: int
"""Inputs at least this many bytes long are evaluated with the GIL released."""

_ActionLike = Union["Action", Mapping[str, Any]]
_ContextLike = Union["Context", Mapping[str, Any], None]

@disjoint_base
class Action:
    """Base class of the typed actions (``Sql``, ``Shell``, ``Exec``, ``Tool``)."""

    @property
    def kind(self) -> str:
        """``"sql"``, ``"shell"``, ``"exec"`` or ``"tool"``."""
    def to_dict(self) -> dict[str, Any]:
        """The action as a dict of the JSON contract."""
    def to_json(self) -> str:
        """The action as JSON text of the contract."""

@final
class Sql(Action):
    """SQL text for a database: ``Sql("DELETE FROM users", dialect="postgres")``."""

    def __new__(cls, text: str, dialect: str = "generic") -> "Sql": ...
    @property
    def text(self) -> str:
        """The SQL text."""
    @property
    def dialect(self) -> str:
        """The dialect name."""

@final
class Shell(Action):
    """A shell command line: ``Shell("rm -rf /tmp/x")``."""

    def __new__(cls, command: str, shell: str = "bash") -> "Shell": ...
    @property
    def command(self) -> str:
        """The command line."""
    @property
    def shell(self) -> str:
        """The shell name."""

@final
class Exec(Action):
    """A program and its arguments, run without a shell."""

    def __new__(cls, argv: Sequence[str]) -> "Exec": ...
    @property
    def argv(self) -> List[str]:
        """The argument vector; ``argv[0]`` is the program."""

@final
class Tool(Action):
    """A tool call of an agent framework: ``Tool("run_sql", {"query": "DROP TABLE t"})``."""

    def __new__(cls, name: str, arguments: Optional[Mapping[str, Any]] = None) -> "Tool": ...
    @property
    def name(self) -> str:
        """The tool's name."""
    @property
    def arguments(self) -> dict[str, Any]:
        """The tool's arguments."""

@final
class Context:
    """Who runs an action, from where, against what. Every argument is optional."""

    def __new__(
        cls,
        *,
        actor_id: Optional[str] = None,
        actor_kind: Optional[str] = None,
        roles: Optional[Sequence[str]] = None,
        environment: Optional[str] = None,
        origin: Optional[str] = None,
        resource: Optional[str] = None,
        labels: Optional[Mapping[str, str]] = None,
        approvals: Optional[Sequence[Mapping[str, Any]]] = None,
    ) -> "Context": ...
    @property
    def environment(self) -> Optional[str]:
        """The environment name (``None`` is production)."""
    @property
    def actor_id(self) -> Optional[str]:
        """The actor's id."""
    @property
    def actor_kind(self) -> str:
        """``human``, ``agent``, ``ci`` or ``service``."""
    def to_dict(self) -> dict[str, Any]:
        """The context as a dict of the JSON contract."""
    def to_json(self) -> str:
        """The context as JSON text of the contract."""

@final
class Finding:
    """A detection judged by the policy."""

    @property
    def rule(self) -> str:
        """The rule id (``sql.drop``, ``shell.recursive-delete``, ...)."""
    @property
    def verdict(self) -> Verdict:
        """The verdict this finding asks for in this context."""
    @property
    def severity(self) -> str:
        """``info``, ``low``, ``medium``, ``high`` or ``critical``."""
    @property
    def message(self) -> str:
        """What was found and where, in words."""
    @property
    def span(self) -> Optional[Tuple[int, int]]:
        """Byte range ``(start, end)`` in the original text."""
    @property
    def statement(self) -> Optional[int]:
        """Index of the statement or command."""
    def to_dict(self) -> dict[str, Any]:
        """The finding as a dict of the JSON contract."""

@final
class Decision:
    """What the engine decided about an action in a context."""

    @property
    def verdict(self) -> Verdict:
        """The strictest verdict of the findings (``Verdict.ALLOW`` when there are none)."""
    @property
    def enforced(self) -> bool:
        """False in monitor mode."""
    @property
    def permits(self) -> bool:
        """Whether the caller may run the action: allowed, or not enforced."""
    @property
    def findings(self) -> List[Finding]:
        """What was found, strictest first."""
    @property
    def rules(self) -> List[str]:
        """The rule ids of the findings, in order."""
    @property
    def intent(self) -> dict[str, Any]:
        """What the action does, as a dict."""
    @property
    def masks(self) -> List[dict[str, Any]]:
        """Result columns to mask: ``{output, position, source, strategy}``."""
    @property
    def fingerprint(self) -> str:
        """BLAKE3 digest of the normalised action: approvals name it."""
    @property
    def policy_digest(self) -> str:
        """BLAKE3 digest of the policy that decided."""
    def to_dict(self) -> dict[str, Any]:
        """The decision as a dict of the JSON contract."""
    def to_json(self) -> str:
        """The decision as JSON text of the contract."""

@final
class Policy:
    """A compiled policy. Immutable and safe to share between threads."""

    @staticmethod
    def builtin() -> "Policy":
        """The built-in policy: protects production out of the box."""
    @staticmethod
    def from_toml(text: str) -> "Policy":
        """Loads a policy document written in TOML. Raises ``PolicyError`` (``line``,
        ``column``, ``field``, ``help``) when it cannot."""
    @staticmethod
    def from_json(text: str) -> "Policy":
        """Loads a policy document written in JSON. Raises ``PolicyError``."""
    @staticmethod
    def from_path(path: Union[str, "os.PathLike[str]"]) -> "Policy":
        """Loads a policy document from a ``.toml`` or ``.json`` file. Raises ``PolicyError``."""
    def monitor(self) -> "Policy":
        """This policy in monitor mode: the same decisions, ``enforced = False``."""
    @property
    def mode(self) -> str:
        """``"enforce"`` or ``"monitor"``."""
    @property
    def digest(self) -> str:
        """BLAKE3 digest (hex) of the compiled policy."""
    def evaluate(self, action: _ActionLike, context: _ContextLike = None) -> Decision:
        """Decides an action in a context. Raises ``InputError`` for input that is not the
        contract; never fails open."""
    def evaluate_many(
        self, actions: Iterable[_ActionLike], context: _ContextLike = None
    ) -> List[Decision]:
        """Decides many actions in one context with the GIL released, in input order."""
    def evaluate_json(self, request: str) -> str:
        """JSON request in, tagged JSON answer out; never raises for bad input."""

def evaluate(action: _ActionLike, context: _ContextLike = None) -> Decision:
    """Decides an action in a context with the built-in policy."""

def _force_panic() -> None:
    """Test hook: a panic inside the guard, raised as ``InternalError``."""

def _force_panic_detached() -> None:
    """Test hook: the same, with the GIL released."""
