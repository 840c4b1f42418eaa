//! The entries of the file, `[[requisites]]`, `[[agreements]]` and
//! `[[sources]]`: each key once, with the type it takes, in the order `dump`
//! writes them. `parse` reads these types into domain objects
//! ([`super::read`]); `dump` reads the domain objects' serde into them and
//! writes them. A setting of the domain that is missing here makes `dump`
//! fail (`deny_unknown_fields`); one here that the reader leaves unread fails
//! `every_key_is_read` (`config/tests.rs`).
//!
//! Texts are kept as written (`language = "Russian"` is read by
//! [`Language::parse`](crate::domain::agreement::Language::parse)); the domain
//! normalises them as it does a flag's value.

use serde::{Deserialize, Serialize};

use super::checked::{Field, Items, Table};

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
    pub dpo: Field<String>,
    pub eu_representative: Field<String>,
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
    pub automated_decisions: Field<String>,
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
    pub captions_en: Field<std::collections::BTreeMap<String, String>>,
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
