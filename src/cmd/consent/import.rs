//! `pdconsent consent import FILE|-`: a consent log from another system, or a web server's
//! log, as CSV (what Excel writes included) or JSON Lines. Each row goes through the same
//! validation as `consent record`; all or nothing in one transaction by default.

use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::catalog::{Catalog, Options, Refused};
use crate::cmd::{Ctx, Result};
use crate::domain::consent::{Checked, Submission};
use crate::domain::field::FieldError;
use crate::output::{self, Format};
use crate::{HintExt, Outcome};

/// Problems listed in full when an import is refused; the rest are counted.
const MAX_LISTED: usize = 100;

/// Import consents from CSV or JSON Lines (another system's log, a web server's queue)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The file, or `-` for stdin
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The input's format [default: by the file's extension; csv for stdin]
    #[arg(long, value_name = "FORMAT", value_parser = ["csv", "jsonl"])]
    pub input_format: Option<String>,
    /// The CSV cell separator [default: `;` when the header has more `;` than `,`]
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<String>,
    /// Import the good rows and write the refused ones, each with its reason, to --rejects
    #[arg(long, requires = "rejects")]
    pub skip_invalid: bool,
    /// Where --skip-invalid writes the refused rows (CSV: line, field, reason, the row)
    #[arg(long, value_name = "FILE", requires = "skip_invalid")]
    pub rejects: Option<PathBuf>,
    /// Accept fields that are not the source's (kept with the others)
    #[arg(long)]
    pub allow_extra_fields: bool,
}

/// A row's place and its submission, or why it is not one.
pub struct Row {
    pub line: u64,
    /// How far into the input the row ends, in bytes (the progress bar's position).
    pub read: u64,
    /// The row as read, for --rejects.
    pub raw: Vec<String>,
    pub submission: std::result::Result<Submission, FieldError>,
}

/// How an import records: only what a row names, each event's channel `import`.
pub fn options(allow_extra_fields: bool) -> Options {
    Options {
        allow_extra_fields,
        only_named: true,
        provenance: Some("import"),
    }
}

/// A row's submission checked as of `clock`, with an external id derived from its content
/// when it has none (what [`Catalog::record`] takes).
pub fn checked(
    submission: std::result::Result<Submission, FieldError>,
    clock: chrono::DateTime<chrono::Utc>,
) -> std::result::Result<Checked, FieldError> {
    submission.and_then(|mut s| {
        if s.external_id.is_none() {
            s.external_id = Some(derived_external_id(&s));
        }
        s.check(clock)
    })
}

/// Column names (English as `consent import` documents them, Russian as `consent export
/// --header-lang ru` writes them) and what they are.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Col {
    Source,
    Agreement,
    Event,
    Ip,
    Url,
    UserAgent,
    At,
    ExternalId,
    TextSha256,
    /// A column of `consent export` that is derived, not an input: skipped.
    Derived,
    Field,
}

fn column(name: &str) -> Col {
    match name.trim().to_lowercase().as_str() {
        "source" | "источник" => Col::Source,
        "agreement" | "соглашение" => Col::Agreement,
        "event" | "событие" => Col::Event,
        "ip" | "ip-адрес" => Col::Ip,
        "url" | "страница" => Col::Url,
        "user_agent" | "браузер (user-agent)" => Col::UserAgent,
        "occurred_at" | "at" | "дата согласия" => Col::At,
        "external_id" | "внешний id" => Col::ExternalId,
        "text_sha256" | "sha-256 текста" => Col::TextSha256,
        "seq"
        | "№"
        | "recorded_at"
        | "дата записи"
        | "agreement_name"
        | "название соглашения"
        | "revision"
        | "редакция"
        | "source_kind"
        | "тип источника"
        | "withdrawn_at"
        | "дата отзыва"
        | "withdraws"
        | "отзывает №"
        | "channel"
        | "канал"
        | "reason"
        | "причина отзыва"
        | "other_fields"
        | "прочие поля"
        | "leaf_hash"
        | "хеш записи"
        | "commitment"
        | "хеш данных (commitment)" => Col::Derived,
        _ => Col::Field,
    }
}

/// A CSV row as a submission; `header` gives each cell's column.
fn csv_submission(
    header: &[(Col, String)],
    cells: &[String],
) -> std::result::Result<Submission, FieldError> {
    if cells.len() != header.len() {
        return Err(FieldError::new(
            "row",
            format!(
                "has {} cells, the header {}; check the delimiter and the quotes",
                cells.len(),
                header.len()
            ),
        ));
    }
    let mut s = Submission::default();
    let mut agreement = None;
    let mut event = None;
    let mut text = None;
    let opt = |v: &str| (!v.trim().is_empty()).then(|| v.trim().to_string());
    for ((col, name), v) in header.iter().zip(cells) {
        // A cell the export's formula guard prefixed: the value is what follows the `'`.
        let v = super::export_csv::unguard(v);
        match col {
            Col::Source => s.source = v.trim().to_string(),
            Col::Agreement => agreement = opt(v),
            Col::Event => event = opt(v),
            Col::Ip => s.ip = opt(v),
            Col::Url => s.url = opt(v),
            Col::UserAgent => s.user_agent = opt(v),
            Col::At => s.at = opt(v),
            Col::ExternalId => s.external_id = opt(v),
            Col::TextSha256 => text = opt(v),
            Col::Derived => {}
            Col::Field => {
                if !v.is_empty() {
                    s.fields.insert(name.clone(), v.to_string());
                }
            }
        }
    }
    if s.source.is_empty() {
        return Err(FieldError::new(
            "source",
            "is empty; every row names its source",
        ));
    }
    match event.as_deref() {
        None | Some("given") => s.agreements = agreement.clone().map(|a| vec![a]),
        Some("refused") => match &agreement {
            Some(a) => {
                s.agreements = Some(Vec::new());
                s.refused = vec![a.clone()];
            }
            None => {
                return Err(FieldError::new(
                    "agreement",
                    "is empty: a refusal names the agreement refused",
                ));
            }
        },
        Some("withdrawn") => {
            return Err(FieldError::new(
                "event",
                "`withdrawn` rows are not imported: record withdrawals with `pdconsent consent withdraw`",
            ));
        }
        Some(other) => {
            return Err(FieldError::new(
                "event",
                format!("`{other}` is not given or refused"),
            ));
        }
    }
    if let (Some(t), Some(a)) = (text, &agreement) {
        s.text_sha256.insert(a.clone(), t);
    }
    Ok(s)
}

/// The CSV column a submission's field error is about.
fn csv_column(field: &str) -> String {
    match field {
        "agreements" | "refused" => "agreement".into(),
        "at" => "occurred_at".into(),
        f => match f
            .strip_prefix("fields.")
            .or_else(|| f.strip_prefix("text_sha256."))
        {
            Some(rest) if f.starts_with("fields.") => rest.trim_matches('"').to_string(),
            Some(_) => "text_sha256".into(),
            None => f.to_string(),
        },
    }
}

/// The external id of a row that has none: derived from its content, so that importing the
/// same file again finds every row already there.
fn derived_external_id(s: &Submission) -> String {
    let mut h = Sha256::new();
    let value = serde_json::json!({
        "source": s.source, "fields": s.fields, "agreements": s.agreements, "refused": s.refused,
        "ip": s.ip, "url": s.url, "user_agent": s.user_agent, "at": s.at,
    });
    h.update(value.to_string().as_bytes());
    let digest = h.finalize();
    format!(
        "import:{}",
        crate::domain::ledger::merkle::hex(&digest[..16])
    )
}

fn delimiter(arg: Option<&str>, header_line: &str) -> Result<u8> {
    match arg {
        None => Ok(
            if header_line.matches(';').count() > header_line.matches(',').count() {
                b';'
            } else {
                b','
            },
        ),
        Some("tab" | "\\t") => Ok(b'\t'),
        Some(d) if d.len() == 1 && d.is_ascii() => Ok(d.as_bytes()[0]),
        Some(d) => Err(anyhow::anyhow!(
            "--delimiter `{d}` is not one ASCII character"
        ))
        .hint("write e.g. --delimiter ';' or --delimiter tab"),
    }
}

/// Reads every row of the input; `each` gets them one by one (the file is streamed).
pub fn read_rows(
    name: &str,
    input: Box<dyn BufRead>,
    jsonl: bool,
    delim: Option<&str>,
    mut each: impl FnMut(Row) -> Result<()>,
) -> Result<()> {
    let mut input = input;
    // A UTF-8 byte order mark (Excel writes one) is not part of the first column's name.
    let head = input
        .fill_buf()
        .with_context(|| format!("cannot read {name}"))?;
    if head.starts_with("\u{feff}".as_bytes()) {
        input.consume(3);
    }
    if jsonl {
        let mut read = 0u64;
        for (i, line) in input.lines().enumerate() {
            let n = i as u64 + 1;
            let line =
                line.with_context(|| format!("cannot read {name} (line {n}: not UTF-8?)"))?;
            read += line.len() as u64 + 1;
            if line.trim().is_empty() {
                continue;
            }
            let submission = serde_json::from_str::<Submission>(&line)
                .map_err(|e| FieldError::new("line", format!("not a submission: {e}")));
            each(Row {
                line: n,
                read,
                raw: vec![line],
                submission,
            })?;
        }
        return Ok(());
    }
    let mut first = String::new();
    input
        .read_line(&mut first)
        .with_context(|| format!("cannot read {name}"))?;
    let d = delimiter(delim, &first)?;
    let chained = std::io::Cursor::new(first.into_bytes()).chain(input);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(d)
        .flexible(true)
        .from_reader(chained);
    let header: Vec<(Col, String)> = reader
        .headers()
        .with_context(|| format!("{name}: cannot read the header row"))?
        .iter()
        .map(|h| (column(h), crate::domain::nfc(h.trim())))
        .collect();
    if !header.iter().any(|(c, _)| *c == Col::Source) {
        return Err(anyhow::anyhow!("{name}: the header has no `source` column"))
            .hint("the first row names the columns: source, agreement, occurred_at, ip, url, user_agent, external_id, text_sha256, and one column per field of the form (README, \"consent import\")");
    }
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let cells: Vec<String> = record.iter().map(str::to_string).collect();
                if cells.iter().all(|c| c.is_empty()) {
                    continue;
                }
                let submission = csv_submission(&header, &cells);
                each(Row {
                    line,
                    read: reader.position().byte(),
                    raw: cells,
                    submission,
                })?;
            }
            Err(e) => {
                return Err(anyhow::anyhow!("{name}, line {line}: {e}"))
                    .hint("a CSV file in UTF-8, with a header row; cells with the delimiter, a quote or a line break in quotes");
            }
        }
    }
    Ok(())
}

#[derive(Serialize)]
struct Problem {
    line: u64,
    field: String,
    message: String,
}

#[derive(Serialize, Default)]
struct Summary {
    rows: u64,
    imported: u64,
    events: u64,
    already: u64,
    refused: u64,
    problems: Vec<Problem>,
}

/// Why the transaction was rolled back: bad rows and no --skip-invalid.
#[derive(Debug)]
struct RolledBack;
impl std::fmt::Display for RolledBack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("rolled back")
    }
}
impl std::error::Error for RolledBack {}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    let format = ctx.format(&[Format::Text, Format::Json], "consent import")?;
    let stdin = args.file.as_os_str() == "-";
    let name = if stdin {
        "stdin".to_string()
    } else {
        args.file.display().to_string()
    };
    let jsonl = match args.input_format.as_deref() {
        Some(f) => f == "jsonl",
        None => matches!(
            args.file.extension().and_then(|e| e.to_str()),
            Some("jsonl" | "ndjson" | "json")
        ),
    };
    let opts = options(args.allow_extra_fields);
    let open = || -> Result<Box<dyn BufRead>> {
        Ok(if stdin {
            Box::new(std::io::BufReader::new(std::io::stdin()))
        } else {
            let f = std::fs::File::open(&args.file)
                .with_context(|| format!("cannot open {name}"))
                .hint("check the path")?;
            Box::new(std::io::BufReader::with_capacity(1 << 16, f))
        })
    };
    let rejects: std::cell::RefCell<Option<Rejects>> = std::cell::RefCell::new(None);
    let progress = if output::is_terminal(output::Stream::Stderr) && !stdin {
        let size = std::fs::metadata(&args.file).map(|m| m.len()).unwrap_or(0);
        let b = indicatif::ProgressBar::new(size);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "importing {bar:40} {binary_bytes}/{binary_total_bytes}, {eta} left",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    } else {
        indicatif::ProgressBar::hidden()
    };
    let mut store = ctx.open()?;
    // 8 MiB of page cache, not a writer's 32: an import of a million rows stays within its
    // 32 MiB budget (docs/performance.md), and at 200,000 rows it ran as fast.
    store.set_cache_kib(8192)?;
    let input = std::cell::RefCell::new(Some(open()?));
    let rolled_back: std::cell::RefCell<Option<Summary>> = std::cell::RefCell::new(None);
    let summary = {
        let now = ctx.now();
        let clock = ctx.clock_now();
        let result = store.write(|tx| {
            let cat = Catalog::new(tx);
            let mut sum = Summary::default();
            // Read again from the start when the transaction is retried (a file, not stdin).
            let reader = match input.borrow_mut().take() {
                Some(r) => r,
                None if !stdin => open()?,
                None => anyhow::bail!("stdin cannot be read twice; import from a file"),
            };
            *rejects.borrow_mut() = match &args.rejects {
                Some(p) => Some(Rejects::create(p)?),
                None => None,
            };
            read_rows(&name, reader, jsonl, args.delimiter.as_deref(), |row| {
                sum.rows += 1;
                if sum.rows % 1024 == 0 {
                    progress.set_position(row.read);
                }
                let outcome = match checked(row.submission, clock) {
                    Err(e) => Err(e),
                    Ok(c) => match cat.record(&c, opts, &now) {
                        Ok(r) => Ok(r),
                        Err(Refused::Field(e)) => Err(e),
                        Err(Refused::Store(e)) => return Err(e.into()),
                    },
                };
                match outcome {
                    Ok(r) if r.duplicate => sum.already += 1,
                    Ok(r) => {
                        sum.imported += 1;
                        sum.events += r.events.len() as u64;
                    }
                    Err(e) => {
                        sum.refused += 1;
                        if let Some(rj) = rejects.borrow_mut().as_mut() {
                            rj.add(row.line, &e, &row.raw)?;
                        }
                        if sum.problems.len() < MAX_LISTED {
                            sum.problems.push(Problem {
                                line: row.line,
                                field: if jsonl { e.field } else { csv_column(&e.field) },
                                message: e.message,
                            });
                        }
                    }
                }
                Ok(())
            })?;
            if sum.refused > 0 && !args.skip_invalid {
                *rolled_back.borrow_mut() = Some(sum);
                return Err(anyhow::Error::new(RolledBack));
            }
            Ok(sum)
        });
        progress.finish_and_clear();
        match result {
            Ok(s) => s,
            Err(e) if e.downcast_ref::<RolledBack>().is_some() => {
                return refused(&name, &rolled_back.take().unwrap_or_default());
            }
            Err(e) => return Err(e),
        }
    };
    if let Some(rj) = rejects.take() {
        rj.finish()?;
    }
    if format == Format::Json {
        ctx.out.print_json(&summary)?;
    }
    output::notice(&format!(
        "{name}: {} rows: {} imported ({} events), {} already imported (nothing added), {} refused",
        summary.rows, summary.imported, summary.events, summary.already, summary.refused
    ));
    if summary.refused > 0 {
        if let Some(p) = &args.rejects {
            output::notice(&format!(
                "the refused rows, each with its reason, are in `{}`",
                p.display()
            ));
        }
        return Ok(Outcome::Negative);
    }
    Ok(Outcome::Ok)
}

/// Nothing was imported: every problem, with its line and field.
fn refused(name: &str, sum: &Summary) -> Result {
    let mut msg = format!(
        "{name}: {} of {} rows cannot be imported, so nothing was imported:",
        sum.refused, sum.rows
    );
    for p in &sum.problems {
        msg.push_str(&format!("\n  line {}: {}: {}", p.line, p.field, p.message));
    }
    if sum.refused as usize > sum.problems.len() {
        msg.push_str(&format!(
            "\n  … and {} more",
            sum.refused as usize - sum.problems.len()
        ));
    }
    Err(anyhow::anyhow!("{msg}")).hint(
        "fix those rows and import the file again, or import the good rows with --skip-invalid --rejects FILE",
    )
}

/// The refused rows of --skip-invalid: `line`, `field`, `reason`, then the row as read.
struct Rejects {
    out: csv::Writer<crate::output::file::OutputFile>,
    path: PathBuf,
}

impl Rejects {
    fn create(path: &Path) -> Result<Rejects> {
        let file = crate::output::file::OutputFile::create(path)
            .hint("give --rejects a file in a directory you can write to")?;
        let mut out = csv::WriterBuilder::new().flexible(true).from_writer(file);
        out.write_record(["line", "field", "reason", "row"])?;
        Ok(Rejects {
            out,
            path: path.to_path_buf(),
        })
    }

    fn add(&mut self, line: u64, e: &FieldError, raw: &[String]) -> Result<()> {
        let mut rec = vec![line.to_string(), e.field.clone(), e.message.clone()];
        rec.extend(raw.iter().cloned());
        self.out.write_record(&rec)?;
        Ok(())
    }

    fn finish(self) -> Result<()> {
        let path = self.path;
        self.out
            .into_inner()
            .map_err(|e| anyhow::anyhow!("cannot write `{}`: {}", path.display(), e.error()))?
            .commit()
            .with_context(|| format!("cannot write `{}`", path.display()))?;
        Ok(())
    }
}
