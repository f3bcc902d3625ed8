//! git: history rewrites, force pushes, discarded work.

use super::super::expand::Arg;
use super::super::flow::{self, Flow};
use super::super::walk::{Cx, Inv, State, Walker};
use super::Opts;
use crate::finding::Grade::{Deny, Review};

/// Branches whose history is shared and protected.
pub(crate) fn protected_branch(b: &str) -> bool {
    let b = b.trim_start_matches('+').trim_start_matches("refs/heads/");
    let b = b.rsplit(':').next().unwrap_or(b);
    let b = b.trim_start_matches("refs/heads/");
    matches!(
        b,
        "main"
            | "master"
            | "develop"
            | "development"
            | "trunk"
            | "production"
            | "staging"
            | "HEAD"
            | "gh-pages"
    ) || b.starts_with("release")
        || b.starts_with("prod")
        || b.starts_with("hotfix")
}

/// Global options of git that take a value.
const GLOBAL_TAKES: &[&str] = &[
    "-C",
    "-c",
    "--git-dir",
    "--work-tree",
    "--namespace",
    "--exec-path",
    "--config-env",
];

/// Dispatches git.
pub(crate) fn judge(w: &mut Walker, inv: &Inv, _st: &mut State, _cx: &Cx) -> Option<Flow> {
    if inv.program() != "git" {
        return None;
    }
    let args = inv.args();
    let mut i = 0;
    while let Some(a) = args.get(i) {
        if GLOBAL_TAKES.contains(&a.value.as_str()) {
            i += 2;
        } else if a.value.starts_with('-') {
            i += 1;
        } else {
            break;
        }
    }
    let Some(sub) = args.get(i) else {
        return Some(Flow::bits(flow::OPAQUE));
    };
    let rest = args.get(i + 1..).unwrap_or(&[]);
    let sub = sub.value.as_str();
    match sub {
        "push" => push(w, inv, rest),
        "reset"
            if rest
                .iter()
                .any(|a| a.is("--hard") || a.is("--merge") || a.is("--keep")) =>
        {
            w.hit(
                "shell.history-rewrite",
                Deny,
                "`git reset --hard` discards uncommitted work".to_owned(),
                inv,
            );
        }
        "clean" => {
            let o = Opts::parse(rest, &["-e", "--exclude"]);
            if o.has(&["-f", "--force"]) && !o.has(&["-n", "--dry-run"]) {
                w.hit(
                    "shell.history-rewrite",
                    Deny,
                    "`git clean -f` deletes untracked files for good".to_owned(),
                    inv,
                );
            }
        }
        "checkout" | "restore" => {
            let o = Opts::parse(
                rest,
                &[
                    "-s",
                    "--source",
                    "-b",
                    "-B",
                    "--orphan",
                    "--conflict",
                    "--pathspec-from-file",
                ],
            );
            let staged_only =
                sub == "restore" && o.has(&["--staged", "-S"]) && !o.has(&["--worktree", "-W"]);
            let dashdash = rest.iter().position(|a| a.is("--"));
            let paths: Vec<&Arg> = if sub == "restore" {
                o.pos.clone()
            } else {
                dashdash
                    .map(|d| rest.get(d + 1..).unwrap_or(&[]).iter().collect())
                    .unwrap_or_default()
            };
            let forced =
                sub == "checkout" && o.has(&["-f", "--force"]) && o.value(&["-b", "-B"]).is_none();
            let whole = paths.iter().any(|p| {
                matches!(p.value.as_str(), "." | "*" | ":/" | "./" | ":(top)") || !p.known
            });
            if !staged_only && (whole || forced) {
                w.hit(
                    "shell.history-rewrite",
                    Deny,
                    format!("`git {sub}` of the whole tree discards uncommitted work"),
                    inv,
                );
            } else if !staged_only && !paths.is_empty() {
                w.hit(
                    "shell.history-rewrite",
                    Review,
                    format!("`git {sub}` discards uncommitted changes to named files"),
                    inv,
                );
            }
        }
        "stash" if rest.first().is_some_and(|a| a.is("clear") || a.is("drop")) => {
            w.hit(
                "shell.history-rewrite",
                Deny,
                format!(
                    "`git stash {}` deletes stashed work",
                    rest.first().map_or("", |a| a.value.as_str())
                ),
                inv,
            );
        }
        "filter-branch" | "filter-repo" => {
            w.hit(
                "shell.history-rewrite",
                Deny,
                format!("`git {sub}` rewrites the repository's history"),
                inv,
            );
        }
        "reflog"
            if rest
                .first()
                .is_some_and(|a| a.is("expire") || a.is("delete")) =>
        {
            w.hit(
                "shell.history-rewrite",
                Deny,
                "`git reflog expire` drops the record that recovers lost commits".to_owned(),
                inv,
            );
        }
        "gc" if rest
            .iter()
            .any(|a| a.value == "--prune=now" || a.value == "--prune=all") =>
        {
            w.hit(
                "shell.history-rewrite",
                Deny,
                "`git gc --prune=now` deletes unreachable commits for good".to_owned(),
                inv,
            );
        }
        "prune" => w.hit(
            "shell.history-rewrite",
            Review,
            "`git prune` deletes unreachable objects".to_owned(),
            inv,
        ),
        "update-ref" => {
            if rest.iter().any(|a| a.is("-d") || a.is("--stdin")) {
                let target = rest
                    .iter()
                    .find(|a| !a.value.starts_with('-'))
                    .map_or("", |a| a.value.as_str());
                let grade = if protected_branch(target) || target.is_empty() {
                    Deny
                } else {
                    Review
                };
                w.hit(
                    "shell.history-rewrite",
                    grade,
                    format!("`git update-ref -d` deletes the ref `{target}`"),
                    inv,
                );
            } else if rest.iter().filter(|a| !a.value.starts_with('-')).count() >= 2 {
                w.hit(
                    "shell.history-rewrite",
                    Review,
                    "`git update-ref` moves a ref".to_owned(),
                    inv,
                );
            }
        }
        "branch" => {
            let o = Opts::parse(
                rest,
                &[
                    "-u",
                    "--set-upstream-to",
                    "--sort",
                    "--format",
                    "--contains",
                    "--merged",
                    "--no-merged",
                    "--points-at",
                ],
            );
            if o.has(&["-D"]) || o.has(&["-d", "--delete"]) && o.has(&["-f", "--force"]) {
                let grade = if o.pos.iter().any(|b| protected_branch(&b.value)) {
                    Deny
                } else {
                    Review
                };
                w.hit(
                    "shell.history-rewrite",
                    grade,
                    "`git branch -D` deletes a branch with unmerged commits".to_owned(),
                    inv,
                );
            } else if o.has(&["-f", "--force", "-M", "-C"]) && !o.pos.is_empty() {
                let grade = if o.pos.iter().any(|b| protected_branch(&b.value)) {
                    Deny
                } else {
                    Review
                };
                w.hit(
                    "shell.history-rewrite",
                    grade,
                    "`git branch -f` moves an existing branch".to_owned(),
                    inv,
                );
            }
        }
        "rebase" => {
            let o = Opts::parse(rest, &["--onto", "-s", "--strategy", "-X", "--exec", "-x"]);
            let onto = o.value(&["--onto"]);
            let published = onto
                .as_deref()
                .is_some_and(|b| !b.contains('/') && protected_branch(b) && o.pos.len() >= 2);
            if o.has(&["--root"]) || published {
                w.hit(
                    "shell.history-rewrite",
                    Review,
                    "`git rebase` rewrites published commits".to_owned(),
                    inv,
                );
            }
            if let Some(x) = o.value(&["--exec", "-x"]) {
                let text = Arg {
                    value: x,
                    known: true,
                    span: inv.span,
                    ..Arg::default()
                };
                return Some(super::unwrap::run_string(
                    w,
                    inv,
                    &text,
                    &[],
                    "git rebase --exec",
                    _st,
                    _cx,
                ));
            }
        }
        "tag" => {
            let o = Opts::parse(rest, &["-m", "-F", "-u"]);
            if o.has(&["-d", "--delete"]) {
                w.hit(
                    "shell.history-rewrite",
                    Review,
                    "`git tag -d` deletes a tag".to_owned(),
                    inv,
                );
            } else if o.has(&["-f", "--force"]) {
                w.hit(
                    "shell.history-rewrite",
                    Review,
                    "`git tag -f` moves an existing tag".to_owned(),
                    inv,
                );
            }
        }
        "commit" => {
            // Plain commits and amends are ordinary work.
        }
        "config"
            if rest.iter().any(|a| {
                a.value.starts_with("core.hooksPath")
                    || a.value.starts_with("core.sshCommand")
                    || a.value.starts_with("core.fsmonitor")
            }) =>
        {
            w.hit(
                "shell.system-tamper",
                Review,
                "`git config` sets a command git runs later".to_owned(),
                inv,
            );
        }
        "credential" | "credential-store" | "credential-cache"
            if rest.iter().any(|a| a.is("fill") || a.is("get")) =>
        {
            w.hit(
                "shell.secret-read",
                Review,
                "`git credential fill` prints a stored credential".to_owned(),
                inv,
            );
        }
        _ => {}
    }
    Some(Flow::bits(flow::OPAQUE))
}

fn push(w: &mut Walker, inv: &Inv, rest: &[Arg]) {
    let o = Opts::parse(
        rest,
        &["-o", "--push-option", "--repo", "--receive-pack", "--exec"],
    );
    let force = o.has(&["-f", "--force", "--mirror"])
        || o.flags
            .iter()
            .any(|f| f == "--force-with-lease" || f == "--force-if-includes");
    let lease = !o.has(&["-f", "--force", "--mirror"]);
    let refs: Vec<&str> = o.pos.iter().skip(1).map(|a| a.value.as_str()).collect();
    let plus = refs.iter().any(|r| r.starts_with('+'));
    if o.has(&["--dry-run", "-n"]) {
        return;
    }
    if o.has(&["-d", "--delete"]) || refs.iter().any(|r| r.starts_with(':') && r.len() > 1) {
        let names: Vec<&str> = refs.iter().map(|r| r.trim_start_matches(':')).collect();
        let grade = if names.iter().any(|n| protected_branch(n)) {
            Deny
        } else {
            Review
        };
        w.hit(
            "shell.history-rewrite",
            grade,
            format!("`git push` deletes the remote branch `{}`", names.join(" ")),
            inv,
        );
        return;
    }
    if o.has(&["--mirror"]) {
        w.hit(
            "shell.history-rewrite",
            Deny,
            "`git push --mirror` overwrites every remote ref".to_owned(),
            inv,
        );
        return;
    }
    if force || plus {
        let named: Vec<&str> = refs.iter().map(|r| r.trim_start_matches('+')).collect();
        let protected = named.is_empty()
            || named.iter().any(|r| protected_branch(r))
            || o.has(&["--all", "--tags"]);
        if protected && !(lease && !named.is_empty() && !named.iter().any(|r| protected_branch(r)))
        {
            let target = if named.is_empty() {
                "the current branch".to_owned()
            } else {
                format!("`{}`", named.join(" "))
            };
            w.hit(
                "shell.history-rewrite",
                Deny,
                format!("force push to {target} rewrites shared history"),
                inv,
            );
        } else {
            w.hit(
                "shell.history-rewrite",
                Review,
                format!(
                    "force push to `{}` rewrites the branch's history",
                    named.join(" ")
                ),
                inv,
            );
        }
    }
}
