//! Shell rules.

use super::{ex, RuleClass, RuleInfo};
use crate::Verdict::Deny;

pub(crate) const RULES: &[RuleInfo] = &[RuleInfo {
    id: "shell.unsupported",
    class: RuleClass::Breakout,
    summary: "a command for a shell the engine does not analyse (powershell, cmd)",
    rationale: "reading it as bash would misjudge it: fail closed",
    examples: &[ex(
        "shell:powershell",
        "Remove-Item -Recurse C:\\",
        Deny,
        true,
    )],
}];
