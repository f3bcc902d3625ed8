//! Evaluates one SQL statement many times, for profilers: `cargo run --release --example profile_sql -- "SQL" N`
//! (`PARSE_ONLY=1` runs sqlparser's parse alone, the bench's baseline).
#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    reason = "a profiling example"
)]

fn main() {
    let mut args = std::env::args().skip(1);
    let sql = args
        .next()
        .unwrap_or_else(|| "DROP TABLE IF EXISTS audit_log CASCADE".into());
    let n: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(100_000);
    if std::env::var_os("PARSE_ONLY").is_some() {
        // The baseline of the SQL bench: sqlparser's own tokenize + parse.
        let mut ok = 0;
        for _ in 0..n {
            ok += usize::from(
                sqlparser::parser::Parser::parse_sql(
                    &sqlparser::dialect::PostgreSqlDialect {},
                    &sql,
                )
                .is_ok(),
            );
        }
        println!("{ok} parsed");
        return;
    }
    let action = guardrails_core::Action::sql(guardrails_core::Dialect::Postgres, sql);
    let ctx = guardrails_core::Context::default();
    let policy = guardrails_core::Policy::builtin();
    let mut denies = 0;
    for _ in 0..n {
        denies +=
            usize::from(policy.evaluate(&action, &ctx).verdict == guardrails_core::Verdict::Deny);
    }
    println!("{denies} denies");
}
