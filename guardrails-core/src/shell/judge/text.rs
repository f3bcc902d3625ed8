//! Programs that produce, transform or read text: what they put into the pipe (echo, printf,
//! decoders, readers and filters, archives).

use super::super::expand::Arg;
use super::super::flow::{self, Flow};
use super::super::paths;
use super::super::walk::{Cx, Inv, State, Walker};
use super::fs::{file_flow, secret_path};
use super::Opts;

const SECRET_WORDS: &[&str] = &[
    "secret",
    "token",
    "pass",
    "key",
    "cred",
    "auth",
    "aws",
    "api",
    "private",
    "session",
    "cookie",
    "dsn",
    "database_url",
    "conn",
];

fn secretish(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    SECRET_WORDS.iter().any(|w| l.contains(w))
}

/// Dispatches text programs.
pub(crate) fn judge(w: &mut Walker, inv: &Inv, st: &mut State, cx: &Cx) -> Option<Flow> {
    let prog = inv.program();
    let args = inv.args();
    let stdin = &inv.stdin;
    let mut arg_flow = Flow::default();
    for a in args {
        arg_flow.merge(&a.flow.opaque());
    }
    Some(match prog {
        "echo" => {
            let mut words = args;
            let mut escapes = false;
            while let Some(f) = words.first().filter(|a| {
                a.value.starts_with('-')
                    && a.value.len() > 1
                    && a.value
                        .chars()
                        .skip(1)
                        .all(|c| matches!(c, 'n' | 'e' | 'E'))
            }) {
                escapes |= f.value.contains('e');
                words = words.get(1..).unwrap_or(&[]);
            }
            let mut text = words
                .iter()
                .map(|a| a.value.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            let mut bits = arg_flow.bits & !flow::OPAQUE;
            if escapes && (text.contains("\\x") || text.contains("\\0")) {
                text = unescape(&text);
                bits |= flow::ASSEMBLED;
            }
            text.push('\n');
            let known = words.iter().all(|a| a.known);
            Flow {
                bits: bits | if known { 0 } else { flow::OPAQUE },
                content: known.then_some(text),
                paths: None,
            }
        }
        "printf" => {
            let o: Vec<&Arg> = args.iter().filter(|a| a.value != "--").collect();
            let (fmt, rest) = match o.split_first() {
                Some((f, r)) if f.value == "-v" => {
                    (r.get(1).copied(), r.get(2..).unwrap_or(&[]).to_vec())
                }
                Some((f, r)) => (Some(*f), r.to_vec()),
                None => (None, Vec::new()),
            };
            let Some(fmt) = fmt else {
                return Some(Flow::default());
            };
            let escapes = fmt.value.contains("\\x")
                || fmt
                    .value
                    .chars()
                    .zip(fmt.value.chars().skip(1))
                    .any(|(a, b)| a == '\\' && b.is_ascii_digit())
                || fmt.value.contains("%b")
                || fmt.value.contains("%c");
            let pieces = fmt.value.matches('%').count() >= 1 && !rest.is_empty();
            let text = printf(
                &fmt.value,
                &rest.iter().map(|a| a.value.as_str()).collect::<Vec<_>>(),
            );
            let known = fmt.known && rest.iter().all(|a| a.known);
            let mut bits = arg_flow.bits & !flow::OPAQUE;
            if escapes || pieces {
                bits |= flow::ASSEMBLED;
            }
            Flow {
                bits: bits | if known { 0 } else { flow::OPAQUE },
                content: known.then_some(text),
                paths: None,
            }
        }
        "base64" | "base32" | "basenc" | "uudecode" | "b64decode" => {
            let decode = prog == "uudecode"
                || prog == "b64decode"
                || args
                    .iter()
                    .any(|a| matches!(a.value.as_str(), "-d" | "--decode" | "-D" | "-di" | "-id"));
            let input = match args.iter().find(|a| !a.value.starts_with('-')) {
                Some(f) => file_flow(f, st, cx),
                None => stdin.clone(),
            };
            if decode {
                let content = input.content.as_deref().and_then(b64_decode);
                Flow {
                    bits: input.bits | flow::DECODED,
                    content,
                    paths: None,
                }
            } else {
                input.opaque()
            }
        }
        "xxd" | "hexdump" | "od" => {
            let reverse = args
                .iter()
                .any(|a| a.value.starts_with("-r") || a.value == "-revert");
            if reverse {
                let content = stdin.content.as_deref().and_then(hex_decode);
                Flow {
                    bits: stdin.bits | flow::DECODED,
                    content,
                    paths: None,
                }
            } else {
                reader(args, stdin, st, cx, 0).opaque()
            }
        }
        "rev" => {
            let content = stdin.content.as_deref().map(|c| {
                c.lines()
                    .map(|l| l.chars().rev().collect::<String>())
                    .collect::<Vec<_>>()
                    .join("\n")
            });
            let decoded = if content.is_some() { flow::DECODED } else { 0 };
            Flow {
                bits: stdin.bits | decoded,
                content,
                paths: None,
            }
        }
        "tr" => {
            let decoded = if stdin.content.is_some()
                && args.iter().filter(|a| !a.value.starts_with('-')).count() >= 2
            {
                flow::DECODED
            } else {
                0
            };
            Flow {
                bits: stdin.bits | decoded,
                content: None,
                paths: None,
            }
        }
        "gunzip" | "zcat" | "bunzip2" | "bzcat" | "unxz" | "xzcat" | "unzstd" | "zstdcat"
        | "uncompress" | "lz4cat" | "unlzma" | "brotli" | "lzcat" => Flow {
            bits: stdin.bits | flow::DECODED,
            content: None,
            paths: None,
        },
        "gzip" | "bzip2" | "xz" | "zstd" | "lz4" => {
            if args.iter().any(|a| {
                a.value == "-d"
                    || a.value == "--decompress"
                    || a.value.starts_with("-d") && a.value.len() <= 4
            }) {
                Flow {
                    bits: stdin.bits | flow::DECODED,
                    content: None,
                    paths: None,
                }
            } else {
                let keeps = args.iter().any(|a| {
                    matches!(
                        a.value.as_str(),
                        "-c" | "-k" | "--keep" | "--stdout" | "-l" | "-t"
                    )
                });
                let bulk = args.iter().any(|a| {
                    !a.value.starts_with('-')
                        && (a.glob || !a.known)
                        && paths::target(a, st.cwd.as_deref(), cx).zone != paths::Zone::Temp
                });
                if bulk && !keeps {
                    w.hit(
                        "shell.file-delete",
                        crate::finding::Grade::Review,
                        format!("`{prog}` replaces every matching file with a compressed copy"),
                        inv,
                    );
                }
                reader(args, stdin, st, cx, 0).opaque()
            }
        }
        "cat" | "tac" | "less" | "more" | "head" | "tail" | "bat" | "batcat" | "nl" | "strings"
        | "view" | "zless" | "zmore" | "column" | "fold" | "fmt" | "paste" | "iconv"
        | "dos2unix" | "unix2dos" | "pr" | "expand" | "unexpand" => {
            let o = Opts::parse(
                args,
                &[
                    "-n", "-c", "--lines", "--bytes", "-s", "-t", "-d", "-f", "-w", "-b",
                ],
            );
            if matches!(prog, "head" | "tail")
                && o.has(&["-f", "-F", "--follow"])
                && o.pos.is_empty()
            {
                return Some(stdin.clone());
            }
            let one = matches!(prog, "head" | "tail")
                && (o.has(&["-1"])
                    || o.value(&["-n", "--lines"])
                        .is_some_and(|n| n.trim_start_matches(['+', '-']) == "1"));
            if one && o.pos.is_empty() {
                if let Some(p) = &stdin.paths {
                    let dir = p.rsplit_once('/').map_or(".", |(d, _)| d);
                    return Some(Flow {
                        bits: stdin.bits,
                        content: None,
                        paths: Some(format!("{dir}/one-match")),
                    });
                }
            }
            files_or_stdin(&o.pos, stdin, st, cx)
        }
        "sort" | "uniq" | "cut" | "comm" | "join" | "diff" | "cmp" | "colordiff" | "shuf" => {
            let o = Opts::parse(
                args,
                &[
                    "-k", "-t", "-d", "-f", "-c", "-o", "-S", "-T", "--key", "-n",
                ],
            );
            files_or_stdin(&o.pos, stdin, st, cx).filtered()
        }
        "grep" | "egrep" | "fgrep" | "rg" | "ag" | "ack" | "zgrep" | "sed" | "awk" | "gawk"
        | "mawk" | "jq" | "yq" | "gojq" | "jaq" | "xq" => {
            let takes = [
                "-e",
                "-f",
                "-m",
                "-A",
                "-B",
                "-C",
                "--regexp",
                "--file",
                "--include",
                "--exclude",
                "--exclude-dir",
                "-g",
                "--glob",
                "-t",
                "--type",
                "-T",
                "-F",
                "-v",
                "--arg",
                "--argjson",
                "-r",
            ];
            let takes: &[&str] = if matches!(prog, "awk" | "gawk" | "mawk") {
                &["-F", "-v", "-f"]
            } else if matches!(prog, "jq" | "yq" | "gojq" | "jaq" | "xq") {
                &["--arg", "--argjson", "--slurpfile", "--rawfile", "--indent"]
            } else {
                takes.get(..16).unwrap_or(&takes)
            };
            let o = Opts::parse(args, takes);
            let pattern_given = o.value(&["-e", "-f", "--regexp", "--file"]).is_some();
            let (pattern, files): (String, Vec<&Arg>) = if pattern_given
                || matches!(prog, "jq" | "yq" | "gojq" | "jaq" | "xq") && o.pos.is_empty()
            {
                (
                    o.value(&["-e", "--regexp"]).unwrap_or_default(),
                    o.pos.clone(),
                )
            } else {
                (
                    o.pos.first().map(|a| a.value.clone()).unwrap_or_default(),
                    o.pos.iter().skip(1).copied().collect(),
                )
            };
            if matches!(prog, "awk" | "gawk" | "mawk") {
                super::interp::code(w, inv, "awk", &pattern, st, cx);
            }
            let recursive = matches!(prog, "grep" | "egrep" | "fgrep" | "zgrep")
                && o.has(&["-r", "-R", "--recursive"])
                || matches!(prog, "rg" | "ag" | "ack");
            let mut out = if files.is_empty() && !recursive {
                stdin.clone()
            } else {
                files_or_stdin(&files, &Flow::default(), st, cx)
            };
            if out.has(flow::ENV)
                && !secretish(&pattern)
                && matches!(prog, "grep" | "egrep" | "fgrep" | "rg" | "ag")
                && !o.has(&["-v", "--invert-match"])
            {
                out.bits &= !flow::ENV;
            }
            if o.has(&[
                "-c",
                "--count",
                "-l",
                "--files-with-matches",
                "-q",
                "--quiet",
            ]) {
                out.bits &= !flow::SENSITIVE;
            }
            out.filtered()
        }
        "wc" | "md5sum" | "sha1sum" | "sha256sum" | "sha512sum" | "cksum" | "b2sum" | "file"
        | "stat" | "test" | "[" | "[[" | "true" | "false" | ":" | "du" | "df" => {
            Flow::bits(flow::OPAQUE)
        }
        "whoami" | "id" | "hostname" | "uname" | "logname" | "groups" | "users" | "who" | "w"
        | "last" => Flow::bits(flow::IDENTITY | flow::OPAQUE),
        "printenv" => {
            let names: Vec<&Arg> = args.iter().filter(|a| !a.value.starts_with('-')).collect();
            if names.is_empty() {
                Flow::bits(flow::ENV)
            } else if names.iter().any(|a| secretish(&a.value)) {
                Flow::bits(flow::SECRET)
            } else {
                Flow::bits(flow::OPAQUE)
            }
        }
        "tar" | "zip" | "7z" | "7za" | "rar" | "cpio" | "pax" => archive(inv, st, cx),
        _ => return None,
    })
}

fn files_or_stdin(files: &[&Arg], stdin: &Flow, st: &State, cx: &Cx) -> Flow {
    let files: Vec<&&Arg> = files.iter().filter(|a| a.value != "-").collect();
    if files.is_empty() {
        return stdin.clone();
    }
    let mut out = Flow::default();
    for f in files {
        out.merge(&file_flow(f, st, cx));
    }
    out
}

fn reader(args: &[Arg], stdin: &Flow, st: &State, cx: &Cx, skip: usize) -> Flow {
    let files: Vec<&Arg> = args
        .iter()
        .filter(|a| !a.value.starts_with('-'))
        .skip(skip)
        .collect();
    files_or_stdin(&files, stdin, st, cx)
}

fn archive(inv: &Inv, st: &State, cx: &Cx) -> Flow {
    let args = inv.args();
    let first = args.first().map_or("", |a| a.value.as_str());
    let create = first.trim_start_matches('-').starts_with('c')
        || first.trim_start_matches('-').contains('c') && !first.contains('x')
        || args.iter().any(|a| a.is("--create") || a.is("-c"));
    let to_stdout = args.windows(2).any(|p| {
        p.first().is_some_and(|f| f.value.ends_with('f')) && p.get(1).is_some_and(|x| x.is("-"))
    }) || inv.program() == "zip" && args.iter().any(|a| a.is("-"));
    if !(create && to_stdout) {
        return Flow::bits(flow::OPAQUE);
    }
    let mut bits = flow::DATA;
    for a in args.iter().skip(1).filter(|a| !a.value.starts_with('-')) {
        let t = paths::target(a, st.cwd.as_deref(), cx);
        if secret_path(&t)
            || matches!(t.zone, paths::Zone::HomeSecret | paths::Zone::Home)
            || a.value.contains(".ssh")
            || a.value.contains(".aws")
            || a.value.contains(".gnupg")
        {
            bits |= flow::SECRET;
        }
        if matches!(t.zone, paths::Zone::DbData)
            || a.value.contains("backup")
            || a.value.ends_with(".sql")
        {
            bits |= flow::DUMP;
        }
    }
    Flow::bits(bits)
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('\\') => out.push('\\'),
            Some('x') => {
                let mut v = 0u32;
                let mut n = 0;
                while n < 2 {
                    let Some(d) = it.peek().and_then(|c| c.to_digit(16)) else {
                        break;
                    };
                    v = v * 16 + d;
                    it.next();
                    n += 1;
                }
                out.push(char::from_u32(v).unwrap_or('?'));
            }
            Some(d) if d.is_digit(8) => {
                let mut v = d.to_digit(8).unwrap_or(0);
                let mut n = 1;
                while n < 4 {
                    let Some(d) = it.peek().and_then(|c| c.to_digit(8)) else {
                        break;
                    };
                    v = v * 8 + d;
                    it.next();
                    n += 1;
                }
                out.push(char::from_u32(v).unwrap_or('?'));
            }
            Some(o) => {
                out.push('\\');
                out.push(o);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// A small printf: `%s`, `%b`, `%d`, `%c`, `%%` and backslash escapes; the format is reused
/// while arguments remain.
fn printf(fmt: &str, args: &[&str]) -> String {
    let fmt = unescape(fmt);
    let mut out = String::new();
    let mut i = 0;
    loop {
        let mut chars = fmt.chars().peekable();
        let mut used = false;
        while let Some(c) = chars.next() {
            if c != '%' {
                out.push(c);
                continue;
            }
            // Skip flags and width.
            while chars
                .peek()
                .is_some_and(|c| c.is_ascii_digit() || matches!(c, '-' | '.' | '+' | ' ' | '#'))
            {
                chars.next();
            }
            match chars.next() {
                Some('%') => out.push('%'),
                Some('b') => {
                    out.push_str(&unescape(args.get(i).copied().unwrap_or("")));
                    i += 1;
                    used = true;
                }
                Some('c') => {
                    out.extend(args.get(i).and_then(|a| a.chars().next()));
                    i += 1;
                    used = true;
                }
                Some(_) => {
                    out.push_str(args.get(i).copied().unwrap_or(""));
                    i += 1;
                    used = true;
                }
                None => out.push('%'),
            }
        }
        if !used || i >= args.len() || out.len() > 1 << 16 {
            break;
        }
    }
    out
}

/// Decodes standard base64 (whitespace ignored); `None` if it is not base64 or not text.
pub(crate) fn b64_decode(s: &str) -> Option<String> {
    let mut bytes = Vec::new();
    let mut acc: u32 = 0;
    let mut bits = 0;
    for c in s.chars().filter(|c| !c.is_whitespace()) {
        let v = match c {
            'A'..='Z' => c as u32 - 'A' as u32,
            'a'..='z' => c as u32 - 'a' as u32 + 26,
            '0'..='9' => c as u32 - '0' as u32 + 52,
            '+' | '-' => 62,
            '/' | '_' => 63,
            '=' => break,
            _ => return None,
        };
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            bytes.push(((acc >> bits) & 0xff) as u8);
        }
    }
    String::from_utf8(bytes).ok()
}

fn hex_decode(s: &str) -> Option<String> {
    let digits: Vec<u32> = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_digit(16))
        .collect::<Option<Vec<_>>>()?;
    let bytes: Vec<u8> = digits
        .chunks(2)
        .map(|p| (p.first().copied().unwrap_or(0) * 16 + p.get(1).copied().unwrap_or(0)) as u8)
        .collect();
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn decoders() {
        assert_eq!(super::b64_decode("cmVib290").as_deref(), Some("reboot"));
        assert_eq!(super::hex_decode("726d").as_deref(), Some("rm"));
        assert_eq!(
            super::printf("r%s -r%s %s", &["m", "f", "/srv"]),
            "rm -rf /srv"
        );
        assert_eq!(super::printf("\\x72\\x6d", &[]), "rm");
    }
}
