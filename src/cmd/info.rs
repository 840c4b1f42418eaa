//! `pdconsent info`: where the database is and what it holds.

use super::{Ctx, Result};
use crate::output::Format;
use crate::output::views::InfoView;
use crate::{Outcome, output};

/// Show the database path, schema version and object counts
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(ctx: &Ctx, _args: Args) -> Result {
    let format = ctx.format(&[Format::Table, Format::Json], "info")?;
    let path = ctx.db_path()?;
    let mut store = ctx.open_read()?;
    let version = store.schema_version()?;
    let counts = store.read(|tx| tx.counts())?;
    let info = InfoView::new(path.display().to_string(), version, counts);
    if format == Format::Json {
        ctx.out.print_json(&info)?;
        return Ok(Outcome::Ok);
    }
    let mut t = ctx.out.table(&["key", "value"]);
    let c = &info.counts;
    let rows: Vec<(&str, String)> = vec![
        ("database", output::sanitize(&info.database)),
        (
            "schema version",
            format!(
                "{} (this pdconsent: {})",
                info.schema_version, info.supported_schema_version
            ),
        ),
        ("pdconsent", info.pdconsent_version.to_string()),
        ("requisites", c.requisites.to_string()),
        (
            "agreements",
            format!("{} (+{} archived)", c.agreements, c.agreements_archived),
        ),
        ("agreement revisions", c.agreement_revisions.to_string()),
        (
            "sources",
            format!("{} (+{} archived)", c.sources, c.sources_archived),
        ),
        ("texts", c.texts.to_string()),
        ("consent events", c.consent_events.to_string()),
        ("change log entries", c.change_log.to_string()),
    ];
    for (k, v) in rows {
        t.add_row(vec![k.to_string(), v]);
    }
    ctx.out.print_table(&t)?;
    Ok(Outcome::Ok)
}
