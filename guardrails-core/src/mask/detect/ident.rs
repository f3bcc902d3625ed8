//! E-mail addresses, passwords in URLs, IBANs and IPv6 addresses.

use super::{at, is_alnum, is_word, Hit, Kind};

const MAX_LOCAL: usize = 64;
const MAX_DOMAIN: usize = 253;

fn is_local(c: u8) -> bool {
    is_alnum(c) || matches!(c, b'.' | b'_' | b'%' | b'+' | b'-')
}

/// An e-mail address around the `@` at `i`; its local part starts at or after `floor`.
pub(super) fn email(b: &[u8], i: usize, floor: usize) -> Option<Hit> {
    let mut s = i;
    while s > floor && i - s < MAX_LOCAL && is_local(at(b, s - 1)) {
        s -= 1;
    }
    // The local part does not start or end with a dot.
    while at(b, s) == b'.' && s < i {
        s += 1;
    }
    if s == i || at(b, i - 1) == b'.' {
        return None;
    }
    let end = domain_end(b, i + 1)?;
    Some(Hit {
        kind: Kind::Email,
        start: s,
        end,
    })
}

/// The end of a domain name starting at `j`: two or more labels, an alphabetic TLD of two or
/// more letters, not followed by a word character.
fn domain_end(b: &[u8], j: usize) -> Option<usize> {
    let mut k = j;
    let mut labels = 0;
    let mut last_label = (j, j);
    loop {
        let ls = k;
        while (is_alnum(at(b, k)) || at(b, k) == b'-') && k - j < MAX_DOMAIN {
            k += 1;
        }
        if k == ls || at(b, ls) == b'-' || at(b, k - 1) == b'-' {
            // Empty or dash-bounded label: the domain ends before it.
            break;
        }
        labels += 1;
        last_label = (ls, k);
        if at(b, k) == b'.' && is_alnum(at(b, k + 1)) {
            k += 1;
            continue;
        }
        break;
    }
    if labels < 2 {
        return None;
    }
    let (ls, le) = last_label;
    let tld = b.get(ls..le).unwrap_or(&[]);
    if tld.len() < 2 || !tld.iter().all(u8::is_ascii_alphabetic) || is_word(at(b, le)) {
        return None;
    }
    Some(le)
}

/// The password of `scheme://user:password@host` where `i` is the `:` of `://`.
pub(super) fn url_password(b: &[u8], i: usize) -> Option<Hit> {
    if i == 0 || !at(b, i - 1).is_ascii_alphanumeric() {
        return None;
    }
    let start = i + 3;
    let mut k = start;
    let mut colon = None;
    let mut at_sign = None;
    while k < b.len() && k - start < 512 {
        match at(b, k) {
            b'/' | b'?' | b'#' | b' ' | b'\t' | b'\n' | b'\r' | b'"' | b'\'' | b'`' | b'<'
            | b'>' => break,
            b':' if colon.is_none() => colon = Some(k),
            b'@' => at_sign = Some(k),
            _ => {}
        }
        k += 1;
    }
    let (c, a) = (colon?, at_sign?);
    (c + 1 < a).then_some(Hit {
        kind: Kind::UrlPassword,
        start: c + 1,
        end: a,
    })
}

/// IBAN lengths by country (a subset; other countries are checked against 15–34).
const IBAN_LENGTHS: &[(&[u8; 2], usize)] = &[
    (b"AD", 24),
    (b"AE", 23),
    (b"AT", 20),
    (b"BE", 16),
    (b"BG", 22),
    (b"BH", 22),
    (b"BR", 29),
    (b"CH", 21),
    (b"CY", 28),
    (b"CZ", 24),
    (b"DE", 22),
    (b"DK", 18),
    (b"EE", 20),
    (b"ES", 24),
    (b"FI", 18),
    (b"FR", 27),
    (b"GB", 22),
    (b"GR", 27),
    (b"HR", 21),
    (b"HU", 28),
    (b"IE", 22),
    (b"IL", 23),
    (b"IS", 26),
    (b"IT", 27),
    (b"LI", 21),
    (b"LT", 20),
    (b"LU", 20),
    (b"LV", 21),
    (b"MC", 27),
    (b"MT", 31),
    (b"NL", 18),
    (b"NO", 15),
    (b"PL", 28),
    (b"PT", 25),
    (b"RO", 24),
    (b"SA", 24),
    (b"SE", 24),
    (b"SI", 19),
    (b"SK", 24),
    (b"TR", 26),
    (b"UA", 29),
];

/// An IBAN at `i` (two upper-case letters, two digits), compact or printed in groups of four.
pub(super) fn iban(b: &[u8], i: usize) -> (Option<Hit>, usize) {
    let mut chars: Vec<u8> = Vec::with_capacity(34);
    // Ends (exclusive, in `b`) after each group.
    let mut ends: Vec<(usize, usize)> = Vec::new();
    let mut k = i;
    loop {
        while (at(b, k).is_ascii_uppercase() || at(b, k).is_ascii_digit()) && chars.len() < 35 {
            chars.push(at(b, k));
            k += 1;
        }
        ends.push((k, chars.len()));
        if at(b, k) == b' '
            && (at(b, k + 1).is_ascii_uppercase() || at(b, k + 1).is_ascii_digit())
            && chars.len() < 34
        {
            k += 1;
            continue;
        }
        break;
    }
    let until = k.max(i + 1);
    for &(end, n) in ends.iter().rev() {
        if is_word(at(b, end)) && end == k {
            continue;
        }
        let Some(code) = chars.get(..n) else { continue };
        if iban_valid(code) {
            return (
                Some(Hit {
                    kind: Kind::Iban,
                    start: i,
                    end,
                }),
                until,
            );
        }
    }
    (None, until)
}

/// Country length and mod-97.
pub(super) fn iban_valid(code: &[u8]) -> bool {
    let n = code.len();
    let (Some(cc), Some(check)) = (code.get(..2), code.get(2..4)) else {
        return false;
    };
    if !cc.iter().all(u8::is_ascii_uppercase) || !check.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let expected = IBAN_LENGTHS
        .iter()
        .find(|(c, _)| c.as_slice() == cc)
        .map(|&(_, l)| l);
    match expected {
        Some(l) if l != n => return false,
        None if !(15..=34).contains(&n) => return false,
        _ => {}
    }
    let mut rem: u32 = 0;
    for &c in code.iter().skip(4).chain(code.iter().take(4)) {
        let v = match c {
            b'0'..=b'9' => u32::from(c - b'0'),
            b'A'..=b'Z' => u32::from(c - b'A') + 10,
            _ => return false,
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem == 1
}

/// An IPv6 address at `i`.
pub(super) fn ipv6(b: &[u8], i: usize) -> (Option<Hit>, usize) {
    let mut k = i;
    let mut colons = 0;
    while (at(b, k).is_ascii_hexdigit() || matches!(at(b, k), b':' | b'.')) && k - i < 45 {
        colons += usize::from(at(b, k) == b':');
        k += 1;
    }
    let until = k.max(i + 1);
    let mut end = k;
    while end > i
        && matches!(at(b, end - 1), b'.' | b':')
        && !b.get(i..end).is_some_and(|t| t.ends_with(b"::"))
    {
        end -= 1;
    }
    if colons < 2 || end - i < 3 || is_word(at(b, end)) && end == k || at(b, k) == b':' {
        return (None, until);
    }
    let Some(text) = b.get(i..end).and_then(|t| std::str::from_utf8(t).ok()) else {
        return (None, until);
    };
    let hex = text.bytes().filter(u8::is_ascii_hexdigit).count();
    if hex < 1 || text.parse::<std::net::Ipv6Addr>().is_err() {
        return (None, until);
    }
    (
        Some(Hit {
            kind: Kind::Ipv6,
            start: i,
            end,
        }),
        until,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iban_checksums() {
        assert!(iban_valid(b"GB82WEST12345698765432"));
        assert!(iban_valid(b"DE89370400440532013000"));
        assert!(!iban_valid(b"GB82WEST12345698765433"));
        assert!(!iban_valid(b"GB82WEST1234569876543"));
    }
}
