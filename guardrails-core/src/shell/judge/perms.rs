//! Permissions and in-place rewrites: `chmod`, `chown`, `sed -i`.

use super::super::expand::Arg;
use super::super::paths::{self, Target, Zone};
use super::super::walk::{Cx, Inv, State, Walker};
use super::write::{write_to, Write};
use super::Opts;
use crate::finding::Grade::{Deny, Review};

pub(crate) fn perms(w: &mut Walker, inv: &Inv, st: &State, cx: &Cx) {
    let prog = inv.program();
    let args = inv.args();
    let o = Opts::parse(args, &["--reference", "--from"]);
    let recursive = o.has(&["-R", "-r", "--recursive"]);
    let mut pos = o.pos.iter();
    let mode = if matches!(prog, "chmod" | "chown" | "chgrp" | "setfacl")
        && o.value(&["--reference"]).is_none()
    {
        pos.next().map(|a| a.value.clone()).unwrap_or_default()
    } else {
        String::new()
    };
    // A numeric mode like `-777` parses as flags.
    let mode = if mode.is_empty() {
        o.flags
            .iter()
            .find(|f| {
                f.len() > 1
                    && f.get(1..)
                        .is_some_and(|m| m.chars().all(|c| c.is_ascii_digit()))
            })
            .cloned()
            .unwrap_or_default()
    } else {
        mode
    };
    let setuid = prog == "chmod"
        && (mode.contains("+s")
            || mode.contains("u+s")
            || mode.contains("g+s")
            || mode.len() == 4
                && mode.starts_with(['2', '4', '6', '7'])
                && mode.chars().all(|c| c.is_ascii_digit())
            || mode.contains("=s"));
    let world = prog == "chmod"
        && (mode.ends_with('7') && mode.chars().all(|c| c.is_ascii_digit())
            || mode.contains("o+w")
            || mode.contains("a+w")
            || mode.contains("+rwx") && !mode.starts_with('u')
            || mode.ends_with("666"));
    let targets: Vec<Target> = pos
        .map(|a| paths::target(a, st.cwd.as_deref(), cx))
        .collect();
    let bulk = args.iter().any(|a| a.glob || !a.known);
    let listed = args.iter().any(|a| a.listed);
    let to_root = prog == "chown"
        && (mode == "root" || mode.starts_with("root:") || mode == "0" || mode.starts_with("0:"));
    if targets.is_empty() && bulk {
        w.hit(
            "shell.privilege-change",
            Review,
            format!("`{prog}` changes ownership or permissions of files not known before it runs"),
            inv,
        );
        return;
    }
    if setuid {
        w.hit(
            "shell.privilege-change",
            Deny,
            format!("`chmod {mode}` sets a setuid or setgid bit"),
            inv,
        );
        return;
    }
    if prog == "chattr" {
        if targets
            .iter()
            .any(|t| matches!(t.zone, Zone::System | Zone::Logs | Zone::Root))
        {
            w.hit(
                "shell.system-tamper",
                Review,
                "`chattr` changes attributes of system files".to_owned(),
                inv,
            );
        }
        return;
    }
    for t in &targets {
        let shown = &t.shown;
        let system = matches!(
            t.zone,
            Zone::Root
                | Zone::System
                | Zone::Home
                | Zone::HomeSecret
                | Zone::DbData
                | Zone::Logs
                | Zone::Device
                | Zone::TmpRoot
                | Zone::Parent
        );
        let sensitive = t.norm.as_deref().is_some_and(|n| {
            matches!(
                n,
                "/etc/shadow" | "/etc/passwd" | "/etc/sudoers" | "/etc/gshadow" | "/etc/group"
            ) || n.starts_with("/etc/sudoers")
        });
        // A pattern with a suffix (`scripts/*.sh`) names files; a bare `*`, a filtered `find`
        // result or an unknown word can be anything.
        let specific = t
            .pattern
            .as_deref()
            .is_some_and(|p| p != "*" && !p.contains("(filtered)"));
        let allowed = recursive && matches!(t.zone, Zone::Build)
            || !recursive
                && matches!(
                    t.zone,
                    Zone::ProjectSub | Zone::Build | Zone::Temp | Zone::Project
                )
                && (t.pattern.is_none() && !bulk || specific && !listed)
                && !t.contents
                && !to_root
            || matches!(t.zone, Zone::Temp) && !to_root;
        if sensitive || system && (recursive || world) {
            w.hit(
                "shell.privilege-change",
                Deny,
                format!(
                    "`{prog}{}` of `{shown}` ({})",
                    if recursive { " -R" } else { "" },
                    t.zone.describe()
                ),
                inv,
            );
        } else if !allowed {
            w.hit(
                "shell.privilege-change",
                Review,
                format!(
                    "`{prog}{}` changes permissions of `{shown}` ({})",
                    if recursive { " -R" } else { "" },
                    t.zone.describe()
                ),
                inv,
            );
        }
    }
}

pub(crate) fn in_place(w: &mut Walker, inv: &Inv, st: &State, cx: &Cx) {
    let prog = inv.program();
    let args = inv.args();
    let o = Opts::parse(args, &["-e", "-f", "--expression", "--file"]);
    let mut files: Vec<&Arg> = o.pos.clone();
    if o.value(&["-e", "--expression", "-f", "--file"]).is_none()
        && !files.is_empty()
        && prog == "sed"
    {
        files.remove(0);
    }
    for f in files {
        let t = paths::target(f, st.cwd.as_deref(), cx);
        let everything = t.contents
            || !f.known
            || t.pattern
                .as_deref()
                .is_some_and(|p| p.contains("(filtered)") || p == "*");
        if everything
            && matches!(
                t.zone,
                Zone::ProjectSub | Zone::Project | Zone::Git | Zone::Unknown
            )
        {
            w.hit(
                "shell.file-delete",
                Review,
                format!("`{prog} -i` rewrites every file matching `{}`", t.shown),
                inv,
            );
            continue;
        }
        write_to(w, inv, f, Write::Replace, &format!("{prog} -i"), st, cx);
    }
}
