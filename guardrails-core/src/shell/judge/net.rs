//! The network: downloads, uploads, exfiltration, reverse shells, and what a pipeline shows.

use super::super::expand::Arg;
use super::super::flow::{self, Flow};
use super::super::paths;
use super::super::walk::{Cx, Inv, RArg, State, Walker};
use super::fs::{file_flow, secret_path};
use super::write::{write_to, Write};
use super::Opts;
use crate::finding::Grade::{Deny, Review};

const NET_CLIENTS: &[&str] = &[
    "nc",
    "ncat",
    "netcat",
    "socat",
    "telnet",
    "cryptcat",
    "pwncat",
    "nc.traditional",
    "nc.openbsd",
    "openssl",
    "busybox",
];

/// Judges what flows into a network sink.
fn sink(w: &mut Walker, inv: &Inv, f: &Flow, how: &str) {
    if f.has(flow::SECRET | flow::ENV | flow::HISTORY) {
        w.hit(
            "shell.secret-exfiltration",
            Deny,
            format!("{how} sends credentials, the environment or shell history over the network"),
            inv,
        );
    } else if f.has(flow::DUMP) {
        w.hit(
            "shell.data-export",
            Deny,
            format!("{how} sends a database dump off the host"),
            inv,
        );
    } else if f.has(flow::DATA) {
        w.hit(
            "shell.data-export",
            Review,
            format!("{how} sends an archive of local data off the host"),
            inv,
        );
    }
}

/// `ssh HOST` receiving standard input.
pub(crate) fn ssh_sink(w: &mut Walker, inv: &Inv, _o: &Opts) {
    sink(w, inv, &inv.stdin, "`ssh`");
}

/// A redirection to or from `/dev/tcp` or `/dev/udp`.
pub(crate) fn dev_tcp(w: &mut Walker, inv: &Inv, r: &RArg) {
    let prog = inv.program();
    let shell = super::unwrap::SHELLS.contains(&prog) || super::interp::interpreter(prog);
    if shell || prog == "exec" {
        w.hit(
            "shell.reverse-shell",
            Deny,
            format!(
                "`{prog}` is wired to the network connection `{}`",
                r.target.value
            ),
            inv,
        );
    } else if r.op.writes() {
        let mut f = inv.stdin.clone();
        for a in inv.args() {
            f.merge(&a.flow.opaque());
        }
        if prog == "cat" {
            for a in inv.args() {
                f.merge(&file_flow(a, &State::default(), &Cx::default()));
            }
        }
        sink(w, inv, &f, &format!("`{prog}` into `{}`", r.target.value));
        if !f.has(flow::SENSITIVE | flow::DATA)
            && !inv.argv.is_empty()
            && prog != "echo"
            && prog != "printf"
        {
            w.hit(
                "shell.secret-exfiltration",
                Review,
                format!(
                    "`{prog}` writes to the raw network connection `{}`",
                    r.target.value
                ),
                inv,
            );
        }
    }
}

/// Checks a pipeline for a shell wired to a network client (reverse shells).
pub(crate) fn pipeline(w: &mut Walker, first: usize) {
    let cmds = w.commands.get(first..).unwrap_or(&[]);
    let shell = cmds.iter().position(|c| {
        super::unwrap::SHELLS.contains(&c.program.as_str())
            && (c.args.is_empty() || c.args.iter().any(|a| a == "-i" || a == "-" || a == "-s"))
    });
    let net = cmds.iter().position(|c| {
        NET_CLIENTS.contains(&c.program.as_str())
            && (c.program != "openssl" || c.args.iter().any(|a| a == "s_client"))
    });
    if let (Some(s), Some(n)) = (shell, net) {
        let idx = first + s.min(n);
        let span = w.commands.get(idx).map_or((0, 0), |c| c.span);
        let inv = Inv {
            span,
            index: idx,
            ..Inv::default()
        };
        w.hit(
            "shell.reverse-shell",
            Deny,
            "a shell is wired to a network connection".to_owned(),
            &inv,
        );
    }
}

/// What the last command of a pipeline shows to the caller (the agent's context).
pub(crate) fn shown(w: &mut Walker, out: &Flow, first: usize) {
    let Some(idx) = w.commands.len().checked_sub(1) else {
        return;
    };
    if idx < first {
        return;
    }
    let Some(last) = w.commands.get(idx) else {
        return;
    };
    if last.redirections.iter().any(|r| {
        r.fd.is_none_or(|f| f == 1)
            && (r.op == ">" || r.op == ">>" || r.op == "&>")
            && r.target == "/dev/null"
    }) {
        return;
    }
    let inv = Inv {
        span: last.span,
        index: idx,
        ..Inv::default()
    };
    if out.has(flow::SECRET) {
        w.hit(
            "shell.secret-read",
            Review,
            "the output shows credentials".to_owned(),
            &inv,
        );
    } else if out.has(flow::ENV) {
        w.hit(
            "shell.secret-read",
            Review,
            "the output shows the whole environment, secrets included".to_owned(),
            &inv,
        );
    } else if out.has(flow::DUMP) {
        w.hit(
            "shell.data-export",
            Review,
            "the output is a whole database dump".to_owned(),
            &inv,
        );
    }
}

/// `rsync`: uploads, and `--delete` into a protected directory.
pub(crate) fn rsync(w: &mut Walker, inv: &Inv, st: &State, cx: &Cx) {
    let o = Opts::parse(
        inv.args(),
        &[
            "-e",
            "--rsh",
            "--exclude",
            "--include",
            "--filter",
            "-f",
            "--exclude-from",
            "--include-from",
            "--files-from",
            "--chmod",
            "--chown",
            "--backup-dir",
            "--suffix",
            "--log-file",
            "--bwlimit",
            "--port",
            "--password-file",
            "-T",
            "--temp-dir",
            "--partial-dir",
        ],
    );
    if o.has(&["-n", "--dry-run", "--list-only"]) {
        return;
    }
    let Some(dest) = o.pos.last() else { return };
    if o.pos.iter().any(|a| !a.known) {
        w.hit(
            "shell.data-export",
            Review,
            "`rsync` copies files between places not known before it runs".to_owned(),
            inv,
        );
        return;
    }
    let sources: Vec<&&Arg> = o.pos.iter().take(o.pos.len().saturating_sub(1)).collect();
    let delete = o
        .flags
        .iter()
        .any(|f| f.starts_with("--del") || f == "--remove-source-files");
    let remote_dest = is_remote(&dest.value);
    if remote_dest {
        upload(
            w,
            inv,
            sources.iter().map(|a| **a).collect(),
            "`rsync`",
            st,
            cx,
        );
        return;
    }
    if delete && o.flags.iter().any(|f| f.starts_with("--del")) {
        let t = paths::target(dest, st.cwd.as_deref(), cx);
        let empty_source = sources.iter().all(|s| {
            let n = paths::target(s, st.cwd.as_deref(), cx).norm;
            !s.known || n.as_ref().is_some_and(|n| st.empty_dirs.contains(n))
        });
        if empty_source {
            super::fs::recursive_delete(
                w,
                inv,
                &t,
                "`rsync --delete` from an empty or unknown source",
            );
        } else if t.zone.protected() && !matches!(t.zone, super::super::paths::Zone::TmpRoot) {
            w.hit(
                "shell.file-delete",
                Review,
                format!(
                    "`rsync --delete` removes files in `{}` missing from the source ({})",
                    t.shown,
                    t.zone.describe()
                ),
                inv,
            );
        } else if matches!(
            t.zone,
            super::super::paths::Zone::ProjectSub
                | super::super::paths::Zone::Other
                | super::super::paths::Zone::HomeSub
        ) {
            w.hit(
                "shell.file-delete",
                Review,
                format!(
                    "`rsync --delete` removes files in `{}` missing from the source",
                    t.shown
                ),
                inv,
            );
        }
    }
    write_to(w, inv, dest, Write::Replace, "rsync", st, cx);
}

fn is_remote(v: &str) -> bool {
    let host = v.split(':').next().unwrap_or("");
    if host == "localhost" || host.ends_with("@localhost") || host == "127.0.0.1" {
        return false;
    }
    if v.starts_with('/') || v.starts_with("./") || v.starts_with('~') || v.starts_with("../") {
        return false;
    }
    v.contains("::")
        || v.starts_with("rsync://")
        || v.split_once(':')
            .is_some_and(|(h, _)| !h.is_empty() && !h.contains('/'))
}

fn dumpish(v: &str) -> bool {
    [
        ".sql", ".sql.gz", ".dump", ".bak", ".rdb", ".archive", ".db", ".sqlite", ".sqlite3",
        ".bson",
    ]
    .iter()
    .any(|s| v.ends_with(s))
        || v.contains("backup")
        || v.contains("dump")
}

/// Judges files sent to another host.
fn upload(w: &mut Walker, inv: &Inv, sources: Vec<&Arg>, how: &str, st: &State, cx: &Cx) {
    let mut secret = false;
    let mut dump = false;
    for s in &sources {
        let t = paths::target(s, st.cwd.as_deref(), cx);
        let f = file_flow(s, st, cx);
        secret |= secret_path(&t)
            || f.has(flow::SECRET | flow::HISTORY)
            || t.zone == paths::Zone::HomeSecret
            || matches!(t.zone, paths::Zone::Home | paths::Zone::Root);
        dump |= dumpish(&s.value) || matches!(t.zone, paths::Zone::DbData);
    }
    if secret {
        w.hit(
            "shell.secret-exfiltration",
            Deny,
            format!("{how} sends credentials to another host"),
            inv,
        );
    } else if dump {
        w.hit(
            "shell.data-export",
            Deny,
            format!("{how} sends a database dump or backup off the host"),
            inv,
        );
    } else if !sources.is_empty() {
        w.hit(
            "shell.data-export",
            Review,
            format!("{how} copies files to another host"),
            inv,
        );
    }
}

/// `aws s3 cp/mv/sync` from local files to a bucket.
pub(crate) fn s3_upload(w: &mut Walker, inv: &Inv, words: &[&str]) {
    let src = words.get(2).copied().unwrap_or("");
    let dst = words.get(3).copied().unwrap_or("");
    if src.starts_with("s3://") || !dst.starts_with("s3://") {
        return;
    }
    let arg = Arg::plain(src, inv.span);
    let t = paths::target(&arg, Some("."), &Cx::default());
    if secret_path(&t) || t.zone == paths::Zone::HomeSecret {
        w.hit(
            "shell.secret-exfiltration",
            Deny,
            format!("`aws s3` uploads the credentials `{src}` to `{dst}`"),
            inv,
        );
    } else if src == "-" {
        sink(w, inv, &inv.stdin, "`aws s3 cp -`");
    } else if dumpish(src) {
        w.hit(
            "shell.data-export",
            Review,
            format!("`aws s3` uploads the dump `{src}` to `{dst}`"),
            inv,
        );
    }
}

/// Dispatches network tools.
pub(crate) fn judge(w: &mut Walker, inv: &Inv, st: &mut State, cx: &Cx) -> Option<Flow> {
    let prog = inv.program();
    let args = inv.args();
    let mut arg_flow = Flow::default();
    for a in args {
        arg_flow.merge(&a.flow.opaque());
    }
    match prog {
        "curl" | "wget" | "http" | "https" | "xh" | "aria2c" | "fetch" | "lwp-request"
        | "httpie" => Some(http(w, inv, st, cx, &arg_flow)),
        "nc" | "ncat" | "netcat" | "socat" | "telnet" | "cryptcat" | "pwncat"
        | "nc.traditional" | "nc.openbsd" => {
            let lower: Vec<String> = args.iter().map(|a| a.value.to_ascii_lowercase()).collect();
            let exec = lower.iter().any(|a| {
                matches!(
                    a.as_str(),
                    "-e" | "-c" | "--exec" | "--sh-exec" | "--lua-exec"
                )
            }) || lower.iter().any(|a| {
                a.starts_with("exec:")
                    || a.starts_with("system:")
                    || a.contains(",exec:")
                    || a.starts_with("exec,")
                    || a.contains("exec:/bin")
            });
            if exec {
                w.hit(
                    "shell.reverse-shell",
                    Deny,
                    format!("`{prog}` hands a program to a network connection"),
                    inv,
                );
            }
            sink(w, inv, &inv.stdin, &format!("`{prog}`"));
            sink(w, inv, &arg_flow, &format!("`{prog}`"));
            Some(Flow::bits(flow::DOWNLOAD))
        }
        "openssl" => {
            let sub = args.first().map_or("", |a| a.value.as_str());
            match sub {
                "s_client" => {
                    sink(w, inv, &inv.stdin, "`openssl s_client`");
                    Some(Flow::bits(flow::DOWNLOAD))
                }
                "base64" | "enc" if args.iter().any(|a| a.is("-d") || a.is("-decrypt")) => {
                    Some(Flow::bits(inv.stdin.bits | flow::DECODED))
                }
                _ => Some(Flow::bits(flow::OPAQUE | inv.stdin.bits & flow::SENSITIVE)),
            }
        }
        "scp" | "sftp" | "rclone" | "azcopy" | "croc" | "magic-wormhole" | "wormhole" => {
            let o = Opts::parse(
                args,
                &["-P", "-i", "-o", "-F", "-c", "-l", "-S", "-J", "--config"],
            );
            let pos: Vec<&Arg> = o
                .pos
                .iter()
                .copied()
                .filter(|a| {
                    !matches!(
                        a.value.as_str(),
                        "copy" | "sync" | "move" | "copyto" | "send" | "cp"
                    )
                })
                .collect();
            let copies = prog != "rclone"
                || args.iter().any(|a| {
                    matches!(
                        a.value.as_str(),
                        "copy" | "sync" | "move" | "copyto" | "moveto"
                    )
                });
            let remote_dest = copies
                && pos
                    .last()
                    .is_some_and(|d| is_remote(&d.value) || d.value.starts_with("https://"));
            if matches!(prog, "croc" | "magic-wormhole" | "wormhole") {
                upload(w, inv, pos.clone(), &format!("`{prog}`"), st, cx);
            } else if remote_dest && pos.len() >= 2 {
                upload(
                    w,
                    inv,
                    pos.get(..pos.len() - 1).unwrap_or(&[]).to_vec(),
                    &format!("`{prog}`"),
                    st,
                    cx,
                );
            }
            if prog == "rclone"
                && args.iter().any(|a| {
                    matches!(
                        a.value.as_str(),
                        "delete" | "purge" | "deletefile" | "rmdirs"
                    )
                })
            {
                w.hit(
                    "shell.cloud-destroy",
                    Deny,
                    "`rclone` deletes remote files".to_owned(),
                    inv,
                );
            }
            Some(Flow::bits(flow::OPAQUE))
        }
        "dig" | "nslookup" | "host" | "drill" | "ping" | "ping6" | "traceroute" | "getent"
        | "whois" => {
            if args.iter().any(|a| {
                a.subst && !a.known && a.flow.has(flow::IDENTITY | flow::SENSITIVE | flow::OPAQUE)
            }) || arg_flow.has(flow::SENSITIVE | flow::IDENTITY)
            {
                w.hit("shell.secret-exfiltration", Deny, format!("`{prog}` puts command output into a DNS name, which carries it off the host"), inv);
            }
            Some(Flow::bits(flow::OPAQUE))
        }
        "mail" | "mailx" | "sendmail" | "mutt" | "msmtp" | "swaks" => {
            sink(w, inv, &inv.stdin, &format!("`{prog}`"));
            for a in args {
                let t = paths::target(a, st.cwd.as_deref(), cx);
                if secret_path(&t) {
                    w.hit(
                        "shell.secret-exfiltration",
                        Deny,
                        format!("`{prog}` mails the credentials `{}`", a.value),
                        inv,
                    );
                }
            }
            Some(Flow::bits(flow::OPAQUE))
        }
        "ftp" | "tftp" | "lftp" | "smbclient" => {
            sink(w, inv, &inv.stdin, &format!("`{prog}`"));
            Some(Flow::bits(flow::OPAQUE))
        }
        _ => None,
    }
}

fn http(w: &mut Walker, inv: &Inv, st: &mut State, cx: &Cx, arg_flow: &Flow) -> Flow {
    let prog = inv.program();
    let args = inv.args();
    let takes = [
        "-o",
        "--output",
        "-d",
        "--data",
        "--data-binary",
        "--data-raw",
        "--data-urlencode",
        "--data-ascii",
        "-F",
        "--form",
        "--form-string",
        "-T",
        "--upload-file",
        "-X",
        "--request",
        "-H",
        "--header",
        "-u",
        "--user",
        "-A",
        "--user-agent",
        "-e",
        "--referer",
        "-b",
        "--cookie",
        "-c",
        "--cookie-jar",
        "-m",
        "--max-time",
        "--connect-timeout",
        "-w",
        "--write-out",
        "-x",
        "--proxy",
        "--url",
        "-O",
        "--output-document",
        "-P",
        "--directory-prefix",
        "--post-file",
        "--post-data",
        "--body-file",
        "--header-file",
        "-r",
        "--range",
        "--retry",
        "-K",
        "--config",
        "--cacert",
        "--cert",
        "--key",
        "-E",
        "--resolve",
        "--json",
        "--limit-rate",
        "-Y",
        "-y",
        "-t",
        "--tries",
        "-T",
        "--timeout",
        "-U",
        "--method",
        "--input-file",
        "--ciphers",
        "--interface",
        "--dns-servers",
    ];
    let o = Opts::parse(args, &takes);
    let curl = prog == "curl";
    let mut sent = Flow::default();
    for (name, v, a) in &o.values {
        let v = v.clone();
        let upload_opt = matches!(
            name.as_str(),
            "-d" | "--data"
                | "--data-binary"
                | "--data-raw"
                | "--data-urlencode"
                | "--data-ascii"
                | "-F"
                | "--form"
                | "--json"
        ) || curl && matches!(name.as_str(), "-T" | "--upload-file")
            || matches!(name.as_str(), "--post-file" | "--body-file")
            || !curl && matches!(name.as_str(), "--post-data");
        if !upload_opt {
            continue;
        }
        sent.merge(&a.flow.opaque());
        let file = if let Some(i) = v.find('@') {
            let f = v.get(i + 1..).unwrap_or("");
            let f = f.split(';').next().unwrap_or(f);
            (name != "--data-raw" && (i == 0 || name == "-F" || name == "--form"))
                .then(|| f.to_owned())
        } else if matches!(
            name.as_str(),
            "-T" | "--upload-file" | "--post-file" | "--body-file"
        ) {
            Some(v.clone())
        } else {
            None
        };
        if let Some(f) = file {
            if f == "-" {
                sent.merge(&inv.stdin);
            } else {
                let fa = Arg {
                    value: f,
                    ..(*a).clone()
                };
                sent.merge(&file_flow(&fa, st, cx));
                let t = paths::target(&fa, st.cwd.as_deref(), cx);
                if dumpish(&t.shown) {
                    sent.bits |= flow::DUMP;
                }
            }
        }
    }
    // Command output spliced into the URL or headers travels too.
    if arg_flow.has(flow::SENSITIVE) {
        sent.merge(&Flow::bits(arg_flow.bits & flow::SENSITIVE));
    }
    sink(w, inv, &sent, &format!("`{prog}`"));
    let method = o
        .value(&["-X", "--request", "--method"])
        .unwrap_or_default()
        .to_ascii_uppercase();
    let urls: Vec<&str> = o
        .words()
        .into_iter()
        .filter(|u| u.contains("://") || u.contains(':') || u.contains('.'))
        .collect();
    if method == "DELETE"
        || prog != "curl"
            && prog != "wget"
            && o.pos
                .first()
                .is_some_and(|a| a.value.eq_ignore_ascii_case("DELETE"))
    {
        let broad = urls.iter().any(|u| {
            u.contains(":9200")
                || u.contains("_all")
                || u.contains('*')
                || u.contains(":8086")
                || u.contains(":5984")
        });
        if broad {
            w.hit(
                "shell.database-destroy",
                Deny,
                format!("`{prog} -X DELETE` deletes indices or databases over HTTP"),
                inv,
            );
        } else {
            w.hit(
                "shell.cloud-destroy",
                Review,
                format!("`{prog} -X DELETE` deletes a remote resource"),
                inv,
            );
        }
    } else if method == "PUT"
        && urls
            .iter()
            .any(|u| u.contains("_settings") || u.contains("_cluster"))
        || method == "POST"
            && urls.iter().any(|u| {
                u.contains("_delete_by_query") || u.contains("_close") || u.contains("/_shutdown")
            })
    {
        w.hit(
            "shell.database-destroy",
            Review,
            format!("`{prog}` changes a search cluster over HTTP"),
            inv,
        );
    }
    // Where the body goes.
    let out_file = if curl {
        o.value(&["-o", "--output"]).or_else(|| {
            o.has(&["-O", "--remote-name"]).then(|| {
                urls.first()
                    .map(|u| u.rsplit('/').next().unwrap_or("").to_owned())
                    .unwrap_or_default()
            })
        })
    } else if prog == "wget" {
        match o.value(&["-O", "--output-document"]) {
            Some(f) => Some(f),
            None if o.has(&["--spider"]) => Some("/dev/null".to_owned()),
            None => Some(
                urls.first()
                    .map(|u| {
                        u.split('?')
                            .next()
                            .unwrap_or("")
                            .rsplit('/')
                            .next()
                            .unwrap_or("")
                            .to_owned()
                    })
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| "index.html".to_owned()),
            ),
        }
    } else {
        o.value(&["-o", "--output", "--download"])
    };
    match out_file {
        Some(f) if f != "-" && f != "/dev/stdout" => {
            let fa = Arg {
                value: f,
                known: true,
                span: inv.span,
                ..Arg::default()
            };
            write_to(w, inv, &fa, Write::Replace, prog, st, cx);
            if let Some(n) = paths::target(&fa, st.cwd.as_deref(), cx).norm {
                st.downloaded.push(n);
            }
            Flow::default()
        }
        _ => Flow::bits(flow::DOWNLOAD),
    }
}
