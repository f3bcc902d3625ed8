//! Decisions under policy documents: digests, keyed fingerprints, TOML and JSON alike,
//! explanations, approvals minted with `approval::sign`, sharing across threads.

use guardrails_core::policy::{approval, ApprovalClaims, StepOutcome};
use guardrails_core::{Action, ActorKind, Context, Dialect, Policy, Verdict};

const DOC: &str = r#"
version = 1
[[builtin]]
rule = "sql.drop"
verdict = "review"
when = { environment = "staging" }
[[rules]]
id = "no-sleep"
verdict = "deny"
sql = { functions = "pg_sleep" }
"#;

#[test]
fn toml_and_json_documents_compile_alike() {
    let toml_policy = Policy::from_toml(DOC).unwrap();
    let doc = toml_policy.document().unwrap();
    let json = serde_json::to_string(doc).unwrap();
    let json_policy = Policy::from_json(&json).unwrap();
    assert_eq!(toml_policy.digest(), json_policy.digest());
    assert_ne!(toml_policy.digest(), Policy::builtin().digest());
    let a = Action::sql(Dialect::Postgres, "DROP TABLE t");
    let c = Context::new(ActorKind::Agent, "staging");
    assert_eq!(toml_policy.evaluate(&a, &c), json_policy.evaluate(&a, &c));
    assert_eq!(
        toml_policy.evaluate(&a, &c).policy_digest,
        toml_policy.digest()
    );
}

#[test]
fn fingerprints_are_keyed_when_the_document_gives_a_key() {
    let a = Action::sql(Dialect::Postgres, "ALTER USER app PASSWORD 'hunter2'");
    let plain = Policy::from_toml("version = 1")
        .unwrap()
        .evaluate(&a, &Context::default())
        .fingerprint;
    let k1 = Policy::from_toml(&format!(
        "version = 1\nfingerprint_key = \"{}\"",
        "01".repeat(32)
    ))
    .unwrap();
    let k2 = Policy::from_toml(&format!(
        "version = 1\nfingerprint_key = \"{}\"",
        "02".repeat(32)
    ))
    .unwrap();
    let f1 = k1.evaluate(&a, &Context::default()).fingerprint;
    assert_ne!(f1, plain);
    assert_ne!(f1, k2.evaluate(&a, &Context::default()).fingerprint);
    assert_eq!(f1.len(), 64);
    // The key is not in the digest.
    assert!(!k1.digest().contains(&"01".repeat(32)));
    assert_ne!(k1.digest(), k2.digest());
}

#[test]
fn monitor_mode_from_the_document() {
    let p = Policy::from_toml("version = 1\nmode = \"monitor\"").unwrap();
    let d = p.evaluate(
        &Action::sql(Dialect::Postgres, "DROP TABLE users"),
        &Context::default(),
    );
    assert_eq!((d.verdict, d.enforced), (Verdict::Deny, false));
    assert!(d.permits());
}

#[test]
fn explain_says_what_applied_and_why_not() {
    let p = Policy::from_toml(DOC).unwrap();
    let (d, steps) = p.explain(
        &Action::sql(Dialect::Postgres, "DROP TABLE t"),
        &Context::new(ActorKind::Agent, "production"),
    );
    assert_eq!(d.verdict, Verdict::Deny);
    assert!(
        steps.iter().any(|s| s.rule == "sql.drop"
            && s.outcome == StepOutcome::Skipped
            && s.reason
                .contains("environment `production` is out of scope")),
        "{steps:?}"
    );
    assert!(
        steps.iter().any(|s| s.rule == "no-sleep"
            && s.outcome == StepOutcome::Skipped
            && s.reason.contains("sql")),
        "{steps:?}"
    );
    let (_, steps) = p.explain(
        &Action::sql(Dialect::Postgres, "DROP TABLE t"),
        &Context::new(ActorKind::Agent, "staging"),
    );
    assert!(
        steps
            .iter()
            .any(|s| s.rule == "sql.drop" && s.outcome == StepOutcome::Changed),
        "{steps:?}"
    );
}

#[test]
fn approvals_minted_with_sign_lift_reviews_only() {
    let key = [9u8; 32];
    let p = Policy::from_toml(&format!(
        "version = 1\n[[approvers]]\nid = \"alice\"\nkey = \"{}\"",
        "09".repeat(32)
    ))
    .unwrap();
    let action = Action::sql(Dialect::Postgres, "DROP TABLE t");
    let mut ctx = Context::new(ActorKind::Human, "production");
    ctx.actor.id = Some("carol".into());
    ctx.time = Some("2026-01-01T00:00:00Z".into());
    let fp = p.evaluate(&action, &ctx).fingerprint;
    let claims = ApprovalClaims {
        approver: "alice".into(),
        fingerprint: fp,
        environment: Some("production".into()),
        resource: None,
        actor: Some("carol".into()),
        expires_at: "2026-01-01T00:05:00+00:00".into(),
    };
    ctx.approvals.push(approval::sign(&key, &claims));
    let d = p.evaluate(&action, &ctx);
    assert_eq!(d.verdict, Verdict::Allow);
    assert_eq!(d.approvals.len(), 1);
    assert_eq!(
        d.findings[0].verdict,
        Verdict::Review,
        "the finding keeps its verdict; the approval is recorded"
    );
    // A tampered expiry breaks the signature.
    ctx.approvals[0].expires_at = Some("2027-01-01T00:00:00Z".into());
    assert_eq!(p.evaluate(&action, &ctx).verdict, Verdict::Review);
    // No time in the context: the clock decides, and 2026-01-01 + 5 minutes is over.
    ctx.approvals[0].expires_at = Some("2026-01-01T00:05:00+00:00".into());
    ctx.time = None;
    assert_eq!(p.evaluate(&action, &ctx).verdict, Verdict::Review);
}

#[test]
fn one_policy_shared_by_threads_decides_alike() {
    let p = Policy::from_toml(DOC).unwrap();
    let a = Action::sql(Dialect::Postgres, "SELECT pg_sleep(1)");
    let expected = p.evaluate(&a, &Context::default());
    std::thread::scope(|s| {
        for _ in 0..16 {
            s.spawn(|| assert_eq!(p.evaluate(&a, &Context::default()), expected));
        }
    });
}
