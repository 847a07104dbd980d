//! Scenarios: reading a file and checking it whole before any step runs,
//! so a typo in step 9 does not surface after steps 1 to 8 already ran.

pub mod model;

use std::path::{Path, PathBuf};

use serde_json::Value;

pub use self::model::{EnvSpec, Expect, ScenarioFile, StepSpec};
use crate::message::tree::{self, Node};
use crate::subst::{check_shape, is_name, name_of};

/// The prefix of a code source naming a fixture (`fixture:cw20_base`).
pub const FIXTURE_PREFIX: &str = "fixture:";

/// Why a scenario cannot run. Reported before any step runs; exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file cannot be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid JSON or not a scenario (serde names the line and
    /// column).
    #[error("{path}: malformed scenario: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// The parse error, with its line and column.
        source: serde_json::Error,
    },
    /// `env` is invalid.
    #[error("{path}: env: {message}")]
    Env {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A code source is invalid or unreadable.
    #[error("{path}: codes.{name}: {message}")]
    Code {
        /// The file.
        path: PathBuf,
        /// The code's name.
        name: String,
        /// What is wrong.
        message: String,
    },
    /// The file nests arrays or objects deeper than a message may.
    #[error("{path}: nested more than {limit} arrays or objects deep")]
    TooDeep {
        /// The file.
        path: PathBuf,
        /// The limit.
        limit: usize,
    },
    /// A step is invalid (steps are numbered from 1).
    #[error("{path}: step {index} ({op}): {message}")]
    Step {
        /// The file.
        path: PathBuf,
        /// The step's number, from 1.
        index: usize,
        /// The step's `op`, or `?`.
        op: String,
        /// What is wrong.
        message: String,
    },
}

/// Where a code's Wasm comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeSource {
    /// A fixture built by `xtask` (built first if missing).
    Fixture(String),
    /// A file (relative paths are relative to the scenario's folder).
    File(PathBuf),
}

/// A checked scenario: every code reference, alias, contract reference,
/// account and block move is known to be well formed.
#[derive(Debug)]
pub struct Scenario {
    /// The file it came from (for messages).
    pub path: PathBuf,
    /// The chain settings.
    pub env: EnvSpec,
    /// Codes in id order (code id = position + 1).
    pub codes: Vec<(String, CodeSource)>,
    /// The steps.
    pub steps: Vec<StepSpec>,
}

/// Decides whether `fixture:NAME` names a known fixture: `Ok`, or why not.
pub type FixtureCheck = fn(&str) -> Result<(), String>;

/// The fixtures `cargo xtask build-fixtures` knows how to build.
///
/// # Errors
/// The unknown name and the known ones.
#[cfg(feature = "cli")]
pub fn xtask_fixture(name: &str) -> Result<(), String> {
    xtask::fixtures::spec(name)
        .map(drop)
        .map_err(|e| format!("{e:#}"))
}

impl Scenario {
    /// Reads and checks the scenario at `path`.
    ///
    /// # Errors
    /// [`ScenarioError`] naming the line and column, or the step.
    #[cfg(feature = "cli")]
    pub fn from_file(path: &Path) -> Result<Self, ScenarioError> {
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
            path: path.to_owned(),
            source,
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        Self::parse(&text, path, base)
    }

    /// Checks the scenario `text`; relative code paths are taken from
    /// `base`, `path` names the file in messages, fixture names are those
    /// of [`xtask_fixture`].
    ///
    /// # Errors
    /// [`ScenarioError`].
    #[cfg(feature = "cli")]
    pub fn parse(text: &str, path: &Path, base: &Path) -> Result<Self, ScenarioError> {
        Self::parse_with(text, path, base, xtask_fixture)
    }

    /// Checks the scenario `text` as [`Scenario::parse`] does, with
    /// `fixtures` deciding which `fixture:NAME` sources exist.
    ///
    /// # Errors
    /// [`ScenarioError`].
    pub fn parse_with(
        text: &str,
        path: &Path,
        base: &Path,
        fixtures: FixtureCheck,
    ) -> Result<Self, ScenarioError> {
        let file: ScenarioFile =
            serde_json::from_str(text).map_err(|source| ScenarioError::Json {
                path: path.to_owned(),
                source,
            })?;
        // The same text split without decoding, for the messages' own text.
        let whole = tree::parse(text).map_err(|tree::TreeError| ScenarioError::TooDeep {
            path: path.to_owned(),
            limit: tree::MAX_DEPTH,
        })?;
        let step_nodes = match whole.member("steps") {
            Ok(Some(Node {
                kind: tree::Kind::Array(items),
                ..
            })) => items.as_slice(),
            _ => &[],
        };
        Checker::new(path, &file.env)?.check(file, step_nodes, base, fixtures)
    }
}

/// The static checks, walking the steps in order.
struct Checker<'a> {
    path: &'a Path,
    prefix: String,
    aliases: Vec<String>,
    height: u64,
    time_nanos: u64,
}

impl<'a> Checker<'a> {
    fn new(path: &'a Path, env: &EnvSpec) -> Result<Self, ScenarioError> {
        let env_error = |message: String| ScenarioError::Env {
            path: path.to_owned(),
            message,
        };
        let hrp = bech32::Hrp::parse(&env.bech32_prefix)
            .map_err(|e| env_error(format!("bech32_prefix {:?}: {e}", env.bech32_prefix)))?;
        if hrp.as_str() != env.bech32_prefix.to_ascii_lowercase() || env.bech32_prefix.is_empty() {
            return Err(env_error(format!(
                "bech32_prefix {:?} is not a lowercase bech32 prefix",
                env.bech32_prefix
            )));
        }
        if env.chain_id.is_empty() {
            return Err(env_error("chain_id must not be empty".into()));
        }
        let checker = Self {
            path,
            prefix: env.bech32_prefix.clone(),
            aliases: Vec::new(),
            height: env.height,
            time_nanos: env.time_nanos,
        };
        for (account, _) in &env.balances.0 {
            if !checker.is_account(account) {
                return Err(env_error(format!(
                    "balances: `{account}` is neither `@name` nor a `{}` address",
                    checker.prefix
                )));
            }
        }
        Ok(checker)
    }

    /// A valid bech32 address with the chain's prefix.
    fn is_address(&self, text: &str) -> bool {
        bech32::decode(text).is_ok_and(|(hrp, _)| hrp.as_str() == self.prefix)
    }

    fn is_account(&self, text: &str) -> bool {
        name_of(text).is_some() || self.is_address(text)
    }

    fn check(
        mut self,
        file: ScenarioFile,
        step_nodes: &[Node<'_>],
        base: &Path,
        fixtures: FixtureCheck,
    ) -> Result<Scenario, ScenarioError> {
        let codes = file
            .codes
            .0
            .into_iter()
            .map(|(name, source)| {
                let source = code_source(&source, base, fixtures).map_err(|message| {
                    ScenarioError::Code {
                        path: self.path.to_owned(),
                        name: name.clone(),
                        message,
                    }
                })?;
                Ok((name, source))
            })
            .collect::<Result<Vec<_>, ScenarioError>>()?;
        let mut steps = Vec::with_capacity(file.steps.len());
        for (i, raw) in file.steps.into_iter().enumerate() {
            let index = i + 1;
            let op = raw
                .get("op")
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_owned();
            let fail = |message: String| ScenarioError::Step {
                path: self.path.to_owned(),
                index,
                op: op.clone(),
                message,
            };
            let raw = with_message_texts(raw, step_nodes.get(i)).map_err(&fail)?;
            let step: StepSpec = serde_json::from_value(raw).map_err(|e| fail(e.to_string()))?;
            self.check_step(&step, &codes).map_err(fail)?;
            steps.push(step);
        }
        Ok(Scenario {
            path: self.path.to_owned(),
            env: file.env,
            codes,
            steps,
        })
    }

    fn check_step(
        &mut self,
        step: &StepSpec,
        codes: &[(String, CodeSource)],
    ) -> Result<(), String> {
        if let Some(msg) = step.msg() {
            check_shape(msg).map_err(|e| format!("msg: {e}"))?;
        }
        if let Some(Expect::Json(json)) = step.expect() {
            check_shape(json).map_err(|e| format!("expect.json: {e}"))?;
        }
        let code = |name: &str| {
            if codes.iter().any(|(n, _)| n == name) {
                Ok(())
            } else {
                let known: Vec<&str> = codes.iter().map(|(n, _)| n.as_str()).collect();
                Err(format!(
                    "unknown code `{name}`; codes: {}",
                    known.join(", ")
                ))
            }
        };
        match step {
            StepSpec::Instantiate {
                code: name,
                alias,
                sender,
                admin,
                ..
            } => {
                code(name)?;
                self.account("sender", sender)?;
                if let Some(admin) = admin {
                    self.account("admin", admin)?;
                }
                if let Some(alias) = alias {
                    if !is_name(alias) {
                        return Err(format!(
                            "alias `{alias}` must be letters, digits, `_`, `-` or `.`"
                        ));
                    }
                    if self.aliases.contains(alias) {
                        return Err(format!("alias `{alias}` is already taken"));
                    }
                    self.aliases.push(alias.clone());
                }
            }
            StepSpec::Execute {
                contract, sender, ..
            } => {
                self.contract(contract)?;
                self.account("sender", sender)?;
            }
            StepSpec::Query { contract, .. } | StepSpec::Sudo { contract, .. } => {
                self.contract(contract)?;
            }
            StepSpec::Migrate {
                contract,
                sender,
                code: name,
                ..
            } => {
                self.contract(contract)?;
                self.account("sender", sender)?;
                code(name)?;
            }
            StepSpec::AdvanceBlock { height, time_nanos } => {
                let height = height.unwrap_or(self.height.saturating_add(1));
                let time = time_nanos.unwrap_or(self.time_nanos.saturating_add(5_000_000_000));
                if height <= self.height {
                    return Err(format!(
                        "height {height} does not advance past {}",
                        self.height
                    ));
                }
                if time < self.time_nanos {
                    return Err(format!(
                        "time_nanos {time} goes back before {}",
                        self.time_nanos
                    ));
                }
                self.height = height;
                self.time_nanos = time;
            }
        }
        Ok(())
    }

    fn account(&self, field: &str, text: &str) -> Result<(), String> {
        if self.is_account(text) {
            Ok(())
        } else {
            Err(format!(
                "{field} `{text}` is neither `@name` nor a `{}` address",
                self.prefix
            ))
        }
    }

    fn contract(&self, text: &str) -> Result<(), String> {
        let alias = text.strip_prefix('@').unwrap_or(text);
        if self.aliases.iter().any(|a| a == alias) || self.is_address(text) {
            Ok(())
        } else {
            Err(format!(
                "unknown contract `{text}`: no earlier step instantiates a contract `as` it, and \
                 it is not a `{}` address",
                self.prefix
            ))
        }
    }
}

/// The member `key` of `node`, refusing a key given twice (serde's values
/// would silently keep the last one).
fn member<'n, 'a>(node: &'n Node<'a>, key: &str) -> Result<Option<&'n Node<'a>>, String> {
    node.member(key)
        .map_err(|tree::DuplicateKey| format!("duplicate key `{key}`"))
}

/// The step `raw` with its `msg` and its `expect.json` replaced by their
/// text as the file spells it (a JSON string each), so that the message a
/// contract receives keeps the user's key order, numbers and escapes.
/// `node` is the same step split without decoding.
fn with_message_texts(mut raw: Value, node: Option<&Node<'_>>) -> Result<Value, String> {
    let (Value::Object(step), Some(node)) = (&mut raw, node) else {
        return Ok(raw);
    };
    if let Some(msg) = member(node, "msg")? {
        step.insert("msg".into(), Value::String(msg.text.to_owned()));
    }
    let expected = match member(node, "expect")? {
        Some(expect) => member(expect, "json")?,
        None => None,
    };
    if let (Some(json), Some(Value::Object(expect))) = (expected, step.get_mut("expect")) {
        expect.insert("json".into(), Value::String(json.text.to_owned()));
    }
    Ok(raw)
}

fn code_source(source: &str, base: &Path, fixtures: FixtureCheck) -> Result<CodeSource, String> {
    if let Some(name) = source.strip_prefix(FIXTURE_PREFIX) {
        fixtures(name)?;
        return Ok(CodeSource::Fixture(name.to_owned()));
    }
    if source.is_empty() {
        return Err("empty code source; expected `fixture:NAME` or a path to a .wasm file".into());
    }
    let path = base.join(source);
    if !path.is_file() {
        return Err(format!("{} is not a readable file", path.display()));
    }
    Ok(CodeSource::File(path))
}

#[cfg(test)]
mod tests;
