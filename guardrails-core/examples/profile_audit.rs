//! Appends and verifies audit records in a loop, for profiling under callgrind:
//! `valgrind --tool=callgrind target/release/examples/profile_audit [append|line|verify] [N]`.
//! `append` appends with `Chain::append_line` (the record and its line), `line` with
//! `Chain::append_to` (the line only, into one buffer), `verify` appends with `append_line`
//! then verifies the log ten times. `time [N]` prints each one's best time per record over
//! 50 rounds of N records (a floor that a shared machine's load disturbs less than a mean).

use std::time::UNIX_EPOCH;

use guardrails_core::audit::{verify, AuditKey, Chain};
use guardrails_core::{evaluate, Action, Context, Dialect};

#[allow(clippy::print_stdout, reason = "an example that prints its timings")]
fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "append".to_owned());
    let n: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let action = Action::sql(Dialect::Postgres, "DELETE FROM orders WHERE id = 42");
    let mut ctx = Context::default();
    ctx.actor.id = Some("billing-bot".into());
    ctx.environment = Some("production".into());
    let decision = evaluate(&action, &ctx);
    let key = AuditKey::from_bytes([7; 32]);
    if mode == "time" {
        let best = |f: &mut dyn FnMut()| {
            (0..50)
                .map(|_| {
                    let start = std::time::Instant::now();
                    f();
                    start.elapsed().as_nanos() as f64 / n as f64
                })
                .fold(f64::MAX, f64::min)
        };
        let mut chain = Chain::new(Some(key.clone()));
        let append = best(&mut || {
            for _ in 0..n {
                std::hint::black_box(chain.append_line(&action, &ctx, &decision, UNIX_EPOCH));
            }
        });
        let mut line = Vec::with_capacity(1024);
        let to = best(&mut || {
            for _ in 0..n {
                line.clear();
                chain.append_to(&action, &ctx, &decision, UNIX_EPOCH, &mut line);
                std::hint::black_box(&line);
            }
        });
        let mut chain = Chain::new(Some(key.clone()));
        let mut log = Vec::new();
        for _ in 0..n {
            chain.append_to(&action, &ctx, &decision, UNIX_EPOCH, &mut log);
            log.push(b'\n');
        }
        let head = chain.head();
        let check = best(&mut || {
            std::hint::black_box(verify(log.as_slice(), Some(&key), head.as_ref()).is_ok());
        });
        println!("ns/record, best of 50 rounds of {n}: append_line {append:.0}, append_to {to:.0}, verify {check:.0}");
        return;
    }
    let mut chain = Chain::new(Some(key.clone()));
    let mut log = Vec::new();
    let start = std::time::Instant::now();
    let mut line = Vec::new();
    for _ in 0..n {
        if mode == "line" {
            line.clear();
            chain.append_to(&action, &ctx, &decision, UNIX_EPOCH, &mut line);
            log.extend_from_slice(&line);
        } else {
            log.extend_from_slice(
                chain
                    .append_line(&action, &ctx, &decision, UNIX_EPOCH)
                    .1
                    .as_bytes(),
            );
        }
        log.push(b'\n');
    }
    let appended = start.elapsed();
    let start = std::time::Instant::now();
    let mut count = 0;
    if mode == "verify" {
        for _ in 0..10 {
            count +=
                verify(log.as_slice(), Some(&key), chain.head().as_ref()).map_or(0, |v| v.count);
        }
    }
    let verified = start.elapsed();
    println!(
        "{n} appended in {appended:?} ({:.0} ns/record); {count} verified in {verified:?}",
        appended.as_nanos() as f64 / n as f64
    );
}
