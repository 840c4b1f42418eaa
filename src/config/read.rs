//! From the file's entries ([`super::entry`]) to domain objects, with every
//! problem placed at its key. serde has said what type each value has; here
//! the domain reads the values (`Language::parse`, `Settings::apply` …) and
//! validates the objects, as it does for the commands' flags.

use std::collections::HashMap;
use std::ops::Range;

use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::DeValue;

use super::checked::{Checked, Field, Items, Shape, Table, fields_of};
use super::entry::{AgreementEntry, LinkEntry, RequisitesEntry, SourceEntry, ThirdPartyEntry};
use super::{Codes, ConfigError, FileAgreement, FileRequisites, FileSource, LineStarts, locate};
use crate::domain::agreement::{Action, Change, Language, Role, Settings, ThirdParty};
use crate::domain::requisites::{Kind, Requisites};
use crate::domain::source::{Link, Source, SourceKind};

pub(super) struct Reader<'t> {
    text: &'t str,
    pub lines: LineStarts,
    pub errors: Vec<ConfigError>,
    /// How many of `errors` were found before the current entry.
    entry_errors: usize,
    /// Whether the current entry goes into the configuration: no problem of
    /// its values has been found (unknown keys and misshapen nested arrays
    /// are reported without leaving it out).
    ok: bool,
    /// Where every key and array item is, by key path.
    pub spans: HashMap<String, Range<usize>>,
    /// Every entry's path, by kind and code, as written.
    pub codes: Codes,
    /// (key path, requisites code) of every agreement's `requisites` key.
    pub requisites_refs: Vec<(String, String)>,
}

impl<'t> Reader<'t> {
    pub fn new(text: &'t str, lines: LineStarts) -> Reader<'t> {
        Reader {
            text,
            lines,
            errors: Vec::new(),
            entry_errors: 0,
            ok: true,
            spans: HashMap::new(),
            codes: HashMap::new(),
            requisites_refs: Vec::new(),
        }
    }

    /// A problem; the entry it is in is left out of the configuration.
    fn err(&mut self, span: Range<usize>, path: &str, message: impl Into<String>) {
        self.ok = false;
        self.note(span, path, message);
    }

    /// A problem that does not leave its entry out (it is still checked
    /// against the database, as it always was).
    pub fn note(&mut self, span: Range<usize>, path: &str, message: impl Into<String>) {
        let e = locate(self.text, &self.lines, span.start, path, message.into());
        self.errors.push(e);
    }

    /// Records where every key and array item under `path` is: errors found
    /// later (validation, references to the database) point at keys.
    pub fn walk(&mut self, path: &str, value: &Spanned<DeValue>) {
        match value.get_ref() {
            DeValue::Table(table) => {
                for (k, v) in table.iter() {
                    let p = format!("{path}.{}", k.get_ref());
                    self.spans.insert(p.clone(), k.span());
                    self.walk(&p, v);
                }
            }
            DeValue::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    let p = format!("{path}[{i}]");
                    self.spans.insert(p.clone(), v.span());
                    self.walk(&p, v);
                }
            }
            _ => {}
        }
    }

    fn span_of(&self, path: &str, or: &Range<usize>) -> Range<usize> {
        self.spans.get(path).cloned().unwrap_or_else(|| or.clone())
    }

    fn checked<'a, T: Shape>(&mut self, v: &'a Spanned<Checked<T>>, path: &str) -> Option<&'a T> {
        match v.get_ref() {
            Checked::Ok(v) => Some(v),
            Checked::Wrong(found) => {
                let message = format!("expected {}, found {found}", T::EXPECTED);
                self.err(v.span(), path, message);
                None
            }
        }
    }

    /// The value of a key and where it is, if the key is there with the type it takes.
    fn get<'a, T: Shape>(&mut self, f: &'a Field<T>, path: &str) -> Option<(&'a T, Range<usize>)> {
        let f = f.as_ref()?;
        self.checked(f, path).map(|v| (v, f.span()))
    }

    /// A text that the domain reads (`Language::parse` …), its problem placed at the value.
    fn parsed<T>(
        &mut self,
        f: &Field<String>,
        path: &str,
        parse: fn(&str) -> Result<T, String>,
    ) -> Option<T> {
        let (text, span) = self.get(f, path)?;
        parse(text).map_err(|e| self.err(span, path, e)).ok()
    }

    /// An array of strings, none of them empty; every bad item is reported.
    fn strings(&mut self, f: &Field<Items<String>>, path: &str) -> Option<Vec<String>> {
        let (items, _) = self.get(f, path)?;
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let ip = format!("{path}[{i}]");
            match self.checked(item, &ip) {
                Some(s) if s.trim().is_empty() => self.err(item.span(), &ip, "empty entry"),
                Some(s) => out.push(s.clone()),
                None => {}
            }
        }
        (out.len() == items.len()).then_some(out)
    }

    /// The tables of an array of tables, each with its path and place. What is
    /// not a table, and every key its type does not have, is reported.
    pub fn tables<'a, T: DeserializeOwned>(
        &mut self,
        f: &'a Field<Items<Table<T>>>,
        path: &str,
    ) -> Vec<(String, &'a T, Range<usize>)> {
        let Some(f) = f else { return Vec::new() };
        let items = match f.get_ref() {
            Checked::Ok(items) => items,
            Checked::Wrong(found) => {
                let message = format!("expected an array of tables ([[{path}]]), found {found}");
                self.note(f.span(), path, message);
                return Vec::new();
            }
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let ip = format!("{path}[{i}]");
            match item.get_ref() {
                Checked::Ok(table) => {
                    for key in &table.unknown {
                        let kp = format!("{ip}.{key}");
                        let fields = fields_of::<T>();
                        let allowed = fields.join(", ");
                        let maybe =
                            crate::domain::suggest::did_you_mean(key, fields.iter().copied());
                        let message =
                            format!("unknown key `{key}`{maybe}; allowed keys: {allowed}");
                        self.note(self.span_of(&kp, &item.span()), &kp, message);
                    }
                    out.push((ip, &table.keys, item.span()));
                }
                Checked::Wrong(found) => {
                    self.note(item.span(), &ip, format!("expected a table, found {found}"))
                }
            }
        }
        out
    }

    fn begin(&mut self) {
        self.entry_errors = self.errors.len();
        self.ok = true;
    }

    /// The entry's code: there, a slug, and not the code of an earlier entry of its kind.
    fn code(&mut self, f: &Field<String>, path: &str, table: &Range<usize>) -> Option<String> {
        if f.is_none() {
            self.err(table.clone(), path, "missing key `code`");
            return None;
        }
        let kp = format!("{path}.code");
        let (code, span) = self.get(f, &kp)?;
        if let Err(e) = crate::domain::validate_code(code) {
            self.err(span, &kp, e);
            return None;
        }
        let kind = path.split('[').next().unwrap_or("");
        let codes = self.codes.entry(kind.to_string()).or_default();
        if codes.contains_key(code) {
            let message =
                format!("duplicate code `{code}`: each entry of [[{kind}]] needs its own code");
            self.err(span, &kp, message);
            return None;
        }
        codes.insert(code.clone(), path.to_string());
        Some(code.clone())
    }

    /// Domain validation errors name a setting; point them at its key.
    /// A key already reported (e.g. wrong type) is not reported twice.
    fn field_errors(&mut self, path: &str, table: &Range<usize>, invalid: crate::domain::Invalid) {
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
                    _ => break table.clone(),
                }
            };
            self.err(span, &field_path, e.message);
        }
    }

    pub fn requisites(
        &mut self,
        path: &str,
        e: &RequisitesEntry,
        span: Range<usize>,
    ) -> Option<FileRequisites> {
        self.begin();
        let key = |k: &str| format!("{path}.{k}");
        let code = self.code(&e.code, path, &span);
        let mut r = Requisites::new(code.as_deref().unwrap_or("?"), Kind::Legal);
        // Kind first: the other keys are checked against it.
        if let Some(kind) = self.parsed(&e.kind, &key("kind"), Kind::parse) {
            r.kind = kind;
        }
        let default = self.get(&e.default, &key("default")).map(|(d, _)| *d);
        r.is_default = default.unwrap_or(false);
        let texts = [
            ("short_name", &e.short_name),
            ("full_name", &e.full_name),
            ("inn", &e.inn),
            ("kpp", &e.kpp),
            ("ogrn", &e.ogrn),
            ("ogrnip", &e.ogrnip),
            ("legal_address", &e.legal_address),
            ("postal_address", &e.postal_address),
            ("email", &e.email),
            ("phone", &e.phone),
            ("website", &e.website),
            ("dpo", &e.dpo),
            ("eu_representative", &e.eu_representative),
        ];
        for (k, f) in texts {
            if let Some((text, at)) = self.get(f, &key(k))
                && let Err(e) = r.set(k, text)
            {
                self.err(at, &key(k), e.message);
            }
        }
        if code.is_some()
            && let Err(invalid) = r.validate()
        {
            self.field_errors(path, &span, invalid);
        }
        let default_given = default.is_some();
        self.ok.then_some(FileRequisites {
            requisites: r,
            default_given,
        })
    }

    pub fn agreement(
        &mut self,
        path: &str,
        e: &AgreementEntry,
        span: Range<usize>,
    ) -> Option<FileAgreement> {
        self.begin();
        let key = |k: &str| format!("{path}.{k}");
        let code = self.code(&e.code, path, &span);
        // The language first: the template and the term start from its defaults.
        let language = self.parsed(&e.language, &key("language"), Language::parse);
        let mut s = Settings::new("", language.unwrap_or(Language::Ru), "");
        if e.name.is_none() {
            self.err(span.clone(), path, "missing key `name`");
        }
        let archived = self
            .get(&e.archived, &key("archived"))
            .is_some_and(|(a, _)| *a);
        let requisites_given = match e.requisites.as_ref().map(Spanned::get_ref) {
            Some(Checked::Ok(code)) => {
                self.requisites_refs.push((key("requisites"), code.clone()));
                true
            }
            _ => false,
        };
        // Each change, with the key and the place of its problem.
        let mut changes: Vec<(&str, Range<usize>, Change)> = Vec::new();
        let texts = [
            ("name", &e.name),
            ("template", &e.template),
            ("custom_text", &e.custom_text),
            ("requisites", &e.requisites),
            ("label", &e.label),
            ("url", &e.url),
            ("methods", &e.methods),
            ("term", &e.term),
            ("withdrawal_email", &e.withdrawal_email),
            ("automated_decisions", &e.automated_decisions),
        ];
        for (k, f) in texts {
            if let Some((text, at)) = self.get(f, &key(k)) {
                changes.push((k, at, Change::Set(k.to_string(), text.clone())));
            }
        }
        let flags = [
            ("required", &e.required),
            ("checked_by_default", &e.checked_by_default),
            ("require_reading", &e.require_reading),
        ];
        for (k, f) in flags {
            if let Some((flag, at)) = self.get(f, &key(k)) {
                changes.push((k, at, Change::Set(k.to_string(), flag.to_string())));
            }
        }
        let lists: [(_, _, fn(_) -> _); 3] = [
            ("purposes", &e.purposes, Change::SetPurposes),
            ("fields", &e.fields, Change::SetFields),
            ("restrictions", &e.restrictions, Change::SetRestrictions),
        ];
        for (k, f, change) in lists {
            if let Some(list) = self.strings(f, &key(k)) {
                changes.push((k, span.clone(), change(list)));
            }
        }
        if let Some(list) = self.strings(&e.actions, &key("actions")) {
            let mut actions = Vec::new();
            for (i, a) in list.iter().enumerate() {
                match Action::parse(a) {
                    Ok(a) => actions.push(a),
                    Err(m) => {
                        let ip = format!("{}[{i}]", key("actions"));
                        self.err(self.span_of(&ip, &span), &ip, m);
                    }
                }
            }
            changes.push(("actions", span.clone(), Change::SetActions(actions)));
        }
        if e.third_parties.is_some() {
            let parties: Vec<_> = self.tables(&e.third_parties, &key("third_parties"));
            let parties = parties
                .into_iter()
                .filter_map(|(tp, t, at)| self.third_party(&tp, t, at));
            changes.push((
                "third_parties",
                span.clone(),
                Change::SetThirdParties(parties.collect()),
            ));
        }
        for (k, at, change) in changes {
            if let Err(e) = s.apply(std::slice::from_ref(&change)) {
                self.err(at, &key(k), e.message);
            }
        }
        if let Some(code) = &code {
            // The requisites are resolved later (file or database); validate the rest now.
            let mut probe = s.clone();
            if probe.requisites.is_empty() {
                probe.requisites = "default".into();
            }
            if let Err(invalid) = crate::domain::render::validate(code, &probe) {
                self.field_errors(path, &span, invalid);
            }
        }
        let code = code.unwrap_or_default();
        self.ok.then_some(FileAgreement {
            code,
            settings: s,
            requisites_given,
            archived,
        })
    }

    fn third_party(
        &mut self,
        path: &str,
        t: &ThirdPartyEntry,
        span: Range<usize>,
    ) -> Option<ThirdParty> {
        let before = self.errors.len();
        let keys = [
            ("name", &t.name),
            ("inn", &t.inn),
            ("address", &t.address),
            ("role", &t.role),
        ];
        let [name, inn, address, role] = keys.map(|(k, f)| {
            let text = self.get(f, &format!("{path}.{k}")).map(|(t, _)| t.clone());
            if text.is_none() {
                self.err(span.clone(), path, format!("missing key `{k}`; a third party needs name, inn, address and role (processor or recipient)"));
            }
            text
        });
        let role = match role.map(|r| Role::parse(&r)) {
            None => Role::Recipient,
            Some(Ok(r)) => r,
            Some(Err(m)) => {
                let kp = format!("{path}.role");
                self.err(self.span_of(&kp, &span), &kp, m);
                return None;
            }
        };
        let (name, inn, address) = (name?, inn?, address?);
        (self.errors.len() == before).then_some(ThirdParty {
            name,
            inn,
            address,
            role,
        })
    }

    pub fn source(
        &mut self,
        path: &str,
        e: &SourceEntry,
        span: Range<usize>,
    ) -> Option<FileSource> {
        self.begin();
        let key = |k: &str| format!("{path}.{k}");
        let code = self.code(&e.code, path, &span);
        if e.kind.is_none() {
            self.err(span.clone(), path, "missing key `kind` (form or openline)");
        }
        // Without its kind nothing more is checked: the defaults follow the kind.
        let kind = self.parsed(&e.kind, &key("kind"), SourceKind::parse)?;
        if e.name.is_none() {
            self.err(span.clone(), path, "missing key `name`");
        }
        let mut s = Source::new(code.as_deref().unwrap_or("?"), kind, "");
        let archived = self
            .get(&e.archived, &key("archived"))
            .is_some_and(|(a, _)| *a);
        if let Some(list) = self.strings(&e.fields, &key("fields")) {
            s.fields = list;
        }
        if let Some((warning, _)) = self.get(&e.warning, &key("warning")) {
            s.warning = *warning;
        }
        if let Some((captions, _)) = self.get(&e.captions_en, &key("captions_en")) {
            s.captions_en = captions.clone();
        }
        for (lp, l, at) in self.tables(&e.agreements, &key("agreements")) {
            s.agreements.extend(self.link(&lp, l, at));
        }
        for (k, f) in [("name", &e.name), ("url", &e.url)] {
            if let Some((text, at)) = self.get(f, &key(k))
                && let Err(e) = s.set(k, text)
            {
                self.err(at, &key(k), e.message);
            }
        }
        s.normalize();
        if code.is_some()
            && let Err(invalid) = s.validate()
        {
            self.field_errors(path, &span, invalid);
        }
        self.ok.then_some(FileSource {
            source: s,
            archived,
        })
    }

    /// A link; one with a wrong override is kept (its source is left out anyway).
    fn link(&mut self, path: &str, l: &LinkEntry, span: Range<usize>) -> Option<Link> {
        let mut flag = |k: &str, f| self.get(f, &format!("{path}.{k}")).map(|(b, _)| *b);
        let required = flag("required", &l.required);
        let checked_by_default = flag("checked_by_default", &l.checked_by_default);
        let require_reading = flag("require_reading", &l.require_reading);
        let agreement = self.get(&l.agreement, &format!("{path}.agreement"));
        let Some(agreement) = agreement.map(|(a, _)| a.clone()).filter(|a| !a.is_empty()) else {
            let message = "missing key `agreement` (the code of the linked agreement)";
            self.err(span, path, message);
            return None;
        };
        Some(Link {
            agreement,
            required,
            checked_by_default,
            require_reading,
        })
    }
}
