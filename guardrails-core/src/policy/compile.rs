//! Compiling a document: validation, globs and regexes built once, the canonical digest.

use crate::action::Dialect;
use crate::analyze::{ToolTarget, ToolTargetKind};
use crate::rules;
use crate::verdict::{Severity, Verdict};

use super::approval::decode_hex32;
use super::catalogue::Catalogue;
use super::custom::CustomRule;
use super::document::{Extends, OverrideDoc, PolicyDocument, ToolKindDoc};
use super::err::{did_you_mean, Problem, Seg};
use super::glob::Glob;
use super::scope::Scope;
use super::Mode;

/// A compiled policy.
#[derive(Debug)]
pub(crate) struct Compiled {
    pub(crate) mode: Mode,
    pub(crate) digest: String,
    pub(crate) extends: Extends,
    pub(crate) default: Verdict,
    pub(crate) defaults: Vec<(Scope, Verdict)>,
    pub(crate) overrides: Vec<Override>,
    pub(crate) rules: Vec<CustomRule>,
    pub(crate) tools: Vec<(Vec<Glob>, ToolTarget)>,
    pub(crate) approvers: Vec<(String, [u8; 32])>,
    pub(crate) fingerprint_key: Option<[u8; 32]>,
    pub(crate) catalogue: Option<Catalogue>,
    pub(crate) document: Option<PolicyDocument>,
}

impl Compiled {
    pub(crate) fn builtin(digest: String) -> Compiled {
        Compiled {
            mode: Mode::Enforce,
            digest,
            extends: Extends::Builtin,
            default: Verdict::Allow,
            defaults: Vec::new(),
            overrides: Vec::new(),
            rules: Vec::new(),
            tools: Vec::new(),
            approvers: Vec::new(),
            fingerprint_key: None,
            catalogue: None,
            document: None,
        }
    }

    /// The tool mapping for a tool name, if the document maps it.
    pub(crate) fn tool_target(&self, name: &str) -> Option<&ToolTarget> {
        self.tools
            .iter()
            .find(|(g, _)| g.iter().any(|g| g.matches(name)))
            .map(|(_, t)| t)
    }
}

/// A change to built-in rules.
#[derive(Debug)]
pub(crate) struct Override {
    pub(crate) index: usize,
    pub(crate) rule: Glob,
    pub(crate) scope: Scope,
    pub(crate) disable: bool,
    pub(crate) verdict: Option<Verdict>,
    pub(crate) severity: Option<Severity>,
}

/// Rules that keep input the engine cannot read from running: never disabled or lowered.
pub(crate) fn is_fail_closed(rule: &str) -> bool {
    rule.ends_with(".unparseable")
        || rule.ends_with(".too-large")
        || rule.ends_with(".too-deep")
        || rule == "shell.unsupported"
        || rule == "tool.bad-arguments"
}

fn key(path: &[Seg], k: &str) -> Vec<Seg> {
    let mut p = path.to_vec();
    p.push(Seg::Key(k.to_owned()));
    p
}

fn item(section: &str, i: usize) -> Vec<Seg> {
    vec![Seg::Key(section.to_owned()), Seg::Index(i)]
}

fn catalogue_ids() -> Vec<&'static str> {
    rules::catalogue().map(|r| r.id).collect()
}

fn compile_override(i: usize, o: &OverrideDoc) -> Result<Override, Problem> {
    let path = item("builtin", i);
    let ids = catalogue_ids();
    let rule = Glob::name(&o.rule).map_err(|e| {
        Problem::invalid(
            key(&path, "rule"),
            format!("bad pattern `{}` in `rule`: {e}", o.rule),
        )
    })?;
    let covered: Vec<&str> = ids.iter().copied().filter(|id| rule.matches(id)).collect();
    if covered.is_empty() {
        let mut p = Problem::invalid(key(&path, "rule"), format!("unknown rule `{}`", o.rule));
        p = match did_you_mean(&o.rule, &ids) {
            Some(h) if h.starts_with("did") => p.with_help(h),
            _ => p.with_help("`guardrails rules` lists the built-in rules"),
        };
        return Err(p);
    }
    if o.disable && (o.verdict.is_some() || o.severity.is_some()) {
        return Err(Problem::invalid(
            key(&path, "disable"),
            format!(
                "the change to `{}` both disables the rule and sets its verdict or severity",
                o.rule
            ),
        )
        .with_help("keep `disable = true` or the new verdict, not both"));
    }
    if !o.disable && o.verdict.is_none() && o.severity.is_none() {
        return Err(
            Problem::invalid(path, format!("the change to `{}` changes nothing", o.rule))
                .with_help("set `disable`, `verdict` or `severity`"),
        );
    }
    let lowers = o.disable || o.verdict.is_some_and(|v| v != Verdict::Deny);
    if rule.is_literal() && lowers && is_fail_closed(&o.rule) {
        return Err(Problem::invalid(key(&path, if o.disable { "disable" } else { "verdict" }), format!("`{}` keeps input that cannot be read from running and cannot be disabled or lowered", o.rule))
            .with_help("a guard that cannot read a command must not let it run"));
    }
    Ok(Override {
        index: i,
        rule,
        scope: Scope::compile(o.when.as_ref(), &key(&path, "when"))?,
        disable: o.disable,
        verdict: o.verdict,
        severity: o.severity,
    })
}

fn valid_rule_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
}

/// Compiles a parsed document (examples are run apart, once the policy exists).
pub(crate) fn compile(doc: &PolicyDocument, builtin_digest: &str) -> Result<Compiled, Problem> {
    if doc.version != 1 {
        return Err(Problem::invalid(
            vec![Seg::Key("version".into())],
            format!("unsupported version `{}`", doc.version),
        )
        .with_help("this build reads `version = 1`"));
    }
    let fingerprint_key = match &doc.fingerprint_key {
        None => None,
        Some(k) => Some(decode_hex32(k).ok_or_else(|| {
            Problem::invalid(
                vec![Seg::Key("fingerprint_key".into())],
                "`fingerprint_key` is not 64 hex digits (32 bytes)",
            )
        })?),
    };
    let mut defaults = Vec::new();
    for (i, d) in doc.defaults.iter().enumerate() {
        let path = item("defaults", i);
        let scope = Scope::compile(d.when.as_ref(), &key(&path, "when"))?;
        if scope.is_everywhere() {
            return Err(Problem::invalid(
                path,
                "a scoped default without `when` applies everywhere",
            )
            .with_help("set the top-level `default` instead"));
        }
        defaults.push((scope, d.verdict));
    }
    let mut overrides: Vec<Override> = Vec::new();
    for (i, o) in doc.builtin.iter().enumerate() {
        let ov = compile_override(i, o)?;
        if let Some(prev) = overrides.iter().find(|p| {
            p.rule.as_str() == ov.rule.as_str() && p.scope.canonical() == ov.scope.canonical()
        }) {
            let same = prev.disable == ov.disable
                && prev.verdict == ov.verdict
                && prev.severity == ov.severity;
            let what = if same { "repeats" } else { "contradicts" };
            return Err(Problem::invalid(
                item("builtin", i),
                format!(
                    "the change to `{}` {what} `builtin[{}]` for the same scope",
                    o.rule, prev.index
                ),
            )
            .with_help(
                "the first change whose scope matches wins: merge them or narrow one scope",
            ));
        }
        overrides.push(ov);
    }
    let builtin_ids = catalogue_ids();
    let mut custom: Vec<CustomRule> = Vec::new();
    for (i, r) in doc.rules.iter().enumerate() {
        let path = item("rules", i);
        if !valid_rule_id(&r.id) {
            return Err(
                Problem::invalid(key(&path, "id"), format!("bad rule id `{}`", r.id))
                    .with_help("use letters, digits, `-`, `_` and `.`"),
            );
        }
        if builtin_ids.contains(&r.id.as_str()) {
            return Err(Problem::invalid(
                key(&path, "id"),
                format!("rule id `{}` is a built-in rule", r.id),
            )
            .with_help("change built-in rules in `[[builtin]]`; give this rule its own id"));
        }
        if custom.iter().any(|c| c.id == r.id) {
            return Err(Problem::invalid(
                key(&path, "id"),
                format!("rule id `{}` is used twice", r.id),
            ));
        }
        custom.push(CustomRule::compile(r, &path)?);
    }
    let mut tools = Vec::new();
    for (i, t) in doc.tools.iter().enumerate() {
        let path = item("tools", i);
        if t.name.0.is_empty() {
            return Err(Problem::invalid(
                key(&path, "name"),
                "`name` is an empty list",
            ));
        }
        let names = t
            .name
            .0
            .iter()
            .map(|n| {
                Glob::name(n).map_err(|e| {
                    Problem::invalid(
                        key(&path, "name"),
                        format!("bad pattern `{n}` in `name`: {e}"),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let kind = match t.kind {
            ToolKindDoc::Sql => ToolTargetKind::Sql,
            ToolKindDoc::Shell => ToolTargetKind::Shell,
            ToolKindDoc::Exec => ToolTargetKind::Exec,
            ToolKindDoc::None => ToolTargetKind::None,
        };
        let argument = match (&t.argument, kind) {
            (Some(a), ToolTargetKind::None) => {
                return Err(Problem::invalid(
                    key(&path, "argument"),
                    format!(
                        "a tool of kind `none` has no command argument, yet `argument = \"{a}\"`"
                    ),
                ))
            }
            (None, ToolTargetKind::None) => String::new(),
            (Some(a), _) if !a.trim().is_empty() => a.clone(),
            _ => {
                return Err(Problem::invalid(path, "missing field `argument`")
                    .with_help("say where the command is, e.g. `argument = \"query\"`"))
            }
        };
        if t.dialect.is_some() && kind != ToolTargetKind::Sql {
            return Err(Problem::invalid(
                key(&path, "dialect"),
                "`dialect` is only for tools of kind `sql`",
            ));
        }
        tools.push((
            names,
            ToolTarget {
                kind,
                argument,
                dialect: t.dialect.unwrap_or(Dialect::Generic),
            },
        ));
    }
    let mut approvers: Vec<(String, [u8; 32])> = Vec::new();
    for (i, a) in doc.approvers.iter().enumerate() {
        let path = item("approvers", i);
        if a.id.trim().is_empty() {
            return Err(Problem::invalid(
                key(&path, "id"),
                "an approver id is empty",
            ));
        }
        if approvers.iter().any(|(id, _)| *id == a.id) {
            return Err(Problem::invalid(
                key(&path, "id"),
                format!("approver `{}` is listed twice", a.id),
            ));
        }
        let k = decode_hex32(&a.key).ok_or_else(|| {
            Problem::invalid(
                key(&path, "key"),
                format!(
                    "the key of approver `{}` is not 64 hex digits (32 bytes)",
                    a.id
                ),
            )
        })?;
        approvers.push((a.id.clone(), k));
    }
    let catalogue = doc
        .catalogue
        .as_ref()
        .map(|c| Catalogue::compile(c, &[Seg::Key("catalogue".into())]))
        .transpose()?;
    Ok(Compiled {
        mode: doc.mode,
        digest: digest(doc, builtin_digest),
        extends: doc.extends,
        default: doc.default.unwrap_or(Verdict::Allow),
        defaults,
        overrides,
        rules: custom,
        tools,
        approvers,
        fingerprint_key,
        catalogue,
        document: Some(doc.clone()),
    })
}

/// BLAKE3 over the built-in policy's digest and the canonical JSON of the document, with
/// keys replaced by their own digests (so the policy digest never carries key material).
fn digest(doc: &PolicyDocument, builtin_digest: &str) -> String {
    let mut canonical = doc.clone();
    let hide = |k: &str| {
        blake3::derive_key(
            "access-guardrails 2026 policy key id v1",
            k.trim().to_ascii_lowercase().as_bytes(),
        )
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>()
    };
    if let Some(k) = &canonical.fingerprint_key {
        canonical.fingerprint_key = Some(hide(k));
    }
    for a in &mut canonical.approvers {
        a.key = hide(&a.key);
    }
    let json = serde_json::to_string(&canonical).unwrap_or_default();
    let mut h = blake3::Hasher::new_derive_key("access-guardrails 2026 policy digest v1");
    h.update(b"document\0");
    h.update(builtin_digest.as_bytes());
    h.update(b"\0");
    h.update(json.as_bytes());
    h.finalize().to_hex().to_string()
}
