//! The ledger's tree: leaves, the stored hashes, envelopes, and the configuration
//! leaves that log every revision and registered text (docs/ledger.md).
//!
//! The store interface a second backend implements: append a leaf (the backend
//! numbers it under its write lock and stores its hashes), add an envelope,
//! read the tree's size, its stored hashes and its leaves in order.

use rusqlite::{OptionalExtension, params};

use super::{Result, StoreError, Tx};
use crate::domain::ledger::{
    Checkbox, Envelope, Hash, HashReader, Leaf, LeafKind, Salt, TreeError, frontier_at,
    split_stored_hash_index, to_hex,
};

/// A new event id: a UUIDv7 (time-ordered, 74 random bits).
pub fn new_event_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Hex of a salt.
fn salt_hex(s: &Salt) -> String {
    crate::domain::ledger::merkle::hex(&s.0)
}

/// A salt from 64 hex digits.
pub fn parse_salt(hex: &str) -> Option<Salt> {
    crate::domain::ledger::merkle::unhex32(hex).map(Salt)
}

const LEAF_COLUMNS: &str = "seq, id, kind, at, recorded_at, agreement, revision, requisites,
    requisites_revision, source, source_revision, text_sha256, checked_by_default, required,
    channel, external_id, withdraws, commitment, data_sha256, envelope";

const INSERT_LEAF: &str = "INSERT INTO ledger_leaves (seq, id, kind, at, recorded_at, agreement,
    revision, requisites, requisites_revision, source, source_revision, text_sha256,
    checked_by_default, required, channel, external_id, withdraws, commitment, data_sha256,
    envelope, hashes) VALUES
    (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)";

/// A stored leaf and the envelope its commitment opens (if any was stored).
#[derive(Debug, Clone)]
pub struct LeafRow {
    pub leaf: Leaf,
    pub envelope: Option<i64>,
}

/// A leaf row as stored; an unknown kind is reported as the kind text.
pub(super) fn row_to_leaf(
    r: &rusqlite::Row,
) -> rusqlite::Result<std::result::Result<LeafRow, (u64, String)>> {
    let seq: i64 = r.get(0)?;
    let kind: String = r.get(2)?;
    let Some(kind) = LeafKind::parse(&kind) else {
        return Ok(Err((seq as u64, format!("unknown leaf kind `{kind}`"))));
    };
    let checkbox = match (r.get::<_, Option<bool>>(12)?, r.get::<_, Option<bool>>(13)?) {
        (Some(checked_by_default), Some(required)) => Some(Checkbox {
            checked_by_default,
            required,
        }),
        _ => None,
    };
    let mut leaf = Leaf::new(seq as u64, r.get(1)?, kind, r.get(3)?, r.get(4)?);
    leaf.agreement = r.get(5)?;
    leaf.revision = r.get(6)?;
    leaf.requisites = r.get(7)?;
    leaf.requisites_revision = r.get(8)?;
    leaf.source = r.get(9)?;
    leaf.source_revision = r.get(10)?;
    leaf.text_sha256 = r.get(11)?;
    leaf.checkbox = checkbox;
    leaf.channel = r.get(14)?;
    leaf.external_id = r.get(15)?;
    leaf.withdraws = r.get::<_, Option<i64>>(16)?.map(|v| v as u64);
    leaf.commitment = r.get(17)?;
    leaf.data_sha256 = r.get(18)?;
    Ok(Ok(LeafRow {
        leaf,
        envelope: r.get(19)?,
    }))
}

/// One row of [`Tx::ledger_scan`]: a leaf and its envelope, each as far as it could be read.
#[derive(Debug, Clone)]
pub struct Scanned {
    pub seq: u64,
    pub leaf: std::result::Result<LeafRow, String>,
    pub envelope: Option<std::result::Result<EnvelopeRow, String>>,
    /// The leaf's envelope is recorded as erased (by the `erased` leaf of this seq).
    pub erased_by: Option<u64>,
    /// The tree hashes stored with the leaf (`None` when the column is empty).
    pub hashes: Option<Vec<u8>>,
}

/// A stored envelope with its salt.
#[derive(Debug, Clone)]
pub struct EnvelopeRow {
    pub id: i64,
    pub salt: String,
    /// The `fields` column as stored: the canonical JSON of `envelope.fields`.
    pub fields_json: String,
    pub envelope: Envelope,
}

impl HashReader for Tx<'_> {
    type Error = StoreError;

    /// Stored hash `i` is (level L, n): bytes `32·L ..` of the hashes of leaf `(n + 1)·2^L`,
    /// the leaf whose append completed that subtree (migration 7).
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>> {
        let mut st = self.tx.prepare_cached(
            "SELECT substr(hashes, 32 * ?2 + 1, 32) FROM ledger_leaves WHERE seq = ?1",
        )?;
        let mut out = Vec::with_capacity(indexes.len());
        for &i in indexes {
            let (level, n) = split_stored_hash_index(i);
            let seq = ((n + 1) << level) as i64;
            let blob: Option<Option<Vec<u8>>> = st
                .query_row(params![seq, i64::from(level)], |r| r.get(0))
                .optional()?;
            match blob
                .flatten()
                .and_then(|b| Hash::try_from(b.as_slice()).ok())
            {
                Some(h) => out.push(h),
                None => {
                    return Err(StoreError::Ledger(format!(
                        "the tree's stored hash {i} (of leaf {seq}) is missing or not 32 bytes; run `pdconsent ledger verify`"
                    )));
                }
            }
        }
        Ok(out)
    }
}

/// A tree error in the store's terms.
pub(super) fn tree_error(e: TreeError<StoreError>) -> StoreError {
    match e {
        TreeError::Read(e) => e,
        other => StoreError::Ledger(format!("the consent ledger's tree: {other}")),
    }
}

impl Tx<'_> {
    /// The number of leaves in the tree.
    pub fn ledger_size(&self) -> Result<u64> {
        let n: Option<i64> =
            self.query_row("SELECT max(seq) FROM ledger_leaves", [], |r| r.get(0))?;
        Ok(n.unwrap_or(0) as u64)
    }

    /// The root of the tree of the first `size` leaves.
    pub fn ledger_root(&self, size: u64) -> Result<Hash> {
        crate::domain::ledger::tree_root(size, self).map_err(tree_error)
    }

    /// The audit path of leaf `index` (from 0) in the tree of `size` leaves.
    pub fn ledger_inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>> {
        crate::domain::ledger::inclusion_proof(index, size, self).map_err(tree_error)
    }

    /// The consistency proof from the tree of `old` leaves to the tree of `new`.
    pub fn ledger_consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>> {
        crate::domain::ledger::consistency_proof(old, new, self).map_err(tree_error)
    }

    /// Appends `leaf` as the next leaf: numbers it, stores it and the tree's new hashes.
    /// Returns its seq. Runs under the write lock, so the size read is the size written; the
    /// right edge of the tree is read once per transaction and then kept in memory.
    pub fn ledger_append(&self, leaf: &mut Leaf, envelope: Option<i64>) -> Result<u64> {
        let out = self.append_leaf(leaf, envelope);
        if out.is_err() {
            // Whatever was half done is rolled back with the transaction; so is the cache.
            *self.frontier.borrow_mut() = None;
        }
        out
    }

    fn append_leaf(&self, leaf: &mut Leaf, envelope: Option<i64>) -> Result<u64> {
        let mut cache = self.frontier.borrow_mut();
        if cache.is_none() {
            let n = self.ledger_size()?;
            *cache = Some(frontier_at(n, self).map_err(tree_error)?);
        }
        let Some(frontier) = cache.as_mut() else {
            return Err(StoreError::Ledger(
                "the tree's right edge is not loaded".into(),
            ));
        };
        let n = frontier.size();
        leaf.seq = n + 1;
        let hash = leaf.hash().map_err(|e| {
            StoreError::Ledger(format!("leaf {} has no canonical form: {e}", leaf.seq))
        })?;
        let hashes = frontier.push(hash);
        self.appended.set(true);
        let cb = leaf.checkbox;
        self.execute(
            INSERT_LEAF,
            params![
                leaf.seq as i64,
                leaf.id,
                leaf.kind.as_str(),
                leaf.at,
                leaf.recorded_at,
                leaf.agreement,
                leaf.revision,
                leaf.requisites,
                leaf.requisites_revision,
                leaf.source,
                leaf.source_revision,
                leaf.text_sha256,
                cb.map(|c| c.checked_by_default),
                cb.map(|c| c.required),
                leaf.channel,
                leaf.external_id,
                leaf.withdraws.map(|w| w as i64),
                leaf.commitment,
                leaf.data_sha256,
                envelope,
                hashes.concat(),
            ],
        )?;
        Ok(leaf.seq)
    }

    /// Records the tree's size and root as its newest head, unless it is recorded already
    /// (or the tree is empty). [`super::Store::write`] calls it before every commit that
    /// appended leaves; migration 7 for the tree as migrated.
    pub fn ledger_record_head(&self) -> Result<()> {
        let (size, root) = match self.frontier.borrow().as_ref() {
            Some(f) => (f.size(), f.root()),
            None => {
                let size = self.ledger_size()?;
                (size, self.ledger_root(size)?)
            }
        };
        if size == 0 {
            return Ok(());
        }
        if self.ledger_newest_head()?.is_some_and(|n| n >= size) {
            return Ok(());
        }
        self.execute(
            "INSERT INTO ledger_heads (size, root) VALUES (?1, ?2)",
            params![size as i64, root.to_vec()],
        )?;
        Ok(())
    }

    /// The size of the newest recorded head.
    pub fn ledger_newest_head(&self) -> Result<Option<u64>> {
        let n: Option<i64> =
            self.query_row("SELECT max(size) FROM ledger_heads", [], |r| r.get(0))?;
        Ok(n.map(|n| n as u64))
    }

    /// The recorded heads with a size above `after`, smallest first, at most `limit`.
    pub fn ledger_heads_after(&self, after: u64, limit: u32) -> Result<Vec<(u64, Vec<u8>)>> {
        let mut st = self.tx.prepare_cached(
            "SELECT size, root FROM ledger_heads WHERE size > ?1 ORDER BY size LIMIT ?2",
        )?;
        let rows = st.query_map(params![after as i64, limit], |r| {
            Ok((r.get::<_, i64>(0)? as u64, r.get(1)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Stores an envelope with its salt and the subject keys that find it; its id.
    pub fn ledger_envelope_add(&self, e: &Envelope, salt: &Salt, keys: &[i64]) -> Result<i64> {
        let fields =
            serde_json::to_string(&e.fields).map_err(|e| StoreError::Ledger(e.to_string()))?;
        self.execute(
            "INSERT INTO ledger_envelopes (salt, fields, ip, url, user_agent, reason)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![salt_hex(salt), fields, e.ip, e.url, e.user_agent, e.reason],
        )?;
        let id = self.tx.last_insert_rowid();
        for k in keys {
            self.execute(
                "INSERT OR IGNORE INTO ledger_subjects (key, envelope) VALUES (?1, ?2)",
                params![k, id],
            )?;
        }
        Ok(id)
    }

    /// An envelope by id (`None` once erased).
    pub fn ledger_envelope(&self, id: i64) -> Result<Option<EnvelopeRow>> {
        let row = self
            .query_row(
                "SELECT id, salt, fields, ip, url, user_agent, reason FROM ledger_envelopes WHERE id = ?1",
                [id],
                row_to_envelope,
            )
            .optional()?;
        row.transpose()
    }

    /// The leaf at `seq`.
    pub fn ledger_leaf(&self, seq: u64) -> Result<Option<LeafRow>> {
        let row = self
            .query_row(
                &format!("SELECT {LEAF_COLUMNS} FROM ledger_leaves WHERE seq = ?1"),
                [seq as i64],
                row_to_leaf,
            )
            .optional()?;
        match row {
            None => Ok(None),
            Some(Ok(l)) => Ok(Some(l)),
            Some(Err((seq, why))) => Err(StoreError::Ledger(format!("leaf {seq}: {why}"))),
        }
    }

    /// Calls `f` with every leaf from `from` on, in seq order, with its envelope if stored.
    /// A leaf or an envelope that cannot be read is passed as `Err(why)`, never an error of
    /// the scan: `ledger verify` reports it with its seq and goes on. `parse_fields` parses
    /// each envelope's fields (`EnvelopeRow::fields_json` always holds them as stored).
    pub fn ledger_scan(
        &self,
        from: u64,
        parse_fields: bool,
        mut f: impl FnMut(Scanned) -> Result<()>,
    ) -> Result<()> {
        let cols = LEAF_COLUMNS
            .split(',')
            .map(|c| format!("l.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        let mut st = self.tx.prepare(&format!(
            "SELECT {cols}, e.id, e.salt, e.fields, e.ip, e.url, e.user_agent, e.reason, x.erasure,
                l.hashes
             FROM ledger_leaves l LEFT JOIN ledger_envelopes e ON e.id = l.envelope
             LEFT JOIN ledger_erased x ON x.envelope = l.envelope
             WHERE l.seq >= ?1 ORDER BY l.seq"
        ))?;
        let mut rows = st.query([from as i64])?;
        while let Some(r) = rows.next()? {
            let seq = r.get::<_, i64>(0)? as u64;
            let leaf = match row_to_leaf(r) {
                Ok(Ok(l)) => Ok(l),
                Ok(Err((_, why))) => Err(why),
                Err(e) => Err(format!("the leaf's row cannot be read: {e}")),
            };
            let envelope = match r.get::<_, Option<i64>>(20) {
                Ok(None) => None,
                Ok(Some(id)) => Some(match envelope_at(r, 20, id, parse_fields) {
                    Ok(Ok(e)) => Ok(e),
                    Ok(Err(e)) => Err(e.to_string()),
                    Err(e) => Err(format!("envelope {id} cannot be read: {e}")),
                }),
                Err(e) => Some(Err(format!("the envelope cannot be read: {e}"))),
            };
            let erased_by = r.get::<_, Option<i64>>(27).ok().flatten().map(|s| s as u64);
            let hashes = r.get::<_, Option<Vec<u8>>>(28).ok().flatten();
            f(Scanned {
                seq,
                leaf,
                envelope,
                erased_by,
                hashes,
            })?;
        }
        Ok(())
    }

    /// `PRAGMA integrity_check` on this connection: empty when the file is sound.
    pub fn integrity_problems(&self) -> Result<Vec<String>> {
        let mut st = self.tx.prepare("PRAGMA integrity_check")?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?;
        let out: Vec<String> = rows.collect::<rusqlite::Result<_>>()?;
        Ok(out.into_iter().filter(|l| l != "ok").collect())
    }

    /// The protective triggers the database lacks or has altered, and the triggers it has
    /// that the migrations do not create, by name.
    pub fn trigger_problems(&self) -> Result<(Vec<String>, Vec<String>)> {
        let have = super::schema::triggers(self.tx)?;
        if super::schema::triggers_fingerprint(&have) == super::schema::REFERENCE_TRIGGERS_SHA256 {
            return Ok((Vec::new(), Vec::new()));
        }
        let reference = super::schema::reference_triggers();
        let missing = reference
            .iter()
            .filter(|t| !have.contains(t))
            .map(|(name, _)| name.clone())
            .collect();
        let extra = have
            .iter()
            .filter(|(name, _)| !reference.iter().any(|(n, _)| n == name))
            .map(|(name, _)| name.clone())
            .collect();
        Ok((missing, extra))
    }

    /// The subject index as (number of keys, XOR of `subject_pair_mix` over every pair).
    pub fn ledger_subject_fingerprint(&self) -> Result<(u64, u64)> {
        let mut st = self
            .tx
            .prepare("SELECT key, envelope FROM ledger_subjects")?;
        let mut rows = st.query([])?;
        let (mut n, mut fp) = (0u64, 0u64);
        while let Some(r) = rows.next()? {
            n += 1;
            fp ^= crate::domain::ledger::subject_pair_mix(r.get(0)?, r.get(1)?);
        }
        Ok((n, fp))
    }

    /// The subject keys stored for each envelope (only when the fingerprint differs).
    pub fn ledger_subject_keys(&self) -> Result<std::collections::HashMap<i64, Vec<i64>>> {
        let mut st = self
            .tx
            .prepare("SELECT key, envelope FROM ledger_subjects")?;
        let mut rows = st.query([])?;
        let mut out: std::collections::HashMap<i64, Vec<i64>> = std::collections::HashMap::new();
        while let Some(r) = rows.next()? {
            out.entry(r.get(1)?).or_default().push(r.get(0)?);
        }
        for v in out.values_mut() {
            v.sort_unstable();
        }
        Ok(out)
    }

    /// Every stored envelope's id, its fields as stored, and the first leaf that points at it.
    pub fn ledger_envelope_fields(
        &self,
        mut f: impl FnMut(i64, String, Option<u64>) -> Result<()>,
    ) -> Result<()> {
        let mut st = self.tx.prepare(
            "SELECT e.id, e.fields, (SELECT min(l.seq) FROM ledger_leaves l WHERE l.envelope = e.id)
             FROM ledger_envelopes e ORDER BY e.id",
        )?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            f(
                r.get(0)?,
                r.get(1)?,
                r.get::<_, Option<i64>>(2)?.map(|s| s as u64),
            )?;
        }
        Ok(())
    }

    /// The number of stored envelopes (what verify compares with the leaves).
    pub fn ledger_envelope_count(&self) -> Result<u64> {
        let e: i64 = self.query_row("SELECT count(*) FROM ledger_envelopes", [], |r| r.get(0))?;
        Ok(e as u64)
    }
}

fn row_to_envelope(r: &rusqlite::Row) -> rusqlite::Result<Result<EnvelopeRow>> {
    let id: i64 = r.get(0)?;
    envelope_at(r, 0, id, true)
}

/// The envelope in columns `at..at+7` (id, salt, fields, ip, url, user_agent, reason).
pub(super) fn envelope_at(
    r: &rusqlite::Row,
    at: usize,
    id: i64,
    parse_fields: bool,
) -> rusqlite::Result<Result<EnvelopeRow>> {
    let fields_json: String = r.get(at + 2)?;
    let fields = if parse_fields {
        match serde_json::from_str(&fields_json) {
            Ok(f) => f,
            Err(e) => {
                return Ok(Err(StoreError::Ledger(format!(
                    "envelope {id}: its fields are not an object of strings: {e}"
                ))));
            }
        }
    } else {
        Default::default()
    };
    Ok(Ok(EnvelopeRow {
        id,
        salt: r.get(at + 1)?,
        fields_json,
        envelope: Envelope {
            fields,
            ip: r.get(at + 3)?,
            url: r.get(at + 4)?,
            user_agent: r.get(at + 5)?,
            reason: r.get(at + 6)?,
        },
    }))
}

/// Hex of a tree hash (re-exported for views).
pub fn hash_hex(h: &Hash) -> String {
    to_hex(h)
}

/// `PRAGMA integrity_check` of the file at `path` on a connection of its own, so that it can
/// run on another core while the ledger is verified: empty when the file is sound.
pub fn integrity_check_file(path: &std::path::Path) -> Result<Vec<String>> {
    let conn = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    let mut st = conn.prepare("PRAGMA integrity_check")?;
    let rows = st.query_map([], |r| r.get::<_, String>(0))?;
    let out: Vec<String> = rows.collect::<rusqlite::Result<_>>()?;
    Ok(out.into_iter().filter(|l| l != "ok").collect())
}
