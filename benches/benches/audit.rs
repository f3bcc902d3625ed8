//! Audit trail throughput: in-memory append and verify, and the file sink at each durability.

use std::hint::black_box;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use guardrails_core::audit::{verify, AuditKey, Chain, Durability, FileSink, SinkOptions};
use guardrails_core::{evaluate, Action, Context, Dialect};

fn inputs() -> (Action, Context, guardrails_core::Decision) {
    let action = Action::sql(Dialect::Postgres, "DELETE FROM orders WHERE id = 42");
    let mut ctx = Context::default();
    ctx.actor.id = Some("billing-bot".into());
    ctx.environment = Some("production".into());
    let decision = evaluate(&action, &ctx);
    (action, ctx, decision)
}

fn key() -> AuditKey {
    AuditKey::from_bytes([7; 32])
}

fn in_memory(c: &mut Criterion) {
    let (action, ctx, decision) = inputs();
    let mut g = c.benchmark_group("audit");
    g.throughput(Throughput::Elements(1));
    g.bench_function("append (in memory, keyed)", |b| {
        let mut chain = Chain::new(Some(key()));
        b.iter(|| {
            black_box(
                chain
                    .append_line(&action, &ctx, &decision, UNIX_EPOCH)
                    .1
                    .len(),
            )
        });
    });
    // the line only, into a buffer reused from record to record, as a writer does
    g.bench_function("append line (in memory, keyed)", |b| {
        let mut chain = Chain::new(Some(key()));
        let mut line = Vec::with_capacity(1024);
        b.iter(|| {
            line.clear();
            chain.append_to(&action, &ctx, &decision, UNIX_EPOCH, &mut line);
            black_box(line.len())
        });
    });
    const N: u64 = 10_000;
    let mut chain = Chain::new(Some(key()));
    let mut log = String::new();
    for _ in 0..N {
        log.push_str(&chain.append_line(&action, &ctx, &decision, UNIX_EPOCH).1);
        log.push('\n');
    }
    let head = chain.head();
    g.throughput(Throughput::Elements(N));
    g.bench_function("verify (in memory, keyed, 10k records)", |b| {
        let k = key();
        b.iter(|| black_box(verify(log.as_bytes(), Some(&k), head.as_ref()).map(|v| v.count)));
    });
    g.finish();
}

fn file_sink(c: &mut Criterion) {
    let (action, ctx, decision) = inputs();
    let dir = std::env::temp_dir().join(format!("gr-bench-audit-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let mut g = c.benchmark_group("audit file sink");
    g.throughput(Throughput::Elements(1));
    g.measurement_time(Duration::from_secs(4));
    for (name, durability) in [
        ("fsync every record", Durability::EveryRecord),
        ("fsync every 100", Durability::EveryN(100)),
        (
            "fsync every 10ms",
            Durability::Interval(Duration::from_millis(10)),
        ),
    ] {
        let path = dir.join(format!("{}.jsonl", name.replace(' ', "-")));
        let _ = std::fs::remove_file(&path);
        let opened = FileSink::open(&path, Some(key()), SinkOptions::durability(durability));
        let Ok(sink) = opened else { continue };
        g.bench_function(name, |b| {
            b.iter_batched(
                SystemTime::now,
                |now| black_box(sink.append(&action, &ctx, &decision, now).is_ok()),
                BatchSize::SmallInput,
            );
        });
    }
    g.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, in_memory, file_sink);
criterion_main!(benches);
