//! `pdconsent agreement check`.

use crate::cmd::{Ctx, Result};
use crate::domain::check::{self, CheckInput, Finding, Severity};
use crate::domain::render;
use crate::output::Format;
use crate::output::views::CheckFindingView;
use crate::{Outcome, output};

/// Check agreements against 152-FZ: errors for missing elements of art. 9 §4
/// (items 3–8), invalid requisites, incomplete third parties, order No. 18 for
/// distribution consents, pre-ticked boxes; warnings for bundled advertising,
/// fields missing from the text, archived agreements on active sources.
/// Exits 1 when any error is found.
#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("what").required(true).args(["code", "all"]))]
pub struct Args {
    /// Code of the agreement
    pub code: Option<String>,
    /// Check as rendered for this source (its fields, its behaviour overrides)
    #[arg(long, value_name = "SRC", conflicts_with = "all")]
    pub source: Option<String>,
    /// Check every active agreement, alone and on every active source that links it
    #[arg(long)]
    pub all: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    let format = ctx.format(&[Format::Table, Format::Json], "agreement check")?;
    let mut store = ctx.open_read()?;
    let rows = store.read(|tx| -> Result<_> {
        // (agreement, source) pairs to check.
        let mut pairs: Vec<(String, Option<String>)> = Vec::new();
        if args.all {
            for a in tx.agreement_list(false)? {
                pairs.push((a.code, None));
            }
            for s in tx.source_list(false)? {
                for l in &s.source.agreements {
                    pairs.push((l.agreement.clone(), Some(s.source.code.clone())));
                }
            }
        } else if let Some(code) = &args.code {
            pairs.push((code.clone(), args.source.clone()));
        }
        let mut rows = Vec::new();
        for (code, source) in pairs {
            let loaded = super::load(tx, &code, super::Pin::Current, source.as_deref())?;
            let unlisted = match &loaded.source {
                Some(src) => {
                    let mut linked = Vec::new();
                    for l in &src.source.agreements {
                        linked.push(tx.agreement_get(&l.agreement)?.settings);
                    }
                    let linked: Vec<&crate::domain::agreement::Settings> = linked.iter().collect();
                    check::unlisted_fields(&src.source, &linked)
                }
                None => Vec::new(),
            };
            // A text that does not render is a finding; the other agreements are still checked.
            let findings = match render::render(&loaded.input()) {
                Ok(rendered) => check::check(&CheckInput {
                    render: loaded.input(),
                    rendered: &rendered,
                    agreement_archived: loaded.archived,
                    link: loaded.link(),
                    source_archived: loaded.source.as_ref().is_some_and(|s| s.archived),
                    unlisted: &unlisted,
                }),
                Err(e) => vec![Finding {
                    severity: Severity::Error,
                    check: "renders",
                    message: format!("the text does not render: {e}"),
                    hint: Some(format!("pdconsent agreement edit {code} --text-file FILE")),
                }],
            };
            let mut findings = findings;
            if let Some(src) = &source {
                for (revision, n) in tx.consent_stale_texts(&code, src)? {
                    findings.push(Finding {
                        severity: Severity::Warning,
                        check: "stale_page",
                        message: format!(
                            "a page still shows revision {revision}: {n} consent event(s) were recorded against its text after a newer one became current"
                        ),
                        hint: Some(format!(
                            "put the current snippet on the page (pdconsent agreement preview {code} --source {src} --format html)"
                        )),
                    });
                }
            }
            for finding in findings {
                rows.push(CheckFindingView::new(
                    &code,
                    loaded.revision,
                    source.as_deref(),
                    finding,
                ));
            }
        }
        Ok(rows)
    })?;
    let errors = rows
        .iter()
        .filter(|r| r.finding.severity == Severity::Error)
        .count();
    let warnings = rows.len() - errors;
    if format == Format::Json {
        ctx.out.print_json(&rows)?;
    } else {
        let mut t = ctx
            .out
            .table(&["severity", "agreement", "source", "check", "message", "fix"]);
        for r in &rows {
            t.add_row(vec![
                match r.finding.severity {
                    Severity::Error => "error".to_string(),
                    Severity::Warning => "warning".to_string(),
                },
                format!("{} (rev {})", output::sanitize(&r.agreement), r.revision),
                output::cell(r.source.as_deref()),
                r.finding.check.to_string(),
                output::sanitize(&r.finding.message),
                output::cell(r.finding.hint.as_deref()),
            ]);
        }
        ctx.out.print_table(&t)?;
    }
    output::notice(&format!("{errors} error(s), {warnings} warning(s)"));
    Ok(if errors > 0 {
        Outcome::Negative
    } else {
        Outcome::Ok
    })
}
