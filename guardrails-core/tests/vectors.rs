//! Runs every golden vector under `vectors/`.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    reason = "test helpers fail the test by panicking"
)]

use std::path::{Path, PathBuf};

use guardrails_core::{wire, Policy};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(p);
        }
    }
}

#[test]
fn every_vector_holds() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors");
    let mut paths = Vec::new();
    files(&root, &mut paths);
    let mut count = 0;
    let mut failures = Vec::new();
    for path in &paths {
        let text = std::fs::read_to_string(path).unwrap();
        let cases =
            wire::parse_vectors(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for case in cases {
            count += 1;
            let policy = match &case.policy {
                None => Policy::builtin(),
                Some(doc) => load_document(doc)
                    .unwrap_or_else(|e| panic!("{}: {}: {e}", path.display(), case.description)),
            };
            let decision = policy.evaluate(&case.action, &case.context);
            if let Err(e) = case.check(&decision) {
                failures.push(format!("{}: {e}", path.display()));
            }
        }
    }
    println!("{count} vectors checked");
    assert!(count > 0, "no vectors found under {}", root.display());
    assert!(
        failures.is_empty(),
        "{} of {count} vectors failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A vector's policy: TOML text, or a JSON object with the same schema.
fn load_document(doc: &serde_json::Value) -> Result<Policy, guardrails_core::PolicyError> {
    match doc {
        serde_json::Value::String(toml) => Policy::from_toml(toml),
        other => Policy::from_json(&other.to_string()),
    }
}
