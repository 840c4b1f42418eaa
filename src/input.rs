//! Bounded reading of what a user hands in: a file, standard input, or one line
//! of a line-oriented stream.
//!
//! Every input has a documented cap (README, "Limits") and reading stops there,
//! so `/dev/zero` or an endless pipe cannot grow memory without end. UTF-8 is
//! checked as the bytes arrive: binary input stops at its first invalid byte,
//! and the error gives that byte's offset and line.

use std::fs::File;
use std::io::{self, BufRead, Read};
use std::path::Path;

use crate::HintExt;
use crate::domain::render::MAX_TEMPLATE_BYTES;

/// The most an `apply` file may hold: 64 MiB. A file of 32,000 agreements, each
/// with a few purposes, fields and third parties, is about 25 MiB.
pub const MAX_CONFIG_BYTES: usize = 64 * 1024 * 1024;

/// The most one line of a line-oriented stream (a JSON Lines record) may hold: 1 MiB.
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

/// A cap, and what the error calls the input it caps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub bytes: usize,
    pub what: &'static str,
}

/// A template or custom text (`--text-file`): [`MAX_TEMPLATE_BYTES`], 256 KiB.
pub const TEXT: Limit = Limit {
    bytes: MAX_TEMPLATE_BYTES,
    what: "a template or custom text",
};

/// A TOML file given to `apply`: [`MAX_CONFIG_BYTES`].
pub const CONFIG: Limit = Limit {
    bytes: MAX_CONFIG_BYTES,
    what: "an apply file",
};

/// One line of a JSON Lines stream: [`MAX_LINE_BYTES`].
pub const JSON_LINE: Limit = Limit {
    bytes: MAX_LINE_BYTES,
    what: "a JSON line",
};

/// A size the way the README writes limits: `256 KiB`, `64 MiB`.
pub fn human_size(bytes: usize) -> String {
    const KIB: usize = 1024;
    const MIB: usize = 1024 * KIB;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("cannot read {name}: {source}")]
    Io {
        name: String,
        #[source]
        source: io::Error,
    },
    #[error(
        "{name} is larger than {}, the limit for {}; reading stopped there",
        human_size(limit.bytes),
        limit.what
    )]
    TooLarge { name: String, limit: Limit },
    #[error("{name} is not UTF-8 text: {what} at byte offset {offset} (line {line})")]
    NotUtf8 {
        name: String,
        /// `invalid byte 0xFF`, or `an incomplete character` at the end.
        what: String,
        offset: u64,
        line: u64,
    },
}

impl InputError {
    /// What to do about it, for the `hint:` line; `None` for an I/O error, whose
    /// remedy depends on where the input came from.
    pub fn hint(&self) -> Option<String> {
        match self {
            InputError::Io { .. } => None,
            InputError::TooLarge { limit, .. } => Some(format!(
                "pdconsent reads at most {} of {}; the README's \"Limits\" lists every limit",
                human_size(limit.bytes),
                limit.what
            )),
            InputError::NotUtf8 { .. } => Some(
                "save it as UTF-8 text, e.g. `iconv -f CP1251 -t UTF-8 FILE > FILE.utf8`"
                    .to_string(),
            ),
        }
    }
}

/// The name of an input in messages: `` `path` `` or `standard input`.
fn display_name(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "standard input".to_string()
    } else {
        format!("`{}`", path.display())
    }
}

/// Reads the file at `path` — standard input for `-` — as UTF-8 within `limit`.
/// `io_hint` is the hint for a file that cannot be opened or read (a wrong path,
/// a directory); standard input gets none.
pub fn read_path(path: &Path, limit: Limit, io_hint: &str) -> anyhow::Result<String> {
    let name = display_name(path);
    let stdin = path.as_os_str() == "-";
    let result = if stdin {
        read_to_string(io::stdin().lock(), &name, limit)
    } else {
        File::open(path)
            .map_err(|source| InputError::Io {
                name: name.clone(),
                source,
            })
            .and_then(|f| read_to_string(f, &name, limit))
    };
    result.or_else(|e| match (e.hint(), stdin) {
        (Some(hint), _) => Err(e).hint(hint),
        (None, false) => Err(e).hint(io_hint),
        (None, true) => Err(e.into()),
    })
}

/// The bytes read so far, how much of them is known to be UTF-8, and where
/// they start in the stream (for the offset and line of an error).
struct Bounded<'a> {
    name: &'a str,
    limit: Limit,
    buf: Vec<u8>,
    valid: usize,
    start_offset: u64,
    start_line: u64,
}

impl<'a> Bounded<'a> {
    fn new(name: &'a str, limit: Limit, start_offset: u64, start_line: u64) -> Bounded<'a> {
        Bounded {
            name,
            limit,
            buf: Vec::new(),
            valid: 0,
            start_offset,
            start_line,
        }
    }

    /// How many more bytes to read: one past the limit, to tell "at the limit" from "over it".
    fn room(&self) -> usize {
        (self.limit.bytes + 1).saturating_sub(self.buf.len())
    }

    /// Appends bytes, checks the new ones, and fails once the limit is passed.
    fn push(&mut self, bytes: &[u8]) -> Result<(), InputError> {
        self.buf.extend_from_slice(bytes);
        match std::str::from_utf8(&self.buf[self.valid..]) {
            Ok(_) => self.valid = self.buf.len(),
            // An invalid byte: stop here. A character cut at the end of this
            // chunk: its other bytes may come with the next read.
            Err(e) => match e.error_len() {
                Some(_) => return Err(self.not_utf8(self.valid + e.valid_up_to(), false)),
                None => self.valid += e.valid_up_to(),
            },
        }
        if self.buf.len() > self.limit.bytes {
            return Err(InputError::TooLarge {
                name: self.name.to_string(),
                limit: self.limit,
            });
        }
        Ok(())
    }

    fn finish(self) -> Result<String, InputError> {
        if self.valid < self.buf.len() {
            return Err(self.not_utf8(self.valid, true));
        }
        // `push` has checked every byte; this second pass cannot fail.
        match String::from_utf8(self.buf) {
            Ok(text) => Ok(text),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let buf = e.into_bytes();
                Err(Bounded { buf, ..self }.not_utf8(at, false))
            }
        }
    }

    /// The error for the invalid byte at `at`, or for a character cut off by the end.
    fn not_utf8(&self, at: usize, truncated: bool) -> InputError {
        let newlines = self.buf[..at].iter().filter(|&&b| b == b'\n').count();
        InputError::NotUtf8 {
            name: self.name.to_string(),
            what: if truncated {
                "an incomplete character".to_string()
            } else {
                format!("invalid byte 0x{:02X}", self.buf[at])
            },
            offset: self.start_offset + at as u64,
            line: self.start_line + newlines as u64,
        }
    }
}

fn io_error(name: &str, source: io::Error) -> InputError {
    InputError::Io {
        name: name.to_string(),
        source,
    }
}

/// Reads everything `reader` gives, as UTF-8, within `limit`: at most one byte
/// past the limit is read before the error.
pub fn read_to_string(
    mut reader: impl Read,
    name: &str,
    limit: Limit,
) -> Result<String, InputError> {
    let mut bounded = Bounded::new(name, limit, 0, 1);
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let want = chunk.len().min(bounded.room());
        match reader.read(&mut chunk[..want]) {
            Ok(0) => break,
            Ok(n) => bounded.push(&chunk[..n])?,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(io_error(name, e)),
        }
    }
    bounded.finish()
}

/// The lines of a line-oriented stream (JSON Lines), each read within `limit`
/// and checked as UTF-8; errors give the offset and line in the whole stream.
/// A line ends at `\n` (a `\r` before it is dropped) or at the end of the stream.
pub struct LineReader<R> {
    reader: R,
    name: String,
    limit: Limit,
    offset: u64,
    line: u64,
    /// After an error: bytes of the refused line are still unread.
    partial: bool,
    /// After an error: the line counter already moved past the refused line.
    counted: bool,
}

impl<R: BufRead> LineReader<R> {
    pub fn new(reader: R, name: &str, limit: Limit) -> LineReader<R> {
        LineReader {
            reader,
            name: name.to_string(),
            limit,
            offset: 0,
            line: 1,
            partial: false,
            counted: false,
        }
    }

    /// The number of the line the next call returns.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The next line without its line break; `None` at the end of the stream.
    /// After an error the stream is left where reading stopped.
    pub fn next_line(&mut self) -> Result<Option<String>, InputError> {
        let mut bounded = Bounded::new(&self.name, self.limit, self.offset, self.line);
        let mut read_any = false;
        self.partial = false;
        self.counted = false;
        loop {
            let available = match self.reader.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(io_error(&self.name, e)),
            };
            if available.is_empty() {
                break;
            }
            read_any = true;
            let newline = available.iter().position(|&b| b == b'\n');
            let content = newline.unwrap_or(available.len());
            // One byte past the limit is enough to know; the rest is not read.
            let n = content.min(bounded.room());
            let result = bounded.push(&available[..n]);
            let ended = newline.is_some() && n == content;
            let consumed = n + usize::from(ended);
            self.reader.consume(consumed);
            self.offset += consumed as u64;
            if let Err(e) = result {
                self.partial = !ended;
                return Err(e);
            }
            if ended {
                break;
            }
        }
        if !read_any {
            return Ok(None);
        }
        self.line += 1;
        self.counted = true;
        let mut text = bounded.finish()?;
        if text.ends_with('\r') {
            text.pop();
        }
        Ok(Some(text))
    }

    /// After a line was refused (too long, not UTF-8): drops the rest of it, up to and
    /// including its line break, so that reading goes on with the next line.
    pub fn skip_line(&mut self) -> Result<(), InputError> {
        if !self.counted {
            self.line += 1;
            self.counted = true;
        }
        while self.partial {
            let available = match self.reader.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(io_error(&self.name, e)),
            };
            if available.is_empty() {
                self.partial = false;
                break;
            }
            match available.iter().position(|&b| b == b'\n') {
                Some(i) => {
                    self.reader.consume(i + 1);
                    self.offset += i as u64 + 1;
                    self.partial = false;
                }
                None => {
                    let n = available.len();
                    self.reader.consume(n);
                    self.offset += n as u64;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
