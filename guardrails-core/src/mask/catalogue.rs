//! The sensitive-data catalogue: which columns hold what (tags), how each tag is masked, which
//! views derive from which columns, and who is exempt.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::err::{CatalogueError, MaskError};
use super::strategy::Strategy;
use crate::context::Context;

/// A sensitive-data catalogue. Policy documents carry one (section `catalogue`); without one
/// the built-in catalogue of common column names applies.
///
/// ```
/// use guardrails_core::mask::Catalogue;
/// let c = Catalogue::from_json(r#"{
///     "columns": [{"match": ["billing.customers.tax_ref", "*.iban"], "tag": "pii.tax"}],
///     "strategies": {"pii.tax": {"kind": "partial", "keep_last": 2}},
///     "exempt": [{"roles": ["dpo"]}]
/// }"#)?;
/// assert_eq!(c.tag_of("customers.tax_ref"), Some("pii.tax"));
/// assert_eq!(c.tag_of("customers.name"), None);
/// assert!(c.is_explicit());
/// assert!(!Catalogue::builtin().is_explicit());
/// # Ok::<(), guardrails_core::mask::MaskError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub struct Catalogue {
    /// Column rules, first match wins.
    #[serde(default)]
    pub columns: Vec<ColumnRule>,
    /// Strategy per tag; a key names a tag (`pii.email`) or a family (`pii`), `*` is the default.
    /// Tags without an entry are redacted.
    #[serde(default)]
    pub strategies: BTreeMap<String, Strategy>,
    /// Views and the source columns their columns derive from.
    #[serde(default)]
    pub views: Vec<View>,
    /// Actors and roles that see unmasked values.
    #[serde(default)]
    pub exempt: Vec<Exemption>,
    /// Key of the `hash` strategy: 64 hexadecimal characters. Without one, a key derived from
    /// the policy digest is used (stable, but not secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash_key: Option<String>,
    /// Whether the built-in column names stay in force under this catalogue's own rules.
    #[serde(default = "yes")]
    pub include_builtin: bool,
    /// Whether this catalogue was declared by a policy or caller (probes become review) rather
    /// than being the built-in one.
    #[serde(skip, default = "yes")]
    explicit: bool,
}

fn yes() -> bool {
    true
}

/// Columns that hold one kind of sensitive data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ColumnRule {
    /// Globs over `table.column` (`users.email`, `*.ssn`, `hr.*.salary`); a glob without a dot
    /// matches the column name in any table (`*_email`). Case-insensitive; `*` matches any run.
    #[serde(rename = "match")]
    pub patterns: Vec<String>,
    /// The tag (`pii.email`, `pci.pan`, `secret`).
    pub tag: String,
}

/// A view whose columns derive from source columns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct View {
    /// The view's name (`active_users`, `reporting.active_users`).
    pub name: String,
    /// Column name → the source columns it derives from (`users.email`).
    pub columns: BTreeMap<String, Vec<String>>,
}

/// Who sees unmasked values.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Exemption {
    /// Actor ids.
    #[serde(default)]
    pub actors: Vec<String>,
    /// Roles; an actor holding any of them is exempt.
    #[serde(default)]
    pub roles: Vec<String>,
    /// Tag globs the exemption covers (`pii.*`); empty covers every tag.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// Case-insensitive glob match where `*` matches any run of bytes. Linear-time (greedy with
/// one backtrack point).
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some(b'*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if t.get(ti).is_some_and(|x| x.eq_ignore_ascii_case(&c)) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|&c| c == b'*'))
}

/// Whether a `table.column` glob matches a source column: the parts are compared from the
/// end (`users.email` matches `public.users.email`); a schema the query leaves out matches
/// (`billing.customers.tax_ref` matches `customers.tax_ref`: the catalogue errs on the side of
/// masking). A pattern without a dot names a column of any table.
pub(crate) fn column_glob(pattern: &str, source: &str) -> bool {
    // No allocation: this runs for every catalogue pattern and every output column.
    if pattern.contains('.') && !source.contains('.') {
        return false;
    }
    pattern
        .rsplit('.')
        .zip(source.rsplit('.'))
        .all(|(p, s)| glob(p, s))
}

const BUILTIN: &[(&str, &[&str])] = &[
    (
        "pii.email",
        &[
            "email",
            "*_email",
            "email_*",
            "e_mail",
            "emailaddress",
            "mail",
        ],
    ),
    (
        "secret",
        &[
            "password",
            "*_password",
            "password_*",
            "passwd",
            "pwd",
            "*passphrase*",
            "secret",
            "*_secret",
            "secret_*",
            "token",
            "*_token",
            "token_*",
            "api_key",
            "*_api_key",
            "apikey",
            "private_key",
            "*_private_key",
            "access_key",
            "secret_key",
            "rolpassword",
            "authentication_string",
        ],
    ),
    (
        "pci.pan",
        &[
            "pan",
            "card_number",
            "cardnumber",
            "*_card_number",
            "cc_number",
            "ccnum",
            "cc_num",
            "card_no",
            "card_num",
            "credit_card",
            "credit_card_number",
        ],
    ),
    (
        "pci.cvv",
        &[
            "cvv",
            "cvv2",
            "cvc",
            "card_cvv",
            "card_cvc",
            "security_code",
        ],
    ),
    (
        "pii.ssn",
        &[
            "ssn",
            "*_ssn",
            "social_security_number",
            "social_security_no",
            "national_id",
            "tax_id",
            "tin",
            "nino",
            "sin",
        ],
    ),
    (
        "pii.phone",
        &[
            "phone",
            "*_phone",
            "phone_*",
            "mobile",
            "*_mobile",
            "mobile_*",
            "telephone",
            "tel",
            "msisdn",
            "fax",
        ],
    ),
    (
        "pii.iban",
        &[
            "iban",
            "*_iban",
            "bank_account",
            "bank_account_number",
            "account_number",
        ],
    ),
    (
        "pii.dob",
        &[
            "dob",
            "*_dob",
            "date_of_birth",
            "birth_date",
            "birthdate",
            "birthday",
        ],
    ),
    (
        "pii.ip",
        &[
            "ip",
            "ip_address",
            "ipaddr",
            "*_ip",
            "remote_addr",
            "client_ip",
        ],
    ),
    (
        "pii.address",
        &[
            "address",
            "*_address",
            "address_*",
            "street",
            "street_address",
            "home_address",
        ],
    ),
    (
        "pii.passport",
        &[
            "passport",
            "passport_number",
            "passport_no",
            "drivers_license",
            "driver_license_number",
        ],
    ),
];

/// One built-in pattern that is not a plain name, sorted into the cheapest test that agrees
/// with [`glob`].
#[derive(Clone, Copy)]
enum Wild {
    /// `name_*`
    Prefix(&'static str),
    /// `*_name`
    Suffix(&'static str),
    /// Anything else (`*passphrase*`).
    Glob(&'static str),
}

/// A small multiplicative hash for the compiled catalogue's short, fixed keys (column names are
/// looked up on every query; the default `SipHash` costs more than the rest of the lookup).
#[derive(Clone, Copy, Debug, Default)]
struct NameHasher(u64);

impl std::hash::Hasher for NameHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type NameHash = std::hash::BuildHasherDefault<NameHasher>;

/// The built-in catalogue compiled once: plain names in a map (lower-case name → index of the
/// first rule naming it), the few wildcard patterns in a list, first rule still winning.
struct BuiltinMatcher {
    exact: std::collections::HashMap<&'static str, usize, NameHash>,
    /// Rule index, the bytes a name needs to match (see [`byte_set`]), the pattern.
    wild: Vec<(usize, u64, Wild)>,
    /// The [`byte_set`] bit most wildcard patterns need (`_` for the built-in ones).
    pivot: u64,
    /// The wildcard patterns that do not need the pivot, in order: all a name without it
    /// can match.
    without_pivot: Vec<(usize, u64, Wild)>,
}

/// The [`byte_set`] bit the most patterns need (none when there are no patterns).
fn most_needed_bit(wild: &[(usize, u64, Wild)]) -> u64 {
    (0..64)
        .map(|bit| 1u64 << bit)
        .max_by_key(|&b| wild.iter().filter(|(_, needs, _)| needs & b != 0).count())
        .filter(|&b| wild.iter().any(|(_, needs, _)| needs & b != 0))
        .unwrap_or(0)
}

/// The set of bytes of `s` ignoring ASCII case, folded into 64 bits (bit `lower(b) % 64`). A
/// name can match a pattern only if its set holds every bit of the pattern's literal bytes:
/// one test that turns most names away before any comparison.
fn byte_set(s: &[u8]) -> u64 {
    s.iter()
        .filter(|&&b| b != b'*')
        .fold(0, |set, b| set | 1 << (b.to_ascii_lowercase() % 64))
}

impl BuiltinMatcher {
    fn get() -> &'static BuiltinMatcher {
        static CELL: OnceLock<BuiltinMatcher> = OnceLock::new();
        CELL.get_or_init(|| {
            let mut exact = std::collections::HashMap::default();
            let mut wild = Vec::new();
            for (n, (_, pats)) in BUILTIN.iter().enumerate() {
                for p in pats.iter().copied() {
                    let stars = p.bytes().filter(|&c| c == b'*').count();
                    let needs = byte_set(p.as_bytes());
                    if stars == 0 && p.bytes().all(|c| !c.is_ascii_uppercase()) {
                        exact.entry(p).or_insert(n);
                    } else if stars == 1 && p.ends_with('*') {
                        wild.push((n, needs, Wild::Prefix(p.trim_end_matches('*'))));
                    } else if stars == 1 && p.starts_with('*') {
                        wild.push((n, needs, Wild::Suffix(p.trim_start_matches('*'))));
                    } else {
                        wild.push((n, needs, Wild::Glob(p)));
                    }
                }
            }
            let pivot = most_needed_bit(&wild);
            let without_pivot = wild
                .iter()
                .filter(|(_, needs, _)| needs & pivot == 0)
                .copied()
                .collect();
            BuiltinMatcher {
                exact,
                wild,
                pivot,
                without_pivot,
            }
        })
    }

    /// The tag of the first built-in rule with a pattern matching `name` (as [`glob`] would).
    fn find(&self, name: &str) -> Option<&'static str> {
        let exact = if name.bytes().any(|c| c.is_ascii_uppercase()) {
            self.exact.get(name.to_ascii_lowercase().as_str()).copied()
        } else {
            self.exact.get(name).copied()
        };
        let b = name.as_bytes();
        let has = byte_set(b);
        let candidates = if has & self.pivot == 0 {
            &self.without_pivot
        } else {
            &self.wild
        };
        let wild = candidates
            .iter()
            .take_while(|(n, _, _)| exact.is_none_or(|e| *n < e))
            .filter(|(_, needs, _)| has & needs == *needs)
            .find(|(_, _, w)| match w {
                Wild::Prefix(p) => b
                    .get(..p.len())
                    .is_some_and(|h| h.eq_ignore_ascii_case(p.as_bytes())),
                Wild::Suffix(p) => b
                    .len()
                    .checked_sub(p.len())
                    .and_then(|at| b.get(at..))
                    .is_some_and(|t| t.eq_ignore_ascii_case(p.as_bytes())),
                Wild::Glob(p) => glob(p, name),
            })
            .map(|(n, _, _)| *n);
        let n = match (exact, wild) {
            (_, Some(w)) => w,
            (Some(e), None) => e,
            (None, None) => return None,
        };
        BUILTIN.get(n).map(|(tag, _)| *tag)
    }
}

impl Default for Catalogue {
    fn default() -> Self {
        Catalogue {
            columns: Vec::new(),
            strategies: BTreeMap::new(),
            views: Vec::new(),
            exempt: Vec::new(),
            hash_key: None,
            include_builtin: true,
            explicit: true,
        }
    }
}

impl Catalogue {
    /// The built-in catalogue: common sensitive column names (email, phone, ssn, card/pan,
    /// password/secret/token, iban, dob, address, ip, passport), all redacted.
    ///
    /// ```
    /// let c = guardrails_core::mask::Catalogue::builtin();
    /// assert_eq!(c.tag_of("users.email"), Some("pii.email"));
    /// assert_eq!(c.tag_of("billing.customers.card_number"), Some("pci.pan"));
    /// assert_eq!(c.tag_of("users.name"), None);
    /// ```
    pub fn builtin() -> &'static Catalogue {
        static CELL: OnceLock<Arc<Catalogue>> = OnceLock::new();
        CELL.get_or_init(|| Arc::new(Catalogue::builtin_owned()))
    }

    fn builtin_owned() -> Catalogue {
        Catalogue {
            columns: BUILTIN
                .iter()
                .map(|(tag, pats)| ColumnRule {
                    patterns: pats.iter().map(|p| (*p).to_owned()).collect(),
                    tag: (*tag).to_owned(),
                })
                .collect(),
            include_builtin: false,
            explicit: false,
            ..Catalogue::default()
        }
    }

    /// Parses a catalogue from JSON and validates it.
    ///
    /// ```
    /// use guardrails_core::mask::Catalogue;
    /// let err = Catalogue::from_json(r#"{"columns":[{"match":[],"tag":"pii.x"}]}"#).unwrap_err();
    /// assert_eq!(err.to_string(), "invalid catalogue: columns[0].match: a column rule needs at least one pattern");
    /// ```
    pub fn from_json(text: &str) -> Result<Catalogue, MaskError> {
        let mut de = serde_json::Deserializer::from_str(text);
        let c: Catalogue = serde_path_to_error::deserialize(&mut de)
            .map_err(|e| CatalogueError::new(e.path().to_string(), e.inner().to_string()))?;
        c.validate()?;
        Ok(c)
    }

    /// Checks what serde cannot: non-empty patterns and tags, a well-formed hash key.
    pub fn validate(&self) -> Result<(), MaskError> {
        for (n, r) in self.columns.iter().enumerate() {
            if r.patterns.is_empty() {
                return Err(CatalogueError::new(
                    format!("columns[{n}].match"),
                    "a column rule needs at least one pattern".into(),
                )
                .into());
            }
            if r.tag.trim().is_empty() {
                return Err(CatalogueError::new(
                    format!("columns[{n}].tag"),
                    "a tag cannot be empty".into(),
                )
                .into());
            }
            if let Some(p) = r
                .patterns
                .iter()
                .find(|p| p.trim().is_empty() || p.split('.').any(str::is_empty))
            {
                return Err(CatalogueError::new(
                    format!("columns[{n}].match"),
                    format!("malformed pattern `{p}`"),
                )
                .into());
            }
        }
        if let Some(k) = &self.hash_key {
            super::strategy::parse_key(k)?;
        }
        Ok(())
    }

    /// This catalogue marked as declared by the caller or a policy: masked-column probes are
    /// then review rather than informational.
    #[must_use]
    pub fn explicit(mut self) -> Catalogue {
        self.explicit = true;
        self
    }

    /// Whether the catalogue describes any view (whose columns lead to other sources).
    pub(crate) fn has_views(&self) -> bool {
        !self.views.is_empty()
    }

    /// Whether the catalogue was declared (by a policy or a caller) rather than built in.
    pub fn is_explicit(&self) -> bool {
        self.explicit
    }

    /// The tag of a source column (`users.email`, `public.users.email`), if any rule names it.
    pub fn tag_of(&self, source: &str) -> Option<&str> {
        // Most patterns name a column of any table: compare those with the last part only.
        // A byte scan: sources are short, and a dot is ASCII.
        let column = source
            .bytes()
            .rposition(|b| b == b'.')
            .and_then(|i| source.get(i + 1..))
            .unwrap_or(source);
        if std::ptr::eq(self, Catalogue::builtin()) {
            // The built-in rules have no dotted pattern: the compiled form answers for them.
            return BuiltinMatcher::get().find(column);
        }
        let matches = |p: &String| {
            if p.as_bytes().contains(&b'.') {
                column_glob(p, source)
            } else {
                glob(p, column)
            }
        };
        let own = self
            .columns
            .iter()
            .find(|r| r.patterns.iter().any(matches))
            .map(|r| r.tag.as_str());
        if own.is_some() || !self.include_builtin {
            return own;
        }
        BuiltinMatcher::get().find(column)
    }

    /// The tag of a result column known only by its name (a wildcard's expansion, a JSON key).
    pub fn tag_of_name(&self, column: &str) -> Option<&str> {
        if std::ptr::eq(self, Catalogue::builtin()) {
            return BuiltinMatcher::get().find(column);
        }
        let matches = |p: &str| !p.contains('.') && glob(p, column);
        let own = self
            .columns
            .iter()
            .find(|r| r.patterns.iter().any(|p| matches(p)))
            .map(|r| r.tag.as_str());
        if own.is_some() || !self.include_builtin {
            return own;
        }
        BuiltinMatcher::get().find(column)
    }

    /// Columns of `table` that the catalogue names exactly (no glob in the column part): what
    /// `SELECT *` of that table is expanded to. Returns `(column, tag)`.
    pub fn named_columns(&self, table: &str) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        let mut rules: Vec<&ColumnRule> = self.columns.iter().collect();
        if self.include_builtin {
            rules.extend(Catalogue::builtin().columns.iter());
        }
        for r in rules {
            for p in &r.patterns {
                let (tpat, col) = match p.rsplit_once('.') {
                    Some((t, c)) => (Some(t), c),
                    None => (None, p.as_str()),
                };
                if col.contains('*') || tpat.is_some_and(|t| !column_glob(t, table)) {
                    continue;
                }
                let col = col.to_ascii_lowercase();
                if !out.iter().any(|(c, _)| *c == col) {
                    out.push((col, r.tag.clone()));
                }
            }
        }
        out
    }

    /// The source columns a view's column derives from, if the catalogue describes the view.
    pub fn view_sources(&self, view: &str, column: &str) -> Option<&[String]> {
        let v = self.views.iter().find(|v| {
            column_glob(&v.name, view) && v.name.split('.').count() <= view.split('.').count()
        })?;
        v.columns
            .iter()
            .find(|(c, _)| c.eq_ignore_ascii_case(column))
            .map(|(_, s)| s.as_slice())
    }

    /// The views the catalogue describes whose name matches `table`.
    pub(crate) fn view(&self, table: &str) -> Option<&View> {
        self.views.iter().find(|v| column_glob(&v.name, table))
    }

    /// The strategy of a tag: the entry for the tag, then its families (`pii.email` → `pii`),
    /// then `*`, then `redact`.
    pub fn strategy_for(&self, tag: &str) -> Strategy {
        let mut key = tag;
        loop {
            if let Some(s) = self.strategies.get(key) {
                return s.clone();
            }
            match key.rsplit_once('.') {
                Some((head, _)) => key = head,
                None => break,
            }
        }
        self.strategies.get("*").cloned().unwrap_or_default()
    }

    /// Why the context's actor is exempt from masking `tag`, if it is: ``role `dpo` `` or
    /// ``actor `alice` ``.
    pub fn exemption(&self, context: &Context, tag: &str) -> Option<String> {
        for e in &self.exempt {
            if !(e.tags.is_empty() || e.tags.iter().any(|t| glob(t, tag))) {
                continue;
            }
            if let Some(id) = context
                .actor
                .id
                .as_deref()
                .filter(|id| e.actors.iter().any(|a| a == id))
            {
                return Some(format!("actor `{id}`"));
            }
            if let Some(r) = context
                .actor
                .roles
                .iter()
                .find(|r| e.roles.iter().any(|x| x.eq_ignore_ascii_case(r)))
            {
                return Some(format!("role `{r}`"));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob("*_email", "work_email"));
        assert!(glob("EMAIL", "email"));
        assert!(!glob("*_email", "email"));
        assert!(glob("a*b*c", "axxbyyc"));
        assert!(!glob("a*b*c", "axxbyy"));
        assert!(column_glob("users.email", "public.users.email"));
        assert!(!column_glob("users.email", "accounts.email"));
        assert!(column_glob("email", "accounts.email"));
        assert!(column_glob("hr.*.salary", "hr.staff.salary"));
        assert!(column_glob(
            "billing.customers.tax_ref",
            "customers.tax_ref"
        ));
        assert!(!column_glob(
            "billing.customers.tax_ref",
            "sales.customers.tax_ref"
        ));
    }

    #[test]
    fn compiled_builtin_agrees_with_globs() {
        let naive = |name: &str| {
            BUILTIN
                .iter()
                .find(|(_, pats)| pats.iter().any(|p| glob(p, name)))
                .map(|(tag, _)| *tag)
        };
        let mut names: Vec<String> = Vec::new();
        for (_, pats) in BUILTIN {
            for p in pats.iter() {
                let bare = p.replace('*', "");
                for n in [
                    bare.clone(),
                    bare.to_uppercase(),
                    format!("x{bare}"),
                    format!("{bare}x"),
                    format!("work{bare}"),
                    format!("{bare}_address"),
                    format!("ip{bare}"),
                    format!("a.{bare}"),
                ] {
                    names.push(n);
                }
            }
        }
        names
            .extend(["", "_", "id", "name", "Email", "é_email", "mail_", "x_ip"].map(String::from));
        // Names without the byte most patterns need, which only the other patterns are tried on.
        names.extend(["xPassPhraseY", "passphras", "PHONE", "Token", "tokens"].map(String::from));
        let m = BuiltinMatcher::get();
        for n in &names {
            assert_eq!(m.find(n), naive(n), "{n}");
        }
    }

    #[test]
    fn first_rule_wins() {
        let c = Catalogue::builtin();
        assert_eq!(c.tag_of("users.email_address"), Some("pii.email"));
        assert_eq!(c.tag_of("users.ip_address"), Some("pii.ip"));
        assert_eq!(c.tag_of("users.password_hash"), Some("secret"));
    }
}
