//! Shell and exec analysis.
//!
//! A command line is parsed by a focused parser of our own (see `docs/shell-parser.md`):
//! linear, nesting bounded by a counter, no global state. The tree is walked in execution order
//! with what the shell would know (variables assigned earlier in the line, the current
//! directory, files downloaded or written), every simple command is unwrapped (`sudo`, `env`,
//! `sh -c`, `xargs`, `find -exec`, `ssh HOST CMD`, `docker exec`, ...) and judged by its
//! effects; what flows through pipes and substitutions (downloads, decoded text, secrets) is
//! followed to where it ends. SQL handed to a client goes through the SQL analysis.
//!
//! ```
//! use guardrails_core::{evaluate, Action, Context, Verdict};
//! let d = evaluate(&Action::shell("git commit -m 'rm -rf /'"), &Context::default());
//! assert_eq!(d.verdict, Verdict::Allow);
//! let d = evaluate(&Action::shell("sudo -u app bash -c 'rm -rf ~/'"), &Context::default());
//! assert_eq!(d.verdict, Verdict::Deny);
//! assert_eq!(d.findings[0].rule, "shell.recursive-delete");
//! ```

mod ast;
mod expand;
mod flow;
mod judge;
mod parse;
mod paths;
mod walk;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::action::ShellKind;
use crate::finding::{Detection, Grade, Span};

/// Command lines longer than this are not analysed (`shell.unparseable`).
pub const MAX_BYTES: usize = 1 << 20;
/// Nesting (subshells, substitutions, compounds, wrappers, `sh -c` strings) deeper than this is
/// not analysed (`shell.unparseable`).
pub const MAX_NESTING: usize = parse::MAX_NESTING;

/// One command of a shell line or an argv, after unwrapping.
///
/// ```
/// use guardrails_core::{evaluate, Action, Context};
/// let d = evaluate(&Action::shell("sudo /bin/rm -f build.log"), &Context::default());
/// let inner = &d.intent.commands[1];
/// assert_eq!((inner.program.as_str(), inner.path.as_deref(), inner.depth), ("rm", Some("/bin/rm"), 1));
/// assert_eq!(inner.wrappers, vec!["sudo".to_owned()]);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CommandIntent {
    /// The program's base name (`rm` for `/bin/rm`); empty for a line of bare assignments or
    /// redirections.
    pub program: String,
    /// The program as written, when it was named with a path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The arguments after the program, quotes removed; parts not known statically are written
    /// as in the source (`$DIR`, `$(…)`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// Redirections, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redirections: Vec<Redirection>,
    /// Environment assignments before the command (`X=1 cmd`), values of secret-looking names
    /// redacted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<EnvAssignment>,
    /// Byte range in the original text (for an unwrapped command, the range of the command
    /// that carried it).
    pub span: Span,
    /// How deeply it is nested: 0 for a command of the line itself, +1 per wrapper, shell
    /// string, substitution or subshell level that carried it.
    #[serde(default)]
    pub depth: usize,
    /// The wrappers that carried it, outermost first (`sudo`, `bash -c`, `xargs`, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wrappers: Vec<String>,
    /// Whether every word (program and arguments) was known statically: no variables left
    /// unresolved, no substitutions, no globs.
    pub static_words: bool,
}

/// A redirection of a command.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Redirection {
    /// The file descriptor written before the operator (`2` in `2>&1`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fd: Option<u32>,
    /// The operator: `<`, `>`, `>>`, `>|`, `<>`, `<&`, `>&`, `&>`, `&>>`, `<<`, `<<<`.
    pub op: String,
    /// The target (a here-document is shown as `<here-document>`).
    pub target: String,
}

/// An environment assignment before a command.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvAssignment {
    /// The variable's name.
    pub name: String,
    /// Its value (`[redacted]` for names that look like secrets).
    pub value: String,
}

/// The result of analysing a shell line or argv.
#[derive(Debug, Default)]
pub(crate) struct ShellAnalysis {
    pub commands: Vec<CommandIntent>,
    pub detections: Vec<Detection>,
    pub normalized: String,
}

/// Redacts the value of a secret-looking variable.
pub(crate) fn redact_env(name: &str, value: &str) -> String {
    let n = name.to_ascii_uppercase();
    if ["PASS", "SECRET", "TOKEN", "KEY", "CRED", "AUTH", "PWD"]
        .iter()
        .any(|k| n.contains(k))
        && n != "PWD"
        && n != "OLDPWD"
    {
        "[redacted]".to_owned()
    } else {
        crate::redact::redact_message(value)
    }
}

/// Bytes that are not text: NUL, control characters other than tab, newline and a CR before a
/// newline, DEL, C1 controls and U+FFFD.
fn bad_byte(text: &str) -> Option<(usize, char)> {
    let mut prev_cr = None;
    for (i, c) in text.char_indices() {
        if let Some(p) = prev_cr.take() {
            if c != '\n' {
                return Some((p, '\r'));
            }
        }
        match c {
            '\t' | '\n' => {}
            '\r' => prev_cr = Some(i),
            '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{fffd}' => return Some((i, c)),
            _ => {}
        }
    }
    prev_cr.map(|p| (p, '\r'))
}

fn describe_byte(c: char) -> String {
    match c {
        '\u{0}' => "a NUL byte".to_owned(),
        '\u{1b}' => "a terminal escape sequence".to_owned(),
        '\u{fffd}' => "bytes that are not text (U+FFFD)".to_owned(),
        c => format!("the control character U+{:04X}", c as u32),
    }
}

fn unparseable(text: &str, message: String, at: Option<usize>) -> ShellAnalysis {
    let span = match at {
        Some(a) => (a.min(text.len()), text.len()),
        None => (0, text.len()),
    };
    ShellAnalysis {
        commands: Vec::new(),
        detections: vec![
            Detection::new("shell.unparseable", Grade::Deny, message).at(0, Some(span))
        ],
        normalized: normalized(text),
    }
}

fn normalized(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(1 << 16));
    for w in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    crate::redact::redact_message(&out)
}

/// Adds a notice for invisible or look-alike characters outside program names.
fn invisible_notice(text: &str, a: &mut ShellAnalysis) {
    if let Some((i, c)) = text
        .char_indices()
        .find(|(_, c)| crate::text::is_suspicious(*c))
    {
        if !a
            .detections
            .iter()
            .any(|d| d.rule == "shell.obfuscated" && d.message.contains("look-alike"))
        {
            a.detections.push(
                Detection::new(
                    "input.invisible-characters",
                    Grade::Notice,
                    format!(
                        "the command contains the invisible or look-alike character U+{:04X}",
                        c as u32
                    ),
                )
                .at(0, Some((i, i + c.len_utf8()))),
            );
        }
    }
}

/// Analyses a shell command line.
pub(crate) fn analyze_command(command: &str, shell: ShellKind) -> ShellAnalysis {
    if !shell.is_analysed() {
        let message = format!(
            "`{}` commands are not analysed: fail closed",
            shell.as_str()
        );
        return ShellAnalysis {
            commands: Vec::new(),
            detections: vec![Detection::new("shell.unsupported", Grade::Deny, message)
                .at(0, Some((0, command.len())))],
            normalized: normalized(command),
        };
    }
    if command.len() > MAX_BYTES {
        return unparseable(
            command,
            format!(
                "the command is {} bytes, over the {} byte limit",
                command.len(),
                MAX_BYTES
            ),
            None,
        );
    }
    if let Some((at, c)) = bad_byte(command) {
        return unparseable(
            command,
            format!("the command contains {}", describe_byte(c)),
            Some(at),
        );
    }
    let parsed = match parse::parse(command, 0) {
        Ok(p) => p,
        Err(e) => {
            return unparseable(
                command,
                format!("the command does not parse: {}", e.message),
                Some(e.at),
            )
        }
    };
    let mut w = walk::Walker::new(command);
    let mut st = walk::State::default();
    w.walk(&parsed, &mut st, &walk::Cx::default());
    let mut a = ShellAnalysis {
        commands: w.commands,
        detections: w.detections,
        normalized: normalized(command),
    };
    invisible_notice(command, &mut a);
    a
}

/// Analyses an argv executed without a shell: no parsing, the same unwrapping and rules.
pub(crate) fn analyze_argv(argv: &[String]) -> ShellAnalysis {
    let joined = argv.join(" ");
    if joined.len() > MAX_BYTES {
        return unparseable(
            &joined,
            format!(
                "the argv is {} bytes, over the {} byte limit",
                joined.len(),
                MAX_BYTES
            ),
            None,
        );
    }
    if let Some((at, c)) = argv
        .iter()
        .find_map(|a| bad_byte(a).filter(|(_, c)| *c != '\n' && *c != '\t'))
    {
        return unparseable(
            &joined,
            format!("the argv contains {}", describe_byte(c)),
            Some(at),
        );
    }
    if argv.is_empty() {
        return ShellAnalysis::default();
    }
    let mut w = walk::Walker::new(&joined);
    let mut st = walk::State::default();
    let mut offset = 0;
    let args: Vec<expand::Arg> = argv
        .iter()
        .map(|a| {
            let span = (offset, offset + a.len());
            offset += a.len() + 1;
            expand::Arg::plain(a.clone(), span)
        })
        .collect();
    let inv = walk::Inv {
        argv: args,
        span: (0, joined.len()),
        ..walk::Inv::default()
    };
    w.run(inv, &mut st, &walk::Cx::default());
    let mut a = ShellAnalysis {
        commands: w.commands,
        detections: w.detections,
        normalized: argv.join("\u{0}"),
    };
    invisible_notice(&joined, &mut a);
    a
}

#[cfg(test)]
mod timing {
    /// Parse-only and full-analysis time per row over the shared shell corpora (when present).
    #[test]
    #[ignore = "timing, run in release with --ignored --nocapture"]
    fn parse_and_analyse_micros() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared");
        let mut rows = Vec::new();
        for f in [
            "corpus/shell.jsonl",
            "external/nl2bash-sample.jsonl",
            "external/dcg-tests.jsonl",
        ] {
            let Ok(text) = std::fs::read_to_string(format!("{root}/{f}")) else {
                continue;
            };
            for line in text.lines() {
                let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
                    continue;
                };
                if let Some(s) = v.get("input").and_then(|i| i.as_str()) {
                    rows.push(s.to_owned());
                }
            }
        }
        if rows.is_empty() {
            return;
        }
        let bytes: usize = rows.iter().map(String::len).sum();
        for (name, f) in [
            (
                "parse",
                (|s: &str| usize::from(super::parse::parse(s, 0).is_ok())) as fn(&str) -> usize,
            ),
            ("analyse", |s: &str| {
                super::analyze_command(s, crate::ShellKind::Bash)
                    .detections
                    .len()
            }),
        ] {
            let mut per_row = Vec::with_capacity(rows.len());
            for r in &rows {
                let start = std::time::Instant::now();
                for _ in 0..50 {
                    std::hint::black_box(f(std::hint::black_box(r)));
                }
                per_row.push(start.elapsed().as_secs_f64() * 1e6 / 50.0);
            }
            let mean = per_row.iter().sum::<f64>() / per_row.len() as f64;
            per_row.sort_by(f64::total_cmp);
            let p50 = per_row.get(per_row.len() / 2).copied().unwrap_or(0.0);
            let p99 = per_row
                .get(per_row.len() * 99 / 100)
                .copied()
                .unwrap_or(0.0);
            println!("{name}: {} rows, mean {} bytes: mean {mean:.2} us, p50 {p50:.2} us, p99 {p99:.2} us", rows.len(), bytes / rows.len());
        }
    }
}
