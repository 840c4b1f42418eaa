//! `pdconsent agreement show`.

use crate::cmd::{Ctx, Result};
use crate::domain::agreement::{CUSTOM, Settings};
use crate::output::Format;
use crate::{Outcome, output};

/// Show an agreement: every setting of its current revision (or of --revision N)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Code of the agreement
    pub code: String,
    /// Show this revision instead of the current one
    #[arg(long, value_name = "N")]
    pub revision: Option<u32>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    let format = ctx.format(&[Format::Table, Format::Json], "agreement show")?;
    let mut store = ctx.open_read()?;
    let (view, settings) = store.read(|tx| -> Result<_> {
        let mut rec = tx.agreement_get(&args.code)?;
        if let Some(n) = args.revision {
            let rev = tx.agreement_revision(&args.code, n)?;
            rec.revision = rev.revision;
            rec.revision_created_at = rev.created_at;
            rec.revision_actor = rev.actor;
            rec.settings = rev.settings;
        }
        Ok((super::view(tx, &rec)?, rec.settings))
    })?;
    if format == Format::Json {
        ctx.out.print_json(&view)?;
        return Ok(Outcome::Ok);
    }
    let mut t = ctx.out.table(&["setting", "value"]);
    let s = &settings;
    let mut rows: Vec<(&str, String)> = vec![
        ("code", args.code.clone()),
        ("revision", view.revision.to_string()),
        ("archived", output::yes_no(view.archived).into()),
    ];
    rows.extend(settings_rows(
        s,
        Some((
            view.effective_withdrawal_email.as_deref(),
            view.withdrawal_email_is_default,
        )),
    ));
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
    t.add_row(vec!["created".to_string(), view.created_at.clone()]);
    t.add_row(vec!["updated".to_string(), view.updated_at.clone()]);
    ctx.out.print_table(&t)?;
    Ok(Outcome::Ok)
}

fn numbered(items: &[String]) -> String {
    items
        .iter()
        .enumerate()
        .map(|(i, x)| format!("{}. {x}", i + 1))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The settings in the order `show` lists them, lists one item a line: the
/// rows of `show`'s table and of the wizard's summary. `withdrawal` is the
/// e-mail in effect and whether it is the requisites' (`None`: unknown here).
pub fn settings_rows(
    s: &Settings,
    withdrawal: Option<(Option<&str>, bool)>,
) -> Vec<(&'static str, String)> {
    let mut rows: Vec<(&str, String)> = vec![
        ("name", s.name.clone()),
        ("language", s.language.as_str().into()),
        ("template", s.template.clone()),
        ("requisites", s.requisites.clone()),
        ("required", output::yes_no(s.required).into()),
        (
            "checked_by_default",
            output::yes_no(s.checked_by_default).into(),
        ),
        ("require_reading", output::yes_no(s.require_reading).into()),
        (
            "label",
            match &s.label {
                Some(l) => l.clone(),
                None => format!("{} (default)", s.effective_label()),
            },
        ),
        ("url", s.url.clone().unwrap_or_default()),
        ("purposes", numbered(&s.purposes)),
        (
            "actions",
            s.actions
                .iter()
                .map(|a| a.slug())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        ("methods", s.methods.as_str().into()),
        ("term", s.term.clone()),
        (
            "third_parties",
            numbered(
                &s.third_parties
                    .iter()
                    .map(|t| t.summary())
                    .collect::<Vec<_>>(),
            ),
        ),
        (
            "withdrawal_email",
            match withdrawal {
                Some((Some(e), true)) => {
                    format!("{e} (default: the e-mail of requisites `{}`)", s.requisites)
                }
                Some((Some(e), false)) => e.to_string(),
                Some((None, _)) => format!(
                    "— (none: set it, or an e-mail in requisites `{}`)",
                    s.requisites
                ),
                None => match &s.withdrawal_email {
                    Some(e) => e.clone(),
                    None => format!("— (the e-mail of requisites `{}`)", s.requisites),
                },
            },
        ),
        ("fields", numbered(&s.fields)),
        ("restrictions", numbered(&s.restrictions)),
    ];
    // Only the English (GDPR) texts speak of automated decisions.
    if s.language == crate::domain::agreement::Language::En || s.automated_decisions.is_some() {
        rows.push((
            "automated_decisions",
            s.automated_decisions
                .clone()
                .unwrap_or_else(|| "— (none; the English texts say so)".into()),
        ));
    }
    if s.template == CUSTOM {
        let lines = s.custom_text.as_deref().unwrap_or("").lines().count();
        rows.push((
            "custom_text",
            format!("{lines} lines (`--format json` prints it)"),
        ));
    }
    rows
}
