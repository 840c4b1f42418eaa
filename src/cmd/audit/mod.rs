//! `pdconsent audit-pack DIR`: the auditor's evidence package — the consent list for a
//! spreadsheet and for a verifier, the texts, the configuration's revisions, a signed
//! checkpoint and its key, proofs, a manifest of hashes and the verifier script; and
//! `audit-pack verify DIR`, which re-checks it all (docs/auditor.md).

mod verify;
mod write;

use std::path::PathBuf;

use clap::Subcommand;

use super::consent::filter::FilterArgs;
use super::{Ctx, Result};

/// The files of a package, and what each is (README.txt says the same to the auditor).
pub const FILES: &[(&str, &str)] = &[
    (
        "consents.csv",
        "the consents, one row per event, for Excel or LibreOffice",
    ),
    (
        "consents.jsonl",
        "the same as leaves with their envelopes and salts",
    ),
    (
        "proofs.jsonl",
        "a filtered package: each event's inclusion proof",
    ),
    (
        "texts/",
        "every text a consent points to, named by its SHA-256",
    ),
    (
        "agreements.csv",
        "every revision of every agreement involved",
    ),
    (
        "requisites.csv",
        "every revision of the operator's requisites involved",
    ),
    (
        "sources.csv",
        "every revision of every form or chat involved",
    ),
    (
        "checkpoint.txt",
        "the signed checkpoint the package was cut at",
    ),
    ("vkey.txt", "the verifier key that signed it"),
    (
        "manifest.json",
        "versions, filters, counts, the tree, the SHA-256 of every file",
    ),
    (
        "verify_ledger.py",
        "the standard-library verifier of docs/ledger.md",
    ),
    ("README.txt", "what each file is and how to check it"),
];

/// Write the auditor's evidence package into DIR (or check one: `audit-pack verify DIR`)
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The directory to write (created; refused when not empty, unless --force), or with
    /// --zip the .zip file
    #[arg(value_name = "DIR", required = true)]
    pub dir: Option<PathBuf>,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Write into a directory that is not empty (files of the same names are replaced)
    #[arg(long)]
    pub force: bool,
    /// One .zip file instead of a folder (the form an inspector receives by e-mail)
    #[arg(long)]
    pub zip: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Re-check a package: file hashes, texts, leaves, commitments, the checkpoint and the
    /// root or the proofs
    Verify(verify::Args),
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    match args.command {
        Some(Command::Verify(a)) => verify::run(ctx, a),
        None => write::run(ctx, args),
    }
}
