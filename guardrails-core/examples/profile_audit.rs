//! Appends and verifies audit records in a loop, for profiling under callgrind:
//! `valgrind --tool=callgrind target/release/examples/profile_audit [append|verify] [N]`.

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
    let mut chain = Chain::new(Some(key.clone()));
    let mut log = String::new();
    let start = std::time::Instant::now();
    for _ in 0..n {
        let (_, line) = chain.append_line(&action, &ctx, &decision, UNIX_EPOCH);
        log.push_str(&line);
        log.push('\n');
    }
    let appended = start.elapsed();
    let start = std::time::Instant::now();
    let mut count = 0;
    if mode == "verify" {
        for _ in 0..10 {
            count +=
                verify(log.as_bytes(), Some(&key), chain.head().as_ref()).map_or(0, |v| v.count);
        }
    }
    let verified = start.elapsed();
    println!(
        "{n} appended in {appended:?} ({:.0} ns/record); {count} verified in {verified:?}",
        appended.as_nanos() as f64 / n as f64
    );
}
