"""The native module of access_guardrails (Rust, PyO3). Import from ``access_guardrails``."""

import os
import datetime
import pathlib
from types import TracebackType
from typing import Any, Iterable, List, Mapping, Optional, Sequence, Tuple, Type, Union, final

from typing_extensions import Literal, NotRequired, TypedDict, disjoint_base

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
    "Masker",
    "Match",
    "detect",
    "AuditHead",
    "Verified",
    "AuditChain",
    "FileSink",
    "verify",
    "_force_panic",
    "_force_panic_detached",
]

__version__: str
DETACH_BYTES: int
"""Inputs at least this many bytes long are evaluated with the GIL released."""

_ActionLike = Union["Action", Mapping[str, Any]]
_ContextLike = Union["Context", Mapping[str, Any], None]
_AuditKey = Union[bytes, str, None]
"""32 raw bytes, or 64 hex digits (the key file's text)."""
_Time = Union[datetime.datetime, str, None]
"""``None`` (now), a timezone-aware ``datetime`` or RFC 3339 text."""
_Path = Union[str, "os.PathLike[str]"]

class _Mask(TypedDict):
    """A result column to mask (``Decision.masks``)."""

    output: str
    position: int
    source: str
    strategy: str
    tag: NotRequired[str]
    by_name: NotRequired[bool]
    statement: NotRequired[int]
    exempt: NotRequired[str]

class _AppliedApproval(TypedDict):
    """An approval that lifted review findings (``Decision.approvals``)."""

    approver: str
    expires_at: str
    lifted: List[str]

class _Step(TypedDict):
    """One step of ``Policy.explain``."""

    rule: str
    outcome: Literal["matched", "skipped", "changed", "disabled"]
    reason: str

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
    def masks(self) -> List[_Mask]:
        """Result columns to mask: ``{output, position, source, strategy}``, with ``tag`` and,
        when they apply, ``by_name``, ``statement``, ``exempt``. ``Policy.masker`` applies them."""
    @property
    def approvals(self) -> List[_AppliedApproval]:
        """The approvals that lifted review findings: ``{approver, expires_at, lifted}``."""
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
        ``column``, ``field``, ``help``) when it cannot.

        >>> Policy.from_toml('version = 1\\nmode = "monitor"\\n').mode
        'monitor'
        """
    @staticmethod
    def from_json(text: str) -> "Policy":
        """Loads a policy document written in JSON. Raises ``PolicyError``.

        >>> Policy.from_json('{"version": 1, "mode": "monitor"}').mode
        'monitor'
        """
    @staticmethod
    def from_path(path: _Path) -> "Policy":
        """Loads a policy document from a ``.toml`` or ``.json`` file. Raises ``PolicyError``
        (also when the file cannot be read).

        >>> Policy.from_path("policies/production.toml")  # doctest: +SKIP
        """
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
    def explain(
        self, action: _ActionLike, context: _ContextLike = None
    ) -> Tuple[Decision, List[_Step]]:
        """Decides an action and says, for every rule and change, whether it applied and why.

        >>> decision, steps = Policy.builtin().explain(Sql("DROP TABLE t"))
        >>> steps[0]["rule"], steps[0]["outcome"]
        ('sql.drop', 'matched')
        """
    def masker(self, decision: Decision, *, detect_values: bool = False) -> "Masker":
        """The masker for a decision this policy made (its masks, the policy's catalogue).

        >>> p = Policy.builtin()
        >>> d = p.evaluate(Sql("SELECT ssn FROM users WHERE id = $1", dialect="postgres"))
        >>> p.masker(d).mask_row(["ssn"], ["536-22-1234"])
        ['[ssn]']
        """

@final
class Masker:
    """Masks result rows, JSON values and text. ``policy.masker(decision)``, or ``Masker()``
    for the built-in catalogue and detectors without column masks.

    >>> Masker().mask_text("mail bob@example.com")
    'mail [email]'
    """

    def __new__(cls) -> "Masker": ...
    def mask_text(self, text: str) -> str:
        """Masks every detected value in text."""
    def mask_row(self, columns: Sequence[str], values: Sequence[Any]) -> List[Any]:
        """Masks one result row (``columns``: the result's column names in order)."""
    def mask_json(self, value: Any) -> Any:
        """Masks a JSON-like value: named members whole, other strings by the detectors."""
    @property
    def column_masks(self) -> int:
        """The number of column masks in force."""

@final
class Match:
    """A sensitive value found by ``detect()``: ``text[m.start:m.end]`` is the value.

    >>> [(m.kind, m.start, m.end) for m in detect("mail bob@example.com")]
    [('email', 5, 20)]
    """

    @property
    def kind(self) -> str:
        """``email``, ``phone``, ``card``, ``iban``, ``ssn``, ``jwt``, ... (the placeholder label)."""
    @property
    def tag(self) -> str:
        """The catalogue tag (``pii.email``, ``pci.pan``, ...)."""
    @property
    def start(self) -> int:
        """Index of the first character in the string."""
    @property
    def end(self) -> int:
        """Index after the last character in the string."""
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

def detect(text: str) -> List[Match]:
    """Finds every sensitive value in ``text``, in order, without overlaps.

    >>> [m.kind for m in detect("card 4111 1111 1111 1111")]
    ['card']
    """

@final
class AuditHead:
    """A chain head (checkpoint): ``seq`` and ``hash``; ``str(head)`` is ``SEQ:HASH``.

    >>> AuditHead.parse("41:" + "ab" * 32).seq
    41
    """

    @staticmethod
    def parse(text: str) -> "AuditHead":
        """Parses ``SEQ:HASH``. Raises ``InputError``."""
    @property
    def seq(self) -> int:
        """Sequence number of the last record."""
    @property
    def hash(self) -> str:
        """Its hash, 64 lowercase hex digits."""
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class Verified:
    """What a successful ``verify()`` saw: ``count`` records and the chain's ``head``."""

    @property
    def count(self) -> int:
        """Records verified."""
    @property
    def head(self) -> Optional[AuditHead]:
        """The head of the chain, ``None`` when there were no records."""

@final
class AuditChain:
    """Turns decisions into hash-chained audit records (keyed BLAKE3 when ``key`` is given).

    >>> chain = AuditChain(b"k" * 32)
    >>> line = chain.append_line(Sql("DROP TABLE t"), None, evaluate(Sql("DROP TABLE t")))
    >>> verify([line], key=b"k" * 32).count
    1
    """

    def __new__(cls, key: _AuditKey = None) -> "AuditChain": ...
    def append(
        self, action: _ActionLike, context: _ContextLike, decision: Decision, time: _Time = None
    ) -> dict[str, Any]:
        """Records a decision (redacted, chained, hashed); returns the record as a dict."""
    def append_line(
        self, action: _ActionLike, context: _ContextLike, decision: Decision, time: _Time = None
    ) -> str:
        """``append``, returning the record's JSONL line (no newline): write it as is."""
    @property
    def head(self) -> Optional[AuditHead]:
        """The head after the last appended record, ``None`` before the first."""
    @property
    def keyed(self) -> bool:
        """Whether the chain is keyed."""

@final
class FileSink:
    """An append-only JSONL audit log: opens or creates ``path`` and resumes its chain.

    ``durability``: ``"record"`` (fsync every append, the default), a count such as ``100``,
    or a time such as ``"250ms"``. Raises ``OSError`` or ``AuditError`` (a log of another chain).

    >>> with FileSink("audit.jsonl", key=key) as sink:  # doctest: +SKIP
    ...     sink.append(action, context, decision)
    """

    def __new__(
        cls, path: _Path, key: _AuditKey = None, durability: Union[str, int, None] = None
    ) -> "FileSink": ...
    def append(
        self, action: _ActionLike, context: _ContextLike, decision: Decision, time: _Time = None
    ) -> dict[str, Any]:
        """Appends a record of a decision (GIL released while it writes); returns the record."""
    def sync(self) -> None:
        """Flushes every appended record to stable storage."""
    @property
    def head(self) -> Optional[AuditHead]:
        """The chain head as this sink last saw it."""
    @property
    def path(self) -> pathlib.Path:
        """The log's path."""
    def __enter__(self) -> "FileSink": ...
    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> bool: ...

def verify(
    path_or_lines: Union[_Path, Iterable[str]],
    key: _AuditKey = None,
    expected_head: Union[AuditHead, str, None] = None,
) -> Verified:
    """Verifies an audit log (a path, or an iterable of lines). Returns ``Verified`` or raises
    ``AuditError`` (``index``, ``kind``) for the first bad record.

    >>> verify([]).count
    0
    """

def evaluate(action: _ActionLike, context: _ContextLike = None) -> Decision:
    """Decides an action in a context with the built-in policy."""

def _force_panic() -> None:
    """Test hook: a panic inside the guard, raised as ``InternalError``."""

def _force_panic_detached() -> None:
    """Test hook: the same, with the GIL released."""
