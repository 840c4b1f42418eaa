//! What recording needs to know about sources, agreements and their texts, read once per
//! transaction: a batch of thousands of submissions to a few sources reads each once.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use crate::domain::FieldError;
use crate::domain::consent::Checked;
use crate::domain::ledger::{Checkbox, Envelope, Leaf, LeafKind, Salt, SubjectKey};
use crate::domain::source::{Behaviour, Link};
use crate::storage::{
    ConfigStamp, LeafRow, SourceRecord, StoreError, TextRecord, Tx, new_event_id,
};

/// A pair's registrations and whether its agreement is archived.
struct Pair {
    archived: bool,
    /// Oldest first.
    texts: Vec<TextRecord>,
    /// The checkbox each registration's revisions presented, read when first needed.
    checkboxes: RefCell<Vec<Option<Checkbox>>>,
}

struct SourceInfo {
    record: SourceRecord,
    pairs: HashMap<String, Pair>,
    /// Every key a submission may use for a field, in lower case: its caption, its English
    /// caption, and `email`, `e-mail`, `phone`, `tel`, `name` for the field of that kind.
    keys: HashMap<String, String>,
}

/// The keys of [`SourceInfo::keys`], built once per source.
fn field_keys(src: &SourceRecord) -> HashMap<String, String> {
    let mut keys = HashMap::new();
    for alias in ["email", "e-mail", "phone", "tel", "name"] {
        if let Some(f) = resolve_key(src, alias) {
            keys.insert(alias.to_string(), f);
        }
    }
    for (f, en) in &src.source.captions_en {
        keys.insert(en.to_lowercase(), f.clone());
    }
    for f in &src.source.fields {
        keys.insert(f.to_lowercase(), f.clone());
    }
    keys
}

/// Why a submission was refused: a field and a message, or the store failing.
pub enum Refused {
    Field(FieldError),
    Store(StoreError),
}

impl From<StoreError> for Refused {
    fn from(e: StoreError) -> Self {
        Refused::Store(e)
    }
}

impl From<FieldError> for Refused {
    fn from(e: FieldError) -> Self {
        Refused::Field(e)
    }
}

fn refuse(field: &str, msg: impl Into<String>) -> Refused {
    Refused::Field(FieldError::new(field, msg))
}

/// What a submission became.
pub struct Recorded {
    pub events: Vec<LeafRow>,
    /// Agreements whose page showed an earlier text than the current one: (code, revision).
    pub earlier_texts: Vec<(String, u32)>,
    /// The events existed already under the same external id.
    pub duplicate: bool,
}

/// Per-transaction cache of the configuration recording reads.
pub struct Catalog<'t, 'c> {
    tx: &'t Tx<'c>,
    sources: RefCell<HashMap<String, Rc<SourceInfo>>>,
    stamp: Option<ConfigStamp>,
}

/// What a catalog read, kept for the next transaction of the same batch: reused there only
/// if the configuration's stamp is still the same (nobody changed it in between).
pub struct Kept {
    stamp: ConfigStamp,
    sources: HashMap<String, Rc<SourceInfo>>,
}

/// Options of `consent record` that apply to every submission.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    pub allow_extra_fields: bool,
    /// Record events only for the agreements a submission names (ticked or refused), and
    /// accept a required one left out: an imported log states what happened, and nothing
    /// may be made up for it (no refusal it did not record).
    pub only_named: bool,
    /// The leaf's `channel` of each given and refused event: `import` for imported ones.
    pub provenance: Option<&'static str>,
}

impl<'t, 'c> Catalog<'t, 'c> {
    pub fn new(tx: &'t Tx<'c>) -> Self {
        Catalog {
            tx,
            sources: RefCell::new(HashMap::new()),
            stamp: None,
        }
    }

    /// A catalog that starts from what an earlier transaction's read, if the configuration
    /// is unchanged since.
    pub fn resume(tx: &'t Tx<'c>, kept: Option<Kept>) -> Result<Self, StoreError> {
        let stamp = tx.config_stamp()?;
        let sources = match kept {
            Some(k) if k.stamp == stamp => k.sources,
            _ => HashMap::new(),
        };
        Ok(Catalog {
            tx,
            sources: RefCell::new(sources),
            stamp: Some(stamp),
        })
    }

    /// What this catalog read, for [`Catalog::resume`] (`None` for one made by `new`).
    pub fn keep(self) -> Option<Kept> {
        Some(Kept {
            stamp: self.stamp?,
            sources: self.sources.into_inner(),
        })
    }

    fn source(&self, code: &str) -> Result<Rc<SourceInfo>, Refused> {
        if let Some(s) = self.sources.borrow().get(code) {
            return Ok(s.clone());
        }
        let Some(record) = self.tx.source_find(code)? else {
            return Err(refuse(
                "source",
                format!("no source `{code}`; `pdconsent source list` shows the codes"),
            ));
        };
        let mut pairs = HashMap::new();
        for link in &record.source.agreements {
            let archived = self
                .tx
                .agreement_find(&link.agreement)?
                .is_none_or(|a| a.archived);
            let texts = self.tx.texts_of(&link.agreement, Some(code))?;
            let checkboxes = RefCell::new(vec![None; texts.len()]);
            pairs.insert(
                link.agreement.clone(),
                Pair {
                    archived,
                    texts,
                    checkboxes,
                },
            );
        }
        let keys = field_keys(&record);
        let info = Rc::new(SourceInfo {
            record,
            pairs,
            keys,
        });
        self.sources
            .borrow_mut()
            .insert(code.to_string(), info.clone());
        Ok(info)
    }

    /// The checkbox as the revisions of the registration `t` (one of `pair`'s) presented it.
    fn checkbox(&self, pair: &Pair, t: &TextRecord) -> Result<Checkbox, Refused> {
        let at = pair.texts.iter().position(|x| std::ptr::eq(x, t));
        if let Some(c) = at.and_then(|i| pair.checkboxes.borrow()[i]) {
            return Ok(c);
        }
        let a = self
            .tx
            .agreement_revision(&t.agreement, t.agreement_revision)?;
        let s = self.tx.source_revision(&t.source, t.source_revision)?;
        let link: Option<&Link> = s
            .source
            .agreements
            .iter()
            .find(|l| l.agreement == t.agreement);
        let b = Behaviour::effective(&a.settings, link);
        let c = Checkbox {
            checked_by_default: b.checked_by_default,
            required: b.required,
        };
        if let Some(i) = at {
            pair.checkboxes.borrow_mut()[i] = Some(c);
        }
        Ok(c)
    }

    /// Validates `c` against the configuration and appends its events.
    pub fn record(
        &self,
        c: &Checked,
        opts: Options,
        recorded_at: &str,
    ) -> Result<Recorded, Refused> {
        let src = self.source(&c.source)?;
        if let Some(ext) = &c.external_id {
            let existing = self.tx.consent_by_external_id(&c.source, ext)?;
            if !existing.is_empty() {
                return Ok(Recorded {
                    events: existing,
                    earlier_texts: Vec::new(),
                    duplicate: true,
                });
            }
        }
        if src.record.archived {
            return Err(refuse(
                "source",
                format!(
                    "source `{}` is archived: it collects no consents; `pdconsent source restore {}` brings it back",
                    c.source, c.source
                ),
            ));
        }
        let links = &src.record.source.agreements;
        if links.is_empty() {
            return Err(refuse(
                "source",
                format!(
                    "source `{}` carries no agreement; link one with `pdconsent source edit {} --link AGREEMENT`",
                    c.source, c.source
                ),
            ));
        }
        let codes: Vec<&str> = links.iter().map(|l| l.agreement.as_str()).collect();
        let ticked: Vec<String> = match &c.agreements {
            Some(a) => a.clone(),
            // The one agreement of the source, unless it is the one refused.
            None if links.len() == 1 => {
                if c.refused.contains(&links[0].agreement) {
                    Vec::new()
                } else {
                    vec![links[0].agreement.clone()]
                }
            }
            None => {
                return Err(refuse(
                    "agreements",
                    format!(
                        "source `{}` carries {} agreements ({}); name the ticked ones (--agreement)",
                        c.source,
                        links.len(),
                        codes.join(", ")
                    ),
                ));
            }
        };
        for (list, name) in [(&ticked, "agreements"), (&c.refused, "refused")] {
            for a in list.iter() {
                if !codes.contains(&a.as_str()) {
                    return Err(refuse(
                        name,
                        format!(
                            "`{a}` is not an agreement of source `{}`; it carries {}",
                            c.source,
                            codes.join(", ")
                        ),
                    ));
                }
            }
        }
        if let Some(a) = ticked.iter().find(|a| c.refused.contains(a)) {
            return Err(refuse(
                "refused",
                format!("`{a}` is both ticked and refused"),
            ));
        }
        for a in c.text_sha256.keys() {
            if !codes.contains(&a.as_str()) {
                return Err(refuse(
                    &format!("text_sha256.{a}"),
                    format!("`{a}` is not an agreement of source `{}`", c.source),
                ));
            }
        }
        // One event per agreement of the source, in the source's order.
        let mut planned: Vec<(LeafKind, &TextRecord, Checkbox)> = Vec::new();
        let mut earlier_texts = Vec::new();
        for code in &codes {
            if opts.only_named && !ticked.iter().chain(&c.refused).any(|a| a == code) {
                continue;
            }
            let pair = &src.pairs[*code];
            if pair.archived {
                // An archived agreement collects no consents: a form that still shows it
                // records none for it, and naming it is an error.
                if ticked.iter().any(|a| a == code) || c.refused.iter().any(|a| a == code) {
                    return Err(refuse(
                        "agreements",
                        format!(
                            "agreement `{code}` is archived: it collects no consents; `pdconsent agreement restore {code}` brings it back"
                        ),
                    ));
                }
                continue;
            }
            let t = self.pinned_text(c, code, pair)?;
            if pair
                .texts
                .last()
                .is_some_and(|last| last.sha256 != t.sha256)
            {
                earlier_texts.push((code.to_string(), t.agreement_revision));
            }
            let checkbox = self.checkbox(pair, t)?;
            let is_ticked = ticked.iter().any(|a| a == code);
            if !is_ticked && checkbox.required && !opts.only_named {
                return Err(refuse(
                    "agreements",
                    format!(
                        "`{code}` is required on `{}` but was not ticked: the form cannot have been submitted without it",
                        c.source
                    ),
                ));
            }
            let kind = if is_ticked {
                LeafKind::Given
            } else {
                LeafKind::Refused
            };
            planned.push((kind, t, checkbox));
        }
        if planned.is_empty() {
            return Err(refuse(
                "agreements",
                format!(
                    "no agreement of source `{}` collects consents (all are archived): nothing to record",
                    c.source
                ),
            ));
        }
        let fields = self.resolve_fields(&src, c, opts)?;
        let envelope = Envelope {
            fields,
            ip: c.ip.clone(),
            url: c.url.clone(),
            user_agent: c.user_agent.clone(),
            reason: None,
        };
        let salt = draw_salt().map_err(|e| refuse("salt", e))?;
        let commitment = envelope
            .commit(&salt)
            .map_err(|e| refuse("fields", e.to_string()))?;
        let keys = crate::domain::ledger::subject_keys(&envelope.fields);
        let env_id = self.tx.ledger_envelope_add(&envelope, &salt, &keys)?;
        let mut events = Vec::with_capacity(planned.len());
        for (kind, t, checkbox) in planned {
            let mut leaf = Leaf::new(
                0,
                new_event_id(),
                kind,
                c.at.clone(),
                recorded_at.to_string(),
            );
            leaf.agreement = Some(t.agreement.clone());
            leaf.revision = Some(t.agreement_revision);
            leaf.requisites = t.requisites.clone();
            leaf.requisites_revision = t.requisites_revision;
            leaf.source = Some(t.source.clone());
            leaf.source_revision = Some(t.source_revision);
            leaf.text_sha256 = t.sha256.clone();
            leaf.checkbox = Some(checkbox);
            leaf.external_id = c.external_id.clone();
            leaf.channel = opts.provenance.map(str::to_string);
            leaf.commitment = Some(crate::domain::ledger::to_hex(&commitment.0));
            self.tx.ledger_append(&mut leaf, Some(env_id))?;
            events.push(LeafRow {
                leaf,
                envelope: Some(env_id),
            });
        }
        Ok(Recorded {
            events,
            earlier_texts,
            duplicate: false,
        })
    }

    /// The registered text the page showed: the one named by its hash (current or earlier),
    /// or the one current at the submission's time.
    fn pinned_text<'p>(
        &self,
        c: &Checked,
        code: &str,
        pair: &'p Pair,
    ) -> Result<&'p TextRecord, Refused> {
        let shown = |t: &&TextRecord| t.sha256.is_some();
        if let Some(h) = c.text_sha256.get(code) {
            let field = format!("text_sha256.{code}");
            let with_hash = || {
                pair.texts
                    .iter()
                    .filter(|t| t.sha256.as_deref() == Some(h.as_str()))
            };
            // The registration in force at the submission's time: the same text can be
            // registered again with other revisions (another checkbox default, another link).
            if let Some(t) = with_hash().rfind(|t| t.current_from.as_str() <= c.at.as_str()) {
                return Ok(t);
            }
            let Some(t) = with_hash().next() else {
                return Err(refuse(
                    &field,
                    format!(
                        "pdconsent never produced the text {h} for `{code}` on `{}`: the page showed another text; `pdconsent agreement texts {code} --source {}` lists the real ones",
                        c.source, c.source
                    ),
                ));
            };
            let first = pair
                .texts
                .iter()
                .filter(|x| x.sha256 == t.sha256)
                .map(|x| x.current_from.as_str())
                .min()
                .unwrap_or(&t.current_from);
            if c.at.as_str() < first {
                return Err(refuse(
                    "at",
                    format!(
                        "{} is before the text {h} existed (it was first shown at {first})",
                        c.at
                    ),
                ));
            }
            return Ok(t);
        }
        let t = pair
            .texts
            .iter()
            .rev()
            .find(|t| t.current_from.as_str() <= c.at.as_str());
        match t {
            Some(t) if shown(&t) => Ok(t),
            Some(_) => Err(refuse(
                "at",
                format!("`{code}` showed no text on `{}` at {}", c.source, c.at),
            )),
            None => Err(refuse(
                "at",
                match pair.texts.first() {
                    Some(f) => format!(
                        "{} is before `{code}` had a text on `{}` (its first is from {})",
                        c.at, c.source, f.current_from
                    ),
                    None => format!(
                        "`{code}` has no registered text on `{}`; run `pdconsent agreement check {code}`",
                        c.source
                    ),
                },
            )),
        }
    }

    /// The submission's fields under the source's captions.
    fn resolve_fields(
        &self,
        info: &SourceInfo,
        c: &Checked,
        opts: Options,
    ) -> Result<std::collections::BTreeMap<String, String>, Refused> {
        let captions = &info.record.source.fields;
        let mut out = std::collections::BTreeMap::new();
        for (key, value) in &c.fields {
            let caption = info
                .keys
                .get(key.as_str())
                .or_else(|| info.keys.get(&key.to_lowercase()))
                .cloned()
                .or_else(|| opts.allow_extra_fields.then(|| key.clone()));
            let Some(caption) = caption else {
                return Err(refuse(
                    &format!("fields.{key}"),
                    format!(
                        "`{key}` is not a field of source `{}`; its fields are: {} (or email, phone, name); --allow-extra-fields keeps unknown ones",
                        c.source,
                        if captions.is_empty() {
                            "none".to_string()
                        } else {
                            captions.join(", ")
                        }
                    ),
                ));
            };
            if out.insert(caption.clone(), value.clone()).is_some() {
                return Err(refuse(
                    &format!("fields.{key}"),
                    format!("`{key}` names the field `{caption}`, which is given twice"),
                ));
            }
        }
        Ok(out)
    }
}

/// The caption a submission's key names: the caption itself (any case), its English
/// caption, or `email`, `phone`, `name` for the field of that kind.
pub fn resolve_key(src: &SourceRecord, key: &str) -> Option<String> {
    let fields = &src.source.fields;
    let lower = key.to_lowercase();
    if let Some(f) = fields.iter().find(|f| f.to_lowercase() == lower) {
        return Some(f.clone());
    }
    if let Some((f, _)) = src
        .source
        .captions_en
        .iter()
        .find(|(_, en)| en.to_lowercase() == lower)
    {
        return Some(f.clone());
    }
    let wanted = match lower.as_str() {
        "email" | "e-mail" => SubjectKey::Email,
        "phone" | "tel" => SubjectKey::Phone,
        "name" => {
            return fields
                .iter()
                .find(|f| {
                    let f = f.to_lowercase();
                    f == "имя" || f.contains("имя") || f.contains("name")
                })
                .cloned();
        }
        _ => return None,
    };
    fields
        .iter()
        .find(|f| SubjectKey::of_caption(f) == wanted)
        .cloned()
}

/// 32 bytes from the operating system's random number generator.
pub fn draw_salt() -> Result<Salt, String> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b)
        .map_err(|e| format!("the system's random number generator failed: {e}"))?;
    Ok(Salt(b))
}
