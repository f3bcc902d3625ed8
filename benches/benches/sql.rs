//! `evaluate` against `sqlparser`'s parse alone, on the same statements. Prints the ratio.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    reason = "a bench binary"
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::Criterion;
use guardrails_core::{Action, Context, Dialect, Policy};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

fn cases() -> Vec<(&'static str, String)> {
    let mut big = String::from("SELECT o.id, o.status, o.total_cents, c.name, c.country FROM orders o JOIN customers c ON c.id = o.customer_id WHERE ");
    let mut i = 0;
    while big.len() < 5000 {
        big.push_str(&format!("(o.region = 'r{i}' AND o.total_cents > {i}) OR "));
        i += 1;
    }
    big.push_str("o.id = 0 ORDER BY o.created_at DESC LIMIT 100");
    vec![
        ("short select", "SELECT id, name FROM products WHERE id = $1".into()),
        (
            "join + cte select",
            "WITH recent AS (SELECT customer_id, sum(total_cents) AS spent FROM orders WHERE created_at > now() - interval '30 days' GROUP BY customer_id) \
             SELECT c.id, c.name, r.spent FROM customers c JOIN recent r ON r.customer_id = c.id WHERE r.spent > 10000 ORDER BY r.spent DESC LIMIT 50"
                .into(),
        ),
        ("delete with where", "DELETE FROM sessions WHERE id = $1 AND user_id = $2".into()),
        ("drop", "DROP TABLE IF EXISTS audit_log CASCADE".into()),
        ("5 KB select", big),
    ]
}

fn bench(c: &mut Criterion) {
    let policy = Policy::builtin();
    let ctx = Context::default();
    let mut group = c.benchmark_group("sql");
    for (name, text) in cases() {
        let action = Action::sql(Dialect::Postgres, text.clone());
        group.bench_function(format!("{name}/evaluate"), |b| {
            b.iter(|| black_box(policy.evaluate(black_box(&action), &ctx)))
        });
        group.bench_function(format!("{name}/parse"), |b| {
            b.iter(|| black_box(Parser::parse_sql(&PostgreSqlDialect {}, black_box(&text))))
        });
    }
    group.finish();
}

/// Median of `rounds` timings of `n` calls, in microseconds per call.
fn median_us(rounds: usize, n: u32, mut f: impl FnMut()) -> f64 {
    let mut v: Vec<f64> = (0..rounds)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..n {
                f();
            }
            t.elapsed().as_secs_f64() * 1e6 / f64::from(n)
        })
        .collect();
    v.sort_by(f64::total_cmp);
    v.get(rounds / 2).copied().unwrap_or(f64::NAN)
}

fn main() {
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .configure_from_args();
    bench(&mut c);
    c.final_summary();
    // The ratio table (a quick interleaved measurement, so both sides see the same machine load).
    let policy = Policy::builtin();
    let ctx = Context::default();
    println!(
        "\n{:<20} {:>12} {:>12} {:>8}",
        "statement", "evaluate µs", "parse µs", "ratio"
    );
    for (name, text) in cases() {
        let action = Action::sql(Dialect::Postgres, text.clone());
        let n = if text.len() > 1000 { 200 } else { 2000 };
        let e = median_us(9, n, || {
            black_box(policy.evaluate(black_box(&action), &ctx));
        });
        let p = median_us(9, n, || {
            black_box(Parser::parse_sql(&PostgreSqlDialect {}, black_box(&text)).ok());
        });
        println!("{name:<20} {e:>12.2} {p:>12.2} {:>8.2}", e / p);
    }
}
