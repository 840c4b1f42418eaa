//! Rendering: `agreement preview` in every format, custom templates, and the
//! `template` command.

use serde_json::{Value, json};

use crate::common::*;

/// The `<input …>` tag of an HTML snippet.
fn input_tag(html: &str) -> &str {
    let start = html.find("<input ").expect("an <input> in the snippet");
    let end = start + html[start..].find('>').expect("the <input> is closed");
    &html[start..=end]
}

/// The attributes of the outer `<div …>` of an HTML snippet.
fn div_tag(html: &str) -> &str {
    assert!(html.starts_with("<div "), "{html}");
    &html[..=html.find('>').unwrap()]
}

/// `preview` of the agreement in a format, exit 0 and nothing on stderr.
#[track_caller]
fn preview(env: &Env, args: &[&str], format: &str) -> String {
    let mut full = vec!["agreement", "preview"];
    full.extend(args);
    full.extend(["--format", format]);
    let r = env.ok(&full);
    assert_eq!(without_pin(&r.stderr), "", "{full:?} warned");
    r.stdout
}

/// stderr without the line the text form adds: the text's hash and what pins it.
fn without_pin(stderr: &str) -> String {
    stderr
        .lines()
        .filter(|l| !l.starts_with("sha256 "))
        .map(|l| format!("{l}\n"))
        .collect()
}

// -------------------------------------------------------------------- preview

#[test]
fn text_in_a_pipe_is_the_exact_text_then_the_checkbox() {
    let env = Env::with_example();
    let args = ["personal-data", "--source", "contact-form"];
    let json = env.json(&["agreement", "preview", args[0], args[1], args[2]]);
    let text = json["text"].as_str().unwrap();

    let plain = env.ok(&["agreement", "preview", args[0], args[1], args[2]]);
    // Beside the text, on stderr: its hash and the revisions it was rendered from.
    assert_eq!(
        plain.stderr,
        format!(
            "sha256 {} · agreement `personal-data` revision 1 · requisites `main` revision 1 · source `contact-form` revision 1\n",
            json["sha256"].as_str().unwrap()
        )
    );
    assert_eq!(
        preview(&env, &args, "text"),
        plain.stdout,
        "text is the default"
    );
    // Not wrapped in a pipe: the text itself, then the checkbox line.
    assert_eq!(
        plain.stdout,
        format!("{text}\n[ ] Я даю согласие на обработку персональных данных (обязательно)\n")
    );
    assert!(
        plain.stdout.lines().any(|l| l.chars().count() > 300),
        "a paragraph is one line"
    );
    insta::assert_snapshot!("preview_text", plain.stdout);
    insta::assert_snapshot!("preview_markdown", preview(&env, &args, "markdown"));
    insta::assert_snapshot!("preview_html", preview(&env, &args, "html"));

    // The advertising consent is optional; the word says so.
    let marketing = preview(&env, &["marketing", "--source", "contact-form"], "text");
    assert!(
        marketing
            .ends_with("\n\n[ ] Я даю согласие на получение рекламы и рассылок (необязательно)\n"),
        "{marketing}"
    );
    // The source's overrides decide the box: ticked, optional.
    env.ok(&[
        "source",
        "edit",
        "contact-form",
        "--link",
        "personal-data,required=false,checked_by_default=true",
    ]);
    let ticked = preview(&env, &args, "text");
    assert!(
        ticked
            .ends_with("\n\n[x] Я даю согласие на обработку персональных данных (необязательно)\n"),
        "{ticked}"
    );
    // Linking again replaces the overrides: `required` is the agreement's again.
    env.ok(&[
        "source",
        "edit",
        "contact-form",
        "--link",
        "personal-data,checked_by_default=true",
    ]);
    let ticked = preview(&env, &args, "text");
    assert!(
        ticked.ends_with("\n\n[x] Я даю согласие на обработку персональных данных (обязательно)\n"),
        "{ticked}"
    );
    assert_eq!(
        ticked.replace("[x]", "[ ]"),
        plain.stdout,
        "the text itself is the same"
    );
}

#[test]
fn json_has_the_documented_keys_and_the_hash_of_its_text() {
    let env = Env::with_example();
    let v = env.json(&[
        "agreement",
        "preview",
        "personal-data",
        "--source",
        "contact-form",
    ]);
    assert_has_keys(
        &v,
        &[
            "agreement",
            "revision",
            "source",
            "language",
            "template",
            "sha256",
            "text",
            "label",
            "url",
            "behaviour",
            "fields",
            "warnings",
        ],
    );
    let text = v["text"].as_str().unwrap();
    assert_eq!(v["sha256"], sha256_hex(text.as_bytes()));
    assert_eq!(v["agreement"], "personal-data");
    assert_eq!(v["revision"], 1);
    assert_eq!(v["source"], "contact-form");
    assert_eq!(v["language"], "ru");
    assert_eq!(v["template"], "ru-152fz-consent");
    assert_eq!(
        v["label"],
        "Я даю %согласие на обработку персональных данных%"
    );
    assert_eq!(v["url"], Value::Null);
    assert_eq!(
        v["behaviour"],
        json!({"required": true, "checked_by_default": false, "require_reading": false})
    );
    assert_eq!(
        v["fields"],
        json!([
            "имя",
            "адрес электронной почты",
            "номер телефона",
            "комментарий",
            "IP-адрес",
            "адрес страницы (URL), с которой отправлена форма"
        ])
    );
    assert_eq!(v["warnings"], json!([]));

    // The normal form of the text: LF, no trailing spaces, one final newline.
    assert!(text.starts_with("Согласие на обработку персональных данных\n\n"));
    assert!(text.ends_with(".\n") && !text.ends_with("\n\n"), "{text}");
    assert!(!text.contains('\r'));
    assert!(
        text.lines().all(|l| l == l.trim_end()),
        "trailing white space"
    );
    for f in ["- имя;", "- комментарий;", "- IP-адрес;"] {
        assert!(text.contains(f), "no `{f}` in the text");
    }
    assert!(text.contains("ООО «Облачные системы», ИНН 7717586110"));
    assert!(text.contains("https://severny-veter.ru/contacts"));

    // Without a source: the agreement's own fields, and a null source.
    let alone = env.json(&["agreement", "preview", "personal-data"]);
    assert_eq!(alone["source"], Value::Null);
    assert_eq!(
        alone["fields"],
        json!([
            "фамилия, имя, отчество",
            "номер телефона",
            "адрес электронной почты",
            "IP-адрес",
            "адрес страницы (URL), на которой дано согласие"
        ])
    );
    assert_eq!(
        alone["sha256"],
        sha256_hex(alone["text"].as_str().unwrap().as_bytes())
    );
    assert_ne!(alone["sha256"], v["sha256"], "another source, another text");

    // A chat: the recorded page is where the chat began, the box as linked.
    let chat = env.json(&[
        "agreement",
        "preview",
        "personal-data",
        "--source",
        "site-chat",
    ]);
    assert_eq!(
        chat["fields"].as_array().unwrap().last().unwrap(),
        "адрес страницы (URL), с которой начат чат"
    );
    assert_eq!(chat["fields"][3], "фотография");

    // The html snippet carries the same hash, as the checkbox value too.
    let html = preview(&env, &["personal-data", "--source", "contact-form"], "html");
    let sha = v["sha256"].as_str().unwrap();
    assert!(
        div_tag(&html).contains(&format!(
            "data-agreement=\"personal-data\" data-revision=\"1\" data-sha256=\"{sha}\" data-source=\"contact-form\""
        )),
        "{html}"
    );
    assert!(
        input_tag(&html).contains(&format!("value=\"{sha}\"")),
        "{html}"
    );
}

#[test]
fn html_escapes_user_text_and_follows_the_behaviour() {
    let env = Env::with_site();
    env.ok(&[
        "agreement",
        "edit",
        "site",
        "--add-purpose",
        "<script>alert(\"x\")</script> & 'ещё'",
        "--add-field",
        "имя",
        "--set",
        "label=Я <b>даю</b> %согласие & подтверждаю%",
    ]);
    let html = preview(&env, &["site"], "html");
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(!html.contains("<b>"), "{html}");
    assert!(
        html.contains(
            "<li>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;ещё&#39;.</li>"
        ),
        "{html}"
    );
    assert!(
        html.contains("Я &lt;b&gt;даю&lt;/b&gt; <a href=\"#pdconsent-site-text\" onclick=\"document.getElementById('pdconsent-site-text').open=true\">согласие &amp; подтверждаю</a></label>"),
        "{html}"
    );
    let div = div_tag(&html);
    assert!(!div.contains("data-source"), "no source: {div}");
    assert!(div.contains("data-revision=\"2\""), "{div}");
    // The agreement's own behaviour: required, not ticked, not locked.
    let input = input_tag(&html);
    assert!(input.ends_with(" required>"), "{input}");
    assert!(!input.contains(" checked") && !input.contains(" disabled"));
    assert!(
        !html.contains("<script>"),
        "no script without require_reading"
    );

    // The same text in Markdown is escaped for Markdown, `&` included, and
    // the label's link goes to an anchor of the same output (issue 9).
    let md = preview(&env, &["site"], "markdown");
    assert!(
        md.starts_with("<a id=\"pdconsent-site\"></a>\n\n## "),
        "{md}"
    );
    assert!(
        md.contains("- \\<script\\>alert(\"x\")\\</script\\> \\& 'ещё'."),
        "{md}"
    );
    assert!(
        md.ends_with(
            "- [ ] Я \\<b\\>даю\\</b\\> [согласие \\& подтверждаю](#pdconsent-site) (обязательно)\n"
        ),
        "{md}"
    );
    // With a published url, the label links there.
    env.ok(&[
        "agreement",
        "edit",
        "site",
        "--set",
        "url=https://romashka.ru/consent",
    ]);
    let md = preview(&env, &["site"], "markdown");
    assert!(
        md.contains("[согласие \\& подтверждаю](https://romashka.ru/consent)")
            && !md.contains("<a id="),
        "{md}"
    );
    let html = preview(&env, &["site"], "html");
    assert!(
        html.contains(
            "<a href=\"https://romashka.ru/consent\" target=\"_blank\" rel=\"noopener\">"
        ),
        "{html}"
    );

    // The source's overrides decide `required` and `checked`.
    env.ok(&[
        "source",
        "add",
        "f",
        "--kind",
        "form",
        "--name",
        "Форма",
        "--add-field",
        "имя",
        "--link",
        "site,required=false",
    ]);
    let html = preview(&env, &["site", "--source", "f"], "html");
    let input = input_tag(&html);
    assert!(input.ends_with("\">"), "{input}");
    assert!(!input.contains(" required"), "{input}");
    assert!(div_tag(&html).contains("data-source=\"f\""));
    // A box ticked by default has no HTML snippet (issue 9; tests/cli/legal.rs),
    // but the setting stays readable.
    env.ok(&[
        "source",
        "edit",
        "f",
        "--link",
        "site,required=false,checked_by_default=true",
    ]);
    let v = env.json(&["agreement", "preview", "site", "--source", "f"]);
    assert_eq!(
        v["behaviour"],
        json!({"required": false, "checked_by_default": true, "require_reading": false})
    );
}

#[test]
fn require_reading_opens_the_text_before_the_box_can_be_ticked() {
    let env = Env::with_site();
    env.ok(&["agreement", "edit", "site", "--add-field", "имя"]);
    env.ok(&[
        "source",
        "add",
        "f",
        "--kind",
        "form",
        "--name",
        "Форма",
        "--link",
        "site,require_reading=true",
    ]);
    let html = preview(&env, &["site", "--source", "f"], "html");
    let input = input_tag(&html);
    // Never disabled: browsers skip disabled boxes when they enforce `required`.
    assert!(input.ends_with(" required>"), "{input}");
    assert!(
        div_tag(&html).contains(" data-require-reading=\"true\""),
        "{html}"
    );
    assert!(
        html.contains(
            "<script>(function(){var t=document.getElementById(\"pdconsent-site.f-text\")"
        ),
        "{html}"
    );
    assert!(html.contains("e.preventDefault();t.open=true;"), "{html}");
    assert!(html.ends_with("</script>\n</div>\n"), "{html}");
    // Without the source the agreement does not ask for it.
    let plain = preview(&env, &["site"], "html");
    assert!(!plain.contains("<script>"), "{plain}");
    assert!(!plain.contains("data-require-reading"));
    // The agreement's own setting does the same.
    env.ok(&["agreement", "edit", "site", "--set", "require_reading=true"]);
    let own = preview(&env, &["site"], "html");
    assert!(
        own.contains("data-require-reading=\"true\"") && own.contains("<script>"),
        "{own}"
    );
    // An override can switch it off for one source.
    env.ok(&[
        "source",
        "edit",
        "f",
        "--link",
        "site,require_reading=false",
    ]);
    let off = preview(&env, &["site", "--source", "f"], "html");
    assert!(!off.contains("<script>"), "{off}");
}

#[test]
fn an_old_revision_renders_its_own_text_and_the_same_input_the_same_bytes() {
    let env = Env::with_site();
    env.ok(&["agreement", "edit", "site", "--add-field", "имя"]);
    let r2 = env.json(&["agreement", "preview", "site"]);
    env.ok(&[
        "agreement",
        "edit",
        "site",
        "--add-purpose",
        "рассмотрение резюме",
    ]);
    let r3 = env.json(&["agreement", "preview", "site"]);
    let old = env.json(&["agreement", "preview", "site", "--revision", "2"]);
    assert_eq!(r3["revision"], 3);
    assert_eq!(old["revision"], 2);
    assert_eq!(old, r2, "revision 2 renders as it did before the edit");
    assert_ne!(old["sha256"], r3["sha256"]);
    assert!(r3["text"].as_str().unwrap().contains("рассмотрение резюме"));
    assert!(
        !old["text"]
            .as_str()
            .unwrap()
            .contains("рассмотрение резюме")
    );
    assert_eq!(
        env.json(&["agreement", "preview", "site", "--revision", "3"]),
        r3
    );
    let html = preview(&env, &["site", "--revision", "2"], "html");
    assert!(
        div_tag(&html).contains(&format!(
            "data-revision=\"2\" data-sha256=\"{}\"",
            old["sha256"].as_str().unwrap()
        )),
        "{html}"
    );

    // Same revision, requisites and source: the same bytes, every time.
    for format in ["text", "markdown", "html", "json"] {
        let once = env.ok(&["agreement", "preview", "site", "--format", format]);
        let again = env.ok(&["agreement", "preview", "site", "--format", format]);
        assert_eq!(once.stdout, again.stdout, "{format}");
    }
    // Another clock does not change the text.
    let later = env
        .ok_at(
            "2030-01-01T00:00:00Z",
            &["agreement", "preview", "site", "--format", "json"],
        )
        .json();
    assert_eq!(later, r3);

    // Requisites are read as they are now, so a change gives another text.
    env.ok(&[
        "requisites",
        "edit",
        "main",
        "--set",
        "legal_address=г. Москва, ул. Ленина, д. 2",
    ]);
    let moved = env.json(&["agreement", "preview", "site"]);
    assert_ne!(moved["sha256"], r3["sha256"]);
    assert!(moved["text"].as_str().unwrap().contains("ул. Ленина, д. 2"));
}

#[test]
fn missing_values_show_as_markers_with_warnings() {
    let env = Env::with_site();
    env.ok(&["agreement", "edit", "site", "--add-field", "имя"]);
    env.ok(&[
        "requisites",
        "edit",
        "main",
        "--unset",
        "legal_address",
        "--unset",
        "email",
    ]);
    let r = env.ok(&["agreement", "preview", "site"]);
    assert!(r.stdout.contains("[не заполнено: адрес]"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("[не заполнено: адрес электронной почты для отзыва]"),
        "{}",
        r.stdout
    );
    let warnings = without_pin(&r.stderr);
    let lines: Vec<&str> = warnings.lines().collect();
    assert!(
        lines.len() >= 4 && lines.len().is_multiple_of(2),
        "warning and hint pairs:\n{}",
        r.stderr
    );
    for pair in lines.chunks(2) {
        assert!(pair[0].starts_with("warning: "), "{}", r.stderr);
        assert!(pair[1].starts_with("hint: pdconsent "), "{}", r.stderr);
    }
    assert!(
        r.stderr
            .contains("hint: pdconsent requisites edit main --set legal_address=…\n"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("hint: pdconsent agreement edit site --set withdrawal_email=…\n"),
        "{}",
        r.stderr
    );

    // The same warnings are data in JSON, and on stderr again.
    let j = env.run(&["agreement", "preview", "site", "--format", "json"]);
    assert_eq!(j.code, 0);
    assert_eq!(j.stderr, without_pin(&r.stderr));
    let v = j.json();
    let settings: Vec<&str> = v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            assert_has_keys(w, &["setting", "message", "hint"]);
            w["setting"].as_str().unwrap()
        })
        .collect();
    assert!(
        settings.contains(&"requisites.legal_address") && settings.contains(&"withdrawal_email"),
        "{settings:?}"
    );
    assert_eq!(
        v["sha256"],
        sha256_hex(v["text"].as_str().unwrap().as_bytes())
    );

    // Every format warns; none fails.
    for format in ["markdown", "html"] {
        let r = env.run(&["agreement", "preview", "site", "--format", format]);
        assert_eq!(r.code, 0, "{format}");
        assert!(r.stderr.starts_with("warning: "), "{format}: {}", r.stderr);
        assert!(r.stdout.contains("не заполнено: адрес"), "{format}");
    }

    // Filled in again, the markers and the warnings are gone.
    env.ok(&[
        "requisites",
        "edit",
        "main",
        "--set",
        "legal_address=г. Москва",
        "--set",
        "email=privacy@romashka.ru",
    ]);
    let r = env.ok(&["agreement", "preview", "site"]);
    assert_eq!(without_pin(&r.stderr), "");
    assert!(!r.stdout.contains("не заполнено"), "{}", r.stdout);
}

#[test]
fn preview_errors() {
    let env = Env::with_site();
    env.ok(&["source", "add", "f", "--kind", "form", "--name", "Форма"]);
    let cases: &[(&[&str], &str)] = &[
        (
            &["agreement", "preview", "nope"],
            "agreement `nope` not found",
        ),
        (
            &["agreement", "preview", "site", "--source", "nope"],
            "source `nope` not found",
        ),
        (
            &["agreement", "preview", "site", "--revision", "2"],
            "revision 2 of agreement `site` not found",
        ),
        (
            &["agreement", "preview", "site", "--format", "table"],
            "`--format table` is not available",
        ),
    ];
    for (args, expected) in cases {
        let r = env.fails(args);
        assert!(
            r.stderr.contains(expected),
            "{args:?}: expected `{expected}` in:\n{}",
            r.stderr
        );
        assert!(r.stderr.contains("\nhint: "), "{args:?}: {}", r.stderr);
    }
    // Another source than the linked ones: rendered, with a warning naming the fix.
    let r = env.ok(&["agreement", "preview", "site", "--source", "f"]);
    assert!(
        r.stderr
            .contains("agreement `site` is not linked to source `f`"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("hint: pdconsent source edit f --link site\n"),
        "{}",
        r.stderr
    );
}

// ----------------------------------------------------------- custom templates

#[test]
fn a_custom_template_with_a_syntax_error_is_not_saved() {
    let env = Env::with_main();
    let file = write(
        &env,
        "bad.txt.j2",
        "Согласие\n\nОператор: {{ operator.display_name }}.\n{% if purposes %}\nЦели: {{ purposes | join(\", \") }}.\n",
    );
    let r = env.fails(&[
        "agreement",
        "add",
        "mine",
        "--name",
        "Моё",
        "--text-file",
        &file,
    ]);
    assert!(r.stderr.contains("custom_text"), "{}", r.stderr);
    assert!(r.stderr.contains("syntax error"), "{}", r.stderr);
    assert!(r.stderr.contains("line 5, column "), "{}", r.stderr);
    env.fails(&["agreement", "show", "mine"]);

    // A misspelt tag, on its line and column.
    let file = write(&env, "tag.txt.j2", "Согласие\n\n{% fi purposes %}\n");
    let r = env.fails(&[
        "agreement",
        "add",
        "mine",
        "--name",
        "Моё",
        "--text-file",
        &file,
    ]);
    assert!(r.stderr.contains("line 3, column 4"), "{}", r.stderr);
}

#[test]
fn a_custom_template_with_an_unknown_variable_is_not_saved() {
    let env = Env::with_site();
    let file = write(
        &env,
        "typo.txt.j2",
        "Согласие\n\nОператор: {{ operater.inn }}.\n",
    );
    let r = env.fails(&[
        "agreement",
        "add",
        "mine",
        "--name",
        "Моё",
        "--text-file",
        &file,
    ]);
    assert!(r.stderr.contains("`operater` is undefined"), "{}", r.stderr);
    assert!(r.stderr.contains("line 3, column 14"), "{}", r.stderr);
    // Attached by edit, it is refused the same way: no new revision.
    let r = env.fails(&["agreement", "edit", "site", "--text-file", &file]);
    assert!(r.stderr.contains("`operater` is undefined"), "{}", r.stderr);
    assert_eq!(env.revisions("site"), 1);
    // An unknown attribute of a known object too.
    let file = write(&env, "attr.txt.j2", "Оператор: {{ operator.innn }}.\n");
    let r = env.fails(&["agreement", "edit", "site", "--text-file", &file]);
    assert!(r.stderr.contains("line 1"), "{}", r.stderr);
}

#[test]
fn a_valid_custom_template_renders() {
    let env = Env::with_main();
    let file = write(
        &env,
        "mine.txt.j2",
        "Согласие на обработку персональных данных\n\n\
         Оператор: {{ operator.display_name }}, {{ operator.legal_address }}.\n\n\
         Цели:\n\
         {%- for p in purposes %}\n- {{ p }}{% if loop.last %}.{% else %};{% endif %}\n{%- endfor %}\n\n\
         Данные: {{ fields | join(\", \") }}.\n\n\
         Действия: {{ actions | join(\", \") }}; обработка {{ methods }}. Срок: {{ term }}.\n\n\
         Отзыв: {{ withdrawal_email }}; данные уничтожаются в течение 30 дней.{% if source %} Источник: {{ source.name }}.{% endif %}\n",
    );
    env.ok(&[
        "agreement",
        "add",
        "mine",
        "--name",
        "Моё",
        "--text-file",
        &file,
        "--add-purpose",
        "обработка заявок",
        "--add-purpose",
        "обратная связь",
        "--add-field",
        "имя",
    ]);
    let v = env.json(&["agreement", "show", "mine"]);
    assert_eq!(v["template"], "custom");
    let r = env.ok(&["agreement", "preview", "mine"]);
    assert_eq!(without_pin(&r.stderr), "");
    assert_eq!(
        r.stdout,
        "Согласие на обработку персональных данных\n\n\
         Оператор: ООО «Ромашка» (ОГРН 1147847057214, ИНН 7840502513), г. Москва, ул. Ленина, д. 1.\n\n\
         Цели:\n- обработка заявок;\n- обратная связь.\n\n\
         Данные: имя, IP-адрес, адрес страницы (URL), на которой дано согласие.\n\n\
         Действия: сбор, запись, систематизация, накопление, хранение, уточнение (обновление, изменение), \
         извлечение, использование, блокирование, удаление, уничтожение; обработка с использованием средств \
         автоматизации и без использования таких средств (смешанная обработка). Срок: до отзыва согласия.\n\n\
         Отзыв: privacy@romashka.ru; данные уничтожаются в течение 30 дней.\n\n\
         [ ] Я даю согласие на обработку персональных данных (обязательно)\n"
    );
    env.ok(&[
        "source",
        "add",
        "f",
        "--kind",
        "form",
        "--name",
        "Форма",
        "--link",
        "mine",
    ]);
    let with_source = env.json(&["agreement", "preview", "mine", "--source", "f"]);
    assert!(
        with_source["text"]
            .as_str()
            .unwrap()
            .ends_with("Источник: Форма.\n"),
        "{with_source:#}"
    );
    // It passes the check: it names everything art. 9 §4 asks of it.
    let c = env.run(&["agreement", "check", "mine", "--format", "json"]);
    assert_eq!(c.code, 0, "{}", c.pinned());
}

#[test]
fn a_copy_of_a_built_in_template_renders_the_same_text() {
    let env = Env::with_site();
    env.ok(&["agreement", "edit", "site", "--add-field", "имя"]);
    let source = env.ok(&["template", "show", "ru-152fz-consent"]).stdout;
    let file = write(&env, "copy.txt.j2", &source);
    env.ok(&[
        "agreement",
        "add",
        "copy",
        "--name",
        "Копия",
        "--text-file",
        &file,
        "--add-purpose",
        "обработка заявок",
        "--add-field",
        "имя",
    ]);
    let builtin = env.json(&["agreement", "preview", "site"]);
    let copy = env.json(&["agreement", "preview", "copy"]);
    assert_eq!(copy["template"], "custom");
    assert_eq!(copy["text"], builtin["text"]);
    assert_eq!(copy["sha256"], builtin["sha256"]);
}

// ------------------------------------------------------------------ templates

#[test]
fn template_list_and_show() {
    let env = Env::new();
    let ids = [
        ("ru-152fz-consent", "ru"),
        ("ru-152fz-marketing", "ru"),
        ("ru-152fz-distribution", "ru"),
        ("en-consent", "en"),
        ("en-marketing", "en"),
    ];
    let list = env.json(&["template", "list"]);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), ids.len());
    for (t, (id, language)) in list.iter().zip(ids) {
        assert_eq!(keys(t), ["description", "id", "language"]);
        assert_eq!(t["id"], id);
        assert_eq!(t["language"], language);
        assert!(!t["description"].as_str().unwrap().is_empty());
    }
    let table = env.ok(&["template", "list"]);
    assert_eq!(table.stderr, "");
    assert!(table.stdout.starts_with("| id "), "{}", table.stdout);
    for (id, _) in ids {
        assert!(
            table.stdout.contains(&format!("| {id} ")),
            "{}",
            table.stdout
        );
    }

    // `show` prints the template's source exactly as shipped.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    for (id, language) in ids {
        let shipped = std::fs::read_to_string(dir.join(format!("{id}.txt.j2"))).unwrap();
        let r = env.ok(&["template", "show", id]);
        assert_eq!(r.stdout, shipped, "{id}");
        assert_eq!(r.stderr, "");
        let v = env.json(&["template", "show", id]);
        assert_eq!(v["id"], id);
        assert_eq!(v["language"], language);
        assert_eq!(v["source"], shipped.as_str());
    }
    assert!(
        env.ok(&["template", "show", "ru-152fz-consent"])
            .stdout
            .contains("{{ operator.display_name }}")
    );
    assert!(!env.db().exists(), "templates need no database");

    let r = env.fails(&["template", "show", "ru-152fz-nope"]);
    assert!(
        r.stderr.contains("template `ru-152fz-nope` not found"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("\nhint: ") && r.stderr.contains("pdconsent template list"),
        "{}",
        r.stderr
    );
    for args in [
        &["template", "show", "en-consent", "--format", "html"][..],
        &["template", "list", "--format", "text"],
    ] {
        let r = env.fails(args);
        assert!(r.stderr.contains("is not available"), "{}", r.stderr);
    }
}

// --------------------------------------------------------------- on a terminal

mod terminal {
    use rexpect::error::Error;
    use rexpect::session::spawn_command;

    use super::*;

    /// Output of the binary on a pseudo-terminal `columns` wide. rexpect reads
    /// the screen as Latin-1, so only ASCII output can be compared.
    fn on_terminal(env: &Env, columns: u16, args: &[&str]) -> Result<String, Error> {
        let inner = env.std_command(args);
        let mut sh = std::process::Command::new("sh");
        sh.env_clear()
            .current_dir(env.dir())
            .arg("-c")
            .arg(format!("stty cols {columns} rows 24 && exec \"$0\" \"$@\""))
            .arg(inner.get_program())
            .args(inner.get_args());
        for (k, v) in inner.get_envs() {
            if let Some(v) = v {
                sh.env(k, v);
            }
        }
        let mut p = spawn_command(sh, Some(20_000))?;
        let out = p.exp_eof()?;
        Ok(out.replace("\r\n", "\n"))
    }

    #[test]
    fn text_is_wrapped_to_the_terminal() -> Result<(), Error> {
        let env = Env::new();
        env.ok(&[
            "requisites",
            "add",
            "main",
            "--set",
            "short_name=Romashka LLC",
            "--set",
            &format!("inn={INN_LEGAL}"),
            "--set",
            &format!("ogrn={OGRN}"),
            "--set",
            "legal_address=1 Lenina St, Moscow",
            "--set",
            "email=privacy@romashka.ru",
        ]);
        env.ok(&[
            "agreement",
            "add",
            "en",
            "--name",
            "Consent",
            "--language",
            "en",
            "--add-purpose",
            "handling requests and enquiries sent through the contact form of the website",
            "--add-field",
            "name",
        ]);
        let piped = env.ok(&["agreement", "preview", "en"]).stdout;
        assert!(piped.lines().any(|l| l.len() > 200), "unwrapped in a pipe");

        let shown = on_terminal(&env, 60, &["agreement", "preview", "en"])?;
        // The hash and the revisions come first (stderr, on the same terminal), wrapped too.
        let (pin, rest) = shown.split_once("Consent to the processing").unwrap();
        assert!(pin.starts_with("sha256"), "{shown}");
        assert!(pin.trim_end().lines().count() >= 2, "not wrapped: {pin}");
        let shown = format!("Consent to the processing{rest}");
        let (text, checkbox) = shown.trim_end().rsplit_once("\n\n").unwrap();
        assert!(
            text.lines().all(|l| l.len() <= 60),
            "wider than the terminal:\n{shown}"
        );
        assert!(text.lines().count() > piped.lines().count());
        assert!(checkbox.starts_with("[ ] I consent to "), "{shown}");
        // The words are the same; only the line breaks differ.
        let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_eq!(words(&shown), words(&piped));
        // List items keep their place: continuation lines are indented.
        let item = piped
            .lines()
            .find(|l| l.starts_with("- ") && l.len() > 60)
            .expect("a long list item");
        let first = &item[..item[..60].rfind(' ').unwrap()];
        let wrapped = shown.lines().skip_while(|l| *l != first).nth(1).unwrap();
        assert!(
            wrapped.starts_with("  ") && !wrapped.starts_with("  -"),
            "{shown}"
        );
        Ok(())
    }
}

#[test]
fn preview_json_carries_the_html_snippet_and_its_hash_in_one_call() {
    let env = Env::with_example();
    let args = ["personal-data", "--source", "contact-form"];
    let json = env.json(&["agreement", "preview", args[0], args[1], args[2]]);
    let html = preview(&env, &args, "html");
    assert_eq!(json["html"].as_str().unwrap(), html);
    assert!(
        html.contains(&format!(
            "data-sha256=\"{}\"",
            json["sha256"].as_str().unwrap()
        )),
        "{html}"
    );
}

#[test]
fn preview_all_renders_the_whole_consent_block_of_a_source() {
    let env = Env::with_example();
    let all = env.json(&["agreement", "preview", "--all", "--source", "contact-form"]);
    let codes: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["agreement"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["personal-data", "marketing"], "the source's order");
    // Each is what a preview of that agreement alone gives.
    for p in all.as_array().unwrap() {
        let single = env.json(&[
            "agreement",
            "preview",
            p["agreement"].as_str().unwrap(),
            "--source",
            "contact-form",
        ]);
        assert_eq!(*p, single);
    }
    let html = preview(&env, &["--all", "--source", "contact-form"], "html");
    assert_eq!(html.matches("class=\"pdconsent\"").count(), 2, "{html}");
    let r = env.run(&["agreement", "preview", "--all"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--source"), "{}", r.stderr);
}
