//! The audit key: 32 bytes that key the chain's BLAKE3 hashes and the stored fingerprints.

use std::io::{Read, Write};
use std::path::Path;

use super::err::{IoFailure, ParseError};

/// A 32-byte key for [`blake3::keyed_hash`]. Without it nobody can recompute a keyed chain,
/// so an edited log is detected even when the whole file was rewritten.
///
/// Its text form (key files) is 64 hex digits. `Debug` never prints the key itself.
///
/// ```
/// use guardrails_core::audit::AuditKey;
/// let key: AuditKey = "00".repeat(32).parse()?;
/// assert_eq!(key.id().len(), 16);
/// assert!(!format!("{key:?}").contains("0000"));
/// # Ok::<(), guardrails_core::audit::ParseError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct AuditKey([u8; 32]);

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AuditKey(id {})", self.id())
    }
}

impl std::str::FromStr for AuditKey {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let bad = || {
            ParseError(format!(
                "an audit key is 64 hex digits (32 bytes), got {} characters",
                s.chars().count()
            ))
        };
        if s.len() != 64 {
            return Err(bad());
        }
        let mut out = [0u8; 32];
        for (i, byte) in out.iter_mut().enumerate() {
            let pair = s.get(2 * i..2 * i + 2).ok_or_else(bad)?;
            *byte = u8::from_str_radix(pair, 16).map_err(|_| bad())?;
        }
        Ok(AuditKey(out))
    }
}

impl AuditKey {
    /// A key from raw bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        AuditKey(bytes)
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The key as 64 lowercase hex digits (the key file format).
    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }

    /// A short public identifier of the key, written in every record so that verifying with
    /// the wrong key is named as such: the first 8 bytes (hex) of
    /// `blake3::keyed_hash(key, "access-guardrails audit key id")`. It reveals nothing of the key.
    pub fn id(&self) -> String {
        let h = blake3::keyed_hash(&self.0, b"access-guardrails audit key id");
        hex(h.as_bytes().get(..8).unwrap_or(&[]))
    }

    /// A fresh random key from the operating system (`/dev/urandom`).
    ///
    /// ```
    /// # #[cfg(unix)] {
    /// let (a, b) = (guardrails_core::audit::AuditKey::generate()?, guardrails_core::audit::AuditKey::generate()?);
    /// assert_ne!(a, b);
    /// # }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn generate() -> std::io::Result<Self> {
        let mut bytes = [0u8; 32];
        std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
        Ok(AuditKey(bytes))
    }

    /// Reads a key file (64 hex digits, surrounding whitespace ignored).
    pub fn load(path: &Path) -> Result<Self, KeyFileError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| KeyFileError::Io(IoFailure::new("read key file", path, e)))?;
        text.parse().map_err(|e: ParseError| {
            KeyFileError::Invalid(ParseError(format!("`{}`: {}", path.display(), e.0)))
        })
    }

    /// Reads the key file at `path`, or creates it with a fresh key (mode 0600 on Unix) when
    /// it does not exist. Returns the key and whether it was created. Safe when several
    /// processes race to create it: the file appears whole (written aside, then linked).
    pub fn load_or_create(path: &Path) -> Result<(Self, bool), KeyFileError> {
        if path.exists() {
            return Self::load(path).map(|k| (k, false));
        }
        let key = Self::generate()
            .map_err(|e| KeyFileError::Io(IoFailure::new("generate a key for", path, e)))?;
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        let write = || -> std::io::Result<()> {
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
            let mut f = opts.open(&tmp)?;
            f.write_all(format!("{}\n", key.to_hex()).as_bytes())?;
            f.sync_all()
        };
        let linked = write().and_then(|()| std::fs::hard_link(&tmp, path));
        let _ = std::fs::remove_file(&tmp);
        match linked {
            Ok(()) => Ok((key, true)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                Self::load(path).map(|k| (k, false))
            }
            Err(e) => Err(KeyFileError::Io(IoFailure::new("create key file", path, e))),
        }
    }
}

/// A key file that cannot be read, created, or is not a key.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyFileError {
    /// Reading or creating the file failed.
    #[error(transparent)]
    Io(IoFailure),
    /// The file does not hold a key.
    #[error(transparent)]
    Invalid(ParseError),
}

/// Lowercase hex of bytes.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}
