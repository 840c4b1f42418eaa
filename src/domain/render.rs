//! Rendering an agreement revision into the exact text a person agrees to.
//!
//! The rule for deterministic bytes (docs/templates.md, "The text and its hash"):
//! the template is rendered as plain text, then normalised — line endings `\n`,
//! no trailing white space on any line, no trailing blank lines, exactly one
//! final `\n`, Unicode NFC — and the SHA-256 of those UTF-8 bytes identifies
//! the text. The same revision, requisites and source give the same bytes.

use std::fmt;

use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

use super::agreement::{CUSTOM, Language, Role, Settings};
use super::requisites::{Kind, Requisites};
use super::source::{Source, SourceKind};

mod bounds;
mod context;

pub use bounds::{MAX_BLOCK_DEPTH, MAX_TAG_BYTES, MAX_TAG_OPERATIONS, MAX_TEMPLATE_BYTES};
use context::build_context;
pub use context::{
    Channels, data_categories, listed_captions, listed_fields, lists_source_fields,
    restrictions_field,
};

/// The stack of the thread that compiles and renders a template. Within the
/// limits of [`bounds`] a template needs well under 1 MiB; this is room for
/// some 150,000 levels of an expression at the worst 430 bytes a level that
/// was measured, whatever stack the caller's own thread has. It is reserved,
/// not used: the pages that are never touched cost nothing.
const RENDER_STACK_BYTES: usize = 64 * 1024 * 1024;

/// The built-in templates, embedded in the binary: (id, language, source).
pub const BUILTIN: &[(&str, Language, &str)] = &[
    (
        "ru-152fz-consent",
        Language::Ru,
        include_str!("../../templates/ru-152fz-consent.txt.j2"),
    ),
    (
        "ru-152fz-marketing",
        Language::Ru,
        include_str!("../../templates/ru-152fz-marketing.txt.j2"),
    ),
    (
        "ru-152fz-distribution",
        Language::Ru,
        include_str!("../../templates/ru-152fz-distribution.txt.j2"),
    ),
    (
        "en-consent",
        Language::En,
        include_str!("../../templates/en-consent.txt.j2"),
    ),
    (
        "en-marketing",
        Language::En,
        include_str!("../../templates/en-marketing.txt.j2"),
    ),
];

/// The source of a built-in template.
pub fn builtin(id: &str) -> Option<&'static str> {
    BUILTIN
        .iter()
        .find(|(i, _, _)| *i == id)
        .map(|(_, _, s)| *s)
}

/// A template that does not parse or does not render, with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "line {l}, column {c}: {}", self.message),
            (Some(l), None) => write!(f, "line {l}: {}", self.message),
            _ => write!(f, "{}", self.message),
        }
    }
}

impl std::error::Error for TemplateError {}

fn template_error(e: &minijinja::Error, source: &str) -> TemplateError {
    let column = e.range().map(|r| {
        let start = r.start.min(source.len());
        let line_start = source[..start].rfind('\n').map(|i| i + 1).unwrap_or(0);
        source[line_start..start].chars().count() + 1
    });
    let message = match e.detail() {
        Some(d) => format!("{}: {d}", e.kind()),
        None => e.kind().to_string(),
    };
    TemplateError {
        line: e.line(),
        column,
        message,
    }
}

/// A sandbox: no loader (so no files), no environment, bounded work, strict
/// about unknown variables, and no escaping — the output is plain text.
fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.set_fuel(Some(2_000_000));
    env.set_recursion_limit(50);
    // Functions whose output is not legal text: `debug()` prints the engine's
    // internal state and `pprint` Rust's debug form, both with bytes that
    // depend on the library's version.
    env.remove_global("debug");
    env.remove_filter("pprint");
    env
}

/// Something unfilled that the text shows as a visible marker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub setting: String,
    pub message: String,
    pub hint: String,
}

/// What a text is rendered from: an agreement revision, its requisites and the source it is shown on.
pub struct RenderInput<'a> {
    pub code: &'a str,
    pub revision: u32,
    pub settings: &'a Settings,
    /// `None` when the requisites the revision names no longer exist.
    pub requisites: Option<&'a Requisites>,
    pub source: Option<&'a Source>,
}

/// A rendered text with its SHA-256, its label and what was left unfilled.
#[derive(Debug, Clone, Serialize)]
pub struct Rendered {
    pub text: String,
    pub sha256: String,
    pub label: String,
    pub warnings: Vec<Warning>,
    /// The personal data the text lists (source fields or the agreement's, plus what is recorded).
    pub fields: Vec<String>,
}

/// Line endings `\n`, no trailing white space, one final newline, NFC.
pub fn normalize(text: &str) -> String {
    let unified = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::with_capacity(unified.len() + 1);
    for line in unified.split('\n') {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let trimmed = out.trim_end_matches('\n');
    let mut result: String = trimmed.nfc().collect();
    result.push('\n');
    result
}

/// The SHA-256 of `bytes` as 64 lowercase hex digits.
pub fn sha256_hex(bytes: &[u8]) -> String {
    crate::domain::ledger::merkle::hex(&Sha256::digest(bytes))
}

/// Renders a revision. Fails only when the template itself is broken.
pub fn render(input: &RenderInput) -> Result<Rendered, TemplateError> {
    let s = input.settings;
    let source = if s.template == CUSTOM {
        s.custom_text.as_deref().unwrap_or("")
    } else {
        builtin(&s.template).ok_or_else(|| TemplateError {
            line: None,
            column: None,
            message: format!("unknown template `{}`", s.template),
        })?
    };
    let ctx = build_context(input);
    let raw = compile_and_render(source, &ctx.value)?;
    let text = normalize(&raw);
    // A custom text is refused with control characters, but a template can
    // still write one with an escape (`{{ "\x1b[2J" }}`), and an older
    // pdconsent stored them: the text would drive the terminal that shows it.
    if let Some((line, column, c)) = super::field::find_control(&text, super::field::TEXT_CONTROLS)
    {
        return Err(TemplateError {
            line: None,
            column: None,
            message: format!(
                "the rendered text contains {} at its line {line}, column {column}; a text may hold line breaks and tabs, no other control, invisible or bidirectional characters (look for an escape such as \"\\x1b\" in the template, or a value that holds one)",
                super::field::describe_forbidden(c)
            ),
        });
    }
    let label: String = s.effective_label().nfc().collect();
    // An older pdconsent stored labels unchecked for invisible characters.
    if let Some((_, column, c)) = super::field::find_control(&label, &[]) {
        return Err(TemplateError {
            line: None,
            column: None,
            message: format!(
                "the label contains {} at character {column}; edit it with --set label=…",
                super::field::describe_forbidden(c)
            ),
        });
    }
    Ok(Rendered {
        sha256: sha256_hex(text.as_bytes()),
        text,
        label,
        warnings: ctx.warnings,
        fields: ctx.fields,
    })
}

/// Compiles and renders a template within [`bounds`], on a thread with a
/// stack of known size: a stack overflow would abort the whole process.
fn compile_and_render(source: &str, ctx: &Value) -> Result<String, TemplateError> {
    bounds::check(source)?;
    let failed = |message: String| TemplateError {
        line: None,
        column: None,
        message,
    };
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("render".into())
            .stack_size(RENDER_STACK_BYTES)
            .spawn_scoped(scope, || {
                let env = environment();
                let tmpl = env
                    .template_from_str(source)
                    .map_err(|e| template_error(&e, source))?;
                tmpl.render(minijinja::Value::from(minijinja::value::Serde(ctx)))
                    .map_err(|e| template_error(&e, source))
            })
            .map_err(|e| failed(format!("cannot start the thread that renders it: {e}")))?;
        worker
            .join()
            .unwrap_or_else(|_| Err(failed("the template engine failed on it".to_string())))
    })
}

/// Every problem of an agreement's settings under `code`, its custom template
/// compiled and rendered against a complete example ([`check_template`]).
pub fn validate(code: &str, settings: &Settings) -> Result<(), super::field::Invalid> {
    settings.validate_with(code, &|text, lang| {
        check_template(text, lang).map_err(|e| e.to_string())
    })
}

/// Checks a custom template when it is saved: it must parse, and render
/// against a complete example without touching an unknown variable.
///
/// The example has every list filled (purposes, fields, processors, recipients,
/// restrictions) and is rendered without a source, for a form and for a chat, so
/// that a loop body or a branch that reads a wrong key fails now, not when a
/// consent arrives.
pub fn check_template(source: &str, lang: Language) -> Result<(), TemplateError> {
    let mut r = Requisites::new("example", Kind::Legal);
    r.short_name = "ООО «Пример»".into();
    r.full_name = Some("Общество с ограниченной ответственностью «Пример»".into());
    r.inn = Some("7717586110".into());
    r.kpp = Some("770501001".into());
    r.ogrn = Some("5077746476209".into());
    r.legal_address = Some("г. Москва".into());
    r.postal_address = Some("г. Москва, а/я 1".into());
    r.email = Some("privacy@example.ru".into());
    r.phone = Some("+7 495 000-00-00".into());
    r.website = Some("https://example.ru".into());
    let mut s = Settings::new("example", lang, "example");
    s.template = CUSTOM.into();
    s.custom_text = Some(source.to_string());
    s.purposes = vec!["пример".into()];
    s.fields = vec!["имя".into()];
    s.restrictions = vec!["запрет".into()];
    s.third_parties = [Role::Processor, Role::Recipient]
        .into_iter()
        .map(|role| super::agreement::ThirdParty {
            name: "ООО «Партнер»".into(),
            inn: "7840502513".into(),
            address: "г. Санкт-Петербург".into(),
            role,
        })
        .collect();
    let mut form = Source::new("example", SourceKind::Form, "example");
    form.url = Some("https://example.ru/form".into());
    let chat = Source::new("chat", SourceKind::Openline, "chat");
    for source in [None, Some(&form), Some(&chat)] {
        render(&RenderInput {
            code: "example",
            revision: 1,
            settings: &s,
            requisites: Some(&r),
            source,
        })?;
    }
    Ok(())
}

/// The label split around its `%…%` link: (before, link, after); `%%` is a literal `%`.
pub fn split_label(label: &str) -> (String, String, String) {
    let l = super::agreement::parse_label(label);
    (l.before, l.link, l.after)
}

#[cfg(test)]
mod tests;
