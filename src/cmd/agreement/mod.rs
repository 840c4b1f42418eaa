//! `pdconsent agreement …`: consent agreements and their revisions.

pub mod add;
pub mod archive;
pub mod check;
pub mod diff;
pub mod edit;
pub mod history;
pub mod list;
pub mod preview;
pub mod restore;
pub mod show;
pub mod texts;
pub mod wizard;

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Subcommand;

use super::{Ctx, Result};
use crate::HintExt;
use crate::domain::agreement::{Action, Change, Settings, ThirdParty};
use crate::output::views::AgreementView;
use crate::storage::{AgreementRecord, Tx};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create an agreement (revision 1); a wizard on a terminal when no settings are given
    Add(add::Args),
    /// Change settings; every real change creates a new revision
    Edit(edit::Args),
    /// Show an agreement's current (or an older) revision
    Show(show::Args),
    /// List agreements
    List(list::Args),
    /// Hide an agreement from new use; its revisions and consents stay
    Archive(archive::Args),
    /// Bring an archived agreement back into use
    Restore(restore::Args),
    /// List the revisions of an agreement and what each changed
    History(history::Args),
    /// Show what changed between two revisions, setting by setting
    Diff(diff::Args),
    /// Render the exact text a person agrees to (text, markdown, html, json)
    Preview(preview::Args),
    /// Check agreements against 152-FZ; exit 1 when any error is found
    Check(check::Args),
    /// List the texts an agreement has shown on its sources, with their pinned revisions
    Texts(texts::Args),
}

pub fn run(ctx: &Ctx, command: Command) -> Result {
    match command {
        Command::Add(a) => add::run(ctx, a),
        Command::Edit(a) => edit::run(ctx, a),
        Command::Show(a) => show::run(ctx, a),
        Command::List(a) => list::run(ctx, a),
        Command::Archive(a) => archive::run(ctx, a),
        Command::Restore(a) => restore::run(ctx, a),
        Command::History(a) => history::run(ctx, a),
        Command::Diff(a) => diff::run(ctx, a),
        Command::Preview(a) => preview::run(ctx, a),
        Command::Check(a) => check::run(ctx, a),
        Command::Texts(a) => texts::run(ctx, a),
    }
}

/// The settings flags shared by `add` and `edit`.
#[derive(Debug, Default, clap::Args)]
pub struct SettingsArgs {
    /// Name shown to operators (same as --set name=…)
    #[arg(long, value_name = "TEXT")]
    pub name: Option<String>,
    /// A built-in template (`pdconsent template list` describes them), or `custom`
    #[arg(long, value_name = "ID", value_parser = crate::cmd::values::template())]
    pub template: Option<String>,
    /// Code of the requisites whose company the text names
    #[arg(long, value_name = "CODE")]
    pub requisites: Option<String>,
    /// Set a setting, KEY=VALUE; repeatable. Keys: name, language (ru|en), template,
    /// requisites, required, checked_by_default, require_reading (true|false), label,
    /// url, methods (automated|non-automated|mixed), term, withdrawal_email, actions (comma list)
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Clear an optional setting (label, url, withdrawal_email, custom_text) or empty a list
    #[arg(long, value_name = "KEY")]
    pub unset: Vec<String>,
    /// The agreement's own template text for template `custom` (`-` reads stdin)
    #[arg(long, value_name = "FILE")]
    pub text_file: Option<PathBuf>,
    /// Add a purpose of processing; repeatable
    #[arg(long, value_name = "TEXT")]
    pub add_purpose: Vec<String>,
    /// Remove a purpose, by its text or number in `show`; repeatable
    #[arg(long, value_name = "TEXT|N")]
    pub remove_purpose: Vec<String>,
    /// Add actions on data (152-FZ art. 3), comma-separated: collection, recording, storage … or сбор, запись, хранение …
    #[arg(long, value_name = "ACTION", value_delimiter = ',')]
    pub add_action: Vec<String>,
    /// Remove actions on data, comma-separated
    #[arg(long, value_name = "ACTION", value_delimiter = ',')]
    pub remove_action: Vec<String>,
    /// Add a personal-data field listed when no form supplies its own; repeatable
    #[arg(long, value_name = "TEXT")]
    pub add_field: Vec<String>,
    /// Remove a field, by its text or number; repeatable
    #[arg(long, value_name = "TEXT|N")]
    pub remove_field: Vec<String>,
    /// Add a condition or prohibition (distribution consents, art. 10.1); repeatable
    #[arg(long, value_name = "TEXT")]
    pub add_restriction: Vec<String>,
    /// Remove a condition or prohibition; repeatable
    #[arg(long, value_name = "TEXT|N")]
    pub remove_restriction: Vec<String>,
    /// Add (or replace, by INN) a third party: name=…,inn=…,address=…,role=processor|recipient
    /// (write a comma inside a value as `\,`)
    #[arg(long = "third-party", value_name = "SPEC")]
    pub third_party: Vec<String>,
    /// Remove a third party by its name or INN; repeatable
    #[arg(long, value_name = "NAME|INN")]
    pub remove_third_party: Vec<String>,
}

impl SettingsArgs {
    pub fn is_empty(&self) -> bool {
        self.to_changes_unchecked().is_empty() && self.text_file.is_none()
    }

    fn to_changes_unchecked(&self) -> Vec<&str> {
        let mut v: Vec<&str> = Vec::new();
        v.extend(self.name.as_deref());
        v.extend(self.template.as_deref());
        v.extend(self.requisites.as_deref());
        for list in [
            &self.set,
            &self.unset,
            &self.add_purpose,
            &self.remove_purpose,
            &self.add_action,
            &self.remove_action,
            &self.add_field,
            &self.remove_field,
            &self.add_restriction,
            &self.remove_restriction,
            &self.third_party,
            &self.remove_third_party,
        ] {
            v.extend(list.iter().map(String::as_str));
        }
        v
    }

    /// The flags as domain changes, in a fixed order: scalars, then lists.
    pub fn to_changes(&self) -> Result<Vec<Change>> {
        let mut c = Vec::new();
        if let Some(v) = &self.name {
            c.push(Change::Set("name".into(), v.clone()));
        }
        if let Some(v) = &self.requisites {
            c.push(Change::Set("requisites".into(), v.clone()));
        }
        for s in &self.set {
            let (k, v) = super::key_value(s, "--set", super::SET_EXAMPLE)?;
            if k == "code" {
                return Err(anyhow::anyhow!(
                    "the code of an agreement cannot be changed; consents refer to it"
                ))
                .hint("add a new agreement with the new code and archive this one");
            }
            c.push(Change::Set(k, v));
        }
        if let Some(path) = &self.text_file {
            let text = read_text(path)?;
            if self.template.is_none() && !self.set.iter().any(|s| s.starts_with("template=")) {
                c.push(Change::Set(
                    "template".into(),
                    crate::domain::agreement::CUSTOM.into(),
                ));
            }
            c.push(Change::Set("custom_text".into(), text));
        }
        if let Some(v) = &self.template {
            c.push(Change::Set("template".into(), v.clone()));
            if v != crate::domain::agreement::CUSTOM && self.text_file.is_none() {
                c.push(Change::Unset("custom_text".into()));
            }
        }
        for k in &self.unset {
            c.push(Change::Unset(k.clone()));
        }
        c.extend(
            self.remove_purpose
                .iter()
                .map(|p| Change::RemovePurpose(p.clone())),
        );
        c.extend(
            self.add_purpose
                .iter()
                .map(|p| Change::AddPurpose(p.clone())),
        );
        for a in &self.remove_action {
            c.push(Change::RemoveAction(
                Action::parse(a)
                    .map_err(anyhow::Error::msg)
                    .context("--remove-action")
                    .hint("`pdconsent agreement show CODE` lists the current actions")?,
            ));
        }
        for a in &self.add_action {
            c.push(Change::AddAction(
                Action::parse(a)
                    .map_err(anyhow::Error::msg)
                    .context("--add-action")
                    .hint("actions are the words of 152-FZ art. 3, e.g. --add-action collection,storage or сбор,хранение")?,
            ));
        }
        c.extend(
            self.remove_field
                .iter()
                .map(|p| Change::RemoveField(p.clone())),
        );
        c.extend(self.add_field.iter().map(|p| Change::AddField(p.clone())));
        c.extend(
            self.remove_restriction
                .iter()
                .map(|p| Change::RemoveRestriction(p.clone())),
        );
        c.extend(
            self.add_restriction
                .iter()
                .map(|p| Change::AddRestriction(p.clone())),
        );
        c.extend(
            self.remove_third_party
                .iter()
                .map(|p| Change::RemoveThirdParty(p.clone())),
        );
        for spec in &self.third_party {
            let tp = ThirdParty::parse(spec)
                .map_err(anyhow::Error::msg)
                .context("--third-party")
                .hint("write --third-party 'name=ООО «Доставка»,inn=7717586110,address=Москва,role=processor'")?;
            c.push(Change::AddThirdParty(tp));
        }
        Ok(c)
    }
}

fn read_text(path: &Path) -> Result<String> {
    crate::input::read_path(
        path,
        crate::input::TEXT,
        "check the path; `pdconsent template show ru-152fz-consent > FILE` gives a start",
    )
}

/// Checks that make sense only against the database: the requisites exist.
pub fn check_references(tx: &Tx, settings: &Settings) -> Result<()> {
    if tx.requisites_find(&settings.requisites)?.is_none() {
        return Err(anyhow::anyhow!(
            "requisites `{}` not found",
            settings.requisites
        ))
        .hint("run `pdconsent requisites list`, or add them with `pdconsent requisites add`");
    }
    Ok(())
}

/// The withdrawal e-mail in effect, and whether it is the requisites' default.
pub fn effective_withdrawal_email(tx: &Tx, settings: &Settings) -> Result<(Option<String>, bool)> {
    if let Some(e) = &settings.withdrawal_email {
        return Ok((Some(e.clone()), false));
    }
    let from_req = tx
        .requisites_find(&settings.requisites)?
        .and_then(|r| r.requisites.email);
    Ok((from_req, true))
}

/// The view `show`, `list`, `add` and `edit` print: the record with the
/// withdrawal e-mail in effect.
pub fn view(tx: &Tx, rec: &AgreementRecord) -> Result<AgreementView> {
    let (email, is_default) = effective_withdrawal_email(tx, &rec.settings)?;
    Ok(AgreementView::new(rec, email, is_default))
}

/// Everything a text is rendered from: one revision, its requisites, a source,
/// each at a revision: the inputs that pin the text.
pub struct Loaded {
    pub code: String,
    pub revision: u32,
    pub archived: bool,
    pub settings: Settings,
    pub requisites: Option<crate::domain::requisites::Requisites>,
    pub requisites_revision: Option<u32>,
    pub source: Option<crate::storage::SourceRecord>,
}

impl Loaded {
    pub fn input(&self) -> crate::domain::render::RenderInput<'_> {
        crate::domain::render::RenderInput {
            code: &self.code,
            revision: self.revision,
            settings: &self.settings,
            requisites: self.requisites.as_ref(),
            source: self.source.as_ref().map(|s| &s.source),
        }
    }

    pub fn link(&self) -> Option<&crate::domain::source::Link> {
        self.source.as_ref().and_then(|s| {
            s.source
                .agreements
                .iter()
                .find(|l| l.agreement == self.code)
        })
    }
}

/// Which revisions to render: the current ones, one revision of the
/// agreement (with the current requisites and source), or everything as it
/// was in force at a moment.
#[derive(Debug, Clone, Copy)]
pub enum Pin<'a> {
    Current,
    Revision(u32),
    At(&'a str),
}

pub fn load(tx: &Tx, code: &str, pin: Pin, source: Option<&str>) -> Result<Loaded> {
    let rec = tx.agreement_get(code)?;
    let not_yet = |what: String, at: &str| anyhow::anyhow!("{what} did not exist yet at {at}");
    let (revision, settings) = match pin {
        Pin::Revision(n) => {
            let r = tx.agreement_revision(code, n)?;
            (r.revision, r.settings)
        }
        Pin::At(at) => {
            let r = tx
                .agreement_revision_at(code, at)?
                .ok_or_else(|| not_yet(format!("agreement `{code}`"), at))
                .hint(format!(
                    "`pdconsent agreement history {code}` shows when each revision was made"
                ))?;
            (r.revision, r.settings)
        }
        Pin::Current => (rec.revision, rec.settings),
    };
    let (requisites, requisites_revision) = match pin {
        Pin::At(at) => match tx.requisites_revision_at(&settings.requisites, at)? {
            Some(r) => (Some(r.requisites), Some(r.revision)),
            // The set's history may start later than the agreement's (sets
            // older than their revisions start at their last change).
            None => {
                let first = tx
                    .requisites_revisions(&settings.requisites)
                    .ok()
                    .and_then(|r| r.into_iter().next())
                    .map(|r| r.created_at);
                return Err(not_yet(format!("requisites `{}`", settings.requisites), at)).hint(
                    match first {
                        Some(t) => format!(
                            "the recorded history of requisites `{}` starts at {t}",
                            settings.requisites
                        ),
                        None => format!(
                            "`pdconsent requisites history {}` shows when each revision was made",
                            settings.requisites
                        ),
                    },
                );
            }
        },
        _ => match tx.requisites_find(&settings.requisites)? {
            Some(r) => (Some(r.requisites), Some(r.revision)),
            None => (None, None),
        },
    };
    let source = match (source, pin) {
        (None, _) => None,
        (Some(s), Pin::At(at)) => {
            let mut rec = tx.source_get(s)?;
            let rev = tx
                .source_revision_at(s, at)?
                .ok_or_else(|| not_yet(format!("source `{s}`"), at))
                .hint(format!(
                    "`pdconsent source history {s}` shows when each revision was made"
                ))?;
            rec.source = rev.source;
            rec.revision = rev.revision;
            Some(rec)
        }
        (Some(s), _) => Some(tx.source_get(s)?),
    };
    Ok(Loaded {
        code: code.to_string(),
        revision,
        archived: rec.archived,
        settings,
        requisites,
        requisites_revision,
        source,
    })
}
