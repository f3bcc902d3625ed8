//! Containers: docker, podman, compose.

use super::super::expand::Arg;
use super::super::flow::{self, Flow};
use super::super::walk::{Cx, Inv, State, Walker};
use super::unwrap::{rest_from, run_argv};
use super::Opts;
use crate::finding::Grade::{Deny, Review};

const DOCKER_RUN_TAKES: &[&str] = &[
    "-v",
    "--volume",
    "-e",
    "--env",
    "-p",
    "--publish",
    "--name",
    "-w",
    "--workdir",
    "-u",
    "--user",
    "--network",
    "--net",
    "--entrypoint",
    "-m",
    "--memory",
    "--cpus",
    "--mount",
    "-l",
    "--label",
    "--env-file",
    "--add-host",
    "--cap-add",
    "--cap-drop",
    "--device",
    "--restart",
    "--pid",
    "--ipc",
    "--platform",
    "--hostname",
    "-h",
    "--log-driver",
    "--log-opt",
    "--ulimit",
    "--tmpfs",
    "--security-opt",
    "--shm-size",
    "--gpus",
    "--runtime",
    "--detach-keys",
    "--cidfile",
    "--dns",
    "--link",
    "--volumes-from",
    "--userns",
    "--uts",
    "--cgroupns",
    "--pull",
    "--stop-signal",
    "--health-cmd",
    "-c",
    "--cpu-shares",
    "--memory-swap",
    "--group-add",
    "--label-file",
    "--expose",
];

pub(crate) fn docker(w: &mut Walker, inv: &Inv, st: &mut State, cx: &Cx) -> Flow {
    let args = inv.args();
    let prog = inv.program();
    let globals = [
        "-H",
        "--host",
        "--context",
        "-c",
        "--config",
        "-l",
        "--log-level",
    ];
    let mut i = 0;
    while let Some(a) = args.get(i) {
        if globals.contains(&a.value.as_str()) {
            i += 2;
        } else if a.value.starts_with('-') {
            i += 1;
        } else {
            break;
        }
    }
    let sub = args.get(i).map_or("", |a| a.value.as_str());
    let rest = args.get(i + 1..).unwrap_or(&[]);
    let (sub, rest) = match (sub, rest.first().map(|a| a.value.as_str())) {
        ("container", Some(s))
            if matches!(
                s,
                "rm" | "run" | "exec" | "stop" | "kill" | "prune" | "restart"
            ) =>
        {
            (s, rest.get(1..).unwrap_or(&[]))
        }
        ("image", Some("rm")) => ("rmi", rest.get(1..).unwrap_or(&[])),
        ("image", Some("prune")) => ("image-prune", rest.get(1..).unwrap_or(&[])),
        ("volume", Some(s)) => (
            if s == "rm" {
                "volume-rm"
            } else if s == "prune" {
                "volume-prune"
            } else {
                "volume"
            },
            rest.get(1..).unwrap_or(&[]),
        ),
        ("system", Some("prune")) => ("system-prune", rest.get(1..).unwrap_or(&[])),
        ("network", Some("prune" | "rm")) => ("network-rm", rest.get(1..).unwrap_or(&[])),
        ("compose", _) => return compose(w, inv, rest, st, cx),
        _ => (sub, rest),
    };
    let flags = |names: &[&str]| Opts::parse(rest, &[]).has(names);
    match sub {
        "exec" => {
            let o = Opts::parse(
                rest,
                &[
                    "-e",
                    "--env",
                    "-u",
                    "--user",
                    "-w",
                    "--workdir",
                    "--env-file",
                    "--detach-keys",
                ],
            );
            let inner = rest_from(rest, &o, 1);
            if inner.is_empty() {
                return Flow::bits(flow::OPAQUE);
            }
            let mut cx = cx.clone();
            cx.remote = true;
            let mut sub_st = st.clone();
            sub_st.cwd = Some("/".to_owned());
            return run_argv(w, inv, inner, &format!("{prog} exec"), &mut sub_st, &cx).opaque();
        }
        "run" | "create" => {
            let o = Opts::parse(rest, DOCKER_RUN_TAKES);
            let mut mounts = Vec::new();
            for (name, v, a) in &o.values {
                if name == "-v" || name == "--volume" {
                    let mut parts = v.split(':');
                    let host = parts.next().unwrap_or("");
                    let inside = parts.next().unwrap_or("");
                    let host = if a.known {
                        host.to_owned()
                    } else {
                        "$PWD".to_owned()
                    };
                    let host = if host == "$PWD" || host == "." || host == "$(pwd)" {
                        ".".to_owned()
                    } else {
                        host
                    };
                    if host == "/"
                        || host == "/etc"
                        || host == "/var/run/docker.sock"
                        || host == "/root"
                    {
                        w.hit(
                            "shell.privilege-change",
                            Deny,
                            format!("`{prog} run` mounts the host's `{host}` into a container"),
                            inv,
                        );
                    }
                    mounts.push((inside.to_owned(), host));
                }
            }
            if o.has(&["--privileged"])
                || o.value(&["--pid"]).as_deref() == Some("host")
                || o.value(&["--cap-add"])
                    .is_some_and(|c| c.contains("SYS_ADMIN") || c == "ALL")
            {
                w.hit(
                    "shell.privilege-change",
                    Deny,
                    format!("`{prog} run --privileged` gives a container control of the host"),
                    inv,
                );
            }
            let inner = rest_from(rest, &o, 1);
            if !inner.is_empty() {
                let mut cx = cx.clone();
                cx.mounts = mounts;
                cx.remote = true;
                let mut sub_st = st.clone();
                sub_st.cwd = Some("/".to_owned());
                if let Some(wd) = o.value(&["-w", "--workdir"]) {
                    sub_st.cwd = Some(wd);
                }
                return run_argv(w, inv, inner, &format!("{prog} run"), &mut sub_st, &cx).opaque();
            }
        }
        "rm" => {
            let grade = if flags(&["-v", "--volumes"]) {
                Deny
            } else {
                Review
            };
            let rule = if grade == Deny {
                "shell.database-destroy"
            } else {
                "shell.k8s-destroy"
            };
            w.hit(
                rule,
                grade,
                format!(
                    "`{prog} rm` deletes containers{}",
                    if grade == Deny {
                        " and their volumes"
                    } else {
                        ""
                    }
                ),
                inv,
            );
        }
        "rmi" => w.hit(
            "shell.k8s-destroy",
            Review,
            format!("`{prog} rmi` deletes images"),
            inv,
        ),
        "volume-rm" => w.hit(
            "shell.database-destroy",
            Deny,
            format!("`{prog} volume rm` deletes a volume and the data in it"),
            inv,
        ),
        "volume-prune" => w.hit(
            "shell.recursive-delete",
            Deny,
            format!("`{prog} volume prune` deletes every unused volume and its data"),
            inv,
        ),
        "system-prune" => {
            if flags(&["--volumes"]) {
                w.hit(
                    "shell.recursive-delete",
                    Deny,
                    format!(
                        "`{prog} system prune --volumes` deletes every unused volume and its data"
                    ),
                    inv,
                );
            } else {
                w.hit(
                    "shell.k8s-destroy",
                    Review,
                    format!(
                        "`{prog} system prune` deletes stopped containers, networks and images"
                    ),
                    inv,
                );
            }
        }
        "image-prune" | "network-rm" | "builder"
            if sub != "builder" || rest.first().is_some_and(|a| a.is("prune")) =>
        {
            w.hit(
                "shell.k8s-destroy",
                Review,
                format!("`{prog}` deletes images or networks"),
                inv,
            );
        }
        "stop" | "kill" | "restart" | "pause" => w.hit(
            "shell.system-tamper",
            Review,
            format!("`{prog} {sub}` stops a running container"),
            inv,
        ),
        "push" => w.hit(
            "shell.publish",
            Review,
            format!("`{prog} push` publishes an image"),
            inv,
        ),
        "login"
            if rest
                .iter()
                .any(|a| a.is("-p") || a.value.starts_with("--password=")) => {}
        "swarm" | "service" | "stack" => {
            let words: Vec<&str> = rest.iter().map(|a| a.value.as_str()).collect();
            if words
                .iter()
                .any(|w| matches!(*w, "rm" | "leave" | "remove"))
            {
                w.hit(
                    "shell.k8s-destroy",
                    Deny,
                    format!("`{prog} {sub}` removes running services"),
                    inv,
                );
            } else if words
                .iter()
                .any(|w| matches!(*w, "deploy" | "update" | "scale" | "rollback"))
            {
                w.hit(
                    "shell.deploy",
                    Review,
                    format!("`{prog} {sub}` deploys"),
                    inv,
                );
            }
        }
        _ => {}
    }
    Flow::bits(flow::OPAQUE)
}

pub(crate) fn compose(w: &mut Walker, inv: &Inv, args: &[Arg], st: &mut State, cx: &Cx) -> Flow {
    let o = Opts::parse(
        args,
        &[
            "-f",
            "--file",
            "-p",
            "--project-name",
            "--profile",
            "--env-file",
            "--project-directory",
        ],
    );
    let sub = o.pos.first().map_or("", |a| a.value.as_str());
    let after: Vec<Arg> = rest_from(args, &o, 1);
    match sub {
        "exec" | "run" => {
            let eo = Opts::parse(
                &after,
                &[
                    "-e",
                    "--env",
                    "-u",
                    "--user",
                    "-w",
                    "--workdir",
                    "--index",
                    "-v",
                    "--volume",
                    "--name",
                    "--entrypoint",
                    "-p",
                    "--publish",
                ],
            );
            let inner = rest_from(&after, &eo, 1);
            if !inner.is_empty() {
                let mut cx = cx.clone();
                cx.remote = true;
                let mut sub_st = st.clone();
                sub_st.cwd = Some("/".to_owned());
                return run_argv(w, inv, inner, &format!("compose {sub}"), &mut sub_st, &cx)
                    .opaque();
            }
        }
        "down" => {
            if after.iter().any(|a| a.is("-v") || a.is("--volumes")) {
                w.hit(
                    "shell.database-destroy",
                    Deny,
                    "`docker compose down -v` deletes the services' volumes and their data"
                        .to_owned(),
                    inv,
                );
            } else {
                w.hit(
                    "shell.system-tamper",
                    Review,
                    "`docker compose down` stops and removes the services".to_owned(),
                    inv,
                );
            }
        }
        "rm" => w.hit(
            "shell.k8s-destroy",
            if after.iter().any(|a| a.is("-v")) {
                Deny
            } else {
                Review
            },
            "`docker compose rm` deletes containers".to_owned(),
            inv,
        ),
        "stop" | "kill" | "restart" | "pause" => w.hit(
            "shell.system-tamper",
            Review,
            format!("`docker compose {sub}` stops running services"),
            inv,
        ),
        "push" => w.hit(
            "shell.publish",
            Review,
            "`docker compose push` publishes images".to_owned(),
            inv,
        ),
        _ => {}
    }
    Flow::bits(flow::OPAQUE)
}
