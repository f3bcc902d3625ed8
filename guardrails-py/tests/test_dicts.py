"""Dict arguments: read straight into the core's types (no JSON text), as the JSON contract
reads them. Errors must be the wire's: compared with `evaluate_json` on the same value as
JSON text, and odd Python values keep the behaviour of the former `json` encoding path."""

from __future__ import annotations

import collections
import enum
import json
import sys
import threading
import types
from typing import Any, Callable, Dict, List, Optional, Tuple

import pytest

from access_guardrails import Exec, InputError, Policy, Sql

POLICY = Policy.builtin()
OK_ACTION = {"kind": "sql", "dialect": "postgres", "text": "SELECT 1"}


def nested(depth: int, leaf: Any = 1) -> Any:
    """`depth` lists around `leaf`."""
    for _ in range(depth):
        leaf = [leaf]
    return leaf


def tool(arguments: Any) -> Dict[str, Any]:
    return {"kind": "tool", "name": "t", "arguments": arguments}


def error_of(call: Callable[[], object]) -> Optional[Tuple[str, str, str]]:
    try:
        call()
    except InputError as e:
        return (str(e), e.path, e.code)
    return None


def wire_error(request: Dict[str, Any], part: str) -> Optional[Tuple[str, str, str]]:
    """The error `evaluate_json` gives for `request`, with paths relative to `part` (as the
    dict argument's are)."""
    answer = json.loads(POLICY.evaluate_json(json.dumps(request)))
    if answer["type"] == "ok":
        return None
    [err] = answer["errors"]
    path = err["path"]
    message = err["message"][len(f"`{path}`: ") :] if path else err["message"]
    rel = "" if path == part else path[len(part) + 1 :] if path.startswith(part + ".") else path
    return ((f"`{rel}`: " if rel else "") + message, rel, err["code"])


SAME_AS_WIRE_ACTIONS = [
    OK_ACTION,
    {"kind": "sql", "txt": "x"},
    {"kind": "sql", "text": 5},
    {"kind": "sql", "text": 1.5},
    {"kind": "sql", "text": None},
    {"kind": "sql", "text": -(10**30)},
    {"kind": "sql"},
    {"text": "x"},
    {"kind": "sqll", "text": "x"},
    {"kind": 5, "text": "x"},
    {"kind": 0, "text": "x"},
    {"kind": None},
    {"kind": ["sql"], "text": "x"},
    {"kind": "sql", "dialect": "pg2", "text": "x"},
    {"kind": "sql", "dialect": 5, "text": "x"},
    {"kind": "shell", "command": "ls", "shell": ["bash"]},
    {"kind": "exec", "argv": "ls"},
    {"kind": "exec", "argv": ["ls", 3]},
    {"kind": "exec", "argv": ["rm", "-rf", "/"]},
    {"kind": "tool", "name": None},
    tool({"x": 10**400}),
    tool({"x": [1, 2.5, -3, True, None, "s", {"y": {}}]}),
]

SAME_AS_WIRE_CONTEXTS = [
    {"environment": "dev", "actor": {"kind": "human", "id": "bob", "roles": ["a"]}},
    {"actr": {}},
    {"": 1},
    {"actor": {"kind": "robot"}},
    {"actor": {"kind": 5}},
    {"actor": {"kind": None}},
    {"actor": {"kind": ["human"]}},
    {"actor": {"kind": {"human": None}}},
    {"actor": {"kind": {"human": 1}}},
    {"actor": {"kind": {"human": None, "ci": None}}},
    {"actor": ["bot", "human", ["r"]]},
    {"actor": ["bot", "human", [], 1]},
    {"actor": 5},
    {"actor": None},
    {"environment": None},
    {"environment": 5},
    {"labels": {"a": 1}},
    {"labels": {"a": -(10**30)}},
    {"labels": [["a", "b"]]},
    {"approvals": [{"approver": "x"}]},
    {"approvals": [["x", "fp"]]},
    {"approvals": {"a": 1}},
    {"time": 1.5},
]


@pytest.mark.parametrize("action", SAME_AS_WIRE_ACTIONS)
def test_action_dict_errors_are_the_wire_errors(action: Dict[str, Any]) -> None:
    got = error_of(lambda: POLICY.evaluate(action))
    assert got == wire_error({"action": action}, "action")
    if got is None:
        decision = POLICY.evaluate(action).to_dict()
        assert decision == json.loads(POLICY.evaluate_json(json.dumps({"action": action})))["decision"]


@pytest.mark.parametrize("context", SAME_AS_WIRE_CONTEXTS)
def test_context_dict_errors_are_the_wire_errors(context: Dict[str, Any]) -> None:
    got = error_of(lambda: POLICY.evaluate(OK_ACTION, context))
    assert got == wire_error({"action": OK_ACTION, "context": context}, "context")


def not_json(what: str, reason: str) -> Tuple[str, str, str]:
    return (f"`{what}`: not JSON: {reason}", what, "invalid-json")


class Kind(str, enum.Enum):
    SQL = "sql"


class Number(enum.IntEnum):
    FIVE = 5


class MyDict(dict):  # type: ignore[type-arg]
    pass


class ItemsDict(dict):  # type: ignore[type-arg]
    def items(self) -> Any:
        return [("kind", "shell"), ("command", "ls")]


class MyStr(str):
    pass


class MyList(list):  # type: ignore[type-arg]
    pass


def test_values_json_cannot_carry_name_the_argument() -> None:
    cases: List[Tuple[Dict[str, Any], str]] = [
        (tool({"x": {1}}), "object of type set is not JSON serializable"),
        ({"kind": "sql", "text": b"x"}, "object of type bytes is not JSON serializable"),
        ({"kind": "sql", "text": object()}, "object of type object is not JSON serializable"),
        (tool({"x": types.MappingProxyType({})}), "object of type mappingproxy is not JSON serializable"),
        (tool({"x": float("nan")}), "out of range float values are not JSON compliant"),
        (tool({"x": float("-inf")}), "out of range float values are not JSON compliant"),
        (tool({float("inf"): 1}), "out of range float values are not JSON compliant"),
        (tool({(1, 2): 1}), "keys must be str, int, float, bool or None, not tuple"),
        (tool({frozenset(): 1}), "keys must be str, int, float, bool or None, not frozenset"),
    ]
    for action, reason in cases:
        assert error_of(lambda: POLICY.evaluate(action)) == not_json("action", reason)
    assert error_of(lambda: POLICY.evaluate(OK_ACTION, {"labels": {"a": {1}}})) == not_json(
        "context", "object of type set is not JSON serializable"
    )


def test_keys_are_written_as_json_keys() -> None:
    # int, float, bool and None keys become the JSON encoder's strings.
    for key, name in [(1, "1"), (Number.FIVE, "5"), (1.5, "1.5"), (1e16, "1e+16"), (True, "true"), (None, "null"), (10**30, str(10**30))]:
        err = error_of(lambda: POLICY.evaluate({"kind": "sql", "text": "x", key: 1}))
        assert err is not None and err[0].startswith(f"unknown field `{name}`"), (key, err)
    assert POLICY.evaluate(tool({1: "a", 2.5: "b", False: "c", None: "d"})).permits


def test_python_types_read_as_their_json_type() -> None:
    drop = "DROP TABLE t"
    base = POLICY.evaluate({"kind": "sql", "text": drop})
    for action in [
        MyDict(kind="sql", text=drop),
        collections.OrderedDict(kind="sql", text=drop),
        {MyStr("kind"): MyStr("sql"), "text": MyStr(drop)},
        {"kind": Kind.SQL, "text": drop},
    ]:
        assert POLICY.evaluate(action).to_dict() == base.to_dict()
    argv = ["rm", "-rf", "/"]
    expected = POLICY.evaluate(Exec(argv)).to_dict()
    for seq in [tuple(argv), MyList(argv)]:
        assert POLICY.evaluate({"kind": "exec", "argv": seq}).to_dict() == expected
    # A dict subclass is read through its `items()`, as `json` reads it.
    assert POLICY.evaluate(ItemsDict(kind="sql", text=drop)).to_dict() == POLICY.evaluate({"kind": "shell", "command": "ls"}).to_dict()
    # ints beyond 64 bits are floats, as the JSON parser read them; int and float subclasses
    # are their values.
    for value in [2**64 - 1, -(2**63), 10**30, -(10**30), Number.FIVE, 2.5, -0.0, True, None]:
        assert POLICY.evaluate(tool({"x": value})).permits
    assert error_of(lambda: POLICY.evaluate({"kind": "sql", "text": 10**30})) == (
        "invalid type: floating point `1e+30`, expected a string",
        "",
        "invalid-field",
    )


def test_kind_is_a_name_not_an_index() -> None:
    err = error_of(lambda: POLICY.evaluate({"kind": 0, "text": "x"}))
    assert err == ("`kind`: invalid type: integer `0`, expected variant identifier", "kind", "invalid-field")


def test_lone_surrogate_names_its_field() -> None:
    err = error_of(lambda: POLICY.evaluate({"kind": "sql", "text": "SELECT '\ud800'"}))
    assert err is not None and err[1:] == ("text", "invalid-json") and "surrogates not allowed" in err[0], err
    err = error_of(lambda: POLICY.evaluate(OK_ACTION, {"labels": {"\udc00": "a"}}))
    assert err is not None and err[2] == "invalid-json", err


@pytest.mark.parametrize("depth", [123, 124, 125, 126, 127])
def test_nesting_limit_is_the_wire_limit(depth: int) -> None:
    # The request around the action adds one level to the JSON text: the dict is refused
    # exactly where the same document would be, with the same message.
    got = error_of(lambda: POLICY.evaluate(tool({"x": nested(depth)})))
    wire = wire_error({"action": tool({"x": nested(depth - 1)})}, "action")
    if wire is None:
        assert got is None
    else:
        # The 128th container: action, arguments, x, and 125 lists in it.
        path = "arguments.x" + "[0]" * 125
        assert got == (f"`{path}`: recursion limit exceeded", path, "invalid-json")
        assert wire == (f"`{path[:-3]}`: recursion limit exceeded", path[:-3], "invalid-json")


def _run_with_small_stack(call: Callable[[], object]) -> Optional[Tuple[str, str, str]]:
    """`error_of(call)` on a thread with a 512 KiB stack: deep input must not overflow it."""
    result: List[Optional[Tuple[str, str, str]]] = []
    old = threading.stack_size(512 * 1024)
    try:
        t = threading.Thread(target=lambda: result.append(error_of(call)))
        t.start()
        t.join()
    finally:
        threading.stack_size(old)
    return result[0]


def test_cycles_and_deep_nesting_stop_at_the_wire_depth() -> None:
    loop: Dict[str, Any] = {}
    loop["a"] = loop
    loop_list: List[Any] = []
    loop_list.append(loop_list)
    deep_dict: Dict[str, Any] = {}
    for _ in range(5000):
        deep_dict = {"a": deep_dict}
    for arguments, step in [(loop, ".a"), ({"x": loop_list}, "[0]"), (nested(sys.getrecursionlimit() * 2), "[0]"), (deep_dict, ".a")]:
        err = _run_with_small_stack(lambda: POLICY.evaluate(tool(arguments)))
        assert err is not None, arguments
        message, path, code = err
        assert code == "invalid-json" and message == f"`{path}`: recursion limit exceeded"
        assert path.startswith("arguments") and path.endswith(step) and len(path) < 1000, path
    # A context has no free-form values: the first nested value is a type error.
    err = _run_with_small_stack(lambda: POLICY.evaluate(OK_ACTION, {"labels": {"a": loop}}))
    assert err == ("`labels.a`: invalid type: map, expected a string", "labels.a", "invalid-field")


def test_batch_dicts_name_their_index() -> None:
    err = error_of(lambda: POLICY.evaluate_many([OK_ACTION, {"kind": "sql", "text": {1}}]))
    assert err == (
        "action 1: `action`: not JSON: object of type set is not JSON serializable",
        "[1].action",
        "invalid-json",
    )
    err = error_of(lambda: POLICY.evaluate_many([OK_ACTION, {"kind": "sql", "txt": 1}]))
    assert err == ("action 1: unknown field `txt`, expected `dialect` or `text`", "[1]", "invalid-field")


def test_dicts_and_helpers_decide_alike_in_explain() -> None:
    d1, steps1 = POLICY.explain({"kind": "sql", "dialect": "postgres", "text": "DELETE FROM t"}, {"environment": "dev"})
    d2, steps2 = POLICY.explain(Sql("DELETE FROM t", dialect="postgres"), {"environment": "dev"})
    assert d1.to_dict() == d2.to_dict() and steps1 == steps2
