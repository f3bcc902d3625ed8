//! `policy.schema.json` at the repository root is generated from the document types. Regenerate
//! it with `UPDATE_SCHEMA=1 cargo test -p guardrails-core --test policy_schema`.

use std::path::Path;

#[test]
fn published_schema_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../policy.schema.json");
    let fresh = guardrails_core::policy::schema_json();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &fresh).unwrap();
        return;
    }
    let published = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(published == fresh, "policy.schema.json is stale: run `UPDATE_SCHEMA=1 cargo test -p guardrails-core --test policy_schema`");
}

#[test]
fn schema_names_every_section() {
    let s = guardrails_core::policy::schema_json();
    for section in [
        "\"builtin\"",
        "\"rules\"",
        "\"tools\"",
        "\"approvers\"",
        "\"catalogue\"",
        "\"defaults\"",
        "\"not_match\"",
        "\"match\"",
    ] {
        assert!(s.contains(section), "schema lacks {section}");
    }
}
