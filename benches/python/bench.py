"""Python binding bench: decisions/s, overhead per call against the Rust call, and speed
against a straightforward Python guard built on sqlglot.

    benches/python/run            # builds what it needs, then runs this file

or, with `access_guardrails` and `sqlglot==30.30.0` installed and the Rust timing example
built (`cargo build --release -p guardrails-py --example rust_timing`):

    python benches/python/bench.py [--rust-timing target/release/examples/rust_timing]

Every figure is the best of 7 rounds of the mean time per call over a ~20 ms round, in the
same way on both sides (`guardrails-py/examples/rust_timing.rs` for Rust), one statement at a
time, on one thread.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional

import sqlglot
from sqlglot import exp

from access_guardrails import Policy, Sql, Verdict

REPO = Path(__file__).resolve().parents[2]

STATEMENTS = [
    "SELECT id, name FROM products WHERE id = $1",
    "WITH recent AS (SELECT customer_id, sum(total_cents) AS spent FROM orders "
    "WHERE created_at > now() - interval '30 days' GROUP BY customer_id) "
    "SELECT c.id, c.name, r.spent FROM customers c JOIN recent r ON r.customer_id = c.id "
    "WHERE r.spent > 10000 ORDER BY r.spent DESC LIMIT 50",
    "INSERT INTO events (user_id, kind, payload) VALUES ($1, 'login', '{}')",
    "UPDATE users SET last_seen = now() WHERE id = $1",
    "DELETE FROM sessions WHERE id = $1 AND user_id = $2",
    "SELECT 'drop table users' AS note",
    "DELETE FROM users",
    "UPDATE accounts SET balance = 0 WHERE 1 = 1",
    "DROP TABLE IF EXISTS audit_log CASCADE",
    "TRUNCATE TABLE orders",
]


def best_ns(call: Callable[[], object], rounds: int = 7, round_ms: float = 20.0) -> float:
    """Best of `rounds` means (ns per call) over rounds of ~`round_ms`."""
    n, start = 0, time.perf_counter()
    while (time.perf_counter() - start) * 1000 < round_ms:
        call()
        n += 1
    best = float("inf")
    for _ in range(rounds):
        t = time.perf_counter_ns()
        for _ in range(n):
            call()
        best = min(best, (time.perf_counter_ns() - t) / n)
    return best


def sqlglot_guard(text: str) -> str:
    """A straightforward Python guard: parse with sqlglot, deny DROP, TRUNCATE, DELETE or
    UPDATE without WHERE (or with a constant-true WHERE), review GRANT; else allow."""
    verdict = "allow"
    for tree in sqlglot.parse(text, read="postgres"):
        if tree is None:
            continue
        if isinstance(tree, (exp.Drop, exp.TruncateTable)):
            return "deny"
        if isinstance(tree, (exp.Delete, exp.Update)):
            where = tree.args.get("where")
            if where is None:
                return "deny"
            cond = where.this
            if isinstance(cond, exp.EQ) and cond.left == cond.right:
                return "deny"
            if isinstance(cond, exp.Boolean) and cond.this:
                return "deny"
        if isinstance(tree, exp.Grant) or (isinstance(tree, exp.Command) and str(tree.this).upper() == "GRANT"):
            verdict = "review"
    return verdict


def rust_ns(binary: Path) -> Dict[str, float]:
    lines = "".join(json.dumps({"dialect": "postgres", "text": s}) + "\n" for s in ["", *STATEMENTS])
    out = subprocess.run([str(binary)], input=lines, capture_output=True, text=True, check=True).stdout
    return {row["text"]: row["ns"] for row in map(json.loads, out.splitlines())}


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rust-timing", type=Path, default=REPO / "target/release/examples/rust_timing")
    args = parser.parse_args(argv)

    policy = Policy.builtin()
    rust = rust_ns(args.rust_timing)
    rows = []
    for text in STATEMENTS:
        typed = Sql(text, dialect="postgres")
        raw = {"kind": "sql", "dialect": "postgres", "text": text}
        d = policy.evaluate(typed)
        glot = sqlglot_guard(text)
        batch = [typed] * 200
        rows.append(
            {
                "text": text,
                "verdict": str(d.verdict),
                "sqlglot_verdict": glot,
                "rust": rust[text],
                "typed": best_ns(lambda: policy.evaluate(typed)),
                "typed_new": best_ns(lambda: policy.evaluate(Sql(text, dialect="postgres"))),
                "dict": best_ns(lambda: policy.evaluate(raw)),
                "batch": best_ns(lambda: policy.evaluate_many(batch)) / len(batch),
                "batch_of_1": best_ns(lambda: policy.evaluate_many([typed])),
                "sqlglot": best_ns(lambda: sqlglot_guard(text)),
            }
        )
        assert d.verdict in Verdict

    def over(key: str) -> List[float]:
        return [r[key] - r["rust"] for r in rows]

    print("| statement | verdict (sqlglot guard) | Rust µs | Python typed µs | overhead typed ns | overhead `Sql(...)` per call ns | overhead dict ns | sqlglot guard µs | × faster than sqlglot |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        short = r["text"] if len(r["text"]) <= 48 else r["text"][:45] + "..."
        print(
            f"| `{short}` | {r['verdict']} ({r['sqlglot_verdict']}) | {r['rust'] / 1000:.2f} | {r['typed'] / 1000:.2f} "
            f"| {r['typed'] - r['rust']:.0f} | {r['typed_new'] - r['rust']:.0f} | {r['dict'] - r['rust']:.0f} "
            f"| {r['sqlglot'] / 1000:.1f} | {r['sqlglot'] / r['typed']:.0f}× |"
        )
    speedups = [r["sqlglot"] / r["typed"] for r in rows]
    total_typed = sum(r["typed"] for r in rows)
    print()
    print(f"decisions/s, one thread, these {len(rows)} statements in turn: {len(rows) * 1e9 / total_typed:,.0f} (typed), "
          f"{len(rows) * 1e9 / sum(r['dict'] for r in rows):,.0f} (dicts), "
          f"{len(rows) * 1e9 / sum(r['batch'] for r in rows):,.0f} (evaluate_many)")
    print(f"median overhead per call vs Rust: typed {statistics.median(over('typed')):.0f} ns, "
          f"Sql(...) built per call {statistics.median(over('typed_new')):.0f} ns, "
          f"dict {statistics.median(over('dict')):.0f} ns, evaluate_many {statistics.median(over('batch')):.0f} ns per item")
    print(f"releasing the GIL for one small call (evaluate_many([x]) - evaluate(x)), median: "
          f"{statistics.median([r['batch_of_1'] - r['typed'] for r in rows]):.0f} ns")
    print(f"speed-up over the sqlglot guard: min {min(speedups):.0f}×, median {statistics.median(speedups):.0f}×, "
          f"geometric mean {statistics.geometric_mean(speedups):.0f}×")
    # The binding's own cost, without the cache effects of a real analysis: the empty
    # statement (nothing to parse) on both sides.
    empty = Sql("", dialect="postgres")
    empty_raw = {"kind": "sql", "dialect": "postgres", "text": ""}
    many = [empty] * 200
    base = rust[""]
    print(
        f"binding cost on the empty statement (Rust {base:.0f} ns per call): "
        f"typed +{best_ns(lambda: policy.evaluate(empty)) - base:.0f} ns, "
        f"Sql(...) built per call +{best_ns(lambda: policy.evaluate(Sql('', dialect='postgres'))) - base:.0f} ns, "
        f"dict +{best_ns(lambda: policy.evaluate(empty_raw)) - base:.0f} ns, "
        f"evaluate_many +{best_ns(lambda: policy.evaluate_many(many)) / len(many) - base:.0f} ns per item"
    )
    print(f"python {sys.version.split()[0]}, sqlglot {sqlglot.__version__}")


if __name__ == "__main__":
    main()
