//! Digit-based detectors: payment cards (Luhn and issuer ranges), US SSNs, phone numbers
//! (E.164, NANP, trunk-prefixed national forms) and IPv4 addresses.
//!
//! A run of digit groups with short separators is read once; then its prefixes (longest first,
//! cut only at a space) are tried against each shape.

use super::{at, is_word, Hit, Kind};

/// The longest run read, in bytes.
const MAX_RUN: usize = 48;
/// The most digit groups read.
const MAX_GROUPS: usize = 8;

struct Run {
    /// `+` or `(` before the first digit, if any.
    lead: u8,
    /// Digit groups `[start, end)`.
    groups: Vec<(usize, usize)>,
    /// The separator before each group after the first, as a byte string.
    seps: Vec<(usize, usize)>,
}

/// Tries every digit-based detector at `i`. Returns the hit, if any, and how far the run went
/// (nothing before that is examined again by this family).
pub(super) fn numeric(b: &[u8], i: usize) -> (Option<Hit>, usize) {
    let Some(run) = read_run(b, i) else {
        return (None, i + 1);
    };
    let run_end = run.groups.last().map_or(i + 1, |g| g.1);
    for k in (1..=run.groups.len()).rev() {
        let Some(&(_, end)) = run.groups.get(k - 1) else {
            continue;
        };
        // A shorter prefix is only a candidate when a space follows it.
        if k < run.groups.len() {
            let Some(&(s, e)) = run.seps.get(k - 1) else {
                continue;
            };
            if b.get(s..e) != Some(b" ".as_slice()) {
                continue;
            }
        } else if is_word(at(b, end)) {
            continue;
        }
        let groups = run.groups.get(..k).unwrap_or(&[]);
        let seps = run.seps.get(..k - 1).unwrap_or(&[]);
        let view = View {
            b,
            lead: run.lead,
            groups,
            seps,
        };
        let start = if run.lead != 0 {
            i
        } else {
            groups.first().map_or(i, |g| g.0)
        };
        if let Some(kind) = view.classify() {
            return (Some(Hit { kind, start, end }), end);
        }
    }
    (None, run_end)
}

fn read_run(b: &[u8], i: usize) -> Option<Run> {
    let mut j = i;
    let lead = match at(b, j) {
        c @ (b'+' | b'(') => {
            j += 1;
            c
        }
        _ => 0,
    };
    if !at(b, j).is_ascii_digit() {
        return None;
    }
    let mut groups = Vec::new();
    let mut seps = Vec::new();
    loop {
        let s = j;
        while at(b, j).is_ascii_digit() && j - i < MAX_RUN {
            j += 1;
        }
        groups.push((s, j));
        if groups.len() >= MAX_GROUPS || j - i >= MAX_RUN {
            break;
        }
        // A separator: one of ` -.` or `)`, `) `, ` (`; then a digit.
        let sep_start = j;
        let mut k = j;
        match at(b, k) {
            b')' => {
                k += 1;
                if at(b, k) == b' ' {
                    k += 1;
                }
            }
            b' ' => {
                k += 1;
                if at(b, k) == b'(' {
                    k += 1;
                }
            }
            b'-' | b'.' => k += 1,
            _ => break,
        }
        if !at(b, k).is_ascii_digit() {
            break;
        }
        seps.push((sep_start, k));
        j = k;
    }
    Some(Run { lead, groups, seps })
}

struct View<'a> {
    b: &'a [u8],
    lead: u8,
    groups: &'a [(usize, usize)],
    seps: &'a [(usize, usize)],
}

impl View<'_> {
    fn lens(&self) -> Vec<usize> {
        self.groups.iter().map(|g| g.1 - g.0).collect()
    }

    fn digits(&self) -> Vec<u8> {
        self.groups
            .iter()
            .flat_map(|&(s, e)| self.b.get(s..e).unwrap_or(&[]).iter().map(|d| d - b'0'))
            .collect()
    }

    fn sep(&self, n: usize) -> &[u8] {
        self.seps
            .get(n)
            .and_then(|&(s, e)| self.b.get(s..e))
            .unwrap_or(&[])
    }

    /// Whether every separator is the same single byte, one of `allowed`.
    fn uniform(&self, allowed: &[u8]) -> bool {
        let first = self.sep(0);
        first.len() == 1
            && first.first().is_some_and(|c| allowed.contains(c))
            && (1..self.seps.len()).all(|n| self.sep(n) == first)
    }

    fn classify(&self) -> Option<Kind> {
        let lens = self.lens();
        let digits = self.digits();
        if self.lead == 0 {
            if lens.len() == 4 && self.uniform(b".") && lens.iter().all(|&l| l <= 3) {
                return self.ipv4().then_some(Kind::Ipv4);
            }
            if lens == [3, 2, 4] && self.uniform(b"- ") && ssn_valid(&digits) {
                return Some(Kind::Ssn);
            }
            if (13..=19).contains(&digits.len())
                && (lens.len() == 1 || self.uniform(b" -"))
                && card_valid(&digits)
            {
                return Some(Kind::Card);
            }
        }
        self.phone(&lens, &digits).then_some(Kind::Phone)
    }

    fn ipv4(&self) -> bool {
        let (Some(&(s, _)), Some(&(_, e))) = (self.groups.first(), self.groups.last()) else {
            return false;
        };
        let text = self
            .b
            .get(s..e)
            .and_then(|t| std::str::from_utf8(t).ok())
            .unwrap_or("");
        // Not part of a longer dotted run (`1.2.3.4.5`).
        !(at(self.b, e) == b'.' && at(self.b, e + 1).is_ascii_digit())
            && text.parse::<std::net::Ipv4Addr>().is_ok()
    }

    fn phone(&self, lens: &[usize], digits: &[u8]) -> bool {
        let n = digits.len();
        let first = digits.first().copied().unwrap_or(0);
        match self.lead {
            b'+' => {
                (8..=15).contains(&n) && first != 0 && self.seps.iter().all(|&(s, e)| e - s <= 2)
            }
            b'(' => {
                lens.len() == 3
                    && lens == [3, 3, 4]
                    && matches!(self.sep(0), b")" | b") ")
                    && matches!(self.sep(1), b"-" | b"." | b" ")
                    && nanp_valid(digits)
            }
            _ => {
                if lens == [3, 3, 4] && self.uniform(b"-.") {
                    return nanp_valid(digits);
                }
                if lens == [1, 3, 3, 4] && first == 1 && self.uniform(b"-. ") {
                    return nanp_valid(digits.get(1..).unwrap_or(&[]));
                }
                // Trunk-prefixed national numbers: `020 7946 0958`, `06 12 34 56 78`.
                first == 0
                    && digits.get(1).is_some_and(|&d| d != 0)
                    && (2..=5).contains(&lens.len())
                    && (10..=11).contains(&n)
                    && lens.first().is_some_and(|&l| (2..=5).contains(&l))
                    && lens.iter().all(|&l| l >= 2)
                    && self.uniform(b" -")
            }
        }
    }
}

/// North American numbering plan: area and exchange codes start with 2–9.
fn nanp_valid(d: &[u8]) -> bool {
    d.len() == 10 && d.first().is_some_and(|&a| a >= 2) && d.get(3).is_some_and(|&x| x >= 2)
}

/// Whether nine digits are a possible SSN: area not 000, 666 or 900–999, group not 00, serial
/// not 0000, and not one of the numbers the SSA voided after misuse.
pub(super) fn ssn_valid(d: &[u8]) -> bool {
    if d.len() != 9 {
        return false;
    }
    let num = |r: std::ops::Range<usize>| {
        d.get(r)
            .unwrap_or(&[])
            .iter()
            .fold(0u32, |a, &x| a * 10 + u32::from(x))
    };
    let (area, group, serial) = (num(0..3), num(3..5), num(5..9));
    let voided = matches!(
        (area, group, serial),
        (78, 5, 1120) | (219, 9, 9999) | (123, 45, 6789)
    );
    area != 0 && area != 666 && area < 900 && group != 0 && serial != 0 && !voided
}

/// Luhn checksum over digits.
pub(super) fn luhn(d: &[u8]) -> bool {
    let sum: u32 = d
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &x)| {
            let x = u32::from(x);
            if i % 2 == 1 {
                let y = x * 2;
                if y > 9 {
                    y - 9
                } else {
                    y
                }
            } else {
                x
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Luhn-valid and in a known issuer range with a length that issuer uses.
pub(super) fn card_valid(d: &[u8]) -> bool {
    let n = d.len();
    let prefix = |k: usize| {
        d.get(..k)
            .unwrap_or(&[])
            .iter()
            .fold(0u32, |a, &x| a * 10 + u32::from(x))
    };
    let (p1, p2, p3, p4, p6) = (prefix(1), prefix(2), prefix(3), prefix(4), prefix(6));
    let issuer = match p1 {
        4 => matches!(n, 13 | 16 | 19), // Visa
        5 => {
            (51..=55).contains(&p2) && n == 16
                || (p2 == 50 || (56..=58).contains(&p2)) && (12..=19).contains(&n)
        } // Mastercard, Maestro
        2 => (2221..=2720).contains(&p4) && n == 16, // Mastercard 2-series
        3 => {
            (p2 == 34 || p2 == 37) && n == 15                                     // Amex
                || (3528..=3589).contains(&p4) && (16..=19).contains(&n)          // JCB
                || ((300..=305).contains(&p3) || p2 == 36 || p2 == 38 || p2 == 39) && (14..=19).contains(&n)
            // Diners
        }
        6 => {
            (p4 == 6011 || (644..=649).contains(&p3) || p2 == 65 || (622_126..=622_925).contains(&p6)) && (16..=19).contains(&n) // Discover
                || p2 == 62 && (16..=19).contains(&n)                             // UnionPay
                || (p2 == 63 || p2 == 67 || p2 == 60 || p2 == 61 || p2 == 64 || p2 == 66 || p2 == 68 || p2 == 69) && (12..=19).contains(&n)
            // Maestro
        }
        _ => false,
    };
    issuer && luhn(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ds(s: &str) -> Vec<u8> {
        s.bytes()
            .filter(u8::is_ascii_digit)
            .map(|c| c - b'0')
            .collect()
    }

    #[test]
    fn luhn_and_issuers() {
        assert!(card_valid(&ds("4111111111111111")));
        assert!(!card_valid(&ds("4111111111111112")));
        assert!(card_valid(&ds("378282246310005")));
        assert!(card_valid(&ds("5555555555554444")));
        assert!(card_valid(&ds("2223003122003222")));
        assert!(card_valid(&ds("6011111111111117")));
        assert!(card_valid(&ds("3530111333300000")));
        // Luhn-valid but no issuer starts with 9.
        assert!(luhn(&ds("9999999999999995")));
        assert!(!card_valid(&ds("9999999999999995")));
    }

    #[test]
    fn ssn_rules() {
        assert!(ssn_valid(&ds("536-22-1234")));
        for bad in [
            "000-12-3456",
            "666-12-3456",
            "912-12-3456",
            "536-00-1234",
            "536-22-0000",
            "078-05-1120",
        ] {
            assert!(!ssn_valid(&ds(bad)), "{bad}");
        }
    }
}
