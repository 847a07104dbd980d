//! The scenario format of `cwr run` (docs/scenario.md), without the runtime:
//! [`scenario::Scenario::parse_with`] reads and checks a whole scenario before
//! any step runs, [`message`] keeps each message as the user wrote it, and
//! [`subst`] resolves `@name` references and `$base64` objects in it, in
//! place. The `cwr` binary (feature `cli`, on by default) runs them.
//!
//! ```
//! use std::path::Path;
//! use cw_cli::scenario::Scenario;
//!
//! let no_fixtures = |name: &str| Err(format!("no fixture `{name}` here"));
//! let text = r#"{ "codes": {}, "steps": [] }"#;
//! let scenario =
//!     Scenario::parse_with(text, Path::new("empty.json"), Path::new("."), no_fixtures).unwrap();
//! assert!(scenario.steps.is_empty());
//!
//! let text = r#"{ "codes": { "cw20": "fixture:cw20_base" }, "steps": [] }"#;
//! let error = Scenario::parse_with(text, Path::new("bad.json"), Path::new("."), no_fixtures);
//! assert!(error.unwrap_err().to_string().contains("no fixture `cw20_base` here"));
//! ```

pub mod message;
pub mod scenario;
pub mod subst;
