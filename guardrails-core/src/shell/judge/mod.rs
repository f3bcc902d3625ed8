//! The judges: each family of programs decides what one unwrapped simple command does.

pub(crate) mod accounts;
pub(crate) mod aws;
pub(crate) mod cloud;
pub(crate) mod data;
pub(crate) mod disk;
pub(crate) mod docker;
pub(crate) mod find;
pub(crate) mod fs;
pub(crate) mod git;
pub(crate) mod host;
pub(crate) mod interp;
pub(crate) mod k8s;
pub(crate) mod kv;
pub(crate) mod net;
pub(crate) mod perms;
pub(crate) mod text;
pub(crate) mod unwrap;
pub(crate) mod write;

use super::expand::Arg;
use super::flow::{self, Flow};
use super::walk::{Cx, Inv, State, Walker};
use crate::finding::Grade;

/// Parsed options of a command: flags, option values and positional arguments.
#[derive(Debug, Default)]
pub(crate) struct Opts<'a> {
    /// Flags as written, short ones split (`-rf` → `-r`, `-f`).
    pub flags: Vec<String>,
    /// Options with values (`--name=value`, `-n 5`, `-n5`): name, value, and the argument the
    /// value came from.
    pub values: Vec<(String, String, &'a Arg)>,
    pub pos: Vec<&'a Arg>,
}

impl<'a> Opts<'a> {
    /// Parses `args`; options in `takes` consume the next argument as their value.
    pub(crate) fn parse(args: &'a [Arg], takes: &[&str]) -> Opts<'a> {
        Self::parse_with(args, takes, false)
    }

    /// Parses a wrapper's options: they end at the first operand (the wrapped command).
    pub(crate) fn wrapper(args: &'a [Arg], takes: &[&str]) -> Opts<'a> {
        Self::parse_with(args, takes, true)
    }

    fn parse_with(args: &'a [Arg], takes: &[&str], posix: bool) -> Opts<'a> {
        let mut o = Opts::default();
        let mut it = args.iter();
        let mut only_pos = false;
        while let Some(a) = it.next() {
            let v = a.value.as_str();
            if only_pos || !v.starts_with('-') || v == "-" || !a.known {
                o.pos.push(a);
                only_pos |= posix;
                continue;
            }
            if v == "--" {
                only_pos = true;
                continue;
            }
            if let Some(long) = v.strip_prefix("--") {
                if let Some((name, value)) = long.split_once('=') {
                    o.values.push((format!("--{name}"), value.to_owned(), a));
                    o.flags.push(format!("--{name}"));
                } else if takes.contains(&v) {
                    if let Some(next) = it.next() {
                        o.values.push((v.to_owned(), next.value.clone(), next));
                    }
                    o.flags.push(v.to_owned());
                } else {
                    o.flags.push(v.to_owned());
                }
                continue;
            }
            if takes.contains(&v) {
                if let Some(next) = it.next() {
                    o.values.push((v.to_owned(), next.value.clone(), next));
                }
                o.flags.push(v.to_owned());
                continue;
            }
            // Combined short flags; a flag that takes a value ends the group.
            let body = v.get(1..).unwrap_or("");
            for (i, c) in body.char_indices() {
                let f = format!("-{c}");
                let takes_value = takes.contains(&f.as_str());
                o.flags.push(f.clone());
                if takes_value {
                    let rest = body.get(i + c.len_utf8()..).unwrap_or("");
                    if rest.is_empty() {
                        if let Some(next) = it.next() {
                            o.values.push((f, next.value.clone(), next));
                        }
                    } else {
                        o.values.push((f, rest.to_owned(), a));
                    }
                    break;
                }
            }
        }
        o
    }

    /// Whether any of the flags is present.
    pub(crate) fn has(&self, names: &[&str]) -> bool {
        self.flags.iter().any(|f| names.contains(&f.as_str()))
    }

    /// The value of the first present option among `names`. For `--name=value` the value
    /// is the part after `=`.
    pub(crate) fn value(&self, names: &[&str]) -> Option<String> {
        self.values
            .iter()
            .find(|(n, _, _)| names.contains(&n.as_str()))
            .map(|(_, v, _)| v.clone())
    }

    /// Every value of the options among `names`, in order.
    pub(crate) fn all(&self, names: &[&str]) -> Vec<String> {
        self.values
            .iter()
            .filter(|(n, _, _)| names.contains(&n.as_str()))
            .map(|(_, v, _)| v.clone())
            .collect()
    }

    /// Positional values as strings.
    pub(crate) fn words(&self) -> Vec<&str> {
        self.pos.iter().map(|a| a.value.as_str()).collect()
    }
}

/// The value after `flag` (`--flag value` or `--flag=value`) anywhere in the arguments.
pub(crate) fn after<'a>(args: &'a [Arg], flag: &str) -> Option<&'a str> {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a.value == flag {
            return it.next().map(|n| n.value.as_str());
        }
        if let Some(v) = a.value.strip_prefix(flag).and_then(|r| r.strip_prefix('=')) {
            return Some(v);
        }
    }
    None
}

/// `--dry-run`, `--dryrun`, `--dry-run=client`, `-n` is not included (it means other things).
pub(crate) fn dry_run(inv: &Inv) -> bool {
    inv.args().iter().any(|a| {
        let v = a.value.as_str();
        v == "--dry-run"
            || v == "--dryrun"
            || v.starts_with("--dry-run=")
            || v == "--what-if"
            || v == "--check"
            || v == "--plan"
    })
}

/// A name that could be a program: letters, digits and `._+-/`.
fn plausible_program(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '+' | '-' | '/'))
}

/// A family's judge: `None` when the program is not one of the family's.
type Judge = fn(&mut Walker, &Inv, &mut State, &Cx) -> Option<Flow>;

/// Judges one simple command; returns its output.
pub(crate) fn judge(w: &mut Walker, inv: &Inv, st: &mut State, cx: &Cx) -> Flow {
    let Some(first) = inv.argv.first() else {
        return Flow::default();
    };
    if first.value.chars().any(crate::text::is_suspicious) {
        w.hit(
            "shell.obfuscated",
            Grade::Deny,
            format!(
                "program name `{}` contains invisible or look-alike characters",
                first.value
            ),
            inv,
        );
        return Flow::bits(flow::OPAQUE);
    }
    if inv.argv.iter().any(|a| a.ifs) {
        w.hit(
            "shell.obfuscated",
            Grade::Deny,
            "a command word is split with `$IFS`, which hides what runs".to_owned(),
            inv,
        );
    }
    if first.subst && !first.proc {
        w.hit(
            "shell.obfuscated",
            Grade::Deny,
            format!(
                "the program name is produced by a command substitution (`{}`)",
                first.value
            ),
            inv,
        );
        if !first.known {
            return Flow::bits(flow::OPAQUE);
        }
        return resplit(w, inv, st, cx);
    }
    if first.var {
        if !first.known {
            let name = first.unknown_var.clone().unwrap_or_default();
            w.hit(
                "shell.obfuscated",
                Grade::Review,
                format!("the program name comes from `${name}`, which is not known before it runs"),
                inv,
            );
            return Flow::bits(flow::OPAQUE);
        }
        if first.value.contains(char::is_whitespace) {
            return resplit(w, inv, st, cx);
        }
    }
    let name = inv.program();
    if (first.brace || first.spliced || first.ansi)
        && plausible_program(&first.value)
        && !name.is_empty()
    {
        let how = if first.brace {
            "brace expansion"
        } else if first.ansi {
            "escape sequences"
        } else {
            "quotes or backslashes inside it"
        };
        w.hit(
            "shell.obfuscated",
            Grade::Deny,
            format!("the program name `{}` is spelled with {how}", first.value),
            inv,
        );
    }
    if inv.args().iter().any(|a| a.is("--help")) {
        return Flow::bits(flow::OPAQUE);
    }
    if let Some(f) = unwrap::unwrap(w, inv, st, cx) {
        return f;
    }
    let judges: [Judge; 9] = [
        fs::judge,
        text::judge,
        git::judge,
        cloud::judge,
        k8s::judge,
        data::judge,
        host::judge,
        net::judge,
        interp::judge,
    ];
    for j in judges {
        if let Some(f) = j(w, inv, st, cx) {
            return f;
        }
    }
    generic(w, inv)
}

/// Operators of a cluster whose `uninstall` removes a cluster-wide component.
const CLUSTER_TOOLS: &[&str] = &[
    "velero",
    "istioctl",
    "linkerd",
    "cilium",
    "kubeadm",
    "k3s",
    "rke2",
    "eksctl",
    "kind",
    "minikube",
    "k3d",
    "talosctl",
    "karmadactl",
];
/// Secret managers whose `get`/`read` prints a secret.
const SECRET_TOOLS: &[&str] = &[
    "vault",
    "op",
    "doppler",
    "infisical",
    "chamber",
    "bw",
    "lpass",
    "pass",
    "gopass",
    "heroku",
    "akeyless",
    "conjur",
    "sops",
    "berglas",
    "teller",
];

/// Any other CLI: a `delete`-like subcommand is judged by what it names.
fn generic(w: &mut Walker, inv: &Inv) -> Flow {
    let prog = inv.program();
    let words: Vec<&str> = inv
        .args()
        .iter()
        .filter(|a| !a.value.starts_with('-'))
        .take(4)
        .map(|a| a.value.as_str())
        .collect();
    if dry_run(inv) {
        return Flow::bits(flow::OPAQUE);
    }
    if SECRET_TOOLS.contains(&prog)
        && words.iter().any(|w| {
            matches!(
                *w,
                "get"
                    | "read"
                    | "show"
                    | "reveal"
                    | "export"
                    | "download"
                    | "config:get"
                    | "unwrap"
                    | "decrypt"
                    | "-d"
            )
        })
    {
        return Flow::bits(flow::SECRET);
    }
    let verb = words.iter().position(|w| {
        matches!(
            *w,
            "delete"
                | "destroy"
                | "remove"
                | "rm"
                | "purge"
                | "uninstall"
                | "drop"
                | "terminate"
                | "wipe"
                | "nuke"
                | "del"
                | "destroy-app"
                | "reset"
                | "archive"
                | "deprovision"
                | "decommission"
                | "teardown"
        ) || w.ends_with(":delete")
            || w.ends_with(":destroy")
    });
    let Some(i) = verb else {
        return Flow::bits(flow::OPAQUE);
    };
    let cli_like = i >= 1
        || prog.contains('-')
        || prog.contains('_')
        || CLUSTER_TOOLS.contains(&prog)
        || SECRET_TOOLS.contains(&prog);
    if !cli_like
        || matches!(
            prog,
            "apt"
                | "apt-get"
                | "yum"
                | "dnf"
                | "brew"
                | "apk"
                | "snap"
                | "flatpak"
                | "zypper"
                | "pacman"
                | "port"
                | "asdf"
                | "mise"
                | "rustup"
                | "nvm"
                | "pyenv"
                | "rbenv"
                | "sdk"
                | "code"
                | "go"
                | "make"
                | "just"
                | "task"
        )
    {
        return Flow::bits(flow::OPAQUE);
    }
    let nouns = words.get(..i).unwrap_or(&[]);
    let verb_word = words.get(i).copied().unwrap_or("");
    if CLUSTER_TOOLS.contains(&prog)
        && (matches!(verb_word, "uninstall" | "reset" | "delete" | "destroy"))
    {
        w.hit(
            "shell.k8s-destroy",
            Grade::Deny,
            format!("`{prog} {verb_word}` removes a cluster or a cluster-wide component"),
            inv,
        );
        return Flow::bits(flow::OPAQUE);
    }
    let heavy = nouns.iter().any(|n| {
        let n = n.trim_end_matches('s');
        matches!(
            n,
            "database"
                | "db"
                | "cluster"
                | "bucket"
                | "project"
                | "volume"
                | "topic"
                | "table"
                | "stream"
                | "keyspace"
                | "compute"
                | "repo"
                | "repositorie"
                | "repository"
                | "registry"
                | "backup"
                | "snapshot"
                | "namespace"
                | "service"
                | "environment"
                | "org"
                | "organization"
                | "account"
                | "index"
                | "collection"
                | "workspace"
                | "site"
                | "zone"
                | "instance"
                | "server"
        ) || n == "app" && prog == "heroku"
    }) || inv.args().iter().skip(i).any(|a| {
        matches!(
            a.value.as_str(),
            "prod" | "production" | "--all" | "-A" | "*"
        )
    });
    let grade = if heavy { Grade::Deny } else { Grade::Review };
    let rule = if matches!(verb_word, "archive") {
        "shell.deploy"
    } else {
        "shell.cloud-destroy"
    };
    w.hit(
        rule,
        grade,
        format!(
            "`{prog} {}` deletes or retires a remote resource",
            words.get(..=i).unwrap_or(&[]).join(" ")
        ),
        inv,
    );
    Flow::bits(flow::OPAQUE)
}

/// Re-splits a program word that expanded to several words and judges the result.
fn resplit(w: &mut Walker, inv: &Inv, st: &mut State, cx: &Cx) -> Flow {
    let Some(first) = inv.argv.first() else {
        return Flow::default();
    };
    let mut argv: Vec<Arg> = first
        .value
        .split_whitespace()
        .map(|s| Arg {
            value: s.to_owned(),
            known: true,
            span: first.span,
            ..Arg::default()
        })
        .collect();
    argv.extend(inv.args().iter().cloned());
    if argv.is_empty() {
        return Flow::default();
    }
    let inner = Inv {
        argv,
        redirs: Vec::new(),
        assigns: Vec::new(),
        span: inv.span,
        stdin: inv.stdin.clone(),
        index: 0,
    };
    let mut cx = cx.clone();
    cx.depth += 1;
    w.run(inner, st, &cx)
}
