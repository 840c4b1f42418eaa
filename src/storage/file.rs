//! The database file itself: what is at the path, creating a new database
//! atomically, and who owns it. docs/reliability.md lists the guarantees.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::{Result, StoreError};
use crate::fsutil::{parent_dir, sync_dir};

/// What is at the database path.
#[derive(Debug)]
pub enum Found {
    Nothing,
    /// A regular file (possibly through a symlink), with its metadata.
    File(fs::Metadata),
}

/// Looks at `path` without changing anything; a directory, a dangling symlink
/// or a special file is an error that says so.
pub fn inspect(path: &Path) -> Result<Found> {
    let link = match fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Found::Nothing),
        Err(source) => {
            return Err(StoreError::Access {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let meta = if link.file_type().is_symlink() {
        match fs::metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(StoreError::DanglingSymlink {
                    path: path.to_path_buf(),
                    target: fs::read_link(path).unwrap_or_default(),
                });
            }
            Err(source) => {
                return Err(StoreError::Access {
                    path: path.to_path_buf(),
                    source,
                });
            }
        }
    } else {
        link
    };
    if meta.is_dir() {
        return Err(StoreError::NotAFile {
            path: path.to_path_buf(),
            what: "a directory",
        });
    }
    if !meta.is_file() {
        return Err(StoreError::NotAFile {
            path: path.to_path_buf(),
            what: "not a regular file (a device, a FIFO or a socket)",
        });
    }
    Ok(Found::File(meta))
}

/// The user id this process runs as.
pub fn current_uid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// An existing file may become a new database only if it is private to us:
/// owned by the current user and not readable or writable by anyone else.
/// Anything else was not created by pdconsent and may be shared.
pub fn check_adoptable(path: &Path, meta: &fs::Metadata) -> Result<()> {
    let mode = meta.mode() & 0o7777;
    if meta.uid() != current_uid() || mode & 0o077 != 0 {
        return Err(StoreError::NotOwned {
            path: path.to_path_buf(),
            mode,
            uid: meta.uid(),
        });
    }
    Ok(())
}

/// A warning when an existing database is open to group or others.
pub fn exposure_warning(path: &Path, meta: &fs::Metadata) -> Option<String> {
    let mode = meta.mode() & 0o777;
    (mode & 0o077 != 0).then(|| {
        format!(
            "`{}` is readable or writable by group or others (mode {mode:04o}) and holds personal data; run `chmod 600 {}`",
            path.display(),
            path.display()
        )
    })
}

/// Creates the missing directories of `dir`, each with mode 0700 whatever the umask.
pub fn create_private_dirs(dir: &Path) -> Result<()> {
    crate::fsutil::create_private_dirs(dir).map_err(|source| StoreError::Create {
        path: dir.to_path_buf(),
        source,
    })
}

/// A new, empty file with mode 0600 beside `path`, under a temporary name:
/// the database is built there and only linked into place when complete.
pub fn new_private_temp(path: &Path) -> Result<tempfile::TempPath> {
    let dir = parent_dir(path);
    create_private_dirs(dir)?;
    tempfile::Builder::new()
        .prefix(".pdconsent-new-")
        .suffix(".db")
        .permissions(fs::Permissions::from_mode(0o600))
        .tempfile_in(dir)
        .map(|f| f.into_temp_path())
        .map_err(|source| StoreError::Create {
            path: path.to_path_buf(),
            source,
        })
}

/// Links the finished database `tmp` to `path` only if `path` is still free:
/// `Ok(false)` when another process put a file there first (left untouched).
pub fn link_into_place(tmp: &Path, path: &Path) -> Result<bool> {
    match fs::hard_link(tmp, path) {
        Ok(()) => {
            sync_dir(parent_dir(path));
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(source) => Err(StoreError::Create {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// The `-wal` and `-shm` companions of a database path.
pub fn companions(path: &Path) -> [PathBuf; 2] {
    ["-wal", "-shm"].map(|suffix| {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        PathBuf::from(p)
    })
}

/// Why this process cannot write the database at `path`, if it cannot: the
/// file itself, or its directory (where SQLite creates the -wal and -shm files).
pub fn unwritable(path: &Path) -> Option<String> {
    let writable = |p: &Path| {
        std::ffi::CString::new(p.as_os_str().as_encoded_bytes())
            // SAFETY: a valid NUL-terminated path; access(2) only reads it.
            .is_ok_and(|c| unsafe { libc::access(c.as_ptr(), libc::W_OK) } == 0)
    };
    if !writable(path) {
        return Some("the file is not writable by this user".to_string());
    }
    let dir = parent_dir(path);
    let companions_exist = companions(path).iter().all(|p| p.exists());
    if !companions_exist && !writable(dir) {
        return Some(format!(
            "its directory `{}` is not writable (SQLite keeps its -wal and -shm files there)",
            dir.display()
        ));
    }
    None
}
