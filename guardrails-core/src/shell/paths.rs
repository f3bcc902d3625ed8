//! Path normalisation (`..`, `//`, `~`, `$HOME`, trailing `/` and `/*`) and the zones the rules
//! protect. Paths are written in one namespace: `/...` absolute, `~` and `~/...` the home
//! directory, `.` and `./...` the project checkout (the working directory), `..` above it.

use super::expand::Arg;
use super::walk::Cx;

/// Where a path is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Zone {
    /// `/`.
    Root,
    /// System directories and files (`/etc`, `/usr`, `/boot`, `/var`, ...).
    System,
    /// Data directories (`/srv`, `/data`, `/mnt`, `/var/www`, `/var/lib/...`, backups).
    Data,
    /// A database's or container engine's data directory.
    DbData,
    /// `/var/log`.
    Logs,
    /// A home directory itself (`~`, `/home/x`, `/root`).
    Home,
    /// Credentials inside a home (`~/.ssh`, `~/.aws`, ...).
    HomeSecret,
    /// Caches inside a home.
    HomeCache,
    /// Anything else inside a home.
    HomeSub,
    /// `/tmp` or `/var/tmp` itself.
    TmpRoot,
    /// Something inside a temporary directory.
    Temp,
    /// The working directory itself.
    Project,
    /// `.git` or inside it.
    Git,
    /// Above the working directory.
    Parent,
    /// A build output or cache inside the working directory.
    Build,
    /// Anything else inside the working directory.
    ProjectSub,
    /// `/dev/...`.
    Device,
    /// Another absolute path.
    Other,
    /// Not known statically.
    Unknown,
}

impl Zone {
    /// Zones a recursive delete must never touch.
    pub(crate) fn protected(self) -> bool {
        matches!(
            self,
            Zone::Root
                | Zone::System
                | Zone::Data
                | Zone::DbData
                | Zone::Logs
                | Zone::Home
                | Zone::HomeSecret
                | Zone::TmpRoot
                | Zone::Project
                | Zone::Git
                | Zone::Parent
                | Zone::Device
                | Zone::Unknown
        )
    }

    /// A few words for messages.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Zone::Root => "the root directory",
            Zone::System => "a system path",
            Zone::Data => "a data directory",
            Zone::DbData => "a database's data directory",
            Zone::Logs => "the system logs",
            Zone::Home => "a home directory",
            Zone::HomeSecret => "a credentials directory",
            Zone::HomeCache => "a cache",
            Zone::HomeSub => "a path in a home directory",
            Zone::TmpRoot => "the temporary directory itself",
            Zone::Temp => "a temporary path",
            Zone::Project => "the working directory itself",
            Zone::Git => "the repository's `.git`",
            Zone::Parent => "a path above the working directory",
            Zone::Build => "a build output",
            Zone::ProjectSub => "a path in the working directory",
            Zone::Device => "a device",
            Zone::Other => "a path outside the working directory",
            Zone::Unknown => "a path not known before it runs",
        }
    }
}

/// Build outputs and caches that may be deleted inside the working directory.
const BUILD_DIRS: &[&str] = &[
    "target",
    "node_modules",
    "dist",
    "build",
    "out",
    ".next",
    ".nuxt",
    ".venv",
    "venv",
    "__pycache__",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    "coverage",
    ".cache",
    ".turbo",
    ".gradle",
    ".tox",
    ".parcel-cache",
    "htmlcov",
    ".eslintcache",
    ".nyc_output",
    ".svelte-kit",
    "tmp",
    ".tmp",
    "temp",
    "bin",
    "obj",
    ".angular",
    ".expo",
    "storybook-static",
    ".terraform",
    "cmake-build-debug",
    "cmake-build-release",
    ".idea",
    ".vs",
    ".sass-cache",
    "bower_components",
    "vendor",
    "logs",
    "log",
    "pkg",
    "_build",
    "deps",
    "site",
    "public/build",
    ".docusaurus",
];

/// File patterns of build outputs, caches and logs.
const BUILD_SUFFIXES: &[&str] = &[
    ".pyc",
    ".pyo",
    ".o",
    ".obj",
    ".a",
    ".class",
    ".log",
    ".tmp",
    ".temp",
    ".swp",
    ".swo",
    ".orig",
    ".rej",
    "~",
    ".out",
    ".d",
    ".gcda",
    ".gcno",
    ".egg-info",
    ".cache",
    ".bak",
    ".pid",
    ".lock",
    ".so",
    ".dylib",
    ".dll",
    ".exe",
    ".whl",
    ".tsbuildinfo",
    ".coverage",
    ".map",
];

const DB_DIRS: &[&str] = &[
    "postgresql",
    "pgsql",
    "mysql",
    "mariadb",
    "docker",
    "redis",
    "mongodb",
    "mongo",
    "etcd",
    "elasticsearch",
    "clickhouse",
    "cassandra",
    "influxdb",
    "rabbitmq",
    "kafka",
    "zookeeper",
    "containerd",
    "kubelet",
    "minio",
    "neo4j",
    "couchdb",
];

const HOME_SECRETS: &[&str] = &[
    ".ssh",
    ".aws",
    ".gnupg",
    ".kube",
    ".config/gcloud",
    ".azure",
    ".docker",
    ".password-store",
    ".vault-token",
];

/// Whether a file name looks like a build output, cache or log.
pub(crate) fn buildish_name(name: &str) -> bool {
    BUILD_DIRS.contains(&name)
        || name.starts_with("heapdump")
        || name.starts_with("core.")
        || name.ends_with(".hprof")
        || BUILD_SUFFIXES
            .iter()
            .any(|s| name.len() > s.len() && name.ends_with(s))
        || name == ".DS_Store"
        || name == "nohup.out"
}

/// Normalises a path in the namespace described above. `cwd` is the current directory in the
/// same namespace (`None`: unknown).
pub(crate) fn normalize(raw: &str, cwd: Option<&str>) -> Option<String> {
    let (base, rest): (&str, String) = if let Some(r) = raw.strip_prefix('/') {
        ("/", r.to_owned())
    } else if raw == "~" || raw.starts_with("~/") {
        ("~", raw.get(1..).unwrap_or("").to_owned())
    } else if let Some(user_path) = raw.strip_prefix('~') {
        let (user, rest) = user_path.split_once('/').unwrap_or((user_path, ""));
        let home = if user == "root" {
            "root".to_owned()
        } else {
            format!("home/{user}")
        };
        ("/", format!("{home}/{rest}"))
    } else {
        let cwd = cwd?;
        let joined = if raw.is_empty() {
            cwd.to_owned()
        } else {
            format!("{cwd}/{raw}")
        };
        return normalize_abs(&joined);
    };
    normalize_abs(&format!(
        "{base}{}{rest}",
        if base == "/" { "" } else { "/" }
    ))
}

fn normalize_abs(p: &str) -> Option<String> {
    let (base, rest) = if let Some(r) = p.strip_prefix('/') {
        ("/", r)
    } else if let Some(r) = p.strip_prefix('~') {
        ("~", r)
    } else if let Some(r) = p.strip_prefix("..") {
        ("..", r)
    } else if let Some(r) = p.strip_prefix('.') {
        (".", r)
    } else {
        (".", p)
    };
    let mut base = base.to_owned();
    let mut comps: Vec<&str> = Vec::new();
    for c in rest.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                if comps.pop().is_none() {
                    match base.as_str() {
                        "~" => {
                            base = "/".to_owned();
                            comps.push("home");
                        }
                        "." => base = "..".to_owned(),
                        _ => {}
                    }
                }
            }
            c => comps.push(c),
        }
    }
    Some(match base.as_str() {
        "/" => format!("/{}", comps.join("/")),
        b if comps.is_empty() => b.to_owned(),
        b => format!("{b}/{}", comps.join("/")),
    })
}

/// The zone of a normalised path.
pub(crate) fn zone(norm: &str) -> Zone {
    if norm == ".." || norm.starts_with("../") {
        return Zone::Parent;
    }
    let comps: Vec<&str> = norm.split('/').filter(|c| !c.is_empty()).collect();
    if comps.contains(&".git") {
        return Zone::Git;
    }
    if norm == "." {
        return Zone::Project;
    }
    if let Some(rest) = norm.strip_prefix("./") {
        let inner: Vec<&str> = rest.split('/').collect();
        return if inner.iter().any(|c| buildish_name(c)) {
            Zone::Build
        } else {
            Zone::ProjectSub
        };
    }
    if norm == "~" {
        return Zone::Home;
    }
    if let Some(rest) = norm.strip_prefix("~/") {
        return home_zone(rest);
    }
    let first = comps.first().copied().unwrap_or("");
    let second = comps.get(1).copied();
    match first {
        "" => Zone::Root,
        "tmp" => match second {
            None => Zone::TmpRoot,
            Some(_) => Zone::Temp,
        },
        "home" | "Users" => match second {
            None => Zone::Home,
            Some(_) if comps.len() == 2 => Zone::Home,
            Some(_) => home_zone(&comps.get(2..).unwrap_or(&[]).join("/")),
        },
        "root" => match second {
            None => Zone::Home,
            Some(_) => home_zone(&comps.get(1..).unwrap_or(&[]).join("/")),
        },
        "dev" => Zone::Device,
        "srv" | "data" | "mnt" | "media" | "backup" | "backups" | "volumes" => Zone::Data,
        "var" => match second {
            None => Zone::System,
            Some("tmp") if comps.len() == 2 => Zone::TmpRoot,
            Some("tmp") => Zone::Temp,
            Some("log") => Zone::Logs,
            Some("www") | Some("backups") | Some("opt") | Some("mail") => Zone::Data,
            Some("lib") => match comps.get(2) {
                Some(d) if DB_DIRS.contains(d) => Zone::DbData,
                _ => Zone::Data,
            },
            Some("cache") if comps.len() > 2 => Zone::Other,
            _ => Zone::System,
        },
        "etc" | "usr" | "bin" | "sbin" | "boot" | "lib" | "lib32" | "lib64" | "libx32" | "opt"
        | "sys" | "proc" | "run" | "snap" | "System" | "Library" | "Applications" | "private"
        | "nix" => Zone::System,
        _ => {
            if comps.iter().any(|c| c.contains("backup")) {
                Zone::Data
            } else {
                Zone::Other
            }
        }
    }
}

fn home_zone(rest: &str) -> Zone {
    if rest.is_empty() {
        return Zone::Home;
    }
    if HOME_SECRETS
        .iter()
        .any(|s| rest == *s || rest.starts_with(&format!("{s}/")))
    {
        return Zone::HomeSecret;
    }
    if rest == ".cache"
        || rest.starts_with(".cache/")
        || rest.starts_with(".npm/")
        || rest.starts_with(".cargo/registry")
        || rest.starts_with(".m2/repository")
    {
        return Zone::HomeCache;
    }
    Zone::HomeSub
}

/// A path argument, resolved.
#[derive(Clone, Debug)]
pub(crate) struct Target {
    /// The text as written (for messages).
    pub shown: String,
    /// Normalised directory or file; `None` when unknown.
    pub norm: Option<String>,
    /// Ends in `/*` or is `*`: the contents of `norm`.
    pub contents: bool,
    /// A glob in the last component (`*.log`): the files matching it in `norm`.
    pub pattern: Option<String>,
    pub zone: Zone,
}

/// Resolves a path argument against the current directory.
pub(crate) fn target(arg: &Arg, cwd: Option<&str>, cx: &Cx) -> Target {
    let shown = arg.value.clone();
    let unknown = Target {
        shown: shown.clone(),
        norm: None,
        contents: false,
        pattern: None,
        zone: Zone::Unknown,
    };
    if arg.temp {
        return Target {
            norm: Some("/tmp/tmp.XXXXXXXXXX".to_owned()),
            zone: Zone::Temp,
            ..unknown
        };
    }
    if !arg.known {
        return unknown;
    }
    let mut v = arg.value.clone();
    for (inside, host) in &cx.mounts {
        if v == *inside || v.starts_with(&format!("{inside}/")) {
            v = format!("{host}{}", v.get(inside.len()..).unwrap_or(""));
            break;
        }
    }
    let cwd = if cx.remote && cwd == Some(".") {
        Some("~")
    } else {
        cwd
    };
    let mut contents = false;
    let mut pattern = None;
    let trimmed = v.trim_end_matches('/');
    let mut path = if trimmed.is_empty() && v.starts_with('/') {
        "/".to_owned()
    } else {
        trimmed.to_owned()
    };
    let (dir, last) = match path.rsplit_once('/') {
        Some((d, l)) => (
            if d.is_empty() {
                "/".to_owned()
            } else {
                d.to_owned()
            },
            l.to_owned(),
        ),
        None => (String::new(), path.clone()),
    };
    if arg.glob && last.contains(['*', '?', '[']) {
        if last.chars().all(|c| c == '*') || last == ".*" || last == "{*,.*}" {
            contents = true;
        } else {
            pattern = Some(last.clone());
        }
        path = if dir.is_empty() { ".".to_owned() } else { dir };
    }
    if arg.glob && path.contains(['*', '?']) {
        // A glob in a directory component: everything below the part before it.
        let before = path.split(['*', '?']).next().unwrap_or("");
        let before = before
            .rsplit_once('/')
            .map_or(".", |(d, _)| if d.is_empty() { "/" } else { d });
        path = before.to_owned();
        contents = true;
    }
    let Some(norm) = normalize(&path, cwd) else {
        return unknown;
    };
    let zone = zone(&norm);
    Target {
        shown,
        norm: Some(norm),
        contents,
        pattern,
        zone,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalise() {
        assert_eq!(
            normalize("/var//lib/../lib/mysql/", Some(".")).as_deref(),
            Some("/var/lib/mysql")
        );
        assert_eq!(normalize("~/", Some(".")).as_deref(), Some("~"));
        assert_eq!(normalize("..", Some(".")).as_deref(), Some(".."));
        assert_eq!(normalize("./build", Some(".")).as_deref(), Some("./build"));
        assert_eq!(normalize("x", Some("/tmp/b")).as_deref(), Some("/tmp/b/x"));
        assert_eq!(normalize("~/..", Some(".")).as_deref(), Some("/home"));
        assert_eq!(normalize("x", None), None);
    }

    #[test]
    fn zones() {
        assert_eq!(zone("/"), Zone::Root);
        assert_eq!(zone("/etc/nginx"), Zone::System);
        assert_eq!(zone("/var/lib/postgresql/15/main"), Zone::DbData);
        assert_eq!(zone("./target/debug"), Zone::Build);
        assert_eq!(zone("./src/legacy"), Zone::ProjectSub);
        assert_eq!(zone("./.git"), Zone::Git);
        assert_eq!(zone("/tmp"), Zone::TmpRoot);
        assert_eq!(zone("/tmp/x"), Zone::Temp);
        assert_eq!(zone("~"), Zone::Home);
        assert_eq!(zone("~/.ssh"), Zone::HomeSecret);
        assert_eq!(zone("/home/bob"), Zone::Home);
    }
}
