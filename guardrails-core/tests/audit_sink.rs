//! The file sink: resume, torn-line repair, corrupt tails, rotation, durability, threads.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers fail the test by panicking"
)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use guardrails_core::audit::{
    segments, verify, AuditKey, Durability, ErrorKind, FileSink, SinkError, SinkOptions, Verifier,
};
use guardrails_core::{evaluate, Action, Context, Dialect};

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gr-audit-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn key() -> AuditKey {
    AuditKey::from_bytes([5; 32])
}

fn append(sink: &FileSink, n: usize) -> Vec<u64> {
    let action = Action::sql(Dialect::Postgres, "DELETE FROM users WHERE id = 1");
    let ctx = Context::default();
    let d = evaluate(&action, &ctx);
    (0..n)
        .map(|_| {
            sink.append(&action, &ctx, &d, SystemTime::now())
                .unwrap()
                .record
                .seq
        })
        .collect()
}

fn verify_files(files: &[PathBuf], k: Option<&AuditKey>) -> u64 {
    let mut v = Verifier::new(k);
    for f in files {
        for line in BufReader::new(std::fs::File::open(f).unwrap()).lines() {
            v.feed(&line.unwrap()).unwrap();
        }
    }
    v.finish().unwrap().count
}

fn verify_file(path: &Path, k: Option<&AuditKey>) -> u64 {
    verify(BufReader::new(std::fs::File::open(path).unwrap()), k, None)
        .unwrap()
        .count
}

#[test]
fn reopening_resumes_the_chain() {
    let dir = temp_dir("resume");
    let path = dir.join("audit.jsonl");
    let sink = FileSink::open(&path, Some(key()), SinkOptions::default()).unwrap();
    assert_eq!(append(&sink, 3), [0, 1, 2]);
    let head = sink.head().unwrap();
    drop(sink);
    let sink = FileSink::open(&path, Some(key()), SinkOptions::default()).unwrap();
    assert_eq!(sink.head(), Some(head));
    assert_eq!(append(&sink, 2), [3, 4]);
    assert!(sink.repairs().is_empty());
    drop(sink);
    assert_eq!(verify_file(&path, Some(&key())), 5);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}

#[test]
fn a_torn_last_line_is_reported_and_removed() {
    let dir = temp_dir("torn");
    let path = dir.join("audit.jsonl");
    let sink = FileSink::open(&path, Some(key()), SinkOptions::default()).unwrap();
    append(&sink, 2);
    drop(sink);
    let intact = std::fs::metadata(&path).unwrap().len();
    let torn = b"{\"v\":1,\"seq\":2,\"prev\":\"ab";
    std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap()
        .write_all(torn)
        .unwrap();
    // verification refuses the torn line
    let err = verify(
        BufReader::new(std::fs::File::open(&path).unwrap()),
        Some(&key()),
        None,
    )
    .unwrap_err();
    assert_eq!((err.index(), err.kind()), (2, ErrorKind::Malformed));
    let sink = FileSink::open(&path, Some(key()), SinkOptions::default()).unwrap();
    let repairs = sink.repairs();
    assert_eq!(repairs.len(), 1);
    assert_eq!(
        (repairs[0].offset, repairs[0].bytes),
        (intact, torn.len() as u64)
    );
    assert_eq!(std::fs::metadata(&path).unwrap().len(), intact);
    assert_eq!(append(&sink, 1), [2]);
    drop(sink);
    assert_eq!(verify_file(&path, Some(&key())), 3);
}

#[test]
fn a_corrupt_last_record_is_an_error_not_a_skip() {
    let dir = temp_dir("corrupt");
    let path = dir.join("audit.jsonl");
    let sink = FileSink::open(&path, Some(key()), SinkOptions::default()).unwrap();
    append(&sink, 2);
    drop(sink);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace(
            "users WHERE id = 1\"},\"decision\":{\"verdict\":\"allow\"",
            "users WHERE id = 2\"},\"decision\":{\"verdict\":\"allow\"",
        ),
    )
    .unwrap();
    let text2 = std::fs::read_to_string(&path).unwrap();
    assert_ne!(text, text2, "the edit must hit");
    match FileSink::open(&path, Some(key()), SinkOptions::default()) {
        Err(SinkError::Corrupt { error, .. }) => assert_eq!(error.kind(), ErrorKind::Modified),
        other => panic!("{other:?}"),
    }
    std::fs::write(&path, format!("{text}not json\n")).unwrap();
    match FileSink::open(&path, Some(key()), SinkOptions::default()) {
        Err(SinkError::Corrupt { error, path: p }) => {
            assert_eq!((error.kind(), p), (ErrorKind::Malformed, path.clone()));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn another_key_cannot_continue_a_log() {
    let dir = temp_dir("wrongkey");
    let path = dir.join("audit.jsonl");
    let sink = FileSink::open(&path, Some(key()), SinkOptions::default()).unwrap();
    append(&sink, 1);
    drop(sink);
    for other in [None, Some(AuditKey::from_bytes([6; 32]))] {
        match FileSink::open(&path, other, SinkOptions::default()) {
            Err(SinkError::Corrupt { error, .. }) => assert_eq!(error.kind(), ErrorKind::WrongKey),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn rotation_continues_the_chain_into_the_next_file() {
    let dir = temp_dir("rotate");
    let path = dir.join("audit.jsonl");
    let sink = FileSink::open(&path, Some(key()), SinkOptions::default().rotate_at(2_000)).unwrap();
    assert_eq!(append(&sink, 12).len(), 12);
    drop(sink);
    let segs = segments(&path).unwrap();
    assert!(segs.len() >= 2, "{segs:?}");
    for s in &segs {
        assert!(std::fs::metadata(s).unwrap().len() <= 2_000);
    }
    // a fresh process continues after the newest file, even when the current file is empty
    let sink = FileSink::open(&path, Some(key()), SinkOptions::default().rotate_at(2_000)).unwrap();
    assert_eq!(append(&sink, 1), [12]);
    drop(sink);
    let mut all = segments(&path).unwrap();
    all.push(path.clone());
    assert_eq!(verify_files(&all, Some(&key())), 13);
    // the current file alone is a tail: it verifies only after the last rotated file's head
    let err = verify(
        BufReader::new(std::fs::File::open(&path).unwrap()),
        Some(&key()),
        None,
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Dropped);
}

#[test]
fn durability_is_reported_per_append() {
    let dir = temp_dir("durable");
    let path = dir.join("audit.jsonl");
    let action = Action::shell("ls");
    let ctx = Context::default();
    let d = evaluate(&action, &ctx);
    let sink = FileSink::open(&path, None, SinkOptions::durability(Durability::EveryN(3))).unwrap();
    let durable: Vec<bool> = (0..6)
        .map(|_| {
            sink.append(&action, &ctx, &d, SystemTime::now())
                .unwrap()
                .durable
        })
        .collect();
    assert_eq!(durable, [false, false, true, false, false, true]);
    drop(sink);
    let sink = FileSink::open(
        &path,
        None,
        SinkOptions::durability(Durability::Interval(Duration::from_secs(3600))),
    )
    .unwrap();
    assert!(
        !sink
            .append(&action, &ctx, &d, SystemTime::now())
            .unwrap()
            .durable
    );
    sink.sync().unwrap();
    drop(sink);
    let sink = FileSink::open(
        &path,
        None,
        SinkOptions::durability(Durability::Interval(Duration::ZERO)),
    )
    .unwrap();
    assert!(sink.append(&action, &ctx, &d, UNIX_EPOCH).unwrap().durable);
    assert!(
        sink.append(&action, &ctx, &d, SystemTime::now())
            .unwrap()
            .durable
    );
    drop(sink);
    assert_eq!(verify_file(&path, None), 9);
}

#[test]
fn threads_and_two_handles_share_one_log() {
    let dir = temp_dir("threads");
    let path = dir.join("audit.jsonl");
    // two independent handles on one file stand in for two processes: each must catch up
    let a = Arc::new(
        FileSink::open(
            &path,
            Some(key()),
            SinkOptions::durability(Durability::EveryN(8)).rotate_at(20_000),
        )
        .unwrap(),
    );
    let b = Arc::new(
        FileSink::open(
            &path,
            Some(key()),
            SinkOptions::durability(Durability::EveryN(8)).rotate_at(20_000),
        )
        .unwrap(),
    );
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let sink = if i % 2 == 0 {
                Arc::clone(&a)
            } else {
                Arc::clone(&b)
            };
            std::thread::spawn(move || {
                let action = Action::exec(["echo", &format!("thread-{i}")]);
                let ctx = Context::default();
                let d = evaluate(&action, &ctx);
                for _ in 0..50 {
                    sink.append(&action, &ctx, &d, SystemTime::now()).unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    drop((a, b));
    let mut all = segments(&path).unwrap();
    assert!(!all.is_empty(), "expected rotation");
    all.push(path.clone());
    assert_eq!(verify_files(&all, Some(&key())), 400);
}
