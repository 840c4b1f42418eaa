//! `pdconsent agreement restore`.

use crate::cmd::{Ctx, Result};

/// Bring an archived agreement back into use
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Code of the agreement
    pub code: String,
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    ctx.format(&[crate::cli::Format::Table], "agreement restore")?;
    super::archive::set_archived(ctx, &args.code, false)
}
