//! Interpreter one-liners (`python -c`, `perl -e`, `node -e`, ...): judged by what the code
//! does. The code is scanned for calls, not parsed: commands handed to `system`-like calls are
//! extracted and judged as shell commands, deletions as deletions.

use super::super::expand::Arg;
use super::super::flow::{self, Flow};
use super::super::paths;
use super::super::walk::{Cx, Inv, State, Walker};
use super::unwrap::{run_argv, run_source, run_string};
use crate::finding::Grade::{Deny, Review};

/// Whether a program is a language interpreter.
pub(crate) fn interpreter(p: &str) -> bool {
    lang(p).is_some()
}

fn lang(p: &str) -> Option<&'static str> {
    let base = p.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    Some(match base {
        "python" | "pypy" | "python3-" => "python",
        "perl" => "perl",
        "ruby" | "irb" => "ruby",
        "node" | "nodejs" | "bun" | "deno" => "node",
        "php" => "php",
        "lua" | "luajit" => "lua",
        "Rscript" => "r",
        "tclsh" | "wish" => "tcl",
        "osascript" => "applescript",
        "pwsh" | "powershell" => "powershell",
        _ => return None,
    })
}

/// Dispatches interpreters.
pub(crate) fn judge(w: &mut Walker, inv: &Inv, st: &mut State, cx: &Cx) -> Option<Flow> {
    let prog = inv.program();
    let lang = lang(prog)?;
    let args = inv.args();
    let code_flags: &[&str] = match lang {
        "python" => &["-c"],
        "perl" => &["-e", "-E"],
        "ruby" | "lua" | "r" | "tcl" | "applescript" => &["-e"],
        "node" => &["-e", "--eval", "-p", "--print", "eval"],
        "php" => &["-r"],
        "powershell" => &[
            "-c",
            "-Command",
            "-command",
            "-EncodedCommand",
            "-enc",
            "-e",
        ],
        _ => &[],
    };
    let mut i = 0;
    let mut codes: Vec<&Arg> = Vec::new();
    let mut script: Option<&Arg> = None;
    while let Some(a) = args.get(i) {
        let v = a.value.as_str();
        if code_flags.contains(&v) {
            if let Some(c) = args.get(i + 1) {
                codes.push(c);
            }
            i += 2;
            if lang == "python" {
                break;
            }
            continue;
        }
        if lang == "perl"
            && v.starts_with('-')
            && !v.starts_with("--")
            && v.len() > 2
            && (v.ends_with('e') || v.ends_with('E'))
        {
            if let Some(c) = args.get(i + 1) {
                codes.push(c);
            }
            i += 2;
            continue;
        }
        if lang == "python" && (v == "-m" || v.starts_with("-m")) {
            return Some(Flow::bits(flow::OPAQUE));
        }
        if lang == "node" && (v == "run" || v == "x") && prog == "deno" || prog == "bun" && v == "x"
        {
            if args
                .get(i + 1)
                .is_some_and(|u| u.value.starts_with("http://") || u.value.starts_with("https://"))
            {
                w.hit(
                    "shell.remote-code",
                    Deny,
                    format!("`{prog} run` runs code from a URL"),
                    inv,
                );
            }
            return Some(Flow::bits(flow::OPAQUE));
        }
        if v == "-" || !v.starts_with('-') {
            script = Some(a);
            break;
        }
        if matches!(v, "-W" | "-X" | "-I" | "-r" | "--require" | "-M" | "-Q") && !v.contains('=') {
            i += 1;
        }
        i += 1;
    }
    if !codes.is_empty() {
        for c in codes {
            if c.flow.has(flow::DOWNLOAD) {
                w.hit(
                    "shell.remote-code",
                    Deny,
                    format!("`{prog}` runs code downloaded from the network"),
                    inv,
                );
            }
            if c.flow.has(flow::HIDDEN)
                || lang == "powershell"
                    && args.iter().any(|a| {
                        a.value.to_ascii_lowercase().starts_with("-enc") || a.value == "-e"
                    })
            {
                w.hit(
                    "shell.obfuscated",
                    Deny,
                    format!("`{prog}` runs code that is decoded or assembled when it runs"),
                    inv,
                );
            }
            code(w, inv, lang, &c.value, st, cx);
        }
        return Some(Flow::bits(flow::OPAQUE));
    }
    match script {
        Some(f) if f.value != "-" && f.value != "/dev/stdin" => {
            if f.value.ends_with("manage.py")
                || f.value.ends_with("artisan")
                || f.value.ends_with("console")
            {
                super::kv::migrations(w, inv);
            }
            let before = w.detections.len();
            run_source(w, inv, Some(f), prog, st, cx);
            // A script written earlier in the line is code of this language, not shell.
            if w.detections.len() > before && !f.proc {
                let t = paths::target(f, st.cwd.as_deref(), cx);
                if let Some((_, content)) = t
                    .norm
                    .and_then(|n| st.scripts.iter().find(|(p, _)| *p == n).cloned())
                {
                    w.detections.truncate(before);
                    code(w, inv, lang, &content, st, cx);
                }
            }
        }
        _ => {
            let f = &inv.stdin;
            if f.has(flow::DOWNLOAD) {
                w.hit(
                    "shell.remote-code",
                    Deny,
                    format!("`{prog}` runs code downloaded from the network"),
                    inv,
                );
            }
            if f.has(flow::HIDDEN) {
                w.hit(
                    "shell.obfuscated",
                    Deny,
                    format!("`{prog}` runs code that is decoded or assembled when it runs"),
                    inv,
                );
            }
            if let Some(c) = &f.content {
                code(w, inv, lang, c, st, cx);
            }
        }
    }
    Some(Flow::bits(flow::OPAQUE))
}

fn has_any(code: &str, words: &[&str]) -> bool {
    words.iter().any(|w| code.contains(w))
}

/// Judges interpreter code.
pub(crate) fn code(w: &mut Walker, inv: &Inv, lang: &str, code: &str, st: &mut State, cx: &Cx) {
    let prog = inv.program().to_owned();
    let socket = has_any(
        code,
        &[
            "socket.socket",
            "socket(",
            "Socket",
            "TCPSocket",
            "fsockopen",
            "net.connect",
            "net.Socket",
            "new net.",
            "IO::Socket",
            "/dev/tcp/",
            "socket.create_connection",
            "stream_socket_client",
            "tcp.connect",
            "socket.tcp",
        ],
    );
    let spawn = has_any(
        code,
        &[
            "dup2",
            "pty.spawn",
            "exec(",
            "popen",
            "/bin/sh",
            "/bin/bash",
            "subprocess",
            "spawn(",
            "system(",
            "STDIN",
            "cmd.exe",
            "child_process",
            "execve",
            "proc_open",
            "shell_exec",
            "IO.popen",
            "`",
        ],
    );
    if socket && spawn {
        w.hit(
            "shell.reverse-shell",
            Deny,
            format!("`{prog}` code connects a socket and runs a shell over it"),
            inv,
        );
        return;
    }
    let fetch = has_any(
        code,
        &[
            "urlopen",
            "urllib",
            "requests.get",
            "requests.post",
            "http.get",
            "https.get",
            "fetch(",
            "LWP",
            "open-uri",
            "Net::HTTP",
            "URI.open",
            "URI.parse",
            "file_get_contents('http",
            "file_get_contents(\"http",
            "http.request",
            "httpx.",
            "wget",
            "curl",
            "HTTP::Tiny",
            "Invoke-WebRequest",
            "iwr ",
            "DownloadString",
        ],
    );
    let evals = has_any(
        code,
        &[
            "exec(",
            "eval(",
            "eval ",
            "system(",
            "os.system",
            "subprocess",
            "popen",
            "child_process",
            "spawn(",
            "instance_eval",
            "Function(",
            "loadstring",
            "load(",
            "Invoke-Expression",
            "iex",
            "| sh",
            "| bash",
            "|sh",
            "|bash",
        ],
    );
    if fetch && evals {
        w.hit(
            "shell.remote-code",
            Deny,
            format!("`{prog}` code downloads code and runs it"),
            inv,
        );
    }
    let secret = has_any(
        code,
        &[
            ".ssh/id_",
            ".aws/credentials",
            "/etc/shadow",
            ".kube/config",
            ".git-credentials",
            ".netrc",
            ".pgpass",
            "os.environ",
            "process.env",
            "ENV[",
            "%ENV",
            "getenv(",
        ],
    );
    let sends = has_any(
        code,
        &[
            "requests.post",
            "urlopen",
            "http.request",
            "fetch(",
            "Net::HTTP.post",
            "sendall",
            ".send(",
            "smtplib",
            "post(",
            "PUT",
            "upload",
        ],
    );
    if secret
        && sends
        && has_any(
            code,
            &[
                ".ssh/id_",
                ".aws/credentials",
                "/etc/shadow",
                ".kube/config",
                ".git-credentials",
                ".netrc",
                ".pgpass",
                "os.environ",
                "process.env",
            ],
        )
    {
        w.hit(
            "shell.secret-exfiltration",
            Deny,
            format!("`{prog}` code reads credentials or the environment and sends them"),
            inv,
        );
    } else if has_any(
        code,
        &[
            ".ssh/id_",
            ".aws/credentials",
            "/etc/shadow",
            ".git-credentials",
            ".netrc",
            ".pgpass",
        ],
    ) {
        w.hit(
            "shell.secret-read",
            Review,
            format!("`{prog}` code reads a credentials file"),
            inv,
        );
    }
    if has_any(
        code,
        &[
            "fork()",
            "os.fork",
            "fork;",
            "fork while",
            "while(fork",
            "pcntl_fork",
        ],
    ) && has_any(code, &["while", "for ", "loop", "until"])
    {
        w.hit(
            "shell.resource-exhaustion",
            Deny,
            format!("`{prog}` code forks in a loop"),
            inv,
        );
    }
    for (call, kind) in CALLS {
        if lang == "python"
            && matches!(
                *call,
                "exec(" | "system(" | "popen(" | "unlink(" | "rmtree("
            )
        {
            continue;
        }
        let mut from = 0;
        while let Some(pos) = code.get(from..).and_then(|r| r.find(call)) {
            let at = from + pos + call.len();
            from = at;
            let Some(lits) = literals(code.get(at..).unwrap_or("")) else {
                if matches!(kind, Kind::RmTree) {
                    let unknown = Arg {
                        value: "$(…)".to_owned(),
                        known: false,
                        span: inv.span,
                        ..Arg::default()
                    };
                    let t = paths::target(&unknown, st.cwd.as_deref(), cx);
                    super::fs::recursive_delete(
                        w,
                        inv,
                        &t,
                        &format!("`{prog}` `{}`", call.trim_end_matches('(')),
                    );
                }
                continue;
            };
            match kind {
                Kind::Shell => {
                    let text = if lits.len() == 1 {
                        lits.first().cloned().unwrap_or_default()
                    } else {
                        lits.join(" ")
                    };
                    if lits.len() > 1 && !call.contains("system") {
                        let argv: Vec<Arg> = lits
                            .iter()
                            .map(|l| Arg::plain(l.clone(), inv.span))
                            .collect();
                        run_argv(
                            w,
                            inv,
                            argv,
                            &format!("{prog} {}", call.trim_end_matches('(')),
                            st,
                            cx,
                        );
                    } else if super::super::parse::parse(&text, cx.depth + 1).is_ok() {
                        let a = Arg::plain(text, inv.span);
                        run_string(
                            w,
                            inv,
                            &a,
                            &[],
                            &format!("{prog} {}", call.trim_end_matches('(')),
                            st,
                            cx,
                        );
                    }
                }
                Kind::RmTree | Kind::Remove => {
                    let Some(p) = lits.first() else { continue };
                    let a = Arg::plain(p.clone(), inv.span);
                    let t = paths::target(&a, st.cwd.as_deref(), cx);
                    let how = format!("`{prog}` `{}`", call.trim_end_matches('('));
                    if matches!(kind, Kind::RmTree) {
                        super::fs::recursive_delete(w, inv, &t, &how);
                    } else {
                        super::fs::file_delete(w, inv, &t, &how);
                    }
                }
            }
        }
    }
    if lang == "awk" {
        // `print | "cmd"` and `"cmd" | getline` run commands too.
        if code.contains("| \"")
            || code.contains("|\"")
            || code.contains("\" |") && code.contains("getline")
        {
            w.hit(
                "shell.obfuscated",
                Review,
                "`awk` runs a command built from its input".to_owned(),
                inv,
            );
        }
    }
}

#[derive(Clone, Copy)]
enum Kind {
    Shell,
    RmTree,
    Remove,
}

const CALLS: &[(&str, Kind)] = &[
    ("os.system(", Kind::Shell),
    ("os.popen(", Kind::Shell),
    ("subprocess.run(", Kind::Shell),
    ("subprocess.call(", Kind::Shell),
    ("subprocess.Popen(", Kind::Shell),
    ("subprocess.check_call(", Kind::Shell),
    ("subprocess.check_output(", Kind::Shell),
    ("subprocess.getoutput(", Kind::Shell),
    ("execSync(", Kind::Shell),
    ("exec(", Kind::Shell),
    ("spawnSync(", Kind::Shell),
    ("system(", Kind::Shell),
    ("shell_exec(", Kind::Shell),
    ("passthru(", Kind::Shell),
    ("popen(", Kind::Shell),
    ("os.execute(", Kind::Shell),
    ("io.popen(", Kind::Shell),
    ("IO.popen(", Kind::Shell),
    ("qx(", Kind::Shell),
    ("qx{", Kind::Shell),
    ("%x(", Kind::Shell),
    ("shutil.rmtree(", Kind::RmTree),
    ("rmtree(", Kind::RmTree),
    ("rm_rf(", Kind::RmTree),
    ("FileUtils.rm_r(", Kind::RmTree),
    ("rmSync(", Kind::RmTree),
    ("fs.rm(", Kind::RmTree),
    ("rimraf(", Kind::RmTree),
    ("os.removedirs(", Kind::RmTree),
    ("remove_dir_all(", Kind::RmTree),
    ("os.remove(", Kind::Remove),
    ("os.unlink(", Kind::Remove),
    ("unlink(", Kind::Remove),
    ("unlinkSync(", Kind::Remove),
    ("File.delete(", Kind::Remove),
    ("os.rmdir(", Kind::Remove),
];

/// String literals at the start of a call's arguments: one string, or a list of strings.
fn literals(s: &str) -> Option<Vec<String>> {
    let s = s.trim_start();
    let s = s
        .strip_prefix('[')
        .or_else(|| s.strip_prefix('('))
        .map(str::trim_start)
        .map_or((s, false), |r| (r, true));
    let (mut rest, list) = s;
    let mut out = Vec::new();
    loop {
        rest = rest
            .trim_start()
            .trim_start_matches(['r', 'b', 'f', 'u'])
            .trim_start();
        let q = rest.chars().next()?;
        if !matches!(q, '\'' | '"' | '`') {
            return if out.is_empty() { None } else { Some(out) };
        }
        let body = rest.get(1..)?;
        let mut lit = String::new();
        let mut end = None;
        let mut esc = false;
        for (i, c) in body.char_indices() {
            if esc {
                lit.push(match c {
                    'n' => '\n',
                    't' => '\t',
                    c => c,
                });
                esc = false;
            } else if c == '\\' {
                esc = true;
            } else if c == q {
                end = Some(i);
                break;
            } else {
                lit.push(c);
            }
        }
        let end = end?;
        out.push(lit);
        rest = body.get(end + 1..)?.trim_start();
        if !list || !rest.starts_with(',') {
            return Some(out);
        }
        rest = rest.get(1..)?;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn literals() {
        assert_eq!(super::literals("'rm -rf /')").unwrap(), vec!["rm -rf /"]);
        assert_eq!(
            super::literals("[\"rm\", \"-rf\", \"/x\"])").unwrap(),
            vec!["rm", "-rf", "/x"]
        );
        assert!(super::literals("cmd)").is_none());
    }
}
