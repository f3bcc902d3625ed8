//! Subcommands.

pub(crate) mod args;
pub(crate) mod audit;
pub(crate) mod batch;
pub(crate) mod check;
pub(crate) mod mask;
pub(crate) mod policy;
pub(crate) mod rules;

use std::io::Write;

/// Exit codes of `check`.
pub(crate) const EXIT_ALLOW: u8 = 0;
pub(crate) const EXIT_ERROR: u8 = 1;
pub(crate) const EXIT_REVIEW: u8 = 3;
pub(crate) const EXIT_DENY: u8 = 4;

/// Writes a line to stdout, ignoring a closed pipe.
pub(crate) fn print(s: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{s}");
}

/// Writes a line to stderr.
pub(crate) fn eprint(s: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{s}");
}

/// Reads a file, or stdin for `-`.
pub(crate) fn read_input(path: &str) -> Result<String, String> {
    if path == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .map_err(|e| format!("cannot read stdin: {e}"))?;
        Ok(s)
    } else {
        std::fs::read_to_string(path).map_err(|e| format!("cannot read `{path}`: {e}"))
    }
}
