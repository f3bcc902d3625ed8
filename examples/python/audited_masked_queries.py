"""Guarded, masked and audited queries over sqlite3, with a policy document.

Run: python examples/python/audited_masked_queries.py   (needs only `access-guardrails`)

Every query an agent sends goes through one function: the policy decides it (a document
refines the built-in policy with a rule of its own and a sensitive data catalogue), the
decision is appended to a keyed audit log whether or not the query runs, and the rows that
come back are masked as the decision says. At the end the log is verified against the
checkpoint taken when it was closed.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path
from typing import Any, List

from access_guardrails import Context, FileSink, GuardrailsError, Policy, Sql, verify

POLICY = Policy.from_toml(
    """
version = 1

[[rules]]
id = "no-login-secrets"
verdict = "deny"
message = "agents never read login secrets"
sql = { columns = "users.totp_seed" }
match = ["SELECT id, totp_seed FROM users WHERE id = 1"]
not_match = ["SELECT name FROM users WHERE id = 1"]

[[catalogue.data]]
table = "users"
columns = ["email"]
tags = ["pii.email"]

[[catalogue.data]]
table = "users"
columns = ["phone"]
tags = ["pii.phone"]

[catalogue.strategies]
"pii.phone" = "partial"
"""
)
AGENT = Context(actor_id="support-bot", actor_kind="agent", environment="production", origin="example")


def run_query(db: sqlite3.Connection, sink: FileSink, query: str) -> List[List[Any]]:
    """Decides, records, runs and masks one query. Raises `GuardrailsError` when refused."""
    action = Sql(query, dialect="sqlite")
    decision = POLICY.evaluate(action, AGENT)
    sink.append(action, AGENT, decision)  # refused queries are recorded too
    if not decision.permits:
        raise GuardrailsError(f"refused: {decision.verdict}: {decision.rules}")
    cursor = db.execute(query)
    columns = [c[0] for c in cursor.description or []]
    masker = POLICY.masker(decision, detect_values=True)
    return [masker.mask_row(columns, list(row)) for row in cursor.fetchall()]


def main() -> None:
    db = sqlite3.connect(":memory:")
    db.executescript(
        """
        CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, email TEXT, phone TEXT, note TEXT, totp_seed TEXT);
        INSERT INTO users VALUES (1, 'ada', 'ada@example.com', '+44 20 7946 0958', 'card 4111 1111 1111 1111', 'JBSWY3DPEHPK3PXP');
        """
    )
    key = os.urandom(32)
    log = Path(tempfile.mkdtemp()) / "audit.jsonl"
    with FileSink(log, key=key) as sink:
        for query in [
            "SELECT name, email AS contact, phone, note FROM users WHERE id = 1",
            "SELECT totp_seed FROM users WHERE id = 1",
            "DELETE FROM users",
        ]:
            try:
                print(query, "->", run_query(db, sink, query))
            except GuardrailsError as refused:
                print(query, "->", refused)
        checkpoint = sink.head
    verified = verify(log, key=key, expected_head=checkpoint)
    print(f"audit log: {verified.count} records verified, head {verified.head}")


if __name__ == "__main__":
    main()
