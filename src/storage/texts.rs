//! The text registry: every text that became current for a linked (agreement,
//! source) pair, content-addressed in `texts`, with the revisions it was
//! rendered from and the moment it became current. Append-only.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Result, Stamp, StoreError, Tx};
use crate::domain::ObjectKind;

/// One registration: from `current_from` on, `sha256` (none: no text) was the
/// text of the agreement on the source, rendered from these revisions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TextRecord {
    pub agreement: String,
    pub agreement_revision: u32,
    pub source: String,
    pub source_revision: u32,
    pub requisites: Option<String>,
    pub requisites_revision: Option<u32>,
    pub sha256: Option<String>,
    pub current_from: String,
    /// When the next registration of the same pair took over, if one did.
    pub current_until: Option<String>,
    pub actor: String,
}

/// A text that changed for a pair: its hash before and after (`None`: no text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TextChange {
    pub agreement: String,
    pub source: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// What a registration pins: the pair, the revisions, the text (if any).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pinned {
    pub agreement: String,
    pub agreement_revision: u32,
    pub source: String,
    pub source_revision: u32,
    pub requisites: Option<(String, u32)>,
    /// The text's SHA-256 and body; `None` when the pair shows no text any more.
    pub text: Option<(String, String)>,
}

const SELECT: &str = "SELECT a.code AS agreement, t.agreement_revision, s.code AS source,
        t.source_revision, t.requisites_code, t.requisites_revision, t.sha256, t.current_from,
        lead(t.current_from) OVER (PARTITION BY t.agreement_id, t.source_id ORDER BY t.id)
            AS current_until,
        t.actor, t.id
    FROM text_registrations t
    JOIN agreements a ON a.id = t.agreement_id
    JOIN sources s ON s.id = t.source_id";

fn row_to_text(r: &rusqlite::Row) -> rusqlite::Result<TextRecord> {
    Ok(TextRecord {
        agreement: r.get(0)?,
        agreement_revision: r.get(1)?,
        source: r.get(2)?,
        source_revision: r.get(3)?,
        requisites: r.get(4)?,
        requisites_revision: r.get(5)?,
        sha256: r.get(6)?,
        current_from: r.get(7)?,
        current_until: r.get(8)?,
        actor: r.get(9)?,
    })
}

impl Tx<'_> {
    /// The newest registration of every pair that has one.
    pub fn texts_current(&self) -> Result<Vec<TextRecord>> {
        let mut st = self.tx.prepare_cached(&format!(
            "SELECT * FROM ({SELECT}) WHERE current_until IS NULL ORDER BY agreement, source"
        ))?;
        let rows = st.query_map([], |r| {
            Ok(TextRecord {
                agreement: r.get(0)?,
                agreement_revision: r.get(1)?,
                source: r.get(2)?,
                source_revision: r.get(3)?,
                requisites: r.get(4)?,
                requisites_revision: r.get(5)?,
                sha256: r.get(6)?,
                current_from: r.get(7)?,
                current_until: None,
                actor: r.get(9)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every registration for an agreement (on one source, or all), oldest first.
    pub fn texts_of(&self, agreement: &str, source: Option<&str>) -> Result<Vec<TextRecord>> {
        self.agreement_get(agreement)?;
        if let Some(s) = source {
            self.source_id(s)?;
        }
        let mut st = self.tx.prepare_cached(&format!(
            "{SELECT} WHERE a.code = ?1 AND (?2 IS NULL OR s.code = ?2) ORDER BY s.code, t.id"
        ))?;
        let rows = st.query_map(params![agreement, source], row_to_text)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A registered text's body.
    pub fn text_body(&self, sha256: &str) -> Result<Option<String>> {
        Ok(self
            .query_row("SELECT body FROM texts WHERE sha256 = ?1", [sha256], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Registers what is current for a pair from `stamp.at` on; the text is
    /// stored once under its SHA-256.
    pub fn text_register(&self, p: &Pinned, stamp: Stamp) -> Result<()> {
        if let Some((sha, body)) = &p.text
            && self.text_body(sha)?.is_none()
        {
            self.execute(
                "INSERT INTO texts (sha256, body, created_at) VALUES (?1, ?2, ?3)",
                params![sha, body, stamp.at],
            )?;
        }
        let agreement_id: i64 = self
            .query_row(
                "SELECT id FROM agreements WHERE code = ?1",
                [&p.agreement],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                kind: ObjectKind::Agreement,
                code: p.agreement.clone(),
            })?;
        let source_id = self.source_id(&p.source)?;
        let (req_code, req_rev) = match &p.requisites {
            Some((c, r)) => (Some(c.as_str()), Some(*r)),
            None => (None, None),
        };
        self.execute(
            "INSERT INTO text_registrations (agreement_id, agreement_revision, source_id, source_revision,
                 requisites_code, requisites_revision, sha256, current_from, actor)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                agreement_id,
                p.agreement_revision,
                source_id,
                p.source_revision,
                req_code,
                req_rev,
                p.text.as_ref().map(|t| t.0.as_str()),
                stamp.at,
                stamp.actor
            ],
        )?;
        self.ledger_log_text(self.tx.last_insert_rowid(), stamp.at)
    }
}
