//! The sensitive data catalogue of a document, compiled: which tables and columns carry which
//! tags, and who is exempt. Used by `sql.sensitive-bulk-read` and exposed for masking.

use crate::context::Context;
use crate::finding::{Detection, Grade};
use crate::intent::{Access, Filter, Intent, StatementIntent};

use super::custom::object_matches;
use super::document::{CatalogueDoc, OneOrMany};
use super::err::{did_you_mean, Problem, Seg};
use super::glob::Glob;

/// Masking strategies a tag can name.
pub(crate) const STRATEGIES: &[&str] = &[
    "redact",
    "partial",
    "hash",
    "null",
    "format-preserving",
    "fixed",
];

/// Reads bounded by a `LIMIT` at most this are not bulk reads.
const BULK_LIMIT: u64 = 1000;

const AGGREGATES: &[&str] = &[
    "count",
    "sum",
    "avg",
    "min",
    "max",
    "count_big",
    "approx_count_distinct",
];

#[derive(Clone, Debug)]
struct Entry {
    table: Glob,
    columns: Vec<Glob>,
    tags: Vec<String>,
}

#[derive(Clone, Debug)]
struct Exemption {
    tags: Vec<Glob>,
    roles: Vec<String>,
    actors: Vec<Glob>,
}

/// A compiled catalogue.
#[derive(Clone, Debug)]
pub(crate) struct Catalogue {
    pub(crate) doc: CatalogueDoc,
    entries: Vec<Entry>,
    exemptions: Vec<Exemption>,
    /// The same catalogue for the masking engine (declared: probes are review).
    pub(crate) mask: crate::mask::Catalogue,
}

/// The document's catalogue as the masking engine reads it: `table.column` globs per tag, the
/// strategies per tag, the exemptions, on top of the built-in column names.
fn mask_catalogue(doc: &CatalogueDoc) -> crate::mask::Catalogue {
    let mut columns = Vec::new();
    for e in &doc.data {
        for tag in &e.tags.0 {
            columns.push(crate::mask::ColumnRule {
                patterns: e
                    .columns
                    .0
                    .iter()
                    .map(|c| format!("{}.{c}", e.table))
                    .collect(),
                tag: tag.clone(),
            });
        }
    }
    let mut mask = crate::mask::Catalogue::builtin().clone();
    // The built-in column names stay in force (`include_builtin`) after the document's own.
    mask.columns = columns;
    mask.include_builtin = true;
    for (tag, strategy) in &doc.strategies {
        if let Ok(s) = crate::mask::Strategy::parse(strategy) {
            mask.strategies.insert(tag.clone(), s);
        }
    }
    for x in &doc.exemptions {
        mask.exempt.push(crate::mask::Exemption {
            actors: x.actors.as_ref().map(|a| a.0.clone()).unwrap_or_default(),
            roles: x.roles.as_ref().map(|r| r.0.clone()).unwrap_or_default(),
            tags: x.tags.0.clone(),
        });
    }
    mask.explicit()
}

fn at(path: &[Seg], segs: &[Seg]) -> Vec<Seg> {
    let mut p = path.to_vec();
    p.extend_from_slice(segs);
    p
}

fn k(s: &str) -> Seg {
    Seg::Key(s.to_owned())
}

fn glob_list(path: &[Seg], field: &str, v: &OneOrMany<String>) -> Result<Vec<Glob>, Problem> {
    if v.0.is_empty() {
        return Err(Problem::invalid(
            at(path, &[k(field)]),
            format!("`{field}` is an empty list"),
        ));
    }
    v.0.iter()
        .map(|p| {
            Glob::name(p).map_err(|e| {
                Problem::invalid(
                    at(path, &[k(field)]),
                    format!("bad pattern `{p}` in `{field}`: {e}"),
                )
            })
        })
        .collect()
}

fn valid_tag(t: &str) -> bool {
    !t.is_empty()
        && t.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
}

impl Catalogue {
    pub(crate) fn compile(doc: &CatalogueDoc, path: &[Seg]) -> Result<Catalogue, Problem> {
        let mut entries = Vec::new();
        for (i, e) in doc.data.iter().enumerate() {
            let p = at(path, &[k("data"), Seg::Index(i)]);
            let table = Glob::name(&e.table).map_err(|m| {
                Problem::invalid(
                    at(&p, &[k("table")]),
                    format!("bad pattern `{}` in `table`: {m}", e.table),
                )
            })?;
            let columns = glob_list(&p, "columns", &e.columns)?;
            if e.tags.0.is_empty() {
                return Err(Problem::invalid(
                    at(&p, &[k("tags")]),
                    format!("table `{}` has no tags", e.table),
                ));
            }
            if let Some(bad) = e.tags.0.iter().find(|t| !valid_tag(t)) {
                return Err(
                    Problem::invalid(at(&p, &[k("tags")]), format!("bad tag `{bad}`"))
                        .with_help("tags are lowercase words joined by `.`, e.g. `pii.email`"),
                );
            }
            entries.push(Entry {
                table,
                columns,
                tags: e.tags.0.clone(),
            });
        }
        for (tag, strategy) in &doc.strategies {
            let p = at(path, &[k("strategies"), k(tag)]);
            if !valid_tag(tag) {
                return Err(Problem::invalid(p, format!("bad tag `{tag}`"))
                    .with_help("tags are lowercase words joined by `.`, e.g. `pii.email`"));
            }
            if !STRATEGIES.contains(&strategy.as_str()) {
                let mut pr = Problem::invalid(
                    p,
                    format!("unknown masking strategy `{strategy}` for tag `{tag}`"),
                );
                if let Some(h) = did_you_mean(strategy, STRATEGIES) {
                    pr = pr.with_help(h);
                }
                return Err(pr);
            }
        }
        let mut exemptions = Vec::new();
        for (i, x) in doc.exemptions.iter().enumerate() {
            let p = at(path, &[k("exemptions"), Seg::Index(i)]);
            if x.roles.is_none() && x.actors.is_none() {
                return Err(
                    Problem::invalid(p, "an exemption names neither `roles` nor `actors`")
                        .with_help(
                            "an exemption for everyone is no catalogue: remove the tags instead",
                        ),
                );
            }
            let roles = match &x.roles {
                Some(r) if r.0.is_empty() => {
                    return Err(Problem::invalid(
                        at(&p, &[k("roles")]),
                        "`roles` is an empty list",
                    ))
                }
                Some(r) => r.0.clone(),
                None => Vec::new(),
            };
            let actors = match &x.actors {
                Some(a) => glob_list(&p, "actors", a)?,
                None => Vec::new(),
            };
            exemptions.push(Exemption {
                tags: glob_list(&p, "tags", &x.tags)?,
                roles,
                actors,
            });
        }
        Ok(Catalogue {
            doc: doc.clone(),
            entries,
            exemptions,
            mask: mask_catalogue(doc),
        })
    }

    /// Tags of a `table.column` source.
    fn column_tags(&self, table: &str, column: &str) -> Vec<&str> {
        self.entries
            .iter()
            .filter(|e| {
                object_matches(&e.table, table)
                    && (column == "*" || e.columns.iter().any(|c| c.matches(column)))
            })
            .flat_map(|e| e.tags.iter().map(String::as_str))
            .collect()
    }

    /// Tags of a whole table: entries that cover every column.
    fn table_tags(&self, table: &str) -> Vec<&str> {
        self.entries
            .iter()
            .filter(|e| {
                object_matches(&e.table, table) && e.columns.iter().any(|c| c.as_str() == "*")
            })
            .flat_map(|e| e.tags.iter().map(String::as_str))
            .collect()
    }

    fn exempt(&self, tag: &str, ctx: &Context) -> bool {
        self.exemptions.iter().any(|x| {
            x.tags.iter().any(|g| g.matches(tag))
                && (x
                    .roles
                    .iter()
                    .any(|r| ctx.actor.roles.iter().any(|h| h.eq_ignore_ascii_case(r)))
                    || ctx
                        .actor
                        .id
                        .as_deref()
                        .is_some_and(|id| x.actors.iter().any(|g| g.matches(id))))
        })
    }

    /// Whether every table statement `index` reads is in the catalogue: then the catalogue,
    /// not the built-in guess from table names, says what is sensitive there.
    pub(crate) fn covers(&self, intent: &Intent, index: usize) -> bool {
        let Some(st) = intent.statements.iter().find(|s| s.index == index) else {
            return false;
        };
        // Without column lineage only whole-table entries can be judged.
        let lineage = !st.outputs.is_empty();
        let mut reads = st
            .objects
            .iter()
            .filter(|o| o.access == Access::Read)
            .peekable();
        reads.peek().is_some()
            && reads.all(|o| {
                if lineage {
                    self.entries
                        .iter()
                        .any(|e| object_matches(&e.table, &o.name))
                } else {
                    !self.table_tags(&o.name).is_empty()
                }
            })
    }

    /// `sql.sensitive-bulk-read` detections for unbounded reads of catalogued data.
    pub(crate) fn detections(&self, intent: &Intent, ctx: &Context) -> Vec<Detection> {
        let mut out = Vec::new();
        for st in &intent.statements {
            self.statement(st, st.index, ctx, &mut out);
        }
        out
    }

    fn statement(
        &self,
        st: &StatementIntent,
        index: usize,
        ctx: &Context,
        out: &mut Vec<Detection>,
    ) {
        for n in &st.nested {
            self.statement(n, index, ctx, out);
        }
        if st.kind != "select"
            || st.limit.is_some_and(|n| n <= BULK_LIMIT)
            || matches!(st.filter, Some(Filter::Key | Filter::Nothing))
        {
            return;
        }
        let mut exposed: Vec<(String, &str)> = Vec::new();
        if st.outputs.is_empty() {
            // No column lineage: judge by the tables read, unless every output is an aggregate.
            let aggregate_only = !st.functions.is_empty()
                && st
                    .functions
                    .iter()
                    .all(|f| AGGREGATES.contains(&f.as_str()));
            if !aggregate_only {
                for o in st.objects.iter().filter(|o| o.access == Access::Read) {
                    exposed.extend(
                        self.table_tags(&o.name)
                            .into_iter()
                            .map(|t| (o.name.clone(), t)),
                    );
                }
            }
        } else {
            for o in &st.outputs {
                for src in &o.sources {
                    // A wildcard output's source is the table itself (`t.*`).
                    let (table, column) = if o.wildcard {
                        (src.as_str(), "*")
                    } else {
                        src.rsplit_once('.').unwrap_or(("", src.as_str()))
                    };
                    exposed.extend(
                        self.column_tags(table, column)
                            .into_iter()
                            .map(|t| (src.clone(), t)),
                    );
                }
            }
        }
        exposed.retain(|(_, tag)| !self.exempt(tag, ctx));
        if exposed.is_empty() {
            return;
        }
        let mut tags: Vec<&str> = exposed.iter().map(|(_, t)| *t).collect();
        tags.sort_unstable();
        tags.dedup();
        let mut what: Vec<&str> = exposed.iter().map(|(w, _)| w.as_str()).collect();
        what.sort_unstable();
        what.dedup();
        let bound = st
            .limit
            .map(|n| format!(" (limit {n} is over {BULK_LIMIT})"))
            .unwrap_or_default();
        out.push(
            Detection::new(
                "sql.sensitive-bulk-read",
                Grade::Review,
                format!(
                    "unbounded read of `{}`, catalogued as `{}`{bound}",
                    what.join("`, `"),
                    tags.join("`, `")
                ),
            )
            .at(index, Some(st.span)),
        );
    }
}
