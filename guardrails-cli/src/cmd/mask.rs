//! `guardrails mask`: masks sensitive values in text, JSON lines or CSV, streaming.

use std::io::{BufRead, BufReader, BufWriter, Read, Write};

use guardrails_core::mask::{Masker, Strategy};
use serde_json::Value;

/// Input formats of `mask`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// Free text: every detected value is masked.
    #[default]
    Text,
    /// One JSON value per line: members the catalogue names are masked whole, other strings
    /// go through the detectors. A line that is not JSON is masked as text.
    Jsonl,
    /// CSV with a header row: columns the catalogue names are masked whole, other cells go
    /// through the detectors. Quoted fields may not span lines.
    Csv,
}

/// Arguments of `mask`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Input format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// One strategy for every value: redact, partial[:LAST | :FIRST:LAST], hash, null,
    /// format-preserving, fixed:TEXT. Default: the catalogue's (redact).
    #[arg(long, value_parser = parse_strategy)]
    strategy: Option<Strategy>,
    /// Key of the hash and format-preserving strategies: 64 hexadecimal characters.
    #[arg(long, value_name = "HEX", value_parser = parse_key)]
    key: Option<[u8; 32]>,
    /// The file to mask, or `-` for standard input.
    #[arg(default_value = "-")]
    file: String,
}

fn parse_strategy(s: &str) -> Result<Strategy, String> {
    Strategy::parse(s).map_err(|e| e.to_string())
}

fn parse_key(s: &str) -> Result<[u8; 32], String> {
    let bad = || {
        format!(
            "key `{}…` must be 64 hexadecimal characters",
            s.chars().take(4).collect::<String>()
        )
    };
    if s.len() != 64 {
        return Err(bad());
    }
    let mut key = [0u8; 32];
    for (i, slot) in key.iter_mut().enumerate() {
        *slot = s
            .get(2 * i..2 * i + 2)
            .and_then(|p| u8::from_str_radix(p, 16).ok())
            .ok_or_else(bad)?;
    }
    Ok(key)
}

/// Runs `mask`; exit 0 on success, 1 on a read or write error.
pub(crate) fn run(args: Args) -> Result<u8, String> {
    let mut masker = Masker::default();
    if let Some(s) = args.strategy {
        masker = masker.with_strategy(s);
    }
    if let Some(k) = args.key {
        masker = masker.with_key(k);
    }
    let input: Box<dyn Read> = if args.file == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(
            std::fs::File::open(&args.file)
                .map_err(|e| format!("cannot read `{}`: {e}", args.file))?,
        )
    };
    let reader = BufReader::with_capacity(64 * 1024, input);
    let stdout = std::io::stdout().lock();
    let mut out = BufWriter::with_capacity(64 * 1024, stdout);
    let io = |e: std::io::Error| format!("cannot mask `{}`: {e}", args.file);
    match args.format {
        Format::Text => {
            masker.mask_reader(reader, &mut out).map_err(io)?;
        }
        Format::Jsonl => jsonl(&masker, reader, &mut out).map_err(io)?,
        Format::Csv => csv(&masker.detect_values(true), reader, &mut out).map_err(io)?,
    }
    out.flush().map_err(io)?;
    Ok(super::EXIT_ALLOW)
}

fn lines<R: BufRead>(reader: R) -> impl Iterator<Item = std::io::Result<String>> {
    reader.split(b'\n').map(|l| {
        l.map(|b| {
            String::from_utf8_lossy(&b)
                .trim_end_matches('\r')
                .to_owned()
        })
    })
}

fn jsonl<R: BufRead, W: Write>(masker: &Masker, reader: R, out: &mut W) -> std::io::Result<()> {
    for line in lines(reader) {
        let line = line?;
        let masked = match serde_json::from_str::<Value>(&line) {
            Ok(v) => masker.mask_json(&v).to_string(),
            Err(_) => masker.mask_text(&line),
        };
        writeln!(out, "{masked}")?;
    }
    Ok(())
}

fn csv<R: BufRead, W: Write>(masker: &Masker, reader: R, out: &mut W) -> std::io::Result<()> {
    let mut header: Option<Vec<String>> = None;
    for line in lines(reader) {
        let cells = split_csv(&line?);
        let Some(columns) = &header else {
            writeln!(out, "{}", join_csv(&cells))?;
            header = Some(cells);
            continue;
        };
        let values: Vec<Value> = cells.into_iter().map(Value::String).collect();
        let masked: Vec<String> = masker
            .mask_row(columns, &values)
            .into_iter()
            .map(|v| match v {
                Value::String(s) => s,
                Value::Null => String::new(),
                other => other.to_string(),
            })
            .collect();
        writeln!(out, "{}", join_csv(&masked))?;
    }
    Ok(())
}

/// Splits one CSV line (RFC 4180 quoting, no embedded line breaks).
fn split_csv(line: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', true) => quoted = false,
            ('"', false) if cur.is_empty() => quoted = true,
            (',', false) => cells.push(std::mem::take(&mut cur)),
            (c, _) => cur.push(c),
        }
    }
    cells.push(cur);
    cells
}

fn join_csv(cells: &[String]) -> String {
    cells
        .iter()
        .map(|c| {
            if c.contains([',', '"', '\n']) {
                format!("\"{}\"", c.replace('"', "\"\""))
            } else {
                c.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_masks_named_columns_and_detected_values() {
        let input = "id,email,note\n1,a@b.io,\"call +1 415 555 0100, later\"\n2,,plain\n";
        let mut out = Vec::new();
        csv(
            &Masker::default().detect_values(true),
            input.as_bytes(),
            &mut out,
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "id,email,note\n1,[email],\"call [phone], later\"\n2,[email],plain\n"
        );
    }

    #[test]
    fn jsonl_masks_json_and_falls_back_to_text() {
        let input = "{\"ssn\":\"536-22-1234\",\"n\":1}\nnot json bob@example.com\n";
        let mut out = Vec::new();
        jsonl(&Masker::default(), input.as_bytes(), &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"n\":1,\"ssn\":\"[ssn]\"}\nnot json [email]\n"
        );
    }

    #[test]
    fn keys_and_strategies_parse() {
        assert!(parse_key(&"0a".repeat(32)).is_ok());
        assert_eq!(
            parse_key("xyz").unwrap_err(),
            "key `xyz…` must be 64 hexadecimal characters"
        );
        assert_eq!(
            parse_strategy("nope").unwrap_err(),
            "unknown masking strategy `nope`"
        );
    }
}
