//! The persistent home of the local chain: one `redb` database, `chain.redb`,
//! and the compiled-module cache under `cache/`.
//!
//! Tables: `codes` (code id to mode byte + Wasm), `state` (every chain
//! record, key to value, as `Chain::dump` has it) and `meta` (the block).
//! Each transaction's changes, its new code if any and the new block are
//! written in ONE redb write transaction, so a killed process leaves the
//! state of the last committed transaction. redb locks the file: a second
//! process gets [`HomeError::Locked`].

use std::path::{Path, PathBuf};

use cw_runtime::chain::BlockState;
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};

use crate::setup::Mode;

const CODES: TableDefinition<u64, &[u8]> = TableDefinition::new("codes");
const STATE: TableDefinition<&[u8], &[u8]> = TableDefinition::new("state");
const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
const BLOCK_KEY: &str = "block";

/// Chain records, key and value.
pub type Records = Vec<(Vec<u8>, Vec<u8>)>;

/// The database file's name inside the home.
pub const DB_FILE: &str = "chain.redb";
/// The module cache's folder inside the home.
pub const CACHE_DIR: &str = "cache";

/// redb's page cache: the local chain's state is small.
const DB_CACHE_BYTES: usize = 16 << 20;

/// Why the home could not be used.
#[derive(Debug, thiserror::Error)]
pub enum HomeError {
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
    /// A record does not decode.
    #[error("home {}: corrupt record: {what}", home.display())]
    Corrupt {
        /// The home folder.
        home: PathBuf,
        /// Which record.
        what: String,
    },
}

/// A stored code as the home keeps it.
#[derive(Debug, Clone)]
pub struct StoredCode {
    /// Its code id.
    pub code_id: u64,
    /// How it runs.
    pub mode: Mode,
    /// Its Wasm.
    pub wasm: Vec<u8>,
}

/// One commit: what a successful transaction changed.
#[derive(Debug, Default)]
pub struct Commit<'a> {
    /// A code stored by the transaction.
    pub code: Option<(u64, Mode, &'a [u8])>,
    /// Changed chain records (`None`: removed), from `Chain::take_changes`.
    pub changes: Vec<(Vec<u8>, Option<Vec<u8>>)>,
    /// The block the transaction ran in.
    pub block: Option<&'a BlockState>,
}

/// An open home; holds redb's lock on the database file until dropped.
pub struct Home {
    dir: PathBuf,
    db: Database,
}

impl std::fmt::Debug for Home {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Home").field("dir", &self.dir).finish()
    }
}

impl Home {
    /// Opens (creating if needed) the home at `dir`.
    ///
    /// # Errors
    /// [`HomeError::Locked`] when another process has it open.
    pub fn open(dir: &Path) -> Result<Self, HomeError> {
        std::fs::create_dir_all(dir).map_err(|source| HomeError::Io {
            home: dir.to_owned(),
            source,
        })?;
        let db = Database::builder()
            .set_cache_size(DB_CACHE_BYTES)
            .create(dir.join(DB_FILE))
            .map_err(|e| match e {
                redb::DatabaseError::DatabaseAlreadyOpen => HomeError::Locked {
                    home: dir.to_owned(),
                },
                other => HomeError::Db {
                    home: dir.to_owned(),
                    message: other.to_string(),
                },
            })?;
        let home = Self {
            dir: dir.to_owned(),
            db,
        };
        // Create the tables, so reads never meet a missing one.
        home.write(|txn| {
            txn.open_table(CODES)?;
            txn.open_table(STATE)?;
            txn.open_table(META)?;
            Ok(())
        })?;
        Ok(home)
    }

    /// The home folder.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The module cache folder.
    #[must_use]
    pub fn cache_dir(&self) -> PathBuf {
        self.dir.join(CACHE_DIR)
    }

    fn db_error(&self, e: impl Into<redb::Error>) -> HomeError {
        HomeError::Db {
            home: self.dir.clone(),
            message: e.into().to_string(),
        }
    }

    fn corrupt(&self, what: impl Into<String>) -> HomeError {
        HomeError::Corrupt {
            home: self.dir.clone(),
            what: what.into(),
        }
    }

    fn write(
        &self,
        body: impl FnOnce(&redb::WriteTransaction) -> Result<(), redb::Error>,
    ) -> Result<(), HomeError> {
        let txn = self.db.begin_write().map_err(|e| self.db_error(e))?;
        body(&txn).map_err(|e| self.db_error(e))?;
        txn.commit().map_err(|e| self.db_error(e))
    }

    /// Every stored code, by code id.
    ///
    /// # Errors
    /// [`HomeError`].
    pub fn codes(&self) -> Result<Vec<StoredCode>, HomeError> {
        let txn = self.db.begin_read().map_err(|e| self.db_error(e))?;
        let table = txn.open_table(CODES).map_err(|e| self.db_error(e))?;
        let mut codes = Vec::new();
        for entry in table.iter().map_err(|e| self.db_error(e))? {
            let (id, value) = entry.map_err(|e| self.db_error(e))?;
            let code_id = id.value();
            let bytes = value.value();
            let (mode, wasm) = bytes
                .split_first()
                .and_then(|(m, w)| Some((Mode::from_byte(*m)?, w)))
                .ok_or_else(|| self.corrupt(format!("code {code_id}")))?;
            codes.push(StoredCode {
                code_id,
                mode,
                wasm: wasm.to_vec(),
            });
        }
        Ok(codes)
    }

    /// Every chain record, in key order.
    ///
    /// # Errors
    /// [`HomeError`].
    pub fn state(&self) -> Result<Records, HomeError> {
        let txn = self.db.begin_read().map_err(|e| self.db_error(e))?;
        let table = txn.open_table(STATE).map_err(|e| self.db_error(e))?;
        let mut records = Vec::new();
        for entry in table.iter().map_err(|e| self.db_error(e))? {
            let (k, v) = entry.map_err(|e| self.db_error(e))?;
            records.push((k.value().to_vec(), v.value().to_vec()));
        }
        Ok(records)
    }

    /// The block of the last transaction, if any ran.
    ///
    /// # Errors
    /// [`HomeError`].
    pub fn block(&self) -> Result<Option<BlockState>, HomeError> {
        let txn = self.db.begin_read().map_err(|e| self.db_error(e))?;
        let table = txn.open_table(META).map_err(|e| self.db_error(e))?;
        let Some(bytes) = table.get(BLOCK_KEY).map_err(|e| self.db_error(e))? else {
            return Ok(None);
        };
        serde_json::from_slice(bytes.value())
            .map(Some)
            .map_err(|e| self.corrupt(format!("block: {e}")))
    }

    /// Writes one transaction's effects atomically.
    ///
    /// # Errors
    /// [`HomeError::Db`]; nothing is written then.
    pub fn commit(&self, commit: &Commit<'_>) -> Result<(), HomeError> {
        let block = commit
            .block
            .map(serde_json::to_vec)
            .transpose()
            .map_err(|e| self.corrupt(format!("block: {e}")))?;
        self.write(|txn| {
            if let Some((code_id, mode, wasm)) = commit.code {
                let mut value = Vec::with_capacity(wasm.len() + 1);
                value.push(mode.to_byte());
                value.extend_from_slice(wasm);
                txn.open_table(CODES)?.insert(code_id, value.as_slice())?;
            }
            let mut state = txn.open_table(STATE)?;
            for (key, value) in &commit.changes {
                match value {
                    Some(value) => state.insert(key.as_slice(), value.as_slice())?,
                    None => state.remove(key.as_slice())?,
                };
            }
            if let Some(block) = &block {
                txn.open_table(META)?.insert(BLOCK_KEY, block.as_slice())?;
            }
            Ok(())
        })
    }
}
