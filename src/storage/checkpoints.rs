//! Verifier keys and signed checkpoints, both append-only (docs/ledger.md, "Signed
//! checkpoints"). The private key never enters the database.

use rusqlite::{OptionalExtension, params};

use super::{Result, StoreError, Tx};
use crate::domain::ledger::Hash;

/// A verifier key as stored.
#[derive(Debug, Clone)]
pub struct KeyRecord {
    pub id: i64,
    /// The signed-note verifier key, `<name>+<hash>+<base64>`.
    pub vkey: String,
    /// The checkpoints' origin line.
    pub origin: String,
    pub created_at: String,
}

/// A signed checkpoint as stored.
#[derive(Debug, Clone)]
pub struct CheckpointRecord {
    pub id: i64,
    pub size: u64,
    pub root: Hash,
    /// The key that signed it.
    pub key: i64,
    pub signed_at: String,
    /// The whole signed note.
    pub note: String,
}

fn key_row(r: &rusqlite::Row) -> rusqlite::Result<KeyRecord> {
    Ok(KeyRecord {
        id: r.get(0)?,
        vkey: r.get(1)?,
        origin: r.get(2)?,
        created_at: r.get(3)?,
    })
}

fn checkpoint_row(
    r: &rusqlite::Row,
) -> rusqlite::Result<std::result::Result<CheckpointRecord, i64>> {
    let id: i64 = r.get(0)?;
    let root: Vec<u8> = r.get(2)?;
    let Ok(root) = Hash::try_from(root.as_slice()) else {
        return Ok(Err(id));
    };
    Ok(Ok(CheckpointRecord {
        id,
        size: r.get::<_, i64>(1)? as u64,
        root,
        key: r.get(3)?,
        signed_at: r.get(4)?,
        note: r.get(5)?,
    }))
}

fn checkpoint(
    row: Option<std::result::Result<CheckpointRecord, i64>>,
) -> Result<Option<CheckpointRecord>> {
    match row {
        None => Ok(None),
        Some(Ok(c)) => Ok(Some(c)),
        Some(Err(id)) => Err(StoreError::Ledger(format!(
            "checkpoint {id}: its root is not 32 bytes; run `pdconsent ledger verify`"
        ))),
    }
}

const CHECKPOINT_COLUMNS: &str = "id, size, root, key, signed_at, note";

impl Tx<'_> {
    /// Stores a new verifier key; it becomes the one in use. Its id.
    pub fn ledger_key_add(&self, vkey: &str, origin: &str, at: &str) -> Result<i64> {
        self.execute(
            "INSERT INTO ledger_keys (vkey, origin, created_at) VALUES (?1, ?2, ?3)",
            params![vkey, origin, at],
        )?;
        Ok(self.tx.last_insert_rowid())
    }

    /// The key in use: the newest.
    pub fn ledger_key_current(&self) -> Result<Option<KeyRecord>> {
        Ok(self
            .query_row(
                "SELECT id, vkey, origin, created_at FROM ledger_keys ORDER BY id DESC LIMIT 1",
                [],
                key_row,
            )
            .optional()?)
    }

    /// Every key, oldest first.
    pub fn ledger_keys(&self) -> Result<Vec<KeyRecord>> {
        let mut st = self
            .tx
            .prepare_cached("SELECT id, vkey, origin, created_at FROM ledger_keys ORDER BY id")?;
        let rows = st.query_map([], key_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Stores a signed checkpoint. Its id.
    pub fn ledger_checkpoint_add(
        &self,
        size: u64,
        root: &Hash,
        key: i64,
        at: &str,
        note: &str,
    ) -> Result<i64> {
        self.execute(
            "INSERT INTO ledger_checkpoints (size, root, key, signed_at, note)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![size as i64, root.as_slice(), key, at, note],
        )?;
        Ok(self.tx.last_insert_rowid())
    }

    /// The newest checkpoint (the largest tree; the last signed of equal ones).
    pub fn ledger_checkpoint_latest(&self) -> Result<Option<CheckpointRecord>> {
        let row = self
            .query_row(
                &format!(
                    "SELECT {CHECKPOINT_COLUMNS} FROM ledger_checkpoints ORDER BY size DESC, id DESC LIMIT 1"
                ),
                [],
                checkpoint_row,
            )
            .optional()?;
        checkpoint(row)
    }

    /// The first checkpoint of a tree of at least `size` leaves, signed by key `key` when
    /// given: what a receipt for leaf `size - 1` carries.
    pub fn ledger_checkpoint_covering(&self, size: u64) -> Result<Option<CheckpointRecord>> {
        let row = self
            .query_row(
                &format!(
                    "SELECT {CHECKPOINT_COLUMNS} FROM ledger_checkpoints WHERE size >= ?1
                     ORDER BY size, id LIMIT 1"
                ),
                [size as i64],
                checkpoint_row,
            )
            .optional()?;
        checkpoint(row)
    }

    /// The last checkpoint signed by key `key`.
    pub fn ledger_checkpoint_last_of_key(&self, key: i64) -> Result<Option<CheckpointRecord>> {
        let row = self
            .query_row(
                &format!(
                    "SELECT {CHECKPOINT_COLUMNS} FROM ledger_checkpoints WHERE key = ?1
                     ORDER BY size DESC, id DESC LIMIT 1"
                ),
                [key],
                checkpoint_row,
            )
            .optional()?;
        checkpoint(row)
    }

    /// Every stored checkpoint, oldest first: `ledger verify` checks each against the tree.
    pub fn ledger_checkpoints(&self) -> Result<Vec<CheckpointRecord>> {
        let mut st = self.tx.prepare(&format!(
            "SELECT {CHECKPOINT_COLUMNS} FROM ledger_checkpoints ORDER BY id"
        ))?;
        let rows = st.query_map([], checkpoint_row)?;
        let mut out = Vec::new();
        for r in rows {
            if let Some(c) = checkpoint(Some(r?))? {
                out.push(c);
            }
        }
        Ok(out)
    }
}
