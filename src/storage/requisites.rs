//! Sets of requisites: the operator's legal details, with an immutable
//! revision for every change of their values (texts are pinned to them).

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Result, Stamp, StoreError, Tx, to_json};
use crate::domain::ObjectKind;
use crate::domain::requisites::{Kind, Requisites};

/// Requisites with their bookkeeping.
#[derive(Debug, Clone, Serialize)]
pub struct RequisitesRecord {
    #[serde(flatten)]
    pub requisites: Requisites,
    /// The revision these values are.
    pub revision: u32,
    pub created_at: String,
    pub updated_at: String,
}

/// One immutable revision of a set of requisites: every value, when and by whom.
#[derive(Debug, Clone, Serialize)]
pub struct RequisitesRevisionRecord {
    pub revision: u32,
    pub created_at: String,
    pub actor: String,
    pub requisites: Requisites,
}

const REQ_COLUMNS: &str = "code, kind, short_name, full_name, inn, kpp, ogrn, ogrnip, legal_address, postal_address, email, phone, website, is_default, created_at, updated_at, current_revision, dpo, eu_representative";

fn row_to_revision(row: &rusqlite::Row) -> rusqlite::Result<(u32, String, String, String)> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
}

fn parse_revision(
    code: &str,
    (revision, data, created_at, actor): (u32, String, String, String),
) -> Result<RequisitesRevisionRecord> {
    let requisites = serde_json::from_str(&data).map_err(|e| StoreError::Corrupt {
        what: format!("revision {revision} of requisites `{code}`"),
        detail: e.to_string(),
    })?;
    Ok(RequisitesRevisionRecord {
        revision,
        created_at,
        actor,
        requisites,
    })
}

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
            dpo: row.get(17)?,
            eu_representative: row.get(18)?,
        },
        created_at: row.get(14)?,
        updated_at: row.get(15)?,
        revision: row.get(16)?,
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

    /// Inserts or replaces the set with this code; a change of its values makes
    /// its next revision. Making it the default clears the old default (a
    /// revision of that set too).
    pub fn requisites_save(&self, r: &Requisites, stamp: Stamp) -> Result<()> {
        if r.is_default
            && let Some(old) = self
                .requisites_default()?
                .filter(|o| o.requisites.code != r.code)
        {
            self.execute(
                "UPDATE requisites SET is_default = 0, updated_at = ?2 WHERE code = ?1",
                params![old.requisites.code, stamp.at],
            )?;
            let mut after = old.requisites;
            after.is_default = false;
            self.requisites_revise(&after, stamp)?;
        }
        self.execute(
            "INSERT INTO requisites (code, kind, short_name, full_name, inn, kpp, ogrn, ogrnip, legal_address,
                 postal_address, email, phone, website, is_default, created_at, updated_at, dpo, eu_representative)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15, ?16, ?17)
             ON CONFLICT (code) DO UPDATE SET kind = ?2, short_name = ?3, full_name = ?4, inn = ?5, kpp = ?6,
                 ogrn = ?7, ogrnip = ?8, legal_address = ?9, postal_address = ?10, email = ?11, phone = ?12,
                 website = ?13, is_default = ?14, updated_at = ?15, dpo = ?16, eu_representative = ?17",
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
                stamp.at,
                r.dpo,
                r.eu_representative
            ],
        )?;
        self.requisites_revise(r, stamp)?;
        Ok(())
    }

    /// Records `r` as the next revision of its set unless the newest revision
    /// already holds exactly these values; the revision it is now.
    fn requisites_revise(&self, r: &Requisites, stamp: Stamp) -> Result<u32> {
        let latest = self
            .query_row(
                "SELECT revision, data, created_at, actor FROM requisites_revisions
                 WHERE code = ?1 ORDER BY revision DESC LIMIT 1",
                [&r.code],
                row_to_revision,
            )
            .optional()?
            .map(|row| parse_revision(&r.code, row))
            .transpose()?;
        let revision = match latest {
            Some(l) if l.requisites == *r => l.revision,
            latest => {
                let next = latest.map_or(1, |l| l.revision + 1);
                self.execute(
                    "INSERT INTO requisites_revisions (code, revision, data, created_at, actor)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![r.code, next, to_json(r), stamp.at, stamp.actor],
                )?;
                self.ledger_log_requisites_revision(&r.code, next, stamp.at)?;
                next
            }
        };
        self.execute(
            "UPDATE requisites SET current_revision = ?2 WHERE code = ?1 AND current_revision <> ?2",
            params![r.code, revision],
        )?;
        Ok(revision)
    }

    /// Every revision of a set (a removed one too), oldest first.
    pub fn requisites_revisions(&self, code: &str) -> Result<Vec<RequisitesRevisionRecord>> {
        let mut st = self.tx.prepare_cached(
            "SELECT revision, data, created_at, actor FROM requisites_revisions
             WHERE code = ?1 ORDER BY revision",
        )?;
        let rows = st.query_map([code], row_to_revision)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(parse_revision(code, row?)?);
        }
        if out.is_empty() {
            return Err(StoreError::NotFound {
                kind: ObjectKind::Requisites,
                code: code.to_string(),
            });
        }
        Ok(out)
    }

    /// One revision of a set, or [`StoreError::RevisionNotFound`].
    pub fn requisites_revision(
        &self,
        code: &str,
        revision: u32,
    ) -> Result<RequisitesRevisionRecord> {
        let all = self.requisites_revisions(code)?;
        let latest = all.len() as u32;
        all.into_iter()
            .find(|r| r.revision == revision)
            .ok_or_else(|| StoreError::RevisionNotFound {
                kind: ObjectKind::Requisites,
                code: code.to_string(),
                revision,
                latest,
            })
    }

    /// The revision of a set in force at `at` (RFC 3339): the newest made at
    /// or before it, if the set existed then.
    pub fn requisites_revision_at(
        &self,
        code: &str,
        at: &str,
    ) -> Result<Option<RequisitesRevisionRecord>> {
        self.query_row(
            "SELECT revision, data, created_at, actor FROM requisites_revisions
             WHERE code = ?1 AND created_at <= ?2 ORDER BY revision DESC LIMIT 1",
            params![code, at],
            row_to_revision,
        )
        .optional()?
        .map(|row| parse_revision(code, row))
        .transpose()
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
