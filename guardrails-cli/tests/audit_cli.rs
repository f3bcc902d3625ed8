//! `guardrails audit …` and `--audit FILE` of `check` and `batch`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers fail the test by panicking"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_guardrails"))
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gr-cli-audit-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn check(log: &Path, sql: &str) -> Output {
    run(&[
        "check",
        "--dialect",
        "postgres",
        "--audit",
        log.to_str().unwrap(),
        "--sql",
        sql,
    ])
}

#[test]
fn check_creates_a_key_appends_and_verify_names_the_bad_line() {
    let dir = temp_dir("check");
    let log = dir.join("audit.jsonl");
    let first = check(&log, "ALTER USER x PASSWORD 'hunter2'");
    assert_eq!(first.status.code(), Some(3), "{}", stderr(&first));
    let key = dir.join("audit.jsonl.key");
    assert!(
        stderr(&first).contains(&format!(
            "created the audit key `{}` (mode 0600)",
            key.display()
        )),
        "{}",
        stderr(&first)
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    for sql in ["SELECT 1", "DROP TABLE users", "DELETE FROM t WHERE id = 3"] {
        let o = check(&log, sql);
        assert!(
            !stderr(&o).contains("created the audit key"),
            "the key is created once"
        );
    }
    let text = std::fs::read_to_string(&log).unwrap();
    assert_eq!(text.lines().count(), 4);
    assert!(!text.contains("hunter2"));

    let ok = run(&["audit", "verify", log.to_str().unwrap()]);
    assert_eq!(ok.status.code(), Some(0), "{}{}", stdout(&ok), stderr(&ok));
    assert!(
        stdout(&ok).starts_with("ok: 4 records verified in 1 file, head 3:"),
        "{}",
        stdout(&ok)
    );
    let head = run(&["audit", "head", log.to_str().unwrap()]);
    let head = stdout(&head).trim().to_owned();
    assert!(head.starts_with("3:") && head.len() == 66, "{head}");

    // edit the third record
    let edited = text.replace("DROP TABLE users", "DROP TABLE usern");
    assert_ne!(edited, text);
    std::fs::write(&log, &edited).unwrap();
    let bad = run(&["audit", "verify", log.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(4));
    assert_eq!(
        stdout(&bad).trim(),
        format!(
            "FAILED: {}:3: record 2: modified: its hash does not match its content",
            log.display()
        )
    );

    // cut the last record: only the checkpoint tells
    let cut: String = text.lines().take(3).map(|l| format!("{l}\n")).collect();
    std::fs::write(&log, cut).unwrap();
    assert_eq!(
        run(&["audit", "verify", log.to_str().unwrap()])
            .status
            .code(),
        Some(0)
    );
    let bad = run(&["audit", "verify", log.to_str().unwrap(), "--head", &head]);
    assert_eq!(bad.status.code(), Some(4));
    assert!(
        stdout(&bad).contains(
            "record 3: truncated: the chain ends at sequence 2 but the checkpoint is at sequence 3"
        ),
        "{}",
        stdout(&bad)
    );

    // another key
    let other = dir.join("other.key");
    std::fs::write(&other, "ab".repeat(32)).unwrap();
    let bad = run(&[
        "audit",
        "verify",
        log.to_str().unwrap(),
        "--key-file",
        other.to_str().unwrap(),
    ]);
    assert_eq!(bad.status.code(), Some(4));
    assert!(
        stdout(&bad).contains("record 0: wrong key: the log was written with key id"),
        "{}",
        stdout(&bad)
    );
    // and appending with another key is refused
    let o = run(&[
        "check",
        "--audit",
        log.to_str().unwrap(),
        "--audit-key-file",
        other.to_str().unwrap(),
        "--sql",
        "SELECT 1",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("wrong key"), "{}", stderr(&o));
}

#[test]
fn export_prints_one_ocsf_event_per_record() {
    let dir = temp_dir("export");
    let log = dir.join("a.jsonl");
    for sql in ["SELECT 1", "TRUNCATE users"] {
        check(&log, sql);
    }
    let o = run(&["audit", "export", "--format", "ocsf", log.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let events: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["class_uid"], 6003);
    assert_eq!(events[0]["disposition"], "Allowed");
    assert_eq!(events[1]["disposition"], "Blocked");
    assert_eq!(events[1]["metadata"]["sequence"], 1);
    assert_eq!(
        events[1]["api"]["request"]["data"]["text"],
        "TRUNCATE users"
    );
}

#[test]
fn batch_appends_every_decision_in_input_order() {
    let dir = temp_dir("batch");
    let log = dir.join("b.jsonl");
    let key = dir.join("k");
    std::fs::write(&key, "cd".repeat(32)).unwrap();
    let input: String = (0..40)
        .map(|i| format!("{{\"id\":{i},\"action\":{{\"kind\":\"shell\",\"command\":\"rm -rf /tmp/{i}\"}},\"context\":{{\"actor\":{{\"id\":\"a{i}\"}}}}}}\n"))
        .chain(std::iter::once("not json\n".to_owned()))
        .collect();
    let mut child = bin()
        .args([
            "batch",
            "--threads",
            "2",
            "--audit",
            log.to_str().unwrap(),
            "--audit-key-file",
            key.to_str().unwrap(),
            "--audit-sync",
            "16",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), input.as_bytes()).unwrap();
    drop(child.stdin.take());
    let o = child.wait_with_output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(1),
        "one line is not a request: {}",
        stderr(&o)
    );
    let text = std::fs::read_to_string(&log).unwrap();
    let ids: Vec<String> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["actor"]["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(ids, (0..40).map(|i| format!("a{i}")).collect::<Vec<_>>());
    let v = run(&[
        "audit",
        "verify",
        log.to_str().unwrap(),
        "--key-file",
        key.to_str().unwrap(),
    ]);
    assert_eq!(v.status.code(), Some(0), "{}", stdout(&v));
}
