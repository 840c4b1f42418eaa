//! Sources (web forms and chat channels) and their links to agreements, with
//! an immutable revision for every change (texts are pinned to them).

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Result, Stamp, StoreError, Tx, to_json};
use crate::domain::ObjectKind;
use crate::domain::source::{Link, Source, SourceKind};

/// A source with its bookkeeping.
#[derive(Debug, Clone, Serialize)]
pub struct SourceRecord {
    #[serde(flatten)]
    pub source: Source,
    /// The revision these values are.
    pub revision: u32,
    pub archived: bool,
    pub created_at: String,
    pub updated_at: String,
}

/// One immutable revision of a source: its settings, fields and links, when and by whom.
#[derive(Debug, Clone, Serialize)]
pub struct SourceRevisionRecord {
    pub revision: u32,
    pub created_at: String,
    pub actor: String,
    pub source: Source,
}

fn row_to_revision(row: &rusqlite::Row) -> rusqlite::Result<(u32, String, String, String)> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
}

fn parse_revision(
    code: &str,
    (revision, data, created_at, actor): (u32, String, String, String),
) -> Result<SourceRevisionRecord> {
    let source = serde_json::from_str(&data).map_err(|e| StoreError::Corrupt {
        what: format!("revision {revision} of source `{code}`"),
        detail: e.to_string(),
    })?;
    Ok(SourceRevisionRecord {
        revision,
        created_at,
        actor,
        source,
    })
}

impl Tx<'_> {
    /// The row id of a source, or [`StoreError::NotFound`].
    pub(super) fn source_id(&self, code: &str) -> Result<i64> {
        self.query_row("SELECT id FROM sources WHERE code = ?1", [code], |r| {
            r.get(0)
        })
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            kind: ObjectKind::Source,
            code: code.to_string(),
        })
    }

    /// Records `s` as the next revision of its source unless the newest
    /// revision already holds exactly this; the revision it is now.
    fn source_revise(&self, id: i64, s: &Source, stamp: Stamp) -> Result<u32> {
        let latest = self
            .query_row(
                "SELECT revision, data, created_at, actor FROM source_revisions
                 WHERE source_id = ?1 ORDER BY revision DESC LIMIT 1",
                [id],
                row_to_revision,
            )
            .optional()?
            .map(|row| parse_revision(&s.code, row))
            .transpose()?;
        let revision = match latest {
            Some(l) if l.source == *s => l.revision,
            latest => {
                let next = latest.map_or(1, |l| l.revision + 1);
                self.execute(
                    "INSERT INTO source_revisions (source_id, revision, data, created_at, actor)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![id, next, to_json(s), stamp.at, stamp.actor],
                )?;
                self.ledger_log_source_revision(id, next, stamp.at)?;
                next
            }
        };
        self.execute(
            "UPDATE sources SET current_revision = ?2 WHERE id = ?1 AND current_revision <> ?2",
            params![id, revision],
        )?;
        Ok(revision)
    }

    /// Every revision of a source, oldest first.
    pub fn source_revisions(&self, code: &str) -> Result<Vec<SourceRevisionRecord>> {
        let id = self.source_id(code)?;
        let mut st = self.tx.prepare_cached(
            "SELECT revision, data, created_at, actor FROM source_revisions
             WHERE source_id = ?1 ORDER BY revision",
        )?;
        let rows = st.query_map([id], row_to_revision)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(parse_revision(code, row?)?);
        }
        Ok(out)
    }

    /// One revision of a source, or [`StoreError::RevisionNotFound`].
    pub fn source_revision(&self, code: &str, revision: u32) -> Result<SourceRevisionRecord> {
        let all = self.source_revisions(code)?;
        let latest = all.len() as u32;
        all.into_iter()
            .find(|r| r.revision == revision)
            .ok_or_else(|| StoreError::RevisionNotFound {
                kind: ObjectKind::Source,
                code: code.to_string(),
                revision,
                latest,
            })
    }

    /// The revision of a source in force at `at` (RFC 3339), if it existed then.
    pub fn source_revision_at(&self, code: &str, at: &str) -> Result<Option<SourceRevisionRecord>> {
        let id = self.source_id(code)?;
        self.query_row(
            "SELECT revision, data, created_at, actor FROM source_revisions
             WHERE source_id = ?1 AND created_at <= ?2 ORDER BY revision DESC LIMIT 1",
            params![id, at],
            row_to_revision,
        )
        .optional()?
        .map(|row| parse_revision(code, row))
        .transpose()
    }

    fn source_links(&self, source_id: i64) -> Result<Vec<Link>> {
        let mut st = self.tx.prepare_cached(
            "SELECT a.code, l.required, l.checked_by_default, l.require_reading FROM source_agreements l
             JOIN agreements a ON a.id = l.agreement_id WHERE l.source_id = ?1 ORDER BY l.position",
        )?;
        let rows = st.query_map([source_id], |r| {
            Ok(Link {
                agreement: r.get(0)?,
                required: r.get(1)?,
                checked_by_default: r.get(2)?,
                require_reading: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn source_rows(
        &self,
        where_sql: &str,
        param: &dyn rusqlite::ToSql,
    ) -> Result<Vec<SourceRecord>> {
        let mut st = self.tx.prepare_cached(&format!(
            "SELECT id, code, kind, name, url, fields, warning, archived, created_at, updated_at, current_revision, captions_en FROM sources WHERE {where_sql} ORDER BY code"
        ))?;
        let rows = st.query_map([param], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, bool>(6)?,
                r.get::<_, bool>(7)?,
                r.get::<_, String>(8)?,
                r.get::<_, String>(9)?,
                r.get::<_, u32>(10)?,
                r.get::<_, String>(11)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (
                id,
                code,
                kind,
                name,
                url,
                fields,
                warning,
                archived,
                created_at,
                updated_at,
                revision,
                captions_en,
            ) = row?;
            let corrupt = |detail: String| StoreError::Corrupt {
                what: format!("source `{code}`"),
                detail,
            };
            let kind = SourceKind::parse(&kind).map_err(corrupt)?;
            let fields: Vec<String> =
                serde_json::from_str(&fields).map_err(|e| corrupt(e.to_string()))?;
            let captions_en =
                serde_json::from_str(&captions_en).map_err(|e| corrupt(e.to_string()))?;
            let agreements = self.source_links(id)?;
            out.push(SourceRecord {
                source: Source {
                    code,
                    kind,
                    name,
                    url,
                    fields,
                    warning,
                    agreements,
                    captions_en,
                },
                revision,
                archived,
                created_at,
                updated_at,
            });
        }
        Ok(out)
    }

    /// Sources by code; archived ones only with `include_archived`.
    pub fn source_list(&self, include_archived: bool) -> Result<Vec<SourceRecord>> {
        self.source_rows("?1 OR archived = 0", &include_archived)
    }

    /// The source with this code, if any.
    pub fn source_find(&self, code: &str) -> Result<Option<SourceRecord>> {
        Ok(self.source_rows("code = ?1", &code)?.into_iter().next())
    }

    /// The source with this code, or [`StoreError::NotFound`].
    pub fn source_get(&self, code: &str) -> Result<SourceRecord> {
        self.source_find(code)?.ok_or_else(|| StoreError::NotFound {
            kind: ObjectKind::Source,
            code: code.to_string(),
        })
    }

    /// Inserts or replaces a source and its agreement links (in the given
    /// order); a change makes its next revision.
    pub fn source_save(&self, s: &Source, stamp: Stamp) -> Result<()> {
        let at = stamp.at;
        self.execute(
            "INSERT INTO sources (code, kind, name, url, fields, warning, archived, created_at, updated_at, captions_en)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7, ?7, ?8)
             ON CONFLICT (code) DO UPDATE SET kind = ?2, name = ?3, url = ?4, fields = ?5, warning = ?6, updated_at = ?7,
                 captions_en = ?8",
            params![s.code, s.kind.as_str(), s.name, s.url, to_json(&s.fields), s.warning, at, to_json(&s.captions_en)],
        )?;
        let id: i64 = self.query_row("SELECT id FROM sources WHERE code = ?1", [&s.code], |r| {
            r.get(0)
        })?;
        self.execute("DELETE FROM source_agreements WHERE source_id = ?1", [id])?;
        for (pos, l) in s.agreements.iter().enumerate() {
            let agreement_id: i64 = self
                .query_row(
                    "SELECT id FROM agreements WHERE code = ?1",
                    [&l.agreement],
                    |r| r.get(0),
                )
                .optional()?
                .ok_or_else(|| StoreError::NotFound {
                    kind: ObjectKind::Agreement,
                    code: l.agreement.clone(),
                })?;
            self.execute(
                "INSERT INTO source_agreements (source_id, agreement_id, position, required, checked_by_default, require_reading)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![id, agreement_id, pos as i64, l.required, l.checked_by_default, l.require_reading],
            )?;
        }
        self.source_revise(id, s, stamp)?;
        Ok(())
    }

    /// Archives or restores a source.
    pub fn source_set_archived(&self, code: &str, archived: bool, at: &str) -> Result<()> {
        let n = self.execute(
            "UPDATE sources SET archived = ?1, updated_at = ?2 WHERE code = ?3",
            params![archived, at, code],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound {
                kind: ObjectKind::Source,
                code: code.to_string(),
            });
        }
        Ok(())
    }
}
