//! `pdconsent agreement preview`.

use crate::cmd::{Ctx, Result};
use crate::domain::render;
use crate::output::Format;
use crate::output::document::{Behaviour, Document};
use crate::output::views::{Pinned, PreviewView};
use crate::output::{self, Stream};
use crate::{HintExt, Outcome};

/// Render the exact text a person agrees to, with its checkbox label.
///
/// Formats: text (wrapped on a terminal), markdown, html (a snippet to paste
/// into a site), json. Unfilled settings are warnings on stderr and visible
/// markers in the text.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Code of the agreement
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub code: Option<String>,
    /// Render for this source: its fields and its behaviour overrides
    #[arg(long, value_name = "SRC")]
    pub source: Option<String>,
    /// Every agreement of --source, in the source's order: the whole consent block of a form
    #[arg(long, requires = "source")]
    pub all: bool,
    /// Render this revision instead of the current one (with the current requisites and source)
    #[arg(long, value_name = "N", conflicts_with = "at")]
    pub revision: Option<u32>,
    /// Render what was in force at this moment: the revisions of the agreement,
    /// its requisites and the source current then (RFC 3339, or a date for the end of that day, UTC)
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// The nonce of the page's Content-Security-Policy (`script-src 'nonce-VALUE'`), put on the
    /// HTML snippet's script (with require_reading); base64 characters only
    #[arg(long, value_name = "VALUE", value_parser = parse_nonce)]
    pub nonce: Option<String>,
}

/// A CSP nonce is base64 (RFC 4648, either alphabet); nothing else may reach the attribute.
fn parse_nonce(v: &str) -> std::result::Result<String, String> {
    let ok = !v.is_empty()
        && v.len() <= 256
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '-' | '_'));
    if ok {
        Ok(v.to_string())
    } else {
        Err(format!(
            "`{}` is not a nonce: use 1-256 base64 characters (A-Z, a-z, 0-9, + / = - _)",
            v.escape_debug()
        ))
    }
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    let format = ctx.format(
        &[Format::Text, Format::Markdown, Format::Html, Format::Json],
        "agreement preview",
    )?;
    let at = args.at.as_deref().map(parse_at).transpose()?;
    let pin = match (&at, args.revision) {
        (Some(at), _) => super::Pin::At(at),
        (None, Some(n)) => super::Pin::Revision(n),
        (None, None) => super::Pin::Current,
    };
    let mut store = ctx.open_read()?;
    let codes: Vec<String> = match (&args.code, args.all, &args.source) {
        (Some(c), _, _) => vec![c.clone()],
        (None, true, Some(src)) => store.read(|tx| -> Result<Vec<String>> {
            let mut out = Vec::new();
            for link in tx.source_get(src)?.source.agreements {
                if tx
                    .agreement_find(&link.agreement)?
                    .is_some_and(|a| !a.archived)
                {
                    out.push(link.agreement);
                }
            }
            Ok(out)
        })?,
        _ => anyhow::bail!("give an agreement's code, or --all with --source"),
    };
    if codes.is_empty() {
        return Err(anyhow::anyhow!(
            "source `{}` carries no active agreement",
            args.source.as_deref().unwrap_or_default()
        ))
        .hint("link one with `pdconsent source edit SRC --link AGREEMENT`");
    }
    let mut pieces = Vec::with_capacity(codes.len());
    for code in &codes {
        pieces.push(one(ctx, &mut store, &args, code, pin, format)?);
    }
    match format {
        Format::Json if args.all => ctx.out.print_json(&pieces)?,
        Format::Json => ctx.out.print_json(&pieces[0])?,
        _ => {
            let texts: Vec<&str> = pieces.iter().filter_map(|p| p.as_str()).collect();
            let sep = match format {
                Format::Html => "\n",
                Format::Markdown => "\n---\n\n",
                _ => "\n\n",
            };
            ctx.out.print_text(&texts.join(sep))?;
        }
    }
    Ok(Outcome::Ok)
}

/// One agreement's preview: its JSON, or its text in `format`.
fn one(
    ctx: &Ctx,
    store: &mut crate::storage::Store,
    args: &Args,
    code: &str,
    pin: super::Pin,
    format: Format,
) -> Result<serde_json::Value> {
    let loaded = store.read(|tx| super::load(tx, code, pin, args.source.as_deref()))?;
    let rendered = render::render(&loaded.input())
        .map_err(anyhow::Error::new)
        .hint(format!(
            "fix the text with `pdconsent agreement edit {} --text-file FILE`",
            code
        ))?;
    let s = &loaded.settings;
    let link = loaded.link();
    if let (Some(src), None) = (&loaded.source, link) {
        output::warning(
            &format!(
                "agreement `{}` is not linked to source `{}`; showing its own behaviour",
                code, src.source.code
            ),
            Some(&format!(
                "pdconsent source edit {} --link {}",
                src.source.code, code
            )),
        );
    }
    for w in &rendered.warnings {
        output::warning(&w.message, Some(&w.hint));
    }
    let behaviour = Behaviour::effective(s, link);
    if format == Format::Html
        && let Some(f) =
            crate::domain::check::pre_ticked(&loaded.code, s, link, args.source.as_deref())
    {
        let fix = f.hint.unwrap_or_default();
        return Err(anyhow::anyhow!("{}", f.message)).hint(format!(
            "untick it with `{fix}`; no HTML snippet ticks a box"
        ));
    }
    let doc = Document {
        agreement: &loaded.code,
        revision: loaded.revision,
        source: args.source.as_deref(),
        sha256: &rendered.sha256,
        text: &rendered.text,
        label: &rendered.label,
        url: s.url.as_deref(),
        behaviour,
        russian: s.language == crate::domain::agreement::Language::Ru,
        nonce: args.nonce.as_deref(),
    };
    let pinned = Pinned {
        requisites: loaded.requisites.as_ref().map(|r| r.code.as_str()),
        requisites_revision: loaded.requisites_revision,
        source_revision: loaded.source.as_ref().map(|s| s.revision),
    };
    match format {
        Format::Json => {
            /// The preview and, in one call, the HTML snippet a page embeds (`null` when the
            /// box would be ticked by default: no snippet ticks a box).
            #[derive(serde::Serialize)]
            struct WithHtml<'a> {
                #[serde(flatten)]
                preview: PreviewView<'a>,
                html: Option<String>,
            }
            let pre_ticked =
                crate::domain::check::pre_ticked(&loaded.code, s, link, args.source.as_deref())
                    .is_some();
            Ok(serde_json::to_value(WithHtml {
                preview: PreviewView::new(
                    &loaded.code,
                    loaded.revision,
                    args.source.as_deref(),
                    s,
                    &rendered,
                    behaviour,
                    pinned,
                ),
                html: (!pre_ticked).then(|| doc.html()),
            })?)
        }
        Format::Html => Ok(doc.html().into()),
        Format::Markdown => Ok(doc.markdown().into()),
        _ => {
            // What pins this text, beside it (stderr: stdout stays the text alone).
            let mut what = format!(
                "sha256 {} · agreement `{}` revision {}",
                rendered.sha256, loaded.code, loaded.revision
            );
            if let (Some(r), Some(n)) = (pinned.requisites, pinned.requisites_revision) {
                what.push_str(&format!(" · requisites `{r}` revision {n}"));
            }
            if let (Some(src), Some(n)) = (&loaded.source, pinned.source_revision) {
                what.push_str(&format!(" · source `{}` revision {n}", src.source.code));
            }
            // On a narrow terminal, wrapped to it (the hash breaks where it must).
            match output::terminal_width(Stream::Stderr) {
                Some(w) if output::is_terminal(Stream::Stderr) => {
                    let opts = textwrap::Options::new(w).break_words(true);
                    output::notice(&textwrap::wrap(&what, opts).join("\n"));
                }
                _ => output::notice(&what),
            }
            let width = if ctx.out.terminal {
                output::terminal_width(Stream::Stdout)
            } else {
                None
            };
            let text = doc.text(width);
            Ok(if ctx.out.terminal {
                output::sanitize_multiline(&text)
            } else {
                text
            }
            .into())
        }
    }
}

/// `--at`: an RFC 3339 time, or a date (the end of that day, UTC), as the
/// stored timestamps are written (UTC, seconds).
fn parse_at(v: &str) -> Result<String> {
    use chrono::{DateTime, NaiveDate, Utc};
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Ok(crate::domain::timestamp(t.with_timezone(&Utc)));
    }
    if let Ok(d) = NaiveDate::parse_from_str(v, "%Y-%m-%d")
        && let Some(t) = d.and_hms_opt(23, 59, 59)
    {
        return Ok(crate::domain::timestamp(t.and_utc()));
    }
    Err(anyhow::anyhow!("`--at {v}` is not a time")).hint(
        "write an RFC 3339 time such as 2026-03-01T12:00:00+03:00, or a date such as 2026-03-01",
    )
}
