//! Files and disks: deletion, overwriting and truncation, permissions, redirections, `find`.

use super::super::expand::Arg;
use super::super::flow::{self, Flow};
use super::super::paths::{self, Target, Zone};
use super::super::walk::{Cx, Inv, State, Walker};
use super::disk::{dd, device_overwrite, parse_size, partition};
use super::find::find;
use super::perms::{in_place, perms};
use super::write::{block_device, write_to, Write};
use super::Opts;
use crate::finding::Grade::{self, Deny, Review};

const SECRET_NAMES: &[&str] = &[
    "id_rsa",
    "id_dsa",
    "id_ecdsa",
    "id_ed25519",
    "credentials",
    ".netrc",
    ".git-credentials",
    ".pgpass",
    ".env",
    "shadow",
    "gshadow",
    ".my.cnf",
    ".npmrc",
    ".pypirc",
    "secrets.yml",
    "secrets.yaml",
    "master.key",
    "credentials.json",
    "service-account.json",
    ".vault-token",
    "kubeconfig",
];

/// Whether a path names a credential file.
pub(crate) fn secret_path(t: &Target) -> bool {
    let Some(n) = &t.norm else { return false };
    let name = n.rsplit('/').next().unwrap_or("");
    if t.zone == Zone::HomeSecret {
        return !name.ends_with(".pub") && name != "known_hosts" && name != "config"
            || n.ends_with(".kube/config")
            || n.ends_with(".docker/config.json");
    }
    SECRET_NAMES.contains(&name)
        || name.starts_with(".env.")
            && !name.ends_with(".example")
            && !name.ends_with(".sample")
            && !name.ends_with(".template")
        || name.starts_with("id_") && !name.ends_with(".pub") && n.contains(".ssh")
        || name.ends_with(".pem")
            && !name.contains("cert")
            && !name.contains("chain")
            && !name.contains("ca")
        || name.ends_with(".key") && !name.ends_with(".pub.key")
        || name.ends_with(".p12")
        || name.ends_with(".pfx")
        || name.ends_with(".jks")
        || name.ends_with(".keystore")
        || n == "/etc/shadow"
        || n == "/etc/gshadow"
        || n.starts_with("/etc/ssl/private")
}

pub(crate) fn history_path(t: &Target) -> bool {
    t.norm.as_deref().is_some_and(|n| {
        let name = n.rsplit('/').next().unwrap_or("");
        matches!(
            name,
            ".bash_history"
                | ".zsh_history"
                | ".history"
                | ".sh_history"
                | ".python_history"
                | ".psql_history"
                | ".mysql_history"
                | "wtmp"
                | "btmp"
                | "lastlog"
                | "utmp"
        )
    })
}

/// What reading a file puts into a flow.
pub(crate) fn file_flow(arg: &Arg, st: &State, cx: &Cx) -> Flow {
    if arg.proc {
        return arg.flow.clone();
    }
    let t = paths::target(arg, st.cwd.as_deref(), cx);
    let mut f = Flow::bits(flow::OPAQUE);
    if let Some(n) = &t.norm {
        if n.starts_with("/dev/tcp/") || n.starts_with("/dev/udp/") {
            f.bits |= flow::DOWNLOAD;
        }
        if st.downloaded.contains(n) {
            f.bits |= flow::DOWNLOAD;
        }
        if let Some((_, c)) = st.scripts.iter().find(|(p, _)| p == n) {
            return Flow::text(c.clone());
        }
    }
    if secret_path(&t) {
        f.bits |= flow::SECRET;
    }
    if history_path(&t) {
        f.bits |= flow::HISTORY;
    }
    f
}

pub(crate) fn grade_msg(zone: Zone) -> (&'static str, Grade) {
    match zone {
        Zone::Logs => ("shell.cover-tracks", Deny),
        _ => ("shell.recursive-delete", Deny),
    }
}

/// Judges a recursive delete of a target.
pub(crate) fn recursive_delete(w: &mut Walker, inv: &Inv, t: &Target, how: &str) {
    let shown = &t.shown;
    if t.zone == Zone::Unknown {
        w.hit(
            "shell.recursive-delete",
            Deny,
            format!("{how} deletes `{shown}` recursively, a target not known before it runs"),
            inv,
        );
        return;
    }
    if let Some(p) = &t.pattern {
        // Files matching a pattern in a directory.
        let buildish = paths::buildish_name(p.trim_start_matches('*')) || paths::buildish_name(p);
        match t.zone {
            Zone::Project
            | Zone::ProjectSub
            | Zone::Build
            | Zone::Temp
            | Zone::TmpRoot
            | Zone::HomeCache
                if buildish => {}
            Zone::Temp | Zone::Build | Zone::HomeCache => {}
            Zone::TmpRoot => {}
            Zone::Project | Zone::ProjectSub | Zone::HomeSub | Zone::Other | Zone::Data => {
                w.hit(
                    "shell.file-delete",
                    Review,
                    format!("{how} deletes `{shown}` ({})", t.zone.describe()),
                    inv,
                );
            }
            z => {
                let (rule, grade) = grade_msg(z);
                w.hit(
                    rule,
                    grade,
                    format!("{how} deletes `{shown}` in {}", z.describe()),
                    inv,
                );
            }
        }
        return;
    }
    match t.zone {
        Zone::Build | Zone::Temp | Zone::HomeCache => {}
        Zone::ProjectSub | Zone::HomeSub | Zone::Other => {
            w.hit(
                "shell.file-delete",
                Review,
                format!(
                    "{how} deletes `{shown}` recursively ({})",
                    t.zone.describe()
                ),
                inv,
            );
        }
        z => {
            let (rule, grade) = grade_msg(z);
            let what = if t.contents { "everything in" } else { "" };
            let msg = if what.is_empty() {
                format!("{how} deletes `{shown}` recursively: {}", z.describe())
            } else {
                format!("{how} deletes everything in `{shown}`: {}", z.describe())
            };
            w.hit(rule, grade, msg, inv);
        }
    }
}

/// Judges deleting one file (or the files matching a pattern), not recursively.
pub(crate) fn file_delete(w: &mut Walker, inv: &Inv, t: &Target, how: &str) {
    let shown = &t.shown;
    let name = t
        .norm
        .as_deref()
        .map_or("", |n| n.rsplit('/').next().unwrap_or(""));
    if history_path(t) {
        w.hit(
            "shell.cover-tracks",
            Deny,
            format!("{how} deletes the history file `{shown}`"),
            inv,
        );
        return;
    }
    if t.contents {
        // `rm -f dir/*`: every file in the directory.
        match t.zone {
            Zone::Build | Zone::Temp | Zone::HomeCache => {}
            Zone::ProjectSub | Zone::HomeSub | Zone::Other => w.hit(
                "shell.file-delete",
                Review,
                format!("{how} deletes every file in `{shown}`"),
                inv,
            ),
            z => {
                let (rule, grade) = grade_msg(z);
                w.hit(
                    rule,
                    grade,
                    format!("{how} deletes every file in `{shown}`: {}", z.describe()),
                    inv,
                );
            }
        }
        return;
    }
    if t.pattern.is_some() {
        return recursive_delete(w, inv, t, how);
    }
    match t.zone {
        Zone::Unknown => w.hit(
            "shell.file-delete",
            Review,
            format!("{how} deletes `{shown}`, a file not known before it runs"),
            inv,
        ),
        Zone::Logs => w.hit(
            "shell.cover-tracks",
            Deny,
            format!("{how} deletes the log `{shown}`"),
            inv,
        ),
        Zone::DbData => w.hit(
            "shell.database-destroy",
            Deny,
            format!("{how} deletes `{shown}` inside a database's data directory"),
            inv,
        ),
        Zone::System | Zone::Device => w.hit(
            "shell.system-tamper",
            Deny,
            format!("{how} deletes the system file `{shown}`"),
            inv,
        ),
        Zone::Root | Zone::Home | Zone::TmpRoot | Zone::Project | Zone::Parent => {}
        Zone::HomeSecret if name == "authorized_keys" => w.hit(
            "shell.system-tamper",
            Deny,
            format!("{how} deletes `{shown}`"),
            inv,
        ),
        Zone::Git if name.ends_with(".lock") => {}
        Zone::Git => w.hit(
            "shell.recursive-delete",
            Deny,
            format!("{how} deletes `{shown}` inside `.git`"),
            inv,
        ),
        Zone::Data | Zone::Other | Zone::HomeSub | Zone::HomeSecret => w.hit(
            "shell.file-delete",
            Review,
            format!("{how} deletes `{shown}` ({})", t.zone.describe()),
            inv,
        ),
        Zone::Build | Zone::Temp | Zone::HomeCache | Zone::ProjectSub => {}
    }
}

/// Dispatches the programs of this family.
pub(crate) fn judge(w: &mut Walker, inv: &Inv, st: &mut State, cx: &Cx) -> Option<Flow> {
    let prog = inv.program();
    let args = inv.args();
    let cwd = st.cwd.clone();
    let tgt = |a: &Arg| paths::target(a, cwd.as_deref(), cx);
    match prog {
        "rm" | "unlink" | "srm" | "trash" | "trash-put" | "rimraf" | "del" => {
            let o = Opts::parse(args, &[]);
            let recursive = prog == "rimraf" || o.has(&["-r", "-R", "--recursive"]);
            let force = o.has(&["-f", "--force"]);
            let flags: String = if recursive && force {
                "rm -rf".into()
            } else if recursive {
                "rm -r".into()
            } else {
                format!("`{prog}`")
            };
            let how = if flags.starts_with('`') {
                flags
            } else {
                format!("`{flags}`")
            };
            if o.has(&["--no-preserve-root"]) {
                w.hit(
                    "shell.recursive-delete",
                    Deny,
                    format!("{how} with `--no-preserve-root`"),
                    inv,
                );
            }
            for a in &o.pos {
                let t = tgt(a);
                if recursive {
                    recursive_delete(w, inv, &t, &how);
                } else {
                    file_delete(w, inv, &t, &how);
                }
            }
            Some(Flow::default())
        }
        "shred" | "wipe" => {
            let o = Opts::parse(
                args,
                &["-n", "-s", "--iterations", "--size", "--random-source"],
            );
            for a in &o.pos {
                let t = tgt(a);
                if t.norm.as_deref().is_some_and(block_device) {
                    w.hit(
                        "shell.disk-overwrite",
                        Deny,
                        format!("`{prog}` overwrites the disk device `{}`", t.shown),
                        inv,
                    );
                } else if prog == "wipe" && o.has(&["-r", "-R"]) {
                    recursive_delete(w, inv, &t, "`wipe -r`");
                } else {
                    file_delete(w, inv, &t, &format!("`{prog}`"));
                    if matches!(t.zone, Zone::ProjectSub | Zone::Build | Zone::Temp)
                        && !o.has(&["-u", "--remove", "--zero"])
                    {
                        w.hit(
                            "shell.file-delete",
                            Review,
                            format!("`{prog}` destroys the content of `{}`", t.shown),
                            inv,
                        );
                    }
                }
            }
            Some(Flow::default())
        }
        "truncate" => {
            let o = Opts::parse(args, &["-s", "--size", "-r", "--reference"]);
            let size = o.value(&["-s", "--size"]).unwrap_or_default();
            let how = if size
                .trim_start_matches(['<', '>', '/', '%'])
                .starts_with('0')
                || size.starts_with('-')
            {
                Write::Truncate
            } else {
                Write::Replace
            };
            for a in &o.pos {
                write_to(w, inv, a, how, "truncate", st, cx);
            }
            Some(Flow::default())
        }
        "dd" => Some(dd(w, inv, st, cx)),
        "fallocate" | "mkfile" => {
            let o = Opts::parse(args, &["-l", "--length", "-o", "--offset"]);
            let size = o
                .value(&["-l", "--length"])
                .or_else(|| o.pos.first().map(|a| a.value.clone()))
                .unwrap_or_default();
            if parse_size(&size).is_some_and(|s| s >= 10 << 30) {
                w.hit(
                    "shell.resource-exhaustion",
                    Deny,
                    format!("`{prog}` allocates `{size}` of disk"),
                    inv,
                );
            }
            Some(Flow::default())
        }
        "mkfs" | "mke2fs" | "mkswap" | "wipefs" | "blkdiscard" | "mkdosfs" => {
            device_overwrite(w, inv, args, prog);
            Some(Flow::default())
        }
        _ if prog.starts_with("mkfs.") => {
            device_overwrite(w, inv, args, prog);
            Some(Flow::default())
        }
        "fdisk" | "sfdisk" | "gdisk" | "sgdisk" | "parted" | "cfdisk" | "cgdisk" => {
            Some(partition(w, inv, prog))
        }
        "lvremove" | "vgremove" | "pvremove" | "lvreduce" | "mdadm" | "cryptsetup" => {
            let destructive = match prog {
                "mdadm" => args
                    .iter()
                    .any(|a| a.is("--zero-superblock") || a.is("--create") || a.is("-C")),
                "cryptsetup" => args.iter().any(|a| {
                    matches!(
                        a.value.as_str(),
                        "luksFormat" | "erase" | "luksErase" | "reencrypt"
                    )
                }),
                _ => true,
            };
            if destructive {
                w.hit(
                    "shell.disk-overwrite",
                    Deny,
                    format!("`{prog}` destroys a volume"),
                    inv,
                );
            }
            Some(Flow::default())
        }
        "zpool" | "zfs" => {
            if args
                .first()
                .is_some_and(|a| matches!(a.value.as_str(), "destroy" | "labelclear"))
            {
                w.hit(
                    "shell.disk-overwrite",
                    Deny,
                    format!(
                        "`{prog} {}` destroys a pool or dataset",
                        args.first().map_or("", |a| a.value.as_str())
                    ),
                    inv,
                );
            }
            Some(Flow::default())
        }
        "growpart" | "resize2fs" | "xfs_growfs" | "lvextend" | "lvresize" | "tune2fs"
        | "e2fsck" | "fsck" | "xfs_repair" => {
            w.hit(
                "shell.system-tamper",
                Review,
                format!("`{prog}` changes a file system or partition"),
                inv,
            );
            Some(Flow::default())
        }
        "mount" | "umount" | "swapoff" | "swapon" => {
            let o = Opts::parse(args, &["-t", "-o", "-O", "--types"]);
            if prog != "mount" && !args.is_empty()
                || prog == "mount"
                    && (!o.pos.is_empty()
                        || o.has(&["-a", "--all", "--bind", "--move", "-B", "-M"]))
            {
                w.hit(
                    "shell.system-tamper",
                    Review,
                    format!("`{prog}` changes what is mounted"),
                    inv,
                );
            }
            Some(Flow::default())
        }
        "chmod" | "chown" | "chgrp" | "setfacl" | "chattr" => {
            perms(w, inv, st, cx);
            Some(Flow::default())
        }
        "find" => Some(find(w, inv, st, cx)),
        "rsync" => {
            super::net::rsync(w, inv, st, cx);
            Some(Flow::bits(flow::OPAQUE))
        }
        "tee" | "sponge" => {
            let o = Opts::parse(args, &[]);
            let how = if o.has(&["-a", "--append"]) {
                Write::Append
            } else {
                Write::Replace
            };
            for a in &o.pos {
                write_to(w, inv, a, how, prog, st, cx);
            }
            Some(inv.stdin.clone())
        }
        "cp" | "mv" | "install" | "ln" | "rename" => {
            let o = Opts::parse(
                args,
                &[
                    "-t",
                    "--target-directory",
                    "-m",
                    "--mode",
                    "-o",
                    "-g",
                    "--owner",
                    "--group",
                    "-S",
                    "--suffix",
                ],
            );
            if prog == "ln" && !o.has(&["-f", "--force"]) {
                return Some(Flow::default());
            }
            let dest = o
                .value(&["-t", "--target-directory"])
                .map(|v| Arg::plain(v, inv.span))
                .or_else(|| o.pos.last().map(|a| (*a).clone()));
            if let Some(d) = &dest {
                if prog != "rename" {
                    write_to(w, inv, d, Write::Replace, prog, st, cx);
                }
                if prog == "mv" && d.known && (d.value == "/dev/null") {
                    for a in o.pos.iter().take(o.pos.len().saturating_sub(1)) {
                        recursive_delete(w, inv, &tgt(a), "`mv` to `/dev/null`");
                    }
                }
            }
            if prog == "mv" {
                for a in o.pos.iter().take(o.pos.len().saturating_sub(1)) {
                    let t = tgt(a);
                    if matches!(
                        t.zone,
                        Zone::System
                            | Zone::Root
                            | Zone::DbData
                            | Zone::Git
                            | Zone::Project
                            | Zone::Home
                    ) && t.pattern.is_none()
                    {
                        let (rule, grade) = if t.zone == Zone::DbData {
                            ("shell.database-destroy", Deny)
                        } else if t.zone == Zone::Git
                            || t.zone == Zone::Project
                            || t.zone == Zone::Home
                        {
                            ("shell.recursive-delete", Deny)
                        } else {
                            ("shell.system-tamper", Deny)
                        };
                        w.hit(
                            rule,
                            grade,
                            format!("`mv` moves `{}` away ({})", t.shown, t.zone.describe()),
                            inv,
                        );
                    } else if t.zone == Zone::Logs {
                        w.hit(
                            "shell.cover-tracks",
                            Deny,
                            format!("`mv` moves the log `{}` away", t.shown),
                            inv,
                        );
                    }
                }
            }
            let sources: Vec<&&Arg> = if o.value(&["-t", "--target-directory"]).is_some() {
                o.pos.iter().collect()
            } else {
                o.pos.iter().take(o.pos.len().saturating_sub(1)).collect()
            };
            if prog == "mv"
                && sources.iter().any(|a| {
                    (a.glob || !a.known)
                        && !matches!(
                            tgt(a).zone,
                            Zone::ProjectSub | Zone::Build | Zone::Temp | Zone::Project
                        )
                })
            {
                w.hit(
                    "shell.file-delete",
                    Review,
                    "`mv` moves many files out of place".to_owned(),
                    inv,
                );
            }
            let everything = |a: &Arg| {
                let t = tgt(a);
                !a.known
                    || t.contents
                    || t.pattern
                        .as_deref()
                        .is_some_and(|p| p.contains("(filtered)") || p == "*")
            };
            if prog == "rename" && o.pos.iter().skip(1).any(|a| everything(a)) {
                w.hit(
                    "shell.file-delete",
                    Review,
                    "`rename` rewrites the names of many files".to_owned(),
                    inv,
                );
            }
            Some(Flow::default())
        }
        "sed" | "perl"
            if args.iter().any(|a| {
                a.value == "-i"
                    || a.value.starts_with("-i") && prog == "sed"
                    || a.value.starts_with("--in-place")
                    || prog == "perl"
                        && a.value.starts_with("-")
                        && a.value.contains('i')
                        && a.value.contains('e')
            }) =>
        {
            in_place(w, inv, st, cx);
            None.or(Some(Flow::bits(flow::OPAQUE)))
        }
        "mkdir" => {
            for a in args.iter().filter(|a| !a.value.starts_with('-')) {
                if let Some(n) = tgt(a).norm {
                    st.empty_dirs.push(n);
                }
            }
            Some(Flow::default())
        }
        "cd" | "pushd" => {
            let dest = args
                .iter()
                .find(|a| !a.value.starts_with('-') || a.value == "-");
            st.cwd = match dest {
                None => Some("~".to_owned()),
                Some(a) if a.value == "-" => None,
                Some(a) => tgt(a).norm.filter(|_| a.known && !a.glob),
            };
            Some(Flow::default())
        }
        "mktemp" => Some(Flow {
            bits: 0,
            content: Some("/tmp/tmp.XXXXXXXXXX".to_owned()),
            paths: Some("mktemp".to_owned()),
        }),
        "ls" | "tree" | "exa" | "eza" | "fd" | "fdfind" | "locate" => {
            let dir = args
                .iter()
                .find(|a| !a.value.starts_with('-'))
                .map_or_else(|| ".".to_owned(), |a| a.value.clone());
            Some(Flow {
                bits: flow::OPAQUE,
                content: None,
                paths: Some(format!("{}/*", dir.trim_end_matches('/'))),
            })
        }
        _ => None,
    }
}
