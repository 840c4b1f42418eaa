//! `pdconsent completions SHELL`.

use super::{Ctx, Result};
use crate::Outcome;

/// Print a shell completion script (see the README for where to put it)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// bash, zsh, fish, powershell or elvish
    pub shell: clap_complete::Shell,
}

pub fn run(_ctx: &Ctx, args: Args) -> Result {
    let mut out = Vec::new();
    clap_complete::generate(
        args.shell,
        &mut super::examples::command(),
        "pdconsent",
        &mut out,
    );
    std::io::Write::write_all(&mut std::io::stdout().lock(), &out)?;
    Ok(Outcome::Ok)
}
