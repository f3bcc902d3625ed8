//! Files and disks: deletion, overwriting and truncation, permissions, redirections, `find`.

use super::super::expand::Arg;
use super::super::flow::{self, Flow};
use super::super::paths::{self, Target, Zone};
use super::super::walk::{Cx, Inv, RArg, State, Walker};
use super::Opts;
use crate::finding::Grade::{self, Deny, Review};

/// How a file is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Write {
    Truncate,
    Append,
    Replace,
    Delete,
}

const SECRET_NAMES: &[&str] = &[
    "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "credentials", ".netrc", ".git-credentials", ".pgpass", ".env", "shadow", "gshadow", ".my.cnf",
    ".npmrc", ".pypirc", "secrets.yml", "secrets.yaml", "master.key", "credentials.json", "service-account.json", ".vault-token", "kubeconfig",
];

/// Whether a path names a credential file.
pub(crate) fn secret_path(t: &Target) -> bool {
    let Some(n) = &t.norm else { return false };
    let name = n.rsplit('/').next().unwrap_or("");
    if t.zone == Zone::HomeSecret {
        return !name.ends_with(".pub") && name != "known_hosts" && name != "config" || n.ends_with(".kube/config") || n.ends_with(".docker/config.json");
    }
    SECRET_NAMES.contains(&name)
        || name.starts_with(".env.") && !name.ends_with(".example") && !name.ends_with(".sample") && !name.ends_with(".template")
        || name.starts_with("id_") && !name.ends_with(".pub") && n.contains(".ssh")
        || name.ends_with(".pem") && !name.contains("cert") && !name.contains("chain") && !name.contains("ca")
        || name.ends_with(".key") && !name.ends_with(".pub.key")
        || name.ends_with(".p12") || name.ends_with(".pfx") || name.ends_with(".jks") || name.ends_with(".keystore")
        || n == "/etc/shadow" || n == "/etc/gshadow" || n.starts_with("/etc/ssl/private")
}

fn history_path(t: &Target) -> bool {
    t.norm.as_deref().is_some_and(|n| {
        let name = n.rsplit('/').next().unwrap_or("");
        matches!(name, ".bash_history" | ".zsh_history" | ".history" | ".sh_history" | ".python_history" | ".psql_history" | ".mysql_history" | "wtmp" | "btmp" | "lastlog" | "utmp")
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

/// System files whose replacement breaks the host or opens it.
fn critical_file(n: &str) -> bool {
    matches!(n, "/etc/passwd" | "/etc/shadow" | "/etc/group" | "/etc/gshadow" | "/etc/hosts" | "/etc/resolv.conf" | "/etc/fstab" | "/etc/environment" | "/etc/ld.so.preload" | "/etc/profile" | "/etc/bash.bashrc" | "/etc/crontab" | "/etc/rc.local" | "/etc/hostname" | "/etc/nsswitch.conf" | "/etc/login.defs" | "/")
        || ["/etc/ssh/", "/etc/pam.d/", "/etc/security/", "/etc/profile.d/", "/boot/", "/bin/", "/sbin/", "/usr/bin/", "/usr/sbin/", "/lib/", "/lib64/", "/usr/lib/", "/etc/init.d/", "/etc/systemd/system/", "/etc/ld.so.conf"].iter().any(|p| n.starts_with(p))
}

fn block_device(n: &str) -> bool {
    let Some(dev) = n.strip_prefix("/dev/") else { return false };
    ["sd", "hd", "vd", "xvd", "nvme", "mmcblk", "disk", "mapper/", "md", "dm-", "loop", "rdisk", "nbd", "zd", "root"].iter().any(|p| dev.starts_with(p))
}

/// Judges a write to a file by any program.
pub(crate) fn write_to(w: &mut Walker, inv: &Inv, arg: &Arg, how: Write, program: &str, st: &State, cx: &Cx) {
    let t = paths::target(arg, st.cwd.as_deref(), cx);
    let Some(n) = t.norm.clone() else { return };
    let shown = &t.shown;
    let verb = match how {
        Write::Truncate => "truncates",
        Write::Append => "appends to",
        Write::Replace => "overwrites",
        Write::Delete => "deletes",
    };
    if block_device(&n) && how != Write::Delete {
        w.hit("shell.disk-overwrite", Deny, format!("`{program}` {verb} the disk device `{shown}`"), inv);
        return;
    }
    let name = n.rsplit('/').next().unwrap_or("");
    if how == Write::Append && name == "authorized_keys" {
        w.hit("shell.system-tamper", Deny, format!("`{program}` adds a key to `{shown}`: a new way in"), inv);
        return;
    }
    if n.starts_with("/etc/sudoers") || n == "/etc/doas.conf" {
        w.hit("shell.privilege-change", Deny, format!("`{program}` {verb} `{shown}`, which decides who is root"), inv);
        return;
    }
    if n.starts_with("/etc/cron") || n.starts_with("/var/spool/cron") {
        w.hit("shell.system-tamper", Deny, format!("`{program}` {verb} the crontab `{shown}`"), inv);
        return;
    }
    if history_path(&t) && how != Write::Append {
        w.hit("shell.cover-tracks", Deny, format!("`{program}` {verb} the history file `{shown}`"), inv);
        return;
    }
    match t.zone {
        Zone::Logs if how != Write::Append => w.hit("shell.cover-tracks", Deny, format!("`{program}` {verb} the log `{shown}`"), inv),
        Zone::DbData if how != Write::Append => w.hit("shell.database-destroy", Deny, format!("`{program}` {verb} `{shown}` inside a database's data directory"), inv),
        Zone::System | Zone::Root => {
            if n.starts_with("/proc/sys/") || n.starts_with("/sys/") {
                w.hit("shell.system-tamper", Review, format!("`{program}` changes the kernel setting `{shown}`"), inv);
            } else if critical_file(&n) || how == Write::Truncate && n.starts_with("/etc/") || how == Write::Delete {
                w.hit("shell.system-tamper", Deny, format!("`{program}` {verb} the system file `{shown}`"), inv);
            } else {
                w.hit("shell.system-tamper", Review, format!("`{program}` {verb} the system file `{shown}`"), inv);
            }
        }
        Zone::HomeSecret if name == "authorized_keys" || name == "config" && n.contains(".ssh") => {
            w.hit("shell.system-tamper", Deny, format!("`{program}` {verb} `{shown}`"), inv);
        }
        Zone::HomeSub | Zone::Home if matches!(name, ".bashrc" | ".profile" | ".bash_profile" | ".zshrc" | ".zprofile" | ".bash_login" | ".bash_logout") => {
            w.hit("shell.system-tamper", Review, format!("`{program}` {verb} the login script `{shown}`"), inv);
        }
        _ => {}
    }
}

/// Judges the redirections of a command.
pub(crate) fn redirections(w: &mut Walker, inv: &Inv, st: &State, cx: &Cx) {
    let st_ref = st;
    let redirs: Vec<RArg> = inv.redirs.clone();
    for r in &redirs {
        let v = r.target.value.as_str();
        if v.starts_with("/dev/tcp/") || v.starts_with("/dev/udp/") {
            super::net::dev_tcp(w, inv, r);
            continue;
        }
        if !r.op.writes() || r.op == super::super::ast::RedirOp::DupOut && (v.chars().all(|c| c.is_ascii_digit()) || v == "-") {
            continue;
        }
        let how = if r.op.truncates() { Write::Truncate } else { Write::Append };
        let prog = if inv.argv.is_empty() { ">".to_owned() } else { inv.program().to_owned() };
        let how = if how == Write::Truncate && !inv.argv.is_empty() && !matches!(prog.as_str(), ":" | "true" | "echo" | "printf" | "cat") { Write::Replace } else { how };
        write_to(w, inv, &r.target, how, &prog, st_ref, cx);
    }
}

fn grade_msg(zone: Zone) -> (&'static str, Grade) {
    match zone {
        Zone::Logs => ("shell.cover-tracks", Deny),
        _ => ("shell.recursive-delete", Deny),
    }
}

/// Judges a recursive delete of a target.
pub(crate) fn recursive_delete(w: &mut Walker, inv: &Inv, t: &Target, how: &str) {
    let shown = &t.shown;
    if t.zone == Zone::Unknown {
        w.hit("shell.recursive-delete", Deny, format!("{how} deletes `{shown}` recursively, a target not known before it runs"), inv);
        return;
    }
    if let Some(p) = &t.pattern {
        // Files matching a pattern in a directory.
        let buildish = paths::buildish_name(p.trim_start_matches('*')) || paths::buildish_name(p);
        match t.zone {
            Zone::Project | Zone::ProjectSub | Zone::Build | Zone::Temp | Zone::TmpRoot | Zone::HomeCache if buildish => {}
            Zone::Temp | Zone::Build | Zone::HomeCache => {}
            Zone::TmpRoot => {}
            Zone::Project | Zone::ProjectSub | Zone::HomeSub | Zone::Other | Zone::Data => {
                w.hit("shell.file-delete", Review, format!("{how} deletes `{shown}` ({})", t.zone.describe()), inv);
            }
            z => {
                let (rule, grade) = grade_msg(z);
                w.hit(rule, grade, format!("{how} deletes `{shown}` in {}", z.describe()), inv);
            }
        }
        return;
    }
    match t.zone {
        Zone::Build | Zone::Temp | Zone::HomeCache => {}
        Zone::ProjectSub | Zone::HomeSub | Zone::Other => {
            w.hit("shell.file-delete", Review, format!("{how} deletes `{shown}` recursively ({})", t.zone.describe()), inv);
        }
        z => {
            let (rule, grade) = grade_msg(z);
            let what = if t.contents { "everything in" } else { "" };
            let msg = if what.is_empty() { format!("{how} deletes `{shown}` recursively: {}", z.describe()) } else { format!("{how} deletes everything in `{shown}`: {}", z.describe()) };
            w.hit(rule, grade, msg, inv);
        }
    }
}

/// Judges deleting one file (or the files matching a pattern), not recursively.
pub(crate) fn file_delete(w: &mut Walker, inv: &Inv, t: &Target, how: &str) {
    let shown = &t.shown;
    let name = t.norm.as_deref().map_or("", |n| n.rsplit('/').next().unwrap_or(""));
    if history_path(t) {
        w.hit("shell.cover-tracks", Deny, format!("{how} deletes the history file `{shown}`"), inv);
        return;
    }
    if t.contents {
        // `rm -f dir/*`: every file in the directory.
        match t.zone {
            Zone::Build | Zone::Temp | Zone::HomeCache => {}
            Zone::ProjectSub | Zone::HomeSub | Zone::Other => w.hit("shell.file-delete", Review, format!("{how} deletes every file in `{shown}`"), inv),
            z => {
                let (rule, grade) = grade_msg(z);
                w.hit(rule, grade, format!("{how} deletes every file in `{shown}`: {}", z.describe()), inv);
            }
        }
        return;
    }
    if t.pattern.is_some() {
        return recursive_delete(w, inv, t, how);
    }
    match t.zone {
        Zone::Unknown => w.hit("shell.file-delete", Review, format!("{how} deletes `{shown}`, a file not known before it runs"), inv),
        Zone::Logs => w.hit("shell.cover-tracks", Deny, format!("{how} deletes the log `{shown}`"), inv),
        Zone::DbData => w.hit("shell.database-destroy", Deny, format!("{how} deletes `{shown}` inside a database's data directory"), inv),
        Zone::System | Zone::Device => w.hit("shell.system-tamper", Deny, format!("{how} deletes the system file `{shown}`"), inv),
        Zone::Root | Zone::Home | Zone::TmpRoot | Zone::Project | Zone::Parent => {}
        Zone::HomeSecret if name == "authorized_keys" => w.hit("shell.system-tamper", Deny, format!("{how} deletes `{shown}`"), inv),
        Zone::Git if name.ends_with(".lock") => {}
        Zone::Git => w.hit("shell.recursive-delete", Deny, format!("{how} deletes `{shown}` inside `.git`"), inv),
        Zone::Data | Zone::Other | Zone::HomeSub | Zone::HomeSecret => w.hit("shell.file-delete", Review, format!("{how} deletes `{shown}` ({})", t.zone.describe()), inv),
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
            let flags: String = if recursive && force { "rm -rf".into() } else if recursive { "rm -r".into() } else { format!("`{prog}`") };
            let how = if flags.starts_with('`') { flags } else { format!("`{flags}`") };
            if o.has(&["--no-preserve-root"]) {
                w.hit("shell.recursive-delete", Deny, format!("{how} with `--no-preserve-root`"), inv);
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
            let o = Opts::parse(args, &["-n", "-s", "--iterations", "--size", "--random-source"]);
            for a in &o.pos {
                let t = tgt(a);
                if t.norm.as_deref().is_some_and(block_device) {
                    w.hit("shell.disk-overwrite", Deny, format!("`{prog}` overwrites the disk device `{}`", t.shown), inv);
                } else if prog == "wipe" && o.has(&["-r", "-R"]) {
                    recursive_delete(w, inv, &t, "`wipe -r`");
                } else {
                    file_delete(w, inv, &t, &format!("`{prog}`"));
                    if matches!(t.zone, Zone::ProjectSub | Zone::Build | Zone::Temp) && !o.has(&["-u", "--remove", "--zero"]) {
                        w.hit("shell.file-delete", Review, format!("`{prog}` destroys the content of `{}`", t.shown), inv);
                    }
                }
            }
            Some(Flow::default())
        }
        "truncate" => {
            let o = Opts::parse(args, &["-s", "--size", "-r", "--reference"]);
            let size = o.value(&["-s", "--size"]).unwrap_or_default();
            let how = if size.trim_start_matches(['<', '>', '/', '%']).starts_with('0') || size.starts_with('-') { Write::Truncate } else { Write::Replace };
            for a in &o.pos {
                write_to(w, inv, a, how, "truncate", st, cx);
            }
            Some(Flow::default())
        }
        "dd" => Some(dd(w, inv, st, cx)),
        "fallocate" | "mkfile" => {
            let o = Opts::parse(args, &["-l", "--length", "-o", "--offset"]);
            let size = o.value(&["-l", "--length"]).or_else(|| o.pos.first().map(|a| a.value.clone())).unwrap_or_default();
            if parse_size(&size).is_some_and(|s| s >= 10 << 30) {
                w.hit("shell.resource-exhaustion", Deny, format!("`{prog}` allocates `{size}` of disk"), inv);
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
        "fdisk" | "sfdisk" | "gdisk" | "sgdisk" | "parted" | "cfdisk" | "cgdisk" => Some(partition(w, inv, prog)),
        "lvremove" | "vgremove" | "pvremove" | "lvreduce" | "mdadm" | "cryptsetup" => {
            let destructive = match prog {
                "mdadm" => args.iter().any(|a| a.is("--zero-superblock") || a.is("--create") || a.is("-C")),
                "cryptsetup" => args.iter().any(|a| matches!(a.value.as_str(), "luksFormat" | "erase" | "luksErase" | "reencrypt")),
                _ => true,
            };
            if destructive {
                w.hit("shell.disk-overwrite", Deny, format!("`{prog}` destroys a volume"), inv);
            }
            Some(Flow::default())
        }
        "zpool" | "zfs" => {
            if args.first().is_some_and(|a| matches!(a.value.as_str(), "destroy" | "labelclear")) {
                w.hit("shell.disk-overwrite", Deny, format!("`{prog} {}` destroys a pool or dataset", args.first().map_or("", |a| a.value.as_str())), inv);
            }
            Some(Flow::default())
        }
        "growpart" | "resize2fs" | "xfs_growfs" | "lvextend" | "lvresize" | "tune2fs" | "e2fsck" | "fsck" | "xfs_repair" => {
            w.hit("shell.system-tamper", Review, format!("`{prog}` changes a file system or partition"), inv);
            Some(Flow::default())
        }
        "mount" | "umount" | "swapoff" | "swapon" => {
            let o = Opts::parse(args, &["-t", "-o", "-O", "--types"]);
            if prog != "mount" && !args.is_empty() || prog == "mount" && (!o.pos.is_empty() || o.has(&["-a", "--all", "--bind", "--move", "-B", "-M"])) {
                w.hit("shell.system-tamper", Review, format!("`{prog}` changes what is mounted"), inv);
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
            let how = if o.has(&["-a", "--append"]) { Write::Append } else { Write::Replace };
            for a in &o.pos {
                write_to(w, inv, a, how, prog, st, cx);
            }
            Some(inv.stdin.clone())
        }
        "cp" | "mv" | "install" | "ln" | "rename" => {
            let o = Opts::parse(args, &["-t", "--target-directory", "-m", "--mode", "-o", "-g", "--owner", "--group", "-S", "--suffix"]);
            if prog == "ln" && !o.has(&["-f", "--force"]) {
                return Some(Flow::default());
            }
            let dest = o.value(&["-t", "--target-directory"]).map(|v| Arg::plain(v, inv.span)).or_else(|| o.pos.last().map(|a| (*a).clone()));
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
                    if matches!(t.zone, Zone::System | Zone::Root | Zone::DbData | Zone::Git | Zone::Project | Zone::Home) && t.pattern.is_none() {
                        let (rule, grade) = if t.zone == Zone::DbData { ("shell.database-destroy", Deny) } else if t.zone == Zone::Git || t.zone == Zone::Project || t.zone == Zone::Home { ("shell.recursive-delete", Deny) } else { ("shell.system-tamper", Deny) };
                        w.hit(rule, grade, format!("`mv` moves `{}` away ({})", t.shown, t.zone.describe()), inv);
                    } else if t.zone == Zone::Logs {
                        w.hit("shell.cover-tracks", Deny, format!("`mv` moves the log `{}` away", t.shown), inv);
                    }
                }
            }
            let sources: Vec<&&Arg> = if o.value(&["-t", "--target-directory"]).is_some() { o.pos.iter().collect() } else { o.pos.iter().take(o.pos.len().saturating_sub(1)).collect() };
            if prog == "mv" && sources.iter().any(|a| (a.glob || !a.known) && !matches!(tgt(a).zone, Zone::ProjectSub | Zone::Build | Zone::Temp | Zone::Project)) {
                w.hit("shell.file-delete", Review, "`mv` moves many files out of place".to_owned(), inv);
            }
            let everything = |a: &Arg| {
                let t = tgt(a);
                !a.known || t.contents || t.pattern.as_deref().is_some_and(|p| p.contains("(filtered)") || p == "*")
            };
            if prog == "rename" && o.pos.iter().skip(1).any(|a| everything(a)) {
                w.hit("shell.file-delete", Review, "`rename` rewrites the names of many files".to_owned(), inv);
            }
            Some(Flow::default())
        }
        "sed" | "perl" if args.iter().any(|a| a.value == "-i" || a.value.starts_with("-i") && prog == "sed" || a.value.starts_with("--in-place") || prog == "perl" && a.value.starts_with("-") && a.value.contains('i') && a.value.contains('e')) => {
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
            let dest = args.iter().find(|a| !a.value.starts_with('-') || a.value == "-");
            st.cwd = match dest {
                None => Some("~".to_owned()),
                Some(a) if a.value == "-" => None,
                Some(a) => tgt(a).norm.filter(|_| a.known && !a.glob),
            };
            Some(Flow::default())
        }
        "mktemp" => Some(Flow { bits: 0, content: Some("/tmp/tmp.XXXXXXXXXX".to_owned()), paths: Some("mktemp".to_owned()) }),
        "ls" | "tree" | "exa" | "eza" | "fd" | "fdfind" | "locate" => {
            let dir = args.iter().find(|a| !a.value.starts_with('-')).map_or_else(|| ".".to_owned(), |a| a.value.clone());
            Some(Flow { bits: flow::OPAQUE, content: None, paths: Some(format!("{}/*", dir.trim_end_matches('/'))) })
        }
        _ => None,
    }
}

/// `500G` → bytes.
pub(crate) fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let digits: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
    let n: u64 = digits.parse().ok()?;
    let unit = s.get(digits.len()..).unwrap_or("").to_ascii_uppercase();
    let mult: u64 = match unit.trim_end_matches(['B', 'I']).chars().next() {
        None => 1,
        Some('K') => 1 << 10,
        Some('M') => 1 << 20,
        Some('G') => 1 << 30,
        Some('T') => 1 << 40,
        Some('P') => 1 << 50,
        _ => 1,
    };
    n.checked_mul(mult)
}

fn device_overwrite(w: &mut Walker, inv: &Inv, args: &[Arg], prog: &str) {
    let dev = args.iter().rev().find(|a| !a.value.starts_with('-'));
    match dev {
        Some(d) if d.value.starts_with("/dev/") || !d.known => {
            w.hit("shell.disk-overwrite", Deny, format!("`{prog}` destroys what is on `{}`", d.value), inv);
        }
        _ => {}
    }
}

fn partition(w: &mut Walker, inv: &Inv, prog: &str) -> Flow {
    let args = inv.args();
    let reads = args.iter().any(|a| matches!(a.value.as_str(), "-l" | "--list" | "-d" | "--dump" | "-s" | "--show-size" | "-V" | "--verify" | "-p" | "--print" | "print" | "--json" | "-J" | "-g" | "--show-geometry"))
        || prog == "parted" && args.iter().any(|a| a.value == "print") && !args.iter().any(|a| matches!(a.value.as_str(), "rm" | "mklabel" | "mkpart" | "resizepart"));
    let destroys_parted = prog == "parted" && args.iter().any(|a| matches!(a.value.as_str(), "rm" | "mklabel" | "mkpart" | "resizepart"));
    let zaps = prog == "sgdisk" && args.iter().any(|a| matches!(a.value.as_str(), "-Z" | "--zap-all" | "-o" | "--clear" | "-z" | "--zap" | "-d" | "--delete" | "-n" | "--new"));
    if destroys_parted || zaps || !reads && (inv.stdin.content.is_some() || inv.stdin.bits != 0 || prog == "sfdisk") {
        w.hit("shell.disk-overwrite", Deny, format!("`{prog}` rewrites the partition table"), inv);
    } else if !reads {
        w.hit("shell.disk-overwrite", Review, format!("`{prog}` edits a partition table"), inv);
    }
    Flow::bits(flow::OPAQUE)
}

fn dd(w: &mut Walker, inv: &Inv, st: &State, cx: &Cx) -> Flow {
    let mut input = None;
    let mut output = None;
    let mut count = false;
    for a in inv.args() {
        if let Some(v) = a.value.strip_prefix("if=") {
            input = Some(v.to_owned());
        } else if let Some(v) = a.value.strip_prefix("of=") {
            output = Some(Arg { value: v.to_owned(), ..a.clone() });
        } else if a.value.starts_with("count=") {
            count = true;
        }
    }
    let Some(out) = output else {
        let f = match &input {
            Some(i) => file_flow(&Arg { value: i.clone(), known: true, ..Arg::default() }, st, cx),
            None => inv.stdin.clone(),
        };
        return f;
    };
    write_to(w, inv, &out, Write::Replace, "dd", st, cx);
    let endless = input.as_deref().is_some_and(|i| matches!(i, "/dev/zero" | "/dev/urandom" | "/dev/random"));
    if endless && !count && out.value != "/dev/null" && !out.value.starts_with("/dev/") {
        w.hit("shell.resource-exhaustion", Deny, format!("`dd` writes `{}` into `{}` without a `count`, until the disk is full", input.unwrap_or_default(), out.value), inv);
    }
    Flow::default()
}

fn perms(w: &mut Walker, inv: &Inv, st: &State, cx: &Cx) {
    let prog = inv.program();
    let args = inv.args();
    let o = Opts::parse(args, &["--reference", "--from"]);
    let recursive = o.has(&["-R", "-r", "--recursive"]);
    let mut pos = o.pos.iter();
    let mode = if matches!(prog, "chmod" | "chown" | "chgrp" | "setfacl") && o.value(&["--reference"]).is_none() {
        pos.next().map(|a| a.value.clone()).unwrap_or_default()
    } else {
        String::new()
    };
    // A numeric mode like `-777` parses as flags.
    let mode = if mode.is_empty() { o.flags.iter().find(|f| f.len() > 1 && f.get(1..).is_some_and(|m| m.chars().all(|c| c.is_ascii_digit()))).cloned().unwrap_or_default() } else { mode };
    let setuid = prog == "chmod" && (mode.contains("+s") || mode.contains("u+s") || mode.contains("g+s") || mode.len() == 4 && mode.starts_with(['2', '4', '6', '7']) && mode.chars().all(|c| c.is_ascii_digit()) || mode.contains("=s"));
    let world = prog == "chmod" && (mode.ends_with('7') && mode.chars().all(|c| c.is_ascii_digit()) || mode.contains("o+w") || mode.contains("a+w") || mode.contains("+rwx") && !mode.starts_with('u') || mode.ends_with("666"));
    let targets: Vec<Target> = pos.map(|a| paths::target(a, st.cwd.as_deref(), cx)).collect();
    let bulk = args.iter().any(|a| a.glob || !a.known);
    let to_root = prog == "chown" && (mode == "root" || mode.starts_with("root:") || mode == "0" || mode.starts_with("0:"));
    if targets.is_empty() && bulk {
        w.hit("shell.privilege-change", Review, format!("`{prog}` changes ownership or permissions of files not known before it runs"), inv);
        return;
    }
    if setuid {
        w.hit("shell.privilege-change", Deny, format!("`chmod {mode}` sets a setuid or setgid bit"), inv);
        return;
    }
    if prog == "chattr" {
        if targets.iter().any(|t| matches!(t.zone, Zone::System | Zone::Logs | Zone::Root)) {
            w.hit("shell.system-tamper", Review, "`chattr` changes attributes of system files".to_owned(), inv);
        }
        return;
    }
    for t in &targets {
        let shown = &t.shown;
        let system = matches!(t.zone, Zone::Root | Zone::System | Zone::Home | Zone::HomeSecret | Zone::DbData | Zone::Logs | Zone::Device | Zone::TmpRoot | Zone::Parent);
        let sensitive = t.norm.as_deref().is_some_and(|n| matches!(n, "/etc/shadow" | "/etc/passwd" | "/etc/sudoers" | "/etc/gshadow" | "/etc/group") || n.starts_with("/etc/sudoers"));
        if (recursive && system) || (world && (system || sensitive)) || sensitive {
            w.hit("shell.privilege-change", Deny, format!("`{prog}{}` of `{shown}` ({})", if recursive { " -R" } else { "" }, t.zone.describe()), inv);
        } else if recursive && matches!(t.zone, Zone::Build) || !recursive && matches!(t.zone, Zone::ProjectSub | Zone::Build | Zone::Temp) && t.pattern.is_none() && !t.contents && !bulk && !to_root {
        } else if matches!(t.zone, Zone::Temp) && !to_root {
        } else {
            w.hit("shell.privilege-change", Review, format!("`{prog}{}` changes permissions of `{shown}` ({})", if recursive { " -R" } else { "" }, t.zone.describe()), inv);
        }
    }
}

fn in_place(w: &mut Walker, inv: &Inv, st: &State, cx: &Cx) {
    let prog = inv.program();
    let args = inv.args();
    let o = Opts::parse(args, &["-e", "-f", "--expression", "--file"]);
    let mut files: Vec<&Arg> = o.pos.clone();
    if o.value(&["-e", "--expression", "-f", "--file"]).is_none() && !files.is_empty() && prog == "sed" {
        files.remove(0);
    }
    for f in files {
        let t = paths::target(f, st.cwd.as_deref(), cx);
        if t.contents || !f.known || t.pattern.as_deref().is_some_and(|p| p.contains("(filtered)") || p == "*") {
            if matches!(t.zone, Zone::ProjectSub | Zone::Project | Zone::Git | Zone::Unknown) {
                w.hit("shell.file-delete", Review, format!("`{prog} -i` rewrites every file matching `{}`", t.shown), inv);
                continue;
            }
        }
        write_to(w, inv, f, Write::Replace, &format!("{prog} -i"), st, cx);
    }
}

fn find(w: &mut Walker, inv: &Inv, st: &mut State, cx: &Cx) -> Flow {
    let args = inv.args();
    let mut i = 0;
    while args.get(i).is_some_and(|a| matches!(a.value.as_str(), "-H" | "-L" | "-P") || a.value.starts_with("-O") || a.value.starts_with("-D")) {
        i += 1;
    }
    let mut roots: Vec<&Arg> = Vec::new();
    while let Some(a) = args.get(i) {
        if a.value.starts_with('-') || a.value == "(" || a.value == "!" || a.value == "\\(" {
            break;
        }
        roots.push(a);
        i += 1;
    }
    let default_root = Arg::plain(".", inv.span);
    if roots.is_empty() {
        roots.push(&default_root);
    }
    let mut name: Option<String> = None;
    let mut name_known = true;
    let mut filtered = false;
    let mut single = false;
    let mut delete = false;
    let mut execs: Vec<(String, Vec<Arg>)> = Vec::new();
    while let Some(a) = args.get(i) {
        let v = a.value.as_str();
        let negated = i > 0 && args.get(i - 1).is_some_and(|x| x.value == "!" || x.value == "-not" || x.value == "\\!");
        match v {
            "-name" | "-iname" | "-path" | "-ipath" | "-wholename" | "-regex" | "-iregex" | "-lname" => {
                if let Some(p) = args.get(i + 1) {
                    if !negated {
                        if v.ends_with("name") {
                            name = Some(p.value.clone());
                            name_known = p.known;
                        }
                        filtered = true;
                    }
                }
                i += 2;
            }
            "-mtime" | "-mmin" | "-atime" | "-amin" | "-ctime" | "-cmin" | "-newer" | "-newermt" | "-used" | "-size" | "-user" | "-group" | "-uid" | "-gid"
            | "-perm" | "-links" | "-nouser" | "-nogroup" | "-empty" => {
                filtered |= !negated;
                i += if matches!(v, "-nouser" | "-nogroup" | "-empty") { 1 } else { 2 };
            }
            "-inum" | "-samefile" => {
                single = true;
                i += 2;
            }
            "-delete" => {
                delete = true;
                i += 1;
            }
            "-exec" | "-execdir" | "-ok" | "-okdir" => {
                let mut cmd = Vec::new();
                i += 1;
                while let Some(c) = args.get(i) {
                    i += 1;
                    if c.value == ";" || c.value == "+" || c.value == "\\;" {
                        break;
                    }
                    cmd.push(c.clone());
                }
                execs.push((v.to_owned(), cmd));
            }
            "-type" | "-maxdepth" | "-mindepth" | "-printf" | "-fprint" | "-fprint0" | "-fls" | "-xtype" | "-fstype" => i += 2,
            _ => i += 1,
        }
    }
    let mut out_paths = None;
    for root in &roots {
        let pattern = match &name {
            Some(n) => n.clone(),
            None if filtered => "*(filtered)".to_owned(),
            None => "*".to_owned(),
        };
        let item = Arg { value: format!("{}/{}", root.value.trim_end_matches('/'), pattern), known: root.known && name_known, glob: true, span: inv.span, ..Arg::default() };
        let t = paths::target(&item, st.cwd.as_deref(), cx);
        if delete && !single {
            let how = "`find -delete`";
            if !filtered {
                let whole = paths::target(root, st.cwd.as_deref(), cx);
                recursive_delete(w, inv, &whole, how);
            } else {
                recursive_delete(w, inv, &t, how);
            }
        }
        for (kind, cmd) in &execs {
            let argv: Vec<Arg> = cmd
                .iter()
                .map(|c| if c.value.contains("{}") { Arg { value: c.value.replace("{}", &item.value), glob: true, known: c.known && item.known, ..c.clone() } } else { c.clone() })
                .collect();
            let before = w.detections.len();
            super::unwrap::run_argv(w, inv, argv, &format!("find {kind}"), st, cx);
            if single {
                w.detections.truncate(before);
            }
        }
        out_paths = Some(item.value.clone());
    }
    Flow { bits: flow::OPAQUE, content: None, paths: out_paths }
}

