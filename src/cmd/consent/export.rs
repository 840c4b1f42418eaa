//! `pdconsent consent export --format jsonl`: every leaf of the ledger, in order, with its
//! envelope and salt — what `docs/verify_ledger.py` recomputes the tree from.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context as _;
use serde_json::{Value, json};

use crate::cmd::{Ctx, Result};
use crate::output::{self, Format};
use crate::{HintExt, Outcome};

/// Export the ledger: every leaf with its envelope (JSON Lines, docs/ledger.md)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write to FILE (atomically: a failure leaves no partial file) instead of stdout
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    ctx.format(&[Format::Jsonl], "consent export")?;
    let mut store = ctx.open_read()?;
    crate::cmd::ledger::require_ledger(&store)?;
    let (size, root, events) = match &args.output {
        None => {
            let mut w = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            let r = export_to(&mut store, &mut w)?;
            w.flush()?;
            r
        }
        Some(p) => {
            let hint = "give -o a file in a directory that exists and that you can write to";
            let file = output::file::OutputFile::create(p).hint(hint)?;
            let mut w = std::io::BufWriter::with_capacity(1 << 16, file);
            let r = export_to(&mut store, &mut w)?;
            w.into_inner()
                .map_err(|e| e.into_error())
                .and_then(|f| f.commit())
                .with_context(|| format!("cannot write `{}`", p.display()))
                .hint(hint)?;
            r
        }
    };
    output::notice(&format!(
        "exported {size} leaves ({events} consent events){}; tree size {size}, root {}",
        args.output
            .as_ref()
            .map(|p| format!(" to {}", p.display()))
            .unwrap_or_default(),
        crate::cmd::ledger::base64(&root)
    ));
    Ok(Outcome::Ok)
}

/// Writes every leaf as one JSON line; the tree size, its root and the number of events.
fn export_to(
    store: &mut crate::storage::Store,
    sink: &mut impl Write,
) -> Result<(u64, crate::domain::ledger::Hash, u64)> {
    store.read(|tx| {
        let mut events = 0u64;
        let mut io_error: Option<std::io::Error> = None;
        tx.ledger_scan(1, true, |item| {
            if io_error.is_some() {
                return Ok(());
            }
            let row = item.leaf.map_err(|why| {
                crate::storage::StoreError::Ledger(format!("leaf {}: {why}", item.seq))
            })?;
            if row.leaf.kind.is_event() {
                events += 1;
            }
            let (envelope, salt) = match item.envelope {
                Some(Ok(e)) => (e.envelope.to_value(), Value::String(e.salt)),
                Some(Err(why)) => {
                    return Err(crate::storage::StoreError::Ledger(format!(
                        "the envelope of leaf {}: {why}",
                        item.seq
                    )));
                }
                None => (Value::Null, Value::Null),
            };
            let line = json!({"leaf": row.leaf.to_value(), "envelope": envelope, "salt": salt});
            if let Err(e) = serde_json::to_writer(&mut *sink, &line)
                .map_err(std::io::Error::from)
                .and_then(|()| sink.write_all(b"\n"))
            {
                io_error = Some(e);
            }
            Ok(())
        })?;
        if let Some(e) = io_error {
            return Err(anyhow::Error::from(e));
        }
        let size = tx.ledger_size()?;
        Ok::<_, anyhow::Error>((size, tx.ledger_root(size)?, events))
    })
}
