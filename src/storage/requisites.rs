//! Sets of requisites: the operator's legal details. Not versioned yet; every
//! change is in the change log.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Result, StoreError, Tx};
use crate::domain::ObjectKind;
use crate::domain::requisites::{Kind, Requisites};

/// Requisites with their bookkeeping.
#[derive(Debug, Clone, Serialize)]
pub struct RequisitesRecord {
    #[serde(flatten)]
    pub requisites: Requisites,
    pub created_at: String,
    pub updated_at: String,
}

const REQ_COLUMNS: &str = "code, kind, short_name, full_name, inn, kpp, ogrn, ogrnip, legal_address, postal_address, email, phone, website, is_default, created_at, updated_at";

fn row_to_requisites(row: &rusqlite::Row) -> rusqlite::Result<RequisitesRecord> {
    let kind: String = row.get(1)?;
    let kind = match kind.as_str() {
        "individual" => Kind::Individual,
        _ => Kind::Legal,
    };
    Ok(RequisitesRecord {
        requisites: Requisites {
            code: row.get(0)?,
            kind,
            short_name: row.get(2)?,
            full_name: row.get(3)?,
            inn: row.get(4)?,
            kpp: row.get(5)?,
            ogrn: row.get(6)?,
            ogrnip: row.get(7)?,
            legal_address: row.get(8)?,
            postal_address: row.get(9)?,
            email: row.get(10)?,
            phone: row.get(11)?,
            website: row.get(12)?,
            is_default: row.get(13)?,
        },
        created_at: row.get(14)?,
        updated_at: row.get(15)?,
    })
}

impl Tx<'_> {
    /// Every set of requisites, by code.
    pub fn requisites_list(&self) -> Result<Vec<RequisitesRecord>> {
        let mut st = self.tx.prepare_cached(&format!(
            "SELECT {REQ_COLUMNS} FROM requisites ORDER BY code"
        ))?;
        let rows = st.query_map([], row_to_requisites)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The set with this code, if any.
    pub fn requisites_find(&self, code: &str) -> Result<Option<RequisitesRecord>> {
        let mut st = self.tx.prepare_cached(&format!(
            "SELECT {REQ_COLUMNS} FROM requisites WHERE code = ?1"
        ))?;
        Ok(st.query_row([code], row_to_requisites).optional()?)
    }

    /// The set with this code, or [`StoreError::NotFound`].
    pub fn requisites_get(&self, code: &str) -> Result<RequisitesRecord> {
        self.requisites_find(code)?
            .ok_or_else(|| StoreError::NotFound {
                kind: ObjectKind::Requisites,
                code: code.to_string(),
            })
    }

    /// The default set, if one is marked.
    pub fn requisites_default(&self) -> Result<Option<RequisitesRecord>> {
        let mut st = self.tx.prepare_cached(&format!(
            "SELECT {REQ_COLUMNS} FROM requisites WHERE is_default = 1"
        ))?;
        Ok(st.query_row([], row_to_requisites).optional()?)
    }

    /// Inserts or replaces the set with this code. Making it the default clears the old default.
    pub fn requisites_save(&self, r: &Requisites, at: &str) -> Result<()> {
        if r.is_default {
            self.execute(
                "UPDATE requisites SET is_default = 0 WHERE is_default = 1 AND code <> ?1",
                [&r.code],
            )?;
        }
        self.execute(
            "INSERT INTO requisites (code, kind, short_name, full_name, inn, kpp, ogrn, ogrnip, legal_address,
                 postal_address, email, phone, website, is_default, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15)
             ON CONFLICT (code) DO UPDATE SET kind = ?2, short_name = ?3, full_name = ?4, inn = ?5, kpp = ?6,
                 ogrn = ?7, ogrnip = ?8, legal_address = ?9, postal_address = ?10, email = ?11, phone = ?12,
                 website = ?13, is_default = ?14, updated_at = ?15",
            params![
                r.code,
                r.kind.as_str(),
                r.short_name,
                r.full_name,
                r.inn,
                r.kpp,
                r.ogrn,
                r.ogrnip,
                r.legal_address,
                r.postal_address,
                r.email,
                r.phone,
                r.website,
                r.is_default,
                at
            ],
        )?;
        Ok(())
    }

    /// Removes a set (the caller checks that no agreement uses it).
    pub fn requisites_delete(&self, code: &str) -> Result<()> {
        let n = self.execute("DELETE FROM requisites WHERE code = ?1", [code])?;
        if n == 0 {
            return Err(StoreError::NotFound {
                kind: ObjectKind::Requisites,
                code: code.to_string(),
            });
        }
        Ok(())
    }

    /// Codes of agreements whose current revision uses these requisites.
    pub fn agreements_using_requisites(&self, code: &str) -> Result<Vec<String>> {
        let mut st = self.tx.prepare_cached(
            "SELECT a.code FROM agreements a
             JOIN agreement_revisions r ON r.agreement_id = a.id AND r.revision = a.current_revision
             WHERE r.requisites_code = ?1 ORDER BY a.code",
        )?;
        let rows = st.query_map([code], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
