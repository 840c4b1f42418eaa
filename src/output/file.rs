//! Writing an output file (`-o FILE`) without ever leaving half of it, and
//! without replacing what is not a regular file.
//!
//! - A missing path or a regular file: written to a temporary file (mode 0600)
//!   in the same directory, flushed to disk, renamed over the path, and the
//!   directory flushed, so a failure or a crash leaves the old file or the new
//!   one, never a part.
//! - A symlink to a regular file: its target is replaced that way; the link stays.
//! - A FIFO, a terminal or another device (`/dev/stdout`, `/dev/null`): written
//!   through, never replaced by a regular file.
//! - A directory or a dangling symlink: an error that says so.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// An output file being written; nothing is visible at the path before [`commit`](Self::commit).
pub struct OutputFile {
    target: Target,
}

enum Target {
    Replace {
        tmp: tempfile::NamedTempFile,
        dest: PathBuf,
    },
    Through(io::BufWriter<File>),
}

/// Why an output file cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputFileError {
    #[error("`{0}` is a directory; give a file name")]
    Directory(PathBuf),
    #[error("`{path}` is a dangling symlink (it points to `{target}`, which does not exist)")]
    Dangling { path: PathBuf, target: PathBuf },
    #[error("cannot write `{path}`: {source}")]
    Io { path: PathBuf, source: io::Error },
}

impl OutputFile {
    pub fn create(path: &Path) -> Result<OutputFile, OutputFileError> {
        let io_err = |source| OutputFileError::Io {
            path: path.to_path_buf(),
            source,
        };
        let meta = match fs::symlink_metadata(path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(io_err(e)),
            Ok(m) if m.file_type().is_symlink() => match fs::metadata(path) {
                Ok(m) => Some(m),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    return Err(OutputFileError::Dangling {
                        path: path.to_path_buf(),
                        target: fs::read_link(path).unwrap_or_default(),
                    });
                }
                Err(e) => return Err(io_err(e)),
            },
            Ok(m) => Some(m),
        };
        let target = match meta {
            Some(m) if m.is_dir() => return Err(OutputFileError::Directory(path.to_path_buf())),
            Some(m) if !m.is_file() => {
                let f = OpenOptions::new().write(true).open(path).map_err(io_err)?;
                Target::Through(io::BufWriter::new(f))
            }
            found => {
                // Through a symlink, the file it points to is replaced.
                let dest = match found {
                    Some(_) => fs::canonicalize(path).map_err(io_err)?,
                    None => path.to_path_buf(),
                };
                let dir = crate::fsutil::parent_dir(&dest);
                let tmp = tempfile::Builder::new()
                    .prefix(".pdconsent-out-")
                    .permissions(fs::Permissions::from_mode(0o600))
                    .tempfile_in(dir)
                    .map_err(io_err)?;
                Target::Replace { tmp, dest }
            }
        };
        Ok(OutputFile { target })
    }

    /// Writes `bytes` to `path` as one file: created, written and committed, so that a
    /// failure leaves what was there.
    pub fn write_whole(path: &Path, bytes: &[u8]) -> Result<(), OutputFileError> {
        let mut f = OutputFile::create(path)?;
        f.write_all(bytes)
            .and_then(|()| f.commit())
            .map_err(|source| OutputFileError::Io {
                path: path.to_path_buf(),
                source,
            })
    }

    /// Makes the written bytes visible at the path, durably.
    pub fn commit(self) -> io::Result<()> {
        match self.target {
            Target::Replace { tmp, dest } => {
                tmp.as_file().sync_all()?;
                tmp.persist(&dest).map_err(|e| e.error)?;
                crate::fsutil::sync_dir(crate::fsutil::parent_dir(&dest));
                Ok(())
            }
            Target::Through(mut w) => w.flush(),
        }
    }
}

impl Write for OutputFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.target {
            Target::Replace { tmp, .. } => tmp.write(buf),
            Target::Through(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.target {
            Target::Replace { tmp, .. } => tmp.flush(),
            Target::Through(w) => w.flush(),
        }
    }
}
