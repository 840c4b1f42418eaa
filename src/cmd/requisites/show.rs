//! `pdconsent requisites show`.

use crate::cmd::{Ctx, Result};
use crate::domain::requisites::KEYS;
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
    t.add_row(vec!["code".to_string(), output::sanitize(&r.code)]);
    for key in KEYS {
        // Only the state number that fits the kind.
        let irrelevant = match r.kind {
            crate::domain::requisites::Kind::Legal => *key == "ogrnip",
            crate::domain::requisites::Kind::Individual => *key == "ogrn" || *key == "kpp",
        };
        if irrelevant && r.get(key).is_none() {
            continue;
        }
        t.add_row(vec![key.to_string(), output::cell(r.get(key).as_deref())]);
    }
    t.add_row(vec![
        "display name".to_string(),
        output::sanitize(&r.display_name()),
    ]);
    let used = view.used_by.join(", ");
    t.add_row(vec!["used by".to_string(), output::cell(Some(&used))]);
    t.add_row(vec!["created".to_string(), stored.created_at.clone()]);
    t.add_row(vec!["updated".to_string(), stored.updated_at.clone()]);
    ctx.out.print_table(&t)?;
    Ok(Outcome::Ok)
}
