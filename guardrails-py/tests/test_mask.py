"""Masking through the binding: the decision's masks, the masker on rows, JSON and text, the
value detectors."""

from __future__ import annotations

import threading

import pytest

from access_guardrails import (
    DETACH_BYTES,
    Context,
    InputError,
    Masker,
    Match,
    Policy,
    Sql,
    detect,
)

EMAIL_QUERY = Sql("SELECT id, lower(email) AS e FROM users WHERE id = $1", dialect="postgres")


def test_decision_masks_are_dicts_of_the_contract() -> None:
    d = Policy.builtin().evaluate(EMAIL_QUERY)
    assert d.masks == [
        {"output": "e", "position": 1, "source": "users.email", "strategy": "redact", "tag": "pii.email"}
    ]
    assert d.masks == d.to_dict()["masks"]


def test_masking_of_an_email_and_a_card_in_text() -> None:
    m = Masker()
    assert m.mask_text("mail bob@example.com or pay with 4111 1111 1111 1111") == "mail [email] or pay with [card]"
    # Not Luhn-valid: not a card, left alone.
    assert m.mask_text("ref 4111 1111 1111 1112") == "ref 4111 1111 1111 1112"
    assert m.mask_text("") == ""
    assert m.mask_text("naïve ☃ bob@example.com ☃") == "naïve ☃ [email] ☃"


def test_masking_of_a_row_by_the_decisions_masks() -> None:
    policy = Policy.builtin()
    masker = policy.masker(policy.evaluate(EMAIL_QUERY))
    assert masker.column_masks == 1
    assert masker.mask_row(["id", "e"], [7, "bob@example.com"]) == [7, "[email]"]
    # By position: the alias hides the column's name, the lineage does not.
    assert masker.mask_row(["id", "e"], [7, None]) == [7, None]
    # Free text in other columns is left alone unless asked for.
    card_row = ["id", "note"], [1, "card 4111111111111111"]
    assert Policy.builtin().masker(policy.evaluate(Sql("SELECT id, note FROM t"))).mask_row(*card_row) == [1, "card 4111111111111111"]
    detecting = policy.masker(policy.evaluate(Sql("SELECT id, note FROM t")), detect_values=True)
    assert detecting.mask_row(*card_row) == [1, "card [card]"]
    # Columns the built-in catalogue names are masked by name, whatever the decision.
    assert Masker().mask_row(["id", "email"], [1, "bob@example.com"]) == [1, "[email]"]


def test_masking_of_json_values() -> None:
    value = {"user": {"email": "bob@example.com", "note": "card 4111111111111111"}, "n": 3, "ok": True, "none": None}
    assert Masker().mask_json(value) == {
        "user": {"email": "[email]", "note": "card [card]"},
        "n": 3,
        "ok": True,
        "none": None,
    }
    assert Masker().mask_json(["bob@example.com", 1.5]) == ["[email]", 1.5]
    assert Masker().mask_json("536-22-1234") == "[ssn]"
    assert value["user"]["email"] == "bob@example.com"  # a new value; the input is untouched


def test_a_policy_catalogue_sets_the_strategy() -> None:
    policy = Policy.from_toml(
        """
version = 1
[[catalogue.data]]
table = "public.users"
columns = ["email"]
tags = ["pii.email"]
[catalogue.strategies]
"pii.email" = "hash"
"""
    )
    d = policy.evaluate(Sql("SELECT email FROM public.users WHERE id = $1", dialect="postgres"))
    assert [(m["source"], m["tag"]) for m in d.masks] == [("public.users.email", "pii.email")]
    row = policy.masker(d).mask_row(["email"], ["bob@example.com"])
    assert row != ["bob@example.com"] and row != ["[email]"]
    # Hashing is deterministic for one policy: equal values stay joinable.
    assert policy.masker(d).mask_row(["email"], ["bob@example.com"]) == row


def test_detect_gives_kinds_and_string_indices() -> None:
    text = "é☃ mail bob@example.com, ssn 536-22-1234, key AKIAIOSFODNN7EXAMPLE"
    found = detect(text)
    assert [(m.kind, text[m.start : m.end]) for m in found] == [
        ("email", "bob@example.com"),
        ("ssn", "536-22-1234"),
        ("aws-access-key-id", "AKIAIOSFODNN7EXAMPLE"),
    ]
    assert [m.tag for m in found] == ["pii.email", "pii.ssn", "secret.aws-access-key-id"]
    assert isinstance(found[0], Match) and found[0] == detect(text)[0]
    assert repr(found[0]) == "Match(kind=\"email\", start=8, end=23)"
    assert detect("nothing here") == []


def test_large_inputs_are_masked_with_the_gil_released() -> None:
    filler = "x " * DETACH_BYTES
    text = filler + "bob@example.com"
    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(Masker().mask_text(text))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [filler + "[email]"] * 4
    assert [m.kind for m in detect(text)] == ["email"]
    big_row = Masker().mask_row(["email", "note"], ["bob@example.com", filler])
    assert big_row == ["[email]", filler]
    assert Masker().mask_json({"note": filler + "bob@example.com"}) == {"note": filler + "[email]"}


def test_bad_arguments_are_input_errors() -> None:
    with pytest.raises(InputError) as caught:
        Masker().mask_row(["a"], {"a": 1})
    assert caught.value.path == "values"
    with pytest.raises(InputError) as caught:
        Masker().mask_json({1, 2})
    assert (caught.value.path, caught.value.code) == ("value", "invalid-json")
    with pytest.raises(TypeError):
        Masker().mask_text(5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Policy.builtin().masker({"verdict": "allow"})  # type: ignore[arg-type]


EXEMPTING = """
version = 1
[[catalogue.data]]
table = "users"
columns = ["email"]
tags = ["pii.email"]
[[catalogue.exemptions]]
tags = "pii.*"
roles = "support-lead"
"""
LEAD = Context(actor_kind="human", roles=["support-lead"])


def test_masks_follow_exemptions_of_the_context() -> None:
    policy = Policy.from_toml(EXEMPTING)
    query = Sql("SELECT email AS contact FROM users WHERE id = $1", dialect="postgres")
    d = policy.evaluate(query, LEAD)
    assert [m["exempt"] for m in d.masks] == ["role `support-lead`"]
    assert policy.masker(d).mask_row(["contact"], ["bob@example.com"]) == ["bob@example.com"]
    assert policy.masker(policy.evaluate(query)).mask_row(["contact"], ["bob@example.com"]) == ["[email]"]


def test_an_exempt_column_is_not_masked_by_its_name() -> None:
    policy = Policy.from_toml(EXEMPTING)
    d = policy.evaluate(Sql("SELECT email FROM users WHERE id = $1", dialect="postgres"), LEAD)
    assert policy.masker(d).mask_row(["email"], ["bob@example.com"]) == ["bob@example.com"]
