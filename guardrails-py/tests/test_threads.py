"""Sharing a Policy across threads, and releasing the GIL."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, List, Tuple

import pytest

from access_guardrails import DETACH_BYTES, Context, Policy, Sql, evaluate

STATEMENTS = [
    "SELECT id FROM users WHERE id = 1",
    "DELETE FROM users",
    "DELETE FROM users WHERE 1=1",
    "DROP TABLE orders",
    "UPDATE users SET name = 'x' WHERE id = 2",
    "GRANT ALL ON users TO bob",
    "SELECT 'drop table'",
    "TRUNCATE logs",
]


def test_one_policy_shared_by_8_threads() -> None:
    policy = Policy.builtin()
    ctx = Context(actor_kind="human", environment="staging")
    actions = [Sql(s, dialect="postgres") for s in STATEMENTS] * 25
    expected = [policy.evaluate(a, ctx).to_json() for a in actions]

    def run(_: int) -> List[str]:
        return [policy.evaluate(a, ctx).to_json() for a in actions]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(run, range(8)))
    assert all(r == expected for r in results)
    with ThreadPoolExecutor(max_workers=8) as pool:
        batches = list(pool.map(lambda _: [d.to_json() for d in policy.evaluate_many(actions, ctx)], range(8)))
    assert all(b == expected for b in batches)


def _progress_during(call: Callable[[], object]) -> Tuple[float, float]:
    """Runs `call` while another thread counts; returns (counts during the call per second,
    counts per second while this thread sleeps)."""
    count = [0]
    stop = threading.Event()

    def counter() -> None:
        while not stop.is_set():
            count[0] += 1

    t = threading.Thread(target=counter)
    t.start()
    try:
        time.sleep(0.05)
        before, start = count[0], time.perf_counter()
        time.sleep(0.2)
        idle_rate = (count[0] - before) / (time.perf_counter() - start)
        before, start = count[0], time.perf_counter()
        call()
        busy_rate = (count[0] - before) / (time.perf_counter() - start)
    finally:
        stop.set()
        t.join()
    return busy_rate, idle_rate


def test_batch_releases_the_gil() -> None:
    policy = Policy.builtin()
    one = [Sql(s, dialect="postgres") for s in STATEMENTS]
    start = time.perf_counter()
    policy.evaluate_many(one * 10)
    per_call = (time.perf_counter() - start) / (len(one) * 10)
    actions = one * max(10, int(0.4 / per_call / len(one)))
    busy, idle = _progress_during(lambda: policy.evaluate_many(actions))
    # Holding the GIL for the whole batch would leave the counter at most one switch
    # interval (5 ms) of the call; released, it runs for most of it.
    assert busy > 0.25 * idle, (busy, idle)


@pytest.mark.parametrize("as_dict", [False, True])
def test_large_single_input_releases_the_gil(as_dict: bool) -> None:
    # One call long enough to measure: the counter can only run during it if the GIL is
    # released (a loop of calls would hand the GIL over between calls anyway). A dict is
    # measured by its size as JSON, as a helper by its text.
    text = "SELECT a FROM t WHERE id = 1;\n" * (1000 * 1000 // 30)
    assert DETACH_BYTES <= len(text) < 1000 * 1000
    big: Any = {"kind": "sql", "dialect": "postgres", "text": text} if as_dict else Sql(text, dialect="postgres")
    busy, idle = _progress_during(lambda: evaluate(big))
    assert busy > 0.25 * idle, (busy, idle)
