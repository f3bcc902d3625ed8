//! An exempt column is left alone even though the catalogue knows its name.
#![allow(clippy::unwrap_used, reason = "test")]

use guardrails_core::{Action, Context, Dialect, Policy};
use serde_json::json;

#[test]
fn an_exempt_column_is_not_masked_by_its_name() {
    let policy = Policy::from_toml(
        "version = 1\n[catalogue]\n[[catalogue.data]]\ntable = \"users\"\ncolumns = \"email\"\ntags = \"pii.email\"\n[[catalogue.exemptions]]\ntags = \"pii.email\"\nroles = \"support-lead\"\n",
    )
    .unwrap();
    let mut lead = Context::default();
    lead.actor.roles = vec!["support-lead".into()];
    let q = Action::sql(Dialect::Postgres, "SELECT email FROM users WHERE id = $1");
    let d = policy.evaluate(&q, &lead);
    assert!(d.masks.iter().any(|m| m.exempt.is_some()), "{:?}", d.masks);
    assert_eq!(
        policy
            .masker(&d)
            .mask_row(&["email"], &[json!("bob@example.com")]),
        vec![json!("bob@example.com")]
    );
    let other = policy.evaluate(&q, &Context::default());
    assert_ne!(
        policy
            .masker(&other)
            .mask_row(&["email"], &[json!("bob@example.com")]),
        vec![json!("bob@example.com")]
    );
}
