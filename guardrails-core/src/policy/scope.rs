//! Scopes: where a rule, an override or a default applies.

use crate::context::{ActorKind, Context, Environment};

use super::document::{OneOrMany, ScopeDoc};
use super::err::{Problem, Seg};
use super::glob::Glob;

/// A compiled scope. Every present dimension must match.
#[derive(Clone, Debug, Default)]
pub(crate) struct Scope {
    environments: Option<Vec<EnvPattern>>,
    actor_kinds: Option<Vec<ActorKind>>,
    actors: Option<Vec<Glob>>,
    roles_any: Option<Vec<String>>,
    roles_all: Option<Vec<String>>,
    origins: Option<Vec<Glob>>,
    resources: Option<Vec<Glob>>,
    labels: Vec<(String, Vec<Glob>)>,
}

#[derive(Clone, Debug)]
enum EnvPattern {
    Class(Environment),
    Name(Glob),
}

const CLASSES: &[(&str, Environment)] = &[
    ("production", Environment::Production),
    ("staging", Environment::Staging),
    ("development", Environment::Development),
    ("test", Environment::Test),
];

fn key(path: &[Seg], k: &str) -> Vec<Seg> {
    let mut p = path.to_vec();
    p.push(Seg::Key(k.to_owned()));
    p
}

fn nonempty<'a, T>(
    path: &[Seg],
    field: &str,
    v: &'a Option<OneOrMany<T>>,
) -> Result<Option<&'a [T]>, Problem> {
    match v {
        None => Ok(None),
        Some(list) if list.0.is_empty() => Err(Problem::invalid(
            key(path, field),
            format!("`{field}` is an empty list: the scope could never match"),
        )
        .with_help(format!("remove `{field}` to match any value"))),
        Some(list) => Ok(Some(&list.0)),
    }
}

fn globs(
    path: &[Seg],
    field: &str,
    v: &Option<OneOrMany<String>>,
) -> Result<Option<Vec<Glob>>, Problem> {
    let Some(list) = nonempty(path, field, v)? else {
        return Ok(None);
    };
    let mut out = Vec::with_capacity(list.len());
    for (i, p) in list.iter().enumerate() {
        let mut at = key(path, field);
        if v.as_ref().is_some_and(|l| l.0.len() > 1) {
            at.push(Seg::Index(i));
        }
        out.push(
            Glob::name(p).map_err(|e| {
                Problem::invalid(at, format!("bad pattern `{p}` in `{field}`: {e}"))
            })?,
        );
    }
    Ok(Some(out))
}

impl Scope {
    /// Compiles a scope found at `path` (the `when` table).
    pub(crate) fn compile(doc: Option<&ScopeDoc>, path: &[Seg]) -> Result<Scope, Problem> {
        let Some(doc) = doc else {
            return Ok(Scope::default());
        };
        let environments = match nonempty(path, "environment", &doc.environment)? {
            None => None,
            Some(list) => {
                let mut out = Vec::new();
                for e in list {
                    let lower = e.trim().to_ascii_lowercase();
                    match CLASSES.iter().find(|(n, _)| *n == lower) {
                        Some((_, c)) => out.push(EnvPattern::Class(*c)),
                        None => out.push(EnvPattern::Name(Glob::name(e).map_err(|m| {
                            Problem::invalid(
                                key(path, "environment"),
                                format!("bad pattern `{e}` in `environment`: {m}"),
                            )
                        })?)),
                    }
                }
                Some(out)
            }
        };
        let actor_kinds = nonempty(path, "actor_kind", &doc.actor_kind)?.map(<[ActorKind]>::to_vec);
        let roles_any = nonempty(path, "roles", &doc.roles)?.map(<[String]>::to_vec);
        let roles_all = nonempty(path, "roles_all", &doc.roles_all)?.map(<[String]>::to_vec);
        let mut labels = Vec::new();
        if let Some(map) = &doc.labels {
            let lpath = key(path, "labels");
            for (name, values) in map {
                let g = globs(&lpath, name, &Some(values.clone()))?.unwrap_or_default();
                labels.push((name.clone(), g));
            }
        }
        Ok(Scope {
            environments,
            actor_kinds,
            actors: globs(path, "actor", &doc.actor)?,
            roles_any,
            roles_all,
            origins: globs(path, "origin", &doc.origin)?,
            resources: globs(path, "resource", &doc.resource)?,
            labels,
        })
    }

    /// Whether the scope has no condition.
    pub(crate) fn is_everywhere(&self) -> bool {
        self.environments.is_none()
            && self.actor_kinds.is_none()
            && self.actors.is_none()
            && self.roles_any.is_none()
            && self.roles_all.is_none()
            && self.origins.is_none()
            && self.resources.is_none()
            && self.labels.is_empty()
    }

    /// `Ok` when the context is in scope, else why not.
    pub(crate) fn check(&self, ctx: &Context) -> Result<(), String> {
        if let Some(envs) = &self.environments {
            let class = ctx.environment_class();
            let name = ctx.environment.as_deref().unwrap_or("production");
            let hit = envs.iter().any(|p| match p {
                EnvPattern::Class(c) => *c == class,
                EnvPattern::Name(g) => g.matches(name),
            });
            if !hit {
                return Err(format!("environment `{name}` is out of scope"));
            }
        }
        if let Some(kinds) = &self.actor_kinds {
            if !kinds.contains(&ctx.actor.kind) {
                return Err(format!(
                    "actor kind `{}` is out of scope",
                    ctx.actor.kind.as_str()
                ));
            }
        }
        if let Some(actors) = &self.actors {
            let id = ctx.actor.id.as_deref();
            if !id.is_some_and(|id| actors.iter().any(|g| g.matches(id))) {
                return Err(format!("actor `{}` is out of scope", id.unwrap_or("")));
            }
        }
        let holds = |r: &String| ctx.actor.roles.iter().any(|x| x.eq_ignore_ascii_case(r));
        if let Some(any) = &self.roles_any {
            if !any.iter().any(holds) {
                return Err("the actor holds none of the scope's roles".into());
            }
        }
        if let Some(all) = &self.roles_all {
            if let Some(missing) = all.iter().find(|r| !holds(r)) {
                return Err(format!("the actor does not hold role `{missing}`"));
            }
        }
        if let Some(origins) = &self.origins {
            let o = ctx.origin.as_deref();
            if !o.is_some_and(|o| origins.iter().any(|g| g.matches(o))) {
                return Err(format!("origin `{}` is out of scope", o.unwrap_or("")));
            }
        }
        if let Some(resources) = &self.resources {
            let r = ctx.resource.as_deref();
            if !r.is_some_and(|r| resources.iter().any(|g| g.matches(r))) {
                return Err(format!("resource `{}` is out of scope", r.unwrap_or("")));
            }
        }
        for (name, values) in &self.labels {
            let v = ctx.labels.get(name);
            if !v.is_some_and(|v| values.iter().any(|g| g.matches(v))) {
                return Err(format!("label `{name}` is out of scope"));
            }
        }
        Ok(())
    }

    /// Whether the context is in scope.
    pub(crate) fn matches(&self, ctx: &Context) -> bool {
        self.check(ctx).is_ok()
    }

    /// A canonical rendering, to compare scopes for contradictions.
    pub(crate) fn canonical(&self) -> String {
        let g = |v: &Option<Vec<Glob>>| {
            v.as_ref().map(|v| {
                let mut s: Vec<String> =
                    v.iter().map(|g| g.as_str().to_ascii_lowercase()).collect();
                s.sort();
                s
            })
        };
        let envs = self.environments.as_ref().map(|v| {
            let mut s: Vec<String> = v
                .iter()
                .map(|e| match e {
                    EnvPattern::Class(c) => format!("class:{}", c.as_str()),
                    EnvPattern::Name(g) => format!("name:{}", g.as_str().to_ascii_lowercase()),
                })
                .collect();
            s.sort();
            s
        });
        let kinds = self.actor_kinds.as_ref().map(|v| {
            let mut s: Vec<&str> = v.iter().map(|k| k.as_str()).collect();
            s.sort_unstable();
            s
        });
        let sorted = |v: &Option<Vec<String>>| {
            v.as_ref().map(|v| {
                let mut s: Vec<String> = v.iter().map(|x| x.to_ascii_lowercase()).collect();
                s.sort();
                s
            })
        };
        let labels: Vec<(String, Vec<String>)> = self
            .labels
            .iter()
            .map(|(k, v)| (k.clone(), v.iter().map(|g| g.as_str().to_owned()).collect()))
            .collect();
        format!(
            "{envs:?}|{kinds:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{labels:?}",
            g(&self.actors),
            sorted(&self.roles_any),
            sorted(&self.roles_all),
            g(&self.origins),
            g(&self.resources)
        )
    }
}
