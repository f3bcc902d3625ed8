//! What flows through a pipe, a substitution or a variable: taint bits and, when it is known
//! statically, the exact content.

/// Downloaded from the network.
pub(crate) const DOWNLOAD: u16 = 1;
/// Decoded (base64, hex, compression, reversal).
pub(crate) const DECODED: u16 = 1 << 1;
/// Assembled from pieces (printf formats, escapes).
pub(crate) const ASSEMBLED: u16 = 1 << 2;
/// Credentials or keys.
pub(crate) const SECRET: u16 = 1 << 3;
/// A database dump.
pub(crate) const DUMP: u16 = 1 << 4;
/// The environment (may hold secrets).
pub(crate) const ENV: u16 = 1 << 5;
/// Shell history.
pub(crate) const HISTORY: u16 = 1 << 6;
/// Host identity (user, host name): the payload of DNS tricks.
pub(crate) const IDENTITY: u16 = 1 << 7;
/// Content of a file not named in the line, or of a tool's output: unknown.
pub(crate) const OPAQUE: u16 = 1 << 8;
/// An archive of local data.
pub(crate) const DATA: u16 = 1 << 9;
/// The current crontab (`crontab -l`).
pub(crate) const CRONTAB: u16 = 1 << 10;

/// Taint bits that make content run by a shell or interpreter hidden code.
pub(crate) const HIDDEN: u16 = DECODED | ASSEMBLED;
/// Taint bits that must not reach the network.
pub(crate) const SENSITIVE: u16 = SECRET | DUMP | ENV | HISTORY;

/// A data flow.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Flow {
    pub bits: u16,
    /// The exact content, when known statically.
    pub content: Option<String>,
    /// For lists of paths (find, ls): the pattern every item matches.
    pub paths: Option<String>,
}

impl Flow {
    pub(crate) fn bits(bits: u16) -> Flow {
        Flow {
            bits,
            content: None,
            paths: None,
        }
    }

    pub(crate) fn text(content: impl Into<String>) -> Flow {
        Flow {
            bits: 0,
            content: Some(content.into()),
            paths: None,
        }
    }

    pub(crate) fn has(&self, bits: u16) -> bool {
        self.bits & bits != 0
    }

    /// Whether nothing flowed at all.
    fn is_empty(&self) -> bool {
        self.bits == 0 && self.content.is_none() && self.paths.is_none()
    }

    /// Joins two flows that both reach the same place (one after the other).
    pub(crate) fn merge(&mut self, other: &Flow) {
        let (self_empty, other_empty) = (self.is_empty(), other.is_empty());
        self.content = match (self.content.take(), &other.content) {
            (Some(a), Some(b)) => Some(a + b),
            (Some(a), None) if other_empty => Some(a),
            (None, Some(b)) if self_empty => Some(b.clone()),
            _ => None,
        };
        self.bits |= other.bits;
        if self.paths.is_none() {
            self.paths.clone_from(&other.paths);
        }
    }

    /// The same taint, content unknown (after a transformation).
    pub(crate) fn opaque(&self) -> Flow {
        Flow {
            bits: self.bits,
            content: None,
            paths: None,
        }
    }

    /// The same taint and path list, content unknown (after a filter such as `grep`).
    pub(crate) fn filtered(&self) -> Flow {
        Flow {
            bits: self.bits,
            content: None,
            paths: self.paths.clone(),
        }
    }
}
