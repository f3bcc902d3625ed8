"""The typed API: helpers, decisions, verdicts, guard(), monitor mode, docs."""

from __future__ import annotations

import doctest
import json

import pytest

import access_guardrails as ag
from access_guardrails import (
    Action,
    Context,
    Decision,
    Denied,
    Exec,
    Finding,
    GuardrailsError,
    Policy,
    ReviewRequired,
    Shell,
    Sql,
    Tool,
    Verdict,
    evaluate,
    guard,
)

HUMAN_PROD = Context(actor_kind="human", environment="production")


def test_verdict_is_an_ordered_enum() -> None:
    assert Verdict.ALLOW < Verdict.REVIEW < Verdict.DENY
    assert max(Verdict.REVIEW, Verdict.DENY, Verdict.ALLOW) is Verdict.DENY
    assert sorted([Verdict.DENY, Verdict.ALLOW]) == [Verdict.ALLOW, Verdict.DENY]
    assert Verdict("review") is Verdict.REVIEW and str(Verdict.DENY) == "deny"
    assert [v.rank for v in Verdict] == [0, 1, 2]
    with pytest.raises(TypeError):
        Verdict.DENY < 2  # noqa: B015


def test_decision_fields() -> None:
    d = evaluate(Sql("DELETE FROM users", dialect="postgres"))
    assert isinstance(d, Decision)
    assert d.verdict is Verdict.DENY and d.enforced and not d.permits
    assert d.rules == ["sql.delete-without-where"]
    f = d.findings[0]
    assert isinstance(f, Finding)
    assert (f.rule, f.verdict, f.statement, f.span) == ("sql.delete-without-where", Verdict.DENY, 0, (0, 17))
    assert f.severity in {"info", "low", "medium", "high", "critical"}
    assert "`users`" in f.message
    assert d.intent["statements"][0]["kind"] == "delete"
    assert d.masks == []
    assert len(d.fingerprint) == 64 and d.policy_digest == Policy.builtin().digest
    as_dict = d.to_dict()
    assert as_dict == json.loads(d.to_json())
    assert as_dict["verdict"] == "deny" and as_dict["findings"][0] == f.to_dict()
    assert repr(d).startswith("Decision(verdict=deny, enforced=True, rules=")
    assert "sql.delete-without-where" in repr(f)


def test_typed_helpers_decide_like_dicts() -> None:
    pairs = [
        (Sql("DROP TABLE t", dialect="postgres"), {"kind": "sql", "dialect": "postgres", "text": "DROP TABLE t"}),
        (Sql("SELECT 1"), {"kind": "sql", "text": "SELECT 1"}),
        (Shell("ls -la"), {"kind": "shell", "command": "ls -la"}),
        (Exec(["kubectl", "get", "pods"]), {"kind": "exec", "argv": ["kubectl", "get", "pods"]}),
        (Tool("run_sql", {"query": "TRUNCATE t"}), {"kind": "tool", "name": "run_sql", "arguments": {"query": "TRUNCATE t"}}),
    ]
    ctx_dict = {"actor": {"id": "bot", "kind": "agent", "roles": ["analyst"]}, "environment": "staging"}
    ctx = Context(actor_id="bot", actor_kind="agent", roles=["analyst"], environment="staging")
    assert ctx.to_dict() == ctx_dict
    for typed, raw in pairs:
        assert isinstance(typed, Action)
        assert typed.kind == raw["kind"]
        assert evaluate(typed, ctx).to_json() == evaluate(raw, ctx_dict).to_json()
    assert Sql("x", dialect="mysql").text == "x" and Sql("x", dialect="mysql").dialect == "mysql"
    assert Shell("ls").command == "ls" and Shell("ls").shell == "bash"
    assert Exec(["a", "b"]).argv == ["a", "b"]
    assert Tool("t", {"a": 1}).arguments == {"a": 1} and Tool("t").arguments == {}
    assert Tool("t", {"a": [1, {"b": None}]}).to_dict() == {"kind": "tool", "name": "t", "arguments": {"a": [1, {"b": None}]}}
    assert repr(Sql("x")) == 'Sql("x", dialect="generic")'


def test_context_changes_the_verdict() -> None:
    drop = Sql("DROP TABLE users", dialect="postgres")
    assert evaluate(drop).verdict is Verdict.DENY
    assert evaluate(drop, HUMAN_PROD).verdict is Verdict.REVIEW
    assert evaluate(drop, {"actor": {"kind": "human"}, "environment": "dev"}).verdict is Verdict.ALLOW
    assert evaluate(drop, Context(actor_kind="human", environment="dev", labels={"team": "a"})).verdict is Verdict.ALLOW


def test_guard_raises_unless_allowed() -> None:
    assert guard(Sql("SELECT 1")).verdict is Verdict.ALLOW
    with pytest.raises(Denied) as denied:
        guard(Sql("DROP TABLE users", dialect="postgres"))
    assert isinstance(denied.value, GuardrailsError)
    assert denied.value.decision.rules == ["sql.drop"]
    assert "sql.drop" in str(denied.value)
    with pytest.raises(ReviewRequired) as review:
        guard(Sql("DROP TABLE users", dialect="postgres"), HUMAN_PROD)
    assert review.value.decision.verdict is Verdict.REVIEW


def test_monitor_mode_never_raises() -> None:
    monitor = Policy.builtin().monitor()
    assert monitor.mode == "monitor" and Policy.builtin().mode == "enforce"
    d = guard(Sql("DROP TABLE users"), policy=monitor)
    assert d.verdict is Verdict.DENY and not d.enforced and d.permits
    assert monitor.digest == Policy.builtin().digest
    assert "monitor" in repr(monitor)


def test_evaluate_many_keeps_order() -> None:
    actions = [Sql("SELECT 1"), {"kind": "sql", "text": "DROP TABLE t"}, Sql("TRUNCATE t")]
    got = Policy.builtin().evaluate_many(actions, HUMAN_PROD)
    assert [d.to_json() for d in got] == [evaluate(a, HUMAN_PROD).to_json() for a in actions]
    assert Policy.builtin().evaluate_many(iter([])) == []


def test_evaluate_json_is_the_wire() -> None:
    out = json.loads(Policy.builtin().evaluate_json('{"action":{"kind":"sql","text":"TRUNCATE t"}}'))
    assert out["type"] == "ok" and out["decision"]["verdict"] == "deny"
    bad = json.loads(Policy.builtin().evaluate_json('{"action":{"kind":"sql","text":5}}'))
    assert bad["type"] == "error" and bad["errors"][0]["code"] == "invalid-field"


def test_public_names_are_documented() -> None:
    for name in ag.__all__:
        obj = getattr(ag, name)
        if name in {"__version__", "DETACH_BYTES"}:
            continue
        assert obj.__doc__ and len(obj.__doc__.strip()) > 20, name
    assert ag.__version__.count(".") == 2
    assert "dict of the JSON contract" in (evaluate.__doc__ or "")


def test_doctests_in_docstrings_pass() -> None:
    for module in (ag, ag._errors):
        result = doctest.testmod(module, raise_on_error=False)
        assert result.failed == 0, module.__name__
    assert doctest.run_docstring_examples is not None
    globs = {"__name__": "doc"}
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner()
    for test in finder.find(ag.evaluate, "evaluate", globs=globs):
        runner.run(test)
    assert runner.failures == 0
