//! `history` and `diff` for every kind of object that has revisions:
//! agreements, requisites and sources print them the same way.

use serde::Serialize;

use super::{Ctx, Result};
use crate::domain::agreement::Settings;
use crate::domain::requisites::Requisites;
use crate::domain::source::Source;
use crate::domain::{ObjectKind, diff};
use crate::output::Format;
use crate::output::views::{DiffView, HistoryEntryView};
use crate::storage::{
    AgreementRevisionRecord, RequisitesRevisionRecord, SourceRevisionRecord, StoreError,
};
use crate::{Outcome, output};

/// One revision of an object: its number, when and by whom, and its values.
pub struct Rev<T> {
    pub revision: u32,
    pub created_at: String,
    pub actor: String,
    pub settings: T,
}

impl From<AgreementRevisionRecord> for Rev<Settings> {
    fn from(r: AgreementRevisionRecord) -> Self {
        Rev {
            revision: r.revision,
            created_at: r.created_at,
            actor: r.actor,
            settings: r.settings,
        }
    }
}

impl From<RequisitesRevisionRecord> for Rev<Requisites> {
    fn from(r: RequisitesRevisionRecord) -> Self {
        Rev {
            revision: r.revision,
            created_at: r.created_at,
            actor: r.actor,
            settings: r.requisites,
        }
    }
}

impl From<SourceRevisionRecord> for Rev<Source> {
    fn from(r: SourceRevisionRecord) -> Self {
        Rev {
            revision: r.revision,
            created_at: r.created_at,
            actor: r.actor,
            settings: r.source,
        }
    }
}

/// Prints the revisions, oldest first, with the settings each one changed.
pub fn print_history<T: Serialize + Clone>(ctx: &Ctx, format: Format, revs: &[Rev<T>]) -> Result {
    let mut entries = Vec::new();
    let mut prev: Option<&T> = None;
    for r in revs {
        let changed = match prev {
            None => Vec::new(),
            Some(p) => diff::diff(p, &r.settings)
                .into_iter()
                .map(|c| c.field)
                .collect(),
        };
        entries.push(HistoryEntryView {
            revision: r.revision,
            created_at: r.created_at.clone(),
            actor: r.actor.clone(),
            changed,
            settings: r.settings.clone(),
        });
        prev = Some(&r.settings);
    }
    if format == Format::Json {
        ctx.out.print_json(&entries)?;
        return Ok(Outcome::Ok);
    }
    let mut t = ctx.out.table(&["rev", "created", "actor", "changed"]);
    for e in &entries {
        let changed = if e.revision == 1 {
            "(created)".to_string()
        } else {
            e.changed.join(", ")
        };
        t.add_row(vec![
            e.revision.to_string(),
            e.created_at.clone(),
            output::sanitize(&e.actor),
            changed,
        ]);
    }
    ctx.out.print_table(&t)?;
    Ok(Outcome::Ok)
}

/// Prints what changed from revision `from` to `to` (by default the one
/// before the newest, and the newest).
pub fn print_diff<T: Serialize>(
    ctx: &Ctx,
    format: Format,
    kind: ObjectKind,
    code: &str,
    revs: &[Rev<T>],
    from: Option<u32>,
    to: Option<u32>,
) -> Result {
    let latest = revs.last().map_or(0, |r| r.revision);
    let get = |revision: u32| {
        revs.iter()
            .find(|r| r.revision == revision)
            .ok_or_else(|| StoreError::RevisionNotFound {
                kind,
                code: code.to_string(),
                revision,
                latest,
            })
    };
    let to = to.unwrap_or(latest);
    let from = match from {
        Some(f) => f,
        None if to > 1 => to - 1,
        None => {
            // One revision: nothing changed yet, which is an answer, not an error.
            let d = DiffView::new(code, 1, 1, Vec::new());
            if format == Format::Json {
                ctx.out.print_json(&d)?;
            }
            output::notice(&format!(
                "{kind} `{code}` has only revision 1; there is nothing to compare (a change makes revision 2: `pdconsent {kind} edit {code} …`)"
            ));
            return Ok(Outcome::Ok);
        }
    };
    let d = DiffView::new(
        code,
        from,
        to,
        diff::diff(&get(from)?.settings, &get(to)?.settings),
    );
    if format == Format::Json {
        ctx.out.print_json(&d)?;
        return Ok(Outcome::Ok);
    }
    let mut t = ctx
        .out
        .table(&["setting", &format!("revision {} → {}", d.from, d.to)]);
    for c in &d.changes {
        t.add_row(vec![
            c.field.clone(),
            output::sanitize_multiline(&diff::describe(c).join("\n")),
        ]);
    }
    ctx.out.print_table(&t)?;
    if d.changes.is_empty() {
        output::notice(&format!(
            "revisions {} and {} of `{}` have the same settings",
            d.from, d.to, d.code
        ));
    }
    Ok(Outcome::Ok)
}
