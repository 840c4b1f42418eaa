//! Sources (web forms and chat channels) and their links to agreements.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Result, StoreError, Tx, to_json};
use crate::domain::ObjectKind;
use crate::domain::source::{Link, Source, SourceKind};

/// A source with its bookkeeping.
#[derive(Debug, Clone, Serialize)]
pub struct SourceRecord {
    #[serde(flatten)]
    pub source: Source,
    pub archived: bool,
    pub created_at: String,
    pub updated_at: String,
}

impl Tx<'_> {
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
            "SELECT id, code, kind, name, url, fields, warning, archived, created_at, updated_at FROM sources WHERE {where_sql} ORDER BY code"
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
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, code, kind, name, url, fields, warning, archived, created_at, updated_at) =
                row?;
            let corrupt = |detail: String| StoreError::Corrupt {
                what: format!("source `{code}`"),
                detail,
            };
            let kind = SourceKind::parse(&kind).map_err(corrupt)?;
            let fields: Vec<String> =
                serde_json::from_str(&fields).map_err(|e| corrupt(e.to_string()))?;
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
                },
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

    /// Inserts or replaces a source and its agreement links (in the given order).
    pub fn source_save(&self, s: &Source, at: &str) -> Result<()> {
        self.execute(
            "INSERT INTO sources (code, kind, name, url, fields, warning, archived, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7, ?7)
             ON CONFLICT (code) DO UPDATE SET kind = ?2, name = ?3, url = ?4, fields = ?5, warning = ?6, updated_at = ?7",
            params![s.code, s.kind.as_str(), s.name, s.url, to_json(&s.fields), s.warning, at],
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
