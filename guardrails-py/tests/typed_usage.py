"""Typed use of the API, checked by `mypy --strict` (scripts/python-test); also run by pytest."""

from __future__ import annotations

from typing import List, Optional, Tuple

from access_guardrails import (
    Context,
    Decision,
    Denied,
    Policy,
    PolicyError,
    ReviewRequired,
    Sql,
    Tool,
    Verdict,
    evaluate,
    guard,
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


def test_typed_usage() -> None:
    assert verdicts(["SELECT 1", "DROP TABLE t"]) == [Verdict.ALLOW, Verdict.DENY]
    assert first_span("DELETE FROM users") == (0, 17)
    assert may_run("run_sql", "SELECT 1") and not may_run("run_sql", "DROP TABLE t")
