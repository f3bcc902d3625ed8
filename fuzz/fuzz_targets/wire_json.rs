//! The JSON entry point: never panics, always answers with a JSON object tagged `ok` or `error`.
#![no_main]

use guardrails_core::{wire, Policy};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let out = wire::evaluate_json(&Policy::builtin(), text);
    let v: serde_json::Value = serde_json::from_str(&out).expect("the answer is JSON");
    assert!(matches!(v["type"].as_str(), Some("ok" | "error")), "{out}");
});
