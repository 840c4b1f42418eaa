//! `pdconsent source restore`.

use crate::cmd::{Ctx, Result};

/// Bring an archived source back into use
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Code of the source
    pub code: String,
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    ctx.format(&[crate::cli::Format::Table], "source restore")?;
    super::archive::set_archived(ctx, &args.code, false)
}
