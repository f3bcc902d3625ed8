//! Disks, partitions and sizes: `dd`, `mkfs`, partition editors.

use super::super::expand::Arg;
use super::super::flow::{self, Flow};
use super::super::walk::{Cx, Inv, State, Walker};
use super::fs::file_flow;
use super::write::{write_to, Write};
use crate::finding::Grade::{Deny, Review};

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

pub(crate) fn device_overwrite(w: &mut Walker, inv: &Inv, args: &[Arg], prog: &str) {
    let dev = args.iter().rev().find(|a| !a.value.starts_with('-'));
    match dev {
        Some(d) if d.value.starts_with("/dev/") || !d.known => {
            w.hit(
                "shell.disk-overwrite",
                Deny,
                format!("`{prog}` destroys what is on `{}`", d.value),
                inv,
            );
        }
        _ => {}
    }
}

pub(crate) fn partition(w: &mut Walker, inv: &Inv, prog: &str) -> Flow {
    let args = inv.args();
    let reads = args.iter().any(|a| {
        matches!(
            a.value.as_str(),
            "-l" | "--list"
                | "-d"
                | "--dump"
                | "-s"
                | "--show-size"
                | "-V"
                | "--verify"
                | "-p"
                | "--print"
                | "print"
                | "--json"
                | "-J"
                | "-g"
                | "--show-geometry"
        )
    }) || prog == "parted"
        && args.iter().any(|a| a.value == "print")
        && !args
            .iter()
            .any(|a| matches!(a.value.as_str(), "rm" | "mklabel" | "mkpart" | "resizepart"));
    let destroys_parted = prog == "parted"
        && args
            .iter()
            .any(|a| matches!(a.value.as_str(), "rm" | "mklabel" | "mkpart" | "resizepart"));
    let zaps = prog == "sgdisk"
        && args.iter().any(|a| {
            matches!(
                a.value.as_str(),
                "-Z" | "--zap-all"
                    | "-o"
                    | "--clear"
                    | "-z"
                    | "--zap"
                    | "-d"
                    | "--delete"
                    | "-n"
                    | "--new"
            )
        });
    if destroys_parted
        || zaps
        || !reads && (inv.stdin.content.is_some() || inv.stdin.bits != 0 || prog == "sfdisk")
    {
        w.hit(
            "shell.disk-overwrite",
            Deny,
            format!("`{prog}` rewrites the partition table"),
            inv,
        );
    } else if !reads {
        w.hit(
            "shell.disk-overwrite",
            Review,
            format!("`{prog}` edits a partition table"),
            inv,
        );
    }
    Flow::bits(flow::OPAQUE)
}

pub(crate) fn dd(w: &mut Walker, inv: &Inv, st: &State, cx: &Cx) -> Flow {
    let mut input = None;
    let mut output = None;
    let mut count = false;
    for a in inv.args() {
        if let Some(v) = a.value.strip_prefix("if=") {
            input = Some(v.to_owned());
        } else if let Some(v) = a.value.strip_prefix("of=") {
            output = Some(Arg {
                value: v.to_owned(),
                ..a.clone()
            });
        } else if a.value.starts_with("count=") {
            count = true;
        }
    }
    let Some(out) = output else {
        let f = match &input {
            Some(i) => file_flow(
                &Arg {
                    value: i.clone(),
                    known: true,
                    ..Arg::default()
                },
                st,
                cx,
            ),
            None => inv.stdin.clone(),
        };
        return f;
    };
    write_to(w, inv, &out, Write::Replace, "dd", st, cx);
    let endless = input
        .as_deref()
        .is_some_and(|i| matches!(i, "/dev/zero" | "/dev/urandom" | "/dev/random"));
    if endless && !count && out.value != "/dev/null" && !out.value.starts_with("/dev/") {
        w.hit(
            "shell.resource-exhaustion",
            Deny,
            format!(
                "`dd` writes `{}` into `{}` without a `count`, until the disk is full",
                input.unwrap_or_default(),
                out.value
            ),
            inv,
        );
    }
    Flow::default()
}
