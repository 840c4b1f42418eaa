//! Erasure (the one place pdconsent deletes rows of the ledger's tables: envelopes and their
//! subject keys), the destruction schedule, and the operator's settings.

use rusqlite::{OptionalExtension, params};

use super::consents::{COLUMNS, collect as leaves};
use super::ledger::{LeafRow, new_event_id, row_to_leaf};
use super::{Result, StoreError, Tx};
use crate::domain::ledger::{ErasureRecord, Leaf, LeafKind};

/// An envelope whose every given consent has been withdrawn: its data must be destroyed.
#[derive(Debug, Clone)]
pub struct DueEnvelope {
    pub envelope: i64,
    /// The given consents it backs, all withdrawn.
    pub consents: Vec<u64>,
    /// The last of their withdrawals (RFC 3339): the deadline counts from it.
    pub last_withdrawal: String,
}

/// When and by which erasure an envelope went.
#[derive(Debug, Clone)]
pub struct ErasedBy {
    pub erasure: u64,
    pub at: String,
}

impl Tx<'_> {
    /// Every leaf that points at envelope `id`, in seq order.
    pub fn ledger_envelope_leaves(&self, id: i64) -> Result<Vec<LeafRow>> {
        let mut st = self.tx.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM ledger_leaves l WHERE l.envelope = ?1 ORDER BY l.seq"
        ))?;
        let rows = st.query_map([id], row_to_leaf)?;
        leaves(rows)
    }

    /// Whether envelope `id` is still stored.
    pub fn ledger_envelope_exists(&self, id: i64) -> Result<bool> {
        Ok(self
            .query_row("SELECT 1 FROM ledger_envelopes WHERE id = ?1", [id], |_| {
                Ok(())
            })
            .optional()?
            .is_some())
    }

    /// The `withdrawn` events that end any of `consents`, with a stored envelope (a reason).
    pub fn ledger_withdrawal_envelopes(&self, consents: &[u64]) -> Result<Vec<(u64, i64)>> {
        let mut st = self.tx.prepare_cached(
            "SELECT l.seq, l.envelope FROM ledger_leaves l
             JOIN ledger_envelopes e ON e.id = l.envelope
             WHERE l.withdraws = ?1 AND l.kind = 'withdrawn'",
        )?;
        let mut out = Vec::new();
        for &c in consents {
            let rows = st.query_map([c as i64], |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)))?;
            for r in rows {
                out.push(r?);
            }
        }
        Ok(out)
    }

    /// Deletes the envelopes `record` names (with their subject keys) and appends the `erased`
    /// leaf that pins the record. Returns the leaf's seq.
    pub fn ledger_erase(&self, record: &ErasureRecord, at: &str, recorded_at: &str) -> Result<u64> {
        let canonical = record
            .canonical()
            .map_err(|e| StoreError::Ledger(format!("the erasure record: {e}")))?;
        let digest = record
            .sha256_hex()
            .map_err(|e| StoreError::Ledger(format!("the erasure record: {e}")))?;
        let mut leaf = Leaf::new(
            0,
            new_event_id(),
            LeafKind::Erased,
            at.to_string(),
            recorded_at.to_string(),
        );
        leaf.data_sha256 = Some(digest);
        let seq = self.ledger_append(&mut leaf, None)?;
        let text = String::from_utf8(canonical)
            .map_err(|e| StoreError::Ledger(format!("the erasure record: {e}")))?;
        self.execute(
            "INSERT INTO ledger_erasures (seq, record) VALUES (?1, ?2)",
            params![seq as i64, text],
        )?;
        for &id in &record.envelopes {
            self.execute(
                "INSERT INTO ledger_erased (envelope, erasure) VALUES (?1, ?2)",
                params![id, seq as i64],
            )?;
            // The envelope first: its subject keys may only go once it has gone.
            self.execute("DELETE FROM ledger_envelopes WHERE id = ?1", [id])?;
            self.execute("DELETE FROM ledger_subjects WHERE envelope = ?1", [id])?;
        }
        Ok(seq)
    }

    /// The stored record of the erasure whose leaf is `seq`.
    pub fn ledger_erasure_record(&self, seq: u64) -> Result<Option<String>> {
        Ok(self
            .query_row(
                "SELECT record FROM ledger_erasures WHERE seq = ?1",
                [seq as i64],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The envelopes recorded as erased by the erasure whose leaf is `seq`, ascending.
    pub fn ledger_erased_by(&self, seq: u64) -> Result<Vec<i64>> {
        let mut st = self.tx.prepare_cached(
            "SELECT envelope FROM ledger_erased WHERE erasure = ?1 ORDER BY envelope",
        )?;
        let rows = st.query_map([seq as i64], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Erasure records whose leaf does not exist or is not an `erased` leaf (seqs).
    pub fn ledger_erasures_without_leaf(&self) -> Result<Vec<u64>> {
        let mut st = self.tx.prepare(
            "SELECT x.seq FROM ledger_erasures x LEFT JOIN ledger_leaves l ON l.seq = x.seq
             WHERE l.seq IS NULL OR l.kind IS NOT 'erased'
             UNION
             SELECT e.erasure FROM ledger_erased e LEFT JOIN ledger_erasures x ON x.seq = e.erasure
             WHERE x.seq IS NULL ORDER BY 1",
        )?;
        let rows = st.query_map([], |r| Ok(r.get::<_, i64>(0)? as u64))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// When and by which erasure envelope `id` went, if it did.
    pub fn ledger_erased(&self, id: i64) -> Result<Option<ErasedBy>> {
        Ok(self
            .query_row(
                "SELECT e.erasure, l.at FROM ledger_erased e
                 JOIN ledger_leaves l ON l.seq = e.erasure WHERE e.envelope = ?1",
                [id],
                |r| {
                    Ok(ErasedBy {
                        erasure: r.get::<_, i64>(0)? as u64,
                        at: r.get(1)?,
                    })
                },
            )
            .optional()?)
    }

    /// Envelopes still stored whose every given consent has been withdrawn, oldest last
    /// withdrawal first.
    pub fn ledger_due(&self) -> Result<Vec<DueEnvelope>> {
        let mut st = self.tx.prepare(
            "SELECT c.envelope, group_concat(c.seq), max(w.at)
             FROM ledger_leaves w
             JOIN ledger_leaves c ON c.seq = w.withdraws
             JOIN ledger_envelopes e ON e.id = c.envelope
             WHERE w.withdraws IS NOT NULL AND w.kind = 'withdrawn'
             GROUP BY c.envelope
             HAVING NOT EXISTS (
                 SELECT 1 FROM ledger_leaves g
                 WHERE g.envelope = c.envelope AND g.kind = 'given'
                   AND NOT EXISTS (SELECT 1 FROM ledger_leaves w2
                                   WHERE w2.withdraws = g.seq AND w2.kind = 'withdrawn'))
             ORDER BY max(w.at), c.envelope",
        )?;
        let rows = st.query_map([], |r| {
            let list: String = r.get(1)?;
            Ok(DueEnvelope {
                envelope: r.get(0)?,
                consents: {
                    let mut v: Vec<u64> = list.split(',').filter_map(|s| s.parse().ok()).collect();
                    v.sort_unstable();
                    v.dedup();
                    v
                },
                last_withdrawal: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A setting of the operator's (`pdconsent setting`).
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Sets (or with `None`, unsets) a setting.
    pub fn setting_set(&self, key: &str, value: Option<&str>) -> Result<()> {
        match value {
            Some(v) => self.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, v],
            )?,
            None => self.execute("DELETE FROM settings WHERE key = ?1", [key])?,
        };
        Ok(())
    }

    /// Every setting, by key.
    pub fn settings(&self) -> Result<Vec<(String, String)>> {
        let mut st = self
            .tx
            .prepare_cached("SELECT key, value FROM settings ORDER BY key")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
