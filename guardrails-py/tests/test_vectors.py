"""Every shared golden vector, through the binding (same checks as the Rust test
`guardrails-core/tests/vectors.rs`)."""

from __future__ import annotations

import json
from typing import Any, Dict, List

import pytest

from access_guardrails import Policy, Verdict
from conftest import VECTOR_CASES, VECTORS


def test_vectors_are_found() -> None:
    assert VECTOR_CASES, f"no golden vectors found under {VECTORS}"


def policy_for(case: Dict[str, Any]) -> Policy:
    """The vector's policy: built-in, or its document (TOML text, or a JSON object). A
    document that does not load raises `PolicyError`, which fails the vector."""
    doc = case.get("policy")
    if doc is None:
        return Policy.builtin()
    if isinstance(doc, str):
        return Policy.from_toml(doc)
    return Policy.from_json(json.dumps(doc))


def test_policy_vectors_are_found() -> None:
    assert any("policy" in case for _, case in VECTOR_CASES), "no vector carries a policy document"


@pytest.mark.parametrize("name,case", VECTOR_CASES, ids=[n for n, _ in VECTOR_CASES])
def test_vector(name: str, case: Dict[str, Any], vector_log: List[str]) -> None:
    policy = policy_for(case)
    decision = policy.evaluate(case["action"], case.get("context"))
    expect = case["expect"]
    problems = []
    if decision.verdict is not Verdict(expect["verdict"]):
        problems.append(f"verdict {decision.verdict}, expected {expect['verdict']}")
    for rule in expect.get("rules", []):
        if rule not in decision.rules:
            problems.append(f"rule {rule} missing (found: {decision.rules})")
    if "enforced" in expect and decision.enforced != expect["enforced"]:
        problems.append(f"enforced {decision.enforced}, expected {expect['enforced']}")
    if "masks" in expect:
        got = [m["source"] for m in decision.masks]
        for m in expect["masks"]:
            if m not in got:
                problems.append(f"mask of {m} missing (found: {got})")
    assert not problems, f"{name}: {case['description']}: " + "; ".join(problems)
    # The JSON entry point agrees with the object one.
    answer = json.loads(
        policy.evaluate_json(json.dumps({"action": case["action"], "context": case.get("context") or {}}))
    )
    assert answer["type"] == "ok"
    assert answer["decision"] == decision.to_dict()
    vector_log.append(name)
