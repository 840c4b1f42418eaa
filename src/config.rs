//! The declarative configuration: a TOML file of `[[requisites]]`,
//! `[[agreements]]` and `[[sources]]`, parsed with every error located
//! (line, column, key path), and written back by `dump`.
//!
//! Pure: no database. The commands `apply` and `dump` bring the store.
//!
//! - `config/entry.rs`: the entries' keys and types, read by `parse` and written by `dump`;
//! - `config/checked.rs`: reading them with serde without stopping at the first problem;
//! - `config/read.rs`: from entries to domain objects, every problem located;
//! - `config/plan.rs`: what `apply` does, given what the database holds.

mod checked;
mod entry;
pub mod plan;
mod read;

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use serde::Serialize;
use serde::de::{Deserialize, DeserializeOwned, IntoDeserializer};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::domain::agreement::Settings;
use crate::domain::requisites::Requisites;
use crate::domain::source::Source;
use checked::{Checked, Field, Items, Table};
use entry::{AgreementEntry, RequisitesEntry, SourceEntry};
use read::Reader;

/// One problem in the file, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub line: usize,
    pub column: usize,
    /// The key path, e.g. `agreements[1].third_parties[0].inn`.
    pub path: String,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}:{}: {}", self.line, self.column, self.message)
        } else {
            write!(
                f,
                "{}:{}: {}: {}",
                self.line, self.column, self.path, self.message
            )
        }
    }
}

/// An agreement as the file declares it; `requisites` may be left to the default.
#[derive(Debug, Clone, PartialEq)]
pub struct FileAgreement {
    pub code: String,
    pub settings: Settings,
    pub requisites_given: bool,
    /// `archived = true`: kept, but hidden from new use.
    pub archived: bool,
}

/// A source as the file declares it.
#[derive(Debug, Clone, PartialEq)]
pub struct FileSource {
    pub source: Source,
    pub archived: bool,
}

/// Requisites as the file declares them; `default` may be left as it is.
#[derive(Debug, Clone, PartialEq)]
pub struct FileRequisites {
    pub requisites: Requisites,
    pub default_given: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Config {
    pub requisites: Vec<FileRequisites>,
    pub agreements: Vec<FileAgreement>,
    pub sources: Vec<FileSource>,
    /// (key path, code) of every agreement's `requisites` key, even in entries with problems.
    pub requisites_refs: Vec<(String, String)>,
    /// Where things are, shared by the copies `apply` plans with.
    index: Arc<Index>,
}

/// What places errors found after parsing (references to the database).
#[derive(Debug, Default)]
struct Index {
    /// Spans of key paths.
    spans: HashMap<String, Range<usize>>,
    codes: Codes,
    text: String,
    lines: LineStarts,
}

/// The entries' codes, by kind (`requisites`, `agreements`, `sources`) and code,
/// with the path of the entry: a lookup, not a scan, for each reference.
type Codes = HashMap<String, HashMap<String, String>>;

/// The offset where each line of the text starts, so that placing an error is
/// a binary search rather than a count of the newlines before it.
#[derive(Debug, Clone)]
struct LineStarts(Vec<usize>);

impl Default for LineStarts {
    fn default() -> LineStarts {
        LineStarts::new("")
    }
}

impl LineStarts {
    fn new(text: &str) -> LineStarts {
        LineStarts(
            std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect(),
        )
    }
}

impl Config {
    /// An error at the key `path` (or, if it is absent, at the nearest table that is present).
    pub fn error_at(&self, path: &str, message: impl Into<String>) -> ConfigError {
        let mut p = path.to_string();
        let span = loop {
            if let Some(s) = self.index.spans.get(&p) {
                break s.clone();
            }
            match p.rfind(['.', '[']) {
                Some(i) => p.truncate(i),
                None => break 0..0,
            }
        };
        let index = &*self.index;
        locate(&index.text, &index.lines, span.start, path, message.into())
    }
}

fn locate(
    text: &str,
    lines: &LineStarts,
    offset: usize,
    path: &str,
    message: String,
) -> ConfigError {
    let offset = offset.min(text.len());
    // Lines starting at or before the offset; the first starts at 0.
    let line = lines.0.partition_point(|&start| start <= offset).max(1);
    let start = lines.0.get(line - 1).copied().unwrap_or(0);
    let column = text[start..offset].chars().count() + 1;
    ConfigError {
        line,
        column,
        path: path.to_string(),
        message,
    }
}

/// Parses the whole file, reporting every problem it can find without the
/// database. Entries with problems are left out of the returned `Config`, but
/// their codes are known (so references to them are not reported as missing).
pub fn parse(text: &str) -> (Config, Vec<ConfigError>) {
    let (doc, syntax) = DeTable::parse_recoverable(text);
    let lines = LineStarts::new(text);
    if !syntax.is_empty() {
        let errors = syntax
            .iter()
            .map(|e| {
                locate(
                    text,
                    &lines,
                    e.span().map(|s| s.start).unwrap_or(0),
                    "",
                    format!("TOML syntax: {}", e.message().trim()),
                )
            })
            .collect();
        return (Config::default(), errors);
    }
    let mut r = Reader::new(text, lines);
    let mut config = Config::default();
    // The top level by hand, each kind of entry with serde: a file with a
    // misspelt table or a broken entry still has every other entry checked.
    for (k, v) in doc.into_inner() {
        let key = k.get_ref().to_string();
        r.spans.insert(key.clone(), k.span());
        r.walk(&key, &v);
        match key.as_str() {
            "requisites" => {
                let entries = entries(&mut r, &key, v);
                for (path, e, span) in r.tables(&entries, &key) {
                    config.requisites.extend(r.requisites(&path, e, span));
                }
            }
            "agreements" => {
                let entries = entries(&mut r, &key, v);
                for (path, e, span) in r.tables(&entries, &key) {
                    config.agreements.extend(r.agreement(&path, e, span));
                }
            }
            "sources" => {
                let entries = entries(&mut r, &key, v);
                for (path, e, span) in r.tables(&entries, &key) {
                    config.sources.extend(r.source(&path, e, span));
                }
            }
            other => r.note(k.span(), other, format!("unknown table `{other}`; the file has [[requisites]], [[agreements]] and [[sources]]")),
        }
    }
    config.requisites_refs = std::mem::take(&mut r.requisites_refs);
    config.index = Arc::new(Index {
        spans: std::mem::take(&mut r.spans),
        codes: std::mem::take(&mut r.codes),
        text: text.to_string(),
        lines: r.lines,
    });
    let mut errors = r.errors;
    errors.sort_by_key(|e| (e.line, e.column));
    errors.dedup();
    (config, errors)
}

/// The entries of one kind, each read with serde on its own (see [`checked`]).
fn entries<E: DeserializeOwned>(
    r: &mut Reader,
    path: &str,
    value: Spanned<DeValue>,
) -> Field<Items<Table<E>>> {
    match Spanned::<Checked<Items<Table<E>>>>::deserialize(value.into_deserializer()) {
        Ok(entries) => Some(entries),
        // Not expected: every value is read as `Checked`, which keeps its problem.
        Err(e) => {
            r.note(e.span().unwrap_or_default(), path, e.message());
            None
        }
    }
}

impl Config {
    /// Whether the file has an entry of `kind` with `code` (even one with problems).
    pub fn mentions(&self, kind: &str, code: &str) -> bool {
        self.index
            .codes
            .get(kind)
            .is_some_and(|codes| codes.contains_key(code))
    }

    /// The path of the entry of `kind` (`requisites`, `agreements`, `sources`) with `code`.
    pub fn path_of(&self, kind: &str, code: &str) -> String {
        self.index
            .codes
            .get(kind)
            .and_then(|codes| codes.get(code))
            .cloned()
            .unwrap_or_else(|| kind.to_string())
    }
}

// ---- dump ----

#[derive(Serialize)]
struct DumpFile {
    requisites: Vec<RequisitesEntry>,
    agreements: Vec<AgreementEntry>,
    sources: Vec<SourceEntry>,
}

/// An agreement or a source with `archived = true` when it is archived.
#[derive(Serialize)]
struct Stored<'a, T> {
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    archived: bool,
    #[serde(flatten)]
    value: &'a T,
}

/// A domain object as the file's entry `E`: written by its own serde and read
/// back, so that a key `E` does not have fails here (`deny_unknown_fields`)
/// rather than in the `apply` of the file written.
fn entry<E: DeserializeOwned>(object: &impl Serialize) -> Result<E, toml::ser::Error> {
    toml::from_str(&toml::to_string(object)?).map_err(serde::ser::Error::custom)
}

/// The configuration as TOML that `parse` accepts: dump → apply → dump gives the same bytes.
/// Archived agreements and sources are written with `archived = true`.
pub fn dump(
    reqs: &[Requisites],
    agreements: &[(String, Settings, bool)],
    sources: &[(Source, bool)],
) -> Result<String, toml::ser::Error> {
    let file = DumpFile {
        requisites: reqs.iter().map(entry).collect::<Result<_, _>>()?,
        agreements: agreements
            .iter()
            .map(|(code, settings, archived)| {
                let code = Some(code.as_str());
                entry(&Stored {
                    code,
                    archived: *archived,
                    value: settings,
                })
            })
            .collect::<Result<_, _>>()?,
        sources: sources
            .iter()
            .map(|(source, archived)| {
                entry(&Stored {
                    code: None,
                    archived: *archived,
                    value: source,
                })
            })
            .collect::<Result<_, _>>()?,
    };
    let body = toml::to_string_pretty(&file)?;
    Ok(format!(
        "# pdconsent configuration, written by `pdconsent dump`.\n# Apply it with `pdconsent apply FILE`; see agreements.example.toml for every key explained.\n\n{body}"
    ))
}

#[cfg(test)]
mod tests;
