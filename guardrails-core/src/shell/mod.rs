//! Shell and exec analysis. Until the shell analyser lands, every shell and exec action is
//! decided fail-closed with `shell.unsupported`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::action::ShellKind;
use crate::finding::{Detection, Grade};

/// One command of a shell line or an argv, after unwrapping.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CommandIntent {
    /// The program's base name.
    pub program: String,
    /// The arguments after the program.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
}

/// The result of analysing a shell line or argv.
#[derive(Debug, Default)]
pub(crate) struct ShellAnalysis {
    pub commands: Vec<CommandIntent>,
    pub detections: Vec<Detection>,
    pub normalized: String,
}

/// Analyses a shell command line.
pub(crate) fn analyze_command(command: &str, shell: ShellKind) -> ShellAnalysis {
    let message = if shell.is_analysed() {
        "shell commands are not analysed yet: fail closed".to_owned()
    } else {
        format!(
            "`{}` commands are not analysed: fail closed",
            shell.as_str()
        )
    };
    ShellAnalysis {
        commands: Vec::new(),
        detections: vec![Detection::new("shell.unsupported", Grade::Deny, message)
            .at(0, Some((0, command.len())))],
        normalized: command.split_whitespace().collect::<Vec<_>>().join(" "),
    }
}

/// Analyses an argv executed without a shell.
pub(crate) fn analyze_argv(argv: &[String]) -> ShellAnalysis {
    ShellAnalysis {
        commands: Vec::new(),
        detections: vec![Detection::new(
            "shell.unsupported",
            Grade::Deny,
            "exec actions are not analysed yet: fail closed",
        )
        .at(0, None)],
        normalized: argv.join("\u{0}"),
    }
}
