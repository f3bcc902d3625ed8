//! The Rust side of `benches/python/bench.py`: per-call time of `Policy::evaluate` on the
//! same statements, so the Python binding's overhead can be read as a difference.
//!
//! Reads JSON lines `{"dialect": ..., "text": ...}` on stdin; prints one JSON line per input
//! `{"text": ..., "ns": <best of 7 rounds, mean ns per call>}`.
#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a timing tool for the bench script"
)]

use std::hint::black_box;
use std::io::BufRead;
use std::time::Instant;

use guardrails_core::{wire, Context, Policy};

/// The wheel's allocator (see the binding's `lib.rs`), so that the difference with Python
/// times is the binding's and not the allocator's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let policy = Policy::builtin();
    let ctx = Context::default();
    for line in std::io::stdin().lock().lines() {
        let line = line.unwrap();
        let value: serde_json::Value = serde_json::from_str(&line).unwrap();
        let action = wire::parse_action(
            &serde_json::json!({"kind": "sql", "dialect": value["dialect"], "text": value["text"]})
                .to_string(),
        )
        .unwrap();
        // Warm up and size the round to ~20 ms.
        let t = Instant::now();
        let mut n = 0u32;
        while t.elapsed().as_millis() < 20 {
            black_box(policy.evaluate(black_box(&action), &ctx));
            n += 1;
        }
        let best = (0..7)
            .map(|_| {
                let t = Instant::now();
                for _ in 0..n {
                    black_box(policy.evaluate(black_box(&action), &ctx));
                }
                t.elapsed().as_nanos() as f64 / f64::from(n)
            })
            .fold(f64::INFINITY, f64::min);
        println!("{}", serde_json::json!({"text": value["text"], "ns": best}));
    }
}
