//! The example documents under `examples/policies/` load, run their examples, and decide the
//! cases they were written for.

#![allow(clippy::panic, reason = "test helpers fail loudly")]

use std::path::PathBuf;

use guardrails_core::policy::{approval, ApprovalClaims};
use guardrails_core::{Action, Actor, ActorKind, Context, Dialect, Policy, Verdict};

fn load(name: &str) -> Policy {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/policies")
        .join(name);
    Policy::from_path(&path).unwrap_or_else(|e| panic!("{e} (help: {:?})", e.help()))
}

fn ctx(kind: ActorKind, id: &str, env: &str) -> Context {
    Context {
        actor: Actor {
            id: Some(id.into()),
            kind,
            roles: Vec::new(),
        },
        environment: Some(env.into()),
        ..Context::default()
    }
}

fn pg(text: &str) -> Action {
    Action::sql(Dialect::Postgres, text)
}

#[test]
fn startup_production_db() {
    let p = load("startup-production-db.toml");
    let bot = ctx(ActorKind::Agent, "support-bot", "production");
    let run_sql = |q: &str| Action::tool("run_sql", serde_json::json!({ "query": q }));
    // The tool mapping reads `query` as Postgres.
    let d = p.evaluate(
        &run_sql("DELETE FROM sessions WHERE expires_at < now()"),
        &bot,
    );
    assert_eq!(d.verdict, Verdict::Deny, "{d:?}");
    assert!(d.rules().any(|r| r == "sql.broad-write"));
    // Keyed lookups are fine, billing writes are not.
    assert_eq!(
        p.evaluate(&run_sql("SELECT plan FROM users WHERE id = $1"), &bot)
            .verdict,
        Verdict::Allow
    );
    let d = p.evaluate(
        &run_sql("UPDATE billing.invoices SET paid = true WHERE id = 4"),
        &bot,
    );
    assert!(
        d.rules().any(|r| r == "no-billing-writes-by-agents"),
        "{d:?}"
    );
    // A lookup tool whose name is not a command is not guessed destructive.
    assert_eq!(
        p.evaluate(
            &Action::tool("get_customer", serde_json::json!({"id": 4})),
            &bot
        )
        .verdict,
        Verdict::Allow
    );
    // The catalogue makes secret tables a bulk read.
    let d = p.evaluate(&pg("SELECT * FROM public.api_keys"), &bot);
    assert_eq!(d.verdict, Verdict::Review, "{d:?}");
    assert!(p.catalogue().is_some_and(
        |c| c.strategies.get("pci.pan").map(String::as_str) == Some("format-preserving")
    ));
    // A human's broad write is a review that the on-call engineer can approve.
    let mut alice = ctx(ActorKind::Human, "alice", "production");
    alice.time = Some("2026-06-01T00:00:00Z".into());
    let action = pg("DELETE FROM sessions WHERE expires_at < now()");
    let d = p.evaluate(&action, &alice);
    assert_eq!(d.verdict, Verdict::Review);
    let key =
        approval::decode_hex32("5f1e4c2a9b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f")
            .unwrap();
    let claims = ApprovalClaims {
        approver: "oncall@startup.example".into(),
        fingerprint: d.fingerprint.clone(),
        environment: Some("production".into()),
        resource: None,
        actor: Some("alice".into()),
        expires_at: "2026-06-01T00:10:00Z".into(),
    };
    alice.approvals.push(approval::sign(&key, &claims));
    let d = p.evaluate(&action, &alice);
    assert_eq!(d.verdict, Verdict::Allow, "{d:?}");
    assert_eq!(d.approvals[0].lifted, ["sql.broad-write"]);
}

#[test]
fn ci_migration_runner() {
    let p = load("ci-migration-runner.toml");
    let mut job = ctx(ActorKind::Ci, "migrate-prod", "production");
    job.labels.insert("pipeline".into(), "migrations".into());
    assert_eq!(
        p.evaluate(&pg("ALTER TABLE users ADD COLUMN nickname text"), &job)
            .verdict,
        Verdict::Allow
    );
    assert_eq!(
        p.evaluate(&pg("ALTER TABLE users DROP COLUMN legacy"), &job)
            .verdict,
        Verdict::Review
    );
    assert_eq!(
        p.evaluate(&pg("DROP TABLE old_events"), &job).verdict,
        Verdict::Review
    );
    assert_eq!(
        p.evaluate(
            &pg("UPDATE users SET plan = 'free' WHERE plan IS NULL"),
            &job
        )
        .verdict,
        Verdict::Review
    );
    // The same job outside the migration pipeline keeps the built-in verdicts.
    let other = ctx(ActorKind::Ci, "nightly-report", "production");
    assert_eq!(
        p.evaluate(&pg("DROP TABLE old_events"), &other).verdict,
        Verdict::Deny
    );
    // An agent may not change the schema, not even additively.
    let agent = ctx(ActorKind::Agent, "helper", "production");
    let d = p.evaluate(&pg("CREATE INDEX CONCURRENTLY i ON users (email)"), &agent);
    assert_eq!(d.verdict, Verdict::Deny);
    assert!(d
        .rules()
        .any(|r| r == "schema-changes-only-from-migrations"));
}

#[test]
fn coding_agent_allowlist() {
    let p = load("coding-agent-allowlist.toml");
    let me = ctx(ActorKind::Agent, "coder", "development");
    // Allowlisted commands match their allow rule, and the default does not apply.
    let d = p.evaluate(&Action::exec(["git", "status"]), &me);
    assert!(d.rules().any(|r| r == "read-only-git"), "{d:?}");
    assert!(!d.rules().any(|r| r == "policy.default"));
    // Secrets and force pushes are denied by the document's own rules.
    let d = p.evaluate(&Action::exec(["cat", "/home/dev/.ssh/id_ed25519"]), &me);
    assert_eq!(d.verdict, Verdict::Deny);
    assert!(d.rules().any(|r| r == "no-secrets"));
    let d = p.evaluate(&Action::exec(["git", "push", "--force"]), &me);
    assert!(d.rules().any(|r| r == "no-force-push"));
    // A tool call nothing lists waits for the developer.
    let d = p.evaluate(
        &Action::tool("create_issue", serde_json::json!({"title": "x"})),
        &me,
    );
    assert_eq!(d.verdict, Verdict::Review);
    assert!(d.rules().any(|r| r == "policy.default"));
    assert_eq!(
        p.evaluate(
            &Action::tool("read_file", serde_json::json!({"path": "src/lib.rs"})),
            &me
        )
        .verdict,
        Verdict::Allow
    );
    let d = p.evaluate(
        &Action::tool("write_file", serde_json::json!({"path": "/etc/hosts"})),
        &me,
    );
    assert_eq!(d.verdict, Verdict::Deny);
}
