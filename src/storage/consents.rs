//! Looking consent events up: by external id, by subject, by filters; and what
//! withdrew what. The leaves themselves are written by `ledger.rs`.

use rusqlite::{ToSql, params_from_iter};

use super::ledger::{EnvelopeRow, LeafRow, envelope_at, row_to_leaf};
use super::{Result, StoreError, Tx};

/// `consent list` filters; every one is optional.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub agreement: Option<String>,
    pub source: Option<String>,
    /// `form` or `openline`.
    pub source_kind: Option<String>,
    /// RFC 3339 bounds on `at`, inclusive.
    pub since: Option<String>,
    pub until: Option<String>,
    /// Envelopes that hold this subject (64-bit keys from `SubjectKey::index_key`).
    pub subject_key: Option<i64>,
    pub ip: Option<String>,
    pub url_contains: Option<String>,
    /// `given`, `refused`, `withdrawn`.
    pub event: Option<String>,
    /// `active` (a given consent not withdrawn) or `withdrawn`.
    pub status: Option<String>,
    /// Only events with a seq below this (paging newest first).
    pub before: Option<u64>,
    pub limit: Option<u32>,
}

/// One event of an export.
#[derive(Debug, Clone)]
pub struct ExportRow {
    pub leaf: LeafRow,
    /// The envelope, unless the event has none or it was erased.
    pub envelope: Option<EnvelopeRow>,
    /// For a given consent: when it was withdrawn.
    pub withdrawn_at: Option<String>,
    /// When the event's envelope was erased (the `erased` leaf's time).
    pub erased_at: Option<String>,
}

/// The configuration and texts a selection of events pins.
#[derive(Debug, Clone, Default)]
pub struct ExportRefs {
    pub agreements: Vec<String>,
    pub requisites: Vec<String>,
    pub sources: Vec<String>,
    pub texts: Vec<String>,
}

/// The joins, conditions and arguments of an [`EventFilter`] over `ledger_leaves l`.
struct Where {
    joins: String,
    conds: String,
    args: Vec<Box<dyn ToSql>>,
}

impl Where {
    /// `envelope_joined`: the query joins `ledger_envelopes e` itself.
    fn new(f: &EventFilter, envelope_joined: bool) -> Where {
        let mut joins = String::new();
        let mut conds: Vec<String> =
            vec!["l.kind IN ('given', 'refused', 'withdrawn')".to_string()];
        let mut args: Vec<Box<dyn ToSql>> = Vec::new();
        let arg = |v: Box<dyn ToSql>, args: &mut Vec<Box<dyn ToSql>>| {
            args.push(v);
            format!("?{}", args.len())
        };
        if let Some(k) = f.subject_key {
            joins.push_str(" JOIN ledger_subjects k ON k.envelope = l.envelope");
            let p = arg(Box::new(k), &mut args);
            conds.push(format!("k.key = {p}"));
        }
        if !envelope_joined && (f.ip.is_some() || f.url_contains.is_some()) {
            joins.push_str(" JOIN ledger_envelopes e ON e.id = l.envelope");
        }
        if let Some(v) = &f.agreement {
            let p = arg(Box::new(v.clone()), &mut args);
            conds.push(format!("l.agreement = {p}"));
        }
        if let Some(v) = &f.source {
            let p = arg(Box::new(v.clone()), &mut args);
            conds.push(format!("l.source = {p}"));
        }
        if let Some(v) = &f.source_kind {
            let p = arg(Box::new(v.clone()), &mut args);
            conds.push(format!(
                "l.source IN (SELECT code FROM sources WHERE kind = {p})"
            ));
        }
        if let Some(v) = &f.since {
            let p = arg(Box::new(v.clone()), &mut args);
            conds.push(format!("l.at >= {p}"));
        }
        if let Some(v) = &f.until {
            let p = arg(Box::new(v.clone()), &mut args);
            conds.push(format!("l.at <= {p}"));
        }
        if let Some(v) = &f.ip {
            let p = arg(Box::new(v.clone()), &mut args);
            conds.push(format!("e.ip = {p}"));
        }
        if let Some(v) = &f.url_contains {
            let p = arg(Box::new(v.clone()), &mut args);
            conds.push(format!("instr(e.url, {p}) > 0"));
        }
        if let Some(v) = &f.event {
            let p = arg(Box::new(v.clone()), &mut args);
            conds.push(format!("l.kind = {p}"));
        }
        match f.status.as_deref() {
            Some("active") => conds.push(
                "l.kind = 'given' AND NOT EXISTS (SELECT 1 FROM ledger_leaves w WHERE w.withdraws = l.seq)"
                    .to_string(),
            ),
            Some("withdrawn") => conds.push(
                "l.kind = 'given' AND EXISTS (SELECT 1 FROM ledger_leaves w WHERE w.withdraws = l.seq)"
                    .to_string(),
            ),
            _ => {}
        }
        if let Some(b) = f.before {
            let p = arg(Box::new(b as i64), &mut args);
            conds.push(format!("l.seq < {p}"));
        }
        Where {
            joins,
            conds: conds.join(" AND "),
            args,
        }
    }
}

pub(super) const COLUMNS: &str = "l.seq, l.id, l.kind, l.at, l.recorded_at, l.agreement, l.revision, l.requisites,
    l.requisites_revision, l.source, l.source_revision, l.text_sha256, l.checked_by_default, l.required,
    l.channel, l.external_id, l.withdraws, l.commitment, l.data_sha256, l.envelope";

pub(super) fn collect(
    rows: impl Iterator<Item = rusqlite::Result<std::result::Result<LeafRow, (u64, String)>>>,
) -> Result<Vec<LeafRow>> {
    let mut out = Vec::new();
    for r in rows {
        match r? {
            Ok(l) => out.push(l),
            Err((seq, why)) => return Err(StoreError::Ledger(format!("leaf {seq}: {why}"))),
        }
    }
    Ok(out)
}

impl Tx<'_> {
    /// The events recorded earlier for this source under this external id.
    pub fn consent_by_external_id(&self, source: &str, external_id: &str) -> Result<Vec<LeafRow>> {
        let mut st = self.tx.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM ledger_leaves l
             WHERE l.source = ?1 AND l.external_id = ?2 AND l.kind IN ('given', 'refused')
             ORDER BY l.seq"
        ))?;
        let rows = st.query_map([source, external_id], row_to_leaf)?;
        collect(rows)
    }

    /// The seq of the `withdrawn` event that ended consent `seq`, if any.
    pub fn consent_withdrawal(&self, seq: u64) -> Result<Option<LeafRow>> {
        let mut st = self.tx.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM ledger_leaves l
             WHERE l.withdraws = ?1 AND l.kind = 'withdrawn' ORDER BY l.seq LIMIT 1"
        ))?;
        let rows = st.query_map([seq as i64], row_to_leaf)?;
        Ok(collect(rows)?.into_iter().next())
    }

    /// Consent events by envelope subject key, newest first (the caller confirms each
    /// hit against the envelope: the key is 64 bits of a hash).
    pub fn consent_by_subject(&self, key: i64, source: Option<&str>) -> Result<Vec<LeafRow>> {
        let mut st = self.tx.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM ledger_subjects k
             JOIN ledger_leaves l ON l.envelope = k.envelope
             WHERE k.key = ?1 AND (?2 IS NULL OR l.source = ?2)
               AND l.kind IN ('given', 'refused')
             ORDER BY l.seq DESC"
        ))?;
        let rows = st.query_map(rusqlite::params![key, source], row_to_leaf)?;
        collect(rows)
    }

    /// Consent events matching `f`, newest first.
    pub fn consent_list(&self, f: &EventFilter) -> Result<Vec<LeafRow>> {
        let w = Where::new(f, false);
        let mut sql = format!(
            "SELECT {COLUMNS} FROM ledger_leaves l{} WHERE {}",
            w.joins, w.conds
        );
        sql.push_str(" ORDER BY l.seq DESC");
        if let Some(n) = f.limit {
            sql.push_str(&format!(" LIMIT {n}"));
        }
        let mut st = self.tx.prepare(&sql)?;
        let rows = st.query_map(params_from_iter(w.args.iter()), row_to_leaf)?;
        collect(rows)
    }

    /// The (source, source revision) pairs of the events matching `f`: the forms whose
    /// fields an export's columns are.
    pub fn consent_export_sources(&self, f: &EventFilter) -> Result<Vec<(String, u32)>> {
        // DISTINCT without ORDER BY keeps only the distinct pairs; with it, SQLite sorted
        // every selected row in memory (43 MB at a million events) before removing repeats.
        let w = Where::new(f, false);
        let mut st = self.tx.prepare(&format!(
            "SELECT DISTINCT l.source, l.source_revision FROM ledger_leaves l{}
             WHERE {} AND l.source IS NOT NULL AND l.source_revision IS NOT NULL",
            w.joins, w.conds
        ))?;
        let rows = st.query_map(params_from_iter(w.args.iter()), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
        let mut out: Vec<(String, u32)> = rows.collect::<rusqlite::Result<_>>()?;
        out.sort();
        Ok(out)
    }

    /// What the events matching `f` pin: the agreement, requisites and source codes and the
    /// texts' SHA-256, each sorted and without repeats (what an audit package carries).
    pub fn consent_export_refs(&self, f: &EventFilter) -> Result<ExportRefs> {
        // One scan: the distinct combinations are few (agreements × texts), however many
        // events there are.
        let w = Where::new(f, false);
        let mut st = self.tx.prepare(&format!(
            "SELECT DISTINCT l.agreement, l.requisites, l.source, l.text_sha256
             FROM ledger_leaves l{} WHERE {}",
            w.joins, w.conds
        ))?;
        let mut rows = st.query(params_from_iter(w.args.iter()))?;
        let mut sets: [std::collections::BTreeSet<String>; 4] = Default::default();
        while let Some(r) = rows.next()? {
            for (i, set) in sets.iter_mut().enumerate() {
                if let Some(v) = r.get::<_, Option<String>>(i)? {
                    set.insert(v);
                }
            }
        }
        let [agreements, requisites, sources, texts] = sets.map(|s| s.into_iter().collect());
        Ok(ExportRefs {
            agreements,
            requisites,
            sources,
            texts,
        })
    }

    /// Calls `each` with every event matching `f`, oldest first, with its envelope (if still
    /// stored), when it was withdrawn and when its envelope was erased: an export's rows,
    /// streamed.
    /// `parse_fields` parses each envelope's fields (`EnvelopeRow::fields_json` always holds
    /// them as stored).
    pub fn consent_export_scan(
        &self,
        f: &EventFilter,
        parse_fields: bool,
        mut each: impl FnMut(ExportRow) -> Result<()>,
    ) -> Result<()> {
        let w = Where::new(f, true);
        let mut sql = format!(
            "SELECT {COLUMNS}, e.id, e.salt, e.fields, e.ip, e.url, e.user_agent, e.reason,
                (SELECT w.at FROM ledger_leaves w WHERE l.kind = 'given' AND w.withdraws = l.seq
                   AND w.kind = 'withdrawn' ORDER BY w.seq LIMIT 1),
                (SELECT xl.at FROM ledger_erased x JOIN ledger_leaves xl ON xl.seq = x.erasure
                   WHERE e.id IS NULL AND x.envelope = l.envelope)
             FROM ledger_leaves l LEFT JOIN ledger_envelopes e ON e.id = l.envelope{}
             WHERE {} ORDER BY l.seq",
            w.joins, w.conds
        );
        if let Some(n) = f.limit {
            sql.push_str(&format!(" LIMIT {n}"));
        }
        let mut st = self.tx.prepare(&sql)?;
        let mut rows = st.query(params_from_iter(w.args.iter()))?;
        while let Some(r) = rows.next()? {
            let leaf = match row_to_leaf(r)? {
                Ok(l) => l,
                Err((seq, why)) => return Err(StoreError::Ledger(format!("leaf {seq}: {why}"))),
            };
            let envelope = match r.get::<_, Option<i64>>(20)? {
                Some(id) => Some(envelope_at(r, 20, id, parse_fields)??),
                None => None,
            };
            each(ExportRow {
                leaf,
                envelope,
                withdrawn_at: r.get(27)?,
                erased_at: r.get(28)?,
            })?;
        }
        Ok(())
    }

    /// The registered texts shown on a pair after they stopped being current, counted by
    /// the events recorded against them since: (agreement revision, events).
    pub fn consent_stale_texts(&self, agreement: &str, source: &str) -> Result<Vec<(u32, u64)>> {
        let mut st = self.tx.prepare_cached(
            "WITH cur AS (
                 SELECT t.sha256, t.current_from FROM text_registrations t
                 JOIN agreements a ON a.id = t.agreement_id JOIN sources s ON s.id = t.source_id
                 WHERE a.code = ?1 AND s.code = ?2 ORDER BY t.id DESC LIMIT 1)
             SELECT l.revision, count(*) FROM ledger_leaves l, cur
             WHERE l.kind IN ('given', 'refused') AND l.agreement = ?1 AND l.source = ?2
               AND l.text_sha256 IS NOT cur.sha256 AND l.recorded_at >= cur.current_from
             GROUP BY l.revision ORDER BY l.revision",
        )?;
        let rows = st.query_map([agreement, source], |r| {
            Ok((r.get(0)?, r.get::<_, i64>(1)? as u64))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
