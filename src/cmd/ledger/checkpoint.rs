//! `pdconsent ledger checkpoint` (sign and print a C2SP checkpoint) and `ledger consistency`
//! (the RFC 9162 §2.1.4 proof that today's tree extends an older checkpoint's).

use std::path::PathBuf;

use anyhow::Context as _;
use serde::Serialize;

use super::key::{NoSigner, Signer, verifiers};
use crate::cmd::{Ctx, Result};
use crate::domain::ledger::checkpoint::{Checkpoint, ConsistencyProof};
use crate::domain::ledger::to_hex;
use crate::output::{self, Format};
use crate::{HintExt, Outcome};

/// Sign a checkpoint of the tree as it is now and print it (C2SP tlog-checkpoint)
#[derive(Debug, clap::Args)]
pub struct CheckpointArgs {
    /// Write the signed checkpoint to FILE as well as storing it [default: stdout]
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Print the consistency proof from an older checkpoint to today's tree
#[derive(Debug, clap::Args)]
pub struct ConsistencyArgs {
    /// The older signed checkpoint (as `ledger checkpoint` wrote it), or a receipt (its
    /// checkpoint)
    #[arg(value_name = "OLD.checkpoint")]
    pub old: PathBuf,
    /// Prove up to this newer signed checkpoint's size [default: the tree as it is now]
    #[arg(long, value_name = "NEW.checkpoint")]
    pub to: Option<PathBuf>,
    /// Write the proof to FILE [default: stdout]
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Serialize)]
struct CheckpointView {
    origin: String,
    size: u64,
    root_hex: String,
    signed_at: String,
    /// The whole signed note.
    note: String,
}

/// Writes `text` to `path` through a temporary file and a rename: no half-written file (a
/// device or FIFO is written through; see `output::file`).
pub fn write_atomically(path: &std::path::Path, text: &str) -> Result<()> {
    output::file::OutputFile::write_whole(path, text.as_bytes())
        .hint("give -o a file in a directory that exists and that you can write to")?;
    Ok(())
}

pub fn checkpoint(ctx: &Ctx, args: CheckpointArgs) -> Result {
    let format = ctx.format(&[Format::Text, Format::Json], "ledger checkpoint")?;
    let mut store = ctx.open()?;
    super::require_ledger(&store)?;
    let signed = ctx.retrying(|| {
        let now = ctx.now();
        store.write(|tx| {
            let signer = match Signer::load(ctx, tx) {
                Ok(s) => s,
                Err(NoSigner::NoKey) => {
                    return Err(anyhow::anyhow!("the ledger has no signing key"))
                        .hint("make one: `pdconsent ledger key init`");
                }
                Err(NoSigner::Unusable(e)) => return Err(e),
            };
            signer.checkpoint(tx, &now)
        })
    })?;
    let origin = signed.note.lines().next().unwrap_or_default().to_string();
    if let Some(path) = &args.output {
        write_atomically(path, &signed.note)?;
        output::notice(&format!(
            "checkpoint of {} leaves written to `{}`",
            signed.size,
            path.display()
        ));
    }
    if format == Format::Json {
        ctx.out.print_json(&CheckpointView {
            origin,
            size: signed.size,
            root_hex: to_hex(&signed.root),
            signed_at: signed.signed_at,
            note: signed.note,
        })?;
    } else if args.output.is_none() {
        ctx.out.print_text(&signed.note)?;
    }
    Ok(Outcome::Ok)
}

#[derive(Serialize)]
struct ConsistencyView {
    old_size: u64,
    new_size: u64,
    old_root_hex: String,
    new_root_hex: String,
    /// The proof's hashes, hex.
    proof: Vec<String>,
    /// The proof in its text form (docs/ledger.md).
    text: String,
}

pub fn consistency(ctx: &Ctx, args: ConsistencyArgs) -> Result {
    let format = ctx.format(&[Format::Text, Format::Json], "ledger consistency")?;
    let read = |path: &std::path::Path| {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read `{}`", path.display()))?;
        Ok::<_, anyhow::Error>(
            crate::domain::ledger::receipt::embedded_checkpoint(&text).unwrap_or(text),
        )
    };
    let note = read(&args.old)?;
    let to = args.to.as_deref().map(read).transpose()?;
    let mut store = ctx.open_read()?;
    super::require_ledger(&store)?;
    let (view, rewritten) = store.read(|tx| {
        let known = verifiers(tx)?;
        let (old, _) = Checkpoint::open(&note, &known)
            .map_err(|e| anyhow::anyhow!("`{}`: {e}", args.old.display()))
            .hint("give a checkpoint this ledger's key signed, as `pdconsent ledger checkpoint` printed it")?;
        let mut size = tx.ledger_size()?;
        if let (Some(note), Some(path)) = (&to, &args.to) {
            let (new, _) = Checkpoint::open(note, &known)
                .map_err(|e| anyhow::anyhow!("`{}`: {e}", path.display()))
                .hint("give a checkpoint this ledger's key signed")?;
            if new.size > size {
                return Err(anyhow::anyhow!(
                    "`{}` is of {} leaves, the ledger has {size}: it was truncated or rolled back",
                    path.display(),
                    new.size
                ))
                .hint("run `pdconsent ledger verify --checkpoint FILE` for the whole check");
            }
            if tx.ledger_root(new.size)? != new.root {
                return Err(anyhow::anyhow!(
                    "the first {} leaves no longer have the root of `{}`: the ledger was rewritten",
                    new.size,
                    path.display()
                ))
                .hint("run `pdconsent ledger verify --checkpoint FILE` for the whole check");
            }
            size = new.size;
        }
        if old.size > size {
            return Err(anyhow::anyhow!(
                "the checkpoint is of {} leaves, the ledger has {size}: it was truncated or rolled back",
                old.size
            ))
            .hint("run `pdconsent ledger verify --checkpoint FILE` for the whole check");
        }
        let root_then = tx.ledger_root(old.size)?;
        let root_now = tx.ledger_root(size)?;
        let proof = tx.ledger_consistency_proof(old.size, size)?;
        let text = ConsistencyProof {
            old: old.size,
            new: size,
            hashes: proof.clone(),
        }
        .to_text();
        Ok::<_, anyhow::Error>((
            ConsistencyView {
                old_size: old.size,
                new_size: size,
                old_root_hex: to_hex(&old.root),
                new_root_hex: to_hex(&root_now),
                proof: proof.iter().map(to_hex).collect(),
                text,
            },
            root_then != old.root,
        ))
    })?;
    if rewritten {
        output::warning(
            &format!(
                "the first {} leaves no longer have the checkpoint's root: the ledger was rewritten; no proof can link them",
                view.old_size
            ),
            Some("run `pdconsent ledger verify --checkpoint FILE`"),
        );
        return Ok(Outcome::Negative);
    }
    if let Some(path) = &args.output {
        write_atomically(path, &view.text)?;
        output::notice(&format!(
            "consistency proof from {} to {} leaves written to `{}`",
            view.old_size,
            view.new_size,
            path.display()
        ));
    }
    if format == Format::Json {
        ctx.out.print_json(&view)?;
    } else if args.output.is_none() {
        ctx.out.print_text(&view.text)?;
    }
    Ok(Outcome::Ok)
}
