//! No secret of an action reaches the audit log, in any field or any export.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers fail the test by panicking"
)]

use std::io::BufReader;
use std::time::SystemTime;

use guardrails_core::audit::{to_ocsf, verify, AuditKey, FileSink, SinkOptions, SqlLiterals};
use guardrails_core::{evaluate, Action, Context, Dialect};

const SECRETS: [&str; 5] = [
    "hunter2",
    "s3cretpw",
    "AKIAIOSFODNN7EXAMPLE",
    "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    "tok-9f8e7d6c",
];

fn actions() -> Vec<Action> {
    vec![
        Action::sql(Dialect::Postgres, "ALTER USER x PASSWORD 'hunter2'"),
        Action::sql(Dialect::Mysql, "CREATE USER 'app'@'%' IDENTIFIED BY 'hunter2'"),
        Action::sql(Dialect::Snowflake, "CREATE STAGE s URL='s3://b' CREDENTIALS=(AWS_KEY_ID='AKIAIOSFODNN7EXAMPLE' AWS_SECRET_KEY='hunter2')"),
        Action::shell("psql postgres://u:s3cretpw@h/db -c 'select 1'"),
        Action::shell("AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE aws s3 ls"),
        Action::shell("curl -H 'Authorization: token ghp_abcdefghijklmnopqrstuvwxyz0123456789' https://api.github.com"),
        Action::shell("mysql --password hunter2 -e 'select 1'"),
        Action::exec(["psql", "postgres://u:s3cretpw@h/db"]),
        Action::exec(["deploy", "--api-token", "tok-9f8e7d6c"]),
        Action::exec(["deploy", "--api-token=tok-9f8e7d6c"]),
        Action::tool("run_sql", serde_json::json!({"query": "ALTER USER x PASSWORD 'hunter2'", "dsn": "postgres://u:s3cretpw@h/db"})),
        Action::tool("http", serde_json::json!({"headers": {"Authorization": "tok-9f8e7d6c"}, "aws": {"access_key": "AKIAIOSFODNN7EXAMPLE"}})),
    ]
}

fn context() -> Context {
    let mut ctx = Context {
        resource: Some("postgres://admin:s3cretpw@db.internal/main".into()),
        ..Context::default()
    };
    ctx.labels
        .insert("dsn".into(), "postgres://u:hunter2@h/x".into());
    ctx
}

#[test]
fn no_secret_reaches_the_file_or_the_export() {
    for literals in [SqlLiterals::Keep, SqlLiterals::Placeholder] {
        let dir = std::env::temp_dir().join(format!(
            "gr-audit-redact-{}-{literals:?}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("audit.jsonl");
        let key = AuditKey::from_bytes([3; 32]);
        let sink = FileSink::open(
            &path,
            Some(key.clone()),
            SinkOptions::default().sql_literals(literals),
        )
        .unwrap();
        let ctx = context();
        let mut exported = String::new();
        for a in actions() {
            let d = evaluate(&a, &ctx);
            let rec = sink.append(&a, &ctx, &d, SystemTime::now()).unwrap().record;
            exported += &to_ocsf(&rec).to_string();
        }
        drop(sink);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), actions().len());
        for secret in SECRETS {
            assert!(
                !text.contains(secret),
                "{literals:?}: `{secret}` in the log:\n{text}"
            );
            assert!(
                !exported.contains(secret),
                "{literals:?}: `{secret}` in the OCSF export"
            );
        }
        assert!(text.contains("[redacted]"));
        // what is not secret stays readable
        assert!(text.contains("ALTER USER x PASSWORD"), "{text}");
        assert!(
            text.contains("--api-token [redacted]")
                || text.contains("\"--api-token\",\"[redacted]\""),
            "{text}"
        );
        assert_eq!(
            verify(
                BufReader::new(std::fs::File::open(&path).unwrap()),
                Some(&key),
                None
            )
            .unwrap()
            .count,
            actions().len() as u64
        );
    }
}

#[test]
fn the_stored_fingerprint_does_not_undo_redaction() {
    // a plain hash of the action would let a log reader test guesses of the password
    let a = Action::sql(Dialect::Postgres, "ALTER USER x PASSWORD 'hunter2'");
    let d = evaluate(&a, &Context::default());
    let mut keyed = guardrails_core::audit::Chain::new(Some(AuditKey::from_bytes([1; 32])));
    let mut unkeyed = guardrails_core::audit::Chain::new(None);
    let r1 = keyed.append(&a, &Context::default(), &d, SystemTime::now());
    let r2 = unkeyed.append(&a, &Context::default(), &d, SystemTime::now());
    assert_ne!(r1.decision.fingerprint, d.fingerprint);
    assert_ne!(r2.decision.fingerprint, d.fingerprint);
    // unkeyed: two passwords give one stored fingerprint (it only sees the redacted text)
    let b = Action::sql(Dialect::Postgres, "ALTER USER x PASSWORD 'other'");
    let r3 = unkeyed.append(
        &b,
        &Context::default(),
        &evaluate(&b, &Context::default()),
        SystemTime::now(),
    );
    assert_eq!(r2.decision.fingerprint, r3.decision.fingerprint);
}
