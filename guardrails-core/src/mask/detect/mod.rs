//! Value detectors: find e-mail addresses, phone numbers, payment cards, IBANs, SSNs, tokens,
//! private keys, passwords in URLs and IP addresses in free text.
//!
//! One pass over the bytes: a 256-entry class table says which bytes can start a candidate, and
//! each family of detectors keeps a high-water mark so that no byte is examined by the same
//! family twice. Work is linear in the input size. Candidates are verified by their checksum
//! wherever one exists (Luhn for cards, mod-97 for IBANs, the SSA's rules for SSNs, a decodable
//! JSON header for JWTs).

mod ident;
mod numeric;
mod secret;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What kind of value a detector found.
///
/// ```
/// use guardrails_core::mask::Kind;
/// assert_eq!(Kind::Card.as_str(), "card");
/// assert_eq!(Kind::Card.tag(), "pci.pan");
/// ```
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Kind {
    /// An e-mail address.
    Email,
    /// A phone number (E.164 or a common national form).
    Phone,
    /// A payment card number (Luhn-valid, known issuer range).
    Card,
    /// An IBAN (mod-97 valid).
    Iban,
    /// A US social security number (valid area, group and serial).
    Ssn,
    /// A JSON Web Token.
    Jwt,
    /// An AWS access key id (`AKIA…`).
    AwsAccessKeyId,
    /// An AWS secret access key (40 characters after an `aws_secret_access_key` label).
    AwsSecretAccessKey,
    /// A Google Cloud API key (`AIza…`).
    GcpApiKey,
    /// A GitHub token (`ghp_…`, `github_pat_…`).
    GithubToken,
    /// A GitLab token (`glpat-…`).
    GitlabToken,
    /// A Slack token (`xoxb-…`).
    SlackToken,
    /// A Stripe secret or restricted key (`sk_live_…`).
    StripeKey,
    /// A PEM private key block.
    PrivateKey,
    /// The password of a `scheme://user:password@host` URL.
    UrlPassword,
    /// An IPv4 address.
    Ipv4,
    /// An IPv6 address.
    Ipv6,
}

impl Kind {
    /// Every kind, in declaration order.
    pub const ALL: [Kind; 17] = [
        Kind::Email,
        Kind::Phone,
        Kind::Card,
        Kind::Iban,
        Kind::Ssn,
        Kind::Jwt,
        Kind::AwsAccessKeyId,
        Kind::AwsSecretAccessKey,
        Kind::GcpApiKey,
        Kind::GithubToken,
        Kind::GitlabToken,
        Kind::SlackToken,
        Kind::StripeKey,
        Kind::PrivateKey,
        Kind::UrlPassword,
        Kind::Ipv4,
        Kind::Ipv6,
    ];

    /// The wire name, also the redaction placeholder's label (`[email]`).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Email => "email",
            Kind::Phone => "phone",
            Kind::Card => "card",
            Kind::Iban => "iban",
            Kind::Ssn => "ssn",
            Kind::Jwt => "jwt",
            Kind::AwsAccessKeyId => "aws-access-key-id",
            Kind::AwsSecretAccessKey => "aws-secret-access-key",
            Kind::GcpApiKey => "gcp-api-key",
            Kind::GithubToken => "github-token",
            Kind::GitlabToken => "gitlab-token",
            Kind::SlackToken => "slack-token",
            Kind::StripeKey => "stripe-key",
            Kind::PrivateKey => "private-key",
            Kind::UrlPassword => "password",
            Kind::Ipv4 => "ipv4",
            Kind::Ipv6 => "ipv6",
        }
    }

    /// The catalogue tag values of this kind carry (`pii.email`, `pci.pan`, `secret.jwt`).
    pub fn tag(self) -> &'static str {
        match self {
            Kind::Email => "pii.email",
            Kind::Phone => "pii.phone",
            Kind::Card => "pci.pan",
            Kind::Iban => "pii.iban",
            Kind::Ssn => "pii.ssn",
            Kind::Ipv4 | Kind::Ipv6 => "pii.ip",
            Kind::Jwt => "secret.jwt",
            Kind::AwsAccessKeyId => "secret.aws-access-key-id",
            Kind::AwsSecretAccessKey => "secret.aws-secret-access-key",
            Kind::GcpApiKey => "secret.gcp-api-key",
            Kind::GithubToken => "secret.github-token",
            Kind::GitlabToken => "secret.gitlab-token",
            Kind::SlackToken => "secret.slack-token",
            Kind::StripeKey => "secret.stripe-key",
            Kind::PrivateKey => "secret.private-key",
            Kind::UrlPassword => "secret.password",
        }
    }

    /// Whether the kind is a credential (as opposed to personal data).
    pub fn is_secret(self) -> bool {
        self.tag().starts_with("secret")
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A detected value: its kind and byte range `[start, end)` in the text.
///
/// ```
/// use guardrails_core::mask::{detect, Kind};
/// let text = "mail bob@example.com now";
/// let m = &detect(text)[0];
/// assert_eq!(m.kind, Kind::Email);
/// assert_eq!(&text[m.span.0..m.span.1], "bob@example.com");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Match {
    /// What was found.
    pub kind: Kind,
    /// Byte range `[start, end)`; always on character boundaries.
    pub span: (usize, usize),
}

/// Finds every sensitive value in `text`, in order, without overlaps. Linear in the length of
/// the text.
///
/// ```
/// use guardrails_core::mask::{detect, Kind};
/// let found: Vec<Kind> = detect("card 4111 1111 1111 1111, not 4111 1111 1111 1112").iter().map(|m| m.kind).collect();
/// assert_eq!(found, vec![Kind::Card]);
/// ```
pub fn detect(text: &str) -> Vec<Match> {
    let mut out = Vec::new();
    Scanner::new(text.as_bytes()).run(&mut out);
    out
}

/// Byte classes of the scanner's dispatch table.
const C_DIGIT: u8 = 1;
const C_UPPER: u8 = 2;
const C_LOWER: u8 = 4;
const C_AT: u8 = 8;
const C_COLON: u8 = 16;
const C_DASH: u8 = 32;
const C_OPEN: u8 = 64;

#[expect(
    clippy::indexing_slicing,
    reason = "a const loop over the table's own 256 indices"
)]
const fn class_table() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = if b.is_ascii_digit() {
            C_DIGIT
        } else if b.is_ascii_uppercase() {
            C_UPPER
        } else if b.is_ascii_lowercase() {
            C_LOWER
        } else if b == b'@' {
            C_AT
        } else if b == b':' {
            C_COLON
        } else if b == b'-' {
            C_DASH
        } else if b == b'+' || b == b'(' {
            C_OPEN
        } else {
            0
        };
        i += 1;
    }
    t
}

static CLASS: [u8; 256] = class_table();

/// The byte at `i`, or 0 past the end.
#[inline]
pub(super) fn at(b: &[u8], i: usize) -> u8 {
    b.get(i).copied().unwrap_or(0)
}

#[inline]
pub(super) fn is_alnum(c: u8) -> bool {
    c.is_ascii_alphanumeric()
}

/// Bytes that continue a word: a detection must not start or end inside a word.
#[inline]
pub(super) fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// A candidate found by one detector.
pub(super) struct Hit {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
}

struct Scanner<'a> {
    b: &'a [u8],
    /// No match may start before this (the end of the last match).
    floor: usize,
    /// High-water marks per family: positions before them were already examined.
    num_until: usize,
    hex_until: usize,
    iban_until: usize,
    token_until: usize,
    /// Cached position of the next `-----END` at or after a position, for PEM blocks.
    pem_end: Option<Option<usize>>,
}

impl<'a> Scanner<'a> {
    fn new(b: &'a [u8]) -> Self {
        Scanner {
            b,
            floor: 0,
            num_until: 0,
            hex_until: 0,
            iban_until: 0,
            token_until: 0,
            pem_end: None,
        }
    }

    fn push(&mut self, out: &mut Vec<Match>, h: Hit) -> usize {
        if h.start >= self.floor && h.end > h.start && h.end <= self.b.len() {
            out.push(Match {
                kind: h.kind,
                span: (h.start, h.end),
            });
            self.floor = h.end;
            return h.end;
        }
        h.start + 1
    }

    fn run(&mut self, out: &mut Vec<Match>) {
        let b = self.b;
        let mut i = 0;
        while i < b.len() {
            let c = at(b, i);
            let class = CLASS.get(usize::from(c)).copied().unwrap_or(0);
            if class == 0 {
                i += 1;
                continue;
            }
            let word_start = i == 0 || !is_word(at(b, i - 1));
            if let Some(h) = self.at_byte(i, c, class, word_start) {
                i = self.push(out, h).max(i + 1);
                continue;
            }
            i += 1;
        }
    }

    fn at_byte(&mut self, i: usize, c: u8, class: u8, word_start: bool) -> Option<Hit> {
        let b = self.b;
        if class == C_AT {
            return ident::email(b, i, self.floor);
        }
        if class == C_COLON {
            if at(b, i + 1) == b'/' && at(b, i + 2) == b'/' {
                return ident::url_password(b, i);
            }
            if word_start && at(b, i + 1) == b':' && i >= self.hex_until {
                return self.ipv6(i);
            }
            return None;
        }
        if class == C_DASH {
            if b.get(i..).is_some_and(|r| r.starts_with(b"-----BEGIN ")) {
                let end = self.next_pem_end(i);
                return secret::pem(b, i, end);
            }
            return None;
        }
        if !word_start {
            return None;
        }
        if class == C_OPEN {
            if i >= self.num_until {
                let (hit, until) = numeric::numeric(b, i);
                self.num_until = until;
                return hit;
            }
            return None;
        }
        if class & (C_UPPER | C_LOWER) != 0 && i >= self.token_until {
            if let Some((hit, until)) = secret::token(b, i) {
                self.token_until = until;
                if hit.is_some() {
                    return hit;
                }
            }
        }
        if class == C_UPPER
            && i >= self.iban_until
            && at(b, i + 1).is_ascii_uppercase()
            && at(b, i + 2).is_ascii_digit()
        {
            let (hit, until) = ident::iban(b, i);
            self.iban_until = until;
            if hit.is_some() {
                return hit;
            }
        }
        if c.is_ascii_hexdigit() && i >= self.hex_until {
            if let Some(h) = self.ipv6(i) {
                return Some(h);
            }
        }
        if class == C_DIGIT && i >= self.num_until {
            let (hit, until) = numeric::numeric(b, i);
            self.num_until = until;
            return hit;
        }
        None
    }

    fn ipv6(&mut self, i: usize) -> Option<Hit> {
        let (hit, until) = ident::ipv6(self.b, i);
        self.hex_until = until;
        hit
    }

    fn next_pem_end(&mut self, i: usize) -> Option<usize> {
        if let Some(cached) = self.pem_end {
            match cached {
                Some(e) if e >= i => return Some(e),
                None => return None,
                Some(_) => {}
            }
        }
        let found = self
            .b
            .get(i..)
            .and_then(|r| memchr::memmem::find(r, b"-----END "))
            .map(|p| p + i);
        self.pem_end = Some(found);
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(t: &str) -> Vec<(Kind, &str)> {
        detect(t)
            .iter()
            .map(|m| (m.kind, &t[m.span.0..m.span.1]))
            .collect()
    }

    #[test]
    fn spans_are_ordered_and_disjoint() {
        let t = "a@b.co 4111111111111111 10.0.0.1 x@y.org";
        let ms = detect(t);
        assert_eq!(ms.len(), 4);
        for w in ms.windows(2) {
            assert!(w[0].span.1 <= w[1].span.0);
        }
    }

    #[test]
    fn url_password_is_not_an_email() {
        assert_eq!(
            kinds("postgres://app:s3cret@db.example.com/x"),
            vec![(Kind::UrlPassword, "s3cret")]
        );
    }
}
