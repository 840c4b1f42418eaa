//! The declarative configuration: a TOML file of `[[requisites]]`,
//! `[[agreements]]` and `[[sources]]`, parsed with every error located
//! (line, column, key path), and written back by `dump`.
//!
//! Pure: no database. The commands `apply` and `dump` bring the store.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

use serde::Serialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::domain::agreement::{Action, Change, Language, Role, Settings, ThirdParty};
use crate::domain::requisites::{Kind, Requisites};
use crate::domain::source::{Link, Source, SourceKind};

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
    /// Spans of key paths, for errors found later (references to the database).
    spans: HashMap<String, Range<usize>>,
    codes: Codes,
    /// (key path, code) of every agreement's `requisites` key, even in entries with problems.
    pub requisites_refs: Vec<(String, String)>,
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
            if let Some(s) = self.spans.get(&p) {
                break s.clone();
            }
            match p.rfind(['.', '[']) {
                Some(i) => p.truncate(i),
                None => break 0..0,
            }
        };
        locate(&self.text, &self.lines, span.start, path, message.into())
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

struct Parser<'t> {
    text: &'t str,
    lines: LineStarts,
    errors: Vec<ConfigError>,
    /// How many of `errors` were found before the current entry.
    entry_errors: usize,
    spans: HashMap<String, Range<usize>>,
    /// Every entry's path, by kind and code, as written.
    codes: Codes,
    /// (key path, requisites code) of every agreement's `requisites` key.
    requisites_refs: Vec<(String, String)>,
}

const AGREEMENT_KEYS: &[&str] = &[
    "code",
    "archived",
    "name",
    "language",
    "template",
    "custom_text",
    "requisites",
    "required",
    "checked_by_default",
    "require_reading",
    "label",
    "url",
    "purposes",
    "actions",
    "methods",
    "term",
    "third_parties",
    "withdrawal_email",
    "automated_decisions",
    "fields",
    "restrictions",
];

const THIRD_PARTY_KEYS: &[&str] = &["name", "inn", "address", "role"];
const SOURCE_KEYS: &[&str] = &[
    "archived",
    "code",
    "kind",
    "name",
    "url",
    "fields",
    "warning",
    "agreements",
    "captions_en",
];
const LINK_KEYS: &[&str] = &[
    "agreement",
    "required",
    "checked_by_default",
    "require_reading",
];

/// A scalar read from the file, as text, with its span.
enum Scalar {
    Text(String),
    Bool(bool),
}

impl<'t> Parser<'t> {
    fn err(&mut self, span: Range<usize>, path: &str, message: impl Into<String>) {
        self.errors.push(locate(
            self.text,
            &self.lines,
            span.start,
            path,
            message.into(),
        ));
    }

    /// Checks the keys of a table; returns them with their values.
    fn keys<'a, 'i>(
        &mut self,
        table: &'a DeTable<'i>,
        path: &str,
        allowed: &[&str],
    ) -> Vec<(String, &'a Spanned<DeValue<'i>>)> {
        let mut out = Vec::new();
        for (k, v) in table.iter() {
            let key = k.get_ref().to_string();
            let kp = format!("{path}.{key}");
            self.spans.insert(kp.clone(), k.span());
            if allowed.contains(&key.as_str()) {
                out.push((key, v));
            } else {
                self.err(
                    k.span(),
                    &kp,
                    format!("unknown key `{key}`; allowed keys: {}", allowed.join(", ")),
                );
            }
        }
        out
    }

    fn scalar(&mut self, v: &Spanned<DeValue>, path: &str, want_bool: bool) -> Option<Scalar> {
        match (v.get_ref(), want_bool) {
            (DeValue::String(s), false) => Some(Scalar::Text(s.to_string())),
            (DeValue::Boolean(b), true) => Some(Scalar::Bool(*b)),
            (other, _) => {
                let want = if want_bool {
                    "a boolean (true or false)"
                } else {
                    "a string"
                };
                self.err(
                    v.span(),
                    path,
                    format!("expected {want}, found {}", other.type_str()),
                );
                None
            }
        }
    }

    fn string(&mut self, v: &Spanned<DeValue>, path: &str) -> Option<String> {
        match self.scalar(v, path, false) {
            Some(Scalar::Text(s)) => Some(s),
            _ => None,
        }
    }

    fn boolean(&mut self, v: &Spanned<DeValue>, path: &str) -> Option<bool> {
        match self.scalar(v, path, true) {
            Some(Scalar::Bool(b)) => Some(b),
            _ => None,
        }
    }

    fn strings(&mut self, v: &Spanned<DeValue>, path: &str) -> Option<Vec<String>> {
        let DeValue::Array(items) = v.get_ref() else {
            self.err(
                v.span(),
                path,
                format!(
                    "expected an array of strings, found {}",
                    v.get_ref().type_str()
                ),
            );
            return None;
        };
        let mut out = Vec::new();
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let ip = format!("{path}[{i}]");
            self.spans.insert(ip.clone(), item.span());
            match self.string(item, &ip) {
                Some(s) if s.trim().is_empty() => {
                    self.err(item.span(), &ip, "empty entry");
                    ok = false;
                }
                Some(s) => out.push(s),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn tables<'a, 'i>(
        &mut self,
        v: &'a Spanned<DeValue<'i>>,
        path: &str,
    ) -> Vec<(String, &'a DeTable<'i>)> {
        let DeValue::Array(items) = v.get_ref() else {
            self.err(
                v.span(),
                path,
                format!(
                    "expected an array of tables ([[{path}]]), found {}",
                    v.get_ref().type_str()
                ),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let ip = format!("{path}[{i}]");
            self.spans.insert(ip.clone(), item.span());
            match item.get_ref() {
                DeValue::Table(t) => out.push((ip, t)),
                other => self.err(
                    item.span(),
                    &ip,
                    format!("expected a table, found {}", other.type_str()),
                ),
            }
        }
        out
    }

    fn code(&mut self, table: &DeTable, path: &str, table_span: Range<usize>) -> Option<String> {
        let Some(v) = table.get("code") else {
            self.err(table_span, path, "missing key `code`");
            return None;
        };
        let code = self.string(v, &format!("{path}.code"))?;
        if let Err(e) = crate::domain::validate_code(&code) {
            self.err(v.span(), &format!("{path}.code"), e);
            return None;
        }
        let kind = path.split('[').next().unwrap_or("");
        if self
            .codes
            .get(kind)
            .is_some_and(|codes| codes.contains_key(&code))
        {
            self.err(
                v.span(),
                &format!("{path}.code"),
                format!("duplicate code `{code}`: each entry of [[{kind}]] needs its own code"),
            );
            return None;
        }
        self.codes
            .entry(kind.to_string())
            .or_default()
            .insert(code.clone(), path.to_string());
        Some(code)
    }

    /// Domain validation errors name a setting; point them at its key.
    /// A key already reported (e.g. wrong type) is not reported twice.
    fn field_errors(
        &mut self,
        path: &str,
        table_span: &Range<usize>,
        invalid: crate::domain::Invalid,
    ) {
        for e in invalid.errors {
            let field_path = format!("{path}.{}", e.field);
            // Only the entry's own errors can be at its keys.
            if self.errors[self.entry_errors..]
                .iter()
                .any(|x| x.path == field_path || x.path.starts_with(&format!("{field_path}[")))
            {
                continue;
            }
            let mut p = field_path.clone();
            let span = loop {
                if let Some(s) = self.spans.get(&p) {
                    break s.clone();
                }
                match p.rfind(['.', '[']) {
                    Some(i) if p[..i].len() >= path.len() => p.truncate(i),
                    _ => break table_span.clone(),
                }
            };
            self.err(span, &field_path, e.message);
        }
    }

    fn requisites(
        &mut self,
        path: &str,
        table: &DeTable,
        span: Range<usize>,
    ) -> Option<FileRequisites> {
        self.entry_errors = self.errors.len();
        let code = self.code(table, path, span.clone());
        let allowed: Vec<&str> = std::iter::once("code")
            .chain(crate::domain::requisites::KEYS.iter().copied())
            .collect();
        let entries = self.keys(table, path, &allowed);
        let mut r = Requisites::new(code.as_deref().unwrap_or("?"), Kind::Legal);
        let mut default_given = false;
        let mut ok = code.is_some();
        // Kind first: the other keys are checked against it.
        if let Some((_, v)) = entries.iter().find(|(k, _)| k == "kind") {
            match self
                .string(v, &format!("{path}.kind"))
                .map(|s| Kind::parse(&s))
            {
                Some(Ok(k)) => r.kind = k,
                Some(Err(e)) => {
                    self.err(v.span(), &format!("{path}.kind"), e);
                    ok = false;
                }
                None => ok = false,
            }
        }
        for (key, v) in &entries {
            let kp = format!("{path}.{key}");
            match key.as_str() {
                "code" | "kind" => {}
                "default" => match self.boolean(v, &kp) {
                    Some(b) => {
                        r.is_default = b;
                        default_given = true;
                    }
                    None => ok = false,
                },
                _ => match self.string(v, &kp) {
                    Some(s) => {
                        if let Err(e) = r.set(key, &s) {
                            self.err(v.span(), &kp, e.message);
                            ok = false;
                        }
                    }
                    None => ok = false,
                },
            }
        }
        if code.is_some()
            && let Err(invalid) = r.validate()
        {
            self.field_errors(path, &span, invalid);
            ok = false;
        }
        ok.then_some(FileRequisites {
            requisites: r,
            default_given,
        })
    }

    fn third_party(
        &mut self,
        path: &str,
        table: &DeTable,
        span: Range<usize>,
    ) -> Option<ThirdParty> {
        let entries = self.keys(table, path, THIRD_PARTY_KEYS);
        let mut values: HashMap<String, String> = HashMap::new();
        let mut ok = true;
        for (key, v) in &entries {
            match self.string(v, &format!("{path}.{key}")) {
                Some(s) => {
                    values.insert(key.clone(), s);
                }
                None => ok = false,
            }
        }
        for required in ["name", "inn", "address", "role"] {
            if !values.contains_key(required) {
                self.err(
                    span.clone(),
                    path,
                    format!("missing key `{required}`; a third party needs name, inn, address and role (processor or recipient)"),
                );
                ok = false;
            }
        }
        let role = match values.get("role").map(|r| Role::parse(r)) {
            None => Role::Recipient,
            Some(Ok(r)) => r,
            Some(Err(e)) => {
                let s = self
                    .spans
                    .get(&format!("{path}.role"))
                    .cloned()
                    .unwrap_or(span.clone());
                self.err(s, &format!("{path}.role"), e);
                return None;
            }
        };
        let take = |k: &str| values.get(k).cloned().unwrap_or_default();
        ok.then(|| ThirdParty {
            name: take("name"),
            inn: take("inn"),
            address: take("address"),
            role,
        })
    }

    fn agreement(
        &mut self,
        path: &str,
        table: &DeTable,
        span: Range<usize>,
    ) -> Option<FileAgreement> {
        self.entry_errors = self.errors.len();
        let code = self.code(table, path, span.clone());
        let entries = self.keys(table, path, AGREEMENT_KEYS);
        let mut ok = code.is_some();
        let lang = match entries.iter().find(|(k, _)| k == "language") {
            Some((_, v)) => match self
                .string(v, &format!("{path}.language"))
                .map(|s| Language::parse(&s))
            {
                Some(Ok(l)) => l,
                Some(Err(e)) => {
                    self.err(v.span(), &format!("{path}.language"), e);
                    ok = false;
                    Language::Ru
                }
                None => {
                    ok = false;
                    Language::Ru
                }
            },
            None => Language::Ru,
        };
        let mut s = Settings::new("", lang, "");
        let mut requisites_given = false;
        let mut archived = false;
        if !entries.iter().any(|(k, _)| k == "name") {
            self.err(span.clone(), path, "missing key `name`");
            ok = false;
        }
        for (key, v) in &entries {
            let kp = format!("{path}.{key}");
            let change = match key.as_str() {
                "code" | "language" => continue,
                "archived" => {
                    match self.boolean(v, &kp) {
                        Some(b) => archived = b,
                        None => ok = false,
                    }
                    continue;
                }
                "required" | "checked_by_default" | "require_reading" => self
                    .boolean(v, &kp)
                    .map(|b| Change::Set(key.clone(), b.to_string())),
                "purposes" => self.strings(v, &kp).map(Change::SetPurposes),
                "fields" => self.strings(v, &kp).map(Change::SetFields),
                "restrictions" => self.strings(v, &kp).map(Change::SetRestrictions),
                "actions" => match self.strings(v, &kp) {
                    Some(list) => {
                        let mut actions = Vec::new();
                        for (i, a) in list.iter().enumerate() {
                            match Action::parse(a) {
                                Ok(a) => actions.push(a),
                                Err(e) => {
                                    let ip = format!("{kp}[{i}]");
                                    let sp = self.spans.get(&ip).cloned().unwrap_or(v.span());
                                    self.err(sp, &ip, e);
                                    ok = false;
                                }
                            }
                        }
                        Some(Change::SetActions(actions))
                    }
                    None => None,
                },
                "third_parties" => {
                    let mut parties = Vec::new();
                    for (tp, t) in self.tables(v, &kp) {
                        let sp = self.spans.get(&tp).cloned().unwrap_or(v.span());
                        match self.third_party(&tp, t, sp) {
                            Some(p) => parties.push(p),
                            None => ok = false,
                        }
                    }
                    Some(Change::SetThirdParties(parties))
                }
                _ => {
                    let text = self.string(v, &kp);
                    if let (true, Some(t)) = (key == "requisites", &text) {
                        requisites_given = true;
                        self.requisites_refs.push((kp.clone(), t.clone()));
                    }
                    text.map(|text| Change::Set(key.clone(), text))
                }
            };
            match change {
                Some(c) => {
                    if let Err(e) = s.apply(std::slice::from_ref(&c)) {
                        self.err(v.span(), &kp, e.message);
                        ok = false;
                    }
                }
                None => ok = false,
            }
        }
        if code.is_some() {
            // The requisites are resolved later (file or database); validate the rest now.
            let mut probe = s.clone();
            if probe.requisites.is_empty() {
                probe.requisites = "default".into();
            }
            if let Err(invalid) =
                crate::domain::render::validate(code.as_deref().unwrap_or("?"), &probe)
            {
                self.field_errors(path, &span, invalid);
                ok = false;
            }
        }
        ok.then(|| FileAgreement {
            code: code.unwrap_or_default(),
            settings: s,
            requisites_given,
            archived,
        })
    }

    fn source(&mut self, path: &str, table: &DeTable, span: Range<usize>) -> Option<FileSource> {
        self.entry_errors = self.errors.len();
        let code = self.code(table, path, span.clone());
        let entries = self.keys(table, path, SOURCE_KEYS);
        let mut ok = code.is_some();
        let kind = match entries.iter().find(|(k, _)| k == "kind") {
            Some((_, v)) => match self
                .string(v, &format!("{path}.kind"))
                .map(|s| SourceKind::parse(&s))
            {
                Some(Ok(k)) => Some(k),
                Some(Err(e)) => {
                    self.err(v.span(), &format!("{path}.kind"), e);
                    None
                }
                None => None,
            },
            None => {
                self.err(span.clone(), path, "missing key `kind` (form or openline)");
                None
            }
        };
        let kind = kind?;
        if !entries.iter().any(|(k, _)| k == "name") {
            self.err(span.clone(), path, "missing key `name`");
            ok = false;
        }
        let mut s = Source::new(code.as_deref().unwrap_or("?"), kind, "");
        let mut archived = false;
        for (key, v) in &entries {
            let kp = format!("{path}.{key}");
            match key.as_str() {
                "code" | "kind" => {}
                "archived" => match self.boolean(v, &kp) {
                    Some(b) => archived = b,
                    None => ok = false,
                },
                "fields" => match self.strings(v, &kp) {
                    Some(f) => s.fields = f,
                    None => ok = false,
                },
                "warning" => match self.boolean(v, &kp) {
                    Some(b) => s.warning = b,
                    None => ok = false,
                },
                "captions_en" => match v.get_ref() {
                    DeValue::Table(t) => {
                        for (field, caption) in t.iter() {
                            let field = field.get_ref().to_string();
                            match self.string(caption, &format!("{kp}.{field}")) {
                                Some(c) => {
                                    s.captions_en.insert(field, c);
                                }
                                None => ok = false,
                            }
                        }
                    }
                    other => {
                        self.err(
                            v.span(),
                            &kp,
                            format!(
                                "expected a table of field = \"English caption\", found {}",
                                other.type_str()
                            ),
                        );
                        ok = false;
                    }
                },
                "agreements" => {
                    for (lp, t) in self.tables(v, &kp) {
                        let lspan = self.spans.get(&lp).cloned().unwrap_or(v.span());
                        let entries = self.keys(t, &lp, LINK_KEYS);
                        let mut link = Link {
                            agreement: String::new(),
                            required: None,
                            checked_by_default: None,
                            require_reading: None,
                        };
                        for (k, lv) in &entries {
                            let p = format!("{lp}.{k}");
                            match k.as_str() {
                                "agreement" => match self.string(lv, &p) {
                                    Some(a) => link.agreement = a,
                                    None => ok = false,
                                },
                                _ => match self.boolean(lv, &p) {
                                    Some(b) if k == "required" => link.required = Some(b),
                                    Some(b) if k == "checked_by_default" => {
                                        link.checked_by_default = Some(b)
                                    }
                                    Some(b) => link.require_reading = Some(b),
                                    None => ok = false,
                                },
                            }
                        }
                        if link.agreement.is_empty() {
                            self.err(
                                lspan,
                                &lp,
                                "missing key `agreement` (the code of the linked agreement)",
                            );
                            ok = false;
                        } else {
                            s.agreements.push(link);
                        }
                    }
                }
                _ => match self.string(v, &kp) {
                    Some(text) => {
                        if let Err(e) = s.set(key, &text) {
                            self.err(v.span(), &kp, e.message);
                            ok = false;
                        }
                    }
                    None => ok = false,
                },
            }
        }
        s.normalize();
        if code.is_some()
            && let Err(invalid) = s.validate()
        {
            self.field_errors(path, &span, invalid);
            ok = false;
        }
        ok.then_some(FileSource {
            source: s,
            archived,
        })
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
    let mut p = Parser {
        text,
        lines,
        errors: Vec::new(),
        entry_errors: 0,
        spans: HashMap::new(),
        codes: HashMap::new(),
        requisites_refs: Vec::new(),
    };
    let root = doc.get_ref();
    let mut config = Config::default();
    for (k, v) in root.iter() {
        let key = k.get_ref().to_string();
        p.spans.insert(key.clone(), k.span());
        match key.as_str() {
            "requisites" => {
                for (path, t) in p.tables(v, "requisites") {
                    let span = p.spans.get(&path).cloned().unwrap_or(v.span());
                    config.requisites.extend(p.requisites(&path, t, span));
                }
            }
            "agreements" => {
                for (path, t) in p.tables(v, "agreements") {
                    let span = p.spans.get(&path).cloned().unwrap_or(v.span());
                    config.agreements.extend(p.agreement(&path, t, span));
                }
            }
            "sources" => {
                for (path, t) in p.tables(v, "sources") {
                    let span = p.spans.get(&path).cloned().unwrap_or(v.span());
                    config.sources.extend(p.source(&path, t, span));
                }
            }
            other => p.err(k.span(), other, format!("unknown table `{other}`; the file has [[requisites]], [[agreements]] and [[sources]]")),
        }
    }
    config.spans = p.spans;
    config.codes = p.codes;
    config.requisites_refs = p.requisites_refs;
    config.text = text.to_string();
    config.lines = p.lines;
    let mut errors = p.errors;
    errors.sort_by_key(|e| (e.line, e.column));
    errors.dedup();
    (config, errors)
}

impl Config {
    /// Whether the file has an entry of `kind` with `code` (even one with problems).
    pub fn mentions(&self, kind: &str, code: &str) -> bool {
        self.codes
            .get(kind)
            .is_some_and(|codes| codes.contains_key(code))
    }

    /// The path of the entry of `kind` (`requisites`, `agreements`, `sources`) with `code`.
    pub fn path_of(&self, kind: &str, code: &str) -> String {
        self.codes
            .get(kind)
            .and_then(|codes| codes.get(code))
            .cloned()
            .unwrap_or_else(|| kind.to_string())
    }
}

// ---- dump ----

#[derive(Serialize)]
struct DumpFile<'a> {
    requisites: &'a [Requisites],
    agreements: Vec<DumpAgreement<'a>>,
    sources: Vec<DumpSource<'a>>,
}

#[derive(Serialize)]
struct DumpAgreement<'a> {
    code: &'a str,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    archived: bool,
    #[serde(flatten)]
    settings: &'a Settings,
}

#[derive(Serialize)]
struct DumpSource<'a> {
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    archived: bool,
    #[serde(flatten)]
    source: &'a Source,
}

/// The configuration as TOML that `parse` accepts: dump → apply → dump gives the same bytes.
/// Archived agreements and sources are written with `archived = true`.
pub fn dump(
    reqs: &[Requisites],
    agreements: &[(String, Settings, bool)],
    sources: &[(Source, bool)],
) -> Result<String, toml::ser::Error> {
    let file = DumpFile {
        requisites: reqs,
        agreements: agreements
            .iter()
            .map(|(code, settings, archived)| DumpAgreement {
                code,
                archived: *archived,
                settings,
            })
            .collect(),
        sources: sources
            .iter()
            .map(|(source, archived)| DumpSource {
                archived: *archived,
                source,
            })
            .collect(),
    };
    let body = toml::to_string_pretty(&file)?;
    Ok(format!(
        "# pdconsent configuration, written by `pdconsent dump`.\n# Apply it with `pdconsent apply FILE`; see agreements.example.toml for every key explained.\n\n{body}"
    ))
}

#[cfg(test)]
mod tests;
