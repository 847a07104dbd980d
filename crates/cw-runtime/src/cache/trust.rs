//! Who may have written what the disk cache reads, and opening it safely.
//!
//! An artifact is machine code that runs in this process, so the cache
//! trusts a folder only if nobody but this process's user (or root) can
//! write in it: the folder must belong to the user (or root) and must not be
//! writable by group or others. Every file is opened without following a
//! symbolic link and without blocking (a FIFO would wait for a writer
//! forever), and is used only if the opened handle is a regular file of the
//! same owner, no larger than a stated bound.

use std::fs::{DirBuilder, File, OpenOptions};
use std::io::Read;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use crate::error::RuntimeError;

/// Mode bits that let group or others write.
const WRITABLE_BY_OTHERS: u32 = 0o022;

/// Why the disk cache does not trust a folder or a file. It reaches the
/// caller inside [`RuntimeError::Io`] (kind `PermissionDenied`);
/// [`DiskTrustError::find`] takes it out again.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DiskTrustError {
    /// The folder belongs to another user, who could put machine code in it.
    #[error(
        "the folder belongs to uid {owner}, not to this process's user (uid {user}) or root: \
         its owner could make this process run their machine code"
    )]
    NotOwned {
        /// The folder.
        path: PathBuf,
        /// Its owner.
        owner: u32,
        /// This process's effective user.
        user: u32,
    },
    /// Group or others may write in the folder.
    #[error(
        "the folder is writable by group or others (mode {mode:04o}): anyone who can write in it \
         could make this process run their machine code; use a folder only you can write \
         (`chmod go-w`)"
    )]
    WritableByOthers {
        /// The folder.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The path is not a folder.
    #[error("not a folder")]
    NotAFolder {
        /// The path.
        path: PathBuf,
    },
    /// Neither `XDG_CACHE_HOME` nor `HOME` names a place for the artifact key.
    #[error("no place for the artifact key: neither XDG_CACHE_HOME nor HOME is an absolute path")]
    NoKeyLocation,
    /// The artifact key file may be read by group or others.
    #[error(
        "the artifact key may be read by group or others (mode {mode:04o}); `chmod 600` it, or \
         delete it (every cached artifact is then recompiled once)"
    )]
    KeyReadableByOthers {
        /// The key file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The artifact key file is not one this runtime wrote.
    #[error(
        "the artifact key file {problem}; delete it (every cached artifact is then recompiled once)"
    )]
    BadKeyFile {
        /// The key file.
        path: PathBuf,
        /// What is wrong with it.
        problem: &'static str,
    },
}

impl DiskTrustError {
    /// The trust error that made `error` happen, if one did.
    #[must_use]
    pub fn find(error: &RuntimeError) -> Option<&Self> {
        match error {
            RuntimeError::Io { source, .. } => source.get_ref()?.downcast_ref(),
            _ => None,
        }
    }

    /// The path the error is about, if it names one.
    #[must_use]
    pub fn path(&self) -> Option<&Path> {
        match self {
            Self::NotOwned { path, .. }
            | Self::WritableByOthers { path, .. }
            | Self::NotAFolder { path }
            | Self::KeyReadableByOthers { path, .. }
            | Self::BadKeyFile { path, .. } => Some(path),
            Self::NoKeyLocation => None,
        }
    }

    /// This error as the runtime reports it.
    pub(crate) fn into_runtime(self) -> RuntimeError {
        let path = match self.path() {
            Some(path) => path.to_path_buf(),
            None => PathBuf::from("$XDG_CACHE_HOME/cw-runtime/artifact.key"),
        };
        RuntimeError::Io {
            path,
            source: std::io::Error::new(std::io::ErrorKind::PermissionDenied, self),
        }
    }
}

/// A `RuntimeError::Io` for `path`.
pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> RuntimeError + '_ {
    move |source| RuntimeError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// This process's effective user id.
pub(crate) fn current_user() -> u32 {
    // SAFETY: `geteuid` takes no arguments, touches no memory and cannot
    // fail (POSIX.1-2008).
    unsafe { libc::geteuid() }
}

/// Whether a file or folder of `owner` may hold what this process runs:
/// its own, or root's (root can change anything anyway).
fn trusted_owner(owner: u32, user: u32) -> bool {
    owner == user || owner == 0
}

/// Creates `dir` (and missing parents, readable by the user alone) and
/// checks that only this process's user or root can write in it.
///
/// # Errors
/// [`RuntimeError::Io`], carrying a [`DiskTrustError`] if the folder is
/// not trusted.
pub(crate) fn trusted_folder(dir: &Path) -> Result<(), RuntimeError> {
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(io(dir))?;
    // Follows a symbolic link: what must be safe is the folder the files go
    // to. A link an attacker swaps later leads to files of theirs, which
    // `open_regular` refuses by owner, and the key refuses by MAC.
    let meta = std::fs::metadata(dir).map_err(io(dir))?;
    let path = dir.to_path_buf();
    let user = current_user();
    if !meta.is_dir() {
        return Err(DiskTrustError::NotAFolder { path }.into_runtime());
    }
    if !trusted_owner(meta.uid(), user) {
        return Err(DiskTrustError::NotOwned {
            path,
            owner: meta.uid(),
            user,
        }
        .into_runtime());
    }
    let mode = meta.mode() & 0o7777;
    if mode & WRITABLE_BY_OTHERS != 0 {
        return Err(DiskTrustError::WritableByOthers { path, mode }.into_runtime());
    }
    Ok(())
}

/// What opening a cache file found.
#[derive(Debug)]
pub(crate) enum Opened {
    /// No such file.
    Missing,
    /// A regular file of a trusted owner, not writable by others, with its
    /// whole content (at most the bound it was read with).
    Read(Vec<u8>),
    /// Something that must not be read; the reason says what it is.
    Refused(&'static str),
}

/// Reads the file at `path` if it is a regular file of this process's user
/// (or root), not writable by group or others, of at most `limit_bytes`:
/// never follows a symbolic link, never blocks on a FIFO, never reads more
/// than `limit_bytes + 1` bytes.
///
/// # Errors
/// [`std::io::Error`] for a failure that says nothing about the file (no
/// permission, I/O error).
pub(crate) fn read_regular(path: &Path, limit_bytes: u64) -> std::io::Result<Opened> {
    let file = match OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
    {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Opened::Missing),
        // Linux and macOS say ELOOP for a symbolic link under O_NOFOLLOW,
        // FreeBSD says EMLINK; ENXIO is a socket (or a FIFO's far end).
        Err(e) if matches!(e.raw_os_error(), Some(libc::ELOOP | libc::EMLINK)) => {
            return Ok(Opened::Refused("not a regular file: a symbolic link"));
        }
        Err(e) if e.raw_os_error() == Some(libc::ENXIO) => {
            return Ok(Opened::Refused("not a regular file"));
        }
        Err(e) => return Err(e),
    };
    // The checks are on the opened handle (fstat), so a file swapped after
    // the open cannot slip through.
    let meta = file.metadata()?;
    if !meta.file_type().is_file() {
        return Ok(Opened::Refused("not a regular file"));
    }
    if !trusted_owner(meta.uid(), current_user()) {
        return Ok(Opened::Refused("owned by another user"));
    }
    if meta.mode() & WRITABLE_BY_OTHERS != 0 {
        return Ok(Opened::Refused("writable by group or others"));
    }
    if meta.len() > limit_bytes {
        return Ok(Opened::Refused("larger than the artifact size bound"));
    }
    read_bounded(file, meta.len(), limit_bytes)
}

/// Reads `file`, expected to hold `expected_bytes`, never more than
/// `limit_bytes + 1` bytes whatever it really holds.
fn read_bounded(file: File, expected_bytes: u64, limit_bytes: u64) -> std::io::Result<Opened> {
    let capacity = usize::try_from(expected_bytes).unwrap_or(usize::MAX);
    let mut bytes = Vec::with_capacity(capacity);
    file.take(limit_bytes.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if u64::try_from(bytes.len()) != Ok(expected_bytes) {
        return Ok(Opened::Refused("changed size while being read"));
    }
    Ok(Opened::Read(bytes))
}

/// Opens a new file at `path` for writing, readable and writable by the
/// user alone; fails with `AlreadyExists` if anything (a symbolic link too)
/// is already there, so a planted link is never followed.
pub(crate) fn create_new(path: &Path) -> std::io::Result<File> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
}
