"""The audit trail through the binding: chains, the file sink, verification and its errors."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from access_guardrails import (
    AuditChain,
    AuditError,
    AuditHead,
    Context,
    FileSink,
    GuardrailsError,
    InputError,
    Policy,
    Sql,
    Verified,
    evaluate,
    verify,
)

KEY = bytes(range(32))
AGENT = Context(actor_id="billing-bot", actor_kind="agent", environment="production", origin="langchain")
STATEMENTS = ["SELECT 1", "DROP TABLE users", "ALTER USER app PASSWORD 'hunter2'"]


def write_log(path: Path, key: bytes | None = KEY) -> FileSink:
    sink = FileSink(path, key=key)
    for text in STATEMENTS:
        action = Sql(text, dialect="postgres")
        sink.append(action, AGENT, evaluate(action, AGENT))
    return sink


def test_a_chain_of_three_records_verifies_then_fails_where_a_byte_was_edited(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    sink = write_log(path)
    head = sink.head
    assert head is not None and head.seq == 2
    verified = verify(path, key=KEY, expected_head=head)
    assert isinstance(verified, Verified)
    assert (verified.count, verified.head) == (3, head)

    lines = path.read_bytes().split(b"\n")
    assert lines[1].count(b"DROP TABLE users") == 1
    lines[1] = lines[1].replace(b"DROP TABLE users", b"DROP TABLE usert")
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(AuditError) as caught:
        verify(path, key=KEY)
    e = caught.value
    assert (e.index, e.kind) == (1, "modified")
    assert str(e).startswith("record 1: modified: ")
    assert e.detail and isinstance(e, GuardrailsError)


def test_records_are_dicts_with_redacted_secrets(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    write_log(path)
    text = path.read_text()
    assert "hunter2" not in text
    records = [json.loads(line) for line in text.splitlines()]
    assert [r["seq"] for r in records] == [0, 1, 2]
    assert records[1]["prev"] == records[0]["hash"]
    assert records[1]["decision"]["verdict"] == "deny" and records[1]["decision"]["rules"] == ["sql.drop"]
    assert records[1]["actor"] == {"id": "billing-bot", "kind": "agent"}
    assert records[1]["context"]["origin"] == "langchain"


def test_append_returns_the_record_written(tmp_path: Path) -> None:
    sink = FileSink(tmp_path / "audit.jsonl", key=KEY.hex(), durability="10")
    action = {"kind": "sql", "dialect": "postgres", "text": "DELETE FROM users"}
    record = sink.append(action, None, evaluate(action), time="2026-01-02T03:04:05Z")
    sink.sync()
    assert record == json.loads((tmp_path / "audit.jsonl").read_text())
    assert record["time"] == "2026-01-02T03:04:05.000000Z"
    assert Path(sink.path) == tmp_path / "audit.jsonl"


def test_errors_name_the_first_bad_record(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    head = write_log(path).head
    good = path.read_text().splitlines(keepends=True)

    def fails(lines: list[str], **kw: object) -> tuple[int, str]:
        with pytest.raises(AuditError) as caught:
            verify(lines, **kw)  # type: ignore[arg-type]
        return caught.value.index, caught.value.kind

    assert verify(good, key=KEY).count == 3
    assert fails([good[0], good[2]], key=KEY) == (1, "dropped")
    assert fails(good[:2], key=KEY, expected_head=head) == (2, "truncated")
    assert fails(good[:2], key=KEY, expected_head=str(head)) == (2, "truncated")
    assert fails(good, key=b"\x01" * 32) == (0, "wrong-key")
    assert fails(good, key=None) == (0, "wrong-key")
    assert fails([good[0], good[0]], key=KEY)[0] == 1
    assert fails([good[0], "{not json\n"], key=KEY) == (1, "malformed")
    # A last line cut short in a file is a torn record.
    path.write_text("".join(good)[:-10])
    with pytest.raises(AuditError) as caught:
        verify(path, key=KEY)
    assert (caught.value.index, caught.value.kind) == (2, "malformed")


def test_a_sink_resumes_its_chain_and_refuses_another_key(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    write_log(path)
    again = FileSink(str(path), key=KEY)
    assert again.head is not None and again.head.seq == 2
    action = Sql("SELECT 2")
    assert again.append(action, None, evaluate(action))["seq"] == 3
    assert verify(path, key=KEY).count == 4
    with pytest.raises(AuditError) as caught:
        FileSink(path, key=b"\x02" * 32)
    assert caught.value.kind == "wrong-key"


def test_an_audit_chain_in_memory(tmp_path: Path) -> None:
    chain = AuditChain(KEY)
    assert chain.head is None and chain.keyed
    policy = Policy.builtin().monitor()
    lines = []
    for i, text in enumerate(STATEMENTS):
        action = Sql(text, dialect="postgres")
        when = datetime.datetime(2026, 5, 4, 12, 30, i, 250000, tzinfo=datetime.timezone.utc)
        lines.append(chain.append_line(action, AGENT, policy.evaluate(action, AGENT), time=when))
    assert json.loads(lines[2])["time"] == "2026-05-04T12:30:02.250000Z"
    assert json.loads(lines[1])["decision"]["enforced"] is False
    head = chain.head
    assert head is not None and (head.seq, head.hash) == (2, json.loads(lines[2])["hash"])
    assert AuditHead.parse(str(head)) == head
    assert verify(lines, key=KEY, expected_head=head).head == head
    log = tmp_path / "chain.jsonl"
    log.write_text("".join(line + "\n" for line in lines))
    with log.open() as f:
        assert verify(f, key=KEY).count == 3
    record = AuditChain().append(Sql("SELECT 1"), None, evaluate(Sql("SELECT 1")))
    assert record["key_id"] == "" and record["seq"] == 0


def test_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        AuditChain(b"short")
    assert caught.value.path == "key"
    with pytest.raises(InputError):
        AuditChain("not hex")
    with pytest.raises(InputError) as caught:
        AuditChain().append(Sql("SELECT 1"), None, evaluate(Sql("SELECT 1")), time=datetime.datetime(2026, 1, 1))
    assert caught.value.path == "time"
    with pytest.raises(InputError):
        AuditChain().append(Sql("SELECT 1"), None, evaluate(Sql("SELECT 1")), time="yesterday")
    with pytest.raises(InputError) as caught:
        FileSink(tmp_path / "a.jsonl", durability="sometimes")
    assert caught.value.path == "durability"
    with pytest.raises(InputError):
        verify([], expected_head="nope")
    with pytest.raises(InputError):
        verify([b"bytes"])  # type: ignore[list-item]
    with pytest.raises(FileNotFoundError):
        verify(tmp_path / "missing.jsonl")
    with pytest.raises(FileNotFoundError):
        FileSink(tmp_path / "no" / "dir" / "audit.jsonl")


def test_the_audited_masked_queries_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    import runpy

    from conftest import REPO

    runpy.run_path(str(REPO / "examples/python/audited_masked_queries.py"), run_name="__main__")
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith("-> [['ada', '[email]', '+** ** **** 0958', 'card [card]']]")
    assert out[1].endswith("refused: deny: ['no-login-secrets']")
    assert out[2].endswith("refused: deny: ['sql.delete-without-where']")
    assert out[3].startswith("audit log: 3 records verified, head 2:")


def test_one_sink_shared_between_threads_keeps_one_chain(tmp_path: Path) -> None:
    import threading

    path = tmp_path / "audit.jsonl"
    sink = FileSink(path, key=KEY, durability="50")
    action = Sql("SELECT 1")
    decision = evaluate(action)

    def work() -> None:
        for _ in range(25):
            sink.append(action, AGENT, decision)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sink.sync()
    assert verify(path, key=KEY, expected_head=sink.head).count == 100
