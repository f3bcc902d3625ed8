"""Errors: input that is not the contract, wrong types, panics."""

from __future__ import annotations

import pytest

import access_guardrails as ag
from access_guardrails import (
    Context,
    GuardrailsError,
    InputError,
    InternalError,
    Policy,
    PolicyError,
    Sql,
    Tool,
    evaluate,
)


@pytest.mark.parametrize(
    "action,path,fragment",
    [
        ({"kind": "sql", "txt": "x"}, "", "unknown field `txt`"),
        ({"kind": "sql", "text": 5}, "text", "invalid type"),
        ({"kind": "sql", "dialect": "oracle", "text": "x"}, "dialect", "unknown variant `oracle`"),
        ({"kind": "teleport"}, "kind", "unknown variant `teleport`"),
        ({"kind": "exec", "argv": "ls"}, "argv", "invalid type"),
        ({"text": "x"}, "", "missing field `kind`"),
    ],
)
def test_bad_action_dict(action: dict, path: str, fragment: str) -> None:
    with pytest.raises(InputError) as err:
        evaluate(action)
    e = err.value
    assert isinstance(e, GuardrailsError) and isinstance(e, ValueError)
    assert fragment in str(e), str(e)
    assert e.code == "invalid-field"
    assert e.path in {path, ""}, e.path


def test_bad_context() -> None:
    with pytest.raises(InputError) as err:
        evaluate(Sql("SELECT 1"), {"actor": {"kind": "robot"}})
    assert err.value.path == "actor.kind" and "`robot`" in str(err.value)
    with pytest.raises(InputError) as err:
        evaluate(Sql("SELECT 1"), {"enviroment": "dev"})
    assert "unknown field `enviroment`" in str(err.value)
    with pytest.raises(InputError):
        Context(actor_kind="robot")
    with pytest.raises(InputError):
        Context(approvals=[{"approver": 3}])


@pytest.mark.parametrize("value", [5, "SELECT 1", None, [1], object()])
def test_wrong_type_for_action(value: object) -> None:
    with pytest.raises(InputError) as err:
        evaluate(value)  # type: ignore[arg-type]
    assert err.value.code == "invalid-type" and err.value.path == "action"


def test_wrong_type_for_context() -> None:
    with pytest.raises(InputError) as err:
        evaluate(Sql("SELECT 1"), "production")  # type: ignore[arg-type]
    assert err.value.path == "context"


def test_values_json_cannot_carry() -> None:
    for bad in [{"kind": "tool", "name": "t", "arguments": {"a": {1, 2}}}, {"kind": "sql", "text": float("nan")}]:
        with pytest.raises(InputError) as err:
            evaluate(bad)
        assert err.value.code == "invalid-json"
    with pytest.raises(InputError):
        Tool("t", {"a": object()})
    loop: dict = {}
    loop["self"] = loop
    with pytest.raises(InputError):
        evaluate({"kind": "tool", "name": "t", "arguments": loop})


def test_lone_surrogate_is_an_input_error() -> None:
    with pytest.raises(InputError):
        evaluate({"kind": "sql", "text": "SELECT '\ud800'"})


def test_bad_helper_arguments() -> None:
    with pytest.raises(InputError):
        Sql("x", dialect="oracle")
    with pytest.raises(InputError):
        ag.Shell("ls", shell="fish")
    with pytest.raises(TypeError):
        ag.Exec("ls")  # type: ignore[arg-type]


def test_batch_error_names_the_index() -> None:
    with pytest.raises(InputError) as err:
        Policy.builtin().evaluate_many([Sql("SELECT 1"), {"kind": "exec", "argv": "ls"}])
    assert err.value.path.startswith("[1]") and str(err.value).startswith("action 1: ")
    with pytest.raises(InputError):
        Policy.builtin().evaluate_many(5)  # type: ignore[arg-type]


@pytest.mark.parametrize("hook", ["_force_panic", "_force_panic_detached"])
def test_panic_is_internal_error(hook: str) -> None:
    with pytest.raises(InternalError) as err:
        getattr(ag._native, hook)()
    assert isinstance(err.value, Exception)
    assert str(err.value).startswith("internal error: forced panic")
    # The module still works afterwards.
    assert evaluate(Sql("SELECT 1")).permits


def test_policy_error_shape() -> None:
    e = PolicyError("policy.toml:12:3: unknown field `enviroment`", line=12, column=3, field="enviroment", help="did you mean `environment`?")
    assert isinstance(e, GuardrailsError) and isinstance(e, ValueError)
    assert (e.line, e.column, e.field, e.help) == (12, 3, "enviroment", "did you mean `environment`?")


def test_input_error_messages_follow_the_style() -> None:
    for bad in [{"kind": "sql", "txt": "x"}, {"kind": "sql", "text": 5}, 5]:
        with pytest.raises(InputError) as err:
            evaluate(bad)  # type: ignore[arg-type]
        msg = str(err.value)
        assert msg[0].islower() or msg[0] == "`", msg
        assert not msg.endswith(".") and "\n" not in msg, msg
