//! `pdconsent agreement archive`.

use crate::cmd::archiving::{self, Archivable};
use crate::cmd::{Ctx, Result};

/// Hide the agreement from new use; its history and everything recorded through it
/// stay. `pdconsent agreement restore` brings it back.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Code of the agreement
    pub code: String,
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    archiving::run(ctx, Archivable::Agreement, &args.code, true)
}
