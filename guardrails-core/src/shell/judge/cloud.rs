//! Cloud and infrastructure CLIs: aws, gcloud, gsutil, az, terraform, pulumi, and friends.

use super::super::flow::{self, Flow};
use super::super::walk::{Cx, Inv, State, Walker};
use super::{dry_run, Opts};
use crate::finding::Grade::{Deny, Review};

/// Resource nouns whose deletion loses data or a whole service.
const DATA_NOUNS: &[&str] = &[
    "instance",
    "instances",
    "db",
    "database",
    "databases",
    "bucket",
    "buckets",
    "cluster",
    "clusters",
    "table",
    "tables",
    "stack",
    "stacks",
    "repository",
    "repositories",
    "snapshot",
    "snapshots",
    "log-group",
    "distribution",
    "topic",
    "queue",
    "file-system",
    "filesystem",
    "volume",
    "volumes",
    "vpc",
    "hosted-zone",
    "key",
    "backup",
    "backup-vault",
    "recovery-point",
    "global-table",
    "keyspace",
    "domain",
    "cache-cluster",
    "replication-group",
    "stream",
    "function",
    "project",
    "projects",
    "group",
    "registry",
    "account",
    "vault",
    "server",
    "servers",
    "disk",
    "disks",
    "image-repository",
    "namespace",
    "environment",
    "app",
    "apps",
    "service",
    "services",
    "workspace",
    "index",
    "collection",
    "dataset",
    "datasets",
    "organization",
    "subscription",
    "sql",
    "storage",
    "vm",
    "aks",
    "gke",
    "eks",
    "rds",
    "redis",
    "kafka",
    "spanner",
    "bigtable",
    "firestore",
    "secret-store",
    "container-registry",
    "cosmosdb",
    "web-acl",
    "load-balancer",
    "nat-gateway",
    "zone",
    "keyring",
    "certificate-authority",
    "image",
    "user-pool",
    "workgroup",
    "graph",
    "compute",
    "topic",
    "organization",
];

pub(crate) fn data_resource(words: &[&str]) -> bool {
    words.iter().any(|w| {
        let w = w.trim_end_matches('s');
        DATA_NOUNS.iter().any(|n| n.trim_end_matches('s') == w)
            || w.split('-').any(|p| {
                DATA_NOUNS
                    .iter()
                    .any(|n| n.trim_end_matches('s') == p.trim_end_matches('s'))
            })
    })
}

/// Dispatches cloud CLIs.
pub(crate) fn judge(w: &mut Walker, inv: &Inv, st: &mut State, cx: &Cx) -> Option<Flow> {
    let _ = (st, cx);
    let prog = inv.program();
    match prog {
        "aws" | "awslocal" => super::aws::aws(w, inv),
        "gcloud" => gcloud(w, inv),
        "gsutil" => {
            let words: Vec<&str> = inv.args().iter().map(|a| a.value.as_str()).collect();
            let recursive = words.iter().any(|a| {
                *a == "-r"
                    || *a == "-R"
                    || *a == "-m"
                        && words.contains(&"rm")
                        && words
                            .iter()
                            .any(|x| x.ends_with("/**") || x.ends_with("/*"))
            });
            if words.contains(&"rb") || words.contains(&"rm") && recursive {
                w.hit(
                    "shell.cloud-destroy",
                    Deny,
                    "`gsutil` deletes a bucket or all of its objects".to_owned(),
                    inv,
                );
            } else if words.contains(&"rm") {
                w.hit(
                    "shell.cloud-destroy",
                    Review,
                    "`gsutil rm` deletes objects".to_owned(),
                    inv,
                );
            } else if words.contains(&"acl")
                && words
                    .iter()
                    .any(|a| a.contains("AllUsers") || a.contains("allUsers"))
                || words.contains(&"iam") && words.iter().any(|a| a.contains("allUsers"))
            {
                w.hit(
                    "shell.cloud-destroy",
                    Deny,
                    "`gsutil` makes a bucket public".to_owned(),
                    inv,
                );
            } else if words.contains(&"rsync") && words.contains(&"-d") {
                w.hit(
                    "shell.cloud-destroy",
                    Review,
                    "`gsutil rsync -d` deletes objects missing from the source".to_owned(),
                    inv,
                );
            }
            Some(Flow::bits(flow::OPAQUE))
        }
        "az" => az(w, inv),
        "terraform" | "tofu" | "terragrunt" => {
            let words: Vec<&str> = inv
                .args()
                .iter()
                .filter(|a| !a.value.starts_with('-'))
                .map(|a| a.value.as_str())
                .collect();
            let sub = words.first().copied().unwrap_or("");
            let args = inv.args();
            let auto = args.iter().any(|a| {
                a.is("-auto-approve")
                    || a.is("--auto-approve")
                    || a.value.starts_with("-auto-approve=true")
            });
            let destroy = args.iter().any(|a| a.is("-destroy") || a.is("--destroy"));
            match sub {
                "destroy" => w.hit("shell.cloud-destroy", Deny, format!("`{prog} destroy` deletes managed infrastructure"), inv),
                "apply" | "run-all" if destroy => w.hit("shell.cloud-destroy", Deny, format!("`{prog} apply -destroy` deletes managed infrastructure"), inv),
                "apply" | "run-all" if auto => w.hit("shell.cloud-destroy", Deny, format!("`{prog} apply -auto-approve` changes infrastructure with nobody reading the plan"), inv),
                "apply" | "import" | "taint" | "untaint" => w.hit("shell.deploy", Review, format!("`{prog} {sub}` changes infrastructure"), inv),
                "state" if words.get(1).is_some_and(|s| matches!(*s, "rm" | "mv" | "push" | "replace-provider")) => {
                    w.hit("shell.cloud-destroy", Review, format!("`{prog} state {}` edits the state of managed infrastructure", words.get(1).copied().unwrap_or("")), inv);
                }
                "workspace" if words.get(1) == Some(&"delete") => w.hit("shell.cloud-destroy", Review, format!("`{prog} workspace delete` deletes a workspace's state"), inv),
                "force-unlock" => w.hit("shell.deploy", Review, format!("`{prog} force-unlock` breaks another run's lock"), inv),
                _ => {}
            }
            Some(Flow::bits(flow::OPAQUE))
        }
        "pulumi" => {
            let words: Vec<&str> = inv
                .args()
                .iter()
                .filter(|a| !a.value.starts_with('-'))
                .map(|a| a.value.as_str())
                .collect();
            let yes = inv
                .args()
                .iter()
                .any(|a| a.is("--yes") || a.is("-y") || a.is("--skip-preview"));
            match words.first().copied().unwrap_or("") {
                "destroy" | "down" => w.hit(
                    "shell.cloud-destroy",
                    Deny,
                    "`pulumi destroy` deletes a stack's infrastructure".to_owned(),
                    inv,
                ),
                "stack" if words.get(1) == Some(&"rm") => w.hit(
                    "shell.cloud-destroy",
                    Deny,
                    "`pulumi stack rm` deletes a stack".to_owned(),
                    inv,
                ),
                "up" | "update" if yes => w.hit(
                    "shell.cloud-destroy",
                    Deny,
                    "`pulumi up --yes` changes infrastructure with nobody reading the preview"
                        .to_owned(),
                    inv,
                ),
                "up" | "update" | "refresh" | "import" => w.hit(
                    "shell.deploy",
                    Review,
                    "`pulumi up` changes infrastructure".to_owned(),
                    inv,
                ),
                "state" if words.get(1) == Some(&"delete") => w.hit(
                    "shell.cloud-destroy",
                    Review,
                    "`pulumi state delete` edits a stack's state".to_owned(),
                    inv,
                ),
                _ => {}
            }
            Some(Flow::bits(flow::OPAQUE))
        }
        "cdk" | "sam" | "serverless" | "sls" | "copilot" | "eb" | "amplify" | "sst" => {
            let first = inv
                .args()
                .iter()
                .find(|a| !a.value.starts_with('-'))
                .map_or("", |a| a.value.as_str());
            match first {
                "destroy" | "delete" | "remove" | "terminate" => w.hit(
                    "shell.cloud-destroy",
                    Deny,
                    format!("`{prog} {first}` deletes deployed infrastructure"),
                    inv,
                ),
                "deploy" | "publish" | "push" | "swap" => w.hit(
                    "shell.deploy",
                    Review,
                    format!("`{prog} {first}` deploys"),
                    inv,
                ),
                _ => {}
            }
            Some(Flow::bits(flow::OPAQUE))
        }
        "doctl" | "linode-cli" | "hcloud" | "exoscale" | "vultr-cli" | "scw" | "oci"
        | "ibmcloud" | "heroku" | "fly" | "flyctl" | "vercel" | "netlify" | "railway"
        | "render" => generic_cli(w, inv),
        _ => None,
    }
}

fn generic_cli(w: &mut Walker, inv: &Inv) -> Option<Flow> {
    let prog = inv.program();
    let words: Vec<&str> = inv
        .args()
        .iter()
        .filter(|a| !a.value.starts_with('-'))
        .map(|a| a.value.as_str())
        .collect();
    let destroy = words.iter().position(|w| {
        matches!(
            *w,
            "delete" | "destroy" | "rm" | "remove" | "terminate" | "destroy-app"
        )
    });
    if dry_run(inv) {
        return Some(Flow::bits(flow::OPAQUE));
    }
    if let Some(i) = destroy {
        let nouns = words.get(..i).unwrap_or(&[]);
        let grade = if data_resource(nouns)
            || prog == "heroku"
                && words
                    .iter()
                    .any(|w| w.starts_with("apps") || w.starts_with("pg"))
            || nouns.is_empty()
        {
            Deny
        } else {
            Review
        };
        w.hit(
            "shell.cloud-destroy",
            grade,
            format!(
                "`{prog} {}` deletes cloud resources",
                words.get(..=i).unwrap_or(&[]).join(" ")
            ),
            inv,
        );
    } else if words.iter().any(|w| {
        matches!(
            *w,
            "deploy" | "release" | "promote" | "rollback" | "scale" | "restart"
        )
    }) || matches!(prog, "vercel" | "netlify")
        && inv.args().iter().any(|a| a.is("--prod"))
    {
        w.hit(
            "shell.deploy",
            Review,
            format!("`{prog}` deploys or changes a running service"),
            inv,
        );
    }
    Some(Flow::bits(flow::OPAQUE))
}

fn gcloud(w: &mut Walker, inv: &Inv) -> Option<Flow> {
    let args = inv.args();
    let o = Opts::parse(
        args,
        &[
            "--project",
            "--region",
            "--zone",
            "--format",
            "--account",
            "--configuration",
            "--filter",
        ],
    );
    let words = o.words();
    if dry_run(inv) {
        return Some(Flow::bits(flow::OPAQUE));
    }
    let verbs = ["delete", "destroy", "remove", "rm", "purge"];
    let groups: Vec<&str> = words
        .iter()
        .copied()
        .take_while(|w| !verbs.contains(w))
        .collect();
    if let Some(v) = words.iter().find(|w| verbs.contains(*w)) {
        let resource_words = &groups;
        let scoped = resource_words.iter().any(|g| {
            matches!(
                *g,
                "firewall-rules"
                    | "images"
                    | "tags"
                    | "keys"
                    | "versions"
                    | "revisions"
                    | "routes"
                    | "addresses"
                    | "health-checks"
                    | "ssl-certificates"
                    | "policies"
                    | "bindings"
                    | "members"
                    | "secrets"
                    | "objects"
                    | "triggers"
                    | "jobs"
                    | "executions"
                    | "notifications"
                    | "sinks"
                    | "alerting"
            )
        });
        let data = data_resource(resource_words)
            || resource_words.iter().any(|g| {
                matches!(
                    *g,
                    "sql"
                        | "storage"
                        | "container"
                        | "compute"
                        | "projects"
                        | "spanner"
                        | "bigtable"
                        | "firestore"
                        | "redis"
                        | "filestore"
                        | "run"
                )
            });
        let recursive_storage = resource_words.contains(&"storage")
            && args.iter().any(|a| a.is("-r") || a.is("--recursive"));
        let grade = if recursive_storage || data && !scoped {
            Deny
        } else {
            Review
        };
        w.hit(
            "shell.cloud-destroy",
            grade,
            format!("`gcloud {} {v}` deletes cloud resources", groups.join(" ")),
            inv,
        );
        return Some(Flow::bits(flow::OPAQUE));
    }
    if words.contains(&"secrets") && words.contains(&"access") {
        w.hit(
            "shell.secret-read",
            Review,
            "`gcloud secrets versions access` prints a secret".to_owned(),
            inv,
        );
        return Some(Flow::bits(flow::SECRET));
    }
    if words
        .iter()
        .any(|w| *w == "print-access-token" || *w == "print-identity-token")
    {
        w.hit(
            "shell.secret-read",
            Review,
            "`gcloud` prints an access token".to_owned(),
            inv,
        );
        return Some(Flow::bits(flow::SECRET));
    }
    if words.contains(&"add-iam-policy-binding") || words.contains(&"set-iam-policy") {
        let admin = args.iter().any(|a| {
            a.value.contains("roles/owner")
                || a.value.contains("roles/editor")
                || a.value.contains("allUsers")
                || a.value.contains("Admin")
        });
        w.hit(
            "shell.privilege-change",
            if admin { Deny } else { Review },
            "`gcloud` grants a role".to_owned(),
            inv,
        );
    } else if words.iter().any(|w| {
        matches!(
            *w,
            "deploy" | "rollback" | "update-traffic" | "resize" | "reset" | "stop" | "restart"
        )
    }) {
        w.hit(
            "shell.deploy",
            Review,
            format!("`gcloud {}` changes a running service", groups.join(" ")),
            inv,
        );
    }
    Some(Flow::bits(flow::OPAQUE))
}

fn az(w: &mut Walker, inv: &Inv) -> Option<Flow> {
    let args = inv.args();
    let o = Opts::parse(
        args,
        &[
            "--name",
            "-n",
            "--resource-group",
            "-g",
            "--subscription",
            "--output",
            "-o",
            "--query",
            "--ids",
        ],
    );
    let words = o.words();
    if dry_run(inv) || words.contains(&"what-if") {
        return Some(Flow::bits(flow::OPAQUE));
    }
    if let Some(i) = words
        .iter()
        .position(|w| matches!(*w, "delete" | "purge" | "remove"))
    {
        let groups = words.get(..i).unwrap_or(&[]);
        let scoped = groups.iter().any(|g| {
            matches!(
                *g,
                "tag"
                    | "lock"
                    | "rule"
                    | "nsg"
                    | "secret"
                    | "key"
                    | "certificate"
                    | "role"
                    | "assignment"
                    | "policy"
                    | "alert"
            )
        }) || args
            .iter()
            .any(|a| a.is("--image") || a.value.starts_with("--image="));
        let data = data_resource(groups)
            || groups.iter().any(|g| {
                matches!(
                    *g,
                    "group"
                        | "vm"
                        | "aks"
                        | "sql"
                        | "storage"
                        | "cosmosdb"
                        | "webapp"
                        | "functionapp"
                        | "keyvault"
                        | "acr"
                        | "postgres"
                        | "mysql"
                )
            });
        let grade = if data && !scoped { Deny } else { Review };
        w.hit(
            "shell.cloud-destroy",
            grade,
            format!(
                "`az {} {}` deletes cloud resources",
                groups.join(" "),
                words.get(i).copied().unwrap_or("")
            ),
            inv,
        );
    } else if words.contains(&"untag") {
        w.hit(
            "shell.cloud-destroy",
            Review,
            "`az acr repository untag` removes an image tag".to_owned(),
            inv,
        );
    } else if words.contains(&"secret") && words.contains(&"show")
        || words.contains(&"keys") && words.contains(&"list")
        || words.contains(&"get-access-token")
    {
        w.hit(
            "shell.secret-read",
            Review,
            "`az` prints a secret or key".to_owned(),
            inv,
        );
        return Some(Flow::bits(flow::SECRET));
    } else if words.contains(&"role") && words.contains(&"assignment") && words.contains(&"create")
    {
        let admin = args.iter().any(|a| {
            a.value == "Owner"
                || a.value.contains("Contributor")
                || a.value.contains("Administrator")
        });
        w.hit(
            "shell.privilege-change",
            if admin { Deny } else { Review },
            "`az role assignment create` grants a role".to_owned(),
            inv,
        );
    } else if words.iter().any(|w| {
        matches!(
            *w,
            "deploy" | "restart" | "stop" | "swap" | "scale" | "upgrade"
        )
    }) || words.contains(&"deployment") && words.contains(&"create")
    {
        w.hit(
            "shell.deploy",
            Review,
            "`az` deploys or changes a running service".to_owned(),
            inv,
        );
    }
    Some(Flow::bits(flow::OPAQUE))
}
