//! `pdconsent source archive`.

use crate::cmd::archiving::{self, Archivable};
use crate::cmd::{Ctx, Result};

/// Hide the source from new use; its history and everything recorded through it
/// stay. `pdconsent source restore` brings it back.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Code of the source
    pub code: String,
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    archiving::run(ctx, Archivable::Source, &args.code, true)
}
