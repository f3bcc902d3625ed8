//! Crash safety: writers appending with fsync-every-record are killed with SIGKILL at random
//! moments; every record acknowledged before a kill must survive, and the chain must verify.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers fail the test by panicking"
)]

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_guardrails"))
}

/// xorshift64*: the test's only randomness; the seed is printed to reproduce a failure.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A `batch --audit` writer fed `lines` requests; its stdout lines are the acknowledgements.
fn spawn_writer(log: &Path, key: &Path, input: &Path) -> Child {
    bin()
        .args([
            "batch",
            "--threads",
            "1",
            "--audit",
            log.to_str().unwrap(),
            "--audit-key-file",
            key.to_str().unwrap(),
            "--audit-sync",
            "record",
            input.to_str().unwrap(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Reads acknowledged ids from a writer's stdout on a thread.
fn collect_acks(child: &mut Child) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    let out = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            let v: serde_json::Value = serde_json::from_str(&line).unwrap();
            if tx.send(v["id"].as_str().unwrap().to_owned()).is_err() {
                break;
            }
        }
    });
    rx
}

fn write_input(dir: &Path, round: usize, writer: usize, n: usize) -> PathBuf {
    let path = dir.join(format!("in-{round}-{writer}.jsonl"));
    let mut f = std::fs::File::create(&path).unwrap();
    for i in 0..n {
        let id = format!("r{round}w{writer}n{i}");
        // a long command makes a write take longer, so kills land inside writes more often
        writeln!(f, "{{\"id\":\"{id}\",\"action\":{{\"kind\":\"shell\",\"command\":\"echo {}\"}},\"context\":{{\"actor\":{{\"id\":\"{id}\"}}}}}}", "x".repeat(5_000)).unwrap();
    }
    path
}

#[test]
fn records_acknowledged_before_sigkill_survive_and_the_chain_verifies() {
    let dir = std::env::temp_dir().join(format!("gr-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("audit.jsonl");
    let key = dir.join("audit.key");
    std::fs::write(&key, "5a".repeat(32)).unwrap();
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    eprintln!("crash test seed {seed}");
    let mut rng = Rng(seed);
    let started = Instant::now();
    let mut acked: HashSet<String> = HashSet::new();
    let mut repairs = 0;
    let mut injected = 0;
    let rounds = 8;
    for round in 0..rounds {
        // SIGKILL cannot cut a write(2) short on a local file system, but a power loss can:
        // in some rounds leave a torn copy of the last record, which the next open must remove
        if round > 0 && rng.below(2) == 0 {
            let text = std::fs::read_to_string(&log).unwrap();
            if let Some(last) = text.lines().last() {
                let cut = 1 + rng.below(last.len() as u64 - 1) as usize;
                std::fs::OpenOptions::new()
                    .append(true)
                    .open(&log)
                    .unwrap()
                    .write_all(&last.as_bytes()[..cut])
                    .unwrap();
                injected += 1;
            }
        }
        // two writers at once: they share the file through its lock
        let mut writers: Vec<(Child, mpsc::Receiver<String>)> = (0..2)
            .map(|w| {
                let input = write_input(&dir, round, w, 1200);
                let mut c = spawn_writer(&log, &key, &input);
                let rx = collect_acks(&mut c);
                (c, rx)
            })
            .collect();
        std::thread::sleep(Duration::from_millis(100 + rng.below(700)));
        for (child, rx) in &mut writers {
            std::thread::sleep(Duration::from_millis(rng.below(20)));
            child.kill().unwrap(); // SIGKILL on Unix
            let status = child.wait().unwrap();
            let mut err = String::new();
            std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
            repairs += err.matches("cut short").count();
            assert!(
                status.code().is_none() || status.success() || status.code() == Some(0),
                "writer failed: {status} {err}"
            );
            // everything printed before the kill was acknowledged after its record was synced
            while let Ok(id) = rx.recv_timeout(Duration::from_millis(200)) {
                acked.insert(id);
            }
        }
    }
    // reopen (repairs a torn line if the last kill left one) and verify
    let o = bin()
        .args([
            "check",
            "--audit",
            log.to_str().unwrap(),
            "--audit-key-file",
            key.to_str().unwrap(),
            "--actor",
            "final",
            "--monitor",
            "--sql",
            "SELECT 1",
        ])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    repairs += String::from_utf8_lossy(&o.stderr)
        .matches("cut short")
        .count();
    let v = bin()
        .args([
            "audit",
            "verify",
            log.to_str().unwrap(),
            "--key-file",
            key.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let verdict = String::from_utf8_lossy(&v.stdout).into_owned();
    assert_eq!(v.status.code(), Some(0), "seed {seed}: {verdict}");
    let text = std::fs::read_to_string(&log).unwrap();
    let present: HashSet<String> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["actor"]["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let missing: Vec<&String> = acked.iter().filter(|id| !present.contains(*id)).collect();
    assert!(
        missing.is_empty(),
        "seed {seed}: acknowledged but lost: {missing:?}"
    );
    assert!(
        !acked.is_empty(),
        "no writer got to acknowledge anything: the test proved nothing"
    );
    // Every injected torn line is repaired; a SIGKILL can also cut a multi-page write short
    // (Linux checks for fatal signals between pages), which is one more repair, not a failure.
    assert!(
        repairs >= injected,
        "seed {seed}: {injected} torn lines injected, {repairs} repaired"
    );
    eprintln!(
        "{} acknowledged, {} records, {repairs} torn lines repaired, {:?}",
        acked.len(),
        present.len(),
        started.elapsed()
    );
    assert!(started.elapsed() < Duration::from_secs(30));
}
