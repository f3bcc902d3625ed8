//! Rules of the engine itself (tool mapping, unsupported input).

use super::{ex, RuleClass, RuleInfo};
use crate::Verdict::{Allow, Deny, Review};

pub(crate) const RULES: &[RuleInfo] = &[
    RuleInfo {
        id: "tool.destructive-name",
        class: RuleClass::Risky,
        summary: "a tool call with no recognisable command whose name says it destroys something",
        rationale: "a tool named `drop_table` or `delete_user` changes state in ways the arguments do not show; a human approves it",
        examples: &[
            ex("tool", r#"{"name":"delete_user","arguments":{"id":7}}"#, Review, true),
            ex("tool", r#"{"name":"get_weather","arguments":{"city":"Oslo"}}"#, Allow, false),
        ],
    },
    RuleInfo {
        id: "tool.bad-arguments",
        class: RuleClass::Breakout,
        summary: "a tool call whose command argument is not a string (or list of strings) the engine can read",
        rationale: "a command the engine cannot read cannot be judged: fail closed",
        examples: &[ex("tool", r#"{"name":"run_sql","arguments":{"query":42}}"#, Deny, true)],
    },
    RuleInfo {
        id: "input.invisible-characters",
        class: RuleClass::Notice,
        summary: "invisible or look-alike characters outside keyword and program-name positions",
        rationale: "the text a human reads may differ from what runs; it is marked but leaves the verdict alone",
        examples: &[ex("sql:postgres", "SELECT 'caf\u{200b}e'", Allow, true)],
    },
];
