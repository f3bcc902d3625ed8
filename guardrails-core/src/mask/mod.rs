//! Masking: which result columns must be masked and how (from the decision), and the masker
//! that applies it to rows, JSON and text, with value detectors for what no column names.
//!
//! ```
//! use guardrails_core::{Action, Context, Dialect, Policy};
//! use serde_json::json;
//! let policy = Policy::builtin();
//! let d = policy.evaluate(
//!     &Action::sql(Dialect::Postgres, "WITH c AS (SELECT id, concat(first_name, ssn) AS x FROM people) SELECT id, x FROM c WHERE id = $1"),
//!     &Context::default(),
//! );
//! assert_eq!(d.masks[0].source, "people.ssn");
//! assert_eq!((d.masks[0].output.as_str(), d.masks[0].position), ("x", 1));
//! let row = policy.masker(&d).mask_row(&["id", "x"], &[json!(1), json!("Ann536-22-1234")]);
//! assert_eq!(row[1], json!("[ssn]"));
//! ```

mod catalogue;
mod detect;
mod err;
mod masker;
mod plan;
mod strategy;
mod stream;

pub use catalogue::{Catalogue, ColumnRule, Exemption, View};
pub use detect::{detect, Kind, Match};
pub use err::{BadKey, CatalogueError, MaskError, UnknownStrategy};
pub use masker::Masker;
pub use plan::{apply, PROBE_RULE};
pub use strategy::Strategy;
pub use stream::TextStream;
