//! RFC 3339 UTC timestamps, written with microseconds: `2026-05-04T12:30:00.250000Z`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Formats a time as RFC 3339 in UTC with six fractional digits.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use guardrails_core::audit::format_rfc3339;
/// let t = UNIX_EPOCH + Duration::from_micros(1_767_225_600_250_000);
/// assert_eq!(format_rfc3339(t), "2026-01-01T00:00:00.250000Z");
/// ```
pub fn format_rfc3339(t: SystemTime) -> String {
    let mut out = Vec::with_capacity(27);
    push_rfc3339(&mut out, t);
    String::from_utf8(out).unwrap_or_default()
}

/// Appends [`format_rfc3339`]'s text to `out`.
pub(crate) fn push_rfc3339(out: &mut Vec<u8>, t: SystemTime) {
    let (secs, micros) = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => (
            i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            d.subsec_micros(),
        ),
        Err(e) => {
            let d = e.duration();
            let whole = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
            match d.subsec_micros() {
                0 => (-whole, 0),
                m => (-whole - 1, 1_000_000 - m),
            }
        }
    };
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    if (0..=9999).contains(&y) {
        // fixed-width digits into the fixed layout; all values are in range
        let small = |n: i64| u32::try_from(n).unwrap_or(0);
        out.extend_from_slice(&layout(small(y), small(m), small(d), small(rem), micros));
        return;
    }
    out.extend_from_slice(
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{micros:06}Z",
            rem / 3600,
            rem % 3600 / 60,
            rem % 60
        )
        .as_bytes(),
    );
}

/// The text of a time of a year in `0..=9999` (`secs`: seconds into the day), without `fmt`.
fn layout(y: u32, m: u32, d: u32, secs: u32, micros: u32) -> [u8; 27] {
    let mut b = *b"0000-00-00T00:00:00.000000Z";
    put2(&mut b, 0, y / 100);
    put2(&mut b, 2, y % 100);
    put2(&mut b, 5, m);
    put2(&mut b, 8, d);
    put2(&mut b, 11, secs / 3600);
    put2(&mut b, 14, secs % 3600 / 60);
    put2(&mut b, 17, secs % 60);
    put2(&mut b, 20, micros / 10_000);
    put2(&mut b, 22, micros / 100 % 100);
    put2(&mut b, 24, micros % 100);
    b
}

/// Writes `n` (in `0..100`) as two digits at `at`.
#[inline]
fn put2(b: &mut [u8; 27], at: usize, n: u32) {
    /// `00`, `01`, … `99`.
    static PAIRS: [[u8; 2]; 100] = pairs();
    let digits = PAIRS.get(n as usize).copied().unwrap_or(*b"00");
    if let Some(pair) = b.get_mut(at..at + 2) {
        pair.copy_from_slice(&digits);
    }
}

#[expect(
    clippy::indexing_slicing,
    reason = "a const loop over the table's own 100 indices"
)]
const fn pairs() -> [[u8; 2]; 100] {
    let mut t = [[0u8; 2]; 100];
    let mut i = 0;
    while i < 100 {
        // `i` is below 100: both digits fit a byte
        t[i] = [b'0' + (i / 10) as u8, b'0' + (i % 10) as u8];
        i += 1;
    }
    t
}

/// Whether `s` is a time in the layout the writer uses (`2026-05-04T12:30:00.250000Z`: 27
/// bytes, digits, `-`, `T`, `:`, `.`, `Z` in their places) that [`parse_rfc3339`] accepts,
/// checked without building the time. False for other layouts, which the parser may accept.
pub(crate) fn is_writer_time(s: &[u8]) -> bool {
    writer_layout(s) == Some(true)
}

/// For a text in the writer's layout (27 bytes, digits, `-`, `T`, `:`, `.`, `Z` in their
/// places), whether the date and time exist; `None` for any other text.
fn writer_layout(s: &[u8]) -> Option<bool> {
    const TEMPLATE: &[u8; 27] = b"0000-00-00T00:00:00.000000Z";
    let b: &[u8; 27] = s.try_into().ok()?;
    // XOR with the template: digits become 0..=9, the separators 0
    let mut x = [0u8; 27];
    let mut bad = 0u8;
    for ((o, &c), &t) in x.iter_mut().zip(b).zip(TEMPLATE) {
        *o = c ^ t;
        let limit = if t == b'0' { 10 } else { 1 };
        bad |= u8::from(*o >= limit);
    }
    if bad != 0 {
        return None;
    }
    let two = |at: usize| -> i64 {
        let hi = x.get(at).copied().unwrap_or(0);
        let lo = x.get(at + 1).copied().unwrap_or(0);
        i64::from(hi) * 10 + i64::from(lo)
    };
    let (y, mo, d, h, mi, sec) = (
        two(0) * 100 + two(2),
        two(5),
        two(8),
        two(11),
        two(14),
        two(17),
    );
    Some(
        (1..=12).contains(&mo)
            && d >= 1
            && d <= days_in_month(y, mo)
            && h <= 23
            && mi <= 59
            && sec <= 60,
    )
}

/// Parses an RFC 3339 time in UTC (`Z`) or with a numeric offset, with 0 to 9 fractional
/// digits. Returns `None` for anything else, including impossible dates.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use guardrails_core::audit::parse_rfc3339;
/// assert_eq!(parse_rfc3339("1970-01-01T00:00:01.5Z"), Some(UNIX_EPOCH + Duration::from_millis(1500)));
/// assert_eq!(parse_rfc3339("1970-01-01T01:00:00+01:00"), Some(UNIX_EPOCH));
/// assert_eq!(parse_rfc3339("2026-02-30T00:00:00Z"), None);
/// ```
pub fn parse_rfc3339(s: &str) -> Option<SystemTime> {
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = s.get(from..from + len)?;
        if !part.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    let at = |i: usize| b.get(i).copied();
    if at(4) != Some(b'-')
        || at(7) != Some(b'-')
        || !matches!(at(10), Some(b'T' | b't'))
        || at(13) != Some(b':')
        || at(16) != Some(b':')
    {
        return None;
    }
    let (y, mo, d, h, mi, sec) = (
        num(0, 4)?,
        num(5, 2)?,
        num(8, 2)?,
        num(11, 2)?,
        num(14, 2)?,
        num(17, 2)?,
    );
    if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 60
    {
        return None;
    }
    let mut i = 19;
    let mut nanos: u32 = 0;
    if at(i) == Some(b'.') {
        i += 1;
        let start = i;
        while at(i).is_some_and(|c| c.is_ascii_digit()) {
            i += 1;
        }
        let digits = s.get(start..i)?;
        if digits.is_empty() || digits.len() > 9 {
            return None;
        }
        let scale = 10u32.pow(9 - u32::try_from(digits.len()).ok()?);
        nanos = digits.parse::<u32>().ok()?.checked_mul(scale)?;
    }
    let offset = match (at(i), s.len()) {
        (Some(b'Z' | b'z'), n) if n == i + 1 => 0,
        (Some(sign @ (b'+' | b'-')), n) if n == i + 6 && at(i + 3) == Some(b':') => {
            let (oh, om) = (num(i + 1, 2)?, num(i + 4, 2)?);
            if oh > 23 || om > 59 {
                return None;
            }
            let o = oh * 3600 + om * 60;
            if sign == b'+' {
                o
            } else {
                -o
            }
        }
        _ => return None,
    };
    let secs = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + sec.min(59) - offset;
    let base = if secs >= 0 {
        UNIX_EPOCH.checked_add(Duration::from_secs(u64::try_from(secs).ok()?))?
    } else {
        UNIX_EPOCH.checked_sub(Duration::from_secs(secs.unsigned_abs()))?
    };
    base.checked_add(Duration::from_nanos(u64::from(nanos)))
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01.
pub(crate) fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_across_the_calendar() {
        for secs in [
            0i64,
            59,
            86_399,
            951_782_400,
            1_709_164_800,
            4_102_444_800,
            -1,
            -86_401,
            253_402_300_799,
        ] {
            let t = if secs >= 0 {
                UNIX_EPOCH + Duration::from_secs(secs as u64)
            } else {
                UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
            };
            let t = t + Duration::from_micros(123_456);
            let s = format_rfc3339(t);
            assert_eq!(parse_rfc3339(&s), Some(t), "{s}");
        }
        assert_eq!(
            format_rfc3339(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "2000-02-29T00:00:00.000000Z"
        );
        assert_eq!(
            format_rfc3339(UNIX_EPOCH - Duration::from_micros(1)),
            "1969-12-31T23:59:59.999999Z"
        );
    }

    #[test]
    fn formats_as_the_format_macro_did() {
        let slow = |t: SystemTime| {
            let d = t.duration_since(UNIX_EPOCH).unwrap();
            let secs = d.as_secs() as i64;
            let (y, m, dd) = civil_from_days(secs.div_euclid(86_400));
            let rem = secs.rem_euclid(86_400);
            format!(
                "{y:04}-{m:02}-{dd:02}T{:02}:{:02}:{:02}.{:06}Z",
                rem / 3600,
                rem % 3600 / 60,
                rem % 60,
                d.subsec_micros()
            )
        };
        let mut secs = 0u64;
        while secs < 253_402_300_800 + 86_400 * 800 {
            for micros in [0u64, 1, 999_999, 123_456] {
                let t = UNIX_EPOCH + Duration::from_secs(secs) + Duration::from_micros(micros);
                assert_eq!(format_rfc3339(t), slow(t));
            }
            secs += 86_400 * 37 + 3_761;
        }
        assert_eq!(
            format_rfc3339(UNIX_EPOCH + Duration::from_secs(253_402_300_800)),
            "10000-01-01T00:00:00.000000Z"
        );
    }

    /// The check of the writer's layout says what the parser says: across the calendar's
    /// edges (leap years, month ends, 24:00, leap seconds, year 0 and 9999) and for every
    /// one-byte edit of a written time.
    #[test]
    fn the_layout_check_agrees_with_the_parser() {
        let mut times = Vec::new();
        for y in [
            0, 1, 4, 99, 100, 400, 1900, 1969, 1970, 2000, 2023, 2024, 2100, 9999,
        ] {
            for mo in 0..=13 {
                for d in [0, 1, 28, 29, 30, 31, 32] {
                    for (h, mi, s) in [
                        (0, 0, 0),
                        (23, 59, 59),
                        (23, 59, 60),
                        (23, 59, 61),
                        (24, 0, 0),
                        (0, 60, 0),
                        (99, 99, 99),
                    ] {
                        times.push(format!(
                            "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.123456Z"
                        ));
                    }
                }
            }
        }
        let written = format_rfc3339(UNIX_EPOCH + Duration::from_micros(1_767_225_600_250_000));
        for i in 0..written.len() {
            for b in b"0123456789-T:.Zztx+ \x7f".iter().copied() {
                let mut v = written.clone().into_bytes();
                v[i] = b;
                times.push(String::from_utf8(v).unwrap());
                let mut v = written.clone().into_bytes();
                v.insert(i, b);
                times.push(String::from_utf8(v).unwrap());
            }
            let mut v = written.clone().into_bytes();
            v.remove(i);
            times.push(String::from_utf8(v).unwrap());
        }
        times.push("2026-01-01T00:00:00.25Z".into());
        times.push("2026-01-01t00:00:00.250000z".into());
        times.push("2026-01-01T00:00:00.250000+00:00".into());
        let mut in_layout = 0;
        for t in &times {
            let parsed = parse_rfc3339(t).is_some();
            if let Some(ok) = writer_layout(t.as_bytes()) {
                assert_eq!(ok, parsed, "{t}");
                in_layout += 1;
            }
            assert!(!is_writer_time(t.as_bytes()) || parsed, "{t}");
        }
        assert!(in_layout > 9_000, "{in_layout}");
        assert!(is_writer_time(written.as_bytes()));
    }

    #[test]
    fn rejects_what_is_not_rfc3339() {
        for s in [
            "",
            "2026-01-01",
            "2026-01-01 00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2025-02-29T00:00:00Z",
            "2026-01-01T24:00:00Z",
            "2026-01-01T00:00:00",
            "2026-01-01T00:00:00.Z",
            "2026-01-01T00:00:00.1234567890Z",
            "2026-01-01T00:00:00+0100",
            "+026-01-01T00:00:00Z",
        ] {
            assert_eq!(parse_rfc3339(s), None, "{s}");
        }
    }
}
