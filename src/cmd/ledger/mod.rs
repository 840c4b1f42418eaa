//! `pdconsent ledger …`: the tree behind the consent ledger — its head, inclusion proofs
//! and verification (docs/ledger.md).

pub mod checkpoint;
mod checks;
pub mod key;
pub mod verify;

use std::fmt::Write as _;

use base64::Engine as _;
use clap::Subcommand;
use serde::Serialize;

use super::{Ctx, Result};
use crate::domain::ledger::{Hash, to_hex};
use crate::output::Format;
use crate::storage::Tx;
use crate::{HintExt, Outcome};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the tree size and root (C2SP tlog-checkpoint body: origin, size, base64 root)
    Head(HeadArgs),
    /// Print the inclusion proof of a leaf (RFC 9162 §2.1.3)
    Prove(ProveArgs),
    /// Recompute every leaf, commitment, stored hash and text; check triggers, the file and
    /// signed checkpoints
    Verify(verify::Args),
    /// The Ed25519 key that signs checkpoints
    #[command(subcommand)]
    Key(key::Command),
    /// Sign a checkpoint of the tree as it is now and print it (C2SP tlog-checkpoint)
    Checkpoint(checkpoint::CheckpointArgs),
    /// Print the consistency proof from an older checkpoint to today's tree (RFC 9162 §2.1.4)
    Consistency(checkpoint::ConsistencyArgs),
}

pub fn run(ctx: &Ctx, command: Command) -> Result {
    match command {
        Command::Head(a) => head(ctx, a),
        Command::Prove(a) => prove(ctx, a),
        Command::Verify(a) => verify::run(ctx, a),
        Command::Key(c) => key::run(ctx, c),
        Command::Checkpoint(a) => checkpoint::checkpoint(ctx, a),
        Command::Consistency(a) => checkpoint::consistency(ctx, a),
    }
}

/// Refuses a file written before the ledger existed: a read upgrades a copy in memory, whose
/// history leaves would be made up on the spot (new ids, the current time), not the file's.
pub fn require_ledger(store: &crate::storage::Store) -> Result<()> {
    let version = store.schema_version()?;
    if version < crate::storage::LEDGER_MIGRATION {
        return Err(anyhow::anyhow!(
            "this database (schema {version}) has no consent ledger yet"
        ))
        .hint("the first command that writes upgrades it and logs its history in the ledger, e.g. `pdconsent apply FILE`, an edit or `consent record`");
    }
    Ok(())
}

/// Standard base64 of a hash, as checkpoints write it.
pub fn base64(h: &Hash) -> String {
    base64::engine::general_purpose::STANDARD.encode(h)
}

/// A root given as base64 (as `ledger head` prints it) or 64 hex digits.
pub fn parse_root(v: &str) -> Option<Hash> {
    let v = v.trim();
    if let Some(h) = crate::domain::ledger::merkle::unhex32(v) {
        return Some(h);
    }
    let bytes = base64::engine::general_purpose::STANDARD.decode(v).ok()?;
    Hash::try_from(bytes.as_slice()).ok()
}

/// The log's origin line: the default requisites' website host plus `/consents`, or
/// `pdconsent/consents` when no website is set.
pub fn origin(tx: &Tx) -> Result<String> {
    let host = tx
        .requisites_default()?
        .and_then(|r| r.requisites.website)
        .map(|w| {
            let rest = w.split_once("://").map_or(w.as_str(), |(_, r)| r);
            rest.split(['/', '?', '#'])
                .next()
                .unwrap_or("")
                .to_lowercase()
        })
        .filter(|h| !h.is_empty());
    Ok(format!(
        "{}/consents",
        host.as_deref().unwrap_or("pdconsent")
    ))
}

/// Print the tree size and root
#[derive(Debug, clap::Args)]
pub struct HeadArgs {}

#[derive(Serialize)]
struct HeadView {
    origin: String,
    size: u64,
    /// The root hash, base64 (as in the checkpoint body) and hex.
    root: String,
    root_hex: String,
}

fn head(ctx: &Ctx, _args: HeadArgs) -> Result {
    let format = ctx.format(&[Format::Text, Format::Json], "ledger head")?;
    let mut store = ctx.open_read()?;
    require_ledger(&store)?;
    let view = store.read(|tx| {
        let size = tx.ledger_size()?;
        let root = tx.ledger_root(size)?;
        Ok::<_, anyhow::Error>(HeadView {
            origin: origin(tx)?,
            size,
            root: base64(&root),
            root_hex: to_hex(&root),
        })
    })?;
    if format == Format::Json {
        ctx.out.print_json(&view)?;
    } else {
        ctx.out
            .print_text(&format!("{}\n{}\n{}\n", view.origin, view.size, view.root))?;
    }
    Ok(Outcome::Ok)
}

/// Print the inclusion proof of a leaf: its hash, the tree's root and the audit path
#[derive(Debug, clap::Args)]
pub struct ProveArgs {
    /// The leaf's seq (its index is seq − 1)
    #[arg(value_name = "SEQ")]
    pub seq: u64,
    /// Prove it in the tree of this many leaves (e.g. a checkpoint's) [default: the whole tree]
    #[arg(long, value_name = "N")]
    pub size: Option<u64>,
}

#[derive(Serialize)]
struct ProofView {
    seq: u64,
    leaf_index: u64,
    tree_size: u64,
    /// The leaf object whose canonical bytes are hashed.
    leaf: serde_json::Value,
    leaf_hash: String,
    root: String,
    root_hex: String,
    /// The audit path, leaf to root, hex.
    proof: Vec<String>,
}

fn prove(ctx: &Ctx, args: ProveArgs) -> Result {
    let format = ctx.format(&[Format::Text, Format::Json], "ledger prove")?;
    let mut store = ctx.open_read()?;
    require_ledger(&store)?;
    let view = store.read(|tx| {
        let current = tx.ledger_size()?;
        let size = args.size.unwrap_or(current);
        if size > current {
            return Err(anyhow::anyhow!(
                "--size {size} is larger than the tree ({current} leaves)"
            ))
            .hint("give a size no larger than `pdconsent ledger head` prints");
        }
        if args.seq == 0 || args.seq > size {
            return Err(anyhow::anyhow!(
                "seq {} is not in a tree of {size} leaves",
                args.seq
            ))
            .hint(format!("give a seq from 1 to {size}"));
        }
        let row = tx
            .ledger_leaf(args.seq)?
            .ok_or_else(|| anyhow::anyhow!("leaf {} is missing", args.seq))
            .hint("run `pdconsent ledger verify`")?;
        let proof = tx.ledger_inclusion_proof(args.seq - 1, size)?;
        let root = tx.ledger_root(size)?;
        Ok::<_, anyhow::Error>(ProofView {
            seq: args.seq,
            leaf_index: args.seq - 1,
            tree_size: size,
            leaf: row.leaf.to_value(),
            leaf_hash: to_hex(&row.leaf.hash()?),
            root: base64(&root),
            root_hex: to_hex(&root),
            proof: proof.iter().map(to_hex).collect(),
        })
    })?;
    if format == Format::Json {
        ctx.out.print_json(&view)?;
        return Ok(Outcome::Ok);
    }
    let mut s = String::new();
    let _ = writeln!(
        s,
        "seq {} (leaf index {}) in the tree of {} leaves",
        view.seq, view.leaf_index, view.tree_size
    );
    let _ = writeln!(s, "leaf hash  {}", view.leaf_hash);
    let _ = writeln!(s, "root       {} ({})", view.root, view.root_hex);
    let _ = writeln!(s, "proof, leaf to root ({} hashes):", view.proof.len());
    for p in &view.proof {
        let _ = writeln!(s, "  {p}");
    }
    ctx.out.print_text(&s)?;
    Ok(Outcome::Ok)
}
