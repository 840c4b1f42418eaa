//! The append-only change log: who changed what, with the values before and after.

use rusqlite::params;
use serde::Serialize;

use super::{Result, Stamp, StoreError, Tx, to_json};

/// One entry of the change log.
#[derive(Debug, Clone, Serialize)]
pub struct LogRecord {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub object_kind: String,
    pub object_code: String,
    pub action: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// Which change-log entries `log_list` returns.
#[derive(Debug, Default, Clone)]
pub struct LogFilter {
    pub object_kind: Option<String>,
    pub object_code: Option<String>,
    /// Inclusive RFC 3339 bounds.
    pub since: Option<String>,
    pub until: Option<String>,
    pub limit: Option<u32>,
}

/// A stamp of the configuration: it differs whenever a revision, a text registration or a
/// change-log entry (every edit, archive and restore writes one) was added since it was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfigStamp([i64; 5]);

impl Tx<'_> {
    /// The configuration's [`ConfigStamp`]: what `record --batch` compares before reusing what
    /// it read of sources, agreements and texts in an earlier transaction.
    pub fn config_stamp(&self) -> Result<ConfigStamp> {
        let mut out = [0i64; 5];
        for (i, sql) in [
            "SELECT coalesce(max(id), 0) FROM change_log",
            "SELECT coalesce(max(id), 0) FROM text_registrations",
            "SELECT count(*) FROM agreement_revisions",
            "SELECT count(*) FROM source_revisions",
            "SELECT count(*) FROM requisites_revisions",
        ]
        .into_iter()
        .enumerate()
        {
            out[i] = self.query_row(sql, [], |r| r.get(0))?;
        }
        Ok(ConfigStamp(out))
    }

    /// Appends an entry to the change log.
    pub fn log_append(
        &self,
        Stamp { at, actor }: Stamp,
        object_kind: &str,
        object_code: &str,
        action: &str,
        before: Option<&serde_json::Value>,
        after: Option<&serde_json::Value>,
    ) -> Result<()> {
        self.execute(
            "INSERT INTO change_log (at, actor, object_kind, object_code, action, before, after)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                at,
                actor,
                object_kind,
                object_code,
                action,
                before.map(to_json),
                after.map(to_json)
            ],
        )?;
        Ok(())
    }

    /// Change-log entries matching the filter, oldest first.
    pub fn log_list(&self, f: &LogFilter) -> Result<Vec<LogRecord>> {
        let mut st = self.tx.prepare_cached(
            "SELECT id, at, actor, object_kind, object_code, action, before, after FROM change_log
             WHERE (?1 IS NULL OR object_kind = ?1) AND (?2 IS NULL OR object_code = ?2)
               AND (?3 IS NULL OR at >= ?3) AND (?4 IS NULL OR at <= ?4)
             ORDER BY id DESC LIMIT ?5",
        )?;
        let limit = f.limit.map(i64::from).unwrap_or(-1);
        let rows = st.query_map(
            params![f.object_kind, f.object_code, f.since, f.until, limit],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, Option<String>>(7)?,
                ))
            },
        )?;
        let mut out = Vec::new();
        for row in rows {
            let (id, at, actor, object_kind, object_code, action, before, after) = row?;
            let parse = |s: Option<String>| -> Result<Option<serde_json::Value>> {
                s.map(|s| {
                    serde_json::from_str(&s).map_err(|e| StoreError::Corrupt {
                        what: format!("change log entry {id}"),
                        detail: e.to_string(),
                    })
                })
                .transpose()
            };
            out.push(LogRecord {
                id,
                at,
                actor,
                object_kind,
                object_code,
                action,
                before: parse(before)?,
                after: parse(after)?,
            });
        }
        out.reverse();
        Ok(out)
    }
}
