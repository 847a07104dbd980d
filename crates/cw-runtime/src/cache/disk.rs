//! The on-disk artifact cache. An artifact is machine code: loading a
//! tampered one is code execution, so every file carries the sha256 of its
//! artifact and is verified before Wasmer sees a byte of it.
//!
//! File layout (`<dir>/<config key>/<checksum>.module`): 8-byte magic,
//! sha256(code checksum || artifact) (32 bytes, so another module's valid
//! artifact copied under this checksum does not verify), the artifact's
//! length (u64 LE), the artifact.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::compile::Checksum;
use crate::error::RuntimeError;

const MAGIC: &[u8; 8] = b"CWRTMOD\x01";
const HEADER_BYTES: usize = 8 + 32 + 8;

/// What a disk lookup found.
#[derive(Debug)]
pub(crate) enum DiskLoad {
    /// No file for this checksum.
    Missing,
    /// The artifact, verified against its recorded sha256.
    Verified(Vec<u8>),
    /// A file that failed verification; it has been deleted.
    Corrupt {
        /// What was wrong.
        reason: &'static str,
    },
}

#[derive(Debug)]
pub(crate) struct DiskCache {
    base: PathBuf,
    dir: PathBuf,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> RuntimeError + '_ {
    move |source| RuntimeError::Io {
        path: path.to_path_buf(),
        source,
    }
}

impl DiskCache {
    /// A cache in `base/<config_key>`, created if missing.
    pub(crate) fn new(base: &Path, config_key: &str) -> Result<Self, RuntimeError> {
        let dir = base.join(config_key);
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        Ok(Self {
            base: base.to_path_buf(),
            dir,
        })
    }

    /// The folder holding every configuration's folder.
    pub(crate) fn base(&self) -> &Path {
        &self.base
    }

    pub(crate) fn path(&self, checksum: &Checksum) -> PathBuf {
        self.dir.join(format!("{}.module", checksum.to_hex()))
    }

    /// Writes atomically: a reader sees the old file, the new file, or none.
    pub(crate) fn store(&self, checksum: &Checksum, artifact: &[u8]) -> Result<(), RuntimeError> {
        let path = self.path(checksum);
        let mut bytes = Vec::with_capacity(HEADER_BYTES + artifact.len());
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&bound_digest(checksum, artifact));
        bytes.extend_from_slice(&(artifact.len() as u64).to_le_bytes());
        bytes.extend_from_slice(artifact);
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        std::fs::write(&tmp, &bytes).map_err(io(&tmp))?;
        std::fs::rename(&tmp, &path).map_err(io(&path))
    }

    /// Reads and verifies; a file that fails verification is deleted.
    pub(crate) fn load(&self, checksum: &Checksum) -> Result<DiskLoad, RuntimeError> {
        let path = self.path(checksum);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(DiskLoad::Missing),
            Err(e) => return Err(io(&path)(e)),
        };
        match verify(checksum, bytes) {
            Ok(artifact) => Ok(DiskLoad::Verified(artifact)),
            Err(reason) => {
                self.discard(checksum)?;
                Ok(DiskLoad::Corrupt { reason })
            }
        }
    }

    /// Deletes the file for `checksum`, if any.
    pub(crate) fn discard(&self, checksum: &Checksum) -> Result<(), RuntimeError> {
        let path = self.path(checksum);
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(&path)(e)),
            _ => Ok(()),
        }
    }
}

/// sha256 of the code checksum and the artifact: a valid artifact of another
/// module placed under this checksum does not verify.
fn bound_digest(checksum: &Checksum, artifact: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(checksum.as_bytes());
    hasher.update(artifact);
    hasher.finalize().into()
}

fn verify(checksum: &Checksum, mut bytes: Vec<u8>) -> Result<Vec<u8>, &'static str> {
    if bytes.len() < HEADER_BYTES {
        return Err("truncated header");
    }
    if &bytes[..8] != MAGIC {
        return Err("wrong magic or format version");
    }
    let mut length = [0u8; 8];
    length.copy_from_slice(&bytes[40..48]);
    if u64::from_le_bytes(length) != (bytes.len() - HEADER_BYTES) as u64 {
        return Err("artifact length does not match the header");
    }
    let recorded: [u8; 32] = bytes[8..40].try_into().map_err(|_| "truncated header")?;
    let artifact = bytes.split_off(HEADER_BYTES);
    if bound_digest(checksum, &artifact) != recorded {
        return Err("artifact sha256 (bound to the code checksum) does not match the header");
    }
    Ok(artifact)
}
