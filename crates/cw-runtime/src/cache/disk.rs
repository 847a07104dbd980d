//! The on-disk artifact cache. An artifact is machine code: loading a
//! tampered one is code execution, so every file carries an HMAC-SHA256 of
//! its artifact under the user's artifact key ([`super::key`], kept outside
//! every cache folder) and is verified before Wasmer sees a byte of it; the
//! folders are trusted only if nobody else can write in them, and every file
//! is opened as [`super::trust`] says (no symbolic link, no FIFO, bounded).
//!
//! File layout (`<dir>/<config key>/<checksum>.module`): 8-byte magic (its
//! last byte the layout version), HMAC-SHA256(key, domain || config key
//! length (u64 LE) || config key || code checksum || artifact) (32 bytes:
//! a valid artifact of another module or another configuration copied under
//! this name does not verify, nor does one written without the key), the
//! artifact's length (u64 LE), the artifact.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::key::{ArtifactKey, constant_time_eq};
use super::trust::{self, Opened, io};
use crate::compile::Checksum;
use crate::error::RuntimeError;

/// Version 2: the digest is a keyed HMAC (version 1 was an unkeyed sha256,
/// which anyone able to write the folder could recompute).
const MAGIC: &[u8; 8] = b"CWRTMOD\x02";
const HEADER_BYTES: usize = 8 + 32 + 8;

/// What the HMAC input starts with, so the key authenticates nothing else.
const MAC_DOMAIN: &[u8] = b"cw-runtime module artifact v2\0";

/// The largest artifact kept on disk (and the largest file read back).
/// Singlepass writes about 17 bytes of artifact per byte of Wasm (measured
/// on the fixtures: cw4-group 300,041 B of Wasm to 4,968,256 B of artifact,
/// cw20-base 388,134 to 6,465,640, cw721-base 731,169 to 10,516,864), so a
/// module at wasmd's 800 KiB upload limit makes about 14 MiB; 128 MiB
/// leaves a factor of 9 for denser code. A larger artifact is simply not
/// kept on disk (the module is compiled again by the next process); the
/// bound caps what a file in the folder can make the process allocate.
pub(crate) const MAX_ARTIFACT_BYTES: u64 = 128 << 20;

/// Names tried for a temporary file before giving up (each is new unless
/// something was planted there).
const TEMP_ATTEMPTS: u32 = 16;

/// Numbers the [`DiskCache`]s of this process, for unique temporary names.
static CACHE_COUNTER: AtomicU64 = AtomicU64::new(0);

/// What a disk lookup found.
#[derive(Debug)]
pub(crate) enum DiskLoad {
    /// No file for this checksum.
    Missing,
    /// The artifact, verified against its recorded HMAC.
    Verified(Vec<u8>),
    /// A file that failed verification or must not be read; it has been
    /// deleted.
    Corrupt {
        /// What was wrong.
        reason: &'static str,
    },
}

#[derive(Debug)]
pub(crate) struct DiskCache {
    base: PathBuf,
    dir: PathBuf,
    config_key: String,
    key: ArtifactKey,
    /// This cache's number in the process (part of temporary names).
    instance: u64,
    /// Temporary files made so far (part of temporary names).
    temp_files: AtomicU64,
}

impl DiskCache {
    /// A cache in `base/<config_key>`, created if missing, whose artifacts
    /// are authenticated with `key`.
    ///
    /// # Errors
    /// [`RuntimeError::Io`]; with a [`super::DiskTrustError`] if `base` or
    /// the configuration's folder may be written by another user.
    pub(crate) fn new(
        base: &Path,
        config_key: &str,
        key: ArtifactKey,
    ) -> Result<Self, RuntimeError> {
        let dir = base.join(config_key);
        trust::trusted_folder(base)?;
        trust::trusted_folder(&dir)?;
        Ok(Self {
            base: base.to_path_buf(),
            dir,
            config_key: config_key.to_owned(),
            key,
            instance: CACHE_COUNTER.fetch_add(1, Ordering::Relaxed),
            temp_files: AtomicU64::new(0),
        })
    }

    /// The folder holding every configuration's folder.
    pub(crate) fn base(&self) -> &Path {
        &self.base
    }

    /// The key artifacts are authenticated with.
    pub(crate) fn key(&self) -> &ArtifactKey {
        &self.key
    }

    pub(crate) fn path(&self, checksum: &Checksum) -> PathBuf {
        self.dir.join(format!("{}.module", checksum.to_hex()))
    }

    /// The next temporary name for `checksum`: unique to this process (its
    /// id), this cache and this write, so two threads or two processes
    /// storing the same module never share one.
    fn temp_path(&self, checksum: &Checksum) -> PathBuf {
        let n = self.temp_files.fetch_add(1, Ordering::Relaxed);
        self.dir.join(format!(
            "{}.{}-{}-{n}.tmp",
            checksum.to_hex(),
            std::process::id(),
            self.instance
        ))
    }

    /// Writes atomically: a reader sees the old file, the new file, or none.
    /// The file is made fresh (`create_new`, mode 0600) under a unique
    /// temporary name, so a link planted there is never followed, then
    /// renamed over the final name. An artifact over
    /// [`MAX_ARTIFACT_BYTES`] is not kept (it could not be read back).
    pub(crate) fn store(&self, checksum: &Checksum, artifact: &[u8]) -> Result<(), RuntimeError> {
        let Ok(length) = u64::try_from(artifact.len()) else {
            return Ok(());
        };
        if length > MAX_ARTIFACT_BYTES {
            return Ok(());
        }
        let path = self.path(checksum);
        let mut header = Vec::with_capacity(HEADER_BYTES);
        header.extend_from_slice(MAGIC);
        header.extend_from_slice(&self.mac(checksum, artifact));
        header.extend_from_slice(&length.to_le_bytes());
        for _ in 0..TEMP_ATTEMPTS {
            let tmp = self.temp_path(checksum);
            let mut file = match trust::create_new(&tmp) {
                Ok(file) => file,
                // Something is already there (a planted link, a file left
                // by a dead process that had our id): try the next name.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(io(&tmp)(e)),
            };
            let written = file
                .write_all(&header)
                .and_then(|()| file.write_all(artifact))
                .map_err(io(&tmp));
            drop(file);
            let renamed = written.and_then(|()| std::fs::rename(&tmp, &path).map_err(io(&path)));
            if renamed.is_err() {
                let _ = std::fs::remove_file(&tmp);
            }
            return renamed;
        }
        Err(io(&self.dir)(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            format!("no free temporary name for {checksum} after {TEMP_ATTEMPTS} attempts"),
        )))
    }

    /// Reads and verifies; a file that fails verification, or that is not
    /// a regular file of this user, or is larger than the bound, is deleted.
    pub(crate) fn load(&self, checksum: &Checksum) -> Result<DiskLoad, RuntimeError> {
        let path = self.path(checksum);
        let limit = MAX_ARTIFACT_BYTES.saturating_add(HEADER_BYTES as u64);
        let verified = match trust::read_regular(&path, limit).map_err(io(&path))? {
            Opened::Missing => return Ok(DiskLoad::Missing),
            Opened::Refused(reason) => Err(reason),
            Opened::Read(bytes) => self.verify(checksum, bytes),
        };
        match verified {
            Ok(artifact) => Ok(DiskLoad::Verified(artifact)),
            Err(reason) => {
                self.discard(checksum)?;
                Ok(DiskLoad::Corrupt { reason })
            }
        }
    }

    /// Deletes the file for `checksum`, if any (a link itself, never its
    /// target).
    pub(crate) fn discard(&self, checksum: &Checksum) -> Result<(), RuntimeError> {
        let path = self.path(checksum);
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(&path)(e)),
            _ => Ok(()),
        }
    }

    /// The HMAC binding `artifact` to this key, this configuration and
    /// `checksum`.
    fn mac(&self, checksum: &Checksum, artifact: &[u8]) -> [u8; 32] {
        let mut mac = self.key.hmac();
        mac.update(MAC_DOMAIN);
        mac.update(&(self.config_key.len() as u64).to_le_bytes());
        mac.update(self.config_key.as_bytes());
        mac.update(checksum.as_bytes());
        mac.update(artifact);
        mac.finalize()
    }

    fn verify(&self, checksum: &Checksum, mut bytes: Vec<u8>) -> Result<Vec<u8>, &'static str> {
        let Some(artifact_bytes) = bytes.len().checked_sub(HEADER_BYTES) else {
            return Err("truncated header");
        };
        if &bytes[..8] != MAGIC {
            return Err("wrong magic or format version");
        }
        let mut length = [0u8; 8];
        length.copy_from_slice(&bytes[40..48]);
        if u64::try_from(artifact_bytes) != Ok(u64::from_le_bytes(length)) {
            return Err("artifact length does not match the header");
        }
        let mut recorded = [0u8; 32];
        recorded.copy_from_slice(&bytes[8..40]);
        let artifact = bytes.split_off(HEADER_BYTES);
        if !constant_time_eq(&self.mac(checksum, &artifact), &recorded) {
            return Err(MAC_MISMATCH);
        }
        Ok(artifact)
    }
}

/// Why an artifact whose HMAC does not verify is discarded.
pub(crate) const MAC_MISMATCH: &str = "artifact HMAC (keyed, bound to the code checksum and the \
                                       configuration) does not match the header";

#[cfg(test)]
mod tests;
