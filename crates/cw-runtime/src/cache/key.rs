//! The artifact key: 32 random bytes per user and host, kept outside every
//! cache folder, with which each artifact's HMAC-SHA256 is computed. Who
//! can write a cache folder but cannot read the key cannot make an artifact
//! that loads.
//!
//! Where it lives: `$XDG_CACHE_HOME/cw-runtime/artifact.key`, or
//! `$HOME/.cache/cw-runtime/artifact.key` when `XDG_CACHE_HOME` is not an
//! absolute path. The folder is made mode 0700 and must pass the folder rule
//! of [`super::trust`]; the file is made mode 0600 and is refused if group
//! or others may read it, if it is not a regular file of the user (or
//! root), or if it is not exactly 32 bytes. A deleted key is made anew; the
//! artifacts written under the old one then fail their HMAC and are
//! recompiled once.

use std::ffi::OsString;
use std::io::{Read, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};

use super::trust::{self, DiskTrustError, current_user, io};
use crate::error::RuntimeError;

/// Bytes of the key (the HMAC-SHA256 output size: a longer key adds
/// nothing, RFC 2104 section 3).
pub(crate) const KEY_BYTES: usize = 32;

/// The key file's name inside its folder.
const KEY_FILE: &str = "artifact.key";

/// The key's folder below the user's cache folder.
const KEY_FOLDER: &str = "cw-runtime";

/// A secret HMAC key. Its `Debug` prints nothing of the key.
#[derive(Clone)]
pub(crate) struct ArtifactKey([u8; KEY_BYTES]);

impl std::fmt::Debug for ArtifactKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ArtifactKey(..)")
    }
}

impl ArtifactKey {
    /// A key of these bytes (tests).
    #[cfg(test)]
    pub(crate) fn from_bytes(bytes: [u8; KEY_BYTES]) -> Self {
        Self(bytes)
    }

    /// An HMAC-SHA256 computation under this key.
    pub(crate) fn hmac(&self) -> HmacSha256 {
        HmacSha256::new(&self.0)
    }

    /// The key at its default place ([module docs](self)), made if missing.
    ///
    /// # Errors
    /// [`RuntimeError::Io`], with a [`DiskTrustError`] when no place is
    /// known or the folder or file is not trusted.
    pub(crate) fn for_user() -> Result<Self, RuntimeError> {
        let path = default_path(std::env::var_os("XDG_CACHE_HOME"), std::env::var_os("HOME"))
            .ok_or_else(|| DiskTrustError::NoKeyLocation.into_runtime())?;
        Self::load_or_create(&path)
    }

    /// The key in the file `path`, made (with its folder) if missing.
    ///
    /// # Errors
    /// As [`for_user`](Self::for_user).
    pub(crate) fn load_or_create(path: &Path) -> Result<Self, RuntimeError> {
        let dir = path.parent().unwrap_or(Path::new("."));
        trust::trusted_folder(dir)?;
        if let Some(key) = read_key(path)? {
            return Ok(key);
        }
        create_key(path)?;
        read_key(path)?.ok_or_else(|| {
            DiskTrustError::BadKeyFile {
                path: path.to_path_buf(),
                problem: "vanished right after it was made",
            }
            .into_runtime()
        })
    }
}

/// `$XDG_CACHE_HOME/cw-runtime/artifact.key`, else
/// `$HOME/.cache/cw-runtime/artifact.key` (relative values are ignored, as
/// the XDG base directory specification says).
fn default_path(xdg_cache_home: Option<OsString>, home: Option<OsString>) -> Option<PathBuf> {
    let absolute = |value: Option<OsString>| value.map(PathBuf::from).filter(|p| p.is_absolute());
    let cache = absolute(xdg_cache_home).or_else(|| absolute(home).map(|h| h.join(".cache")))?;
    Some(cache.join(KEY_FOLDER).join(KEY_FILE))
}

/// The key in `path`, `None` if there is no file.
fn read_key(path: &Path) -> Result<Option<ArtifactKey>, RuntimeError> {
    let bad = |problem| {
        DiskTrustError::BadKeyFile {
            path: path.to_path_buf(),
            problem,
        }
        .into_runtime()
    };
    let mut file = match std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
    {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) if matches!(e.raw_os_error(), Some(libc::ELOOP | libc::EMLINK)) => {
            return Err(bad("is a symbolic link"));
        }
        Err(e) => return Err(io(path)(e)),
    };
    let meta = file.metadata().map_err(io(path))?;
    if !meta.file_type().is_file() {
        return Err(bad("is not a regular file"));
    }
    let user = current_user();
    if meta.uid() != user && meta.uid() != 0 {
        return Err(bad("belongs to another user"));
    }
    let mode = meta.mode() & 0o7777;
    if mode & 0o077 != 0 {
        return Err(DiskTrustError::KeyReadableByOthers {
            path: path.to_path_buf(),
            mode,
        }
        .into_runtime());
    }
    if meta.len() != KEY_BYTES as u64 {
        return Err(bad("is not 32 bytes long"));
    }
    let mut key = [0u8; KEY_BYTES];
    file.read_exact(&mut key).map_err(io(path))?;
    Ok(Some(ArtifactKey(key)))
}

/// Distinguishes the temporary key files of one process's threads.
static KEY_TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Writes a fresh random key at `path` unless another writer got there
/// first: the key is written whole under a unique temporary name, then
/// hard-linked to `path`, which fails if `path` exists, so a reader never
/// sees half a key and two writers never replace each other's.
fn create_key(path: &Path) -> Result<(), RuntimeError> {
    let mut key = [0u8; KEY_BYTES];
    let random = Path::new("/dev/urandom");
    std::fs::File::open(random)
        .and_then(|mut f| f.read_exact(&mut key))
        .map_err(io(random))?;
    let count = KEY_TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    let tmp = path.with_file_name(format!("{KEY_FILE}.{}-{count}.tmp", std::process::id()));
    let written = trust::create_new(&tmp)
        .and_then(|mut file| {
            file.write_all(&key)?;
            file.sync_all()
        })
        .map_err(io(&tmp));
    let linked = written.and_then(|()| match std::fs::hard_link(&tmp, path) {
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => Err(io(path)(e)),
        _ => Ok(()),
    });
    // The temporary name goes either way; failing to remove it loses nothing.
    let _ = std::fs::remove_file(&tmp);
    linked
}

/// HMAC-SHA256 (RFC 2104 over FIPS 180-4 SHA-256), for keys of at most one
/// block, on the `sha2` the crate already uses; checked against RFC 4231's
/// test vectors.
pub(crate) struct HmacSha256 {
    inner: Sha256,
    outer_pad: [u8; BLOCK_BYTES],
}

/// SHA-256's block size.
const BLOCK_BYTES: usize = 64;

impl HmacSha256 {
    fn new(key: &[u8]) -> Self {
        let mut block = [0u8; BLOCK_BYTES];
        if key.len() > BLOCK_BYTES {
            block[..32].copy_from_slice(&Sha256::digest(key));
        } else {
            block[..key.len()].copy_from_slice(key);
        }
        let inner_pad = block.map(|b| b ^ 0x36);
        let outer_pad = block.map(|b| b ^ 0x5c);
        let mut inner = Sha256::new();
        inner.update(inner_pad);
        Self { inner, outer_pad }
    }

    /// Adds `data` to the message.
    pub(crate) fn update(&mut self, data: &[u8]) {
        self.inner.update(data);
    }

    /// The MAC.
    pub(crate) fn finalize(self) -> [u8; 32] {
        let mut outer = Sha256::new();
        outer.update(self.outer_pad);
        outer.update(self.inner.finalize());
        outer.finalize().into()
    }
}

/// Equality whose time does not depend on where the inputs differ.
pub(crate) fn constant_time_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests;
