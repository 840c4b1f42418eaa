//! `pdconsent source …`: web forms and chat channels where consents are collected.

pub mod add;
pub mod archive;
pub mod diff;
pub mod edit;
pub mod history;
pub mod list;
pub mod restore;
pub mod show;
pub mod wizard;

use clap::Subcommand;
use serde_json::Value;

use super::{Ctx, Result};
use crate::HintExt;
use crate::domain::FieldError;
use crate::domain::source::{Link, Source};
use crate::output::views::{SourceLinkView, SourceView};
use crate::storage::{SourceRecord, Tx};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Add a web form or chat channel (a wizard on a terminal when no settings are given)
    Add(add::Args),
    /// Change a source: its settings, fields and linked agreements
    Edit(edit::Args),
    /// List the revisions of a source: when, by whom, what changed
    History(history::Args),
    /// Show what changed between two revisions of a source
    Diff(diff::Args),
    /// Show one source with its agreements and their effective behaviour
    Show(show::Args),
    /// List sources
    List(list::Args),
    /// Hide a source from new use; everything recorded through it stays
    Archive(archive::Args),
    /// Bring an archived source back into use
    Restore(restore::Args),
}

pub fn run(ctx: &Ctx, command: Command) -> Result {
    match command {
        Command::Add(a) => add::run(ctx, a),
        Command::Edit(a) => edit::run(ctx, a),
        Command::Show(a) => show::run(ctx, a),
        Command::History(a) => history::run(ctx, a),
        Command::Diff(a) => diff::run(ctx, a),
        Command::List(a) => list::run(ctx, a),
        Command::Archive(a) => archive::run(ctx, a),
        Command::Restore(a) => restore::run(ctx, a),
    }
}

/// The settings flags shared by `add` and `edit`.
#[derive(Debug, Default, clap::Args)]
pub struct SettingsArgs {
    /// Name shown to operators
    #[arg(long, value_name = "TEXT")]
    pub name: Option<String>,
    /// Set a setting, KEY=VALUE; repeatable. Keys: name, kind (form|openline),
    /// url, warning (true|false: chat channels send the personal-data warning first)
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Clear the url, or empty the fields / agreements
    #[arg(long, value_name = "KEY")]
    pub unset: Vec<String>,
    /// Add a field caption (every input of the form is personal data, even a comment); repeatable
    #[arg(long, value_name = "TEXT")]
    pub add_field: Vec<String>,
    /// Remove a field by its caption or number; repeatable
    #[arg(long, value_name = "TEXT|N")]
    pub remove_field: Vec<String>,
    /// Link an agreement, optionally overriding its behaviour:
    /// CODE[,required=BOOL][,checked_by_default=BOOL][,require_reading=BOOL]; repeatable
    #[arg(long, value_name = "SPEC")]
    pub link: Vec<String>,
    /// Unlink an agreement; repeatable
    #[arg(long, value_name = "CODE")]
    pub unlink: Vec<String>,
    /// Give a field its English caption, which English texts list (an empty
    /// caption removes it): FIELD=CAPTION; repeatable
    #[arg(long, value_name = "FIELD=CAPTION")]
    pub caption_en: Vec<String>,
}

impl SettingsArgs {
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.set.is_empty()
            && self.unset.is_empty()
            && self.add_field.is_empty()
            && self.remove_field.is_empty()
            && self.link.is_empty()
            && self.unlink.is_empty()
            && self.caption_en.is_empty()
    }

    pub fn apply(&self, s: &mut Source) -> Result<()> {
        let mut errors: Vec<FieldError> = Vec::new();
        if let Some(n) = &self.name {
            s.name = n.trim().to_string();
        }
        for kv in &self.set {
            let (k, v) = super::key_value(kv, "--set", super::SET_EXAMPLE)?;
            if k == "code" {
                return Err(anyhow::anyhow!(
                    "the code of a source cannot be changed; consents refer to it"
                ))
                .hint("add a new source with the new code and archive this one");
            }
            errors.extend(s.set(&k, &v).err());
        }
        for k in &self.unset {
            match k.as_str() {
                "url" => s.url = None,
                "fields" => s.fields.clear(),
                "agreements" => s.agreements.clear(),
                other => errors.push(FieldError::new(
                    other,
                    format!("`{other}` cannot be unset; use url, fields or agreements"),
                )),
            }
        }
        for f in &self.remove_field {
            errors.extend(s.remove_field(f).err());
        }
        for f in &self.add_field {
            s.add_field(f);
        }
        for spec in &self.caption_en {
            errors.extend(s.set_caption_en(spec).err());
        }
        for code in &self.unlink {
            errors.extend(s.unlink(code.trim()).err());
        }
        for spec in &self.link {
            match Link::parse(spec) {
                Ok(l) => s.link(l),
                Err(e) => errors.push(FieldError::new("link", e)),
            }
        }
        s.normalize();
        crate::domain::Invalid::from_errors(crate::domain::ObjectKind::Source, &s.code, errors)?;
        Ok(())
    }
}

/// Links must point at existing agreements; newly linked ones must not be archived.
pub fn check_links(tx: &Tx, s: &Source, before: Option<&Source>) -> Result<()> {
    for l in &s.agreements {
        let rec = tx.agreement_find(&l.agreement)?;
        let was_linked =
            before.is_some_and(|b| b.agreements.iter().any(|x| x.agreement == l.agreement));
        match rec {
            None => {
                return Err(anyhow::anyhow!("agreement `{}` not found", l.agreement))
                    .hint("run `pdconsent agreement list` to see the codes");
            }
            Some(r) if r.archived && !was_linked => {
                return Err(anyhow::anyhow!(
                    "agreement `{}` is archived and cannot be linked",
                    l.agreement
                ))
                .hint(format!(
                    "run `pdconsent agreement restore {}` first",
                    l.agreement
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

pub fn to_json(s: &Source) -> Value {
    serde_json::to_value(s).unwrap_or(Value::Null)
}

/// The view `show`, `list`, `add` and `edit` print: the source with each
/// linked agreement's current revision and effective behaviour.
pub fn view(tx: &Tx, rec: &SourceRecord) -> Result<SourceView> {
    let links = rec
        .source
        .agreements
        .iter()
        .map(|l| Ok(SourceLinkView::new(l, &tx.agreement_get(&l.agreement)?)))
        .collect::<Result<Vec<_>>>()?;
    Ok(SourceView::new(rec, links))
}
