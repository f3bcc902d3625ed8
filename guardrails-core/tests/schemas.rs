//! The published JSON Schemas in `schemas/` are generated from the types; this test fails when
//! they are stale. Regenerate with `UPDATE_SCHEMAS=1 cargo test -p guardrails-core --test schemas`.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers fail the test by panicking"
)]

use std::path::Path;

use guardrails_core::{wire, Action, Context, Decision};

fn check<T: schemars::JsonSchema>(name: &str) {
    let schema = schemars::schema_for!(T);
    let text = serde_json::to_string_pretty(&schema).unwrap() + "\n";
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../schemas")
        .join(format!("{name}.schema.json"));
    if std::env::var_os("UPDATE_SCHEMAS").is_some() {
        std::fs::write(&path, &text).unwrap();
        return;
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == text,
        "{} is stale: run UPDATE_SCHEMAS=1 cargo test -p guardrails-core --test schemas",
        path.display()
    );
}

#[test]
fn schemas_are_current() {
    check::<Action>("action");
    check::<Context>("context");
    check::<Decision>("decision");
    check::<wire::Request>("request");
    check::<wire::TestVector>("vector");
}

#[test]
fn schema_names_the_action_kinds() {
    let schema = serde_json::to_string(&schemars::schema_for!(Action)).unwrap();
    for kind in ["\"sql\"", "\"shell\"", "\"exec\"", "\"tool\""] {
        assert!(
            schema.contains(kind),
            "{kind} missing from the action schema"
        );
    }
}
