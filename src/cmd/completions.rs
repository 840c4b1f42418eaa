//! `pdconsent completions SHELL`.

use super::{Ctx, Result};
use crate::Outcome;

/// Print a shell completion script (see the README for where to put it)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// bash, zsh, fish, powershell or elvish
    pub shell: clap_complete::Shell,
    /// A script that asks pdconsent for each completion, so the codes of agreements, sources
    /// and requisites in the database (PDCONSENT_DB or the default), templates and `--set`
    /// keys are offered too
    #[arg(long)]
    pub dynamic: bool,
}

pub fn run(_ctx: &Ctx, args: Args) -> Result {
    let mut out = Vec::new();
    if args.dynamic {
        let shell: &dyn clap_complete::env::EnvCompleter = match args.shell {
            clap_complete::Shell::Bash => &clap_complete::env::Bash,
            clap_complete::Shell::Zsh => &clap_complete::env::Zsh,
            clap_complete::Shell::Fish => &clap_complete::env::Fish,
            clap_complete::Shell::PowerShell => &clap_complete::env::Powershell,
            clap_complete::Shell::Elvish => &clap_complete::env::Elvish,
            _ => anyhow::bail!("no dynamic completion for {}", args.shell),
        };
        shell.write_registration("COMPLETE", "pdconsent", "pdconsent", "pdconsent", &mut out)?;
        std::io::Write::write_all(&mut std::io::stdout().lock(), &out)?;
        return Ok(Outcome::Ok);
    }
    clap_complete::generate(
        args.shell,
        &mut super::examples::command(),
        "pdconsent",
        &mut out,
    );
    std::io::Write::write_all(&mut std::io::stdout().lock(), &out)?;
    Ok(Outcome::Ok)
}
