//! The source wizard.

use crate::domain::source::{Link, Source, SourceKind};
use crate::prompt::Prompter;

pub fn run(p: &mut dyn Prompter, mut s: Source, agreements: &[String]) -> anyhow::Result<Source> {
    s.name = p.input("Name", "--name", &s.name, &|v| {
        if v.trim().is_empty() {
            Err("a name is required".into())
        } else {
            Ok(())
        }
    })?;
    let kinds = vec![
        "form — a web form".to_string(),
        "openline — a chat channel".to_string(),
    ];
    let was = s.kind;
    s.kind = if p.select(
        "Kind",
        "--kind",
        &kinds,
        usize::from(s.kind == SourceKind::Openline),
    )? == 0
    {
        SourceKind::Form
    } else {
        SourceKind::Openline
    };
    if s.kind != was && s.fields == was.default_fields() {
        s.fields = s.kind.default_fields();
    }
    let url = p.input(
        "Page URL (optional)",
        "--set url=…",
        s.url.as_deref().unwrap_or(""),
        &|v| {
            let v = v.trim();
            if v.is_empty() || v.starts_with("https://") || v.starts_with("http://") {
                Ok(())
            } else {
                Err("an http(s) address, or empty".into())
            }
        },
    )?;
    s.url = (!url.is_empty()).then_some(url);
    let fields = p.input(
        "Field captions, separated by `;` (every input is personal data, even a comment)",
        "--add-field",
        &s.fields.join("; "),
        &|_| Ok(()),
    )?;
    s.fields = fields
        .split(';')
        .map(|f| f.trim().to_string())
        .filter(|f| !f.is_empty())
        .collect();
    s.warning = s.kind == SourceKind::Openline
        && p.confirm(
            "Send the personal-data warning with the agreement before the chat starts?",
            s.warning || was != s.kind,
        )?;
    if !agreements.is_empty() {
        let chosen: Vec<bool> = agreements
            .iter()
            .map(|a| s.agreements.iter().any(|l| &l.agreement == a))
            .collect();
        let picked = p.multi_select(
            "Agreements on this source (each consent its own document)",
            "--link",
            agreements,
            &chosen,
        )?;
        let old = std::mem::take(&mut s.agreements);
        for i in picked {
            let code = &agreements[i];
            // Keep existing overrides of links that stay.
            let link = old
                .iter()
                .find(|l| &l.agreement == code)
                .cloned()
                .unwrap_or(Link {
                    agreement: code.clone(),
                    required: None,
                    checked_by_default: None,
                    require_reading: None,
                });
            s.agreements.push(link);
        }
    }
    s.normalize();
    Ok(s)
}
