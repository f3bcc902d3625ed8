"""Policy documents through the binding: loading (TOML, JSON, files), custom rules, errors
with their location, monitor mode, explain, approvals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from access_guardrails import (
    Context,
    Denied,
    GuardrailsError,
    Policy,
    PolicyError,
    Sql,
    Tool,
    Verdict,
    evaluate,
    guard,
)
from conftest import VECTORS

AGENT_PROD = Context(actor_id="agent-1", actor_kind="agent", environment="production")

POLICY = """
version = 1

[[builtin]]
rule = "sql.drop"
verdict = "review"
when = { environment = "staging" }

[[rules]]
id = "audit-append-only"
verdict = "deny"
message = "audit tables are append-only"
sql = { objects = "audit.*", kind = ["update", "delete"] }
"""


def test_a_toml_policy_loads_and_its_custom_rule_fires() -> None:
    policy = Policy.from_toml(POLICY)
    assert policy.mode == "enforce"
    assert policy.digest != Policy.builtin().digest
    d = policy.evaluate(Sql("UPDATE audit.events SET who = 'x' WHERE id = 1", dialect="postgres"), AGENT_PROD)
    assert d.verdict is Verdict.DENY
    assert d.rules == ["audit-append-only"]
    assert d.findings[0].message == "audit tables are append-only"
    assert d.policy_digest == policy.digest
    # The rule is scoped to its objects; other tables follow the built-in policy.
    assert policy.evaluate(Sql("UPDATE app.t SET a = 1 WHERE id = 1", dialect="postgres"), AGENT_PROD).rules == []
    # The change of a built-in rule applies in its scope only.
    drop = Sql("DROP TABLE t", dialect="postgres")
    assert policy.evaluate(drop, Context(actor_kind="agent", environment="staging")).verdict is Verdict.REVIEW
    assert policy.evaluate(drop, AGENT_PROD).verdict is Verdict.DENY
    # The built-in policy knows nothing of the custom rule.
    assert evaluate(Sql("UPDATE audit.events SET who = 'x' WHERE id = 1"), AGENT_PROD).verdict is Verdict.ALLOW


def test_a_json_policy_is_the_same_schema() -> None:
    doc = {"version": 1, "rules": [{"id": "no-sleep", "verdict": "deny", "sql": {"functions": "pg_sleep*"}}]}
    policy = Policy.from_json(json.dumps(doc))
    d = policy.evaluate(Sql("SELECT 1 FROM t WHERE pg_sleep(5) IS NULL", dialect="postgres"))
    assert "no-sleep" in d.rules and d.verdict is Verdict.DENY


def test_a_bad_document_names_line_column_field_and_help() -> None:
    text = (
        'version = 1\n[[rules]]\nid = "x"\nverdict = "deny"\nsql = { kind = "drop table" }\n'
        'when = { enviroment = "prod" }\n'
    )
    with pytest.raises(PolicyError) as caught:
        Policy.from_toml(text)
    e = caught.value
    assert (e.line, e.column) == (6, 10)
    assert e.field == "rules[0].when.enviroment"
    assert e.help == "did you mean `environment`?"
    assert str(e) == "policy.toml:6:10: unknown field `enviroment` in rule `x`"
    assert isinstance(e, GuardrailsError) and isinstance(e, ValueError)


def test_invalid_values_and_syntax_errors() -> None:
    with pytest.raises(PolicyError) as caught:
        Policy.from_toml('version = 1\n[[builtin]]\nrule = "sql.drop"\nverdict = "reveiw"\n')
    assert (caught.value.line, caught.value.field) == (4, "builtin[0].verdict")
    with pytest.raises(PolicyError) as caught:
        Policy.from_toml("version = 1\n[[rules]\n")
    assert caught.value.line == 2
    with pytest.raises(PolicyError) as caught:
        Policy.from_json('{"version": 1, "mode": "monitr"}')
    assert caught.value.field == "mode"
    with pytest.raises(PolicyError) as caught:
        Policy.from_toml('version = 1\n[[builtin]]\nrule = "sql.no-such-rule"\nverdict = "deny"\n')
    assert caught.value.field is not None and caught.value.field.startswith("builtin[0]")


def test_an_example_that_does_not_hold_refuses_the_document() -> None:
    text = 'version = 1\n[[rules]]\nid = "no-sleep"\nverdict = "deny"\nsql = { functions = "pg_sleep" }\nmatch = ["SELECT 1"]\n'
    with pytest.raises(PolicyError) as caught:
        Policy.from_toml(text)
    assert caught.value.field is not None and caught.value.field.startswith("rules[0].match")


def test_from_path_reads_toml_and_json_files(tmp_path: Path) -> None:
    (tmp_path / "p.toml").write_text(POLICY, encoding="utf-8")
    (tmp_path / "p.json").write_text('{"version": 1, "mode": "monitor"}', encoding="utf-8")
    assert Policy.from_path(tmp_path / "p.toml").digest == Policy.from_toml(POLICY).digest
    assert Policy.from_path(str(tmp_path / "p.json")).mode == "monitor"
    (tmp_path / "bad.toml").write_text("version = 1\nmode = 3\n", encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        Policy.from_path(tmp_path / "bad.toml")
    assert str(caught.value).startswith(str(tmp_path / "bad.toml") + ":2")
    with pytest.raises(PolicyError, match="cannot read the policy"):
        Policy.from_path(tmp_path / "missing.toml")
    with pytest.raises(TypeError):
        Policy.from_path(3)  # type: ignore[arg-type]


def test_the_shipped_example_policies_load() -> None:
    for path in sorted((VECTORS.parent / "examples/policies").glob("*.toml")):
        assert len(Policy.from_path(path).digest) == 64, path


def test_monitor_mode_from_a_document_never_raises_in_guard() -> None:
    policy = Policy.from_toml('version = 1\nmode = "monitor"\n')
    assert policy.mode == "monitor"
    d = guard(Sql("DROP TABLE users", dialect="postgres"), AGENT_PROD, policy=policy)
    assert (d.verdict, d.enforced, d.permits) == (Verdict.DENY, False, True)
    assert d.rules == ["sql.drop"]
    with pytest.raises(Denied):
        guard(Sql("DROP TABLE users", dialect="postgres"), AGENT_PROD, policy=Policy.from_toml("version = 1\n"))


def test_explain_gives_the_decision_and_its_steps() -> None:
    policy = Policy.from_toml(POLICY)
    d, steps = policy.explain(Sql("DROP TABLE t", dialect="postgres"), Context(actor_kind="agent", environment="staging"))
    assert d.verdict is Verdict.REVIEW
    assert d.to_dict() == policy.evaluate(Sql("DROP TABLE t", dialect="postgres"), Context(actor_kind="agent", environment="staging")).to_dict()
    assert {"rule": "sql.drop", "outcome": "changed"}.items() <= steps[0].items()
    assert any(s["rule"] == "audit-append-only" and s["outcome"] == "skipped" for s in steps)
    assert all(set(s) == {"rule", "outcome", "reason"} for s in steps)
    _, steps = Policy.builtin().explain({"kind": "sql", "text": "SELECT 1"})
    assert steps == []


def test_a_signed_approval_is_listed_in_the_decision() -> None:
    case = json.loads((VECTORS / "policy/040-approval-a-valid-signed-approval-lifts-a.json").read_text())
    policy = Policy.from_toml(case["policy"])
    d = policy.evaluate(case["action"], case["context"])
    assert d.verdict is Verdict.ALLOW
    assert d.approvals == [{"approver": "alice", "expires_at": "2026-06-01T00:15:00Z", "lifted": ["sql.drop"]}]
    assert policy.evaluate(case["action"], dict(case["context"], approvals=[])).approvals == []


def test_tool_mappings_of_a_document_apply_to_tool_actions() -> None:
    policy = Policy.from_toml('version = 1\n[[tools]]\nname = "warehouse"\nkind = "sql"\nargument = "q"\ndialect = "postgres"\n')
    assert policy.evaluate(Tool("warehouse", {"q": "DROP TABLE t"}), AGENT_PROD).rules == ["sql.drop"]
