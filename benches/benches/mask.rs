//! Masking throughput: `mask_text` over 1 MB of mixed log lines, prose and JSON with about 1%
//! sensitive values, and `mask_json` over the same data as JSON documents.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use guardrails_core::mask::Masker;
use serde_json::{json, Value};

const PROSE: &str = "The deployment finished at 10:42 after 3 retries; the team reviewed 17 changes and 2 rollbacks. ";
const LOG: &str = "2024-05-01T10:42:07Z INFO request_id=8f3a2c method=GET path=/api/v1/orders status=200 dur_ms=41 ";
const JSON: &str = r#"{"order":1042,"status":"shipped","items":[{"sku":"A-17","qty":2}],"note":"left at the door"} "#;
const SENSITIVE: &[&str] = &[
    "bob.smith@example.com ",
    "4111 1111 1111 1111 ",
    "+1 415 555 0100 ",
    "536-22-1234 ",
    "ghp_0123456789abcdefghijklmnopqrstuvwxyz ",
    "10.20.30.40 ",
    "GB82 WEST 1234 5698 7654 32 ",
];

/// About 1 MB, with sensitive values making up ~1% of the bytes.
fn corpus() -> String {
    let mut s = String::with_capacity(1 << 20);
    let mut i = 0usize;
    let mut sensitive = 0usize;
    while s.len() < 1 << 20 {
        s.push_str([PROSE, LOG, JSON].get(i % 3).copied().unwrap_or(PROSE));
        if sensitive * 100 < s.len() {
            let v = SENSITIVE.get(i % SENSITIVE.len()).copied().unwrap_or("");
            s.push_str(v);
            sensitive += v.len();
        }
        s.push('\n');
        i += 1;
    }
    s
}

fn documents() -> Value {
    let mut rows = Vec::new();
    let mut i = 0usize;
    while serde_json::to_string(&rows).map_or(0, |t| t.len()) < 1 << 20 && rows.len() < 20_000 {
        for _ in 0..100 {
            rows.push(json!({
                "id": i,
                "status": "active",
                "comment": PROSE,
                "log": LOG,
                "contact": if i.is_multiple_of(25) { "bob.smith@example.com" } else { "n/a" },
                "email": if i.is_multiple_of(50) { Value::from("ann@example.org") } else { Value::Null },
                "tags": ["a", "b", "c"],
            }));
            i += 1;
        }
    }
    Value::Array(rows)
}

fn bench(c: &mut Criterion) {
    let masker = Masker::default();
    let text = corpus();
    let mut g = c.benchmark_group("mask");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("mask_text 1MB", |b| {
        b.iter(|| masker.mask_text(black_box(&text)))
    });
    g.bench_function("detect 1MB", |b| {
        b.iter(|| guardrails_core::mask::detect(black_box(&text)))
    });
    let docs = documents();
    let bytes = serde_json::to_string(&docs).map_or(0, |t| t.len());
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("mask_json 1MB", |b| {
        b.iter(|| masker.mask_json(black_box(&docs)))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
