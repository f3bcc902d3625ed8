//! The worked example of `docs/audit-format.md` is recomputed here, so the document cannot
//! drift from the code: the same inputs give the same line, and the hash in the document is
//! the keyed BLAKE3 of the line's bytes before `,"hash":"`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers fail the test by panicking"
)]

use std::time::{Duration, UNIX_EPOCH};

use guardrails_core::audit::{verify, AuditKey, Chain, Head};
use guardrails_core::{
    Action, ActorKind, Context, Decision, Dialect, Finding, Intent, Severity, Verdict,
};

fn doc() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/audit-format.md"
    ))
    .unwrap()
}

/// The text of the fenced block after the marker `<!-- name -->`.
fn block(doc: &str, name: &str) -> String {
    let marker = format!("<!-- {name} -->");
    let after = &doc[doc
        .find(&marker)
        .unwrap_or_else(|| panic!("no marker {marker}"))
        + marker.len()..];
    let start = after.find("```").unwrap();
    let body = &after[start..];
    let body = &body[body.find('\n').unwrap() + 1..];
    body[..body.find("```").unwrap()]
        .trim_end_matches('\n')
        .to_owned()
}

/// The example's inputs: everything fixed, the decision built by hand so that a change of
/// the rule catalogue or policy digest does not change the example.
fn example_line(key: &AuditKey) -> String {
    let mut ctx = Context::new(ActorKind::Agent, "production");
    ctx.actor.id = Some("billing-bot".into());
    ctx.actor.roles = vec!["analyst".into()];
    ctx.origin = Some("langchain".into());
    ctx.resource = Some("pg-main".into());
    let action = Action::sql(Dialect::Postgres, "ALTER USER app PASSWORD 'hunter2'");
    let decision = Decision {
        verdict: Verdict::Review,
        enforced: true,
        findings: vec![Finding {
            rule: "sql.privilege-change".into(),
            verdict: Verdict::Review,
            severity: Severity::Medium,
            message: "changes the account `app`".into(),
            statement: Some(0),
            span: Some((0, 33)),
        }],
        masks: Vec::new(),
        intent: Intent::default(),
        policy_digest: blake3::hash(b"example policy").to_hex().to_string(),
        fingerprint: blake3::hash(b"example fingerprint").to_hex().to_string(),
        approvals: Vec::new(),
    };
    let t = UNIX_EPOCH + Duration::from_micros(1_767_225_600_250_000); // 2026-01-01T00:00:00.25Z
    Chain::new(Some(key.clone()))
        .append(&action, &ctx, &decision, t)
        .to_line()
}

#[test]
fn the_documented_example_is_what_the_code_writes() {
    let doc = doc();
    let key: AuditKey = block(&doc, "example-key").parse().unwrap();
    assert_eq!(
        key.to_hex(),
        (0u8..32).map(|b| format!("{b:02x}")).collect::<String>()
    );
    let line = example_line(&key);
    if std::env::var("GEN_DOC").is_ok() {
        let prefix = &line.as_bytes()[..line.len() - 75];
        println!(
            "LINE {line}\nPREFIX {}\nHASH {}\nKEYID {}",
            String::from_utf8(prefix.to_vec()).unwrap(),
            blake3::keyed_hash(key.as_bytes(), prefix).to_hex(),
            key.id()
        );
    }
    assert_eq!(
        block(&doc, "example-line"),
        line,
        "update docs/audit-format.md with:\n{line}"
    );
    let documented_hash = block(&doc, "example-hash");
    // recompute independently: keyed BLAKE3 over the bytes before the 75-byte suffix
    let prefix = &line.as_bytes()[..line.len() - 75];
    assert_eq!(
        blake3::keyed_hash(key.as_bytes(), prefix)
            .to_hex()
            .to_string(),
        documented_hash
    );
    assert!(line.ends_with(&format!(",\"hash\":\"{documented_hash}\"}}")));
    assert_eq!(
        block(&doc, "example-hashed-bytes"),
        String::from_utf8(prefix.to_vec()).unwrap()
    );
    assert_eq!(block(&doc, "example-key-id"), key.id());
    let head: Head = format!("0:{documented_hash}").parse().unwrap();
    assert_eq!(
        verify(format!("{line}\n").as_bytes(), Some(&key), Some(&head))
            .unwrap()
            .count,
        1
    );
    assert!(!line.contains("hunter2"));
}
