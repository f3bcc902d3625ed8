//! `guardrails audit`: verify a log, export its head (checkpoint), export it as OCSF; and the
//! `--audit FILE` of `check` and `batch`.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use guardrails_core::audit::{
    segments, to_ocsf, AuditKey, AuditRecord, Durability, FileSink, Head, SinkOptions, Verified,
    Verifier,
};
use guardrails_core::{Action, Context, Decision};

use super::{eprint, print};

/// Exit code of a log that does not verify.
pub(crate) const EXIT_TAMPERED: u8 = 4;

/// Arguments of `audit`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Verify logs: one line verdict. Exit 0 verified, 4 a record is bad (named), 1 error.
    ///
    /// Give the files oldest first; a single FILE with rotated files (FILE.1, FILE.2, ...)
    /// is verified together with them.
    Verify(VerifyArgs),
    /// Verify a log and print its head `SEQ:HASH`, a checkpoint to keep where the log's
    /// writers cannot rewrite it (pass it to `verify --head` later).
    Head(LogArgs),
    /// Verify a log and print its records as OCSF events, one JSON object per line.
    Export(ExportArgs),
}

#[derive(Debug, clap::Args)]
struct LogArgs {
    /// The log file(s), oldest first.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// The key file (64 hex digits). Default: FILE.key when it exists, else the log is
    /// taken to be unkeyed.
    #[arg(long, value_name = "K")]
    key_file: Option<PathBuf>,
    /// Verify records that continue after this checkpoint `SEQ:HASH` (older files archived)
    /// instead of from the start of the chain.
    #[arg(long, value_name = "SEQ:HASH")]
    after: Option<Head>,
}

#[derive(Debug, clap::Args)]
struct VerifyArgs {
    #[command(flatten)]
    log: LogArgs,
    /// A checkpoint `SEQ:HASH` exported earlier (`guardrails audit head`): the chain must reach
    /// it with the same hash, so truncation and rewrites are caught.
    #[arg(long, value_name = "SEQ:HASH")]
    head: Option<Head>,
}

#[derive(Debug, clap::Args)]
struct ExportArgs {
    #[command(flatten)]
    log: LogArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "ocsf")]
    format: Format,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum Format {
    /// OCSF API Activity (class 6003) events.
    Ocsf,
}

pub(crate) fn run(a: Args) -> Result<u8, String> {
    match a.command {
        Command::Verify(v) => {
            let (files, verifier) = prepare(&v.log, v.head)?;
            finish(walk(&files, verifier, |_| Ok(()))?, |verified| {
                let head = verified
                    .head
                    .as_ref()
                    .map_or("none".to_owned(), Head::to_string);
                let n = files.len();
                format!(
                    "ok: {} records verified in {n} file{}, head {head}",
                    verified.count,
                    if n == 1 { "" } else { "s" }
                )
            })
        }
        Command::Head(log) => {
            let (files, verifier) = prepare(&log, None)?;
            finish(walk(&files, verifier, |_| Ok(()))?, |verified| {
                verified
                    .head
                    .as_ref()
                    .map_or("none".to_owned(), Head::to_string)
            })
        }
        Command::Export(e) => {
            let Format::Ocsf = e.format;
            let (files, verifier) = prepare(&e.log, None)?;
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            let result = walk(&files, verifier, |record| {
                writeln!(out, "{}", to_ocsf(record))
                    .map_err(|e| format!("cannot write output: {e}"))
            })?;
            out.flush()
                .map_err(|e| format!("cannot write output: {e}"))?;
            drop(out);
            match result {
                Ok(_) => Ok(0),
                Err(msg) => {
                    eprint(&msg);
                    Ok(EXIT_TAMPERED)
                }
            }
        }
    }
}

fn finish(
    result: Result<Verified, String>,
    ok: impl FnOnce(&Verified) -> String,
) -> Result<u8, String> {
    match result {
        Ok(v) => {
            print(&ok(&v));
            Ok(0)
        }
        Err(msg) => {
            print(&msg);
            Ok(EXIT_TAMPERED)
        }
    }
}

/// The files to read (a single log with rotated files expands to all of them) and a verifier
/// with the key and checkpoints.
fn prepare(log: &LogArgs, head: Option<Head>) -> Result<(Vec<PathBuf>, Verifier), String> {
    let files = match log.files.as_slice() {
        [one] => {
            let mut all = segments(one)
                .map_err(|e| format!("cannot list rotated files of `{}`: {e}", one.display()))?;
            all.push(one.clone());
            all
        }
        many => many.to_vec(),
    };
    let key_path = log.key_file.clone().or_else(|| {
        log.files
            .last()
            .map(|f| default_key_path(f))
            .filter(|p| p.exists())
    });
    let key = key_path
        .map(|p| AuditKey::load(&p).map_err(|e| e.to_string()))
        .transpose()?;
    let mut verifier = Verifier::new(key.as_ref());
    if let Some(after) = &log.after {
        verifier = verifier.starting_after(after.clone());
    }
    if let Some(h) = head {
        verifier = verifier.expect_head(h);
    }
    Ok((files, verifier))
}

/// Feeds every line of every file; calls `each` on every record that verified. The outer
/// error is a failure to read or write, the inner one a chain that does not verify
/// (`FILE:LINE: record N: kind: detail`).
fn walk(
    files: &[PathBuf],
    mut verifier: Verifier,
    mut each: impl FnMut(&AuditRecord) -> Result<(), String>,
) -> Result<Result<Verified, String>, String> {
    let mut starts: Vec<(u64, &Path)> = Vec::with_capacity(files.len());
    let locate = |starts: &[(u64, &Path)], index: u64| -> String {
        match starts.iter().rev().find(|(s, _)| *s <= index) {
            Some((s, p)) => format!("{}:{}: ", p.display(), index - s + 1),
            None => String::new(),
        }
    };
    let mut line = String::new();
    for f in files {
        starts.push((verifier.next_index(), f));
        let file =
            std::fs::File::open(f).map_err(|e| format!("cannot open `{}`: {e}", f.display()))?;
        let mut reader = BufReader::new(file);
        loop {
            line.clear();
            let n = reader
                .read_line(&mut line)
                .map_err(|e| format!("cannot read `{}`: {e}", f.display()))?;
            if n == 0 {
                break;
            }
            let Some(text) = line.strip_suffix('\n') else {
                let e = verifier.torn();
                return Ok(Err(format!("FAILED: {}{e}", locate(&starts, e.index()))));
            };
            match verifier.feed_record(text) {
                Ok(Some(record)) => each(&record)?,
                Ok(None) => {}
                Err(e) => return Ok(Err(format!("FAILED: {}{e}", locate(&starts, e.index())))),
            }
        }
    }
    Ok(verifier
        .finish()
        .map_err(|e| format!("FAILED: {}{e}", locate(&starts, e.index()))))
}

/// The default key file of a log: `FILE.key`.
pub(crate) fn default_key_path(log: &Path) -> PathBuf {
    PathBuf::from(format!("{}.key", log.display()))
}

/// Opens the log of `--audit FILE`, with the key from `--audit-key-file K`, or `FILE.key`,
/// created (mode 0600) when it does not exist. Says on stderr when it creates a key or
/// repairs a line cut short by a crash.
pub(crate) fn open_sink(
    path: &str,
    key_file: Option<&str>,
    durability: Durability,
) -> Result<FileSink, String> {
    let path = Path::new(path);
    let key = match key_file {
        Some(k) => AuditKey::load(Path::new(k)).map_err(|e| e.to_string())?,
        None => {
            let k = default_key_path(path);
            let (key, created) = AuditKey::load_or_create(&k).map_err(|e| e.to_string())?;
            if created {
                eprint(&format!("note: created the audit key `{}` (mode 0600); keep a copy where the log's writers cannot change it", k.display()));
            }
            key
        }
    };
    let sink = FileSink::open(path, Some(key), SinkOptions::durability(durability))
        .map_err(|e| e.to_string())?;
    for r in sink.repairs() {
        eprint(&format!("note: `{}`: removed a last line cut short by an interrupted write ({} bytes at offset {})", path.display(), r.bytes, r.offset));
    }
    Ok(sink)
}

/// Appends one decision to an open sink.
pub(crate) fn record(
    sink: &FileSink,
    action: &Action,
    context: &Context,
    decision: &Decision,
) -> Result<(), String> {
    sink.append(action, context, decision, SystemTime::now())
        .map(|_| ())
        .map_err(|e| format!("cannot write the audit record: {e}"))
}
