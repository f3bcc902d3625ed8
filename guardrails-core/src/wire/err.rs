//! Errors of the wire format.

/// A request that is not the contract: bad JSON, unknown fields, wrong types, unknown kinds.
/// Names the field path.
///
/// ```
/// let e = guardrails_core::wire::parse_request(r#"{"action":{"kind":"sql","text":"x"},"contxt":{}}"#).unwrap_err();
/// assert_eq!(e.to_string(), "unknown field `contxt`, expected `action` or `context`");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", if path.is_empty() { String::new() } else { format!("`{path}`: ") })]
pub struct WireError {
    path: String,
    message: String,
    code: &'static str,
}

impl WireError {
    pub(crate) fn from_path_error(e: serde_path_to_error::Error<serde_json::Error>) -> Self {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let code = if inner.is_syntax() || inner.is_eof() {
            "invalid-json"
        } else {
            "invalid-field"
        };
        let message = clean(&inner.to_string());
        let mut path = if path == "." || path == "?" {
            String::new()
        } else {
            path
        };
        // An unknown field is named in the message; the path is where it was found.
        if message.starts_with("unknown field") {
            path = path
                .rsplit_once('.')
                .map(|(parent, _)| parent.to_owned())
                .unwrap_or_default();
        }
        WireError {
            path,
            message,
            code,
        }
    }

    pub(crate) fn syntax(e: &serde_json::Error) -> Self {
        WireError {
            path: String::new(),
            message: clean(&e.to_string()),
            code: "invalid-json",
        }
    }

    /// The JSON path of the offending field, empty when the text is not JSON.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The message without the path.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// A stable code: `invalid-json` or `invalid-field`.
    pub fn code(&self) -> &str {
        self.code
    }
}

fn clean(s: &str) -> String {
    let s = s.split(" at line ").next().unwrap_or(s);
    let mut m = s.to_owned();
    if let Some(first) = m.get(..1) {
        m = first.to_lowercase() + m.get(1..).unwrap_or("");
    }
    m
}
