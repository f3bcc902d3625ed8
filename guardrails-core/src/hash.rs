//! BLAKE3 (plain, keyed or derive-key) of inputs of one chunk, up to 1024 bytes: every audit
//! record line, stored fingerprint and decision fingerprint, in portable code. Longer inputs go
//! to the `blake3` crate. And the lowercase hex digests are written in ([`hex32`]).
//!
//! Why: hashing one chunk is a chain of 64-byte block compressions, each needing the last
//! one's result. The crate picks its SIMD compression (AVX-512 on the development machine, an
//! AMD EPYC), which computes one compression's four columns side by side but is slower along
//! that chain than plain 32-bit code with its four independent columns: 80 ns against 50 ns a
//! block there (SIMD pays off when the crate hashes many chunks at once, which inputs this
//! short never have). The audit hashes ~10 blocks a record: this takes about a third off an
//! append or a verify. A decision's fingerprint is one or two blocks, and the crate's hasher
//! in derive-key mode is ~2 KiB to copy before it starts. Same function, same bytes: tests
//! compare it with the crate for every length up to 1024 and beyond, in every mode.

/// The BLAKE3 IV (the SHA-256 one).
const IV: [u32; 8] = [
    0x6A09_E667,
    0xBB67_AE85,
    0x3C6E_F372,
    0xA54F_F53A,
    0x510E_527F,
    0x9B05_688C,
    0x1F83_D9AB,
    0x5BE0_CD19,
];

const CHUNK_LEN: usize = 1024;
const CHUNK_START: u32 = 1;
const CHUNK_END: u32 = 2;
const ROOT: u32 = 8;
const KEYED_HASH: u32 = 16;
#[cfg(test)]
const DERIVE_KEY_CONTEXT: u32 = 32;
const DERIVE_KEY_MATERIAL: u32 = 64;

/// BLAKE3 of `input`, keyed with `key` when given: `blake3::keyed_hash` or `blake3::hash`.
pub(crate) fn hash(key: Option<&[u8; 32]>, input: &[u8]) -> blake3::Hash {
    if input.len() > CHUNK_LEN {
        return match key {
            Some(k) => blake3::keyed_hash(k, input),
            None => blake3::hash(input),
        };
    }
    let (cv, mode) = match key {
        Some(k) => (words(k), KEYED_HASH),
        None => (IV, 0),
    };
    digest(one_chunk(cv, mode, input))
}

/// A derive-key context: its string and the key BLAKE3 derives from it, worked out once
/// (by [`DeriveContext::new`], or written down as a constant and checked by a test).
pub(crate) struct DeriveContext {
    /// The context string.
    pub text: &'static str,
    /// Its context key, as little-endian words.
    pub key: [u32; 8],
}

impl DeriveContext {
    /// The context for `text`, which must be at most one chunk (1024 bytes) long; `None`
    /// otherwise.
    #[cfg(test)]
    pub(crate) fn new(text: &'static str) -> Option<Self> {
        (text.len() <= CHUNK_LEN).then(|| DeriveContext {
            text,
            key: one_chunk(IV, DERIVE_KEY_CONTEXT, text.as_bytes()),
        })
    }
}

/// BLAKE3 in derive-key mode: what `blake3::Hasher::new_derive_key(context.text)` gives for
/// `material`.
pub(crate) fn derive_key(context: &DeriveContext, material: &[u8]) -> blake3::Hash {
    if material.len() > CHUNK_LEN {
        let mut h = blake3::Hasher::new_derive_key(context.text);
        h.update(material);
        return h.finalize();
    }
    digest(one_chunk(context.key, DERIVE_KEY_MATERIAL, material))
}

/// The output bytes of a root chaining value.
fn digest(cv: [u32; 8]) -> blake3::Hash {
    let mut out = [0u8; 32];
    for (o, w) in out.chunks_exact_mut(4).zip(cv) {
        o.copy_from_slice(&w.to_le_bytes());
    }
    blake3::Hash::from_bytes(out)
}

/// Lowercase hex of 32 bytes (a digest), 4 bytes (8 digits) at a time, without `fmt`: every
/// audit line and every decision's fingerprint is written with it.
pub(crate) fn hex32(bytes: &[u8; 32]) -> [u8; 64] {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let mut out = [0u8; 64];
    for (digits, chunk) in out.chunks_exact_mut(8).zip(bytes.chunks_exact(4)) {
        let mut four = [0u8; 4];
        four.copy_from_slice(chunk);
        // the 4 bytes spread to every other byte, then each byte's nibbles side by side:
        // high nibble first, as the text reads
        let v = u64::from(u32::from_le_bytes(four));
        let v = (v | v << 16) & 0x0000_ffff_0000_ffff;
        let v = (v | v << 8) & 0x00ff_00ff_00ff_00ff;
        let n = (v >> 4 & 0x000f_000f_000f_000f) | (v & 0x000f_000f_000f_000f) << 8;
        // `0`..`9` from 0x30, `a`..`f` 39 further (bit 4 of `n + 6` is set for 10..=15)
        let letters = (n + ONES * 6) >> 4 & ONES;
        let text = n + ONES * u64::from(b'0') + letters * 39;
        digits.copy_from_slice(&text.to_le_bytes());
    }
    out
}

/// The root chaining value of `input` (at most one chunk) from `cv`, with the mode's flag.
fn one_chunk(mut cv: [u32; 8], mode: u32, input: &[u8]) -> [u32; 8] {
    // one block at least (an empty input is one empty block), the last one partial
    let last = input.len().saturating_sub(1) / 64;
    let mut blocks = input.chunks(64);
    for i in 0..=last {
        let block = blocks.next().unwrap_or_default();
        let words = match <&[u8; 64]>::try_from(block) {
            Ok(full) => words(full),
            Err(_) => {
                let mut padded = [0u8; 64];
                for (p, &b) in padded.iter_mut().zip(block) {
                    *p = b;
                }
                words(&padded)
            }
        };
        let mut flags = mode;
        if i == 0 {
            flags |= CHUNK_START;
        }
        if i == last {
            flags |= CHUNK_END | ROOT;
        }
        // a block is at most 64 bytes: the cast cannot truncate
        cv = compress(&cv, &words, block.len() as u32, flags);
    }
    cv
}

/// Little-endian 32-bit words of `bytes` (`N` = 4 × `W`).
#[inline(always)]
fn words<const N: usize, const W: usize>(bytes: &[u8; N]) -> [u32; W] {
    let mut out = [0u32; W];
    for (w, c) in out.iter_mut().zip(bytes.chunks_exact(4)) {
        if let Some(c) = c.first_chunk::<4>() {
            *w = u32::from_le_bytes(*c);
        }
    }
    out
}

/// The compression function of one block of the first chunk (counter 0): the new chaining
/// value, which for the root block is the hash.
#[inline(always)]
fn compress(cv: &[u32; 8], block: &[u32; 16], len: u32, flags: u32) -> [u32; 8] {
    let [c0, c1, c2, c3, c4, c5, c6, c7] = *cv;
    let [i0, i1, i2, i3, ..] = IV;
    let mut s = [
        c0, c1, c2, c3, c4, c5, c6, c7, i0, i1, i2, i3, 0, 0, len, flags,
    ];
    // Seven rounds, the message words permuted between them. Written out: as a loop the
    // compiler did not unroll it and verify measured ~12% slower.
    let mut m = *block;
    round(&mut s, &m);
    m = permute(&m);
    round(&mut s, &m);
    m = permute(&m);
    round(&mut s, &m);
    m = permute(&m);
    round(&mut s, &m);
    m = permute(&m);
    round(&mut s, &m);
    m = permute(&m);
    round(&mut s, &m);
    m = permute(&m);
    round(&mut s, &m);
    let [s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15] = s;
    [
        s0 ^ s8,
        s1 ^ s9,
        s2 ^ s10,
        s3 ^ s11,
        s4 ^ s12,
        s5 ^ s13,
        s6 ^ s14,
        s7 ^ s15,
    ]
}

/// The columns, then the diagonals.
#[inline(always)]
fn round(s: &mut [u32; 16], m: &[u32; 16]) {
    let [m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15] = *m;
    g::<0, 4, 8, 12>(s, m0, m1);
    g::<1, 5, 9, 13>(s, m2, m3);
    g::<2, 6, 10, 14>(s, m4, m5);
    g::<3, 7, 11, 15>(s, m6, m7);
    g::<0, 5, 10, 15>(s, m8, m9);
    g::<1, 6, 11, 12>(s, m10, m11);
    g::<2, 7, 8, 13>(s, m12, m13);
    g::<3, 4, 9, 14>(s, m14, m15);
}

/// The message permutation between rounds.
#[inline(always)]
fn permute(m: &[u32; 16]) -> [u32; 16] {
    let [m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15] = *m;
    [
        m2, m6, m3, m10, m7, m0, m4, m13, m1, m11, m12, m5, m9, m14, m15, m8,
    ]
}

/// The quarter-round.
#[inline(always)]
#[expect(
    clippy::indexing_slicing,
    reason = "constant indices below 16 into a 16-word array"
)]
fn g<const A: usize, const B: usize, const C: usize, const D: usize>(
    s: &mut [u32; 16],
    x: u32,
    y: u32,
) {
    s[A] = s[A].wrapping_add(s[B]).wrapping_add(x);
    s[D] = (s[D] ^ s[A]).rotate_right(16);
    s[C] = s[C].wrapping_add(s[D]);
    s[B] = (s[B] ^ s[C]).rotate_right(12);
    s[A] = s[A].wrapping_add(s[B]).wrapping_add(y);
    s[D] = (s[D] ^ s[A]).rotate_right(8);
    s[C] = s[C].wrapping_add(s[D]);
    s[B] = (s[B] ^ s[C]).rotate_right(7);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The crate's hash, plain and keyed, for every length of one chunk and some beyond,
    /// over varied bytes and keys.
    #[test]
    fn is_the_blake3_crates_hash() {
        let mut rng = crate::testrng::Rng::new(1);
        let data: Vec<u8> = (0..1200).map(|_| rng.next() as u8).collect();
        let keys = [[0u8; 32], [0xff; 32], std::array::from_fn(|i| i as u8)];
        for len in 0..=1200 {
            let input = &data[..len];
            assert_eq!(hash(None, input), blake3::hash(input), "{len}");
            for k in &keys {
                assert_eq!(hash(Some(k), input), blake3::keyed_hash(k, input), "{len}");
            }
        }
        for _ in 0..2000 {
            let len = rng.below(1100);
            let start = rng.below(100);
            let input = &data[start..start + len];
            let key: [u8; 32] = std::array::from_fn(|_| rng.next() as u8);
            assert_eq!(hash(Some(&key), input), blake3::keyed_hash(&key, input));
            assert_eq!(hash(None, input), blake3::hash(input));
        }
    }

    /// Derive-key mode against the crate, for every length of one chunk and some beyond.
    #[test]
    fn derive_key_is_the_crates() {
        let mut rng = crate::testrng::Rng::new(2);
        let data: Vec<u8> = (0..1200).map(|_| rng.next() as u8).collect();
        for text in ["", "access-guardrails test context", "a context\u{1f980}"] {
            let Some(context) = DeriveContext::new(text) else {
                panic!("a short context");
            };
            for len in 0..=1200 {
                let mut h = blake3::Hasher::new_derive_key(text);
                h.update(&data[..len]);
                assert_eq!(derive_key(&context, &data[..len]), h.finalize(), "{len}");
            }
        }
        assert!(DeriveContext::new(include_str!("hash.rs")).is_none());
    }
}
