//! `pdconsent requisites history`.

use crate::cmd::revisions::{Rev, print_history};
use crate::cmd::{Ctx, Result};
use crate::output::Format;

/// List the revisions of a set of requisites: when, by whom, and which settings each changed
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Code of the set of requisites
    pub code: String,
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    let format = ctx.format(&[Format::Table, Format::Json], "requisites history")?;
    let mut store = ctx.open_read()?;
    let revs = store.read(|tx| tx.requisites_revisions(&args.code))?;
    let revs: Vec<Rev<_>> = revs.into_iter().map(Rev::from).collect();
    print_history(ctx, format, &revs)
}
