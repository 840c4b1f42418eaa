//! `pdconsent man`.

use clap::CommandFactory;

use super::{Ctx, Result};
use crate::Outcome;
use crate::cmd::Cli;

/// Print the man page (roff), e.g. `pdconsent man > /usr/local/share/man/man1/pdconsent.1`
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_ctx: &Ctx, _args: Args) -> Result {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut out)?;
    // Subcommands get their own sections, so `man pdconsent` documents every command.
    for sub in Cli::command().get_subcommands() {
        for leaf in std::iter::once(sub).chain(sub.get_subcommands()) {
            if leaf.get_name() == "help" {
                continue;
            }
            let name = if std::ptr::eq(leaf, sub) {
                sub.get_name().to_string()
            } else {
                format!("{} {}", sub.get_name(), leaf.get_name())
            };
            out.extend_from_slice(
                format!(".SH \"PDCONSENT {}\"\n", name.to_uppercase()).as_bytes(),
            );
            let mut section = Vec::new();
            clap_mangen::Man::new(leaf.clone()).render_description_section(&mut section)?;
            clap_mangen::Man::new(leaf.clone()).render_options_section(&mut section)?;
            out.extend(strip_section_headers(&section));
        }
    }
    std::io::Write::write_all(&mut std::io::stdout().lock(), &out)?;
    Ok(Outcome::Ok)
}

/// The description and options sections come with their own `.SH` lines; under a
/// command's section they become sub-headings.
fn strip_section_headers(roff: &[u8]) -> Vec<u8> {
    String::from_utf8_lossy(roff)
        .replace(".SH ", ".SS ")
        .into_bytes()
}
