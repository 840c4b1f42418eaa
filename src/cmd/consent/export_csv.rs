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

/// An envelope's stored fields, read without copying the strings that need no unescaping.
#[derive(serde::Deserialize)]
struct BorrowedFields<'a>(#[serde(borrow)] BTreeMap<Str<'a>, Str<'a>>);

/// A string of [`BorrowedFields`]: borrowed from the JSON unless it had escapes.
#[derive(serde::Deserialize, PartialEq, Eq, PartialOrd, Ord)]
struct Str<'a>(#[serde(borrow)] Cow<'a, str>);

/// A cell of the envelope: «erased» once it is, else its value.
fn envelope_cell<'a>(erased: Option<&'a str>, v: Option<&'a Option<String>>) -> Cow<'a, str> {
    Cow::Borrowed(erased.or(v.and_then(|v| v.as_deref())).unwrap_or(""))
}

/// An optional text cell.
fn opt(v: &Option<String>) -> Cow<'_, str> {
    Cow::Borrowed(v.as_deref().unwrap_or(""))
}

/// An optional number cell.
fn num(v: Option<u64>) -> Cow<'static, str> {
    v.map_or(Cow::Borrowed(""), |n| Cow::Owned(n.to_string()))
}

/// A time as the export shows it: as stored (UTC) or in `tz`.
fn time(at: &str, tz: Option<Tz>) -> Cow<'_, str> {
    let Some(tz) = tz else {
        return Cow::Borrowed(at);
    };
    Cow::Owned(match at.parse::<DateTime<Utc>>() {
        Ok(t) => t
            .with_timezone(&tz)
            .format("%Y-%m-%dT%H:%M:%S%:z")
            .to_string(),
        Err(_) => at.to_string(),
    })
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
    // Agreement names by code, then revision: looked up per row without copying the code.
    let mut names: HashMap<String, HashMap<u32, String>> = HashMap::new();
    let mut kinds: HashMap<String, String> = HashMap::new();
    let tz = opts.tz;
    let erased_word = if opts.russian {
        "данные уничтожены"
    } else {
        "erased"
    };
    // Buffers reused from row to row: a million rows allocate next to nothing.
    let mut guarded_cell = String::new();
    let mut leaf_bytes: Vec<u8> = Vec::with_capacity(1024);
    let mut failure: Option<anyhow::Error> = None;
    let parse_fields = subject.is_some();
    tx.consent_export_scan(filter, parse_fields, |row: ExportRow| {
        if failure.is_some() {
            return Ok(());
        }
        if subject.is_some_and(|s| !s.holds_envelope(row.envelope.as_ref())) {
            return Ok(());
        }
        let l = &row.leaf.leaf;
        if let (Some(code), Some(rev)) = (&l.agreement, l.revision)
            && !names.get(code).is_some_and(|r| r.contains_key(&rev))
        {
            let n = tx.agreement_revision(code, rev)?.settings.name;
            names.entry(code.clone()).or_default().insert(rev, n);
        }
        if let Some(code) = &l.source
            && !kinds.contains_key(code)
        {
            let k = tx
                .source_find(code)?
                .map(|s| s.source.kind.as_str().to_string())
                .unwrap_or_default();
            kinds.insert(code.clone(), k);
        }
        let agreement_name = match (&l.agreement, l.revision) {
            (Some(code), Some(rev)) => names
                .get(code)
                .and_then(|r| r.get(&rev))
                .map_or("", String::as_str),
            _ => "",
        };
        let source_kind = l
            .source
            .as_ref()
            .and_then(|c| kinds.get(c))
            .map_or("", String::as_str);
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
        let env = row.envelope.as_ref();
        let erased_cell = erased.as_deref();
        let envelope_value = |v| envelope_cell(erased_cell, v);
        // The subject fields: parsed from the stored JSON without copying a string that
        // needs no unescaping.
        let parsed: Option<BTreeMap<Cow<str>, Cow<str>>> = match env {
            Some(e) if !parse_fields => {
                match serde_json::from_str::<BorrowedFields>(&e.fields_json) {
                    Ok(f) => Some(f.0.into_iter().map(|(k, v)| (k.0, v.0)).collect()),
                    Err(e2) => {
                        return Err(StoreError::Ledger(format!(
                            "envelope {}: its fields are not an object of strings: {e2}",
                            e.id
                        )));
                    }
                }
            }
            Some(e) => Some(
                e.envelope
                    .fields
                    .iter()
                    .map(|(k, v)| (Cow::Borrowed(k.as_str()), Cow::Borrowed(v.as_str())))
                    .collect(),
            ),
            None => None,
        };
        let mut values: Vec<&str> = vec![""; fields.len()];
        let mut other: BTreeMap<&str, &str> = BTreeMap::new();
        for (k, v) in parsed.iter().flatten() {
            match index.get(k.as_ref()) {
                Some(&i) => values[i] = v.as_ref(),
                None => {
                    other.insert(k.as_ref(), v.as_ref());
                }
            }
        }
        if let (Some(e), Some(code), Some(rev)) = (&erased, &l.source, l.source_revision) {
            // The columns the event had data in: its source's fields.
            for &i in of_source.get(&(code.clone(), rev)).into_iter().flatten() {
                values[i] = e.as_str();
            }
        }
        leaf_bytes.clear();
        if let Err(e) = l.write_canonical(&mut leaf_bytes) {
            return Err(StoreError::Ledger(format!(
                "leaf {}: no canonical form: {e}",
                l.seq
            )));
        }
        let hash = to_hex(&crate::domain::ledger::leaf_hash(&leaf_bytes));
        let head: [Cow<str>; 18] = [
            Cow::Owned(l.seq.to_string()),
            Cow::Borrowed(l.kind.as_str()),
            time(&l.at, tz),
            time(&l.recorded_at, tz),
            opt(&l.agreement),
            Cow::Borrowed(agreement_name),
            num(l.revision.map(u64::from)),
            opt(&l.text_sha256),
            opt(&l.source),
            Cow::Borrowed(source_kind),
            envelope_value(env.map(|e| &e.envelope.ip)),
            envelope_value(env.map(|e| &e.envelope.url)),
            envelope_value(env.map(|e| &e.envelope.user_agent)),
            opt(&l.external_id),
            row.withdrawn_at
                .as_deref()
                .map_or(Cow::Borrowed(""), |at| time(at, tz)),
            num(l.withdraws),
            opt(&l.channel),
            envelope_value(env.map(|e| &e.envelope.reason)),
        ];
        let other_json = if other.is_empty() {
            String::new()
        } else {
            serde_json::to_string(&other).unwrap_or_default()
        };
        let tail: [&str; 3] = [&other_json, &hash, l.commitment.as_deref().unwrap_or("")];
        let mut written = Ok(());
        let cells = head
            .iter()
            .map(Cow::as_ref)
            .chain(values.iter().copied())
            .chain(tail);
        for c in cells {
            let cell: &str = if opts.guard && dangerous(c) {
                stats.guarded += 1;
                guarded_cell.clear();
                guarded_cell.push('\'');
                guarded_cell.push_str(c);
                &guarded_cell
            } else {
                c
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
