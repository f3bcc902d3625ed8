//! Clusters and containers: kubectl, helm, docker, podman.

use super::super::expand::Arg;
use super::super::flow::{self, Flow};
use super::super::walk::{Cx, Inv, State, Walker};
use super::unwrap::{rest_from, run_argv};
use super::{dry_run, Opts};
use crate::finding::Grade::{Deny, Review};

const KUBECTL_TAKES: &[&str] = &[
    "-n",
    "--namespace",
    "-o",
    "--output",
    "-l",
    "--selector",
    "-c",
    "--container",
    "--context",
    "--cluster",
    "--kubeconfig",
    "-f",
    "--filename",
    "--field-selector",
    "--grace-period",
    "--timeout",
    "--user",
    "-s",
    "--server",
    "--as",
    "--token",
    "--since",
    "--tail",
    "-p",
    "--cascade",
    "--sort-by",
    "--template",
    "--to-revision",
    "--replicas",
    "--type",
    "--patch",
    "--image",
    "--port",
    "--clusterrole",
    "--role",
    "--serviceaccount",
    "--from-literal",
    "--from-file",
    "-k",
    "--kustomize",
    "--chunk-size",
    "--show-kind",
    "--columns",
];

/// Kinds whose deletion loses data or a whole workload.
fn heavy_kind(kind: &str) -> bool {
    let k = kind.to_ascii_lowercase();
    let k = k
        .split('/')
        .next()
        .unwrap_or(&k)
        .split('.')
        .next()
        .unwrap_or("")
        .to_owned();
    matches!(
        k.as_str(),
        "namespace"
            | "namespaces"
            | "ns"
            | "deployment"
            | "deployments"
            | "deploy"
            | "statefulset"
            | "statefulsets"
            | "sts"
            | "daemonset"
            | "daemonsets"
            | "ds"
            | "pvc"
            | "pvcs"
            | "persistentvolumeclaim"
            | "persistentvolumeclaims"
            | "pv"
            | "pvs"
            | "persistentvolume"
            | "persistentvolumes"
            | "crd"
            | "crds"
            | "customresourcedefinition"
            | "customresourcedefinitions"
            | "all"
            | "node"
            | "nodes"
            | "no"
            | "cluster"
            | "clusters"
            | "service"
            | "services"
            | "svc"
            | "ingress"
            | "ingresses"
            | "ing"
            | "secret"
            | "secrets"
            | "configmap"
            | "configmaps"
            | "cm"
            | "replicaset"
            | "rs"
            | "cronjob"
            | "cronjobs"
            | "cj"
            | "clusterrole"
            | "clusterrolebinding"
            | "storageclass"
            | "sc"
            | "mutatingwebhookconfiguration"
            | "validatingwebhookconfiguration"
            | "postgresql"
            | "postgresqls"
            | "cluster.postgresql.cnpg.io"
            | "kafka"
            | "elasticsearch"
            | "mongodbcommunity"
    )
}

/// Dispatches cluster and container tools.
pub(crate) fn judge(w: &mut Walker, inv: &Inv, st: &mut State, cx: &Cx) -> Option<Flow> {
    match inv.program() {
        "kubectl" | "oc" | "k" | "microk8s.kubectl" | "kubecolor" => Some(kubectl(w, inv, st, cx)),
        "helm" => Some(helm(w, inv)),
        "docker" | "podman" | "nerdctl" => Some(super::docker::docker(w, inv, st, cx)),
        "docker-compose" | "podman-compose" => {
            Some(super::docker::compose(w, inv, inv.args(), st, cx))
        }
        "argocd" | "flux" => {
            let words: Vec<&str> = inv.args().iter().map(|a| a.value.as_str()).collect();
            if words.contains(&"delete") || words.contains(&"uninstall") {
                w.hit(
                    "shell.k8s-destroy",
                    Deny,
                    format!("`{}` deletes applications from the cluster", inv.program()),
                    inv,
                );
            } else if words
                .iter()
                .any(|w| matches!(*w, "sync" | "rollback" | "reconcile" | "suspend" | "resume"))
            {
                w.hit(
                    "shell.deploy",
                    Review,
                    format!("`{}` deploys to the cluster", inv.program()),
                    inv,
                );
            }
            Some(Flow::bits(flow::OPAQUE))
        }
        "kustomize" | "skaffold" | "tilt" => {
            let words: Vec<&str> = inv.args().iter().map(|a| a.value.as_str()).collect();
            if words.contains(&"delete") {
                w.hit(
                    "shell.k8s-destroy",
                    Deny,
                    format!("`{} delete` deletes workloads", inv.program()),
                    inv,
                );
            } else if words.iter().any(|w| matches!(*w, "run" | "deploy" | "up")) {
                w.hit(
                    "shell.deploy",
                    Review,
                    format!("`{}` deploys to the cluster", inv.program()),
                    inv,
                );
            }
            Some(Flow::bits(flow::OPAQUE))
        }
        _ => None,
    }
}

fn kubectl(w: &mut Walker, inv: &Inv, st: &mut State, cx: &Cx) -> Flow {
    let args = inv.args();
    let prog = inv.program();
    let o = Opts::parse(args, KUBECTL_TAKES);
    let words = o.words();
    let sub = words.first().copied().unwrap_or("");
    if sub == "exec" || sub == "debug" && o.pos.len() > 1 {
        // Everything after `--` (or after the pod, old style) runs in the container.
        let inner: Vec<Arg> = match args.iter().position(|a| a.is("--")) {
            Some(i) => args.get(i + 1..).unwrap_or(&[]).to_vec(),
            None => rest_from(args, &o, 2),
        };
        if inner.is_empty() {
            return Flow::bits(flow::OPAQUE);
        }
        let mut cx = cx.clone();
        cx.remote = true;
        let mut sub_st = st.clone();
        sub_st.cwd = Some("/".to_owned());
        return run_argv(w, inv, inner, &format!("{prog} exec"), &mut sub_st, &cx).opaque();
    }
    let dry = dry_run(inv);
    let all =
        o.has(&["--all", "-A", "--all-namespaces"]) || o.value(&["-l", "--selector"]).is_some();
    match sub {
        "delete" if !dry => {
            let kinds: Vec<&str> = words.iter().skip(1).copied().collect();
            let kind = kinds.first().copied().unwrap_or("");
            let from_file = o
                .value(&["-f", "--filename", "-k", "--kustomize"])
                .is_some();
            let dynamic = o.pos.get(1).is_some_and(|a| !a.known);
            let pods = matches!(
                kind.split('/').next().unwrap_or(""),
                "pod" | "pods" | "po" | "job" | "jobs"
            );
            if dynamic || kinds.iter().any(|k| heavy_kind(k)) || all && !pods {
                w.hit(
                    "shell.k8s-destroy",
                    Deny,
                    format!(
                        "`{prog} delete {}` deletes cluster resources",
                        kinds.join(" ")
                    ),
                    inv,
                );
            } else if from_file {
                w.hit(
                    "shell.k8s-destroy",
                    Review,
                    format!("`{prog} delete -f` deletes every resource in a manifest"),
                    inv,
                );
            } else {
                w.hit(
                    "shell.k8s-destroy",
                    Review,
                    format!(
                        "`{prog} delete {}` deletes a cluster resource",
                        kinds.join(" ")
                    ),
                    inv,
                );
            }
        }
        "drain" if !dry => {
            let grade = if all { Deny } else { Review };
            w.hit(
                "shell.k8s-destroy",
                grade,
                format!("`{prog} drain` evicts every pod from a node"),
                inv,
            );
        }
        "apply" | "replace" | "patch" | "edit" | "scale" | "set" | "cordon" | "uncordon"
        | "taint" | "label" | "annotate" | "autoscale" | "expose" | "run" | "create"
            if !dry =>
        {
            if sub == "create" && words.get(1).is_some_and(|k| k.contains("rolebinding")) {
                let admin = args.iter().any(|a| {
                    a.value.contains("cluster-admin")
                        || a.value == "admin"
                        || a.value.ends_with("=admin")
                });
                w.hit(
                    "shell.privilege-change",
                    if admin { Deny } else { Review },
                    format!(
                        "`{prog} create {}` grants a role",
                        words.get(1).copied().unwrap_or("")
                    ),
                    inv,
                );
            } else if sub == "replace" && o.has(&["--force"]) {
                w.hit(
                    "shell.k8s-destroy",
                    Review,
                    format!("`{prog} replace --force` deletes and recreates resources"),
                    inv,
                );
            } else if sub == "create"
                && matches!(
                    words.get(1).copied(),
                    Some("namespace" | "ns" | "configmap" | "cm")
                )
            {
                w.hit(
                    "shell.deploy",
                    Review,
                    format!("`{prog} create` adds resources to the cluster"),
                    inv,
                );
            } else {
                w.hit(
                    "shell.deploy",
                    Review,
                    format!("`{prog} {sub}` changes the cluster"),
                    inv,
                );
            }
        }
        "rollout"
            if words
                .get(1)
                .is_some_and(|s| matches!(*s, "restart" | "undo" | "pause" | "resume")) =>
        {
            w.hit(
                "shell.deploy",
                Review,
                format!(
                    "`{prog} rollout {}` changes a running workload",
                    words.get(1).copied().unwrap_or("")
                ),
                inv,
            );
        }
        "get" | "describe" => {
            let secrets = words.iter().skip(1).any(|k| k.starts_with("secret"));
            let out = o.value(&["-o", "--output"]).unwrap_or_default();
            if secrets
                && (out.starts_with("yaml")
                    || out.starts_with("json")
                    || out.starts_with("jsonpath")
                    || out.starts_with("go-template")
                    || out.starts_with("custom-columns"))
            {
                w.hit(
                    "shell.secret-read",
                    Review,
                    format!("`{prog} get secret -o {out}` prints secret values"),
                    inv,
                );
                return Flow::bits(flow::SECRET);
            }
            if sub == "get" {
                return Flow::bits(flow::OPAQUE);
            }
        }
        "cp" | "port-forward" | "proxy" | "attach" => {}
        "certificate" if words.get(1) == Some(&"approve") => w.hit(
            "shell.privilege-change",
            Review,
            format!("`{prog} certificate approve` issues a client certificate"),
            inv,
        ),
        "config"
            if words.get(1).is_some_and(|s| *s == "view") && o.has(&["--raw", "--flatten"]) =>
        {
            w.hit(
                "shell.secret-read",
                Review,
                format!("`{prog} config view --raw` prints cluster credentials"),
                inv,
            );
            return Flow::bits(flow::SECRET);
        }
        _ => {}
    }
    Flow::bits(flow::OPAQUE)
}

fn helm(w: &mut Walker, inv: &Inv) -> Flow {
    let o = Opts::parse(
        inv.args(),
        &[
            "-n",
            "--namespace",
            "-f",
            "--values",
            "--set",
            "--version",
            "--kube-context",
            "--timeout",
            "--repo",
        ],
    );
    let sub = o.words().first().copied().unwrap_or("");
    if dry_run(inv) {
        return Flow::bits(flow::OPAQUE);
    }
    match sub {
        "uninstall" | "delete" | "del" | "un" => w.hit(
            "shell.k8s-destroy",
            Deny,
            "`helm uninstall` deletes a release and its resources".to_owned(),
            inv,
        ),
        "upgrade" | "install" | "rollback" => w.hit(
            "shell.deploy",
            Review,
            format!("`helm {sub}` deploys to the cluster"),
            inv,
        ),
        "push" => w.hit(
            "shell.publish",
            Review,
            "`helm push` publishes a chart".to_owned(),
            inv,
        ),
        _ => {}
    }
    Flow::bits(flow::OPAQUE)
}
