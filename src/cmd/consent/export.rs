//! `pdconsent consent export`: the ledger's events as CSV for a spreadsheet (`--format csv`,
//! `--excel`), or as JSON Lines — every leaf in order with its envelope and salt, what
//! `docs/verify_ledger.py` recomputes the tree from. Streamed; `-o` is written atomically.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context as _;
use serde_json::{Value, json};

use super::export_csv::{CsvOptions, CsvStats, write_csv};
use super::filter::FilterArgs;
use crate::cmd::{Ctx, Result};
use crate::output::{self, Format};
use crate::{HintExt, Outcome};

/// Export consent events: CSV for a spreadsheet, or every leaf as JSON Lines (docs/ledger.md)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write to FILE (atomically: a failure leaves no partial file) instead of stdout
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// CSV for Excel and LibreOffice in a Russian locale: UTF-8 BOM, `;` between cells, CRLF
    /// line ends (implies --format csv)
    #[arg(long)]
    pub excel: bool,
    /// The CSV cell separator: one ASCII character, or `tab` [default: `,`; `;` with --excel]
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<String>,
    /// Start the CSV with a UTF-8 byte order mark (so Excel reads it as UTF-8)
    #[arg(long)]
    pub bom: bool,
    /// The language of the CSV's column names (ru: Дата согласия, IP-адрес, Страница …)
    #[arg(long, value_name = "LANG", value_parser = ["en", "ru"], default_value = "en")]
    pub header_lang: String,
    /// Write times in this IANA zone, RFC 3339 with its offset (e.g. Europe/Moscow) [default: UTC]
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,
    /// Leave cells that start with = + - @, a tab or a CR as they are (no `'` prefix)
    #[arg(long)]
    pub raw: bool,
}

/// Writes to `-o FILE` atomically, or to stdout; what `write` returned.
fn to_output<T>(
    path: Option<&PathBuf>,
    write: impl FnOnce(&mut dyn Write) -> Result<T>,
) -> Result<T> {
    match path {
        None => {
            let mut w = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            let r = write(&mut w)?;
            w.flush()?;
            Ok(r)
        }
        Some(p) => {
            let hint = "give -o a file in a directory that exists and that you can write to";
            let file = output::file::OutputFile::create(p).hint(hint)?;
            let mut w = std::io::BufWriter::with_capacity(1 << 16, file);
            let r = write(&mut w)?;
            w.into_inner()
                .map_err(|e| e.into_error())
                .and_then(|f| f.commit())
                .with_context(|| format!("cannot write `{}`", p.display()))
                .hint(hint)?;
            Ok(r)
        }
    }
}

fn csv_options(args: &Args) -> Result<CsvOptions> {
    let delimiter = match args.delimiter.as_deref() {
        None if args.excel => b';',
        None => b',',
        Some("tab" | "\\t" | "\t") => b'\t',
        Some(d) if d.len() == 1 && d.is_ascii() && !matches!(d, "\"" | "\n" | "\r") => {
            d.as_bytes()[0]
        }
        Some(d) => {
            return Err(anyhow::anyhow!(
                "--delimiter `{d}` is not one ASCII character (other than a quote or a line end)"
            ))
            .hint("write e.g. --delimiter ';' or --delimiter tab");
        }
    };
    let tz = args
        .tz
        .as_deref()
        .map(|z| {
            crate::domain::ledger::parse_time_zone(z)
                .ok_or_else(|| anyhow::anyhow!("--tz `{z}` is not an IANA time zone"))
                .hint("write e.g. --tz Europe/Moscow or --tz UTC")
        })
        .transpose()?;
    Ok(CsvOptions {
        delimiter,
        bom: args.bom || args.excel,
        crlf: args.excel,
        russian: args.header_lang == "ru",
        tz,
        guard: !args.raw,
    })
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    let format = match ctx.global.format {
        None if args.excel => Format::Csv,
        _ => ctx.format(&[Format::Jsonl, Format::Csv], "consent export")?,
    };
    let csv_only = args.excel
        || args.delimiter.is_some()
        || args.bom
        || args.header_lang != "en"
        || args.tz.is_some()
        || args.raw;
    if format == Format::Jsonl && csv_only {
        return Err(anyhow::anyhow!(
            "--excel, --delimiter, --bom, --header-lang, --tz and --raw shape a CSV export"
        ))
        .hint(
            "add --format csv (a JSON Lines export is always UTF-8 and UTC, for verify_ledger.py)",
        );
    }
    args.filter.check()?;
    let mut store = ctx.open_read()?;
    crate::cmd::ledger::require_ledger(&store)?;
    let shown = args
        .output
        .as_ref()
        .map(|p| format!(" to {}", p.display()))
        .unwrap_or_default();
    if format == Format::Csv {
        let opts = csv_options(&args)?;
        let (stats, size, root): (CsvStats, u64, _) = store.read(|tx| {
            let (filter, subject) = args.filter.to_filter(tx, ctx.clock_now())?;
            let stats = to_output(args.output.as_ref(), |w| {
                write_csv(tx, &filter, subject.as_ref(), &opts, w)
            })?;
            let size = tx.ledger_size()?;
            Ok::<_, anyhow::Error>((stats, size, tx.ledger_root(size)?))
        })?;
        output::notice(&format!(
            "exported {} events as CSV{shown}; tree size {size}, root {}",
            stats.rows,
            crate::cmd::ledger::base64(&root)
        ));
        if stats.guarded > 0 {
            output::notice(&format!(
                "{} cells began with = + - @, a tab or a CR and were prefixed with ' so that a spreadsheet shows them as text (--raw leaves them)",
                stats.guarded
            ));
        }
        return Ok(Outcome::Ok);
    }
    let filtered = args.filter.any();
    let (rows, size, root, events) = store.read(|tx| {
        let (filter, subject) = args.filter.to_filter(tx, ctx.clock_now())?;
        to_output(args.output.as_ref(), |w| {
            if filtered {
                export_events(tx, &filter, subject.as_ref(), w)
            } else {
                export_to(tx, w, None)
            }
        })
    })?;
    let what = if filtered {
        format!("{rows} consent events (a selection: the root needs every leaf)")
    } else {
        format!("{rows} leaves ({events} consent events)")
    };
    output::notice(&format!(
        "exported {what}{shown}; tree size {size}, root {}",
        crate::cmd::ledger::base64(&root)
    ));
    Ok(Outcome::Ok)
}

/// One JSON line: the leaf, its envelope and salt (`null` when it has none or it was erased).
fn jsonl_line(
    leaf: &crate::domain::ledger::Leaf,
    envelope: Option<&crate::storage::EnvelopeRow>,
    sink: &mut dyn Write,
) -> std::io::Result<()> {
    let (env, salt) = match envelope {
        Some(e) => (e.envelope.to_value(), Value::String(e.salt.clone())),
        None => (Value::Null, Value::Null),
    };
    let line = json!({"leaf": leaf.to_value(), "envelope": env, "salt": salt});
    let text = serde_json::to_string(&line)?;
    sink.write_all(crate::output::json_escape_invisible(&text).as_bytes())?;
    sink.write_all(b"\n")
}

/// The selected events only, as JSON lines; (events, tree size, root, events).
pub(crate) fn export_events(
    tx: &crate::storage::Tx,
    filter: &crate::storage::EventFilter,
    subject: Option<&super::Subject>,
    sink: &mut dyn Write,
) -> Result<(u64, u64, crate::domain::ledger::Hash, u64)> {
    let mut n = 0u64;
    let mut io_error: Option<std::io::Error> = None;
    tx.consent_export_scan(filter, true, |row| {
        if io_error.is_some() {
            return Ok(());
        }
        if subject.is_some_and(|s| !s.holds_envelope(row.envelope.as_ref())) {
            return Ok(());
        }
        match jsonl_line(&row.leaf.leaf, row.envelope.as_ref(), sink) {
            Ok(()) => n += 1,
            Err(e) => io_error = Some(e),
        }
        Ok(())
    })?;
    if let Some(e) = io_error {
        return Err(e.into());
    }
    let size = tx.ledger_size()?;
    Ok((n, size, tx.ledger_root(size)?, n))
}

/// Writes every leaf (up to seq `upto`, when given) as one JSON line; (leaves, tree size,
/// root, events).
pub(crate) fn export_to(
    tx: &crate::storage::Tx,
    sink: &mut dyn Write,
    upto: Option<u64>,
) -> Result<(u64, u64, crate::domain::ledger::Hash, u64)> {
    let mut events = 0u64;
    let mut written = 0u64;
    let mut io_error: Option<std::io::Error> = None;
    tx.ledger_scan(1, true, |item| {
        if io_error.is_some() || upto.is_some_and(|u| item.seq > u) {
            return Ok(());
        }
        written += 1;
        let row = item.leaf.map_err(|why| {
            crate::storage::StoreError::Ledger(format!("leaf {}: {why}", item.seq))
        })?;
        if row.leaf.kind.is_event() {
            events += 1;
        }
        let envelope = match item.envelope {
            Some(Ok(e)) => Some(e),
            Some(Err(why)) => {
                return Err(crate::storage::StoreError::Ledger(format!(
                    "the envelope of leaf {}: {why}",
                    item.seq
                )));
            }
            None => None,
        };
        if let Err(e) = jsonl_line(&row.leaf, envelope.as_ref(), sink) {
            io_error = Some(e);
        }
        Ok(())
    })?;
    if let Some(e) = io_error {
        return Err(anyhow::Error::from(e));
    }
    let size = upto.unwrap_or(tx.ledger_size()?);
    Ok((written, size, tx.ledger_root(size)?, events))
}
