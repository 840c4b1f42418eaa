//! A receipt as a person reads it: plain text, or one printable HTML page with no external
//! resources. Both end with the receipt's JSON between the BEGIN and END lines, which is what
//! `receipt verify` and docs/verify_receipt.py check; the words above it are its rendering.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::build::Receipt;
use crate::domain::ledger::receipt::{BEGIN, END};

/// The words of a receipt in one language.
struct Words {
    title: &'static str,
    receipt_id: &'static str,
    operator: &'static str,
    inn: &'static str,
    ogrn: &'static str,
    address: &'static str,
    contacts: &'static str,
    dpo: &'static str,
    agreement: &'static str,
    revision: &'static str,
    event: &'static str,
    given: &'static str,
    refused: &'static str,
    withdrawn: &'static str,
    when: &'static str,
    from: &'static str,
    data: &'static str,
    erased: &'static str,
    purposes: &'static str,
    third_parties: &'static str,
    term: &'static str,
    how_to_withdraw: &'static str,
    withdraw_by_email: &'static str,
    withdraw_by_post: &'static str,
    duty: &'static str,
    was_withdrawn: &'static str,
    destroy_by: &'static str,
    ends_consent: &'static str,
    text: &'static str,
    proof: &'static str,
    proof_line: &'static str,
    verify_with: &'static str,
    ip: &'static str,
    page: &'static str,
    browser: &'static str,
    reason: &'static str,
}

const RU: Words = Words {
    title: "Квитанция о согласии на обработку персональных данных",
    receipt_id: "Номер квитанции",
    operator: "Оператор",
    inn: "ИНН",
    ogrn: "ОГРН",
    address: "Адрес",
    contacts: "Контакты",
    dpo: "Ответственный за обработку ПДн",
    agreement: "Согласие",
    revision: "редакция",
    event: "Событие",
    given: "согласие дано",
    refused: "в согласии отказано",
    withdrawn: "согласие отозвано",
    when: "Дата и время",
    from: "Получено через",
    data: "Ваши данные",
    erased: "данные уничтожены",
    purposes: "Цели обработки",
    third_parties: "Третьи лица",
    term: "Срок",
    how_to_withdraw: "Как отозвать согласие",
    withdraw_by_email: "напишите на",
    withdraw_by_post: "или направьте письмо по адресу",
    duty: "Получив отзыв, оператор обязан прекратить обработку и уничтожить данные не позднее чем через {days} дней (ч. 5 ст. 21 Федерального закона № 152-ФЗ).",
    was_withdrawn: "Согласие отозвано",
    destroy_by: "данные должны быть уничтожены не позднее",
    ends_consent: "Отзывает согласие — запись",
    text: "Текст согласия",
    proof: "Доказательство",
    proof_line: "Запись № {seq} журнала согласий «{origin}»; подписанный снимок журнала из {size} записей ({signed}), ключ {vkey}.",
    verify_with: "Проверить квитанцию без доступа к базе оператора",
    ip: "IP-адрес",
    page: "Страница",
    browser: "Браузер",
    reason: "Причина",
};

const EN: Words = Words {
    title: "Consent receipt: processing of personal data",
    receipt_id: "Receipt id",
    operator: "Controller",
    inn: "INN",
    ogrn: "OGRN",
    address: "Address",
    contacts: "Contact",
    dpo: "Data protection officer",
    agreement: "Consent",
    revision: "revision",
    event: "Event",
    given: "consent given",
    refused: "consent refused",
    withdrawn: "consent withdrawn",
    when: "Date and time",
    from: "Collected through",
    data: "Your data",
    erased: "erased",
    purposes: "Purposes",
    third_parties: "Third parties",
    term: "Term",
    how_to_withdraw: "How to withdraw",
    withdraw_by_email: "write to",
    withdraw_by_post: "or send a letter to",
    duty: "Once it receives a withdrawal the controller must stop processing and destroy the data within {days} days (152-FZ art. 21 §5).",
    was_withdrawn: "Consent withdrawn",
    destroy_by: "the data must be destroyed by",
    ends_consent: "Withdraws the consent recorded as",
    text: "The text of the consent",
    proof: "Proof",
    proof_line: "Entry {seq} of the consent log `{origin}`; signed checkpoint of {size} entries ({signed}), key {vkey}.",
    verify_with: "Check this receipt without the operator's database",
    ip: "IP address",
    page: "Page",
    browser: "Browser",
    reason: "Reason",
};

/// A time as the person reads it: local in the operator's zone, and UTC.
fn local(at: &str, tz: Tz) -> String {
    match at.parse::<DateTime<Utc>>() {
        Ok(t) => format!(
            "{} ({}; {at})",
            t.with_timezone(&tz).format("%d.%m.%Y %H:%M:%S"),
            tz.name()
        ),
        Err(_) => at.to_string(),
    }
}

/// The receipt's sections as (heading, lines) pairs, shared by text and HTML.
struct Section {
    heading: Option<String>,
    lines: Vec<(String, String)>,
}

fn sections(r: &Receipt) -> (Vec<Section>, &'static Words) {
    let w = if r.language == "en" { &EN } else { &RU };
    let d = &r.pdconsent;
    let tz: Tz = d.time_zone.parse().unwrap_or(Tz::UTC);
    let mut out = Vec::new();

    let mut head = vec![(w.receipt_id.to_string(), r.consent_receipt_id.clone())];
    let op = &d.operator;
    let mut name = op.full_name.clone().unwrap_or(op.name.clone());
    if let Some(inn) = &op.inn {
        let _ = write!(name, ", {} {inn}", w.inn);
    }
    if let Some(ogrn) = &op.ogrn {
        let _ = write!(name, ", {} {ogrn}", w.ogrn);
    }
    head.push((w.operator.into(), name));
    if let Some(a) = &op.address {
        head.push((w.address.into(), a.clone()));
    }
    let contacts: Vec<&str> = [&op.email, &op.phone, &op.website]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    if !contacts.is_empty() {
        head.push((w.contacts.into(), contacts.join(", ")));
    }
    if let Some(dpo) = &op.dpo {
        head.push((w.dpo.into(), dpo.clone()));
    }
    out.push(Section {
        heading: None,
        lines: head,
    });

    let mut ev = Vec::new();
    if let Some(a) = &d.agreement {
        let mut s = match &a.name {
            Some(n) => format!("«{n}» ({})", a.code),
            None => a.code.clone(),
        };
        if let Some(rev) = a.revision {
            let _ = write!(s, ", {} {rev}", w.revision);
        }
        ev.push((w.agreement.into(), s));
    }
    let event = match d.event.as_str() {
        "given" => w.given,
        "refused" => w.refused,
        _ => w.withdrawn,
    };
    ev.push((w.event.into(), format!("{event} (#{})", d.seq)));
    ev.push((w.when.into(), local(&d.at, tz)));
    ev.push((w.from.into(), r.collection_method.clone()));
    if let Some(seq) = d.withdraws {
        ev.push((w.ends_consent.into(), format!("#{seq}")));
    }
    for s in &r.services {
        let purposes: Vec<&str> = s.purposes.iter().map(|p| p.purpose.as_str()).collect();
        if let Some(p) = s.purposes.first() {
            ev.push((w.purposes.into(), purposes.join("; ")));
            if let Some(t) = &p.third_party_name {
                ev.push((w.third_parties.into(), t.clone()));
            }
            ev.push((w.term.into(), p.termination.clone()));
        }
    }
    out.push(Section {
        heading: None,
        lines: ev,
    });

    let mut data = Vec::new();
    match &d.subject {
        Some(s) => {
            if let Some(fields) = s.get("fields").and_then(|f| f.as_object()) {
                for (k, v) in fields {
                    data.push((k.clone(), v.as_str().unwrap_or_default().to_string()));
                }
            }
            for (key, label) in [
                ("ip", w.ip),
                ("url", w.page),
                ("user_agent", w.browser),
                ("reason", w.reason),
            ] {
                if let Some(v) = s.get(key).and_then(|v| v.as_str()) {
                    data.push((label.into(), v.to_string()));
                }
            }
        }
        None => data.push((
            w.erased.into(),
            d.erased_at
                .as_deref()
                .map_or(String::new(), |at| local(at, tz)),
        )),
    }
    out.push(Section {
        heading: Some(w.data.into()),
        lines: data,
    });

    let wd = &d.withdrawal;
    let mut how = String::new();
    if let Some(e) = &wd.email {
        let _ = write!(how, "{} {e}", w.withdraw_by_email);
    }
    if let Some(a) = &wd.address {
        if !how.is_empty() {
            how.push(' ');
            how.push_str(w.withdraw_by_post);
        } else {
            how.push_str(
                w.withdraw_by_post
                    .trim_start_matches("или ")
                    .trim_start_matches("or "),
            );
        }
        let _ = write!(how, " {a}");
    }
    if !how.is_empty() {
        how.push_str(". ");
    }
    how.push_str(
        &w.duty
            .replace("{days}", &wd.destroy_within_days.to_string()),
    );
    let mut lines = vec![(String::new(), how)];
    if let (Some(at), Some(by)) = (&wd.withdrawn_at, &wd.destroy_by_date) {
        lines.push((
            w.was_withdrawn.into(),
            format!(
                "{} (#{}); {} {by}",
                local(at, tz),
                wd.withdrawn_by.unwrap_or_default(),
                w.destroy_by
            ),
        ));
    } else if let Some(by) = &wd.destroy_by_date {
        lines.push((w.was_withdrawn.into(), format!("{} {by}", w.destroy_by)));
    }
    out.push(Section {
        heading: Some(w.how_to_withdraw.into()),
        lines,
    });
    (out, w)
}

fn proof_line(r: &Receipt, w: &Words) -> String {
    let l = &r.pdconsent.log;
    w.proof_line
        .replace("{seq}", &r.pdconsent.seq.to_string())
        .replace("{origin}", &l.origin)
        .replace("{size}", &l.tree_size.to_string())
        .replace("{signed}", &l.signed_at)
        .replace("{vkey}", &l.vkey)
}

fn verify_commands() -> [&'static str; 2] {
    [
        "pdconsent receipt verify RECEIPT --vkey KEY",
        "python3 verify_receipt.py RECEIPT --vkey KEY",
    ]
}

/// The plain-text receipt.
pub fn text(r: &Receipt, json: &str) -> String {
    let (sections, w) = sections(r);
    let mut s = format!("{}\n{}\n\n", w.title, "=".repeat(w.title.chars().count()));
    for sec in &sections {
        if let Some(h) = &sec.heading {
            let _ = writeln!(s, "{h}");
        }
        for (k, v) in &sec.lines {
            let v = crate::output::sanitize(v);
            if k.is_empty() {
                let _ = writeln!(s, "{v}");
            } else {
                let _ = writeln!(s, "{}: {v}", crate::output::sanitize(k));
            }
        }
        s.push('\n');
    }
    if let Some(t) = &r.pdconsent.text {
        let _ = writeln!(
            s,
            "{}\nSHA-256 {}\n\n{}\n",
            w.text,
            r.pdconsent.text_sha256.as_deref().unwrap_or_default(),
            crate::output::sanitize_multiline(t).trim_end()
        );
    }
    let _ = writeln!(s, "{}\n{}", w.proof, proof_line(r, w));
    let _ = writeln!(s, "{}:", w.verify_with);
    for c in verify_commands() {
        let _ = writeln!(s, "    {c}");
    }
    let _ = write!(s, "\n{BEGIN}\n{json}\n{END}\n");
    s
}

/// HTML-escaped text.
fn esc(s: &str) -> String {
    crate::output::document::escape_html(s)
}

/// The printable HTML receipt. The JSON sits in a `<script type="application/json">`, which
/// no browser runs, with `<`, `>` and `&` written as JSON escapes so it cannot end the element.
pub fn html(r: &Receipt, json: &str) -> String {
    let (sections, w) = sections(r);
    let mut s = String::new();
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n\
         body {{ font: 11pt/1.4 Georgia, 'Times New Roman', serif; max-width: 46em; margin: 2em auto; padding: 0 1em; color: #111; }}\n\
         h1 {{ font-size: 15pt; margin-bottom: .2em; }} h2 {{ font-size: 12pt; margin: 1.2em 0 .3em; }}\n\
         table {{ border-collapse: collapse; width: 100%; }} th {{ text-align: left; vertical-align: top; width: 30%; padding: .15em .8em .15em 0; font-weight: normal; color: #555; }}\n\
         td {{ padding: .15em 0; overflow-wrap: anywhere; }} .text {{ white-space: pre-wrap; border-left: 3px solid #ccc; padding-left: 1em; font-size: 10pt; }}\n\
         .proof, code {{ font: 8.5pt/1.3 'DejaVu Sans Mono', monospace; overflow-wrap: anywhere; }}\n\
         @media print {{ body {{ margin: 0; max-width: none; }} }}\n</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        esc(&r.language),
        esc(w.title),
        esc(w.title)
    );
    for sec in &sections {
        if let Some(h) = &sec.heading {
            let _ = writeln!(s, "<h2>{}</h2>", esc(h));
        }
        s.push_str("<table>\n");
        for (k, v) in &sec.lines {
            if k.is_empty() {
                let _ = writeln!(s, "<tr><td colspan=\"2\">{}</td></tr>", esc(v));
            } else {
                let _ = writeln!(s, "<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(v));
            }
        }
        s.push_str("</table>\n");
    }
    if let Some(t) = &r.pdconsent.text {
        let _ = writeln!(
            s,
            "<h2>{}</h2>\n<p class=\"proof\">SHA-256 {}</p>\n<div class=\"text\">{}</div>",
            esc(w.text),
            esc(r.pdconsent.text_sha256.as_deref().unwrap_or_default()),
            esc(t.trim_end())
        );
    }
    let _ = writeln!(
        s,
        "<h2>{}</h2>\n<p class=\"proof\">{}</p>\n<p>{}:</p>",
        esc(w.proof),
        esc(&proof_line(r, w)),
        esc(w.verify_with)
    );
    for c in verify_commands() {
        let _ = writeln!(s, "<p><code>{}</code></p>", esc(c));
    }
    let safe = json
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");
    let _ = write!(
        s,
        "<script type=\"application/json\" id=\"pdconsent-receipt\">\n{BEGIN}\n{safe}\n{END}\n</script>\n</body>\n</html>\n"
    );
    s
}
