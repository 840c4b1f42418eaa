//! `pdconsent agreement restore`.

use crate::cmd::archiving::{self, Archivable};
use crate::cmd::{Ctx, Result};

/// Bring an archived agreement back into use
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Code of the agreement
    pub code: String,
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    archiving::run(ctx, Archivable::Agreement, &args.code, false)
}
