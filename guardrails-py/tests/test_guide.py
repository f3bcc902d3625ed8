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


def test_three_lines() -> None:
    from access_guardrails import Denied

    with pytest.raises(Denied):
        # START three_lines
        from access_guardrails import Sql, guard

        guard(Sql("SELECT * FROM orders WHERE id = 7", dialect="postgres"))  # returns the decision
        guard(Sql("DROP TABLE orders", dialect="postgres"))                  # raises Denied
        # END three_lines


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


def test_policy_documents(capsys: pytest.CaptureFixture[str]) -> None:
    # START policy
    from access_guardrails import Context, Policy, PolicyError, Sql, guard

    policy = Policy.from_toml("""
    version = 1
    mode = "monitor"                      # report, do not enforce: guard() never raises

    [[builtin]]                           # change a built-in rule where it applies
    rule = "sql.drop"
    verdict = "review"
    when = { environment = "staging" }

    [[rules]]                             # a rule of your own, with examples checked at load
    id = "audit-append-only"
    verdict = "deny"
    message = "audit tables are append-only"
    sql = { objects = "*.audit_*", kind = ["update", "delete", "truncate"] }
    match = ["DELETE FROM public.audit_log WHERE id = 1"]
    """)                                  # also Policy.from_json(text), Policy.from_path(path)
    d = guard(Sql("DELETE FROM public.audit_log WHERE id = 1"), Context(environment="dev"), policy=policy)
    print(d.verdict, d.enforced, d.rules)  # deny False ['audit-append-only']

    try:
        Policy.from_toml('version = 1\n[[builtin]]\nrule = "sql.drop"\nverdict = "reveiw"\n')
    except PolicyError as e:               # also a ValueError
        print(e.line, e.field, e.help)     # 4 builtin[0].verdict did you mean `review`?
        print(e)                           # policy.toml:4:1: unknown value `reveiw` for `verdict` ...
    # END policy
    assert capsys.readouterr().out.splitlines()[:2] == [
        "deny False ['audit-append-only']",
        "4 builtin[0].verdict did you mean `review`?",
    ]


def test_masking(capsys: pytest.CaptureFixture[str]) -> None:
    # START masking
    from access_guardrails import Policy, Sql, detect

    policy = Policy.builtin()                   # or a document with a [catalogue]
    decision = policy.evaluate(Sql("SELECT id, lower(email) AS e FROM users WHERE id = $1", dialect="postgres"))
    print(decision.masks)
    # [{'output': 'e', 'position': 1, 'source': 'users.email', 'strategy': 'redact', 'tag': 'pii.email'}]

    masker = policy.masker(decision)            # apply them to the rows the query returns
    print(masker.mask_row(["id", "e"], [7, "bob@example.com"]))     # [7, '[email]']
    print(masker.mask_text("card 4111 1111 1111 1111, call +1 415 555 0100"))
    # card [card], call [phone]
    print(masker.mask_json({"user": {"email": "bob@example.com"}}))  # {'user': {'email': '[email]'}}

    text = "reach me at bob@example.com"
    print([(m.kind, text[m.start:m.end]) for m in detect(text)])     # [('email', 'bob@example.com')]
    # END masking
    assert capsys.readouterr().out.splitlines() == [
        "[{'output': 'e', 'position': 1, 'source': 'users.email', 'strategy': 'redact', 'tag': 'pii.email'}]",
        "[7, '[email]']",
        "card [card], call [phone]",
        "{'user': {'email': '[email]'}}",
        "[('email', 'bob@example.com')]",
    ]


def test_audit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    # START audit
    import os

    from access_guardrails import AuditError, FileSink, Sql, evaluate, verify

    key = os.urandom(32)                        # keep it secret: keyed hashes cannot be recomputed
    with FileSink("audit.jsonl", key=key) as sink:      # durability="record" (fsync each append)
        for text in ["SELECT 1", "DROP TABLE users", "ALTER USER app PASSWORD 'hunter2'"]:
            action = Sql(text, dialect="postgres")
            record = sink.append(action, None, evaluate(action))  # secrets are redacted
        checkpoint = sink.head                  # save it elsewhere: truncation becomes detectable

    print(verify("audit.jsonl", key=key, expected_head=checkpoint).count)  # 3

    with open("audit.jsonl", "r+b") as f:       # tamper with one byte of the second record
        lines = f.read().split(b"\n")
        lines[1] = lines[1].replace(b"users", b"usert")
        f.seek(0)
        f.write(b"\n".join(lines))
    try:
        verify("audit.jsonl", key=key, expected_head=checkpoint)
    except AuditError as e:
        print(e.index, e.kind)                  # 1 modified
    # END audit
    assert capsys.readouterr().out.splitlines() == ["3", "1 modified"]
    assert record["seq"] == 2 and "hunter2" not in open("audit.jsonl").read()


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
