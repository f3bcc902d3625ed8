"""The snippets of docs/python.md, run here. Each lives between `# START name` and
`# END name`; `test_docs_match_the_snippets` fails when the guide and this file drift."""

from __future__ import annotations

import re
import sqlite3
import textwrap
from pathlib import Path

import pytest

from conftest import REPO

GUIDE = REPO / "docs/python.md"


def test_quickstart() -> None:
    # START quickstart
    from access_guardrails import Context, Sql, Verdict, evaluate

    decision = evaluate(Sql("DELETE FROM users WHERE 1=1", dialect="postgres"))
    assert decision.verdict is Verdict.DENY
    print(decision.findings[0].rule, decision.findings[0].message)
    # sql.tautological-where `DELETE` of `users` has a `WHERE` that filters nothing: ...

    human_in_dev = Context(actor_id="alice", actor_kind="human", environment="dev")
    assert evaluate(Sql("DROP TABLE scratch"), human_in_dev).verdict is Verdict.ALLOW
    # END quickstart


def test_dicts_and_guard() -> None:
    # START guard
    from access_guardrails import Denied, ReviewRequired, guard

    action = {"kind": "tool", "name": "run_sql", "arguments": {"query": "TRUNCATE orders"}}
    context = {"actor": {"id": "billing-bot", "kind": "agent"}, "environment": "production"}
    try:
        guard(action, context)          # returns the decision when allowed
    except Denied as refused:           # ReviewRequired for a review; both are GuardrailsError
        print(refused.decision.rules)   # ['sql.truncate']
    except ReviewRequired as review:
        print("needs approval of", review.decision.fingerprint)
    # END guard


def test_errors() -> None:
    # START errors
    from access_guardrails import InputError, evaluate

    try:
        evaluate({"kind": "sql", "text": 5})
    except InputError as e:             # also a ValueError
        print(e.path, e.code, e)        # text invalid-field `text`: invalid type: ...
    # END errors


def test_monitor_and_batches() -> None:
    # START monitor
    from access_guardrails import Policy, Sql

    monitor = Policy.builtin().monitor()            # same decisions, enforced = False
    decisions = monitor.evaluate_many(              # the GIL is released while it works
        [Sql("SELECT 1"), Sql("DROP TABLE users")]
    )
    print([(str(d.verdict), d.enforced) for d in decisions])
    # [('allow', False), ('deny', False)]
    # END monitor


def test_langchain() -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE users (id INTEGER)")
    # START langchain
    from langchain_core.tools import tool

    from access_guardrails import Context
    from access_guardrails.langchain import GuardrailsCallbackHandler, guard_tool

    @tool
    def sql_db_query(query: str) -> str:
        """Run a SQL query."""
        return repr(db.execute(query).fetchall())

    guarded = guard_tool(sql_db_query, dialect="sqlite", on_violation="message",
                         context=Context(actor_kind="agent", environment="production"))
    print(guarded.invoke({"query": "DROP TABLE users"}))
    # refused by access guardrails: deny: `sql.drop`: `DROP TABLE` destroys `users` and its data

    # Or guard every tool of a run without wrapping them:
    handler = GuardrailsCallbackHandler(dialect="sqlite")
    sql_db_query.invoke({"query": "SELECT 1"}, config={"callbacks": [handler]})
    # END langchain
    assert db.execute("SELECT count(*) FROM users").fetchone() == (0,)


def snippets() -> dict[str, str]:
    text = Path(__file__).read_text(encoding="utf-8")
    found = re.findall(r"# START (\w+)\n(.*?)\n\s*# END \1", text, flags=re.S)
    return {name: textwrap.dedent(body).strip() for name, body in found}


def test_docs_match_the_snippets() -> None:
    if not GUIDE.exists():
        pytest.fail(f"{GUIDE} is missing")
    doc = GUIDE.read_text(encoding="utf-8")
    blocks = dict(re.findall(r"<!-- snippet: (\w+) -->\n```python\n(.*?)\n```", doc, flags=re.S))
    expected = snippets()
    assert set(blocks) == set(expected)
    for name, body in expected.items():
        assert blocks[name].strip() == body, f"docs/python.md snippet `{name}` differs from tests/test_guide.py"
