//! The `guardrails` binary: exit codes, output shapes, batch ordering and bad lines.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers fail the test by panicking"
)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn guardrails(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_guardrails"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    } else {
        drop(child.stdin.take());
    }
    child.wait_with_output().unwrap()
}

#[test]
fn check_exit_codes_follow_the_verdict() {
    let allow = guardrails(
        &["check", "--dialect", "postgres", "--sql", "SELECT 1"],
        None,
    );
    assert_eq!(allow.status.code(), Some(0));
    let review = guardrails(
        &[
            "check",
            "--dialect",
            "postgres",
            "--sql",
            "SELECT * FROM users",
        ],
        None,
    );
    assert_eq!(review.status.code(), Some(3));
    let deny = guardrails(
        &[
            "check",
            "--dialect",
            "postgres",
            "--sql",
            "DELETE FROM users",
        ],
        None,
    );
    assert_eq!(deny.status.code(), Some(4));
    let text = String::from_utf8(deny.stdout).unwrap();
    assert!(text.starts_with("DENY"), "{text}");
    assert!(text.contains("sql.delete-without-where"), "{text}");
    assert!(text.contains("^^^^"), "the span is underlined: {text}");
}

#[test]
fn check_context_flags_change_the_verdict() {
    let human = guardrails(
        &[
            "check",
            "--dialect",
            "postgres",
            "--sql",
            "DROP TABLE t",
            "--actor-kind",
            "human",
        ],
        None,
    );
    assert_eq!(human.status.code(), Some(3));
    let dev = guardrails(
        &[
            "check",
            "--dialect",
            "postgres",
            "--sql",
            "DROP TABLE t",
            "--actor-kind",
            "human",
            "--env",
            "dev",
        ],
        None,
    );
    assert_eq!(dev.status.code(), Some(0));
    let monitor = guardrails(
        &[
            "check",
            "--dialect",
            "postgres",
            "--sql",
            "DROP TABLE t",
            "--monitor",
            "--json",
        ],
        None,
    );
    assert_eq!(monitor.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&monitor.stdout).unwrap();
    assert_eq!(v["verdict"], "deny");
    assert_eq!(v["enforced"], false);
}

#[test]
fn check_json_prints_the_decision() {
    let out = guardrails(
        &["check", "--json-action", "-", "--json"],
        Some(r#"{"kind":"tool","name":"run_sql","arguments":{"query":"TRUNCATE t"}}"#),
    );
    assert_eq!(out.status.code(), Some(4));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["findings"][0]["rule"], "sql.truncate");
    assert_eq!(v["intent"]["tool"]["mapped_to"], "sql");
}

#[test]
fn usage_errors_exit_2() {
    let out = guardrails(&["check"], None);
    assert_eq!(out.status.code(), Some(2));
    let out = guardrails(&["check", "--sql", "x", "--dialect", "oracle9"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown dialect `oracle9`"));
}

#[test]
fn batch_keeps_order_and_reports_bad_lines() {
    let mut input = String::new();
    for i in 0..600 {
        let text = if i % 3 == 0 {
            "DELETE FROM t"
        } else {
            "SELECT 1"
        };
        input.push_str(&format!(
            "{{\"id\":{i},\"action\":{{\"kind\":\"sql\",\"text\":\"{text}\"}}}}\n"
        ));
        if i == 100 {
            input.push_str(
                "{\"id\":\"bad\",\"action\":{\"kind\":\"sql\",\"txt\":\"x\"}}\n\nnot json\n",
            );
        }
    }
    let out = guardrails(&["batch", "--threads", "2"], Some(&input));
    assert_eq!(
        out.status.code(),
        Some(1),
        "a bad line makes the exit code 1"
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 602);
    let ids: Vec<i64> = lines.iter().filter_map(|l| l["id"].as_i64()).collect();
    assert_eq!(
        ids,
        (0..600).collect::<Vec<_>>(),
        "output is in input order"
    );
    let bad = &lines[101];
    assert_eq!(bad["id"], "bad");
    assert_eq!(bad["line"], 102);
    assert!(bad["error"].as_str().unwrap().contains("txt"), "{bad}");
    assert_eq!(lines[102]["line"], 104);
    assert!(lines[102].get("id").is_none());
    assert_eq!(lines[0]["decision"]["verdict"], "deny");
    assert_eq!(lines[1]["decision"]["verdict"], "allow");
}

#[test]
fn batch_of_good_lines_exits_0_and_table_is_readable() {
    let input = "{\"id\":\"a\",\"action\":{\"kind\":\"sql\",\"dialect\":\"postgres\",\"text\":\"DROP TABLE x\"}}\n";
    let out = guardrails(&["batch"], Some(input));
    assert_eq!(out.status.code(), Some(0));
    let out = guardrails(&["batch", "--table"], Some(input));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.lines().nth(1).unwrap().contains("deny     sql.drop"),
        "{text}"
    );
}

#[test]
fn explain_and_rules() {
    let out = guardrails(&["explain", "sql.truncate"], None);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("TRUNCATE TABLE orders"));
    let out = guardrails(&["explain", "sql.trunkate"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `sql.truncate`?"));
    let out = guardrails(&["rules", "--json"], None);
    let n = String::from_utf8_lossy(&out.stdout).lines().count();
    assert!(n >= 20, "{n} rules");
}

#[test]
fn batch_answers_each_line_without_waiting_for_more_input() {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_guardrails"))
        .args(["batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    for (i, text) in ["SELECT 1", "DROP TABLE t"].iter().enumerate() {
        writeln!(
            stdin,
            "{{\"id\":{i},\"action\":{{\"kind\":\"sql\",\"text\":\"{text}\"}}}}"
        )
        .unwrap();
        stdin.flush().unwrap();
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap(); // would hang if batch waited for a full chunk
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["id"], i);
    }
    drop(stdin);
    assert!(child.wait().unwrap().success());
}
