//! `find`: deletions and commands run on what it finds.

use super::super::expand::Arg;
use super::super::flow::{self, Flow};
use super::super::paths::{self};
use super::super::walk::{Cx, Inv, State, Walker};
use super::fs::recursive_delete;

pub(crate) fn find(w: &mut Walker, inv: &Inv, st: &mut State, cx: &Cx) -> Flow {
    let args = inv.args();
    let mut i = 0;
    while args.get(i).is_some_and(|a| {
        matches!(a.value.as_str(), "-H" | "-L" | "-P")
            || a.value.starts_with("-O")
            || a.value.starts_with("-D")
    }) {
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
        let negated = i > 0
            && args
                .get(i - 1)
                .is_some_and(|x| x.value == "!" || x.value == "-not" || x.value == "\\!");
        match v {
            "-name" | "-iname" | "-path" | "-ipath" | "-wholename" | "-regex" | "-iregex"
            | "-lname" => {
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
            "-mtime" | "-mmin" | "-atime" | "-amin" | "-ctime" | "-cmin" | "-newer"
            | "-newermt" | "-used" | "-size" | "-user" | "-group" | "-uid" | "-gid" | "-perm"
            | "-links" | "-nouser" | "-nogroup" | "-empty" => {
                filtered |= !negated;
                i += if matches!(v, "-nouser" | "-nogroup" | "-empty") {
                    1
                } else {
                    2
                };
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
            "-type" | "-maxdepth" | "-mindepth" | "-printf" | "-fprint" | "-fprint0" | "-fls"
            | "-xtype" | "-fstype" => i += 2,
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
        let item = Arg {
            value: format!("{}/{}", root.value.trim_end_matches('/'), pattern),
            known: root.known && name_known,
            glob: true,
            span: inv.span,
            ..Arg::default()
        };
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
                .map(|c| {
                    if c.value.contains("{}") {
                        Arg {
                            value: c.value.replace("{}", &item.value),
                            glob: true,
                            listed: true,
                            known: c.known && item.known,
                            ..c.clone()
                        }
                    } else {
                        c.clone()
                    }
                })
                .collect();
            let before = w.detections.len();
            super::unwrap::run_argv(w, inv, argv, &format!("find {kind}"), st, cx);
            if single {
                w.detections.truncate(before);
            }
        }
        out_paths = Some(item.value.clone());
    }
    Flow {
        bits: flow::OPAQUE,
        content: None,
        paths: out_paths,
    }
}
