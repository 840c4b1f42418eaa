//! `pdconsent source restore`.

use crate::cmd::archiving::{self, Archivable};
use crate::cmd::{Ctx, Result};

/// Bring an archived source back into use
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Code of the source
    pub code: String,
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    archiving::run(ctx, Archivable::Source, &args.code, false)
}
