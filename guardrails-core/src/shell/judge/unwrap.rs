//! Wrappers: commands that run another command (`sudo`, `env`, `timeout`, `xargs`, `sh -c`,
//! `eval`, `ssh HOST CMD`, ...). The inner command is judged like any other; text handed to a
//! shell is parsed again (bounded by the same nesting limit).

use super::super::expand::Arg;
use super::super::flow::{self, Flow};
use super::super::paths;
use super::super::walk::{Cx, Inv, State, Walker};
use super::Opts;
use crate::finding::Grade;

/// Wrappers (and shell strings) nested deeper than this are not unwrapped (`shell.unparseable`).
pub(crate) const MAX_WRAPPERS: usize = 16;

/// Shells that take `-c STRING` or read a script.
pub(crate) const SHELLS: &[&str] = &[
    "sh",
    "bash",
    "zsh",
    "dash",
    "ksh",
    "ash",
    "mksh",
    "fish",
    "rbash",
    "busybox-sh",
    "tcsh",
    "csh",
];

/// Runs an inner argv as a nested command.
pub(crate) fn run_argv(
    w: &mut Walker,
    inv: &Inv,
    argv: Vec<Arg>,
    label: &str,
    st: &mut State,
    cx: &Cx,
) -> Flow {
    if argv.is_empty() {
        return Flow::bits(flow::OPAQUE);
    }
    let mut cx = cx.clone();
    cx.depth += 1;
    cx.wrappers.push(label.to_owned());
    cx.stdin = inv.stdin.clone();
    let inner = Inv {
        argv,
        redirs: Vec::new(),
        assigns: Vec::new(),
        span: inv.span,
        stdin: inv.stdin.clone(),
        index: 0,
    };
    if cx.depth > super::super::parse::MAX_NESTING || cx.wrappers.len() > MAX_WRAPPERS {
        w.hit(
            "shell.unparseable",
            Grade::Deny,
            format!("commands wrapped more than {MAX_WRAPPERS} levels deep"),
            inv,
        );
        return Flow::bits(flow::OPAQUE);
    }
    w.run(inner, st, &cx)
}

/// Runs text handed to a shell (`sh -c`, `eval`, `ssh HOST CMD`, `su -c`, a script piped in).
/// `positional` are `$0`, `$1`, ... for the inner script.
pub(crate) fn run_string(
    w: &mut Walker,
    inv: &Inv,
    text: &Arg,
    positional: &[Arg],
    label: &str,
    st: &mut State,
    cx: &Cx,
) -> Flow {
    let what = format!("`{label}`");
    if text.flow.has(flow::DOWNLOAD) {
        w.hit(
            "shell.remote-code",
            Grade::Deny,
            format!("{what} runs code downloaded from the network"),
            inv,
        );
    }
    if text.flow.has(flow::HIDDEN) {
        w.hit(
            "shell.obfuscated",
            Grade::Deny,
            format!("{what} runs code that is decoded or assembled when it runs"),
            inv,
        );
    }
    if text.value.trim() == "$(…)" && !text.known {
        // `eval "$(tool init -)"`: the output of a tool, run as the tool intends.
        return Flow::bits(flow::OPAQUE);
    }
    let depth = cx.depth + 1;
    if cx.wrappers.len() >= MAX_WRAPPERS {
        w.hit(
            "shell.unparseable",
            Grade::Deny,
            format!("commands wrapped more than {MAX_WRAPPERS} levels deep"),
            inv,
        );
        return Flow::bits(flow::OPAQUE);
    }
    if !w.spend(text.value.len(), inv.span) {
        return Flow::bits(flow::OPAQUE);
    }
    let parsed = match super::super::parse::parse(&text.value, depth) {
        Ok(p) => p,
        Err(e) => {
            let msg = if e.message.starts_with("nesting deeper") {
                format!("{what} nests commands too deeply: {}", e.message)
            } else {
                format!("the text handed to {what} does not parse: {}", e.message)
            };
            w.hit("shell.unparseable", Grade::Deny, msg, inv);
            return Flow::bits(flow::OPAQUE);
        }
    };
    let mut cx = cx.clone();
    cx.depth = depth;
    cx.wrappers.push(label.to_owned());
    cx.clamp = Some(inv.span);
    cx.stdin = inv.stdin.clone();
    let mut sub = st.clone();
    for (i, p) in positional.iter().enumerate() {
        sub.set(&i.to_string(), p);
    }
    if !positional.is_empty() {
        let mut all = Arg {
            known: positional.iter().skip(1).all(|a| a.known),
            ..Arg::default()
        };
        all.value = positional
            .iter()
            .skip(1)
            .map(|a| a.value.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        sub.set("@", &all);
        sub.set("*", &all);
    }
    let out = w.walk(&parsed, &mut sub, &cx);
    st.downloaded = sub.downloaded;
    out
}

/// Joins words into one shell text (`eval a b`, `ssh host a b`, `watch a b`).
pub(crate) fn join(args: &[&Arg]) -> Arg {
    let mut out = Arg {
        known: true,
        ..Arg::default()
    };
    let mut first = true;
    for a in args {
        if !first {
            out.value.push(' ');
        }
        first = false;
        out.value.push_str(&a.value);
        out.known &= a.known;
        out.flow.merge(&a.flow.opaque());
        out.span = a.span;
    }
    out
}

/// Runs what a shell reads from a script file, a process substitution or standard input.
pub(crate) fn run_source(
    w: &mut Walker,
    inv: &Inv,
    file: Option<&Arg>,
    label: &str,
    st: &mut State,
    cx: &Cx,
) -> Flow {
    let flow_in = match file {
        Some(f) if f.proc => f.flow.clone(),
        Some(f) => {
            let t = paths::target(f, st.cwd.as_deref(), cx);
            if let Some(n) = &t.norm {
                if st.downloaded.contains(n) {
                    w.hit(
                        "shell.remote-code",
                        Grade::Deny,
                        format!(
                            "`{label}` runs `{}`, downloaded earlier in the line",
                            f.value
                        ),
                        inv,
                    );
                    return Flow::bits(flow::OPAQUE);
                }
                if let Some((_, content)) = st.scripts.iter().find(|(p, _)| p == n).cloned() {
                    let text = Arg {
                        value: content,
                        known: true,
                        span: inv.span,
                        ..Arg::default()
                    };
                    return run_string(w, inv, &text, &[], label, st, cx);
                }
            }
            return Flow::bits(flow::OPAQUE);
        }
        None => inv.stdin.clone(),
    };
    if flow_in.has(flow::DOWNLOAD) {
        w.hit(
            "shell.remote-code",
            Grade::Deny,
            format!("`{label}` runs code downloaded from the network"),
            inv,
        );
    }
    if flow_in.has(flow::HIDDEN) {
        w.hit(
            "shell.obfuscated",
            Grade::Deny,
            format!("`{label}` runs code that is decoded or assembled when it runs"),
            inv,
        );
    }
    if let Some(content) = &flow_in.content {
        let text = Arg {
            value: content.clone(),
            known: true,
            span: inv.span,
            ..Arg::default()
        };
        let mut inner = inv.clone();
        inner.stdin = Flow::default();
        return run_string(w, &inner, &text, &[], label, st, cx);
    }
    Flow::bits(flow::OPAQUE)
}

/// Wrappers whose options are followed by the command.
fn simple_wrapper(prog: &str) -> Option<&'static [&'static str]> {
    Some(match prog {
        "nohup" | "setsid" | "caffeinate" | "unbuffer" | "catchsegv" | "torsocks"
        | "proxychains" | "proxychains4" | "builtin" | "tsp" | "eatmydata" | "fakeroot" | "pv" => {
            &[]
        }
        "nice" => &["-n", "--adjustment"],
        "ionice" => &["-c", "-n", "--class", "--classdata"],
        "stdbuf" => &["-i", "-o", "-e"],
        "chrt" => &[],
        "time" => &["-f", "-o", "--format", "--output"],
        "strace" | "ltrace" => &["-o", "-e", "-s", "-p", "-u", "-E"],
        "firejail" | "systemd-run" | "nsenter" | "unshare" | "setpriv" => {
            &["-u", "-t", "-S", "-G", "--uid", "--gid", "--unit", "-p"]
        }
        "gosu" | "su-exec" | "chroot" | "flock" | "taskset" | "sg" => &[],
        _ => return None,
    })
}

/// Unwraps `inv` if its program runs another command; returns the inner command's output.
pub(crate) fn unwrap(w: &mut Walker, inv: &Inv, st: &mut State, cx: &Cx) -> Option<Flow> {
    let prog = inv.program().to_owned();
    let args = inv.args();
    if let Some(takes) = simple_wrapper(&prog) {
        let o = Opts::wrapper(args, takes);
        // The command starts at the first positional; some wrappers take a leading operand.
        let skip = match prog.as_str() {
            "gosu" | "su-exec" | "chroot" | "flock" | "sg" => 1,
            "chrt" | "taskset" => {
                usize::from(!o.has(&["-p", "--pid"])) + usize::from(prog == "chrt")
            }
            _ => 0,
        };
        if prog == "chrt" && o.has(&["-p", "--pid"]) || prog == "ionice" && o.has(&["-p"]) {
            return Some(Flow::bits(flow::OPAQUE));
        }
        let inner = rest_from(args, &o, skip);
        if prog == "flock" || prog == "sg" {
            if let Some(c) = o.value(&["-c", "--command"]) {
                let text = Arg {
                    value: c,
                    known: true,
                    span: inv.span,
                    ..Arg::default()
                };
                return Some(run_string(w, inv, &text, &[], &prog, st, cx));
            }
        }
        return Some(run_argv(w, inv, inner, &prog, st, cx));
    }
    match prog.as_str() {
        "sudo" | "doas" => {
            let o = Opts::wrapper(
                args,
                &[
                    "-u", "-g", "-C", "-D", "-p", "-r", "-t", "-T", "-U", "-h", "--user",
                    "--group", "--chdir", "--prompt", "-c",
                ],
            );
            let inner = rest_from(args, &o, 0);
            if o.has(&["-e", "--edit"]) {
                for a in &inner {
                    super::write::write_to(
                        w,
                        inv,
                        a,
                        super::write::Write::Replace,
                        "sudoedit",
                        st,
                        cx,
                    );
                }
                return Some(Flow::bits(flow::OPAQUE));
            }
            if inner.is_empty() {
                if o.has(&["-i", "-s", "--login", "--shell"]) {
                    w.hit(
                        "shell.privilege-change",
                        Grade::Review,
                        format!("`{prog}` opens a root shell"),
                        inv,
                    );
                }
                return Some(Flow::bits(flow::OPAQUE));
            }
            let label = prog.clone();
            if o.has(&["-s", "-i"]) && inner.len() == 1 {
                // `sudo -s 'cmd'` runs the word through the shell.
                return Some(run_string(
                    w,
                    inv,
                    &inner.first().cloned().unwrap_or_default(),
                    &[],
                    &label,
                    st,
                    cx,
                ));
            }
            Some(run_argv(w, inv, inner, &label, st, cx))
        }
        "su" | "runuser" => {
            let o = Opts::parse(
                args,
                &[
                    "-c",
                    "--command",
                    "-s",
                    "--shell",
                    "-g",
                    "-G",
                    "-u",
                    "--user",
                    "-w",
                ],
            );
            if let Some(c) = o
                .values
                .iter()
                .find(|(n, _, _)| n == "-c" || n == "--command")
                .map(|(_, v, a)| Arg {
                    value: v.clone(),
                    ..(*a).clone()
                })
            {
                return Some(run_string(w, inv, &c, &[], &prog, st, cx));
            }
            if prog == "runuser" {
                let inner = rest_from(args, &o, 0);
                if !inner.is_empty() {
                    return Some(run_argv(w, inv, inner, &prog, st, cx));
                }
            }
            let user = o
                .pos
                .iter()
                .find(|a| a.value != "-")
                .map_or("root", |a| a.value.as_str());
            let grade = Grade::Review;
            w.hit(
                "shell.privilege-change",
                grade,
                format!("`{prog}` switches to user `{user}`"),
                inv,
            );
            Some(Flow::bits(flow::OPAQUE))
        }
        "env" => {
            let o = Opts::wrapper(
                args,
                &[
                    "-u",
                    "--unset",
                    "-C",
                    "--chdir",
                    "-S",
                    "--split-string",
                    "-P",
                ],
            );
            if let Some(s) = o.value(&["-S", "--split-string"]) {
                let mut text = Arg {
                    value: s,
                    known: true,
                    span: inv.span,
                    ..Arg::default()
                };
                for p in &o.pos {
                    text.value.push(' ');
                    text.value.push_str(&p.value);
                }
                return Some(run_string(w, inv, &text, &[], "env -S", st, cx));
            }
            let mut rest: Vec<Arg> = rest_from(args, &o, 0);
            while rest.first().is_some_and(|a| is_assignment(&a.value)) {
                let a = rest.remove(0);
                if let Some((n, v)) = a.value.split_once('=') {
                    super::host::env_assignment(w, inv, n, v);
                }
            }
            if rest.is_empty() {
                return Some(Flow::bits(flow::ENV));
            }
            Some(run_argv(w, inv, rest, "env", st, cx))
        }
        "command" => {
            let o = Opts::wrapper(args, &[]);
            if o.has(&["-v", "-V"]) {
                return Some(Flow::bits(flow::OPAQUE));
            }
            Some(run_argv(w, inv, rest_from(args, &o, 0), "command", st, cx))
        }
        "exec" => {
            let o = Opts::wrapper(args, &["-a"]);
            let inner = rest_from(args, &o, 0);
            if inner.is_empty() {
                return Some(Flow::default());
            }
            Some(run_argv(w, inv, inner, "exec", st, cx))
        }
        "timeout" => {
            let o = Opts::wrapper(args, &["-s", "-k", "--signal", "--kill-after"]);
            Some(run_argv(w, inv, rest_from(args, &o, 1), "timeout", st, cx))
        }
        "watch" => {
            let o = Opts::wrapper(args, &["-n", "--interval", "-q", "--equexit"]);
            let inner = rest_from(args, &o, 0);
            if o.has(&["-x", "--exec"]) {
                return Some(run_argv(w, inv, inner, "watch", st, cx));
            }
            let refs: Vec<&Arg> = inner.iter().collect();
            Some(run_string(w, inv, &join(&refs), &[], "watch", st, cx))
        }
        "eval" => {
            let refs: Vec<&Arg> = args.iter().collect();
            if refs.is_empty() {
                return Some(Flow::default());
            }
            let mut text = join(&refs);
            if args.len() == 1 {
                text.value
                    .clone_from(&args.first().map(|a| a.value.clone()).unwrap_or_default());
            }
            Some(run_string(w, inv, &text, &[], "eval", st, cx))
        }
        "source" | "." => Some(run_source(w, inv, args.first(), &prog, st, cx)),
        "xargs" => Some(xargs(w, inv, st, cx)),
        "parallel" => Some(parallel(w, inv, st, cx)),
        "ssh" | "autossh" | "mosh" => Some(ssh(w, inv, st, cx)),
        "aws-vault" | "op" | "doppler" | "dotenv" | "infisical" | "chamber" | "sops" | "direnv"
        | "with-contenv" | "envchain" => {
            let pos = args.iter().position(|a| a.is("--"))?;
            Some(run_argv(
                w,
                inv,
                args.get(pos + 1..).unwrap_or(&[]).to_vec(),
                &prog,
                st,
                cx,
            ))
        }
        "poetry" | "pipenv" | "uv" | "pdm" | "hatch" | "rye"
            if args.first().is_some_and(|a| a.is("run")) =>
        {
            let o = Opts::wrapper(
                args.get(1..).unwrap_or(&[]),
                &["--env", "-e", "--with", "--python", "-p"],
            );
            Some(run_argv(
                w,
                inv,
                rest_from(args.get(1..).unwrap_or(&[]), &o, 0),
                &format!("{prog} run"),
                st,
                cx,
            ))
        }
        "bundle" | "pnpm" if args.first().is_some_and(|a| a.is("exec")) => Some(run_argv(
            w,
            inv,
            args.get(1..).unwrap_or(&[]).to_vec(),
            &format!("{prog} exec"),
            st,
            cx,
        )),
        _ if SHELLS.contains(&prog.as_str())
            || prog == "busybox"
                && args
                    .first()
                    .is_some_and(|a| SHELLS.contains(&a.value.as_str())) =>
        {
            Some(shell(w, inv, st, cx))
        }
        _ => None,
    }
}

fn is_assignment(s: &str) -> bool {
    s.split_once('=').is_some_and(|(n, _)| {
        !n.is_empty()
            && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !n.starts_with(|c: char| c.is_ascii_digit())
    })
}

/// The arguments from the `skip`-th positional on (options before it dropped).
pub(crate) fn rest_from(args: &[Arg], o: &Opts, skip: usize) -> Vec<Arg> {
    let Some(first) = o.pos.get(skip) else {
        return Vec::new();
    };
    let start = args
        .iter()
        .position(|a| std::ptr::eq(a, *first))
        .unwrap_or(args.len());
    args.get(start..).unwrap_or(&[]).to_vec()
}

fn shell(w: &mut Walker, inv: &Inv, st: &mut State, cx: &Cx) -> Flow {
    let mut args = inv.args();
    let mut label = inv.program().to_owned();
    if label == "busybox" {
        label = args.first().map(|a| a.value.clone()).unwrap_or_default();
        args = args.get(1..).unwrap_or(&[]);
    }
    let mut i = 0;
    let mut command = false;
    let mut stdin = false;
    while let Some(a) = args.get(i) {
        let v = a.value.as_str();
        if v == "--" {
            i += 1;
            break;
        }
        if !v.starts_with('-') && !v.starts_with('+') || v == "-" {
            break;
        }
        if v.starts_with("--") {
            if matches!(v, "--rcfile" | "--init-file") {
                i += 1;
            }
        } else {
            let body = v.get(1..).unwrap_or("");
            command |= body.contains('c');
            stdin |= body.contains('s');
            if body.ends_with('o') || body.ends_with('O') {
                i += 1;
            }
        }
        i += 1;
    }
    let rest = args.get(i..).unwrap_or(&[]);
    if command {
        let Some(text) = rest.first() else {
            w.hit(
                "shell.unparseable",
                Grade::Deny,
                format!("`{label} -c` without a command string"),
                inv,
            );
            return Flow::bits(flow::OPAQUE);
        };
        let positional: Vec<Arg> = rest.get(1..).unwrap_or(&[]).to_vec();
        return run_string(w, inv, text, &positional, &format!("{label} -c"), st, cx);
    }
    if !stdin {
        if let Some(file) = rest
            .first()
            .filter(|f| f.value != "-" && f.value != "/dev/stdin")
        {
            return run_source(w, inv, Some(file), &label, st, cx);
        }
    }
    run_source(w, inv, None, &label, st, cx)
}

fn xargs(w: &mut Walker, inv: &Inv, st: &mut State, cx: &Cx) -> Flow {
    let args = inv.args();
    let takes = [
        "-n",
        "-P",
        "-L",
        "-I",
        "-d",
        "-E",
        "-s",
        "-a",
        "--max-args",
        "--max-procs",
        "--delimiter",
        "--arg-file",
        "--max-lines",
    ];
    let o = Opts::wrapper(args, &takes);
    let mut inner = rest_from(args, &o, 0);
    if inner.is_empty() {
        inner.push(Arg::plain("echo", inv.span));
    }
    let item = items(&inv.stdin, o.value(&["-a", "--arg-file"]).is_some(), inv);
    let replace = o.value(&["-I", "--replace"]).or_else(|| {
        o.has(&["-i"]).then(|| {
            args.iter()
                .find(|a| a.value.starts_with("-i") && a.value.len() > 2)
                .map_or_else(
                    || "{}".to_owned(),
                    |a| a.value.get(2..).unwrap_or("{}").to_owned(),
                )
        })
    });
    match replace {
        Some(r) => {
            for a in &mut inner {
                if a.value.contains(&r) {
                    substitute(a, &r, &item);
                }
            }
        }
        None => inner.push(item),
    }
    let mut sub_inv = inv.clone();
    sub_inv.stdin = Flow::default();
    run_argv(w, &sub_inv, inner, "xargs", st, cx)
}

/// The argument an item read from standard input stands for.
fn items(stdin: &Flow, from_file: bool, inv: &Inv) -> Arg {
    match (&stdin.paths, &stdin.content) {
        (Some(p), _) if !from_file => Arg {
            value: p.clone(),
            known: true,
            glob: true,
            listed: true,
            span: inv.span,
            ..Arg::default()
        },
        (_, Some(c)) if !from_file && !c.trim().is_empty() && !c.contains('\n') => Arg {
            value: c.trim().to_owned(),
            known: true,
            span: inv.span,
            ..Arg::default()
        },
        _ => Arg {
            value: "$(…)".to_owned(),
            known: false,
            span: inv.span,
            flow: stdin.opaque(),
            ..Arg::default()
        },
    }
}

fn substitute(a: &mut Arg, r: &str, item: &Arg) {
    a.value = a.value.replace(r, &item.value);
    a.known &= item.known;
    a.glob |= item.glob;
    a.listed |= item.listed;
    a.flow.merge(&item.flow);
}

fn parallel(w: &mut Walker, inv: &Inv, st: &mut State, cx: &Cx) -> Flow {
    let args = inv.args();
    let split = args.iter().position(|a| a.is(":::") || a.is("::::"));
    let (cmd, list) = match split {
        Some(i) => (
            args.get(..i).unwrap_or(&[]),
            args.get(i + 1..).unwrap_or(&[]),
        ),
        None => (args, &[][..]),
    };
    let o = Opts::wrapper(
        cmd,
        &[
            "-j",
            "--jobs",
            "-N",
            "--delay",
            "--joblog",
            "-S",
            "--sshlogin",
            "--results",
            "-a",
        ],
    );
    let mut inner = rest_from(cmd, &o, 0);
    let item = match list.first() {
        Some(first) if list.len() == 1 => first.clone(),
        Some(first) => Arg {
            known: list.iter().all(|a| a.known),
            ..first.clone()
        },
        None => items(&inv.stdin, false, inv),
    };
    if inner.iter().any(|a| a.value.contains("{}")) {
        for a in &mut inner {
            substitute(a, "{}", &item);
        }
    } else {
        inner.push(item);
    }
    if inner.len() == 1 {
        let text = inner.first().cloned().unwrap_or_default();
        return run_string(w, inv, &text, &[], "parallel", st, cx);
    }
    run_argv(w, inv, inner, "parallel", st, cx)
}

fn ssh(w: &mut Walker, inv: &Inv, st: &mut State, cx: &Cx) -> Flow {
    let takes = [
        "-b", "-c", "-D", "-E", "-e", "-F", "-I", "-i", "-J", "-L", "-l", "-m", "-O", "-o", "-p",
        "-Q", "-R", "-S", "-W", "-w", "-M",
    ];
    let args = inv.args();
    let o = Opts::wrapper(args, &takes);
    let words = rest_from(args, &o, 1);
    let mut cx = cx.clone();
    cx.remote = true;
    super::net::ssh_sink(w, inv, &o);
    if words.is_empty() {
        if inv.stdin.content.is_some() || inv.stdin.bits != 0 {
            return run_source(w, inv, None, "ssh", st, &cx);
        }
        return Flow::bits(flow::OPAQUE);
    }
    let refs: Vec<&Arg> = words.iter().collect();
    let text = join(&refs);
    let mut sub = st.clone();
    sub.cwd = Some("~".to_owned());
    let out = run_string(w, inv, &text, &[], "ssh", &mut sub, &cx);
    out.opaque()
}
