//! The entries of the file, `[[requisites]]`, `[[agreements]]` and
//! `[[sources]]`: each key once, with the type it takes, in the order `dump`
//! writes them. `parse` reads these types (see [`super::read`]) and `dump`
//! writes them, so the two cannot differ; a new setting is a field here, one
//! line in `dump`'s conversion below and one in the reader (both destructure
//! or build the whole struct, so the compiler points at them).
//!
//! Texts are kept as written (`language = "Russian"` is read by
//! [`Language::parse`](crate::domain::agreement::Language::parse)); the domain
//! normalises them as it does a flag's value.

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::checked::{Checked, Field, Items, Table, item, table, value};
use crate::domain::agreement::{Settings, ThirdParty};
use crate::domain::requisites::Requisites;
use crate::domain::source::{Link, Source};

/// A `[[requisites]]` entry.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequisitesEntry {
    pub code: Field<String>,
    pub kind: Field<String>,
    pub short_name: Field<String>,
    pub full_name: Field<String>,
    pub inn: Field<String>,
    pub kpp: Field<String>,
    pub ogrn: Field<String>,
    pub ogrnip: Field<String>,
    pub legal_address: Field<String>,
    pub postal_address: Field<String>,
    pub email: Field<String>,
    pub phone: Field<String>,
    pub website: Field<String>,
    pub default: Field<bool>,
}

/// An `[[agreements]]` entry: its code, whether it is archived, its [`Settings`].
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgreementEntry {
    pub code: Field<String>,
    pub archived: Field<bool>,
    pub name: Field<String>,
    pub language: Field<String>,
    pub template: Field<String>,
    pub custom_text: Field<String>,
    pub requisites: Field<String>,
    pub required: Field<bool>,
    pub checked_by_default: Field<bool>,
    pub require_reading: Field<bool>,
    pub label: Field<String>,
    pub url: Field<String>,
    pub purposes: Field<Items<String>>,
    pub actions: Field<Items<String>>,
    pub methods: Field<String>,
    pub term: Field<String>,
    pub third_parties: Field<Items<Table<ThirdPartyEntry>>>,
    pub withdrawal_email: Field<String>,
    pub fields: Field<Items<String>>,
    pub restrictions: Field<Items<String>>,
}

/// An `[[agreements.third_parties]]` entry.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThirdPartyEntry {
    pub name: Field<String>,
    pub inn: Field<String>,
    pub address: Field<String>,
    pub role: Field<String>,
}

/// A `[[sources]]` entry.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceEntry {
    pub archived: Field<bool>,
    pub code: Field<String>,
    pub kind: Field<String>,
    pub name: Field<String>,
    pub url: Field<String>,
    pub fields: Field<Items<String>>,
    pub warning: Field<bool>,
    pub agreements: Field<Items<Table<LinkEntry>>>,
}

/// A `[[sources.agreements]]` entry: a linked agreement and its overrides.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkEntry {
    pub agreement: Field<String>,
    pub required: Field<bool>,
    pub checked_by_default: Field<bool>,
    pub require_reading: Field<bool>,
}

// ---- what `dump` writes: every key the database has a value for ----

fn texts(list: &[String]) -> Field<Items<String>> {
    value(list.iter().cloned().map(item).collect())
}

/// `archived = true`, or nothing.
fn archived(archived: bool) -> Field<bool> {
    if archived { value(true) } else { None }
}

impl From<&Requisites> for RequisitesEntry {
    fn from(r: &Requisites) -> RequisitesEntry {
        RequisitesEntry {
            code: value(r.code.clone()),
            kind: value(r.kind.as_str().to_string()),
            short_name: value(r.short_name.clone()),
            full_name: r.full_name.clone().and_then(value),
            inn: r.inn.clone().and_then(value),
            kpp: r.kpp.clone().and_then(value),
            ogrn: r.ogrn.clone().and_then(value),
            ogrnip: r.ogrnip.clone().and_then(value),
            legal_address: r.legal_address.clone().and_then(value),
            postal_address: r.postal_address.clone().and_then(value),
            email: r.email.clone().and_then(value),
            phone: r.phone.clone().and_then(value),
            website: r.website.clone().and_then(value),
            default: value(r.is_default),
        }
    }
}

impl AgreementEntry {
    pub fn new(code: &str, s: &Settings, is_archived: bool) -> AgreementEntry {
        AgreementEntry {
            code: value(code.to_string()),
            archived: archived(is_archived),
            name: value(s.name.clone()),
            language: value(s.language.as_str().to_string()),
            template: value(s.template.clone()),
            custom_text: s.custom_text.clone().and_then(value),
            requisites: value(s.requisites.clone()),
            required: value(s.required),
            checked_by_default: value(s.checked_by_default),
            require_reading: value(s.require_reading),
            label: s.label.clone().and_then(value),
            url: s.url.clone().and_then(value),
            purposes: texts(&s.purposes),
            actions: value(
                s.actions
                    .iter()
                    .map(|a| item(a.slug().to_string()))
                    .collect(),
            ),
            methods: value(s.methods.as_str().to_string()),
            term: value(s.term.clone()),
            third_parties: value(s.third_parties.iter().map(third_party).collect()),
            withdrawal_email: s.withdrawal_email.clone().and_then(value),
            fields: texts(&s.fields),
            restrictions: texts(&s.restrictions),
        }
    }
}

fn third_party(t: &ThirdParty) -> Spanned<Checked<Table<ThirdPartyEntry>>> {
    table(ThirdPartyEntry {
        name: value(t.name.clone()),
        inn: value(t.inn.clone()),
        address: value(t.address.clone()),
        role: value(t.role.as_str().to_string()),
    })
}

impl SourceEntry {
    pub fn new(s: &Source, is_archived: bool) -> SourceEntry {
        SourceEntry {
            archived: archived(is_archived),
            code: value(s.code.clone()),
            kind: value(s.kind.as_str().to_string()),
            name: value(s.name.clone()),
            url: s.url.clone().and_then(value),
            fields: texts(&s.fields),
            warning: value(s.warning),
            agreements: value(s.agreements.iter().map(link).collect()),
        }
    }
}

fn link(l: &Link) -> Spanned<Checked<Table<LinkEntry>>> {
    table(LinkEntry {
        agreement: value(l.agreement.clone()),
        required: l.required.and_then(value),
        checked_by_default: l.checked_by_default.and_then(value),
        require_reading: l.require_reading.and_then(value),
    })
}
