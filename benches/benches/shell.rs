//! `evaluate` of 20 typical agent shell commands, from `ls` to a 2 KB pipeline: µs per command
//! (target p50 ≤ 5 µs).
#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    clippy::indexing_slicing,
    reason = "a bench binary"
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::Criterion;
use guardrails_core::{Action, Context, Policy};

fn commands() -> Vec<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/shell_commands.txt");
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

fn main() {
    let policy = Policy::builtin();
    let ctx = Context::default();
    let cmds = commands();
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .configure_from_args();
    let mut group = c.benchmark_group("shell");
    let actions: Vec<Action> = cmds.iter().map(|c| Action::shell(c.clone())).collect();
    group.bench_function("20 agent commands (all)", |b| {
        b.iter(|| {
            for a in &actions {
                black_box(policy.evaluate(black_box(a), &ctx));
            }
        });
    });
    group.finish();
    c.final_summary();
    // Per-command medians, then the p50 across commands.
    let mut per: Vec<(f64, &str)> = actions
        .iter()
        .zip(&cmds)
        .map(|(a, text)| {
            let mut rounds: Vec<f64> = (0..9)
                .map(|_| {
                    let t = Instant::now();
                    for _ in 0..500 {
                        black_box(policy.evaluate(black_box(a), &ctx));
                    }
                    t.elapsed().as_secs_f64() * 1e6 / 500.0
                })
                .collect();
            rounds.sort_by(f64::total_cmp);
            (rounds[4], text.as_str())
        })
        .collect();
    per.sort_by(|a, b| a.0.total_cmp(&b.0));
    println!("\n{:>8}  command", "µs");
    for (us, text) in &per {
        let short: String = text.chars().take(70).collect();
        println!("{us:>8.2}  {short}");
    }
    println!(
        "p50 {:.2} µs, max {:.2} µs over {} commands",
        per[per.len() / 2].0,
        per[per.len() - 1].0,
        per.len()
    );
}
