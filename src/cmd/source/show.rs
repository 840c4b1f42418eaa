//! `pdconsent source show`.

use crate::cmd::{Ctx, Result};
use crate::domain::source::Source;
use crate::output::Format;
use crate::output::views::SourceLinkView;
use crate::{Outcome, output};

/// Show a source: its fields and agreements with their effective behaviour
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Code of the source
    pub code: String,
    /// Show this revision instead of the current one (`pdconsent source history` lists them)
    #[arg(long, value_name = "N")]
    pub revision: Option<u32>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    let format = ctx.format(&[Format::Table, Format::Json], "source show")?;
    let mut store = ctx.open_read()?;
    let (rec, view) = store.read(|tx| -> Result<_> {
        let mut rec = tx.source_get(&args.code)?;
        if let Some(n) = args.revision {
            // An older revision: its values, made when and as it was.
            let rev = tx.source_revision(&args.code, n)?;
            rec.source = rev.source;
            rec.revision = rev.revision;
            rec.updated_at = rev.created_at;
        }
        let view = super::view(tx, &rec)?;
        Ok((rec, view))
    })?;
    if format == Format::Json {
        ctx.out.print_json(&view)?;
        return Ok(Outcome::Ok);
    }
    let s = &rec.source;
    let mut t = ctx.out.table(&["setting", "value"]);
    let mut rows = rows(s, &view.agreements);
    rows.extend([
        ("archived", output::yes_no(rec.archived).into()),
        ("created", rec.created_at.clone()),
        ("updated", rec.updated_at.clone()),
    ]);
    for (k, v) in rows {
        t.add_row(vec![
            k.to_string(),
            if v.is_empty() {
                "—".into()
            } else {
                output::sanitize_multiline(&v)
            },
        ]);
    }
    ctx.out.print_table(&t)?;
    Ok(Outcome::Ok)
}

/// The settings in the order `show` lists them, a field or a linked agreement
/// (with its effective behaviour) a line: the rows of the table and of the
/// wizard's summary.
pub fn rows(s: &Source, links: &[SourceLinkView]) -> Vec<(&'static str, String)> {
    let fields: Vec<String> = s
        .fields
        .iter()
        .enumerate()
        .map(|(i, f)| format!("{}. {f}", i + 1))
        .collect();
    let links: Vec<String> = links
        .iter()
        .map(|l| {
            // The effective behaviour in words; `*` where the source overrides the agreement.
            let flag = |overridden: Option<bool>, effective: bool, yes: &str, no: &str| {
                let overridden = if overridden.is_some() { "*" } else { "" };
                format!("{}{overridden}", if effective { yes } else { no })
            };
            let e = &l.effective;
            format!(
                "{} (rev {}{}): {}, {}, {}",
                l.agreement,
                l.agreement_revision,
                if l.agreement_archived {
                    ", ARCHIVED"
                } else {
                    ""
                },
                flag(l.required, e.required, "required", "optional"),
                flag(
                    l.checked_by_default,
                    e.checked_by_default,
                    "checked by default",
                    "unchecked"
                ),
                flag(
                    l.require_reading,
                    e.require_reading,
                    "must be read",
                    "reading not required"
                ),
            )
        })
        .collect();
    vec![
        ("code", s.code.clone()),
        ("kind", s.kind.as_str().to_string()),
        ("name", s.name.clone()),
        ("url", s.url.clone().unwrap_or_default()),
        ("fields", fields.join("\n")),
        (
            "warning",
            if s.warning {
                format!(
                    "{}: the personal-data warning is sent before the chat",
                    output::yes_no(true)
                )
            } else {
                output::yes_no(false).into()
            },
        ),
        (
            "agreements",
            if links.is_empty() {
                String::new()
            } else {
                let note = if links.iter().any(|l| l.contains('*')) {
                    "\n(* overridden for this source)"
                } else {
                    ""
                };
                format!("{}{note}", links.join("\n"))
            },
        ),
    ]
}
