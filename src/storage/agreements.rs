//! Agreements and their immutable, numbered revisions.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Result, StoreError, Tx, to_json};
use crate::domain::ObjectKind;
use crate::domain::agreement::Settings;

/// An agreement at its current revision.
#[derive(Debug, Clone, Serialize)]
pub struct AgreementRecord {
    pub code: String,
    pub archived: bool,
    pub revision: u32,
    pub created_at: String,
    pub updated_at: String,
    /// When the revision shown was made, and by whom.
    pub revision_created_at: String,
    pub revision_actor: String,
    pub settings: Settings,
}

/// One immutable revision of an agreement: every setting, when and by whom.
#[derive(Debug, Clone, Serialize)]
pub struct AgreementRevisionRecord {
    pub revision: u32,
    pub created_at: String,
    pub actor: String,
    pub settings: Settings,
}

fn parse_settings(code: &str, revision: u32, json: &str) -> Result<Settings> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt {
        what: format!("revision {revision} of agreement `{code}`"),
        detail: e.to_string(),
    })
}

impl Tx<'_> {
    fn agreement_rows(
        &self,
        where_sql: &str,
        param: &dyn rusqlite::ToSql,
    ) -> Result<Vec<AgreementRecord>> {
        let mut st = self.tx.prepare_cached(&format!(
            "SELECT a.code, a.archived, a.current_revision, a.created_at, a.updated_at, r.settings, r.created_at, r.actor
             FROM agreements a JOIN agreement_revisions r ON r.agreement_id = a.id AND r.revision = a.current_revision
             WHERE {where_sql} ORDER BY a.code"
        ))?;
        let rows = st.query_map([param], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get::<_, String>(5)?,
                r.get(6)?,
                r.get(7)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (
                code,
                archived,
                revision,
                created_at,
                updated_at,
                json,
                revision_created_at,
                revision_actor,
            ) = row?;
            let settings = parse_settings(&code, revision, &json)?;
            out.push(AgreementRecord {
                code,
                archived,
                revision,
                created_at,
                updated_at,
                revision_created_at,
                revision_actor,
                settings,
            });
        }
        Ok(out)
    }

    /// Agreements at their current revision, by code; archived ones only with `include_archived`.
    pub fn agreement_list(&self, include_archived: bool) -> Result<Vec<AgreementRecord>> {
        self.agreement_rows("?1 OR a.archived = 0", &include_archived)
    }

    /// The agreement with this code at its current revision, if any.
    pub fn agreement_find(&self, code: &str) -> Result<Option<AgreementRecord>> {
        Ok(self
            .agreement_rows("a.code = ?1", &code)?
            .into_iter()
            .next())
    }

    /// The agreement with this code at its current revision, or [`StoreError::NotFound`].
    pub fn agreement_get(&self, code: &str) -> Result<AgreementRecord> {
        self.agreement_find(code)?
            .ok_or_else(|| StoreError::NotFound {
                kind: ObjectKind::Agreement,
                code: code.to_string(),
            })
    }

    /// Creates the agreement with revision 1.
    pub fn agreement_create(
        &self,
        code: &str,
        settings: &Settings,
        at: &str,
        actor: &str,
    ) -> Result<()> {
        if self.agreement_find(code)?.is_some() {
            return Err(StoreError::AlreadyExists {
                kind: ObjectKind::Agreement,
                code: code.to_string(),
            });
        }
        self.execute(
            "INSERT INTO agreements (code, archived, current_revision, created_at, updated_at) VALUES (?1, 0, 1, ?2, ?2)",
            params![code, at],
        )?;
        let id = self.tx.last_insert_rowid();
        self.insert_revision(id, 1, settings, at, actor)
    }

    /// Appends revision `expected_current + 1`; fails if another writer got there first.
    pub fn agreement_add_revision(
        &self,
        code: &str,
        expected_current: u32,
        settings: &Settings,
        at: &str,
        actor: &str,
    ) -> Result<u32> {
        let (id, current): (i64, u32) = self
            .query_row(
                "SELECT id, current_revision FROM agreements WHERE code = ?1",
                [code],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                kind: ObjectKind::Agreement,
                code: code.to_string(),
            })?;
        if current != expected_current {
            return Err(StoreError::Conflict {
                code: code.to_string(),
                expected: expected_current,
                found: current,
            });
        }
        let next = current + 1;
        self.insert_revision(id, next, settings, at, actor)?;
        self.execute(
            "UPDATE agreements SET current_revision = ?1, updated_at = ?2 WHERE id = ?3",
            params![next, at, id],
        )?;
        Ok(next)
    }

    fn insert_revision(
        &self,
        id: i64,
        revision: u32,
        settings: &Settings,
        at: &str,
        actor: &str,
    ) -> Result<()> {
        self.execute(
            "INSERT INTO agreement_revisions (agreement_id, revision, requisites_code, settings, created_at, actor)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, revision, settings.requisites, to_json(settings), at, actor],
        )?;
        self.ledger_log_agreement_revision(id, revision, at)
    }

    /// Archives or restores an agreement (its revisions stay).
    pub fn agreement_set_archived(&self, code: &str, archived: bool, at: &str) -> Result<()> {
        let n = self.execute(
            "UPDATE agreements SET archived = ?1, updated_at = ?2 WHERE code = ?3",
            params![archived, at, code],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound {
                kind: ObjectKind::Agreement,
                code: code.to_string(),
            });
        }
        Ok(())
    }

    /// Every revision of an agreement, oldest first.
    pub fn agreement_revisions(&self, code: &str) -> Result<Vec<AgreementRevisionRecord>> {
        self.agreement_get(code)?;
        let mut st = self.tx.prepare_cached(
            "SELECT r.revision, r.created_at, r.actor, r.settings FROM agreement_revisions r
             JOIN agreements a ON a.id = r.agreement_id WHERE a.code = ?1 ORDER BY r.revision",
        )?;
        let rows = st.query_map([code], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, String>(3)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (revision, created_at, actor, json) = row?;
            out.push(AgreementRevisionRecord {
                revision,
                created_at,
                actor,
                settings: parse_settings(code, revision, &json)?,
            });
        }
        Ok(out)
    }

    /// The revision of an agreement in force at `at` (RFC 3339): the newest
    /// made at or before it, if the agreement existed then.
    pub fn agreement_revision_at(
        &self,
        code: &str,
        at: &str,
    ) -> Result<Option<AgreementRevisionRecord>> {
        self.agreement_get(code)?;
        let row = self
            .query_row(
                "SELECT r.revision, r.created_at, r.actor, r.settings FROM agreement_revisions r
                 JOIN agreements a ON a.id = r.agreement_id
                 WHERE a.code = ?1 AND r.created_at <= ?2 ORDER BY r.revision DESC LIMIT 1",
                params![code, at],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, String>(3)?)),
            )
            .optional()?;
        row.map(|(revision, created_at, actor, json)| {
            Ok(AgreementRevisionRecord {
                revision,
                created_at,
                actor,
                settings: parse_settings(code, revision, &json)?,
            })
        })
        .transpose()
    }

    /// One revision of an agreement, or [`StoreError::RevisionNotFound`].
    pub fn agreement_revision(&self, code: &str, revision: u32) -> Result<AgreementRevisionRecord> {
        let current = self.agreement_get(code)?;
        let row = self
            .query_row(
                "SELECT r.created_at, r.actor, r.settings FROM agreement_revisions r
                 JOIN agreements a ON a.id = r.agreement_id WHERE a.code = ?1 AND r.revision = ?2",
                params![code, revision],
                |r| Ok((r.get(0)?, r.get(1)?, r.get::<_, String>(2)?)),
            )
            .optional()?;
        let (created_at, actor, json) = row.ok_or_else(|| StoreError::RevisionNotFound {
            kind: ObjectKind::Agreement,
            code: code.to_string(),
            revision,
            latest: current.revision,
        })?;
        Ok(AgreementRevisionRecord {
            revision,
            created_at,
            actor,
            settings: parse_settings(code, revision, &json)?,
        })
    }
}
