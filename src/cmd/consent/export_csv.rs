//! `consent export --format csv`: one row per event, streamed, for a spreadsheet — Excel's
//! dialect on request, times in a chosen zone, and every cell a formula could start with
//! defused (README, "The CSV export").

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::io::Write;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::Subject;
use crate::cmd::Result;
use crate::domain::ledger::to_hex;
use crate::storage::{EventFilter, ExportRow, StoreError, Tx};

/// How the CSV is written.
#[derive(Debug, Clone)]
pub struct CsvOptions {
    pub delimiter: u8,
    pub bom: bool,
    pub crlf: bool,
    /// Russian column names and «данные уничтожены».
    pub russian: bool,
    /// Times in this zone (RFC 3339 with its offset); UTC (`Z`) when `None`.
    pub tz: Option<Tz>,
    /// Prefix `'` to a cell that a spreadsheet would read as a formula.
    pub guard: bool,
}

/// What was written.
#[derive(Debug, Default, Clone, Copy)]
pub struct CsvStats {
    pub rows: u64,
    /// Cells the formula guard prefixed with `'`.
    pub guarded: u64,
}

/// The fixed columns before the subject fields: (English, Russian).
const HEAD: [(&str, &str); 18] = [
    ("seq", "№"),
    ("event", "Событие"),
    ("occurred_at", "Дата согласия"),
    ("recorded_at", "Дата записи"),
    ("agreement", "Соглашение"),
    ("agreement_name", "Название соглашения"),
    ("revision", "Редакция"),
    ("text_sha256", "SHA-256 текста"),
    ("source", "Источник"),
    ("source_kind", "Тип источника"),
    ("ip", "IP-адрес"),
    ("url", "Страница"),
    ("user_agent", "Браузер (User-Agent)"),
    ("external_id", "Внешний ID"),
    ("withdrawn_at", "Дата отзыва"),
    ("withdraws", "Отзывает №"),
    ("channel", "Канал"),
    ("reason", "Причина отзыва"),
];

/// The columns after them.
const TAIL: [(&str, &str); 3] = [
    ("other_fields", "Прочие поля"),
    ("leaf_hash", "Хеш записи"),
    ("commitment", "Хеш данных (commitment)"),
];

/// Whether a spreadsheet would take a cell starting so for a formula (or a control).
fn dangerous(cell: &str) -> bool {
    matches!(
        cell.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    )
}

/// A cell's value without the `'` the formula guard put before it (what import and
/// `audit-pack verify` compare).
pub fn unguard(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if dangerous(rest) => rest,
        _ => cell,
    }
}

/// The subject field columns: the fields of every source revision in the selection, in the
/// order of the sources (by code) and of their fields; and each revision's columns.
type Columns = (Vec<String>, HashMap<(String, u32), Vec<usize>>);

fn field_columns(tx: &Tx, filter: &EventFilter) -> Result<Columns> {
    let mut out: Vec<String> = Vec::new();
    let mut of = HashMap::new();
    for (code, rev) in tx.consent_export_sources(filter)? {
        let mut mine = Vec::new();
        for f in tx.source_revision(&code, rev)?.source.fields {
            let i = match out.iter().position(|x| *x == f) {
                Some(i) => i,
                None => {
                    out.push(f);
                    out.len() - 1
                }
            };
            mine.push(i);
        }
        of.insert((code, rev), mine);
    }
    Ok((out, of))
}

/// Writes the events matching `filter` as CSV to `sink`; `subject`, when given, confirms
/// each hit of the subject index against the envelope.
pub fn write_csv(
    tx: &Tx,
    filter: &EventFilter,
    subject: Option<&Subject>,
    opts: &CsvOptions,
    sink: &mut dyn Write,
) -> Result<CsvStats> {
    let (fields, of_source) = field_columns(tx, filter)?;
    let index: HashMap<&str, usize> = fields
        .iter()
        .enumerate()
        .map(|(i, f)| (f.as_str(), i))
        .collect();
    if opts.bom {
        sink.write_all("\u{feff}".as_bytes())?;
    }
    let mut w = csv::WriterBuilder::new()
        .delimiter(opts.delimiter)
        .terminator(if opts.crlf {
            csv::Terminator::CRLF
        } else {
            csv::Terminator::Any(b'\n')
        })
        .from_writer(sink);
    let name = |(en, ru): &(&'static str, &'static str)| if opts.russian { *ru } else { *en };
    let mut header: Vec<&str> = HEAD.iter().map(name).collect();
    header.extend(fields.iter().map(String::as_str));
    header.extend(TAIL.iter().map(name));
    w.write_record(&header)?;

    let mut stats = CsvStats::default();
    let mut names: HashMap<(String, u32), String> = HashMap::new();
    let mut kinds: HashMap<String, String> = HashMap::new();
    let time = |at: &str| -> String {
        let Some(tz) = opts.tz else {
            return at.to_string();
        };
        match at.parse::<DateTime<Utc>>() {
            Ok(t) => t
                .with_timezone(&tz)
                .format("%Y-%m-%dT%H:%M:%S%:z")
                .to_string(),
            Err(_) => at.to_string(),
        }
    };
    let erased_word = if opts.russian {
        "данные уничтожены"
    } else {
        "erased"
    };
    let mut cells: Vec<String> = Vec::with_capacity(header.len());
    let mut failure: Option<anyhow::Error> = None;
    tx.consent_export_scan(filter, |row: ExportRow| {
        if failure.is_some() {
            return Ok(());
        }
        if subject.is_some_and(|s| !s.holds_envelope(row.envelope.as_ref())) {
            return Ok(());
        }
        let l = &row.leaf.leaf;
        let agreement_name = match (&l.agreement, l.revision) {
            (Some(code), Some(rev)) => {
                let key = (code.clone(), rev);
                if !names.contains_key(&key) {
                    let n = tx.agreement_revision(code, rev)?.settings.name;
                    names.insert(key.clone(), n);
                }
                names[&key].clone()
            }
            _ => String::new(),
        };
        let source_kind = match &l.source {
            Some(code) => {
                if !kinds.contains_key(code) {
                    let k = tx
                        .source_find(code)?
                        .map(|s| s.source.kind.as_str().to_string())
                        .unwrap_or_default();
                    kinds.insert(code.clone(), k);
                }
                kinds[code].clone()
            }
            None => String::new(),
        };
        let erased = row.erased_at.as_ref().map(|at| {
            let day = at
                .parse::<DateTime<Utc>>()
                .map(|t| match opts.tz {
                    Some(tz) => t.with_timezone(&tz).date_naive().to_string(),
                    None => t.date_naive().to_string(),
                })
                .unwrap_or_else(|_| at.clone());
            format!("{erased_word} {day}")
        });
        let env = row.envelope.as_ref().map(|e| &e.envelope);
        let envelope_value = |v: Option<&String>| -> String {
            match (&erased, v) {
                (Some(e), _) => e.clone(),
                (None, Some(v)) => v.clone(),
                (None, None) => String::new(),
            }
        };
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        let num = |v: Option<u64>| v.map(|n| n.to_string()).unwrap_or_default();
        cells.clear();
        cells.extend([
            l.seq.to_string(),
            l.kind.as_str().to_string(),
            time(&l.at),
            time(&l.recorded_at),
            opt(&l.agreement),
            agreement_name,
            num(l.revision.map(u64::from)),
            opt(&l.text_sha256),
            opt(&l.source),
            source_kind,
            envelope_value(env.and_then(|e| e.ip.as_ref())),
            envelope_value(env.and_then(|e| e.url.as_ref())),
            envelope_value(env.and_then(|e| e.user_agent.as_ref())),
            opt(&l.external_id),
            row.withdrawn_at.as_deref().map(time).unwrap_or_default(),
            num(l.withdraws),
            opt(&l.channel),
            envelope_value(env.and_then(|e| e.reason.as_ref())),
        ]);
        let mut values = vec![String::new(); fields.len()];
        let mut other: BTreeMap<&str, &str> = BTreeMap::new();
        if let Some(e) = env {
            for (k, v) in &e.fields {
                match index.get(k.as_str()) {
                    Some(&i) => values[i] = v.clone(),
                    None => {
                        other.insert(k, v);
                    }
                }
            }
        }
        if let (Some(e), Some(code), Some(rev)) = (&erased, &l.source, l.source_revision) {
            // The columns the event had data in: its source's fields.
            for &i in of_source.get(&(code.clone(), rev)).into_iter().flatten() {
                values[i] = e.clone();
            }
        }
        cells.extend(values);
        cells.push(if other.is_empty() {
            String::new()
        } else {
            serde_json::to_string(&other).unwrap_or_default()
        });
        let hash = match l.hash() {
            Ok(h) => to_hex(&h),
            Err(e) => {
                return Err(StoreError::Ledger(format!(
                    "leaf {}: no canonical form: {e}",
                    l.seq
                )));
            }
        };
        cells.push(hash);
        cells.push(opt(&l.commitment));
        let mut written = Ok(());
        for c in &cells {
            let cell: Cow<str> = if opts.guard && dangerous(c) {
                stats.guarded += 1;
                Cow::Owned(format!("'{c}"))
            } else {
                Cow::Borrowed(c)
            };
            written = written.and(w.write_field(cell.as_bytes()));
        }
        if let Err(e) = written.and(w.write_record(None::<&[u8]>)) {
            failure = Some(e.into());
            return Ok(());
        }
        stats.rows += 1;
        Ok(())
    })?;
    if let Some(e) = failure {
        return Err(e);
    }
    w.flush()?;
    Ok(stats)
}
