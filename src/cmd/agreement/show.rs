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
    let rows: Vec<(&str, String)> = vec![
        ("code", args.code.clone()),
        ("revision", view.revision.to_string()),
        ("archived", output::yes_no(view.archived).into()),
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
            match (
                &view.effective_withdrawal_email,
                view.withdrawal_email_is_default,
            ) {
                (Some(e), true) => {
                    format!("{e} (default: the e-mail of requisites `{}`)", s.requisites)
                }
                (Some(e), false) => e.clone(),
                (None, _) => format!(
                    "— (none: set it, or an e-mail in requisites `{}`)",
                    s.requisites
                ),
            },
        ),
        ("fields", numbered(&s.fields)),
        ("restrictions", numbered(&s.restrictions)),
    ];
    // Only the English (GDPR) texts speak of automated decisions.
    let mut rows = rows;
    if s.language == crate::domain::agreement::Language::En || s.automated_decisions.is_some() {
        rows.push((
            "automated_decisions",
            s.automated_decisions
                .clone()
                .unwrap_or_else(|| "— (none; the English texts say so)".into()),
        ));
    }
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
    if s.template == CUSTOM {
        let lines = s.custom_text.as_deref().unwrap_or("").lines().count();
        t.add_row(vec![
            "custom_text".to_string(),
            format!("{lines} lines (`--format json` prints it)"),
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

/// A short description for the wizard's final confirmation.
pub fn summary(code: &str, s: &Settings) -> String {
    let mut lines = vec![format!("agreement `{code}`:")];
    let v = serde_json::to_value(s).unwrap_or_default();
    if let Some(obj) = v.as_object() {
        for (k, v) in obj {
            lines.push(format!("  {k}: {}", crate::domain::diff::display(v)));
        }
    }
    lines.join("\n")
}
