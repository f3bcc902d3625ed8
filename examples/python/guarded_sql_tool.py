"""A SQLDatabase-style LangChain tool over sqlite3, guarded by access_guardrails.

Run: python examples/python/guarded_sql_tool.py   (needs `access-guardrails[langchain]`)

The agent-facing tool `sql_db_query` takes a `query` argument, like LangChain's
QuerySQLDatabaseTool. `guard_tool` puts the policy in front of it: reads run, a
DELETE without WHERE or a DROP never reaches the database. With on_violation="message" the
agent reads why the call was refused instead of the run failing.
"""

from __future__ import annotations

import sqlite3

from langchain_core.tools import tool

from access_guardrails import Context, Denied
from access_guardrails.langchain import guard_tool

db = sqlite3.connect(":memory:", check_same_thread=False)
db.executescript(
    """
    CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, email TEXT);
    INSERT INTO users (name, email) VALUES ('ada', 'ada@example.com'), ('alan', 'alan@example.com');
    """
)


@tool
def sql_db_query(query: str) -> str:
    """Run a SQL query against the database and return the rows."""
    rows = db.execute(query).fetchall()
    db.commit()
    return repr(rows)


agent_ctx = Context(actor_id="billing-bot", actor_kind="agent", environment="production", origin="langchain")

# Raise on a refused call (the default): the caller's code decides what to do.
strict = guard_tool(sql_db_query, dialect="sqlite", context=agent_ctx)
# Or return a refusal the agent can read and act on.
polite = guard_tool(sql_db_query, dialect="sqlite", context=agent_ctx, on_violation="message")


def main() -> None:
    print(strict.invoke({"query": "SELECT id, name FROM users WHERE id = 1"}))
    try:
        strict.invoke({"query": "DELETE FROM users WHERE 1=1"})
    except Denied as refused:
        print(f"denied: {refused.decision.rules} -> {refused}")
    print(polite.invoke({"query": "DROP TABLE users"}))
    count = db.execute("SELECT count(*) FROM users").fetchone()[0]
    print(f"users still has {count} rows")
    assert count == 2


if __name__ == "__main__":
    main()
