//! Host integrity: services, processes, firewall, users and privileges, cron, history and
//! logs, resource exhaustion, publishing and deploying.

use super::super::ast::Command;
use super::super::flow::{self, Flow};
use super::super::walk::{Cx, Inv, State, Walker};
use super::Opts;
use crate::finding::Grade::{Deny, Review};
use crate::finding::{Detection, Span};

/// Services whose loss takes data or access with it.
fn critical_service(s: &str) -> bool {
    let s = s.trim_end_matches(".service").to_ascii_lowercase();
    let s = s.split('@').next().unwrap_or(&s).to_owned();
    matches!(
        s.as_str(),
        "postgres"
            | "postgresql"
            | "postmaster"
            | "mysql"
            | "mysqld"
            | "mariadb"
            | "mariadbd"
            | "redis"
            | "redis-server"
            | "mongod"
            | "mongodb"
            | "sshd"
            | "ssh"
            | "docker"
            | "dockerd"
            | "containerd"
            | "kubelet"
            | "etcd"
            | "elasticsearch"
            | "clickhouse-server"
            | "cassandra"
            | "kafka"
            | "zookeeper"
            | "auditd"
            | "rsyslog"
            | "syslog"
            | "systemd-journald"
            | "journald"
            | "firewalld"
            | "iptables"
            | "nftables"
            | "ufw"
            | "cron"
            | "crond"
            | "systemd"
            | "init"
            | "dbus"
            | "networkmanager"
            | "systemd-networkd"
            | "networking"
            | "apparmor"
            | "fail2ban"
            | "falco"
            | "osqueryd"
    ) || s.starts_with("postgresql")
}

/// Judges a function definition (fork bombs).
pub(crate) fn function(w: &mut Walker, name: &str, body: &Command, span: Span, cx: &Cx) {
    if name.is_empty() {
        return;
    }
    if calls_itself(body, name, 0) {
        let span = cx.clamp.unwrap_or(span);
        let d = Detection::new(
            "shell.resource-exhaustion",
            Deny,
            format!(
                "function `{name}` calls itself in a pipeline or in the background: a fork bomb"
            ),
        )
        .at(w.commands.len().saturating_sub(1), Some(span));
        w.detections.push(d);
    }
}

fn calls_itself(c: &Command, name: &str, depth: usize) -> bool {
    if depth > 8 {
        return false;
    }
    let scripts: Vec<&super::super::ast::Script> = match c {
        Command::Compound { bodies, .. } => bodies.iter().collect(),
        Command::For { body, .. } => vec![body],
        _ => return false,
    };
    for s in scripts {
        for item in &s.items {
            for (_, p) in &item.chain {
                let calls = p.cmds.iter().filter(|c| matches!(c, Command::Simple(sc) if sc.words.first().is_some_and(|w| super::super::parse::lit_text(w) == name))).count();
                if calls >= 2 || calls >= 1 && item.background {
                    return true;
                }
                if p.cmds.iter().any(|c| calls_itself(c, name, depth + 1)) {
                    return true;
                }
            }
        }
    }
    false
}

/// Judges assignments on their own (`HISTSIZE=0`, `HISTFILE=/dev/null`).
pub(crate) fn assignments(w: &mut Walker, inv: &Inv) {
    for (n, v) in &inv.assigns {
        env_assignment(w, inv, n, &v.value);
    }
}

/// Judges one environment assignment.
pub(crate) fn env_assignment(w: &mut Walker, inv: &Inv, name: &str, value: &str) {
    match name {
        "HISTSIZE" | "HISTFILESIZE" | "SAVEHIST" if value.trim() == "0" => {
            w.hit(
                "shell.cover-tracks",
                Deny,
                format!("`{name}=0` stops the shell from keeping history"),
                inv,
            );
        }
        "HISTFILE" if value.is_empty() || value == "/dev/null" => w.hit(
            "shell.cover-tracks",
            Deny,
            format!("`{name}` set to `{value}` stops the shell from keeping history"),
            inv,
        ),
        "HISTCONTROL" if value.contains("ignorespace") || value.contains("ignoreboth") => {}
        "LD_PRELOAD" | "LD_LIBRARY_PATH" | "LD_AUDIT"
            if value.starts_with("/tmp") || value.starts_with("/dev/shm") =>
        {
            w.hit(
                "shell.privilege-change",
                Deny,
                format!("`{name}` loads a library from `{value}` into every program"),
                inv,
            );
        }
        _ => {}
    }
}

/// Dispatches host programs.
pub(crate) fn judge(w: &mut Walker, inv: &Inv, st: &mut State, cx: &Cx) -> Option<Flow> {
    let prog = inv.program();
    let args = inv.args();
    let words: Vec<&str> = args.iter().map(|a| a.value.as_str()).collect();
    for (n, v) in &inv.assigns {
        env_assignment(w, inv, n, &v.value);
    }
    match prog {
        "shutdown" | "reboot" | "halt" | "poweroff" => {
            if !words.contains(&"-c") && !words.contains(&"--help") {
                w.hit(
                    "shell.system-tamper",
                    Deny,
                    format!("`{prog}` takes the host down"),
                    inv,
                );
            }
        }
        "init" | "telinit"
            if words
                .first()
                .is_some_and(|w| matches!(*w, "0" | "6" | "1" | "s" | "S")) =>
        {
            w.hit(
                "shell.system-tamper",
                Deny,
                format!(
                    "`{prog} {}` takes the host down",
                    words.first().copied().unwrap_or("")
                ),
                inv,
            )
        }
        "systemctl" | "service" | "rc-service" | "launchctl" => service(w, inv, &words),
        "kill" => {
            let o = Opts::parse(args, &["-s", "-n"]);
            let targets = o.words();
            let signal = o
                .value(&["-s", "-n"])
                .or_else(|| {
                    o.flags
                        .first()
                        .map(|f| f.trim_start_matches('-').to_owned())
                })
                .unwrap_or_default();
            let gentle = matches!(
                signal.trim_start_matches("SIG"),
                "USR1" | "USR2" | "CONT" | "WINCH" | "INFO"
            );
            let all_processes = targets.iter().any(|t| *t == "-1" || *t == "1")
                || words.contains(&"-1") && words.len() >= 2 && words.last() == Some(&"-1");
            if signal == "0"
                || gentle
                || words.first() == Some(&"-0")
                || words.contains(&"-l")
                || words.contains(&"-L")
            {
            } else if all_processes {
                w.hit(
                    "shell.system-tamper",
                    Deny,
                    "`kill -1` kills every process the user can reach".to_owned(),
                    inv,
                );
            } else if !targets.is_empty() || words.iter().any(|w| !w.starts_with('-')) {
                w.hit(
                    "shell.system-tamper",
                    Review,
                    format!("`kill` stops process `{}`", targets.join(" ")),
                    inv,
                );
            }
        }
        "pkill" | "killall" | "killall5" | "skill" => {
            let o = Opts::parse(
                args,
                &[
                    "-s", "--signal", "-u", "-U", "-g", "-G", "-P", "-t", "-n", "-o",
                ],
            );
            let names = o.words();
            let gentle = args.iter().any(|a| {
                matches!(
                    a.value.trim_start_matches('-').trim_start_matches("SIG"),
                    "USR1" | "USR2" | "CONT" | "WINCH" | "0" | "INFO" | "10" | "12"
                )
            }) || o.flags.iter().any(|f| {
                matches!(
                    f.trim_start_matches('-').trim_start_matches("SIG"),
                    "USR1" | "USR2" | "CONT" | "WINCH" | "0" | "INFO" | "10" | "12"
                )
            }) || o.value(&["-s", "--signal"]).is_some_and(|v| {
                matches!(
                    v.trim_start_matches("SIG"),
                    "USR1" | "USR2" | "CONT" | "WINCH" | "0" | "INFO"
                )
            });
            if o.has(&["-0"]) || gentle || o.has(&["-l", "--list"]) {
            } else if prog == "killall5"
                || names.iter().any(|n| critical_service(n))
                || o.value(&["-u", "-U"]).is_some_and(|u| u == "root")
            {
                w.hit(
                    "shell.system-tamper",
                    Deny,
                    format!("`{prog}` kills `{}`", names.join(" ")),
                    inv,
                );
            } else {
                w.hit(
                    "shell.system-tamper",
                    Review,
                    format!("`{prog}` kills every process named `{}`", names.join(" ")),
                    inv,
                );
            }
        }
        "iptables" | "ip6tables" | "nft" | "iptables-legacy" | "iptables-nft" => {
            let flush = words
                .iter()
                .any(|w| matches!(*w, "-F" | "--flush" | "-X" | "--delete-chain" | "flush"))
                || words
                    .windows(2)
                    .any(|p| matches!(p, ["-P" | "--policy", _]) && words.contains(&"ACCEPT"));
            let read = words.iter().all(|w| {
                matches!(
                    *w,
                    "-L" | "-n"
                        | "-v"
                        | "-S"
                        | "--list"
                        | "list"
                        | "ruleset"
                        | "--line-numbers"
                        | "-t"
                        | "nat"
                        | "filter"
                        | "mangle"
                ) || w.starts_with("-L")
                    || w.starts_with("-n")
            });
            if flush {
                w.hit(
                    "shell.system-tamper",
                    Deny,
                    format!("`{prog}` removes the firewall's rules"),
                    inv,
                );
            } else if !read {
                w.hit(
                    "shell.system-tamper",
                    Review,
                    format!("`{prog}` changes the firewall"),
                    inv,
                );
            }
        }
        "ufw" | "firewall-cmd" => {
            if words.contains(&"disable")
                || words.contains(&"reset")
                || words
                    .iter()
                    .any(|w| w.starts_with("--panic-off") || *w == "--set-default-zone=trusted")
            {
                w.hit(
                    "shell.system-tamper",
                    Deny,
                    format!("`{prog}` turns the firewall off"),
                    inv,
                );
            } else if !words.is_empty()
                && !words.iter().all(|w| {
                    matches!(
                        *w,
                        "status"
                            | "verbose"
                            | "numbered"
                            | "--list-all"
                            | "--state"
                            | "--get-active-zones"
                            | "app"
                            | "list"
                            | "show"
                    )
                })
            {
                w.hit(
                    "shell.system-tamper",
                    Review,
                    format!("`{prog}` changes the firewall"),
                    inv,
                );
            }
        }
        "setenforce"
            if words
                .first()
                .is_some_and(|w| *w == "0" || w.eq_ignore_ascii_case("permissive")) =>
        {
            w.hit(
                "shell.system-tamper",
                Deny,
                "`setenforce 0` turns SELinux enforcement off".to_owned(),
                inv,
            )
        }
        "aa-disable" | "aa-complain" | "aa-teardown" => w.hit(
            "shell.system-tamper",
            Deny,
            format!("`{prog}` turns AppArmor protection off"),
            inv,
        ),
        "sysctl" => {
            if words
                .iter()
                .any(|w| *w == "-w" || w.contains('=') && !w.starts_with('-'))
                || words.contains(&"-p")
                || words.contains(&"--system")
            {
                w.hit(
                    "shell.system-tamper",
                    Review,
                    "`sysctl -w` changes a kernel setting".to_owned(),
                    inv,
                );
            }
        }
        "modprobe" | "insmod" | "rmmod" => w.hit(
            "shell.system-tamper",
            Review,
            format!("`{prog}` changes the kernel's modules"),
            inv,
        ),
        "crontab" => {
            let o = Opts::parse(args, &["-u"]);
            if o.has(&["-r"]) {
                w.hit(
                    "shell.system-tamper",
                    Deny,
                    "`crontab -r` deletes every scheduled job".to_owned(),
                    inv,
                );
            } else if o.has(&["-e"]) {
                w.hit(
                    "shell.system-tamper",
                    Review,
                    "`crontab -e` edits scheduled jobs".to_owned(),
                    inv,
                );
            } else if o.pos.iter().all(|a| a.value == "-") && inv.stdin.has(flow::CRONTAB) {
                w.hit(
                    "shell.system-tamper",
                    Review,
                    "`crontab` rewrites the scheduled jobs".to_owned(),
                    inv,
                );
            } else if !o.pos.is_empty()
                || !o.has(&["-l"]) && (inv.stdin.content.is_some() || inv.stdin.bits != 0)
            {
                w.hit(
                    "shell.system-tamper",
                    Deny,
                    "`crontab` replaces every scheduled job".to_owned(),
                    inv,
                );
            } else if o.has(&["-l"]) {
                return Some(Flow::bits(flow::CRONTAB | flow::OPAQUE));
            }
        }
        "at" | "batch" if !words.contains(&"-l") && !words.contains(&"-c") => {
            if let Some(c) = &inv.stdin.content {
                let text = super::super::expand::Arg {
                    value: c.clone(),
                    known: true,
                    span: inv.span,
                    ..Default::default()
                };
                let mut inner = inv.clone();
                inner.stdin = Flow::default();
                super::unwrap::run_string(w, &inner, &text, &[], "at", st, cx);
            }
            w.hit(
                "shell.system-tamper",
                Review,
                format!("`{prog}` schedules a command to run later"),
                inv,
            );
        }
        "history" => {
            let o = Opts::parse(args, &["-d"]);
            if o.has(&["-c", "-d", "-w"]) && (o.has(&["-c"]) || o.has(&["-d"])) {
                w.hit(
                    "shell.cover-tracks",
                    Deny,
                    "`history` deletes shell history".to_owned(),
                    inv,
                );
            } else if !o.has(&["-c", "-d", "-w", "-r", "-a", "-n", "-s", "-p"]) {
                return Some(Flow::bits(flow::HISTORY));
            }
        }
        "unset"
            if words
                .iter()
                .any(|w| matches!(*w, "HISTFILE" | "HISTSIZE" | "HISTFILESIZE")) =>
        {
            w.hit(
                "shell.cover-tracks",
                Deny,
                "`unset HISTFILE` stops the shell from keeping history".to_owned(),
                inv,
            );
        }
        "set" if words.contains(&"+o") && words.contains(&"history") => w.hit(
            "shell.cover-tracks",
            Deny,
            "`set +o history` stops the shell from keeping history".to_owned(),
            inv,
        ),
        "set" | "declare" | "typeset" | "export" | "compgen"
            if words.is_empty()
                || words
                    .iter()
                    .all(|w| matches!(*w, "-p" | "-x" | "-v" | "-px")) =>
        {
            return Some(Flow::bits(flow::ENV));
        }
        "export" | "declare" | "typeset" | "local" | "readonly" => {
            for a in args.iter().filter(|a| !a.value.starts_with('-')) {
                if let Some((n, v)) = a.value.split_once('=') {
                    let mut val = a.clone();
                    val.value = v.to_owned();
                    env_assignment(w, inv, n, v);
                    st.set(n, &val);
                }
            }
        }
        "read" | "readarray" | "mapfile" => {
            for a in args.iter().filter(|a| !a.value.starts_with('-')) {
                st.set(
                    &a.value,
                    &super::super::expand::Arg {
                        flow: inv.stdin.opaque(),
                        ..Default::default()
                    },
                );
            }
        }
        "journalctl" => {
            if words.iter().any(|w| w.starts_with("--vacuum")) {
                w.hit(
                    "shell.cover-tracks",
                    Deny,
                    "`journalctl --vacuum` deletes the system journal".to_owned(),
                    inv,
                );
            }
        }
        "auditctl" => {
            if words.contains(&"-D") || words.windows(2).any(|p| p == ["-e", "0"]) {
                w.hit(
                    "shell.cover-tracks",
                    Deny,
                    "`auditctl` removes audit rules or stops auditing".to_owned(),
                    inv,
                );
            }
        }
        "logrotate" if words.contains(&"-f") || words.contains(&"--force") => w.hit(
            "shell.system-tamper",
            Review,
            "`logrotate -f` rotates the logs now".to_owned(),
            inv,
        ),
        "useradd" | "adduser" | "usermod" | "groupadd" | "groupmod" | "userdel" | "deluser"
        | "gpasswd" | "chpasswd" | "newusers" | "vipw" | "vigr" => {
            super::accounts::users(w, inv, &words)
        }
        "passwd" | "chsh" | "chfn" | "chage" => {
            let target = words
                .iter()
                .rfind(|w| !w.starts_with('-'))
                .copied()
                .unwrap_or("");
            if target == "root" || words.contains(&"-d") {
                w.hit(
                    "shell.privilege-change",
                    Deny,
                    format!(
                        "`{prog}` changes the credentials of `{}`",
                        if target.is_empty() { "root" } else { target }
                    ),
                    inv,
                );
            } else if !(prog == "passwd" && (words.contains(&"-S") || words.contains(&"--status")))
            {
                w.hit(
                    "shell.privilege-change",
                    Review,
                    format!("`{prog}` changes a user's credentials or shell"),
                    inv,
                );
            }
        }
        "visudo" | "sudoedit" => w.hit(
            "shell.privilege-change",
            Deny,
            format!("`{prog}` edits who may become root"),
            inv,
        ),
        "setcap" => {
            if words.iter().any(|w| {
                w.contains("cap_setuid")
                    || w.contains("cap_sys_admin")
                    || w.contains("cap_dac_override")
                    || w.contains("=ep") && w.contains("all")
            }) {
                w.hit(
                    "shell.privilege-change",
                    Deny,
                    "`setcap` gives a program root capabilities".to_owned(),
                    inv,
                );
            } else {
                w.hit(
                    "shell.privilege-change",
                    Review,
                    "`setcap` gives a program capabilities".to_owned(),
                    inv,
                );
            }
        }
        "ssh-keygen" => {
            if words.contains(&"-R") {
                w.hit(
                    "shell.system-tamper",
                    Review,
                    "`ssh-keygen -R` forgets a host key".to_owned(),
                    inv,
                );
            } else if words.contains(&"-p")
                || words.iter().any(|w| *w == "-P" || *w == "-N")
                    && !words
                        .iter()
                        .any(|w| w.starts_with("/tmp/") || w.starts_with("./"))
            {
                w.hit(
                    "shell.privilege-change",
                    Review,
                    "`ssh-keygen` changes or writes an SSH key".to_owned(),
                    inv,
                );
            }
        }
        "stress" | "stress-ng" | "sysbench" | "ab" | "wrk" | "hey" | "siege" | "vegeta"
        | "locust" | "k6" | "memtester" => {
            w.hit(
                "shell.resource-exhaustion",
                Review,
                format!("`{prog}` loads the host or a service on purpose"),
                inv,
            );
        }
        "yes"
            if inv
                .redirs
                .iter()
                .any(|r| r.op.writes() && !r.target.value.starts_with("/dev/null")) =>
        {
            w.hit(
                "shell.resource-exhaustion",
                Deny,
                "`yes` into a file fills the disk".to_owned(),
                inv,
            );
        }
        "npm" | "yarn" | "pnpm" | "cargo" | "twine" | "poetry" | "gem" | "flit" | "hatch"
        | "uv" | "dotnet" | "nuget" | "mvn" | "mvnw" | "gradle" | "gradlew" | "lerna"
        | "changeset" | "vsce" | "ovsx" | "goreleaser" | "pip" | "pip3" | "pipx" | "gh"
        | "glab" | "semantic-release" | "conda" => {
            super::accounts::publish(w, inv, &words);
        }
        _ => return None,
    }
    Some(Flow::bits(flow::OPAQUE))
}

fn service(w: &mut Walker, inv: &Inv, words: &[&str]) {
    let prog = inv.program();
    let mut verbs = words.iter().filter(|w| !w.starts_with('-'));
    let (verb, units): (&str, Vec<&str>) = if prog == "service" || prog == "rc-service" {
        let unit = verbs.next().copied().unwrap_or("");
        (verbs.next().copied().unwrap_or(""), vec![unit])
    } else {
        (
            verbs.next().copied().unwrap_or(""),
            verbs.copied().collect(),
        )
    };
    match verb {
        "reboot" | "poweroff" | "halt" | "kexec" | "emergency" | "rescue" | "suspend"
        | "hibernate" => w.hit(
            "shell.system-tamper",
            Deny,
            format!("`{prog} {verb}` takes the host down"),
            inv,
        ),
        "isolate" | "default" => w.hit(
            "shell.system-tamper",
            Deny,
            format!("`{prog} {verb}` switches the host's run level"),
            inv,
        ),
        "stop" | "disable" | "mask" | "kill" | "unload" | "bootout" => {
            if units.iter().any(|u| critical_service(u)) || units.is_empty() {
                w.hit(
                    "shell.system-tamper",
                    Deny,
                    format!("`{prog} {verb}` stops `{}`", units.join(" ")),
                    inv,
                );
            } else {
                w.hit(
                    "shell.system-tamper",
                    Review,
                    format!("`{prog} {verb}` stops `{}`", units.join(" ")),
                    inv,
                );
            }
        }
        "restart" | "reload" | "try-restart" | "reload-or-restart" | "start" | "enable"
        | "unmask" | "daemon-reload" | "edit" | "set-property" | "link" | "revert"
        | "kickstart" | "load" | "bootstrap" => {
            w.hit(
                "shell.system-tamper",
                Review,
                format!(
                    "`{prog} {verb}` changes the running service `{}`",
                    units.join(" ")
                ),
                inv,
            );
        }
        _ => {}
    }
}
