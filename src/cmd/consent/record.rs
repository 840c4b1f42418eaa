//! `pdconsent consent record`: one submission from flags or JSON, or a JSON Lines batch.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use serde::Serialize;

use super::catalog::{self, Catalog, Options, Recorded, Refused};
use crate::cmd::{Ctx, Result, key_value};
use crate::domain::FieldError;
use crate::domain::consent::{Checked, Submission};
use crate::input::{self, LineReader};
use crate::output::Format;
use crate::output::events::EventView;
use crate::storage::StoreError;
use crate::{HintExt, Outcome, output};

/// Record a consent: one event per agreement of the source (given or refused)
#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("input").args(["source", "json", "batch"]).required(true))]
pub struct Args {
    /// The source (web form or chat) the submission came from
    #[arg(long, value_name = "SRC")]
    pub source: Option<String>,
    /// A field the person filled in: its caption (or email, phone, name) and value
    #[arg(long = "field", value_name = "KEY=VALUE")]
    pub fields: Vec<String>,
    /// An agreement whose box was ticked (may be left out when the source has one)
    #[arg(long = "agreement", value_name = "CODE")]
    pub agreements: Vec<String>,
    /// An optional agreement presented and not ticked (the rest are refused too)
    #[arg(long = "refused", value_name = "CODE")]
    pub refused: Vec<String>,
    /// The SHA-256 the page showed for an agreement (the snippet's data-sha256)
    #[arg(long = "text-sha256", value_name = "CODE=HASH")]
    pub text_sha256: Vec<String>,
    /// The address the submission came from (IPv4 or IPv6)
    #[arg(long, value_name = "ADDR")]
    pub ip: Option<String>,
    /// The page the form was on
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// The browser's User-Agent
    #[arg(long, value_name = "UA")]
    pub user_agent: Option<String>,
    /// When the person submitted it (RFC 3339) [default: now]
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// The caller's id of the submission: recording it again returns the same events
    #[arg(long, value_name = "ID")]
    pub external_id: Option<String>,
    /// Read the submission as one JSON object from FILE (`-`: stdin)
    #[arg(long, value_name = "FILE", conflicts_with_all = ["fields", "agreements", "refused", "text_sha256", "ip", "url", "user_agent", "at", "external_id"])]
    pub json: Option<PathBuf>,
    /// Read JSON Lines, one submission per line, from FILE (`-`: stdin); one result line each
    #[arg(long, value_name = "FILE", conflicts_with_all = ["fields", "agreements", "refused", "text_sha256", "ip", "url", "user_agent", "at", "external_id", "json"])]
    pub batch: Option<PathBuf>,
    /// Batch: commit after this many lines …
    #[arg(long, value_name = "N", default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub group_lines: u32,
    /// … or this many milliseconds after a group's first line, whichever comes first
    #[arg(long, value_name = "MS", default_value_t = 200, value_parser = clap::value_parser!(u64).range(1..=600_000))]
    pub group_ms: u64,
    /// Keep fields the source does not list (under the key given) instead of refusing them
    #[arg(long)]
    pub allow_extra_fields: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    let format = ctx.format(&[Format::Table, Format::Json], "consent record")?;
    let opts = Options {
        allow_extra_fields: args.allow_extra_fields,
        ..Options::default()
    };
    if let Some(path) = &args.batch {
        return batch(
            ctx,
            path,
            opts,
            args.group_lines as usize,
            Duration::from_millis(args.group_ms),
        );
    }
    let submission = match &args.json {
        Some(path) => {
            let text = read_input(path)?;
            serde_json::from_str::<Submission>(&text)
                .with_context(|| format!("{}: not a submission", show_path(path)))
                .hint("send one JSON object: {\"source\": \"contact-form\", \"fields\": {\"email\": \"…\"}, \"agreements\": [\"personal-data\"]} (README, \"consent record\")")?
        }
        None => from_flags(&args)?,
    };
    let from_json = args.json.is_some();
    let checked = submission
        .check(ctx.clock_now())
        .map_err(|e| field_error(e, from_json))?;
    let mut store = ctx.open()?;
    store.set_checkpoint_pages(CHECKPOINT_PAGES)?;
    let signer = crate::cmd::ledger::key::AutoSign::default();
    let recorded = ctx.retrying(|| {
        let now = ctx.now();
        store.write(|tx| {
            let cat = Catalog::new(tx);
            match cat.record(&checked, opts, &now) {
                Ok(r) => {
                    signer.sign(ctx, tx, &now)?;
                    Ok(Ok(r))
                }
                Err(Refused::Field(e)) => Ok(Err(e)),
                Err(Refused::Store(e)) => Err(anyhow::Error::from(e)),
            }
        })
    })?;
    let recorded = recorded.map_err(|e| field_error(e, from_json))?;
    report_single(ctx, &mut store, &recorded, format)
}

fn report_single(
    ctx: &Ctx,
    store: &mut crate::storage::Store,
    r: &Recorded,
    format: Format,
) -> Result {
    if r.duplicate {
        output::notice(&format!(
            "already recorded under this external id: seq {} (nothing added)",
            seqs(r)
        ));
    } else {
        let what: Vec<String> = r
            .events
            .iter()
            .map(|e| {
                format!(
                    "{} {} (seq {})",
                    e.leaf.kind.as_str(),
                    e.leaf.agreement.as_deref().unwrap_or(""),
                    e.leaf.seq
                )
            })
            .collect();
        output::notice(&format!("recorded {}", what.join(", ")));
        for (code, revision) in &r.earlier_texts {
            output::notice(&format!(
                "note: the page showed an earlier text of `{code}` (revision {revision}), not the current one; `pdconsent agreement check {code}` counts such events"
            ));
        }
    }
    if format == Format::Json {
        let views = store.read(|tx| {
            r.events
                .iter()
                .map(|e| {
                    let env = e
                        .envelope
                        .map(|id| tx.ledger_envelope(id))
                        .transpose()?
                        .flatten();
                    Ok::<_, StoreError>(EventView::new(e, None, env.as_ref()))
                })
                .collect::<std::result::Result<Vec<_>, _>>()
        })?;
        ctx.out.print_json(&views)?;
    } else {
        let mut out = std::io::stdout().lock();
        for e in &r.events {
            writeln!(out, "{}", e.leaf.seq)?;
        }
    }
    Ok(Outcome::Ok)
}

fn seqs(r: &Recorded) -> String {
    r.events
        .iter()
        .map(|e| e.leaf.seq.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn show_path(p: &std::path::Path) -> String {
    if p.as_os_str() == "-" {
        "stdin".into()
    } else {
        p.display().to_string()
    }
}

fn read_input(path: &std::path::Path) -> Result<String> {
    if path.as_os_str() == "-" {
        Ok(input::read_to_string(
            std::io::stdin().lock(),
            "stdin",
            input::CONFIG,
        )?)
    } else {
        input::read_path(path, input::CONFIG, "check the path")
    }
}

/// The error of a refused submission, naming the flag (or, for `--json`, the JSON key).
fn field_error(e: FieldError, from_json: bool) -> anyhow::Error {
    let hint = match e.field.as_str() {
        "source" | "agreements" | "refused" => {
            "`pdconsent source show SRC` lists the source's fields and agreements"
        }
        f if f.starts_with("fields") => "`pdconsent source show SRC` lists the source's fields",
        _ => "README, \"consent record\", lists every value and its form",
    };
    anyhow::Error::new(crate::Hinted {
        error: if from_json {
            anyhow::anyhow!("{}: {}", e.field, e.message)
        } else {
            anyhow::anyhow!("{}: {}", flag_of(&e.field), e.message)
        },
        hint: hint.to_string(),
    })
}

/// The flag a submission field comes from.
fn flag_of(field: &str) -> String {
    match field {
        "source" => "--source".into(),
        "agreements" => "--agreement".into(),
        "refused" => "--refused".into(),
        "ip" => "--ip".into(),
        "url" => "--url".into(),
        "user_agent" => "--user-agent".into(),
        "at" => "--at".into(),
        "external_id" => "--external-id".into(),
        f => match f.split_once('.') {
            Some(("fields", k)) => format!("--field {k}"),
            Some(("text_sha256", k)) => format!("--text-sha256 {k}"),
            _ => f.to_string(),
        },
    }
}

fn from_flags(args: &Args) -> Result<Submission> {
    let mut s = Submission {
        source: args.source.clone().unwrap_or_default(),
        agreements: (!args.agreements.is_empty()).then(|| args.agreements.clone()),
        refused: args.refused.clone(),
        ip: args.ip.clone(),
        url: args.url.clone(),
        user_agent: args.user_agent.clone(),
        at: args.at.clone(),
        external_id: args.external_id.clone(),
        ..Submission::default()
    };
    for f in &args.fields {
        let (k, v) = key_value(f, "--field", "email=ivan@example.ru")?;
        if s.fields.insert(k.clone(), v).is_some() {
            return Err(anyhow::anyhow!("`--field {k}` is given twice"))
                .hint("give each field once");
        }
    }
    for f in &args.text_sha256 {
        let (k, v) = key_value(
            f,
            "--text-sha256",
            "personal-data=7d42…0746 (the snippet's data-sha256)",
        )?;
        s.text_sha256.insert(k, v);
    }
    Ok(s)
}

/// One result line of a batch: every key on every line (`null` when it does
/// not apply), as docs/json.md promises.
#[derive(Serialize)]
struct LineResult {
    line: u64,
    seq: Option<Vec<u64>>,
    events: Option<Vec<LineEvent>>,
    duplicate: bool,
    error: Option<FieldError>,
}

#[derive(Serialize)]
struct LineEvent {
    seq: u64,
    event: &'static str,
    agreement: Option<String>,
}

enum Item {
    /// A line, parsed and checked in the reader thread (on the other core).
    Line(u64, Box<std::result::Result<Checked, FieldError>>),
    /// A line that could not be read (too long, not UTF-8): refused, the others go on.
    BadLine(u64, String),
    /// The input itself failed (an I/O error): nothing after it can be read.
    Bad(String),
}

/// One line of `--batch`: a submission in JSON, checked (the catalog checks the rest).
pub fn parse_line(
    line: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> std::result::Result<Checked, FieldError> {
    serde_json::from_str::<Submission>(line)
        .map_err(|e| FieldError::new("line", format!("not a submission: {e}")))
        .and_then(|s| s.check(now))
}

/// The write-ahead log of a batch is copied into the file every this many
/// pages (16 MiB of 4 KiB pages), not every 1,000.
pub const CHECKPOINT_PAGES: u32 = 4096;

fn batch(
    ctx: &Ctx,
    path: &std::path::Path,
    opts: Options,
    group_lines: usize,
    group_time: Duration,
) -> Result {
    let name = show_path(path);
    let reader: Box<dyn BufRead + Send> = if path.as_os_str() == "-" {
        Box::new(std::io::BufReader::new(std::io::stdin()))
    } else {
        let f = std::fs::File::open(path)
            .with_context(|| format!("cannot open {name}"))
            .hint("check the path")?;
        Box::new(std::io::BufReader::with_capacity(1 << 16, f))
    };
    // A reader thread, so a group is committed after its time even while no line comes.
    let (send, recv) = mpsc::sync_channel::<Item>(4 * group_lines.max(64));
    let name2 = name.clone();
    let clock = ctx.clock();
    std::thread::spawn(move || {
        let mut lines = LineReader::new(reader, &name2, input::JSON_LINE);
        loop {
            let n = lines.line();
            match lines.next_line() {
                Ok(Some(l)) => {
                    if l.trim().is_empty() {
                        continue;
                    }
                    if send
                        .send(Item::Line(n, Box::new(parse_line(&l, clock.now()))))
                        .is_err()
                    {
                        return;
                    }
                }
                Ok(None) => return,
                Err(crate::input::InputError::Io { name, source }) => {
                    let _ = send.send(Item::Bad(format!("cannot read {name}: {source}")));
                    return;
                }
                Err(e) => {
                    if send.send(Item::BadLine(n, e.to_string())).is_err() {
                        return;
                    }
                    if let Err(e) = lines.skip_line() {
                        let _ = send.send(Item::Bad(e.to_string()));
                        return;
                    }
                }
            }
        }
    });
    let mut store = ctx.open()?;
    store.set_checkpoint_pages(CHECKPOINT_PAGES)?;
    let signer = crate::cmd::ledger::key::AutoSign::default();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let (mut ok, mut failed, mut dup) = (0u64, 0u64, 0u64);
    let mut fatal: Option<String> = None;
    let mut ended = false;
    // What the catalog read, for the next group's transaction.
    let kept: std::cell::RefCell<Option<catalog::Kept>> = std::cell::RefCell::new(None);
    while !ended {
        // Collect a group: up to N lines, or until T after its first line.
        let mut group: Vec<(u64, std::result::Result<Checked, FieldError>)> = Vec::new();
        let mut deadline: Option<Instant> = None;
        while group.len() < group_lines {
            let item = match deadline {
                None => recv.recv().ok(),
                Some(d) => match recv.recv_timeout(d.saturating_duration_since(Instant::now())) {
                    Ok(i) => Some(i),
                    Err(mpsc::RecvTimeoutError::Timeout) => break,
                    Err(mpsc::RecvTimeoutError::Disconnected) => None,
                },
            };
            match item {
                None => {
                    ended = true;
                    break;
                }
                Some(Item::Bad(e)) => {
                    fatal = Some(e);
                    ended = true;
                    break;
                }
                Some(Item::BadLine(n, why)) => {
                    deadline.get_or_insert_with(|| Instant::now() + group_time);
                    group.push((n, Err(FieldError::new("line", why))));
                }
                Some(Item::Line(n, parsed)) => {
                    deadline.get_or_insert_with(|| Instant::now() + group_time);
                    group.push((n, *parsed));
                }
            }
        }
        if group.is_empty() {
            continue;
        }
        let results = ctx.retrying(|| {
            let now = ctx.now();
            store.write(|tx| {
                let cat = Catalog::resume(tx, kept.borrow_mut().take())?;
                let mut results = Vec::with_capacity(group.len());
                for (n, parsed) in &group {
                    let r = match parsed {
                        Err(e) => Err(e.clone()),
                        Ok(c) => match cat.record(c, opts, &now) {
                            Ok(r) => Ok(r),
                            Err(Refused::Field(e)) => Err(e),
                            Err(Refused::Store(e)) => return Err(anyhow::Error::from(e)),
                        },
                    };
                    results.push((*n, r));
                }
                signer.sign(ctx, tx, &now)?;
                *kept.borrow_mut() = cat.keep();
                Ok::<_, anyhow::Error>(results)
            })
        })?;
        // Committed: now acknowledged.
        for (n, r) in results {
            let line = match r {
                Ok(r) => {
                    if r.duplicate {
                        dup += 1;
                    } else {
                        ok += 1;
                    }
                    LineResult {
                        line: n,
                        seq: Some(r.events.iter().map(|e| e.leaf.seq).collect()),
                        events: Some(
                            r.events
                                .iter()
                                .map(|e| LineEvent {
                                    seq: e.leaf.seq,
                                    event: e.leaf.kind.as_str(),
                                    agreement: e.leaf.agreement.clone(),
                                })
                                .collect(),
                        ),
                        duplicate: r.duplicate,
                        error: None,
                    }
                }
                Err(e) => {
                    failed += 1;
                    LineResult {
                        line: n,
                        seq: None,
                        events: None,
                        duplicate: false,
                        error: Some(e),
                    }
                }
            };
            let text = serde_json::to_string(&line)?;
            out.write_all(output::json_escape_invisible(&text).as_bytes())?;
            out.write_all(b"\n")?;
        }
        out.flush()?;
    }
    out.flush()?;
    output::notice(&format!(
        "{name}: {ok} submissions recorded, {dup} already recorded, {failed} refused"
    ));
    if let Some(e) = fatal {
        return Err(anyhow::anyhow!("{e}"))
            .hint("every line before it was recorded (see the results printed); fix the line and send the rest again — external ids make resending safe");
    }
    Ok(if failed > 0 {
        Outcome::Negative
    } else {
        Outcome::Ok
    })
}
