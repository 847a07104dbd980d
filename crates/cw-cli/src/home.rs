//! The persistent home of the local chain: one `redb` database, `chain.redb`,
//! and the compiled-module cache under `cache/`.
//!
//! Tables: `codes` (code id to mode byte + Wasm), `state` (every chain
//! record, key to value, as `Chain::dump` has it) and `meta` (the block, and
//! the records' checksum). Each transaction's changes, its new code if any,
//! the new block and the updated checksum are written in ONE redb write
//! transaction, so a killed process leaves the state of the last committed
//! transaction. redb locks the file: a second process gets
//! [`HomeError::Locked`].
//!
//! A damaged file is refused, never loaded and never a panic: on open,
//! redb checks its page checksums (`Database::check_integrity`), a panic
//! inside redb is caught ([`guard`]), and [`Home::load`] sums every record
//! again and compares the sum with the checksum of the last commit
//! ([`digest`]): [`HomeError::Corrupt`] or [`HomeError::Inconsistent`].
//! A home written before the checksum existed gets one on its first open.

mod digest;
mod guard;

use std::path::{Path, PathBuf};

use cw_runtime::chain::BlockState;
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};

use self::digest::{StateDigest, Table};
use crate::choices::Mode;

const CODES: TableDefinition<u64, &[u8]> = TableDefinition::new("codes");
const STATE: TableDefinition<&[u8], &[u8]> = TableDefinition::new("state");
const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
const BLOCK_KEY: &str = "block";
/// The `meta` key of the records' checksum ([`digest`]).
const DIGEST_KEY: &str = "records_checksum";

/// Chain records, key and value.
pub(crate) type Records = Vec<(Vec<u8>, Vec<u8>)>;

/// The database file's name inside the home.
pub(crate) const DB_FILE: &str = "chain.redb";
/// The module cache's folder inside the home.
pub(crate) const CACHE_DIR: &str = "cache";

/// redb's page cache: the local chain's state is small.
const DB_CACHE_BYTES: usize = 16 << 20;

/// Why the home could not be used.
#[derive(Debug, thiserror::Error)]
pub(crate) enum HomeError {
    /// Another process has the database open.
    #[error("home {} is locked by another cwr process", home.display())]
    Locked {
        /// The home folder.
        home: PathBuf,
    },
    /// The folder cannot be made.
    #[error("home {}: {source}", home.display())]
    Io {
        /// The home folder.
        home: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The database failed.
    #[error("home {}: database: {message}", home.display())]
    Db {
        /// The home folder.
        home: PathBuf,
        /// redb's error.
        message: String,
    },
    /// The file is damaged: redb says so, panicked reading it, or a record
    /// does not decode.
    #[error(
        "home {}: {DB_FILE} is damaged ({what}); restore it from a backup or use a new home",
        home.display()
    )]
    Corrupt {
        /// The home folder.
        home: PathBuf,
        /// What is damaged.
        what: String,
    },
    /// The records do not add up to the checksum written with the last
    /// commit: the file was changed outside `cwr`, or damaged where redb
    /// does not look.
    #[error(
        "home {}: {DB_FILE} is inconsistent: its records do not match the checksum written with \
         the last commit (changed outside cwr, or damaged); restore it from a backup or use a \
         new home",
        home.display()
    )]
    Inconsistent {
        /// The home folder.
        home: PathBuf,
    },
}

/// A stored code as the home keeps it.
#[derive(Debug, Clone)]
pub(crate) struct StoredCode {
    /// Its code id.
    pub code_id: u64,
    /// How it runs.
    pub mode: Mode,
    /// Its Wasm.
    pub wasm: Vec<u8>,
}

/// One commit: what a successful transaction changed.
#[derive(Debug, Default)]
pub(crate) struct Commit<'a> {
    /// A code stored by the transaction.
    pub code: Option<(u64, Mode, &'a [u8])>,
    /// Changed chain records (`None`: removed), from `Chain::take_changes`.
    pub changes: Vec<(Vec<u8>, Option<Vec<u8>>)>,
    /// The block the transaction ran in.
    pub block: Option<&'a BlockState>,
}

/// Everything a home holds, read in one transaction and checked against
/// the checksum of the last commit.
#[derive(Debug, Clone)]
pub(crate) struct Snapshot {
    /// Every stored code, by code id.
    pub codes: Vec<StoredCode>,
    /// Every chain record, in key order.
    pub state: Records,
    /// The block of the last transaction, if any ran.
    pub block: Option<BlockState>,
}

/// An open home; holds redb's lock on the database file until dropped.
pub(crate) struct Home {
    dir: PathBuf,
    db: Database,
    repaired: bool,
}

impl std::fmt::Debug for Home {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Home").field("dir", &self.dir).finish()
    }
}

impl Home {
    /// Opens (creating if needed) the home at `dir`, checking redb's page
    /// checksums.
    ///
    /// # Errors
    /// [`HomeError::Locked`] when another process has it open;
    /// [`HomeError::Corrupt`] when the file is damaged.
    pub(crate) fn open(dir: &Path) -> Result<Self, HomeError> {
        std::fs::create_dir_all(dir).map_err(|source| HomeError::Io {
            home: dir.to_owned(),
            source,
        })?;
        let opened = guard::catch(|| {
            let mut db = Database::builder()
                .set_cache_size(DB_CACHE_BYTES)
                .create(dir.join(DB_FILE))
                .map_err(|e| classify(dir, e.into()))?;
            // Before anything is written: a damaged page must not be built on.
            let clean = db.check_integrity().map_err(|e| classify(dir, e.into()))?;
            let home = Self {
                dir: dir.to_owned(),
                db,
                repaired: !clean,
            };
            home.prepare()?;
            Ok(home)
        });
        opened.unwrap_or_else(|panic| Err(redb_panicked(dir, &panic)))
    }

    /// Creates the tables (so reads never meet a missing one) and, for a
    /// new home or one written before the checksum existed, the checksum.
    fn prepare(&self) -> Result<(), HomeError> {
        self.write(|txn| {
            let codes = txn.open_table(CODES)?;
            let state = txn.open_table(STATE)?;
            let mut meta = txn.open_table(META)?;
            if meta.get(DIGEST_KEY)?.is_none() {
                let mut digest = StateDigest::default();
                sum_records(&codes, &state, &meta, &mut digest)?;
                meta.insert(DIGEST_KEY, digest.to_bytes().as_slice())?;
            }
            Ok(())
        })
    }

    /// The home folder.
    #[must_use]
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// The module cache folder.
    #[must_use]
    pub(crate) fn cache_dir(&self) -> PathBuf {
        self.dir.join(CACHE_DIR)
    }

    /// Whether redb found damage when the home was opened and repaired it
    /// (to its last intact commit; the records then still match their
    /// checksum, but the last transactions may be gone).
    #[must_use]
    pub(crate) fn was_repaired(&self) -> bool {
        self.repaired
    }

    fn db_error(&self, e: impl Into<redb::Error>) -> HomeError {
        classify(&self.dir, e.into())
    }

    fn corrupt(&self, what: impl Into<String>) -> HomeError {
        HomeError::Corrupt {
            home: self.dir.clone(),
            what: what.into(),
        }
    }

    /// Runs `body` in one write transaction, committed if it succeeds.
    fn write(
        &self,
        body: impl FnOnce(&redb::WriteTransaction) -> Result<(), redb::Error>,
    ) -> Result<(), HomeError> {
        let txn = self.db.begin_write().map_err(|e| self.db_error(e))?;
        body(&txn).map_err(|e| self.db_error(e))?;
        txn.commit().map_err(|e| self.db_error(e))
    }

    /// Everything the home holds, checked against the checksum of the last
    /// commit.
    ///
    /// # Errors
    /// [`HomeError::Inconsistent`] when the records do not match it,
    /// [`HomeError::Corrupt`] when one does not decode or redb fails.
    pub(crate) fn load(&self) -> Result<Snapshot, HomeError> {
        guard::catch(|| self.read_snapshot())
            .unwrap_or_else(|panic| Err(redb_panicked(&self.dir, &panic)))
    }

    fn read_snapshot(&self) -> Result<Snapshot, HomeError> {
        let txn = self.db.begin_read().map_err(|e| self.db_error(e))?;
        let codes_table = txn.open_table(CODES).map_err(|e| self.db_error(e))?;
        let state_table = txn.open_table(STATE).map_err(|e| self.db_error(e))?;
        let meta = txn.open_table(META).map_err(|e| self.db_error(e))?;
        let mut digest = StateDigest::default();
        sum_records(&codes_table, &state_table, &meta, &mut digest)
            .map_err(|e| self.db_error(e))?;
        let recorded = meta
            .get(DIGEST_KEY)
            .map_err(|e| self.db_error(e))?
            .and_then(|bytes| StateDigest::from_bytes(bytes.value()));
        if recorded != Some(digest) {
            return Err(HomeError::Inconsistent {
                home: self.dir.clone(),
            });
        }
        let mut codes = Vec::new();
        for entry in codes_table.iter().map_err(|e| self.db_error(e))? {
            let (id, value) = entry.map_err(|e| self.db_error(e))?;
            let code_id = id.value();
            let (mode, wasm) = value
                .value()
                .split_first()
                .and_then(|(m, w)| Some((Mode::from_byte(*m)?, w.to_vec())))
                .ok_or_else(|| self.corrupt(format!("code {code_id} has no valid mode byte")))?;
            codes.push(StoredCode {
                code_id,
                mode,
                wasm,
            });
        }
        let mut state = Vec::new();
        for entry in state_table.iter().map_err(|e| self.db_error(e))? {
            let (k, v) = entry.map_err(|e| self.db_error(e))?;
            state.push((k.value().to_vec(), v.value().to_vec()));
        }
        let block = match meta.get(BLOCK_KEY).map_err(|e| self.db_error(e))? {
            Some(bytes) => Some(
                serde_json::from_slice(bytes.value())
                    .map_err(|e| self.corrupt(format!("block: {e}")))?,
            ),
            None => None,
        };
        Ok(Snapshot {
            codes,
            state,
            block,
        })
    }

    /// Writes one transaction's effects atomically, with the checksum
    /// updated by what they change.
    ///
    /// # Errors
    /// [`HomeError::Db`] or [`HomeError::Corrupt`]; nothing is written then.
    pub(crate) fn commit(&self, commit: &Commit<'_>) -> Result<(), HomeError> {
        let block = commit
            .block
            .map(serde_json::to_vec)
            .transpose()
            .map_err(|e| self.corrupt(format!("block: {e}")))?;
        let written = guard::catch(|| {
            self.write(|txn| {
                let mut meta = txn.open_table(META)?;
                let mut digest = match meta.get(DIGEST_KEY)? {
                    Some(bytes) => StateDigest::from_bytes(bytes.value()).ok_or_else(|| {
                        redb::Error::Corrupted("the records' checksum is not 32 bytes".into())
                    })?,
                    None => StateDigest::default(),
                };
                if let Some((code_id, mode, wasm)) = commit.code {
                    let mut value = Vec::with_capacity(wasm.len().saturating_add(1));
                    value.push(mode.to_byte());
                    value.extend_from_slice(wasm);
                    let key = code_id.to_be_bytes();
                    let mut codes = txn.open_table(CODES)?;
                    if let Some(old) = codes.insert(code_id, value.as_slice())? {
                        digest.remove(Table::Codes, &key, old.value());
                    }
                    digest.add(Table::Codes, &key, &value);
                }
                let mut state = txn.open_table(STATE)?;
                for (key, value) in &commit.changes {
                    let old = match value {
                        Some(value) => state.insert(key.as_slice(), value.as_slice())?,
                        None => state.remove(key.as_slice())?,
                    };
                    if let Some(old) = old {
                        digest.remove(Table::State, key, old.value());
                    }
                    if let Some(value) = value {
                        digest.add(Table::State, key, value);
                    }
                }
                if let Some(block) = &block {
                    if let Some(old) = meta.insert(BLOCK_KEY, block.as_slice())? {
                        digest.remove(Table::Meta, BLOCK_KEY.as_bytes(), old.value());
                    }
                    digest.add(Table::Meta, BLOCK_KEY.as_bytes(), block);
                }
                meta.insert(DIGEST_KEY, digest.to_bytes().as_slice())?;
                Ok(())
            })
        });
        written.unwrap_or_else(|panic| Err(redb_panicked(&self.dir, &panic)))
    }
}

/// Adds every record of the three tables (but the checksum) to `digest`.
fn sum_records(
    codes: &impl ReadableTable<u64, &'static [u8]>,
    state: &impl ReadableTable<&'static [u8], &'static [u8]>,
    meta: &impl ReadableTable<&'static str, &'static [u8]>,
    digest: &mut StateDigest,
) -> Result<(), redb::Error> {
    for entry in codes.iter()? {
        let (id, value) = entry?;
        digest.add(Table::Codes, &id.value().to_be_bytes(), value.value());
    }
    for entry in state.iter()? {
        let (key, value) = entry?;
        digest.add(Table::State, key.value(), value.value());
    }
    for entry in meta.iter()? {
        let (key, value) = entry?;
        if key.value() != DIGEST_KEY {
            digest.add(Table::Meta, key.value().as_bytes(), value.value());
        }
    }
    Ok(())
}

/// A redb error as the home reports it: damage is [`HomeError::Corrupt`].
fn classify(dir: &Path, error: redb::Error) -> HomeError {
    let home = dir.to_owned();
    match error {
        redb::Error::DatabaseAlreadyOpen => HomeError::Locked { home },
        redb::Error::Corrupted(what) => HomeError::Corrupt { home, what },
        // redb reports a file that is not a database (a damaged header) as
        // invalid data.
        redb::Error::Io(e) if e.kind() == std::io::ErrorKind::InvalidData => HomeError::Corrupt {
            home,
            what: e.to_string(),
        },
        other => HomeError::Db {
            home,
            message: other.to_string(),
        },
    }
}

fn redb_panicked(dir: &Path, panic: &str) -> HomeError {
    HomeError::Corrupt {
        home: dir.to_owned(),
        what: format!("redb failed reading it: {panic}"),
    }
}

#[cfg(test)]
mod tests;
