//! Shell analysis: no panic, and input the analysis cannot read is never allowed.
#![no_main]

use guardrails_core::{analyze, Action, Context, Policy, Verdict};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let analysis = analyze(&Action::shell(text));
    let unreadable = analysis.detections.iter().any(|d| d.rule.ends_with(".unparseable"));
    let decision = Policy::builtin().decide(analysis, &Context::default());
    if unreadable {
        assert_ne!(decision.verdict, Verdict::Allow, "unreadable input allowed: {text:?}");
    }
    let argv: Vec<String> = text.split(' ').map(str::to_owned).collect();
    let _ = analyze(&Action::Exec { argv });
});
