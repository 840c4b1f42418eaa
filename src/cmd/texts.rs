//! Keeping the text registry current: after every change that can change a
//! text (an agreement, requisites or source edit, a new link, `apply`), the
//! text of every linked (agreement, source) pair is rendered from the current
//! revisions and registered if it, or what it was rendered from, changed.
//! The command then says which texts changed, so the operator updates the
//! pages that show them.

use std::collections::{BTreeMap, BTreeSet};

use super::Result;
use crate::domain::agreement::Settings;
use crate::domain::render::{RenderInput, render};
use crate::domain::requisites::Requisites;
use crate::domain::source::Source;
use crate::output;
use crate::storage::{Pinned, Stamp, TextChange, Tx};

/// An (agreement, source) pair, by codes.
pub type Pair = (String, String);

/// The pairs a change can affect: rendering only those keeps an edit's cost
/// to what it touches, not to the size of the configuration.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// Every pair (`apply`).
    All,
    /// The pairs of this agreement.
    Agreement(&'a str),
    /// The pairs of the agreements that use this set of requisites.
    Requisites(&'a str),
    /// The pairs of this source.
    Source(&'a str),
}

/// Answers whether a pair is in a scope.
struct InScope<'a> {
    scope: Scope<'a>,
    users: BTreeSet<String>,
}

impl<'a> InScope<'a> {
    fn new(tx: &Tx, scope: Scope<'a>) -> Result<InScope<'a>> {
        let users = match scope {
            Scope::Requisites(code) => tx.agreements_using_requisites(code)?.into_iter().collect(),
            _ => BTreeSet::new(),
        };
        Ok(InScope { scope, users })
    }

    fn contains(&self, agreement: &str, source: &str) -> bool {
        match self.scope {
            Scope::All => true,
            Scope::Agreement(code) => agreement == code,
            Scope::Source(code) => source == code,
            Scope::Requisites(_) => self.users.contains(agreement),
        }
    }
}

/// What every linked pair of an active source in `scope` renders to now,
/// from the current revisions; and the pairs whose text does not render
/// (`agreement check` reports them), which keep what the registry holds.
pub fn current(tx: &Tx, scope: Scope) -> Result<(Vec<Pinned>, Vec<Pair>)> {
    let in_scope = InScope::new(tx, scope)?;
    let sources = match scope {
        Scope::Source(code) => tx
            .source_find(code)?
            .filter(|s| !s.archived)
            .into_iter()
            .collect(),
        _ => tx.source_list(false)?,
    };
    let mut out = Vec::new();
    let mut broken = Vec::new();
    for s in sources {
        for link in &s.source.agreements {
            if !in_scope.contains(&link.agreement, &s.source.code) {
                continue;
            }
            let a = tx.agreement_get(&link.agreement)?;
            let req = tx.requisites_find(&a.settings.requisites)?;
            let input = RenderInput {
                code: &a.code,
                revision: a.revision,
                settings: &a.settings,
                requisites: req.as_ref().map(|r| &r.requisites),
                source: Some(&s.source),
            };
            let Ok(rendered) = render(&input) else {
                broken.push((a.code.clone(), s.source.code.clone()));
                continue;
            };
            out.push(Pinned {
                agreement: a.code.clone(),
                agreement_revision: a.revision,
                source: s.source.code.clone(),
                source_revision: s.revision,
                requisites: req.map(|r| (r.requisites.code, r.revision)),
                text: Some((rendered.sha256, rendered.text)),
            });
        }
    }
    Ok((out, broken))
}

/// The registry's current pairs against what they render to now: the
/// registrations to make, and the texts that change with them.
pub fn pending(tx: &Tx, scope: Scope) -> Result<(Vec<Pinned>, Vec<TextChange>)> {
    let registered: BTreeMap<(String, String), _> = tx
        .texts_current()?
        .into_iter()
        .map(|t| ((t.agreement.clone(), t.source.clone()), t))
        .collect();
    let (now, broken) = current(tx, scope)?;
    let in_scope = InScope::new(tx, scope)?;
    let mut seen: BTreeSet<(String, String)> = broken.into_iter().collect();
    let mut register = Vec::new();
    let mut changes = Vec::new();
    for p in now {
        let key = (p.agreement.clone(), p.source.clone());
        let sha = p.text.as_ref().map(|t| t.0.clone());
        let prev = registered.get(&key);
        let same_inputs = prev.is_some_and(|r| {
            r.agreement_revision == p.agreement_revision
                && r.source_revision == p.source_revision
                && r.requisites.clone().zip(r.requisites_revision) == p.requisites
                && r.sha256 == sha
        });
        if !same_inputs {
            let before = prev.and_then(|r| r.sha256.clone());
            if before != sha {
                changes.push(TextChange {
                    agreement: p.agreement.clone(),
                    source: p.source.clone(),
                    before,
                    after: sha,
                });
            }
            register.push(p);
        }
        seen.insert(key);
    }
    // Pairs that showed a text and show none now (unlinked, source archived).
    for ((agreement, source), r) in &registered {
        if r.sha256.is_some()
            && in_scope.contains(agreement, source)
            && !seen.contains(&(agreement.clone(), source.clone()))
        {
            register.push(Pinned {
                agreement: agreement.clone(),
                agreement_revision: r.agreement_revision,
                source: source.clone(),
                source_revision: tx.source_get(source)?.revision,
                requisites: None,
                text: None,
            });
            changes.push(TextChange {
                agreement: agreement.clone(),
                source: source.clone(),
                before: r.sha256.clone(),
                after: None,
            });
        }
    }
    changes.sort_by(|a, b| (&a.agreement, &a.source).cmp(&(&b.agreement, &b.source)));
    Ok((register, changes))
}

/// The texts the linked pairs would show once the database holds these
/// requisites, agreements (code → settings, revision) and active sources,
/// against the texts registered now: what `apply` will change, announced in
/// its plan before anything is written.
pub fn predict(
    registered: &Registered,
    requisites: &BTreeMap<&str, &Requisites>,
    agreements: &BTreeMap<&str, (&Settings, u32)>,
    sources: &[&Source],
) -> Vec<TextChange> {
    let mut seen = BTreeSet::new();
    let mut changes = Vec::new();
    for s in sources {
        for link in &s.agreements {
            let Some((settings, revision)) = agreements.get(link.agreement.as_str()) else {
                continue;
            };
            let input = RenderInput {
                code: &link.agreement,
                revision: *revision,
                settings,
                requisites: requisites.get(settings.requisites.as_str()).copied(),
                source: Some(s),
            };
            let key = (link.agreement.clone(), s.code.clone());
            let Ok(rendered) = render(&input) else {
                // Still linked: what the registry holds stays (check reports it).
                seen.insert(key);
                continue;
            };
            let before = registered.get(&key).cloned().flatten();
            // A text the registry already holds for the pair is no change.
            if before.as_deref() != Some(rendered.sha256.as_str()) {
                changes.push(TextChange {
                    agreement: key.0.clone(),
                    source: key.1.clone(),
                    before,
                    after: Some(rendered.sha256),
                });
            }
            seen.insert(key);
        }
    }
    for ((agreement, source), sha) in registered {
        if sha.is_some() && !seen.contains(&(agreement.clone(), source.clone())) {
            changes.push(TextChange {
                agreement: agreement.clone(),
                source: source.clone(),
                before: sha.clone(),
                after: None,
            });
        }
    }
    changes.sort_by(|a, b| (&a.agreement, &a.source).cmp(&(&b.agreement, &b.source)));
    changes
}

/// The text each pair shows now, by (agreement, source), as the registry holds it.
pub type Registered = BTreeMap<(String, String), Option<String>>;

/// What the registry holds now for each pair.
pub fn registered(tx: &Tx) -> Result<Registered> {
    Ok(tx
        .texts_current()?
        .into_iter()
        .map(|t| ((t.agreement, t.source), t.sha256))
        .collect())
}

/// Registers every text in `scope` that became current; the changes, for [`announce`].
pub fn register(tx: &Tx, stamp: Stamp, scope: Scope) -> Result<Vec<TextChange>> {
    let (pinned, changes) = pending(tx, scope)?;
    for p in &pinned {
        tx.text_register(p, stamp)?;
    }
    Ok(changes)
}

fn short(sha: &Option<String>) -> String {
    match sha {
        Some(s) => s.chars().take(12).collect(),
        None => "(none)".to_string(),
    }
}

/// Tells the operator which texts changed and what to do about it (stderr).
pub fn announce(changes: &[TextChange]) {
    notice(changes, "texts");
}

/// Tells which texts applying a plan would change (stderr), before anything is written.
pub fn announce_planned(changes: &[TextChange]) {
    notice(changes, "texts if applied");
}

fn notice(changes: &[TextChange], header: &str) {
    if changes.is_empty() {
        return;
    }
    let kind = |c: &TextChange| match (&c.before, &c.after) {
        (None, _) => "new",
        (_, None) => "no longer shown",
        _ => "changed",
    };
    let count = |k: &str| changes.iter().filter(|c| kind(c) == k).count();
    let (new, changed, gone) = (count("new"), count("changed"), count("no longer shown"));
    let mut parts = Vec::new();
    for (n, what) in [
        (changed, "changed"),
        (new, "new"),
        (gone, "no longer shown"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    }
    let mut lines = vec![format!("{header}: {}", parts.join(", "))];
    for c in changes {
        lines.push(format!(
            "  {} on {}: {} → {} ({})",
            c.agreement,
            c.source,
            short(&c.before),
            short(&c.after),
            kind(c)
        ));
    }
    lines.push(if changed + gone > 0 {
        "pages that show an old text must be updated: `pdconsent agreement preview AGREEMENT --source SOURCE --format html` gives the new snippet".to_string()
    } else {
        "`pdconsent agreement preview AGREEMENT --source SOURCE --format html` gives the snippet for each page".to_string()
    });
    output::notice(&lines.join("\n"));
}
