//! Configuration leaves: every agreement, requisites and source revision and every
//! registered text is logged in the same tree as the consents, so `ledger verify`
//! catches a rewritten revision as surely as a rewritten consent.

use rusqlite::params;

use super::ledger::new_event_id;
use super::{Result, Tx};
use crate::domain::ledger::{Leaf, LeafKind};
use crate::domain::render::sha256_hex;

/// A problem `ledger verify` found in the configuration history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    /// The leaf concerned, when there is one.
    pub seq: Option<u64>,
    pub message: String,
}

const AGREEMENT_REVISION: &str =
    "SELECT a.code, r.revision, r.requisites_code, r.settings, r.created_at
    FROM agreement_revisions r JOIN agreements a ON a.id = r.agreement_id";
const REQUISITES_REVISION: &str =
    "SELECT r.code, r.revision, r.data, r.created_at FROM requisites_revisions r";
const SOURCE_REVISION: &str = "SELECT s.code, r.revision, r.data, r.created_at
    FROM source_revisions r JOIN sources s ON s.id = r.source_id";
const TEXT: &str = "SELECT a.code, t.agreement_revision, t.requisites_code, t.requisites_revision,
        s.code, t.source_revision, t.sha256, t.current_from
    FROM text_registrations t
    JOIN agreements a ON a.id = t.agreement_id
    JOIN sources s ON s.id = t.source_id";

impl Tx<'_> {
    fn config_leaf(&self, kind: LeafKind, at: String, recorded_at: &str) -> Leaf {
        Leaf::new(0, new_event_id(), kind, at, recorded_at.to_string())
    }

    /// Logs revision `revision` of the agreement with row id `agreement_id`.
    pub(super) fn ledger_log_agreement_revision(
        &self,
        agreement_id: i64,
        revision: u32,
        recorded_at: &str,
    ) -> Result<()> {
        let (code, rev, req, settings, at): (String, u32, String, String, String) = self
            .query_row(
                &format!("{AGREEMENT_REVISION} WHERE r.agreement_id = ?1 AND r.revision = ?2"),
                params![agreement_id, revision],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )?;
        let mut leaf = self.config_leaf(LeafKind::AgreementRevision, at, recorded_at);
        leaf.agreement = Some(code);
        leaf.revision = Some(rev);
        leaf.requisites = Some(req);
        leaf.data_sha256 = Some(sha256_hex(settings.as_bytes()));
        self.ledger_append(&mut leaf, None)?;
        Ok(())
    }

    /// Logs revision `revision` of the requisites set `code`.
    pub(super) fn ledger_log_requisites_revision(
        &self,
        code: &str,
        revision: u32,
        recorded_at: &str,
    ) -> Result<()> {
        let (code, rev, data, at): (String, u32, String, String) = self.query_row(
            &format!("{REQUISITES_REVISION} WHERE r.code = ?1 AND r.revision = ?2"),
            params![code, revision],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        let mut leaf = self.config_leaf(LeafKind::RequisitesRevision, at, recorded_at);
        leaf.requisites = Some(code);
        leaf.requisites_revision = Some(rev);
        leaf.data_sha256 = Some(sha256_hex(data.as_bytes()));
        self.ledger_append(&mut leaf, None)?;
        Ok(())
    }

    /// Logs revision `revision` of the source with row id `source_id`.
    pub(super) fn ledger_log_source_revision(
        &self,
        source_id: i64,
        revision: u32,
        recorded_at: &str,
    ) -> Result<()> {
        let (code, rev, data, at): (String, u32, String, String) = self.query_row(
            &format!("{SOURCE_REVISION} WHERE r.source_id = ?1 AND r.revision = ?2"),
            params![source_id, revision],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        let mut leaf = self.config_leaf(LeafKind::SourceRevision, at, recorded_at);
        leaf.source = Some(code);
        leaf.source_revision = Some(rev);
        leaf.data_sha256 = Some(sha256_hex(data.as_bytes()));
        self.ledger_append(&mut leaf, None)?;
        Ok(())
    }

    /// Logs the text registration with row id `id`.
    pub(super) fn ledger_log_text(&self, id: i64, recorded_at: &str) -> Result<()> {
        type Row = (
            String,
            u32,
            Option<String>,
            Option<u32>,
            String,
            u32,
            Option<String>,
            String,
        );
        let (agreement, rev, req, req_rev, source, source_rev, sha, at): Row =
            self.query_row(&format!("{TEXT} WHERE t.id = ?1"), [id], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                ))
            })?;
        let mut leaf = self.config_leaf(LeafKind::Text, at, recorded_at);
        leaf.agreement = Some(agreement);
        leaf.revision = Some(rev);
        leaf.requisites = req;
        leaf.requisites_revision = req_rev;
        leaf.source = Some(source);
        leaf.source_revision = Some(source_rev);
        leaf.text_sha256 = sha;
        self.ledger_append(&mut leaf, None)?;
        Ok(())
    }

    /// Logs every revision and registration that has no leaf yet, oldest first: what a
    /// database made before the ledger existed had (migration 5).
    pub(super) fn ledger_backfill(&self, recorded_at: &str) -> Result<u64> {
        // (time, order within the same moment, which, key)
        let mut todo: Vec<(String, u8, i64, u32, String)> = Vec::new();
        let mut collect = |sql: &str, order: u8| -> Result<()> {
            let mut st = self.tx.prepare(sql)?;
            let rows = st.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    order,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                ))
            })?;
            for row in rows {
                todo.push(row?);
            }
            Ok(())
        };
        collect(
            "SELECT created_at, 0, revision, code FROM requisites_revisions",
            0,
        )?;
        collect(
            "SELECT created_at, agreement_id, revision, '' FROM agreement_revisions",
            1,
        )?;
        collect(
            "SELECT created_at, source_id, revision, '' FROM source_revisions",
            2,
        )?;
        collect("SELECT current_from, id, 0, '' FROM text_registrations", 3)?;
        todo.sort_by(|a, b| (&a.0, a.1, a.2, a.3).cmp(&(&b.0, b.1, b.2, b.3)));
        for (_, which, id, rev, code) in &todo {
            match which {
                0 => self.ledger_log_requisites_revision(code, *rev, recorded_at)?,
                1 => self.ledger_log_agreement_revision(*id, *rev, recorded_at)?,
                2 => self.ledger_log_source_revision(*id, *rev, recorded_at)?,
                _ => self.ledger_log_text(*id, recorded_at)?,
            }
        }
        Ok(todo.len() as u64)
    }

    /// The configuration leaves the revisions and registrations stored now call for, with
    /// every field but `seq`, `id` and `recorded_at`: what `ledger verify` compares the
    /// configuration leaves it reads with (a rewritten or slipped-in row shows as a difference).
    pub fn ledger_config_expected(&self) -> Result<Vec<Leaf>> {
        let mut out = Vec::new();
        let blank = |kind, at: String| Leaf::new(0, String::new(), kind, at, String::new());
        let mut st = self.tx.prepare(AGREEMENT_REVISION)?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let settings: String = r.get(3)?;
            let mut l = blank(LeafKind::AgreementRevision, r.get(4)?);
            l.agreement = Some(r.get(0)?);
            l.revision = Some(r.get(1)?);
            l.requisites = Some(r.get(2)?);
            l.data_sha256 = Some(sha256_hex(settings.as_bytes()));
            out.push(l);
        }
        drop(rows);
        let mut st = self.tx.prepare(REQUISITES_REVISION)?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let data: String = r.get(2)?;
            let mut l = blank(LeafKind::RequisitesRevision, r.get(3)?);
            l.requisites = Some(r.get(0)?);
            l.requisites_revision = Some(r.get(1)?);
            l.data_sha256 = Some(sha256_hex(data.as_bytes()));
            out.push(l);
        }
        drop(rows);
        let mut st = self.tx.prepare(SOURCE_REVISION)?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let data: String = r.get(2)?;
            let mut l = blank(LeafKind::SourceRevision, r.get(3)?);
            l.source = Some(r.get(0)?);
            l.source_revision = Some(r.get(1)?);
            l.data_sha256 = Some(sha256_hex(data.as_bytes()));
            out.push(l);
        }
        drop(rows);
        let mut st = self.tx.prepare(TEXT)?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let mut l = blank(LeafKind::Text, r.get(7)?);
            l.agreement = Some(r.get(0)?);
            l.revision = Some(r.get(1)?);
            l.requisites = r.get(2)?;
            l.requisites_revision = r.get(3)?;
            l.source = Some(r.get(4)?);
            l.source_revision = Some(r.get(5)?);
            l.text_sha256 = r.get(6)?;
            out.push(l);
        }
        Ok(out)
    }

    /// Every stored text's hash, and those whose body no longer has that hash.
    pub fn ledger_texts(&self) -> Result<(std::collections::HashSet<String>, Vec<ConfigProblem>)> {
        let mut all = std::collections::HashSet::new();
        let mut bad = Vec::new();
        let mut st = self.tx.prepare("SELECT sha256, body FROM texts")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let (sha, body): (String, String) = (r.get(0)?, r.get(1)?);
            if sha256_hex(body.as_bytes()) != sha {
                bad.push(ConfigProblem {
                    seq: None,
                    message: format!(
                        "the text stored under {sha} has another SHA-256: it was edited"
                    ),
                });
            }
            all.insert(sha);
        }
        Ok((all, bad))
    }
}

#[cfg(test)]
mod tests {
    use crate::storage::{Stamp, Store};

    #[test]
    fn every_revision_is_a_leaf() {
        let mut store = Store::open_in_memory().unwrap();
        store
            .write(|tx| {
                let mut r = crate::domain::requisites::Requisites::new(
                    "main",
                    crate::domain::requisites::Kind::Legal,
                );
                r.short_name = "ООО Ромашка".into();
                tx.requisites_save(
                    &r,
                    Stamp {
                        at: "2026-01-01T00:00:00Z",
                        actor: "t",
                    },
                )?;
                r.full_name = Some("Общество".into());
                tx.requisites_save(
                    &r,
                    Stamp {
                        at: "2026-01-02T00:00:00Z",
                        actor: "t",
                    },
                )?;
                Ok::<_, crate::storage::StoreError>(())
            })
            .unwrap();
        let (size, expected) = store
            .read(|tx| {
                Ok::<_, crate::storage::StoreError>((
                    tx.ledger_size()?,
                    tx.ledger_config_expected()?,
                ))
            })
            .unwrap();
        assert_eq!(size, 2);
        assert_eq!(expected.len(), 2);
    }
}
