"""Typed use of the API, checked by `mypy --strict` (scripts/python-test); also run by pytest."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, List, Optional, Tuple

from access_guardrails import (
    AuditChain,
    AuditError,
    AuditHead,
    Context,
    Decision,
    Denied,
    FileSink,
    Masker,
    Match,
    Policy,
    PolicyError,
    ReviewRequired,
    Sql,
    Tool,
    Verdict,
    Verified,
    detect,
    evaluate,
    guard,
    verify,
)


def verdicts(statements: List[str]) -> List[Verdict]:
    policy: Policy = Policy.builtin()
    ctx = Context(actor_id="bot", actor_kind="agent", environment="production")
    decisions: List[Decision] = policy.evaluate_many([Sql(s, dialect="postgres") for s in statements], ctx)
    return [d.verdict for d in decisions]


def first_span(text: str) -> Optional[Tuple[int, int]]:
    d = evaluate({"kind": "sql", "text": text})
    return d.findings[0].span if d.findings else None


def may_run(name: str, query: str) -> bool:
    try:
        guard(Tool(name, {"query": query}))
    except (Denied, ReviewRequired) as e:
        refused: Verdict = e.decision.verdict
        return refused < Verdict.REVIEW
    return True


def load(text: str) -> Optional[Policy]:
    try:
        return Policy.from_toml(text)
    except PolicyError as e:
        where: Optional[int] = e.line
        print(f"line {where}: {e.message} ({e.help})")
        return None


def masked_row(policy: Policy, query: str, columns: List[str], row: List[Any]) -> List[Any]:
    decision = policy.evaluate(Sql(query, dialect="postgres"))
    sources: List[str] = [m["source"] for m in decision.masks]
    masker: Masker = policy.masker(decision, detect_values=bool(sources))
    return masker.mask_row(columns, row)


def kinds(text: str) -> List[Tuple[str, str]]:
    found: List[Match] = detect(text)
    return [(m.kind, text[m.start : m.end]) for m in found]


def explained(policy: Policy, query: str) -> List[str]:
    decision, steps = policy.explain(Sql(query))
    return [f"{s['rule']} {s['outcome']}: {s['reason']}" for s in steps] + [str(decision.verdict)]


def audited(statements: List[str], key: bytes) -> Tuple[int, Optional[str]]:
    path = Path(tempfile.mkdtemp()) / "audit.jsonl"
    with FileSink(path, key=key, durability="record") as sink:
        for text in statements:
            record = sink.append(Sql(text), None, evaluate(Sql(text)))
            assert record["decision"]["verdict"] in ("allow", "review", "deny")
        head: Optional[AuditHead] = sink.head
    try:
        verified: Verified = verify(path, key=key, expected_head=head)
    except AuditError as e:
        return e.index, e.kind
    return verified.count, None if verified.head is None else str(verified.head)


def chained(key: bytes) -> List[str]:
    chain = AuditChain(key)
    return [chain.append_line(Sql("SELECT 1"), Context(), evaluate(Sql("SELECT 1")), time="2026-01-01T00:00:00Z")]


def test_typed_usage() -> None:
    assert verdicts(["SELECT 1", "DROP TABLE t"]) == [Verdict.ALLOW, Verdict.DENY]
    assert first_span("DELETE FROM users") == (0, 17)
    assert may_run("run_sql", "SELECT 1") and not may_run("run_sql", "DROP TABLE t")
    assert masked_row(Policy.builtin(), "SELECT id, lower(email) AS e FROM users WHERE id = $1", ["id", "e"], [1, "a@b.co"]) == [1, "[email]"]
    assert kinds("mail bob@example.com") == [("email", "bob@example.com")]
    assert explained(Policy.builtin(), "DROP TABLE t")[-1] == "deny"
    count, head = audited(["SELECT 1", "DROP TABLE t"], b"k" * 32)
    assert count == 2 and head is not None and head.startswith("1:")
    assert verify(chained(b"k" * 32), key=b"k" * 32).count == 1
