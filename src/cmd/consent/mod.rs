//! `pdconsent consent …`: the consent ledger's events — record, withdraw, status, list,
//! show, export (docs/ledger.md, docs/guide.md).

pub mod catalog;
pub mod export;
pub(crate) mod export_csv;
pub mod filter;
pub mod import;
pub mod list;
pub mod record;
pub mod show;
pub mod status;
pub mod withdraw;

use clap::Subcommand;

use super::{Ctx, Result, key_value};
use crate::HintExt;
use crate::domain::ledger::{Leaf, SubjectKey};
use crate::output::events::EventView;
use crate::storage::{LeafRow, StoreError, Tx};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Record a submission: one event per agreement of the source
    Record(record::Args),
    /// Withdraw consents: append a withdrawal for each (by seq or by subject)
    Withdraw(withdraw::Args),
    /// Whether a person holds a valid consent to every required agreement of a source
    Status(status::Args),
    /// List consent events, newest first, with filters
    List(list::Args),
    /// Show one event: its leaf, status, the person's data and the exact text
    Show(show::Args),
    /// Issue a receipt for one event: the text, the person's data and the proof
    Receipt(crate::cmd::receipt::IssueArgs),
    /// Import consents from CSV or JSON Lines (another system's log, a web server's queue)
    Import(import::Args),
    /// Export every leaf of the ledger with its envelope (JSON Lines)
    Export(export::Args),
}

pub fn run(ctx: &Ctx, command: Command) -> Result {
    match command {
        Command::Record(a) => record::run(ctx, a),
        Command::Withdraw(a) => withdraw::run(ctx, a),
        Command::Status(a) => status::run(ctx, a),
        Command::List(a) => list::run(ctx, a),
        Command::Show(a) => show::run(ctx, a),
        Command::Export(a) => export::run(ctx, a),
        Command::Import(a) => import::run(ctx, a),
        Command::Receipt(a) => crate::cmd::receipt::issue(ctx, a),
    }
}

/// A `--subject KEY=VALUE`: how its field compares, and the value.
#[derive(Debug, Clone)]
pub struct Subject {
    pub key: SubjectKey,
    pub value: String,
}

impl Subject {
    /// Parses `--subject KEY=VALUE`; with a source, KEY may be any of its captions or aliases.
    pub fn parse(tx: &Tx, spec: &str, source: Option<&str>) -> Result<Subject> {
        let (k, v) = key_value(spec, "--subject", "email=ivan@example.ru")?;
        if v.trim().is_empty() {
            return Err(anyhow::anyhow!("`--subject {spec}` has no value"))
                .hint("write e.g. `--subject email=ivan@example.ru`");
        }
        let caption = match source {
            Some(code) => {
                let src = tx.source_get(code)?;
                catalog::resolve_key(&src, &k)
            }
            None => None,
        };
        let key = match caption {
            Some(c) => SubjectKey::of_caption(&c),
            None => {
                match k.to_lowercase().as_str() {
                    "email" | "e-mail" => SubjectKey::Email,
                    "phone" | "tel" => SubjectKey::Phone,
                    "name" if source.is_none() => {
                        return Err(anyhow::anyhow!(
                        "`--subject name=…` names a field by its source's caption"
                    ))
                    .hint("add --source SRC, or give the caption itself, e.g. `--subject имя=Иван`");
                    }
                    _ if source.is_some() => {
                        return Err(anyhow::anyhow!(
                        "`{k}` is not a field of source `{}`",
                        source.unwrap_or_default()
                    ))
                    .hint("`pdconsent source show SRC` lists its fields; email and phone work everywhere");
                    }
                    _ => SubjectKey::of_caption(&k),
                }
            }
        };
        Ok(Subject {
            key,
            value: crate::domain::nfc(v.trim()),
        })
    }

    /// The index key to look up.
    pub fn index_key(&self) -> i64 {
        self.key.index_key(&self.value)
    }

    /// Whether `envelope` holds this subject (a hit of the index key, which is only a hash,
    /// confirmed).
    pub fn holds_envelope(&self, envelope: Option<&crate::storage::EnvelopeRow>) -> bool {
        envelope.is_some_and(|e| {
            e.envelope.fields.iter().any(|(caption, value)| {
                SubjectKey::of_caption(caption) == self.key && self.key.matches(value, &self.value)
            })
        })
    }

    /// Whether the event's envelope holds this subject (the index key is only a hash).
    pub fn holds(&self, tx: &Tx, row: &LeafRow) -> Result<bool> {
        let Some(id) = row.envelope else {
            return Ok(false);
        };
        Ok(self.holds_envelope(tx.ledger_envelope(id)?.as_ref()))
    }
}

/// The full view of an event: its withdrawal and its envelope looked up.
pub fn view(tx: &Tx, row: &LeafRow) -> std::result::Result<EventView, StoreError> {
    let withdrawal: Option<Leaf> = if row.leaf.kind.as_str() == "given" {
        tx.consent_withdrawal(row.leaf.seq)?.map(|w| w.leaf)
    } else {
        None
    };
    let env = match row.envelope {
        Some(id) => tx.ledger_envelope(id)?,
        None => None,
    };
    let mut v = EventView::new(row, withdrawal.as_ref(), env.as_ref());
    if v.erased
        && let Some(id) = row.envelope
    {
        v.erased_at = tx.ledger_erased(id)?.map(|e| e.at);
    }
    Ok(v)
}
