//! Credentials: cloud and SaaS tokens with known prefixes, JWTs, AWS secret keys after their
//! label, and PEM private key blocks.

use super::{at, is_alnum, Hit, Kind};

/// The longest token read, in bytes (JWTs can be long).
const MAX_TOKEN: usize = 8192;
/// The longest PEM block read.
const MAX_PEM: usize = 64 * 1024;

fn b64(c: u8) -> bool {
    is_alnum(c) || c == b'_' || c == b'-'
}

/// The end of the run of bytes satisfying `f` from `j`, at most `max` long.
fn run(b: &[u8], j: usize, max: usize, f: impl Fn(u8) -> bool) -> usize {
    let mut k = j;
    while k - j < max && f(at(b, k)) {
        k += 1;
    }
    k
}

/// AWS access key id prefixes.
const AWS_PREFIXES: &[&[u8]] = &[
    b"AKIA", b"ASIA", b"ABIA", b"ACCA", b"AGPA", b"AIDA", b"AIPA", b"ANPA", b"ANVA", b"APKA",
    b"AROA",
];
/// GitHub token prefixes.
const GITHUB: &[&[u8]] = &[b"ghp_", b"gho_", b"ghu_", b"ghs_", b"ghr_"];
/// Slack token prefixes.
const SLACK: &[&[u8]] = &[
    b"xoxb-", b"xoxp-", b"xoxa-", b"xoxr-", b"xoxs-", b"xoxe-", b"xapp-",
];
/// Stripe secret and restricted key prefixes.
const STRIPE: &[&[u8]] = &[
    b"sk_live_",
    b"sk_test_",
    b"rk_live_",
    b"rk_test_",
    b"whsec_",
];
/// Labels an AWS secret access key follows.
const AWS_SECRET_LABELS: &[&[u8]] = &[
    b"aws_secret_access_key",
    b"secret_access_key",
    b"secretaccesskey",
    b"aws_secret_key",
];

fn starts(b: &[u8], i: usize, p: &[u8]) -> bool {
    b.get(i..i + p.len()).is_some_and(|s| s == p)
}

fn starts_ci(b: &[u8], i: usize, p: &[u8]) -> bool {
    b.get(i..i + p.len())
        .is_some_and(|s| s.eq_ignore_ascii_case(p))
}

/// A token at the word start `i`. `None` when no known prefix starts there; otherwise the hit
/// (if the token is well formed) and how far this family examined.
pub(super) fn token(b: &[u8], i: usize) -> Option<(Option<Hit>, usize)> {
    let c = at(b, i);
    let found = match c {
        b'A' => {
            if AWS_PREFIXES.iter().any(|p| starts(b, i, p)) {
                let e = run(b, i + 4, 64, |x| {
                    x.is_ascii_uppercase() || (b'2'..=b'7').contains(&x)
                });
                let ok = e - (i + 4) == 16 && !is_alnum(at(b, e));
                Some((
                    ok.then_some(Hit {
                        kind: Kind::AwsAccessKeyId,
                        start: i,
                        end: e,
                    }),
                    e,
                ))
            } else if starts(b, i, b"AIza") {
                let e = run(b, i + 4, 64, b64);
                let ok = e - (i + 4) == 35;
                Some((
                    ok.then_some(Hit {
                        kind: Kind::GcpApiKey,
                        start: i,
                        end: e,
                    }),
                    e,
                ))
            } else {
                None
            }
        }
        b'g' => {
            if GITHUB.iter().any(|p| starts(b, i, p)) {
                let e = run(b, i + 4, 255, is_alnum);
                let ok = e - (i + 4) >= 36 && at(b, e) != b'_';
                Some((
                    ok.then_some(Hit {
                        kind: Kind::GithubToken,
                        start: i,
                        end: e,
                    }),
                    e,
                ))
            } else if starts(b, i, b"github_pat_") {
                let e = run(b, i + 11, 255, |x| is_alnum(x) || x == b'_');
                let ok = e - (i + 11) >= 40;
                Some((
                    ok.then_some(Hit {
                        kind: Kind::GithubToken,
                        start: i,
                        end: e,
                    }),
                    e,
                ))
            } else if starts(b, i, b"glpat-") {
                let e = run(b, i + 6, 255, b64);
                let ok = e - (i + 6) >= 20;
                Some((
                    ok.then_some(Hit {
                        kind: Kind::GitlabToken,
                        start: i,
                        end: e,
                    }),
                    e,
                ))
            } else {
                None
            }
        }
        b'x' => SLACK.iter().find(|p| starts(b, i, p)).map(|p| {
            let e = run(b, i + p.len(), 255, |x| is_alnum(x) || x == b'-');
            let ok = e - (i + p.len()) >= 10;
            (
                ok.then_some(Hit {
                    kind: Kind::SlackToken,
                    start: i,
                    end: e,
                }),
                e,
            )
        }),
        b's' | b'r' | b'w' => STRIPE.iter().find(|p| starts(b, i, p)).map(|p| {
            let e = run(b, i + p.len(), 255, is_alnum);
            let ok = e - (i + p.len()) >= 16 && at(b, e) != b'_';
            (
                ok.then_some(Hit {
                    kind: Kind::StripeKey,
                    start: i,
                    end: e,
                }),
                e,
            )
        }),
        b'e' if starts(b, i, b"eyJ") => Some(jwt(b, i)),
        _ => None,
    };
    if found.is_some() {
        return found;
    }
    if matches!(c, b'a' | b'A' | b's' | b'S') {
        if let Some(p) = AWS_SECRET_LABELS.iter().find(|p| starts_ci(b, i, p)) {
            return Some(aws_secret(b, i + p.len()));
        }
    }
    None
}

/// `header.payload.signature`, each base64url; the header must decode to a JSON object naming
/// `alg` or `typ`.
fn jwt(b: &[u8], i: usize) -> (Option<Hit>, usize) {
    let h_end = run(b, i, MAX_TOKEN, b64);
    if at(b, h_end) != b'.' {
        return (None, h_end);
    }
    let p_end = run(b, h_end + 1, MAX_TOKEN, b64);
    if p_end == h_end + 1 || at(b, p_end) != b'.' {
        return (None, p_end);
    }
    let s_end = run(b, p_end + 1, MAX_TOKEN, b64);
    let header = decode_b64url(b.get(i..h_end).unwrap_or(&[]));
    let ok = header.first() == Some(&b'{')
        && (memchr::memmem::find(&header, b"\"alg\"").is_some()
            || memchr::memmem::find(&header, b"\"typ\"").is_some());
    (
        ok.then_some(Hit {
            kind: Kind::Jwt,
            start: i,
            end: s_end,
        }),
        s_end,
    )
}

/// Decodes base64url without padding (the first 1 KiB at most); stops at an invalid byte.
fn decode_b64url(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for &c in s.iter().take(1024) {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => break,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    out
}

/// 40 base64 characters after an AWS secret key label and `=`, `:` or quotes.
fn aws_secret(b: &[u8], j: usize) -> (Option<Hit>, usize) {
    let mut k = j;
    while k - j < 8 && matches!(at(b, k), b' ' | b'\t' | b'=' | b':' | b'"' | b'\'') {
        k += 1;
    }
    let e = run(b, k, 64, |x| is_alnum(x) || x == b'/' || x == b'+');
    let ok = e - k == 40 && k > j;
    (
        ok.then_some(Hit {
            kind: Kind::AwsSecretAccessKey,
            start: k,
            end: e,
        }),
        e.max(j),
    )
}

/// A PEM private key block from `-----BEGIN … PRIVATE KEY…-----` at `i` to its `-----END …-----`
/// line (`end` is the next `-----END ` at or after `i`), or through its base64 body when the
/// block is truncated.
pub(super) fn pem(b: &[u8], i: usize, end: Option<usize>) -> Option<Hit> {
    let label_start = i + 11;
    let label_end = b
        .get(label_start..(label_start + 64).min(b.len()))
        .and_then(|r| memchr::memmem::find(r, b"-----"))?
        + label_start;
    let label = b.get(label_start..label_end)?;
    memchr::memmem::find(label, b"PRIVATE KEY")?;
    let body = label_end + 5;
    if let Some(e) = end.filter(|&e| e >= body && e - i <= MAX_PEM) {
        let tail = e + 9;
        let close = b
            .get(tail..(tail + 80).min(b.len()))
            .and_then(|r| memchr::memmem::find(r, b"-----"));
        if let Some(c) = close {
            return Some(Hit {
                kind: Kind::PrivateKey,
                start: i,
                end: tail + c + 5,
            });
        }
    }
    // Truncated: the header and the body lines that follow.
    let e = run(b, body, MAX_PEM, |x| {
        x.is_ascii_alphanumeric()
            || matches!(
                x,
                b'+' | b'/' | b'=' | b'\n' | b'\r' | b' ' | b'\t' | b':' | b',' | b'-'
            )
    });
    let mut e = e;
    while e > body && at(b, e - 1).is_ascii_whitespace() {
        e -= 1;
    }
    Some(Hit {
        kind: Kind::PrivateKey,
        start: i,
        end: e,
    })
}
