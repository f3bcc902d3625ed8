//! The AWS CLI.

use super::super::flow::{self, Flow};
use super::super::walk::{Inv, Walker};
use super::cloud::data_resource;
use super::{dry_run, Opts};
use crate::finding::Grade::{Deny, Review};

pub(crate) fn aws(w: &mut Walker, inv: &Inv) -> Option<Flow> {
    let args = inv.args();
    let o = Opts::parse(
        args,
        &[
            "--region",
            "--profile",
            "--output",
            "--query",
            "--endpoint-url",
            "--cli-input-json",
            "--color",
            "--ca-bundle",
            "--cli-read-timeout",
            "--cli-connect-timeout",
        ],
    );
    let words = o.words();
    let service = words.first().copied().unwrap_or("");
    let op = words.get(1).copied().unwrap_or("");
    if dry_run(inv) {
        return Some(Flow::bits(flow::OPAQUE));
    }
    let has = |f: &str| {
        args.iter()
            .any(|a| a.value == f || a.value.starts_with(&format!("{f}=")))
    };
    let valstr = |f: &str| super::after(args, f).unwrap_or_default().to_owned();
    if service == "s3" {
        let remote: Vec<&str> = words
            .iter()
            .skip(2)
            .copied()
            .filter(|w| w.starts_with("s3://"))
            .collect();
        match op {
            "rb" => {
                w.hit(
                    "shell.cloud-destroy",
                    Deny,
                    format!("`aws s3 rb` deletes the bucket `{}`", remote.join(" ")),
                    inv,
                );
            }
            "rm" if has("--recursive") => w.hit(
                "shell.cloud-destroy",
                Deny,
                format!(
                    "`aws s3 rm --recursive` deletes every object under `{}`",
                    remote.join(" ")
                ),
                inv,
            ),
            "rm" => w.hit(
                "shell.cloud-destroy",
                Review,
                format!("`aws s3 rm` deletes `{}`", remote.join(" ")),
                inv,
            ),
            "sync" if has("--delete") => {
                let src = words.get(2).copied().unwrap_or("");
                let grade = if src.is_empty() || src.starts_with('$') {
                    Deny
                } else {
                    Review
                };
                w.hit(
                    "shell.cloud-destroy",
                    grade,
                    "`aws s3 sync --delete` deletes objects missing from the source".to_owned(),
                    inv,
                );
            }
            "cp" | "mv" | "sync" => super::net::s3_upload(w, inv, &words),
            "presign" => w.hit(
                "shell.data-export",
                Review,
                "`aws s3 presign` hands out a link to private data".to_owned(),
                inv,
            ),
            _ => {}
        }
        return Some(Flow::bits(flow::OPAQUE));
    }
    let noun_words: Vec<&str> = op.split('-').skip(1).collect();
    let verb = op.split('-').next().unwrap_or("");
    match (service, op) {
        ("secretsmanager", "get-secret-value")
        | ("ssm", "get-parameter" | "get-parameters" | "get-parameters-by-path")
        | ("kms", "decrypt")
        | ("sts", "get-session-token" | "assume-role" | "get-federation-token")
        | ("ecr", "get-login-password")
        | ("iam", "create-access-key")
        | ("rds", "generate-db-auth-token")
        | ("lightsail", "get-instance-access-details")
        | ("ec2", "get-password-data") => {
            if service != "ssm" || has("--with-decryption") || op == "get-parameters-by-path" {
                w.hit(
                    "shell.secret-read",
                    Review,
                    format!("`aws {service} {op}` puts a secret into the output"),
                    inv,
                );
                return Some(Flow::bits(flow::SECRET));
            }
            return Some(Flow::bits(flow::OPAQUE));
        }
        ("rds", "modify-db-instance" | "modify-db-cluster")
            if valstr("--backup-retention-period") == "0" =>
        {
            w.hit(
                "shell.cloud-destroy",
                Deny,
                "`aws rds` turns off backups of a database".to_owned(),
                inv,
            );
        }
        ("rds", "modify-db-instance" | "modify-db-cluster") if has("--no-deletion-protection") => {
            w.hit(
                "shell.cloud-destroy",
                Deny,
                "`aws rds` removes a database's deletion protection".to_owned(),
                inv,
            );
        }
        (
            "iam",
            "attach-user-policy"
            | "attach-role-policy"
            | "attach-group-policy"
            | "put-user-policy"
            | "put-role-policy"
            | "put-group-policy"
            | "create-policy-version"
            | "add-user-to-group",
        ) => {
            let admin = args.iter().any(|a| {
                a.value.contains("AdministratorAccess")
                    || a.value.contains("IAMFullAccess")
                    || a.value.contains("\"*\"") && a.value.contains("Action")
                    || a.value.contains("admin")
            });
            w.hit(
                "shell.privilege-change",
                if admin { Deny } else { Review },
                format!("`aws iam {op}` grants permissions"),
                inv,
            );
        }
        (
            "iam",
            "create-user"
            | "create-login-profile"
            | "update-login-profile"
            | "update-assume-role-policy"
            | "create-role",
        ) => {
            w.hit(
                "shell.privilege-change",
                Review,
                format!("`aws iam {op}` creates or changes an identity"),
                inv,
            );
        }
        (
            "s3api",
            "put-bucket-acl"
            | "put-object-acl"
            | "put-bucket-policy"
            | "delete-public-access-block"
            | "put-public-access-block",
        ) => {
            let public = args.iter().any(|a| {
                a.value.contains("public-read")
                    || a.value.contains("AllUsers")
                    || a.value.contains("\"Principal\":\"*\"")
                    || a.value.contains("\"Principal\": \"*\"")
            }) || op == "delete-public-access-block";
            w.hit(
                "shell.cloud-destroy",
                if public { Deny } else { Review },
                format!("`aws s3api {op}` changes who can read a bucket"),
                inv,
            );
        }
        ("ec2", "stop-instances" | "reboot-instances")
        | (
            "rds",
            "stop-db-instance" | "reboot-db-instance" | "stop-db-cluster" | "failover-db-cluster",
        )
        | ("ecs", "update-service" | "stop-task")
        | ("autoscaling", "set-desired-capacity" | "update-auto-scaling-group")
        | (
            "lambda",
            "update-function-code" | "update-function-configuration" | "publish-version",
        )
        | ("cloudformation", "create-stack" | "update-stack" | "execute-change-set")
        | ("elasticbeanstalk", "update-environment") => {
            w.hit(
                "shell.deploy",
                Review,
                format!("`aws {service} {op}` changes a running service"),
                inv,
            );
        }
        ("ec2", "authorize-security-group-ingress")
            if args.iter().any(|a| a.value.contains("0.0.0.0/0")) =>
        {
            w.hit(
                "shell.system-tamper",
                Review,
                "`aws ec2` opens a port to the whole internet".to_owned(),
                inv,
            );
        }
        ("secretsmanager", "update-secret")
            if !has("--secret-string") && !has("--secret-binary") && !has("--kms-key-id") => {}
        ("logs", "delete-log-stream" | "delete-log-group")
        | ("cloudtrail", "stop-logging" | "delete-trail")
        | ("ec2", "delete-flow-logs") => {
            w.hit(
                "shell.cover-tracks",
                Deny,
                format!("`aws {service} {op}` deletes or stops audit logs"),
                inv,
            );
        }
        ("ecr", "batch-delete-image") | ("s3api", "delete-object") => {
            w.hit(
                "shell.cloud-destroy",
                Review,
                format!("`aws {service} {op}` deletes named objects"),
                inv,
            );
        }
        ("s3api", "delete-objects" | "delete-bucket") => {
            w.hit(
                "shell.cloud-destroy",
                Deny,
                format!("`aws s3api {op}` deletes objects in bulk or a whole bucket"),
                inv,
            );
        }
        (
            _,
            "put-secret-value"
            | "update-secret"
            | "put-parameter"
            | "delete-resource-policy"
            | "remove-regions-from-replication"
            | "disable-key"
            | "revoke-security-group-ingress"
            | "update-function-code",
        ) => {
            w.hit(
                "shell.cloud-destroy",
                Review,
                format!("`aws {service} {op}` changes a production resource"),
                inv,
            );
        }
        _ if matches!(
            verb,
            "delete"
                | "terminate"
                | "remove"
                | "deregister"
                | "purge"
                | "schedule"
                | "disable"
                | "destroy"
        ) && (verb != "schedule" || op.contains("deletion"))
            && (verb != "disable" || op.contains("key") || op.contains("termination")) =>
        {
            let nouns: Vec<&str> = noun_words.clone();
            let scoped = matches!(service, "secretsmanager" | "ssm" | "route53" | "apigateway" | "apigatewayv2" | "sesv2" | "ses" | "cloudwatch" | "sns" | "events" | "logs" if !nouns.contains(&"group"))
                || nouns.iter().any(|n| {
                    matches!(
                        *n,
                        "tag"
                            | "tags"
                            | "alarm"
                            | "alarms"
                            | "parameter"
                            | "parameters"
                            | "health"
                            | "policy"
                            | "rule"
                            | "method"
                            | "deployment"
                            | "usage"
                            | "plan"
                            | "pool"
                            | "pair"
                            | "message"
                            | "object"
                            | "objects"
                            | "alias"
                            | "permission"
                            | "subscription"
                            | "version"
                            | "record"
                            | "webhook"
                            | "member"
                    )
                });
            let data = data_resource(&nouns)
                || verb == "terminate"
                || op.contains("deletion")
                || service == "rds"
                || service == "dynamodb" && nouns.contains(&"table");
            let grade = if data && (!scoped || verb == "terminate")
                || op == "delete-log-group"
                || op == "delete-bucket"
            {
                Deny
            } else {
                Review
            };
            w.hit(
                "shell.cloud-destroy",
                grade,
                format!("`aws {service} {op}` deletes a cloud resource"),
                inv,
            );
        }
        _ => {}
    }
    Some(Flow::bits(flow::OPAQUE))
}
