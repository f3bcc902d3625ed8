//! Character classes shared by the analysers: invisible and look-alike characters.

/// Whether `c` is invisible (zero-width, bidi control, soft hyphen, BOM) or a letter that looks
/// like a Latin letter but is not one (Cyrillic, Greek, full-width forms).
///
/// ```
/// assert!(guardrails_core::text::is_suspicious('\u{200b}'));
/// assert!(guardrails_core::text::is_suspicious('о')); // Cyrillic o
/// assert!(!guardrails_core::text::is_suspicious('é'));
/// ```
pub fn is_suspicious(c: char) -> bool {
    is_invisible(c) || is_lookalike(c)
}

/// Zero-width characters, bidi controls, soft hyphen, byte order mark and other format characters.
///
/// ```
/// assert!(guardrails_core::text::is_invisible('\u{202e}'));
/// ```
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00ad}' | '\u{034f}' | '\u{061c}' | '\u{115f}' | '\u{1160}' | '\u{17b4}' | '\u{17b5}'
        | '\u{180e}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206f}' | '\u{3164}' | '\u{feff}' | '\u{ffa0}' | '\u{fff9}'..='\u{fffb}'
        | '\u{e0000}'..='\u{e007f}')
}

/// Letters from scripts that mimic Latin letters (Cyrillic, Greek, full-width Latin, math
/// alphanumerics), and non-ASCII spaces.
///
/// ```
/// assert!(!guardrails_core::text::is_lookalike('a'));
/// assert!(guardrails_core::text::is_lookalike('Ａ'));
/// ```
pub fn is_lookalike(c: char) -> bool {
    matches!(c,
        '\u{0370}'..='\u{03ff}' // Greek
        | '\u{0400}'..='\u{04ff}' // Cyrillic
        | '\u{0500}'..='\u{052f}'
        | '\u{ff01}'..='\u{ff5e}' // full-width ASCII
        | '\u{1d400}'..='\u{1d7ff}' // mathematical alphanumerics
        | '\u{00a0}' | '\u{2000}'..='\u{200a}' | '\u{202f}' | '\u{205f}' | '\u{3000}'
        | '\u{2212}' | '\u{2010}'..='\u{2015}')
}
