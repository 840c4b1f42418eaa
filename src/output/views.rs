//! The JSON contract: one `#[derive(Serialize)]` view per shape that
//! `--format json` prints (docs/json.md describes them, docs/schemas/ pins them).
//! It passes 600 lines on purpose: the whole contract is read in one place,
//! and each view is short.
//!
//! Views are built from storage records and domain types by plain
//! constructors; whatever needs the database (an agreement's effective
//! withdrawal e-mail, the agreements behind a source's links, the agreements
//! using a set of requisites) is looked up by the command and passed in.
//!
//! Field order is the order of the keys in the output. The views of stored
//! objects (agreements, sources, requisites) were first printed from
//! `serde_json::Value` maps, whose keys serde_json sorts; those views declare
//! their fields in alphabetical order so the bytes stay the same, and the
//! test `alphabetical_views_print_sorted_keys` keeps them so. The other views
//! print in declaration order, as they always have.

use serde::Serialize;
use serde_json::Value;

use crate::domain::agreement::{Action, Language, Method, Role, Settings, ThirdParty};
use crate::domain::check::Finding;
use crate::domain::diff::FieldChange;
use crate::domain::render::{Rendered, Warning};
use crate::domain::requisites::{Kind, Requisites};
use crate::domain::source::{Behaviour, Link, Source, SourceKind};
use crate::storage::{
    AgreementRecord, AgreementRevisionRecord, Counts, LogRecord, RequisitesRecord, SourceRecord,
};

/// `agreement show` / `list` / `add` / `edit`: the bookkeeping of an agreement,
/// every setting of the revision shown, flat, and what is in effect.
/// Fields in alphabetical order (the key order of the output).
#[derive(Debug, Clone, Serialize)]
pub struct AgreementView {
    pub actions: Vec<Action>,
    pub archived: bool,
    /// Automated decision-making the processing involves (`null`: none).
    pub automated_decisions: Option<String>,
    pub checked_by_default: bool,
    pub code: String,
    pub created_at: String,
    pub custom_text: Option<String>,
    /// The label shown: the agreement's own, or the language's default.
    pub effective_label: String,
    /// The agreement's withdrawal e-mail, else the one of its requisites.
    pub effective_withdrawal_email: Option<String>,
    pub fields: Vec<String>,
    pub label: Option<String>,
    pub language: Language,
    pub methods: Method,
    pub name: String,
    pub purposes: Vec<String>,
    pub require_reading: bool,
    pub required: bool,
    pub requisites: String,
    pub restrictions: Vec<String>,
    pub revision: u32,
    /// Who made the revision shown.
    pub revision_actor: String,
    /// When the revision shown was made.
    pub revision_created_at: String,
    pub template: String,
    pub term: String,
    pub third_parties: Vec<ThirdPartyView>,
    pub updated_at: String,
    pub url: Option<String>,
    pub withdrawal_email: Option<String>,
    /// True when `effective_withdrawal_email` comes from the requisites.
    pub withdrawal_email_is_default: bool,
}

impl AgreementView {
    /// `effective_withdrawal_email` and `withdrawal_email_is_default` are what
    /// the command found in the database for `rec.settings`.
    pub fn new(
        rec: &AgreementRecord,
        effective_withdrawal_email: Option<String>,
        withdrawal_email_is_default: bool,
    ) -> AgreementView {
        // No `..`: a new setting does not compile until it is in the view.
        let Settings {
            name,
            language,
            template,
            custom_text,
            requisites,
            required,
            checked_by_default,
            require_reading,
            label,
            url,
            purposes,
            actions,
            methods,
            term,
            third_parties,
            withdrawal_email,
            fields,
            restrictions,
            automated_decisions,
        } = &rec.settings;
        AgreementView {
            actions: actions.clone(),
            archived: rec.archived,
            automated_decisions: automated_decisions.clone(),
            checked_by_default: *checked_by_default,
            code: rec.code.clone(),
            created_at: rec.created_at.clone(),
            custom_text: custom_text.clone(),
            effective_label: rec.settings.effective_label().to_string(),
            effective_withdrawal_email,
            fields: fields.clone(),
            label: label.clone(),
            language: *language,
            methods: *methods,
            name: name.clone(),
            purposes: purposes.clone(),
            require_reading: *require_reading,
            required: *required,
            requisites: requisites.clone(),
            restrictions: restrictions.clone(),
            revision: rec.revision,
            revision_actor: rec.revision_actor.clone(),
            revision_created_at: rec.revision_created_at.clone(),
            template: template.clone(),
            term: term.clone(),
            third_parties: third_parties.iter().map(ThirdPartyView::new).collect(),
            updated_at: rec.updated_at.clone(),
            url: url.clone(),
            withdrawal_email: withdrawal_email.clone(),
            withdrawal_email_is_default,
        }
    }
}

/// A third party of an agreement (`third_parties` of [`AgreementView`]).
/// Fields in alphabetical order (the key order of the output).
#[derive(Debug, Clone, Serialize)]
pub struct ThirdPartyView {
    pub address: String,
    pub inn: String,
    pub name: String,
    pub role: Role,
}

impl ThirdPartyView {
    pub fn new(t: &ThirdParty) -> ThirdPartyView {
        let ThirdParty {
            name,
            inn,
            address,
            role,
        } = t;
        ThirdPartyView {
            address: address.clone(),
            inn: inn.clone(),
            name: name.clone(),
            role: *role,
        }
    }
}

/// `source show` / `list` / `add` / `edit`: a source, its bookkeeping, and each
/// linked agreement with its effective behaviour.
/// Fields in alphabetical order (the key order of the output).
#[derive(Debug, Clone, Serialize)]
pub struct SourceView {
    pub agreements: Vec<SourceLinkView>,
    pub archived: bool,
    /// English captions of the fields, by caption (`{}` when none).
    pub captions_en: std::collections::BTreeMap<String, String>,
    pub code: String,
    pub created_at: String,
    pub fields: Vec<String>,
    pub kind: SourceKind,
    pub name: String,
    /// The revision these values are (texts are pinned to it).
    pub revision: u32,
    pub updated_at: String,
    pub url: Option<String>,
    pub warning: bool,
}

impl SourceView {
    /// `agreements` are the views of `rec.source.agreements`, in their order.
    pub fn new(rec: &SourceRecord, agreements: Vec<SourceLinkView>) -> SourceView {
        let Source {
            code,
            kind,
            name,
            url,
            fields,
            warning,
            agreements: _,
            captions_en,
        } = &rec.source;
        SourceView {
            agreements,
            archived: rec.archived,
            captions_en: captions_en.clone(),
            code: code.clone(),
            created_at: rec.created_at.clone(),
            fields: fields.clone(),
            kind: *kind,
            name: name.clone(),
            revision: rec.revision,
            updated_at: rec.updated_at.clone(),
            url: url.clone(),
            warning: *warning,
        }
    }
}

/// An agreement linked to a source (`agreements` of [`SourceView`]): the
/// overrides (`null` = as the agreement says) and what is in effect.
/// Fields in alphabetical order (the key order of the output).
#[derive(Debug, Clone, Serialize)]
pub struct SourceLinkView {
    pub agreement: String,
    pub agreement_archived: bool,
    /// The agreement's current revision.
    pub agreement_revision: u32,
    pub checked_by_default: Option<bool>,
    pub effective: EffectiveBehaviourView,
    pub require_reading: Option<bool>,
    pub required: Option<bool>,
}

impl SourceLinkView {
    /// `agreement` is the current record of the agreement `link` names.
    pub fn new(link: &Link, agreement: &AgreementRecord) -> SourceLinkView {
        SourceLinkView {
            agreement: link.agreement.clone(),
            agreement_archived: agreement.archived,
            agreement_revision: agreement.revision,
            checked_by_default: link.checked_by_default,
            effective: EffectiveBehaviourView::new(Behaviour::effective(
                &agreement.settings,
                Some(link),
            )),
            require_reading: link.require_reading,
            required: link.required,
        }
    }
}

/// `effective` of [`SourceLinkView`]: the behaviour after the overrides.
/// Fields in alphabetical order (the key order of the output) — unlike
/// `behaviour` of [`PreviewView`], which keeps the order of [`Behaviour`].
#[derive(Debug, Clone, Copy, Serialize)]
pub struct EffectiveBehaviourView {
    pub checked_by_default: bool,
    pub require_reading: bool,
    pub required: bool,
}

impl EffectiveBehaviourView {
    pub fn new(b: Behaviour) -> EffectiveBehaviourView {
        let Behaviour {
            required,
            checked_by_default,
            require_reading,
        } = b;
        EffectiveBehaviourView {
            checked_by_default,
            require_reading,
            required,
        }
    }
}

/// `requisites show` / `list` / `add` / `edit`: a set of requisites, its
/// bookkeeping and the agreements that use it.
/// Fields in alphabetical order (the key order of the output).
#[derive(Debug, Clone, Serialize)]
pub struct RequisitesView {
    pub code: String,
    pub created_at: String,
    /// The default set, used by agreements that name none.
    pub default: bool,
    /// The data protection officer (GDPR art. 13(1)(b)).
    pub dpo: Option<String>,
    pub email: Option<String>,
    /// The representative in the EU (GDPR art. 27).
    pub eu_representative: Option<String>,
    pub full_name: Option<String>,
    pub inn: Option<String>,
    pub kind: Kind,
    pub kpp: Option<String>,
    pub legal_address: Option<String>,
    pub ogrn: Option<String>,
    pub ogrnip: Option<String>,
    pub phone: Option<String>,
    pub postal_address: Option<String>,
    /// The revision these values are (texts are pinned to it).
    pub revision: u32,
    pub short_name: String,
    pub updated_at: String,
    /// Codes of the agreements that name this set.
    pub used_by: Vec<String>,
    pub website: Option<String>,
}

impl RequisitesView {
    pub fn new(rec: &RequisitesRecord, used_by: Vec<String>) -> RequisitesView {
        let Requisites {
            code,
            kind,
            short_name,
            full_name,
            inn,
            kpp,
            ogrn,
            ogrnip,
            legal_address,
            postal_address,
            email,
            phone,
            website,
            dpo,
            eu_representative,
            is_default,
        } = &rec.requisites;
        RequisitesView {
            code: code.clone(),
            created_at: rec.created_at.clone(),
            default: *is_default,
            email: email.clone(),
            full_name: full_name.clone(),
            inn: inn.clone(),
            kind: *kind,
            kpp: kpp.clone(),
            legal_address: legal_address.clone(),
            ogrn: ogrn.clone(),
            ogrnip: ogrnip.clone(),
            phone: phone.clone(),
            postal_address: postal_address.clone(),
            revision: rec.revision,
            short_name: short_name.clone(),
            updated_at: rec.updated_at.clone(),
            used_by,
            website: website.clone(),
            dpo: dpo.clone(),
            eu_representative: eu_representative.clone(),
        }
    }
}

/// The `before` and `after` of an `archive` / `restore` entry in the change
/// log (what `log` prints for it). One field.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ArchivedView {
    pub archived: bool,
}

impl ArchivedView {
    pub fn new(archived: bool) -> ArchivedView {
        ArchivedView { archived }
    }
}

/// One entry of a `history` (agreement, requisites, source). Fields in
/// declaration order; `settings` prints in the declaration order of its type.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntryView<T> {
    pub revision: u32,
    pub created_at: String,
    pub actor: String,
    /// The settings this revision changed (empty for revision 1).
    pub changed: Vec<String>,
    pub settings: T,
}

impl HistoryEntryView<Settings> {
    pub fn new(rev: &AgreementRevisionRecord, changed: Vec<String>) -> HistoryEntryView<Settings> {
        HistoryEntryView {
            revision: rev.revision,
            created_at: rev.created_at.clone(),
            actor: rev.actor.clone(),
            changed,
            settings: rev.settings.clone(),
        }
    }
}

/// A `diff` (agreement, requisites, source): what changed between two revisions. Fields in declaration order.
#[derive(Debug, Clone, Serialize)]
pub struct DiffView {
    pub code: String,
    pub from: u32,
    pub to: u32,
    pub changes: Vec<FieldChange>,
}

impl DiffView {
    pub fn new(code: &str, from: u32, to: u32, changes: Vec<FieldChange>) -> DiffView {
        DiffView {
            code: code.to_string(),
            from,
            to,
            changes,
        }
    }
}

/// One finding of `agreement check`: which agreement (and source), then the
/// finding's own fields. Fields in declaration order.
#[derive(Debug, Clone, Serialize)]
pub struct CheckFindingView {
    pub agreement: String,
    pub revision: u32,
    pub source: Option<String>,
    #[serde(flatten)]
    pub finding: Finding,
}

impl CheckFindingView {
    pub fn new(
        agreement: &str,
        revision: u32,
        source: Option<&str>,
        finding: Finding,
    ) -> CheckFindingView {
        CheckFindingView {
            agreement: agreement.to_string(),
            revision,
            source: source.map(str::to_string),
            finding,
        }
    }
}

/// The revisions of the requisites and the source a text was rendered from.
#[derive(Debug, Clone, Copy)]
pub struct Pinned<'a> {
    pub requisites: Option<&'a str>,
    pub requisites_revision: Option<u32>,
    pub source_revision: Option<u32>,
}

/// `agreement preview --format json`: the rendered text and what the form does
/// with its checkbox. Fields in declaration order.
#[derive(Debug, Clone, Serialize)]
pub struct PreviewView<'a> {
    pub agreement: &'a str,
    pub revision: u32,
    pub source: Option<&'a str>,
    /// The source's revision the text was rendered from.
    pub source_revision: Option<u32>,
    /// The requisites (code and revision) the text was rendered from.
    pub requisites: Option<&'a str>,
    pub requisites_revision: Option<u32>,
    pub language: &'static str,
    pub template: &'a str,
    pub sha256: &'a str,
    pub text: &'a str,
    pub label: &'a str,
    pub url: Option<&'a str>,
    pub behaviour: Behaviour,
    pub fields: &'a [String],
    pub warnings: &'a [Warning],
}

impl<'a> PreviewView<'a> {
    /// `settings` of the revision rendered; `behaviour` as the source's link makes it.
    pub fn new(
        agreement: &'a str,
        revision: u32,
        source: Option<&'a str>,
        settings: &'a Settings,
        rendered: &'a Rendered,
        behaviour: Behaviour,
        pinned: Pinned<'a>,
    ) -> PreviewView<'a> {
        PreviewView {
            agreement,
            revision,
            source,
            source_revision: pinned.source_revision,
            requisites: pinned.requisites,
            requisites_revision: pinned.requisites_revision,
            language: settings.language.as_str(),
            template: &settings.template,
            sha256: &rendered.sha256,
            text: &rendered.text,
            label: &rendered.label,
            url: settings.url.as_deref(),
            behaviour,
            fields: &rendered.fields,
            warnings: &rendered.warnings,
        }
    }
}

/// One entry of `log`: who changed which object when, and its values before
/// and after (as logged: an object's settings, or [`ArchivedView`]).
/// Fields in declaration order.
#[derive(Debug, Clone, Serialize)]
pub struct LogEntryView {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub object_kind: String,
    pub object_code: String,
    pub action: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl LogEntryView {
    pub fn new(rec: &LogRecord) -> LogEntryView {
        LogEntryView {
            id: rec.id,
            at: rec.at.clone(),
            actor: rec.actor.clone(),
            object_kind: rec.object_kind.clone(),
            object_code: rec.object_code.clone(),
            action: rec.action.clone(),
            before: rec.before.clone(),
            after: rec.after.clone(),
        }
    }
}

/// `info`: where the database is, its schema and what it holds.
/// Fields in declaration order.
#[derive(Debug, Clone, Serialize)]
pub struct InfoView {
    pub database: String,
    pub schema_version: u32,
    pub supported_schema_version: u32,
    pub pdconsent_version: &'static str,
    pub counts: Counts,
}

impl InfoView {
    /// The open database's path, schema version and counts; this pdconsent's
    /// own schema version and version.
    pub fn new(database: String, schema_version: u32, counts: Counts) -> InfoView {
        InfoView {
            database,
            schema_version,
            supported_schema_version: crate::storage::latest_version(),
            pdconsent_version: env!("CARGO_PKG_VERSION"),
            counts,
        }
    }
}

/// One entry of `template list`. Fields in declaration order.
#[derive(Debug, Clone, Serialize)]
pub struct TemplateView {
    pub id: &'static str,
    pub language: &'static str,
    pub description: &'static str,
}

impl TemplateView {
    /// An entry of `domain::render::BUILTIN` with its description.
    pub fn new(id: &'static str, language: Language, description: &'static str) -> TemplateView {
        TemplateView {
            id,
            language: language.as_str(),
            description,
        }
    }
}

/// `template show ID --format json`: a built-in template's source.
/// Fields in alphabetical order (the key order of the output).
#[derive(Debug, Clone, Serialize)]
pub struct TemplateSourceView<'a> {
    pub id: &'a str,
    pub language: Option<&'static str>,
    pub source: &'a str,
}

impl<'a> TemplateSourceView<'a> {
    pub fn new(id: &'a str, language: Option<Language>, source: &'a str) -> TemplateSourceView<'a> {
        TemplateSourceView {
            id,
            language: language.map(Language::as_str),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::agreement::CUSTOM;

    /// Serialised directly and through a `Value` (which sorts keys at every
    /// level), a view must print the same bytes: its fields, and those of
    /// everything in it, are in alphabetical order.
    fn assert_sorted<T: Serialize>(view: &T) {
        let direct = serde_json::to_string_pretty(view).unwrap();
        let sorted = serde_json::to_string_pretty(&serde_json::to_value(view).unwrap()).unwrap();
        assert_eq!(direct, sorted, "fields are not in alphabetical order");
    }

    fn agreement() -> AgreementRecord {
        let mut settings = Settings::new("Согласие", Language::Ru, "main");
        settings.template = CUSTOM.to_string();
        settings.custom_text = Some("текст".into());
        settings.label = Some("Я согласен".into());
        settings.url = Some("https://example.ru".into());
        settings.purposes = vec!["цель".into()];
        settings.withdrawal_email = Some("dpo@example.ru".into());
        settings.fields = vec!["имя".into()];
        settings.restrictions = vec!["запрет".into()];
        settings.third_parties = vec![
            ThirdParty::parse("name=ООО «Доставка»,inn=7717586110,address=Москва,role=processor")
                .unwrap(),
        ];
        AgreementRecord {
            code: "site-form".into(),
            archived: false,
            revision: 2,
            created_at: "2026-01-01T00:00:00Z".into(),
            updated_at: "2026-01-02T00:00:00Z".into(),
            revision_created_at: "2026-01-02T00:00:00Z".into(),
            revision_actor: "tester".into(),
            settings,
        }
    }

    #[test]
    fn alphabetical_views_print_sorted_keys() {
        let a = agreement();
        assert_sorted(&AgreementView::new(
            &a,
            Some("dpo@example.ru".into()),
            false,
        ));
        assert_sorted(&AgreementView::new(&a, None, true));

        let mut source = Source::new("contact-form", SourceKind::Form, "Форма");
        source.url = Some("https://example.ru/form".into());
        source.fields = vec!["имя".into()];
        let link = Link::parse("site-form,required=false").unwrap();
        source.agreements = vec![link.clone()];
        let rec = SourceRecord {
            source,
            revision: 1,
            archived: true,
            created_at: "2026-01-01T00:00:00Z".into(),
            updated_at: "2026-01-02T00:00:00Z".into(),
        };
        assert_sorted(&SourceView::new(&rec, vec![SourceLinkView::new(&link, &a)]));

        let mut r = Requisites::new("main", Kind::Legal);
        r.short_name = "ООО «Ромашка»".into();
        r.email = Some("info@example.ru".into());
        let rec = RequisitesRecord {
            requisites: r,
            revision: 1,
            created_at: "2026-01-01T00:00:00Z".into(),
            updated_at: "2026-01-02T00:00:00Z".into(),
        };
        assert_sorted(&RequisitesView::new(&rec, vec!["site-form".into()]));

        assert_sorted(&ArchivedView::new(true));
        assert_sorted(&TemplateSourceView::new(
            "ru-152fz-consent",
            Some(Language::Ru),
            "…",
        ));
    }

    /// The agreement view is the record's bookkeeping plus every setting, flat:
    /// the keys `serde_json` gives the settings are all there.
    #[test]
    fn agreement_view_has_every_setting() {
        let a = agreement();
        let view = serde_json::to_value(AgreementView::new(&a, None, true)).unwrap();
        let settings = serde_json::to_value(&a.settings).unwrap();
        for (k, v) in settings.as_object().unwrap() {
            assert_eq!(&view[k], v, "setting `{k}`");
        }
    }
}

/// What an edit prints with `--format json`: the object as `show` prints it,
/// plus the texts the edit changed (empty when none).
#[derive(Debug, Clone, Serialize)]
pub struct Edited<'a, T> {
    #[serde(flatten)]
    pub object: &'a T,
    pub texts_changed: &'a [crate::storage::TextChange],
}
