//! Writes to files by any program (redirections, `tee`, `cp`, `dd`, ...): system files,
//! devices, logs, history and data directories.

use super::super::expand::Arg;
use super::super::paths::{self, Zone};
use super::super::walk::{Cx, Inv, RArg, State, Walker};
use super::fs::history_path;
use crate::finding::Grade::{Deny, Review};

/// How a file is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Write {
    Truncate,
    Append,
    Replace,
    Delete,
}

/// System files whose replacement breaks the host or opens it.
fn critical_file(n: &str) -> bool {
    matches!(
        n,
        "/etc/passwd"
            | "/etc/shadow"
            | "/etc/group"
            | "/etc/gshadow"
            | "/etc/hosts"
            | "/etc/resolv.conf"
            | "/etc/fstab"
            | "/etc/environment"
            | "/etc/ld.so.preload"
            | "/etc/profile"
            | "/etc/bash.bashrc"
            | "/etc/crontab"
            | "/etc/rc.local"
            | "/etc/hostname"
            | "/etc/nsswitch.conf"
            | "/etc/login.defs"
            | "/"
    ) || [
        "/etc/ssh/",
        "/etc/pam.d/",
        "/etc/security/",
        "/etc/profile.d/",
        "/boot/",
        "/bin/",
        "/sbin/",
        "/usr/bin/",
        "/usr/sbin/",
        "/lib/",
        "/lib64/",
        "/usr/lib/",
        "/etc/init.d/",
        "/etc/systemd/system/",
        "/etc/ld.so.conf",
    ]
    .iter()
    .any(|p| n.starts_with(p))
}

pub(crate) fn block_device(n: &str) -> bool {
    let Some(dev) = n.strip_prefix("/dev/") else {
        return false;
    };
    [
        "sd", "hd", "vd", "xvd", "nvme", "mmcblk", "disk", "mapper/", "md", "dm-", "loop", "rdisk",
        "nbd", "zd", "root",
    ]
    .iter()
    .any(|p| dev.starts_with(p))
}

/// Judges a write to a file by any program.
pub(crate) fn write_to(
    w: &mut Walker,
    inv: &Inv,
    arg: &Arg,
    how: Write,
    program: &str,
    st: &State,
    cx: &Cx,
) {
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
        w.hit(
            "shell.disk-overwrite",
            Deny,
            format!("`{program}` {verb} the disk device `{shown}`"),
            inv,
        );
        return;
    }
    let name = n.rsplit('/').next().unwrap_or("");
    if how == Write::Append && name == "authorized_keys" {
        w.hit(
            "shell.system-tamper",
            Deny,
            format!("`{program}` adds a key to `{shown}`: a new way in"),
            inv,
        );
        return;
    }
    if n.starts_with("/etc/sudoers") || n == "/etc/doas.conf" {
        w.hit(
            "shell.privilege-change",
            Deny,
            format!("`{program}` {verb} `{shown}`, which decides who is root"),
            inv,
        );
        return;
    }
    if n.starts_with("/etc/cron") || n.starts_with("/var/spool/cron") {
        w.hit(
            "shell.system-tamper",
            Deny,
            format!("`{program}` {verb} the crontab `{shown}`"),
            inv,
        );
        return;
    }
    if history_path(&t) && how != Write::Append {
        w.hit(
            "shell.cover-tracks",
            Deny,
            format!("`{program}` {verb} the history file `{shown}`"),
            inv,
        );
        return;
    }
    match t.zone {
        Zone::Logs if how != Write::Append => w.hit(
            "shell.cover-tracks",
            Deny,
            format!("`{program}` {verb} the log `{shown}`"),
            inv,
        ),
        Zone::DbData if how != Write::Append => w.hit(
            "shell.database-destroy",
            Deny,
            format!("`{program}` {verb} `{shown}` inside a database's data directory"),
            inv,
        ),
        Zone::System | Zone::Root => {
            if n.starts_with("/proc/sys/") || n.starts_with("/sys/") {
                w.hit(
                    "shell.system-tamper",
                    Review,
                    format!("`{program}` changes the kernel setting `{shown}`"),
                    inv,
                );
            } else if critical_file(&n)
                || how == Write::Truncate && n.starts_with("/etc/")
                || how == Write::Delete
            {
                w.hit(
                    "shell.system-tamper",
                    Deny,
                    format!("`{program}` {verb} the system file `{shown}`"),
                    inv,
                );
            } else {
                w.hit(
                    "shell.system-tamper",
                    Review,
                    format!("`{program}` {verb} the system file `{shown}`"),
                    inv,
                );
            }
        }
        Zone::HomeSecret if name == "authorized_keys" || name == "config" && n.contains(".ssh") => {
            w.hit(
                "shell.system-tamper",
                Deny,
                format!("`{program}` {verb} `{shown}`"),
                inv,
            );
        }
        Zone::HomeSub | Zone::Home
            if matches!(
                name,
                ".bashrc"
                    | ".profile"
                    | ".bash_profile"
                    | ".zshrc"
                    | ".zprofile"
                    | ".bash_login"
                    | ".bash_logout"
            ) =>
        {
            w.hit(
                "shell.system-tamper",
                Review,
                format!("`{program}` {verb} the login script `{shown}`"),
                inv,
            );
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
        if !r.op.writes()
            || r.op == super::super::ast::RedirOp::DupOut
                && (v.chars().all(|c| c.is_ascii_digit()) || v == "-")
        {
            continue;
        }
        let how = if r.op.truncates() {
            Write::Truncate
        } else {
            Write::Append
        };
        let prog = if inv.argv.is_empty() {
            ">".to_owned()
        } else {
            inv.program().to_owned()
        };
        let how = if how == Write::Truncate
            && !inv.argv.is_empty()
            && !matches!(prog.as_str(), ":" | "true" | "echo" | "printf" | "cat")
        {
            Write::Replace
        } else {
            how
        };
        write_to(w, inv, &r.target, how, &prog, st_ref, cx);
    }
}
