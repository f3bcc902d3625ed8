//! `guardrails batch`: JSONL in, JSONL out, in input order, constant memory, several threads.

use std::io::{BufRead, BufReader, IsTerminal, Read, Write};

use guardrails_core::{wire, Policy};

use super::EXIT_ERROR;

/// Lines decided per chunk; memory is bounded by one chunk per thread.
const CHUNK: usize = 512;
/// Lines decided per chunk when auditing.
const AUDIT_CHUNK: usize = 16;
/// Input buffer: large enough that a file fills whole chunks.
const READ_BUFFER: usize = 1 << 20;

/// Arguments of `batch`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Input file, or `-` for stdin.
    #[arg(default_value = "-")]
    input: String,
    /// Compute decisions but mark them not enforced.
    #[arg(long)]
    monitor: bool,
    /// A policy document (TOML, or JSON when it ends in `.json`) refining the built-in policy.
    #[arg(long, value_name = "FILE")]
    policy: Option<String>,
    /// Worker threads (default: available cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Print a readable table (verdict, rule, input) instead of JSONL.
    #[arg(long)]
    table: bool,
    /// Append an audit record of every decision to this log, in input order.
    #[arg(long, value_name = "FILE")]
    audit: Option<String>,
    /// The audit key file (64 hex digits). Default FILE.key, created (mode 0600) if missing.
    #[arg(long, value_name = "K", requires = "audit")]
    audit_key_file: Option<String>,
    /// When audit records are synced: `record`, every N records (`512`), or every T (`250ms`).
    #[arg(
        long,
        value_name = "WHEN",
        default_value = "record",
        requires = "audit"
    )]
    audit_sync: guardrails_core::audit::Durability,
}

/// A decided line kept for the audit log.
type Audited = Option<
    Box<(
        guardrails_core::Action,
        guardrails_core::Context,
        guardrails_core::Decision,
    )>,
>;

fn decide_line(policy: &Policy, number: usize, line: &str, table: bool) -> (String, bool, Audited) {
    match wire::parse_batch_line(line) {
        Ok(req) => {
            let decision = policy.evaluate(&req.action, &req.context);
            let id = req.id.unwrap_or(serde_json::Value::Null);
            let text = if table {
                crate::render::table_row(&id, &req.action, &req.context, &decision)
            } else {
                format!(
                    "{{\"id\":{},\"decision\":{}}}",
                    id,
                    wire::decision_json(&decision)
                )
            };
            (
                text,
                true,
                Some(Box::new((req.action, req.context, decision))),
            )
        }
        Err(e) => {
            let mut obj = serde_json::Map::new();
            if let Some(id) = wire::salvage_id(line) {
                obj.insert("id".into(), id);
            }
            obj.insert("line".into(), number.into());
            obj.insert("error".into(), e.to_string().into());
            (serde_json::Value::Object(obj).to_string(), false, None)
        }
    }
}

pub(crate) fn run(a: Args) -> Result<u8, String> {
    let mut policy = match &a.policy {
        Some(file) => super::policy::load(file)?,
        None => Policy::builtin(),
    };
    if a.monitor {
        policy = policy.monitor();
    }
    let (input, total): (Box<dyn Read>, Option<u64>) = if a.input == "-" {
        (Box::new(std::io::stdin()), None)
    } else {
        let f =
            std::fs::File::open(&a.input).map_err(|e| format!("cannot open `{}`: {e}", a.input))?;
        let len = f.metadata().map(|m| m.len()).ok();
        (Box::new(f), len)
    };
    let mut reader = BufReader::with_capacity(READ_BUFFER, input);
    let progress = match total {
        Some(len) if std::io::stderr().is_terminal() => {
            let bar = indicatif::ProgressBar::new(len);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:40} {bytes}/{total_bytes} {per_sec} eta {eta}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            Some(bar)
        }
        _ => None,
    };
    let sink = a
        .audit
        .as_deref()
        .map(|log| super::audit::open_sink(log, a.audit_key_file.as_deref(), a.audit_sync))
        .transpose()?;
    let threads = a
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut all_ok = true;
    let mut number = 0usize;
    if a.table {
        writeln!(out, "{}", crate::render::TABLE_HEADER)
            .map_err(|e| format!("cannot write output: {e}"))?;
    }
    // With an audit log, records are acknowledged as soon as they are durable: small chunks.
    let chunk_limit = if sink.is_some() { AUDIT_CHUNK } else { CHUNK };
    let mut eof = false;
    while !eof {
        // A chunk is what is already read, up to CHUNK lines: a client that sends one line and
        // waits for its answer gets it at once; a file is decided in large parallel chunks.
        let mut chunk: Vec<(usize, String)> = Vec::with_capacity(CHUNK);
        loop {
            let mut line = String::new();
            let n = reader
                .read_line(&mut line)
                .map_err(|e| format!("cannot read input: {e}"))?;
            if n == 0 {
                eof = true;
                break;
            }
            number += 1;
            if let Some(bar) = &progress {
                bar.inc(n as u64);
            }
            let line = line.trim_end_matches(['\n', '\r']).to_owned();
            if !line.trim().is_empty() {
                chunk.push((number, line));
            }
            if chunk.len() == chunk_limit || reader.buffer().is_empty() {
                break;
            }
        }
        if chunk.is_empty() {
            continue;
        }
        let results = decide_chunk(&policy, &chunk, threads, a.table);
        for (text, ok, audited) in results {
            if let (Some(sink), Some(rec)) = (&sink, audited) {
                super::audit::record(sink, &rec.0, &rec.1, &rec.2)?;
            }
            all_ok &= ok;
            writeln!(out, "{text}").map_err(|e| format!("cannot write output: {e}"))?;
        }
        out.flush()
            .map_err(|e| format!("cannot write output: {e}"))?;
    }
    out.flush()
        .map_err(|e| format!("cannot write output: {e}"))?;
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    Ok(if all_ok { 0 } else { EXIT_ERROR })
}

fn decide_chunk(
    policy: &Policy,
    chunk: &[(usize, String)],
    threads: usize,
    table: bool,
) -> Vec<(String, bool, Audited)> {
    if threads <= 1 || chunk.len() < 16 {
        return chunk
            .iter()
            .map(|(n, l)| decide_line(policy, *n, l, table))
            .collect();
    }
    let per = chunk.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = chunk
            .chunks(per)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|(n, l)| decide_line(policy, *n, l, table))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join().unwrap_or_else(|_| {
                    vec![(
                        "{\"error\":\"internal error: a worker thread failed\"}".to_owned(),
                        false,
                        None,
                    )]
                })
            })
            .collect()
    })
}
