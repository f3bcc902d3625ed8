//! Accounts and packages: user management, publishing, package removal.

use super::super::walk::{Inv, Walker};
use crate::finding::Grade::{Deny, Review};

pub(crate) fn users(w: &mut Walker, inv: &Inv, words: &[&str]) {
    let prog = inv.program();
    let uid0 = words
        .windows(2)
        .any(|p| matches!(p, ["-u" | "--uid", "0"]) || matches!(p, ["-g" | "--gid", "0"]))
        || words.contains(&"-ou")
        || words.contains(&"--uid=0");
    let admin_group = words.windows(2).any(|p| {
        matches!(
            p.first(),
            Some(&"-G" | &"-aG" | &"--groups" | &"-g" | &"-a")
        ) && p.get(1).is_some_and(|g| {
            g.split(',').any(|g| {
                matches!(
                    g,
                    "sudo" | "wheel" | "root" | "admin" | "docker" | "adm" | "disk" | "lxd"
                )
            })
        })
    }) || prog == "gpasswd"
        && words
            .iter()
            .any(|w| matches!(*w, "sudo" | "wheel" | "root" | "docker"));
    if uid0
        || admin_group
        || prog == "chpasswd" && words.is_empty()
        || prog == "vipw"
        || prog == "vigr"
    {
        w.hit(
            "shell.privilege-change",
            Deny,
            format!("`{prog}` creates or changes an account with root or admin rights"),
            inv,
        );
    } else {
        w.hit(
            "shell.privilege-change",
            Review,
            format!("`{prog}` creates, changes or deletes an account"),
            inv,
        );
    }
}

pub(crate) fn publish(w: &mut Walker, inv: &Inv, words: &[&str]) {
    let prog = inv
        .program()
        .trim_end_matches(".sh")
        .trim_start_matches("./");
    let dry = super::dry_run(inv) || words.contains(&"--dry-run");
    let first = words
        .iter()
        .find(|w| !w.starts_with('-'))
        .copied()
        .unwrap_or("");
    let second = words
        .iter()
        .filter(|w| !w.starts_with('-'))
        .nth(1)
        .copied()
        .unwrap_or("");
    let publishes = match prog {
        "npm" | "yarn" | "pnpm" | "cargo" | "poetry" | "flit" | "hatch" | "uv" | "lerna"
        | "vsce" | "ovsx" => {
            first == "publish" || prog == "yarn" && first == "npm" && second == "publish"
        }
        "twine" => first == "upload",
        "gem" => first == "push",
        "dotnet" => first == "nuget" && second == "push",
        "nuget" => first == "push",
        "mvn" | "mvnw" => words
            .iter()
            .any(|w| *w == "deploy" || w.starts_with("release:perform")),
        "gradle" | "gradlew" => words
            .iter()
            .any(|w| w.starts_with("publish") || *w == "uploadArchives"),
        "changeset" => first == "publish",
        "goreleaser" => first == "release" || first.is_empty(),
        "semantic-release" => true,
        "gh" | "glab" => {
            first == "release" && matches!(second, "create" | "upload" | "edit" | "delete")
        }
        _ => false,
    };
    if publishes && !dry {
        let deletes = second == "delete";
        w.hit(
            "shell.publish",
            Review,
            format!(
                "`{prog}` {} a release or package",
                if deletes { "deletes" } else { "publishes" }
            ),
            inv,
        );
        return;
    }
    let uninstall = matches!(
        (prog, first),
        ("pip" | "pip3" | "pipx" | "conda", "uninstall" | "remove")
            | ("poetry" | "uv" | "pnpm" | "yarn" | "cargo", "remove")
            | ("npm", "uninstall" | "remove" | "rm" | "un")
    );
    if uninstall && !dry {
        w.hit(
            "shell.deploy",
            Review,
            format!("`{prog} {first}` removes an installed package"),
            inv,
        );
    }
    if matches!(prog, "pip" | "pip3") && first == "install" {
        for a in inv.args().iter().skip(1) {
            let v = a.value.as_str();
            if v.starts_with("http://")
                || v.starts_with("https://")
                || v.starts_with("git+")
                || v.starts_with("git://")
            {
                w.hit(
                    "shell.remote-code",
                    Deny,
                    format!("`{prog} install` runs the setup code of `{v}`, fetched from a URL"),
                    inv,
                );
            }
        }
        if words.iter().any(|w| {
            matches!(*w, "--index-url" | "-i" | "--extra-index-url")
                || w.starts_with("--index-url=")
                || w.starts_with("--extra-index-url=")
        }) {
            w.hit(
                "shell.remote-code",
                Review,
                format!("`{prog} install` from another package index"),
                inv,
            );
        }
    }
    if prog == "gh" && first == "secret" && matches!(second, "set" | "delete" | "remove")
        || prog == "gh" && first == "repo" && second == "delete"
    {
        let grade = if second == "delete" && first == "repo" {
            Deny
        } else {
            Review
        };
        let rule = if first == "repo" {
            "shell.cloud-destroy"
        } else {
            "shell.deploy"
        };
        w.hit(
            rule,
            grade,
            format!("`gh {first} {second}` changes the repository's settings"),
            inv,
        );
    }
    if prog == "gh" && first == "workflow" && second == "run" {
        w.hit(
            "shell.deploy",
            Review,
            format!("`gh {first} {second}` starts a pipeline or merges"),
            inv,
        );
    }
    if prog == "gh" && first == "auth" && second == "token" {
        w.hit(
            "shell.secret-read",
            Review,
            "`gh auth token` prints an access token".to_owned(),
            inv,
        );
    }
}
