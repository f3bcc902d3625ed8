//! Redaction of secrets in text that leaves the core (finding messages, intent, audit):
//! password literals and well-known token shapes are replaced by `[redacted]`.

/// Redacts secrets in a message: string literals after `PASSWORD`/`IDENTIFIED BY`/`SECRET`
/// keywords, `user:password@` in URLs, and long token-looking words with known prefixes.
///
/// ```
/// use guardrails_core::redact::redact_message;
/// assert_eq!(redact_message("ALTER USER app PASSWORD 'hunter2'"), "ALTER USER app PASSWORD '[redacted]'");
/// assert_eq!(redact_message("postgres://app:s3cret@db/x"), "postgres://app:[redacted]@db/x");
/// ```
pub fn redact_message(message: &str) -> String {
    if !may_hold_secret(message) {
        return message.to_owned();
    }
    let mut out = redact_after_keywords(message);
    out = redact_url_passwords(&out);
    redact_tokens(&out)
}

/// A cheap test that rules out most messages: no secret keyword, no URL, no token prefix.
fn may_hold_secret(s: &str) -> bool {
    // Secrets worth redacting sit in quoted literals, in URLs, or are long token-shaped words.
    // A quote anywhere (one vectorised search), then a run of 16 token bytes, then a URL.
    let b = s.as_bytes();
    if memchr::memchr2(b'\'', b'"', b).is_some() {
        return true;
    }
    // Token bytes (`A-Z a-z 0-9 _ -`) as a bit set over the 128 ASCII bytes.
    const TOKEN: [u64; 2] = [0x03ff_2000_0000_0000, 0x07ff_fffe_87ff_fffe];
    let token = |c: &u8| {
        let word = TOKEN.get(usize::from(*c >> 6)).copied().unwrap_or(0);
        (word >> (*c & 63)) & 1 == 1
    };
    // A run of 16 token bytes covers two neighbouring bytes of the positions 7, 15, 23, ...:
    // look only at those, and measure the run around one only when it and the one before it
    // are joined by token bytes (words in messages are short, so that is rare).
    let mut i = 7;
    let mut previous = false;
    while let Some(c) = b.get(i) {
        let here = token(c);
        // The two are in one run only when every byte between them is a token byte too: the
        // nearest one that is not usually ends the look after a byte or two.
        let joined = here
            && previous
            && b.get(i - 7..i)
                .is_some_and(|between| between.iter().rev().all(token));
        if joined {
            let mut start = i;
            while start > 0 && b.get(start - 1).is_some_and(token) {
                start -= 1;
            }
            let mut end = i + 1;
            while b.get(end).is_some_and(token) {
                end += 1;
            }
            if end - start >= 16 {
                return true;
            }
        }
        previous = here;
        i += 8;
    }
    memchr::memchr_iter(b':', b).any(|i| b.get(i + 1..i + 3) == Some(b"//".as_slice()))
}

/// Whether `part` holds nothing [`redact_message`] looks for, by a test cheaper than
/// [`may_hold_secret`]: shorter than a token (16 bytes), no quote, no colon (so no URL). A
/// message made of words with none of those either, with such parts set between backticks,
/// needs no redaction: a backtick ends every run of token bytes.
pub(crate) fn is_plain(part: &str) -> bool {
    part.len() < 16 && !part.bytes().any(|c| matches!(c, b'\'' | b'"' | b':'))
}

/// [`redact_message`] of an owned message: handed back as it is (no copy) when nothing in it
/// can be a secret.
pub(crate) fn redact_owned(message: String) -> String {
    if may_hold_secret(&message) {
        redact_message(&message)
    } else {
        message
    }
}

fn redact_after_keywords(s: &str) -> String {
    let lower = s.to_ascii_lowercase();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let bytes = s.as_bytes();
    while i < s.len() {
        let rest = lower.get(i..).unwrap_or("");
        let kw = [
            "password",
            "identified by",
            "secret",
            "token",
            "passwd",
            "pwd",
        ]
        .iter()
        .find(|k| rest.starts_with(**k));
        if let Some(k) = kw {
            let prev_ok = i == 0 || bytes.get(i - 1).is_some_and(|b| !b.is_ascii_alphanumeric());
            if prev_ok {
                out.push_str(s.get(i..i + k.len()).unwrap_or(""));
                let mut j = i + k.len();
                // skip to the next quote within a short window of spaces, `=`, `:`, `with`, `by`
                let window = s.get(j..(j + 24).min(s.len())).unwrap_or("");
                if let Some(q) = window.find(['\'', '"']) {
                    let between = window.get(..q).unwrap_or("");
                    if between.chars().all(|c| {
                        c.is_whitespace() || c == '=' || c == ':' || c.is_ascii_alphabetic()
                    }) && between.len() < 16
                    {
                        let quote = window.as_bytes().get(q).copied().unwrap_or(b'\'') as char;
                        out.push_str(between);
                        j += q + 1;
                        if let Some(end) = s.get(j..).and_then(|r| r.find(quote)) {
                            out.push(quote);
                            out.push_str("[redacted]");
                            out.push(quote);
                            i = j + end + 1;
                            continue;
                        }
                        out.push(quote);
                        out.push_str("[redacted]");
                        return out;
                    }
                }
                i = j;
                continue;
            }
        }
        let ch = s.get(i..).and_then(|r| r.chars().next()).unwrap_or(' ');
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

fn redact_url_passwords(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find("://") {
        let (head, tail) = rest.split_at(p + 3);
        out.push_str(head);
        let end = tail
            .find(|c: char| c.is_whitespace() || c == '\'' || c == '"' || c == '`')
            .unwrap_or(tail.len());
        let authority = tail.get(..end).unwrap_or("");
        if let (Some(at), Some(colon)) = (authority.rfind('@'), authority.find(':')) {
            if colon < at {
                out.push_str(authority.get(..=colon).unwrap_or(""));
                out.push_str("[redacted]");
                out.push_str(authority.get(at..).unwrap_or(""));
                rest = tail.get(end..).unwrap_or("");
                continue;
            }
        }
        out.push_str(authority);
        rest = tail.get(end..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

fn redact_tokens(s: &str) -> String {
    const PREFIXES: &[&str] = &[
        "AKIA",
        "ASIA",
        "ghp_",
        "gho_",
        "ghs_",
        "github_pat_",
        "glpat-",
        "xoxb-",
        "xoxp-",
        "sk_live_",
        "rk_live_",
        "sk-",
        "AIza",
        "eyJ",
    ];
    let mut out = String::with_capacity(s.len());
    for (i, word) in s.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let core = word.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '_' && c != '-');
        if core.len() >= 16 && PREFIXES.iter().any(|p| core.starts_with(p)) {
            out.push_str(&word.replace(core, "[redacted]"));
        } else {
            out.push_str(word);
        }
    }
    out
}

#[cfg(test)]
mod url_scan_tests {
    use super::*;

    #[test]
    fn sampled_run_scan_agrees_with_a_full_scan() {
        // Every placement of one run of every length in a field of separators.
        for len in 0..40 {
            for at in 0..40 {
                let s: String = (0..80)
                    .map(|k| if k >= at && k < at + len { 'a' } else { ' ' })
                    .collect();
                assert_eq!(may_hold_secret(&s), len >= 16, "{len} at {at}");
            }
        }
    }

    #[test]
    fn token_bit_set_holds_exactly_the_token_bytes() {
        for c in 0..=255u8 {
            let s = [c; 16];
            let expected =
                c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'\'' || c == b'"';
            if let Ok(s) = std::str::from_utf8(&s) {
                assert_eq!(may_hold_secret(s), expected, "{c}");
            }
        }
    }

    #[test]
    fn url_scan_matches_a_substring_search() {
        for s in [
            "", ":", "://", "a:/b", "a:b//", "x://y", "::/", ":::///", "é://", "`x` :/ /",
        ] {
            let has_url = s.contains("://");
            assert_eq!(may_hold_secret(s), has_url, "{s}");
        }
        // The former byte loop, for comparison.
        let former = |s: &str| {
            let mut run = 0usize;
            for &b in s.as_bytes() {
                if b == b'\'' || b == b'"' {
                    return true;
                }
                if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' {
                    run += 1;
                    if run >= 16 {
                        return true;
                    }
                } else {
                    run = 0;
                }
            }
            s.contains("://")
        };
        for s in [
            "`DROP TABLE` destroys `audit_log` and its data",
            "abcdefghijklmno",
            "abcdefghijklmnop",
            "abc-def_ghi-jkl_m",
            "abcdefgh ijklmnopq",
            "it's",
            "say \"x\"",
            "ÄÖÜabcdefghijklmnopqr",
            "x.yyyyyyyyyyyyyyyy",
            "yyyyyyyyyyyyyyy.x",
            ".aaaaaaaaaaaaaaaa",
            "..aaaaaaaaaaaaaaaa.",
            "aaaaaaaaaaaaaaa aaaaaaaaaaaaaaa aaaaaaaaaaaaaaa",
            "a b c d e f g h i j k l m n o p q r s t u v w x y z 0123456789abcdef",
        ] {
            assert_eq!(may_hold_secret(s), former(s), "{s}");
        }
        assert_eq!(
            redact_owned("`DROP TABLE` destroys `t`".into()),
            "`DROP TABLE` destroys `t`"
        );
    }

    #[test]
    fn plain_names_in_our_messages_need_no_redaction() {
        for name in [
            "t",
            "users",
            "audit_log",
            "a.b",
            "#tmp",
            "x-y_z",
            "abcdefghijklmno",
            "`",
            "é",
        ] {
            assert!(is_plain(name), "{name}");
            for message in [
                format!("`DROP TABLE` destroys `{name}` and its data"),
                format!("`TRUNCATE` removes every row of `{name}`"),
                format!("`TRUNCATE` removes every row of `{name}`, `{name}`"),
            ] {
                assert!(!may_hold_secret(&message), "{message}");
            }
        }
        for name in ["abcdefghijklmnop", "a'b", "a\"b", "a:b", "s3://x"] {
            assert!(!is_plain(name), "{name}");
        }
    }
}
