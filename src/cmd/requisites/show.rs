//! `pdconsent requisites show`.

use crate::cmd::{Ctx, Result};
use crate::domain::requisites::{KEYS, Kind, Requisites};
use crate::output::Format;
use crate::{Outcome, output};

/// Show one set of requisites
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Code of the set
    pub code: String,
    /// Show this revision instead of the current one (`pdconsent requisites history` lists them)
    #[arg(long, value_name = "N")]
    pub revision: Option<u32>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    let format = ctx.format(&[Format::Table, Format::Json], "requisites show")?;
    let mut store = ctx.open_read()?;
    let (stored, view) = store.read(|tx| -> Result<_> {
        let mut s = tx.requisites_get(&args.code)?;
        if let Some(n) = args.revision {
            // An older revision: its values, made when and as it was.
            let rev = tx.requisites_revision(&args.code, n)?;
            s.requisites = rev.requisites;
            s.revision = rev.revision;
            s.updated_at = rev.created_at;
        }
        let view = super::view(tx, &s)?;
        Ok((s, view))
    })?;
    if format == Format::Json {
        ctx.out.print_json(&view)?;
        return Ok(Outcome::Ok);
    }
    let r = &stored.requisites;
    let mut t = ctx.out.table(&["setting", "value"]);
    for (key, value) in rows(r) {
        t.add_row(vec![key.to_string(), output::cell(Some(&value))]);
    }
    let used = view.used_by.join(", ");
    t.add_row(vec!["used by".to_string(), output::cell(Some(&used))]);
    t.add_row(vec!["created".to_string(), stored.created_at.clone()]);
    t.add_row(vec!["updated".to_string(), stored.updated_at.clone()]);
    ctx.out.print_table(&t)?;
    Ok(Outcome::Ok)
}

/// The values in the order `show` lists them (the state numbers that fit the
/// kind, unless others are set): the rows of the table and of the wizard's summary.
pub fn rows(r: &Requisites) -> Vec<(&'static str, String)> {
    let mut rows = vec![("code", r.code.clone())];
    for key in KEYS {
        let irrelevant = match r.kind {
            Kind::Legal => *key == "ogrnip",
            Kind::Individual => *key == "ogrn" || *key == "kpp",
        };
        if irrelevant && r.get(key).is_none() {
            continue;
        }
        let value = match *key {
            "default" => output::yes_no(r.is_default).to_string(),
            _ => r.get(key).unwrap_or_default(),
        };
        rows.push((*key, value));
    }
    rows.push(("display name", r.display_name()));
    rows
}
