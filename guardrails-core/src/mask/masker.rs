//! The masker: applies a decision's masks to result rows and JSON, and the value detectors to
//! text.

use std::sync::Arc;

use serde_json::Value;

use super::catalogue::Catalogue;
use super::detect::{detect, Match};
use super::strategy::{parse_key, Strategy};
use crate::decision::Decision;
use crate::policy::Policy;

/// A column the masker masks.
#[derive(Clone, Debug)]
struct ColumnMask {
    position: Option<usize>,
    name: String,
    strategy: Strategy,
    label: String,
}

/// Masks result rows, JSON values and text. Built from a decision (its masks) and a catalogue
/// (strategies, hash key, column names); immutable and cheap to clone.
///
/// ```
/// use guardrails_core::{Action, Context, Dialect, Policy};
/// use serde_json::json;
/// let policy = Policy::builtin();
/// let d = policy.evaluate(&Action::sql(Dialect::Postgres, "SELECT id, lower(email) AS e FROM users WHERE id = $1"), &Context::default());
/// let masker = policy.masker(&d);
/// assert_eq!(masker.mask_row(&["id", "e"], &[json!(7), json!("bob@example.com")]), vec![json!(7), json!("[email]")]);
/// assert_eq!(masker.mask_text("call +1 415 555 0100"), "call [phone]");
/// ```
#[derive(Clone, Debug)]
pub struct Masker {
    catalogue: Arc<Catalogue>,
    columns: Vec<ColumnMask>,
    /// Output columns the actor is exempt from (lower-case): never masked by name either.
    exempt: Vec<String>,
    key: [u8; 32],
    detect_values: bool,
    strategy: Option<Strategy>,
}

impl Default for Masker {
    /// A masker without column masks: the built-in catalogue's detectors and column names.
    fn default() -> Self {
        Masker::from_catalogue(Catalogue::builtin().clone())
    }
}

impl Policy {
    /// The masker for a decision this policy made: its masks, the policy's catalogue (the
    /// document's, or the built-in one) and a hash key derived from the policy digest unless the
    /// catalogue names one.
    ///
    /// ```
    /// use guardrails_core::{Action, Context, Dialect, Policy};
    /// use serde_json::json;
    /// let p = Policy::builtin();
    /// let d = p.evaluate(&Action::sql(Dialect::Postgres, "SELECT ssn FROM users WHERE id = $1"), &Context::default());
    /// assert_eq!(p.masker(&d).mask_row(&["ssn"], &[json!("536-22-1234")]), vec![json!("[ssn]")]);
    /// ```
    pub fn masker(&self, decision: &Decision) -> Masker {
        Masker::new(decision, self.mask_catalogue())
    }
}

impl Masker {
    /// A masker for a decision's masks under a catalogue.
    pub fn new(decision: &Decision, catalogue: &Catalogue) -> Masker {
        let mut m = Masker::from_catalogue(catalogue.clone());
        if catalogue.hash_key.is_none() {
            m.key = blake3::derive_key(
                "access-guardrails 2026 mask hash key v1",
                decision.policy_digest.as_bytes(),
            );
        }
        m.exempt = decision
            .masks
            .iter()
            .filter(|x| x.exempt.is_some())
            .map(|x| x.output.to_ascii_lowercase())
            .collect();
        for mask in decision.masks.iter().filter(|m| m.exempt.is_none()) {
            let tag = mask.tag.clone().unwrap_or_default();
            let strategy = if tag.is_empty() {
                Strategy::parse(&mask.strategy).unwrap_or_default()
            } else {
                catalogue.strategy_for(&tag)
            };
            m.columns.push(ColumnMask {
                position: (!mask.by_name).then_some(mask.position),
                name: mask.output.to_ascii_lowercase(),
                strategy,
                label: label_of(&tag, &mask.output),
            });
        }
        m
    }

    /// A masker with no column masks: detectors and the catalogue's column names only.
    ///
    /// ```
    /// use guardrails_core::mask::{Catalogue, Masker};
    /// let m = Masker::from_catalogue(Catalogue::builtin().clone());
    /// assert_eq!(m.mask_text("key AKIAIOSFODNN7EXAMPLE"), "key [aws-access-key-id]");
    /// ```
    pub fn from_catalogue(catalogue: Catalogue) -> Masker {
        let key = catalogue
            .hash_key
            .as_deref()
            .and_then(|k| parse_key(k).ok())
            .unwrap_or_else(|| {
                blake3::derive_key("access-guardrails 2026 mask hash key v1", b"builtin")
            });
        Masker {
            catalogue: Arc::new(catalogue),
            columns: Vec::new(),
            exempt: Vec::new(),
            key,
            detect_values: false,
            strategy: None,
        }
    }

    /// Uses this key for `hash` and `format-preserving`.
    #[must_use]
    pub fn with_key(mut self, key: [u8; 32]) -> Masker {
        self.key = key;
        self
    }

    /// Uses one strategy for every value, whatever the catalogue says.
    ///
    /// ```
    /// use guardrails_core::mask::{Masker, Strategy};
    /// let m = Masker::default().with_strategy(Strategy::Partial { keep_first: 0, keep_last: 4 });
    /// assert_eq!(m.mask_text("card 4111-1111-1111-1111"), "card ****-****-****-1111");
    /// ```
    #[must_use]
    pub fn with_strategy(mut self, strategy: Strategy) -> Masker {
        for c in &mut self.columns {
            c.strategy = strategy.clone();
        }
        self.strategy = Some(strategy);
        self
    }

    /// Also runs the value detectors on string cells of columns no mask names.
    ///
    /// ```
    /// use guardrails_core::mask::Masker;
    /// use serde_json::json;
    /// let m = Masker::default().detect_values(true);
    /// assert_eq!(m.mask_row(&["note"], &[json!("from bob@example.com")]), vec![json!("from [email]")]);
    /// assert_eq!(Masker::default().mask_row(&["note"], &[json!("from bob@example.com")]), vec![json!("from bob@example.com")]);
    /// ```
    #[must_use]
    pub fn detect_values(mut self, on: bool) -> Masker {
        self.detect_values = on;
        self
    }

    /// The number of column masks in force.
    pub fn column_masks(&self) -> usize {
        self.columns.len()
    }

    fn strategy_of(&self, tag: &str) -> Strategy {
        self.strategy
            .clone()
            .unwrap_or_else(|| self.catalogue.strategy_for(tag))
    }

    /// Masks one detected value.
    pub(crate) fn replace(&self, m: &Match, value: &str) -> String {
        self.strategy_of(m.kind.tag())
            .apply(value, m.kind.as_str(), &self.key)
            .unwrap_or_default()
    }

    /// Writes `text[from..to]` to `out` with the given matches (sorted, inside the range)
    /// masked.
    pub(crate) fn write_masked(
        &self,
        text: &str,
        from: usize,
        to: usize,
        matches: &[Match],
        out: &mut String,
    ) {
        let mut pos = from;
        for m in matches {
            let (s, e) = (m.span.0.max(from), m.span.1.min(to));
            if s < pos || e <= s {
                continue;
            }
            out.push_str(text.get(pos..s).unwrap_or(""));
            out.push_str(&self.replace(m, text.get(s..e).unwrap_or("")));
            pos = e;
        }
        out.push_str(text.get(pos..to).unwrap_or(""));
    }

    /// Masks every detected value in text.
    ///
    /// ```
    /// use guardrails_core::mask::Masker;
    /// let m = Masker::default();
    /// assert_eq!(m.mask_text("ssn 536-22-1234, ref 123-45-678"), "ssn [ssn], ref 123-45-678");
    /// ```
    pub fn mask_text(&self, text: &str) -> String {
        let matches = detect(text);
        if matches.is_empty() {
            return text.to_owned();
        }
        let mut out = String::with_capacity(text.len());
        self.write_masked(text, 0, text.len(), &matches, &mut out);
        out
    }

    /// Masks a JSON value: object members named by a mask or the catalogue are masked whole,
    /// every other string goes through the detectors.
    ///
    /// ```
    /// use guardrails_core::mask::Masker;
    /// use serde_json::json;
    /// let v = json!({"user": {"email": "bob@example.com", "note": "card 4111111111111111"}, "n": 3});
    /// assert_eq!(Masker::default().mask_json(&v), json!({"user": {"email": "[email]", "note": "card [card]"}, "n": 3}));
    /// ```
    pub fn mask_json(&self, value: &Value) -> Value {
        match value {
            Value::String(s) => Value::String(self.mask_text(s)),
            Value::Number(n) => {
                let s = n.to_string();
                match detect(&s).first() {
                    Some(m) if m.span == (0, s.len()) => Value::String(self.replace(m, &s)),
                    _ => value.clone(),
                }
            }
            Value::Array(items) => Value::Array(items.iter().map(|v| self.mask_json(v)).collect()),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| {
                        let masked = match self.by_name(k) {
                            Some((strategy, label)) => mask_whole(v, &strategy, &label, &self.key),
                            None => self.mask_json(v),
                        };
                        (k.clone(), masked)
                    })
                    .collect(),
            ),
            Value::Bool(_) | Value::Null => value.clone(),
        }
    }

    /// The strategy and label for a column known by name: a mask naming it, or a catalogue
    /// rule.
    fn by_name(&self, name: &str) -> Option<(Strategy, String)> {
        if let Some(c) = self
            .columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
        {
            return Some((c.strategy.clone(), c.label.clone()));
        }
        if self.exempt.iter().any(|e| e.eq_ignore_ascii_case(name)) {
            return None;
        }
        let tag = self.catalogue.tag_of_name(name)?;
        Some((self.strategy_of(tag), label_of(tag, name)))
    }

    /// Masks one result row. `columns` are the result's column names in order; cells of
    /// masked columns are masked by position (by name for columns of a `SELECT *`), columns
    /// the catalogue names are masked by name, and with [`Masker::detect_values`] the other
    /// string cells go through the detectors.
    ///
    /// ```
    /// use guardrails_core::{Action, Context, Dialect, Policy};
    /// use serde_json::json;
    /// let p = Policy::builtin();
    /// let d = p.evaluate(&Action::sql(Dialect::Postgres, "SELECT * FROM customers WHERE id = $1"), &Context::default());
    /// let row = p.masker(&d).mask_row(&["id", "name", "phone"], &[json!(1), json!("Ann"), json!("+44 20 7946 0958")]);
    /// assert_eq!(row, vec![json!(1), json!("Ann"), json!("[phone]")]);
    /// ```
    pub fn mask_row<S: AsRef<str>>(&self, columns: &[S], values: &[Value]) -> Vec<Value> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let name = columns.get(i).map(AsRef::as_ref).unwrap_or("");
                let positional = self.columns.iter().find(|c| {
                    c.position == Some(i)
                        && (name.is_empty()
                            || c.name.eq_ignore_ascii_case(name)
                            || !self.named_elsewhere(&c.name, columns))
                });
                if let Some(c) = positional {
                    return mask_whole(v, &c.strategy, &c.label, &self.key);
                }
                if let Some((strategy, label)) =
                    (!name.is_empty()).then(|| self.by_name(name)).flatten()
                {
                    return mask_whole(v, &strategy, &label, &self.key);
                }
                if self.detect_values {
                    return self.mask_json(v);
                }
                v.clone()
            })
            .collect()
    }

    /// Whether a mask's output name appears among the columns (then it is matched there, not
    /// by its position).
    fn named_elsewhere<S: AsRef<str>>(&self, name: &str, columns: &[S]) -> bool {
        columns
            .iter()
            .any(|c| c.as_ref().eq_ignore_ascii_case(name))
    }
}

/// The placeholder label of a tag: its last part (`pii.email` → `email`), or the column name.
fn label_of(tag: &str, column: &str) -> String {
    match tag.rsplit('.').next() {
        Some(l) if !l.is_empty() => l.to_owned(),
        _ => column.to_ascii_lowercase(),
    }
}

/// Masks a cell whole: strings and numbers are replaced, arrays and objects masked leaf by leaf,
/// `null` and booleans kept.
fn mask_whole(v: &Value, strategy: &Strategy, label: &str, key: &[u8; 32]) -> Value {
    let one = |s: &str| {
        strategy
            .apply(s, label, key)
            .map_or(Value::Null, Value::String)
    };
    match v {
        Value::String(s) => one(s),
        Value::Number(n) => one(&n.to_string()),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|x| mask_whole(x, strategy, label, key))
                .collect(),
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, x)| (k.clone(), mask_whole(x, strategy, label, key)))
                .collect(),
        ),
        Value::Bool(_) | Value::Null => v.clone(),
    }
}
