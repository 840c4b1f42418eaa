//! `pdconsent consent show SEQ`: one event, its status, the person's data and the exact text.

use std::fmt::Write as _;

use serde::Serialize;

use super::view;
use crate::cmd::{Ctx, Result};
use crate::output::Format;
use crate::output::events::EventView;
use crate::{HintExt, Outcome, output};

/// Show one event: its leaf, status, the person's data and the exact text
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The event's seq
    #[arg(value_name = "SEQ")]
    pub seq: u64,
}

#[derive(Serialize)]
struct ShowView {
    #[serde(flatten)]
    event: EventView,
    /// The exact text the person saw, from the text registry.
    text: Option<String>,
    /// The leaf's RFC 6962 hash, hex.
    leaf_hash: String,
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    let format = ctx.format(&[Format::Table, Format::Json], "consent show")?;
    let mut store = ctx.open_read()?;
    let shown = store.read(|tx| {
        let Some(row) = tx.ledger_leaf(args.seq)? else {
            let size = tx.ledger_size()?;
            return Err(anyhow::anyhow!("there is no event {}", args.seq)).hint(format!(
                "the ledger holds seq 1 to {size}; `pdconsent consent list` shows the events"
            ));
        };
        if !row.leaf.kind.is_event() {
            return Err(anyhow::anyhow!(
                "seq {} is a `{}` leaf of the configuration history, not a consent event",
                args.seq,
                row.leaf.kind.as_str()
            ))
            .hint(format!(
                "`pdconsent ledger prove {}` shows its leaf and proof",
                args.seq
            ));
        }
        let text = match &row.leaf.text_sha256 {
            Some(h) => tx.text_body(h)?,
            None => None,
        };
        let leaf_hash = crate::domain::ledger::to_hex(&row.leaf.hash()?);
        Ok::<_, anyhow::Error>(ShowView {
            event: view(tx, &row)?,
            text,
            leaf_hash,
        })
    })?;
    if format == Format::Json {
        ctx.out.print_json(&shown)?;
        return Ok(Outcome::Ok);
    }
    let e = &shown.event;
    let mut s = String::new();
    let mut line = |k: &str, v: &str| {
        let _ = writeln!(s, "{k:<14} {}", output::sanitize(v));
    };
    line("seq", &e.seq.to_string());
    line("event", e.event);
    line("status", e.status);
    line("at", &e.at);
    line("recorded at", &e.recorded_at);
    if let Some(a) = &e.agreement {
        line(
            "agreement",
            &format!("{a} revision {}", e.revision.unwrap_or(0)),
        );
    }
    if let Some(r) = &e.requisites {
        line(
            "requisites",
            &format!("{r} revision {}", e.requisites_revision.unwrap_or(0)),
        );
    }
    if let Some(src) = &e.source {
        line(
            "source",
            &format!("{src} revision {}", e.source_revision.unwrap_or(0)),
        );
    }
    if let Some(c) = e.checkbox {
        line(
            "checkbox",
            &format!(
                "{}, {}",
                if c.required { "required" } else { "optional" },
                if c.checked_by_default {
                    "ticked by default"
                } else {
                    "not ticked by default"
                }
            ),
        );
    }
    if let Some(w) = e.withdraws {
        line("withdraws", &w.to_string());
    }
    if let Some(c) = &e.channel {
        line("channel", c);
    }
    if let (Some(w), Some(at)) = (e.withdrawn_by, &e.withdrawn_at) {
        line("withdrawn by", &format!("{w} at {at}"));
    }
    if let Some(x) = &e.external_id {
        line("external id", x);
    }
    if e.erased {
        line(
            "subject",
            &match &e.erased_at {
                Some(at) => format!("данные уничтожены / erased {at}"),
                None => "данные уничтожены / erased".to_string(),
            },
        );
    }
    if let Some(sub) = &e.subject {
        if !sub.fields.is_empty() {
            line("subject", &format!("{} field(s)", sub.fields.len()));
        }
        for (k, v) in &sub.fields {
            line(&format!("  {k}:"), v);
        }
        for (k, v) in [
            ("ip", &sub.ip),
            ("url", &sub.url),
            ("user agent", &sub.user_agent),
            ("reason", &sub.reason),
        ] {
            if let Some(v) = v {
                line(k, v);
            }
        }
    }
    line("leaf hash", &shown.leaf_hash);
    if let Some(h) = &e.text_sha256 {
        line("text sha256", h);
    }
    if let Some(t) = &shown.text {
        let _ = write!(s, "\n{}\n", output::sanitize_multiline(t));
    }
    ctx.out.print_text(&s)?;
    Ok(Outcome::Ok)
}
