//! `pdconsent dump`: the current configuration as TOML that `apply` accepts.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context as _;

use super::{Ctx, Result};
use crate::{HintExt, Outcome, config, output};

/// Print the current configuration (requisites, agreements and sources; archived
/// ones marked `archived = true`)
/// as TOML that `pdconsent apply` accepts
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write to this file instead of stdout (replaced atomically)
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    let json = match ctx.global.format {
        None => false,
        Some(crate::output::Format::Json) => true,
        Some(f) => {
            return Err(anyhow::anyhow!(
                "`--format {}` is not available for `pdconsent dump`",
                f.as_str()
            ))
            .hint("leave out --format for TOML that `apply` reads, or give --format json");
        }
    };
    let mut store = ctx.open_read()?;
    let (reqs, agreements, sources) = store.read(|tx| -> Result<_> {
        let reqs: Vec<_> = tx
            .requisites_list()?
            .into_iter()
            .map(|r| r.requisites)
            .collect();
        let agreements: Vec<_> = tx
            .agreement_list(true)?
            .into_iter()
            .map(|a| (a.code, a.settings, a.archived))
            .collect();
        let sources: Vec<_> = tx
            .source_list(true)?
            .into_iter()
            .map(|s| (s.source, s.archived))
            .collect();
        Ok((reqs, agreements, sources))
    })?;
    let mut text = config::dump(&reqs, &agreements, &sources)
        .context("cannot write the configuration as TOML")?;
    if json {
        // The same keys and values as the TOML `apply` reads, as JSON.
        let value: toml::Value =
            toml::from_str(&text).context("cannot read back the configuration's TOML")?;
        text = serde_json::to_string_pretty(&value)? + "\n";
    }
    match args.output {
        None => ctx.out.print_text(&text)?,
        Some(path) => {
            let mut file = output::file::OutputFile::create(&path)
                .hint("give -o a file in a directory that exists and that you can write to")?;
            file.write_all(text.as_bytes())
                .and_then(|()| file.commit())
                .with_context(|| format!("cannot write `{}`", path.display()))
                .hint("give -o a file in a directory that exists and that you can write to")?;
            output::notice(&format!(
                "wrote {} requisites, {} agreements, {} sources to {}",
                reqs.len(),
                agreements.len(),
                sources.len(),
                path.display()
            ));
        }
    }
    Ok(Outcome::Ok)
}
