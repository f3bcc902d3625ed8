//! SQL analysis in every dialect: no panic (the analysis is called directly, without the
//! `catch_unwind` of `evaluate`), and input the analysis cannot read is never allowed.
#![no_main]

use guardrails_core::{analyze, Action, Context, Dialect, Policy, Verdict};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let policy = Policy::builtin();
    for dialect in Dialect::ALL {
        let action = Action::sql(dialect, text);
        let analysis = analyze(&action);
        let unreadable = analysis.detections.iter().any(|d| d.rule.ends_with(".unparseable") || d.rule.ends_with(".too-deep") || d.rule.ends_with(".too-large"));
        let decision = policy.decide(analysis, &Context::default());
        if unreadable {
            assert_ne!(decision.verdict, Verdict::Allow, "unreadable input allowed in {dialect:?}: {text:?}");
        }
    }
});
