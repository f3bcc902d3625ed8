//! Masking strategies: how one value is replaced.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::err::{BadKey, MaskError, UnknownStrategy};

/// How a value is masked.
///
/// ```
/// use guardrails_core::mask::Strategy;
/// let key = [7u8; 32];
/// assert_eq!(Strategy::Redact { label: None }.apply("bob@example.com", "email", &key), Some("[email]".into()));
/// assert_eq!(Strategy::Partial { keep_first: 0, keep_last: 4 }.apply("4111 1111 1111 1111", "card", &key), Some("**** **** **** 1111".into()));
/// assert_eq!(Strategy::Null.apply("x", "ssn", &key), None);
/// assert_eq!(Strategy::Fixed { value: "n/a".into() }.apply("x", "ssn", &key), Some("n/a".into()));
/// let h = Strategy::Hash.apply("bob@example.com", "email", &key);
/// assert_eq!(h, Strategy::Hash.apply("bob@example.com", "email", &key));
/// let f = Strategy::FormatPreserving.apply("AB-1234", "id", &key).unwrap_or_default();
/// assert_eq!(f.len(), 7);
/// assert_eq!(&f[2..3], "-");
/// # Ok::<(), guardrails_core::mask::MaskError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Strategy {
    /// A placeholder naming what was there: `[email]`.
    Redact {
        /// The placeholder's label; the tag's last part or the detector's kind by default.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// Keeps the first and last characters; letters and digits between become `*`,
    /// punctuation stays. Values too short to hide anything are masked whole.
    Partial {
        /// Letters and digits kept at the start.
        #[serde(default)]
        keep_first: usize,
        /// Letters and digits kept at the end.
        #[serde(default = "four")]
        keep_last: usize,
    },
    /// A keyed BLAKE3 token: the same value gives the same token under one key, so joins work.
    Hash,
    /// No value at all (`null` in rows and JSON, nothing in text).
    Null,
    /// Same length and character classes (digits stay digits, letters letters, punctuation
    /// stays), derived from the keyed hash of the value.
    FormatPreserving,
    /// A literal.
    Fixed {
        /// The literal.
        value: String,
    },
}

impl Default for Strategy {
    /// `redact`.
    fn default() -> Self {
        Strategy::Redact { label: None }
    }
}

fn four() -> usize {
    4
}

impl Strategy {
    /// The strategy's name as it appears in decisions (`redact`, `partial`, …).
    pub fn name(&self) -> &'static str {
        match self {
            Strategy::Redact { .. } => "redact",
            Strategy::Partial { .. } => "partial",
            Strategy::Hash => "hash",
            Strategy::Null => "null",
            Strategy::FormatPreserving => "format-preserving",
            Strategy::Fixed { .. } => "fixed",
        }
    }

    /// Parses a strategy from the command line: `redact`, `partial`, `partial:4` (keep last 4),
    /// `partial:2:4` (first 2, last 4), `hash`, `null`, `format-preserving`, `fixed:TEXT`.
    ///
    /// ```
    /// use guardrails_core::mask::Strategy;
    /// assert_eq!(Strategy::parse("partial:2:4")?, Strategy::Partial { keep_first: 2, keep_last: 4 });
    /// assert_eq!(Strategy::parse("nope").unwrap_err().to_string(), "unknown masking strategy `nope`");
    /// # Ok::<(), guardrails_core::mask::MaskError>(())
    /// ```
    pub fn parse(s: &str) -> Result<Strategy, MaskError> {
        let (head, rest) = s.split_once(':').map_or((s, None), |(h, r)| (h, Some(r)));
        let unknown = || MaskError::UnknownStrategy(UnknownStrategy { name: s.to_owned() });
        let num = |x: &str| x.parse::<usize>().map_err(|_| unknown());
        Ok(match (head, rest) {
            ("redact", None) => Strategy::Redact { label: None },
            ("redact", Some(l)) => Strategy::Redact {
                label: Some(l.to_owned()),
            },
            ("partial", None) => Strategy::Partial {
                keep_first: 0,
                keep_last: 4,
            },
            ("partial", Some(r)) => match r.split_once(':') {
                Some((f, l)) => Strategy::Partial {
                    keep_first: num(f)?,
                    keep_last: num(l)?,
                },
                None => Strategy::Partial {
                    keep_first: 0,
                    keep_last: num(r)?,
                },
            },
            ("hash", None) => Strategy::Hash,
            ("null", None) => Strategy::Null,
            ("format-preserving" | "fpe", None) => Strategy::FormatPreserving,
            ("fixed", Some(v)) => Strategy::Fixed {
                value: v.to_owned(),
            },
            _ => return Err(unknown()),
        })
    }

    /// Masks one value. `label` names what it is (for `redact`); `key` keys `hash` and
    /// `format-preserving`. `None` means no value (`null`).
    pub fn apply(&self, value: &str, label: &str, key: &[u8; 32]) -> Option<String> {
        match self {
            Strategy::Redact { label: l } => Some(format!("[{}]", l.as_deref().unwrap_or(label))),
            Strategy::Partial {
                keep_first,
                keep_last,
            } => Some(partial(value, *keep_first, *keep_last)),
            Strategy::Hash => {
                let h = blake3::keyed_hash(key, value.as_bytes());
                let hex = h.to_hex();
                Some(format!("hash:{}", hex.get(..24).unwrap_or("")))
            }
            Strategy::Null => None,
            Strategy::FormatPreserving => Some(format_preserving(value, key)),
            Strategy::Fixed { value } => Some(value.clone()),
        }
    }
}

fn partial(value: &str, first: usize, last: usize) -> String {
    let total = value.chars().filter(|c| c.is_alphanumeric()).count();
    let reveal = total > first + last;
    let mut seen = 0;
    value
        .chars()
        .map(|c| {
            if !c.is_alphanumeric() {
                return c;
            }
            seen += 1;
            if reveal && (seen <= first || seen > total - last) {
                c
            } else {
                '*'
            }
        })
        .collect()
}

fn format_preserving(value: &str, key: &[u8; 32]) -> String {
    let mut h = blake3::Hasher::new_keyed(key);
    h.update(b"format-preserving\0");
    h.update(value.as_bytes());
    let mut xof = h.finalize_xof();
    let mut out = String::with_capacity(value.len());
    let mut buf = [0u8; 64];
    let mut used = buf.len();
    let mut next = |xof: &mut blake3::OutputReader| {
        if used == buf.len() {
            xof.fill(&mut buf);
            used = 0;
        }
        let b = buf.get(used).copied().unwrap_or(0);
        used += 1;
        b
    };
    for c in value.chars() {
        let r = next(&mut xof);
        let pick = |base: u8, n: u8, orig: u8| -> char {
            // Never the original character: shift by 1..n.
            let off = 1 + r % (n - 1);
            char::from(base + (orig - base + off) % n)
        };
        out.push(match c {
            '0'..='9' => pick(b'0', 10, c as u8),
            'a'..='z' => pick(b'a', 26, c as u8),
            'A'..='Z' => pick(b'A', 26, c as u8),
            c if c.is_alphanumeric() => char::from(b'a' + r % 26),
            c => c,
        });
    }
    out
}

/// Parses a 64-hex-character key.
pub(crate) fn parse_key(hex: &str) -> Result<[u8; 32], MaskError> {
    let bad = || MaskError::BadKey(BadKey { len: hex.len() });
    if hex.len() != 64 {
        return Err(bad());
    }
    let mut key = [0u8; 32];
    for (i, slot) in key.iter_mut().enumerate() {
        let pair = hex.get(2 * i..2 * i + 2).ok_or_else(bad)?;
        *slot = u8::from_str_radix(pair, 16).map_err(|_| bad())?;
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_never_reveals_short_values() {
        assert_eq!(partial("1234", 0, 4), "****");
        assert_eq!(partial("bob@ex.io", 1, 0), "b**@**.**");
    }

    #[test]
    fn format_preserving_changes_every_letter_and_digit() {
        let k = [1u8; 32];
        let v = "Ab9-zz 00";
        let f = format_preserving(v, &k);
        assert_eq!(f.len(), v.len());
        for (a, b) in v.chars().zip(f.chars()) {
            if a.is_ascii_alphanumeric() {
                assert_ne!(a, b);
                assert_eq!(a.is_ascii_digit(), b.is_ascii_digit());
                assert_eq!(a.is_ascii_uppercase(), b.is_ascii_uppercase());
            } else {
                assert_eq!(a, b);
            }
        }
        assert_ne!(format_preserving(v, &[2u8; 32]), f);
    }

    #[test]
    fn keys() {
        assert!(parse_key(&"ab".repeat(32)).is_ok());
        assert_eq!(
            parse_key("zz").unwrap_err().to_string(),
            "hash key must be 64 hexadecimal characters, got 2"
        );
        assert!(parse_key(&"zz".repeat(32)).is_err());
    }
}
