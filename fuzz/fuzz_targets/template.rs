//! Custom templates: `check_template` (what `agreement add/set --custom-text`
//! runs before saving) and `render` with a fixed context (sparse requisites and
//! lists, a chat source), in both languages.
//!
//! Asserts: no panic, no hang (minijinja's fuel, the recursion limit and the
//! bounds of `bounds::check`; run with -timeout); a text rendered is in the
//! normal form of `normalize`, has no control character but line breaks and
//! tabs, carries its own SHA-256, and is the same when rendered again.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pdconsent::domain::agreement::{CUSTOM, Language, Settings};
use pdconsent::domain::field::{TEXT_CONTROLS, find_control};
use pdconsent::domain::render::{self, RenderInput, normalize, sha256_hex};
use pdconsent::domain::requisites::{Kind, Requisites};
use pdconsent::domain::source::{Source, SourceKind};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(source) = std::str::from_utf8(rest) else {
        return;
    };
    let lang = if pick & 1 == 0 {
        Language::Ru
    } else {
        Language::En
    };
    if let Err(e) = render::check_template(source, lang) {
        let _ = e.to_string();
    }
    // Another context than check_template's: few values, a chat, no URL.
    let mut r = Requisites::new("main", Kind::Individual);
    r.short_name = "ИП Иванов".into();
    let mut s = Settings::new("Согласие", lang, "main");
    s.template = CUSTOM.into();
    s.custom_text = Some(source.to_string());
    s.purposes = vec!["обратная связь".into()];
    let chat = Source::new("chat", SourceKind::Openline, "Чат");
    let input = RenderInput {
        code: "fuzz",
        revision: 2,
        settings: &s,
        requisites: (pick & 2 == 0).then_some(&r),
        source: (pick & 4 == 0).then_some(&chat),
    };
    match render::render(&input) {
        Ok(out) => {
            assert_eq!(normalize(&out.text), out.text, "the text is normalised");
            assert_eq!(
                find_control(&out.text, TEXT_CONTROLS),
                None,
                "{:?}",
                out.text
            );
            assert_eq!(out.sha256, sha256_hex(out.text.as_bytes()));
            let again = render::render(&input).expect("renders again");
            assert_eq!(again.text, out.text, "the same text twice");
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
