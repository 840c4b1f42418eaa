//! The program, the database file, info, requisites, agreements and their
//! revisions, the change log, the output streams, and prompts on a terminal.

use std::io::Read;
use std::process::Stdio;

use crate::common::*;
use serde_json::{Value, json};

#[test]
fn formats_a_command_does_not_offer_are_refused() {
    let env = Env::with_site();
    refused!(
        &env,
        "format_requisites_show_html",
        &["requisites", "show", "main", "--format", "html"],
    );
    refused!(&env, "format_log_text", &["log", "--format", "text"]);
    for args in [
        &["info", "--format", "markdown"][..],
        &["requisites", "list", "--format", "text"],
        &["agreement", "list", "--format", "html"],
        &["agreement", "show", "site", "--format", "markdown"],
        &["agreement", "history", "site", "--format", "text"],
        &["agreement", "diff", "site", "--format", "html"],
    ] {
        let r = env.fails(args);
        let shown = args[args.len() - 1];
        assert!(
            r.stderr.starts_with(&format!(
                "error: `--format {shown}` is not available for `pdconsent "
            )),
            "{args:?}: {}",
            r.stderr
        );
        assert!(
            r.stderr
                .ends_with("\nhint: use --format table or --format json\n"),
            "{args:?}: {}",
            r.stderr
        );
    }
}

// ----------------------------------------------------------------- agreements

#[test]
fn agreement_add_show_list() {
    let env = Env::with_main();
    let r = env.ok(&[
        "agreement",
        "add",
        "site",
        "--name",
        "Согласие для сайта",
        "--add-purpose",
        "обработка заявок",
        "--add-purpose",
        "обратная связь",
        "--add-field",
        "имя",
        "--add-field",
        "e-mail",
        "--set",
        "require_reading=true",
    ]);
    assert_eq!(r.stdout, "");
    assert_eq!(r.stderr, "created agreement `site` at revision 1\n");

    let show = env.ok(&["agreement", "show", "site"]);
    assert_eq!(show.stderr, "");
    insta::assert_snapshot!("agreement_show_table", show.stdout);

    let v = env.json(&["agreement", "show", "site"]);
    insta::assert_json_snapshot!("agreement_show_json", v);
    assert_has_keys(
        &v,
        &[
            "code",
            "archived",
            "revision",
            "created_at",
            "updated_at",
            "name",
            "language",
            "template",
            "custom_text",
            "requisites",
            "required",
            "checked_by_default",
            "require_reading",
            "label",
            "url",
            "purposes",
            "actions",
            "methods",
            "term",
            "third_parties",
            "withdrawal_email",
            "fields",
            "restrictions",
            "effective_label",
            "effective_withdrawal_email",
            "withdrawal_email_is_default",
        ],
    );
    assert_eq!(v["revision"], 1);
    assert_eq!(v["archived"], false);
    assert_eq!(v["requisites"], "main");
    assert_eq!(v["template"], "ru-152fz-consent");
    assert_eq!(v["language"], "ru");
    assert_eq!(v["required"], true);
    assert_eq!(v["require_reading"], true);
    assert_eq!(v["purposes"], json!(["обработка заявок", "обратная связь"]));
    assert_eq!(v["fields"], json!(["имя", "e-mail"]));
    assert_eq!(v["term"], "до отзыва согласия");
    assert_eq!(v["withdrawal_email"], Value::Null);
    assert_eq!(v["effective_withdrawal_email"], "privacy@romashka.ru");
    assert_eq!(v["withdrawal_email_is_default"], true);
    assert_eq!(v["created_at"], NOW);

    env.ok(&[
        "agreement",
        "add",
        "news",
        "--name",
        "Рассылка",
        "--template",
        "ru-152fz-marketing",
        "--set",
        "required=no",
    ]);
    insta::assert_snapshot!(
        "agreement_list_table",
        env.ok(&["agreement", "list"]).stdout
    );
    let list = env.json(&["agreement", "list"]);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["code"], "news");
    assert_eq!(list[0]["required"], false);
    assert_eq!(list[1], v, "list shows what show shows");
    assert_eq!(
        env.json(&["requisites", "show", "main"])["used_by"],
        json!(["news", "site"])
    );
}

#[test]
fn agreement_add_english_prints_json() {
    let env = Env::with_main();
    let r = env.ok(&[
        "agreement",
        "add",
        "gdpr",
        "--language",
        "en",
        "--name",
        "Website consent",
        "--format",
        "json",
    ]);
    assert_eq!(r.stderr, "created agreement `gdpr` at revision 1\n");
    let v = r.json();
    assert_eq!(v["code"], "gdpr");
    assert_eq!(v["revision"], 1);
    assert_eq!(v["language"], "en");
    assert_eq!(v["template"], "en-consent");
    assert_eq!(v["term"], "until consent is withdrawn");
    assert_eq!(
        v["effective_label"],
        "I consent to the %processing of my personal data%"
    );
    assert_eq!(v, env.json(&["agreement", "show", "gdpr"]));
}

#[test]
fn agreement_custom_text_from_a_file_or_stdin() {
    let env = Env::with_main();
    let text = "Я даю согласие {{ operator.display_name }}.\nВторая строка.\n";
    let file = write(&env, "text.txt", text);
    env.ok(&[
        "agreement",
        "add",
        "own",
        "--name",
        "Своё",
        "--text-file",
        &file,
    ]);
    let v = env.json(&["agreement", "show", "own"]);
    assert_eq!(v["template"], "custom");
    assert_eq!(v["custom_text"], text);
    let table = env.ok(&["agreement", "show", "own"]).stdout;
    assert!(
        table.contains("| custom_text        | 2 lines (`--format json` prints it)"),
        "{table}"
    );

    let r = env
        .command(&[
            "agreement",
            "add",
            "piped",
            "--name",
            "Из stdin",
            "--text-file",
            "-",
        ])
        .write_stdin("Текст из канала.\n")
        .output()
        .unwrap();
    assert!(r.status.success(), "{r:?}");
    let v = env.json(&["agreement", "show", "piped"]);
    assert_eq!(v["template"], "custom");
    assert_eq!(v["custom_text"], "Текст из канала.\n");
}

/// One edit, the fields it must report, and a check of the new state.
struct Edit {
    args: &'static [&'static str],
    changed: &'static str,
    check: fn(&Value),
}

#[test]
fn every_kind_of_change_creates_one_revision() {
    let env = Env::with_site();
    env.ok(&[
        "requisites",
        "add",
        "second",
        "--set",
        "short_name=ООО «Вторая»",
    ]);
    let t1 = write(
        &env,
        "t1.txt",
        "Текст {{ operator.display_name }}.\nСтрока два.\n",
    );
    let t2 = write(
        &env,
        "t2.txt",
        "Текст {{ operator.display_name }}.\nСтрока 2.\n",
    );
    // The text files' paths are not 'static; they get their own steps below.
    let edits: &[Edit] = &[
        Edit {
            args: &["--set", "required=false"],
            changed: "required",
            check: |v| assert_eq!(v["required"], false),
        },
        Edit {
            args: &["--name", "Согласие (сайт)"],
            changed: "name",
            check: |v| assert_eq!(v["name"], "Согласие (сайт)"),
        },
        Edit {
            args: &["--add-purpose", "рассылка новостей"],
            changed: "purposes",
            check: |v| {
                assert_eq!(
                    v["purposes"],
                    json!(["обработка заявок", "рассылка новостей"])
                )
            },
        },
        Edit {
            args: &["--remove-purpose", "1"],
            changed: "purposes",
            check: |v| assert_eq!(v["purposes"], json!(["рассылка новостей"])),
        },
        Edit {
            args: &["--remove-purpose", "рассылка новостей"],
            changed: "purposes",
            check: |v| assert_eq!(v["purposes"], json!([])),
        },
        Edit {
            args: &["--add-action", "transfer,depersonalization"],
            changed: "actions",
            check: |v| {
                let a = v["actions"].as_array().unwrap();
                assert!(
                    a.contains(&json!("transfer")) && a.contains(&json!("depersonalization")),
                    "{a:?}"
                );
            },
        },
        Edit {
            args: &[
                "--remove-action",
                "blocking",
                "--remove-action",
                "уничтожение",
            ],
            changed: "actions",
            check: |v| {
                let a = v["actions"].as_array().unwrap();
                assert!(
                    !a.contains(&json!("blocking")) && !a.contains(&json!("destruction")),
                    "{a:?}"
                );
            },
        },
        Edit {
            args: &[
                "--third-party",
                "name=ООО «Доставка»,inn=7717586110,address=г. Москва,role=processor",
            ],
            changed: "third_parties",
            check: |v| {
                assert_eq!(
                    v["third_parties"],
                    json!([{"name": "ООО «Доставка»", "inn": "7717586110", "address": "г. Москва", "role": "processor"}])
                )
            },
        },
        Edit {
            // The same INN replaces the party.
            args: &[
                "--third-party",
                "name=ООО «Доставка\\, и Ко»,inn=7717586110,address=г. Москва,role=recipient",
            ],
            changed: "third_parties",
            check: |v| {
                assert_eq!(
                    v["third_parties"],
                    json!([{"name": "ООО «Доставка, и Ко»", "inn": "7717586110", "address": "г. Москва", "role": "recipient"}])
                )
            },
        },
        Edit {
            args: &[
                "--third-party",
                "name=ИП Петров,inn=775260181506,address=г. Тверь,role=recipient",
            ],
            changed: "third_parties",
            check: |v| {
                assert_eq!(v["third_parties"].as_array().unwrap().len(), 2);
                assert_eq!(
                    v["third_parties"][1]["role"], "recipient",
                    "the default role"
                );
            },
        },
        Edit {
            args: &["--remove-third-party", "ИП Петров"],
            changed: "third_parties",
            check: |v| assert_eq!(v["third_parties"].as_array().unwrap().len(), 1),
        },
        Edit {
            args: &["--remove-third-party", "7717586110"],
            changed: "third_parties",
            check: |v| assert_eq!(v["third_parties"], json!([])),
        },
        Edit {
            args: &["--add-field", "имя", "--add-field", "телефон"],
            changed: "fields",
            check: |v| assert_eq!(v["fields"], json!(["имя", "телефон"])),
        },
        Edit {
            args: &["--remove-field", "имя"],
            changed: "fields",
            check: |v| assert_eq!(v["fields"], json!(["телефон"])),
        },
        Edit {
            args: &["--add-restriction", "только для сотрудников"],
            changed: "restrictions",
            check: |v| assert_eq!(v["restrictions"], json!(["только для сотрудников"])),
        },
        Edit {
            args: &["--remove-restriction", "1"],
            changed: "restrictions",
            check: |v| assert_eq!(v["restrictions"], json!([])),
        },
        Edit {
            args: &["--set", "label=Я согласен с %условиями%"],
            changed: "label",
            check: |v| assert_eq!(v["effective_label"], "Я согласен с %условиями%"),
        },
        Edit {
            args: &["--unset", "label"],
            changed: "label",
            check: |v| assert_eq!(v["label"], Value::Null),
        },
        Edit {
            args: &["--set", "withdrawal_email=dpo@romashka.ru"],
            changed: "withdrawal_email",
            check: |v| {
                assert_eq!(v["effective_withdrawal_email"], "dpo@romashka.ru");
                assert_eq!(v["withdrawal_email_is_default"], false);
            },
        },
        Edit {
            args: &["--requisites", "second"],
            changed: "requisites",
            check: |v| assert_eq!(v["requisites"], "second"),
        },
        Edit {
            args: &["--set", "url=https://romashka.ru/consent"],
            changed: "url",
            check: |v| assert_eq!(v["url"], "https://romashka.ru/consent"),
        },
        Edit {
            args: &["--set", "methods=automated"],
            changed: "methods",
            check: |v| assert_eq!(v["methods"], "automated"),
        },
        Edit {
            args: &["--set", "term=5 лет"],
            changed: "term",
            check: |v| assert_eq!(v["term"], "5 лет"),
        },
        Edit {
            args: &["--set", "checked_by_default=yes"],
            changed: "checked_by_default",
            check: |v| assert_eq!(v["checked_by_default"], true),
        },
        Edit {
            args: &["--template", "ru-152fz-distribution"],
            changed: "template",
            check: |v| assert_eq!(v["template"], "ru-152fz-distribution"),
        },
        Edit {
            // A built-in template is in one language: both change together.
            args: &["--set", "language=en", "--template", "en-consent"],
            changed: "language, template",
            check: |v| {
                assert_eq!(v["language"], "en");
                assert_eq!(v["template"], "en-consent");
            },
        },
    ];
    let mut revision = 1;
    let mut step = |env: &Env, args: Vec<&str>, changed: &str, check: &dyn Fn(&Value)| {
        revision += 1;
        let mut full = vec!["agreement", "edit", "site"];
        full.extend(&args);
        let r = env.ok(&full);
        assert_eq!(r.stdout, "", "{args:?}");
        assert_eq!(
            r.stderr,
            format!("agreement `site`: revision {revision} created ({changed})\n"),
            "{args:?}"
        );
        assert_eq!(env.revisions("site"), revision, "{args:?}");
        let v = env.json(&["agreement", "show", "site"]);
        assert_eq!(v["revision"], revision);
        check(&v);
        let d = env.json(&["agreement", "diff", "site"]);
        assert_eq!(
            (d["from"].as_u64(), d["to"].as_u64()),
            (Some(revision as u64 - 1), Some(revision as u64))
        );
        let fields: Vec<&str> = d["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields.join(", "), changed, "{args:?}");
    };
    for e in edits {
        step(&env, e.args.to_vec(), e.changed, &e.check);
    }
    // A text of its own switches the template to `custom`.
    step(
        &env,
        vec!["--text-file", t1.as_str()],
        "custom_text, template",
        &|v| {
            assert_eq!(v["template"], "custom");
            assert!(v["custom_text"].as_str().unwrap().contains("Строка два."));
        },
    );
    step(
        &env,
        vec!["--text-file", t2.as_str()],
        "custom_text",
        &|v| {
            assert!(v["custom_text"].as_str().unwrap().contains("Строка 2."));
        },
    );
    step(
        &env,
        vec!["--template", "en-consent"],
        "custom_text, template",
        &|v| {
            assert_eq!(v["custom_text"], Value::Null);
        },
    );

    let history = env.ok(&["agreement", "history", "site"]);
    insta::assert_snapshot!("history_of_every_change", history.stdout);
    insta::assert_snapshot!(
        "diff_first_to_last",
        env.ok(&["agreement", "diff", "site", "1", &revision.to_string()])
            .stdout
    );
}

#[test]
fn edits_that_change_nothing_create_no_revision() {
    let env = Env::with_site();
    env.ok(&[
        "agreement",
        "edit",
        "site",
        "--third-party",
        "name=ООО «Доставка»,inn=7717586110,address=г. Москва,role=recipient",
    ]);
    let noops: &[&[&str]] = &[
        &["--set", "required=true"],
        &["--name", "Согласие для сайта"],
        &["--add-purpose", "обработка заявок"],
        &["--add-action", "collection,storage"],
        &["--add-action", "сбор"],
        &["--set", "methods=mixed"],
        &["--template", "ru-152fz-consent"],
        &["--unset", "label"],
        &["--set", "url="],
        &["--requisites", "main"],
        &[
            "--third-party",
            "name=ООО «Доставка»,inn=7717586110,address=г. Москва,role=recipient",
        ],
        &["--unset", "fields"],
    ];
    for args in noops {
        let before = env.dump();
        let mut full = vec!["agreement", "edit", "site"];
        full.extend(*args);
        let r = env.ok(&full);
        assert_eq!(r.stdout, "");
        assert_eq!(
            r.stderr,
            "agreement `site` unchanged: no setting differs, no revision created (still revision 2)\n",
            "{args:?}"
        );
        assert_eq!(env.revisions("site"), 2, "{args:?}");
        assert_eq!(env.dump(), before, "{args:?} wrote something");
    }
}

#[test]
fn history_and_diff() {
    let env = Env::with_site();
    let text = write(&env, "a.txt", "Первая строка.\nВторая строка.\nТретья.\n");
    let text2 = write(
        &env,
        "b.txt",
        "Первая строка.\nВторая, исправленная.\nТретья.\n",
    );
    env.ok_at(
        "2026-11-29T10:00:00Z",
        &["agreement", "edit", "site", "--set", "required=false"],
    );
    env.ok_at(
        "2026-11-30T11:00:00Z",
        &[
            "--actor",
            "юрист",
            "agreement",
            "edit",
            "site",
            "--text-file",
            &text,
        ],
    );
    env.ok_at(
        "2026-12-01T12:00:00Z",
        &["agreement", "edit", "site", "--text-file", &text2],
    );
    env.ok_at(
        "2026-12-02T13:00:00Z",
        &[
            "agreement",
            "edit",
            "site",
            "--add-purpose",
            "рассылка",
            "--remove-purpose",
            "обработка заявок",
        ],
    );

    let h = env.ok(&["agreement", "history", "site"]);
    assert_eq!(h.stderr, "");
    insta::assert_snapshot!("history_table", h.stdout);
    let hj = env.json(&["agreement", "history", "site"]);
    let hj = hj.as_array().unwrap();
    assert_eq!(hj.len(), 5);
    for (i, e) in hj.iter().enumerate() {
        assert_has_keys(
            e,
            &["revision", "created_at", "actor", "changed", "settings"],
        );
        assert_eq!(e["revision"], i + 1);
    }
    assert_eq!(hj[0]["changed"], json!([]));
    assert_eq!(hj[0]["created_at"], NOW);
    assert_eq!(hj[0]["actor"], "tester");
    assert_eq!(hj[1]["changed"], json!(["required"]));
    assert_eq!(hj[1]["created_at"], "2026-11-29T10:00:00Z");
    assert_eq!(hj[2]["actor"], "юрист", "--actor wins over PDCONSENT_ACTOR");
    assert_eq!(hj[2]["changed"], json!(["custom_text", "template"]));
    assert_eq!(hj[4]["changed"], json!(["purposes"]));
    assert_eq!(hj[1]["settings"]["required"], false);
    assert_eq!(hj[0]["settings"]["required"], true);

    // Default: the previous revision against the current one.
    let d = env.ok(&["agreement", "diff", "site"]);
    assert_eq!(d.stderr, "");
    insta::assert_snapshot!("diff_default_table", d.stdout);
    insta::assert_snapshot!(
        "diff_scalar_table",
        env.ok(&["agreement", "diff", "site", "1", "2"]).stdout
    );
    insta::assert_snapshot!(
        "diff_text_lines_table",
        env.ok(&["agreement", "diff", "site", "3", "4"]).stdout
    );

    let j = env.json(&["agreement", "diff", "site"]);
    assert_eq!(
        j,
        json!({
            "code": "site",
            "from": 4,
            "to": 5,
            "changes": [{
                "field": "purposes",
                "before": ["обработка заявок"],
                "after": ["рассылка"],
                "added": ["рассылка"],
                "removed": ["обработка заявок"]
            }]
        })
    );
    let j = env.json(&["agreement", "diff", "site", "1", "2"]);
    assert_eq!(
        j["changes"],
        json!([{"field": "required", "before": true, "after": false}])
    );
    let fields = |args: &[&str]| -> Vec<String> {
        let mut full = vec!["agreement", "diff", "site"];
        full.extend(args);
        env.json(&full)["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["field"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(fields(&["2", "5"]), ["custom_text", "purposes", "template"]);
    // FROM alone: against the current revision; backwards works too.
    assert_eq!(fields(&["3"]), ["custom_text", "purposes"]);
    assert_eq!(fields(&["5", "2"]), ["custom_text", "purposes", "template"]);

    // The same revision twice: an empty table, and a notice on stderr.
    let same = env.ok(&["agreement", "diff", "site", "3", "3"]);
    assert_eq!(
        same.stdout.lines().count(),
        2,
        "header only:\n{}",
        same.stdout
    );
    assert_eq!(
        same.stderr,
        "revisions 3 and 3 of `site` have the same settings\n"
    );
    assert_eq!(
        env.json(&["agreement", "diff", "site", "3", "3"])["changes"],
        json!([])
    );

    // An older revision can be shown whole.
    let old = env.json(&["agreement", "show", "site", "--revision", "1"]);
    assert_eq!(old["revision"], 1);
    assert_eq!(old["required"], true);
    assert_eq!(old["template"], "ru-152fz-consent");

    refused!(
        &env,
        "diff_unknown_revision",
        &["agreement", "diff", "site", "1", "9"],
    );
    refused!(
        &env,
        "show_unknown_revision",
        &["agreement", "show", "site", "--revision", "9"],
    );
    env.ok(&["agreement", "add", "fresh", "--name", "Новое"]);
    refused!(
        &env,
        "diff_single_revision",
        &["agreement", "diff", "fresh"],
    );
}

#[test]
fn archive_and_restore() {
    let env = Env::with_site();
    let r = env.ok(&["agreement", "archive", "site"]);
    assert_eq!(
        (r.stdout.as_str(), r.stderr.as_str()),
        ("", "agreement `site` is now archived\n")
    );
    assert_eq!(env.json(&["agreement", "list"]), json!([]));
    let empty = env.ok(&["agreement", "list"]).stdout;
    assert_eq!(
        empty.lines().count(),
        2,
        "an empty table is its header:\n{empty}"
    );
    let all = env.json(&["agreement", "list", "--all"]);
    assert_eq!(all.as_array().unwrap().len(), 1);
    assert_eq!(all[0]["archived"], true);
    assert_eq!(all[0]["revision"], 1, "archiving is not a revision");
    assert!(
        env.ok(&["agreement", "list", "--all"])
            .stdout
            .contains("| archived |")
    );
    assert!(
        env.ok(&["agreement", "show", "site"])
            .stdout
            .contains("| archived           | yes")
    );

    // Archiving twice changes nothing.
    let before = env.dump();
    let r = env.ok(&["agreement", "archive", "site"]);
    assert_eq!(
        r.stderr,
        "agreement `site` is already archived; nothing changed\n"
    );
    assert_eq!(env.dump(), before);

    refused!(
        &env,
        "edit_archived",
        &["agreement", "edit", "site", "--set", "required=false"],
    );

    let r = env.ok(&["agreement", "restore", "site"]);
    assert_eq!(r.stderr, "agreement `site` is now active\n");
    let r = env.ok(&["agreement", "restore", "site"]);
    assert_eq!(
        r.stderr,
        "agreement `site` is already active; nothing changed\n"
    );
    assert_eq!(env.json(&["agreement", "list"])[0]["archived"], false);
    env.ok(&["agreement", "edit", "site", "--set", "required=false"]);
    assert_eq!(env.revisions("site"), 2);

    let log = env.json(&["log", "--kind", "agreement"]);
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["create", "archive", "restore", "revision 2"]);
    assert_eq!(log[1]["before"], json!({"archived": false}));
    assert_eq!(log[1]["after"], json!({"archived": true}));
}

#[test]
fn agreement_errors() {
    let env = Env::with_site();
    for (name, args) in [
        ("show_unknown", &["agreement", "show", "x"][..]),
        (
            "edit_unknown",
            &["agreement", "edit", "x", "--set", "required=false"],
        ),
        ("history_unknown", &["agreement", "history", "x"]),
        ("diff_unknown", &["agreement", "diff", "x"]),
        ("archive_unknown", &["agreement", "archive", "x"]),
        ("restore_unknown", &["agreement", "restore", "x"]),
    ] {
        let r = refused!(&env, &format!("agreement_{name}"), args);
        assert_eq!(
            r.stderr,
            "error: agreement `x` not found\nhint: run `pdconsent agreement list --all` to see what exists\n"
        );
    }

    let t = write(&env, "t.txt", "Текст.\n");
    let cases: &[(&str, &[&str])] = &[
        ("add_without_name", &["agreement", "add", "x"]),
        (
            "add_without_name_no_input",
            &[
                "agreement",
                "add",
                "x",
                "--no-input",
                "--add-purpose",
                "цель",
            ],
        ),
        ("add_without_code", &["agreement", "add", "--name", "X"]),
        ("add_bad_code", &["agreement", "add", "Сайт", "--name", "X"]),
        ("add_exists", &["agreement", "add", "site", "--name", "X"]),
        (
            "add_unknown_requisites",
            &[
                "agreement",
                "add",
                "x",
                "--name",
                "X",
                "--requisites",
                "nope",
            ],
        ),
        (
            "add_unknown_template",
            &[
                "agreement",
                "add",
                "x",
                "--name",
                "X",
                "--template",
                "ru-gdpr",
            ],
        ),
        (
            "add_custom_without_text",
            &[
                "agreement",
                "add",
                "x",
                "--name",
                "X",
                "--template",
                "custom",
            ],
        ),
        (
            "add_unknown_language",
            &["agreement", "add", "x", "--name", "X", "--language", "de"],
        ),
        (
            "add_text_with_builtin_template",
            &[
                "agreement",
                "add",
                "x",
                "--name",
                "X",
                "--text-file",
                &t,
                "--template",
                "ru-152fz-consent",
            ],
        ),
        ("edit_nothing", &["agreement", "edit", "site"]),
        (
            "edit_unknown_key",
            &["agreement", "edit", "site", "--set", "colour=red"],
        ),
        (
            "edit_not_key_value",
            &["agreement", "edit", "site", "--set", "required"],
        ),
        (
            "edit_code",
            &["agreement", "edit", "site", "--set", "code=other"],
        ),
        (
            "edit_bad_bool",
            &["agreement", "edit", "site", "--set", "required=maybe"],
        ),
        (
            "edit_bad_methods",
            &["agreement", "edit", "site", "--set", "methods=robotic"],
        ),
        (
            "edit_unset_name",
            &["agreement", "edit", "site", "--unset", "name"],
        ),
        (
            "edit_empty_name",
            &["agreement", "edit", "site", "--name", " "],
        ),
        (
            "edit_empty_term",
            &["agreement", "edit", "site", "--set", "term="],
        ),
        (
            "edit_bad_email",
            &[
                "agreement",
                "edit",
                "site",
                "--set",
                "withdrawal_email=dpo@romashka",
            ],
        ),
        (
            "edit_bad_url",
            &[
                "agreement",
                "edit",
                "site",
                "--set",
                "url=romashka.ru/consent",
            ],
        ),
        (
            "edit_unknown_requisites",
            &["agreement", "edit", "site", "--requisites", "nope"],
        ),
        (
            "edit_unknown_purpose",
            &["agreement", "edit", "site", "--remove-purpose", "нет такой"],
        ),
        (
            "edit_purpose_number_out_of_range",
            &["agreement", "edit", "site", "--remove-purpose", "2"],
        ),
        (
            "edit_unknown_field",
            &["agreement", "edit", "site", "--remove-field", "1"],
        ),
        (
            "edit_unknown_action",
            &["agreement", "edit", "site", "--add-action", "mailing"],
        ),
        (
            "edit_action_not_listed",
            &["agreement", "edit", "site", "--remove-action", "transfer"],
        ),
        (
            "edit_third_party_incomplete",
            &["agreement", "edit", "site", "--third-party", "name=ООО «Х»"],
        ),
        (
            "edit_third_party_unknown_key",
            &[
                "agreement",
                "edit",
                "site",
                "--third-party",
                "name=X,inn=7717586110,address=Y,colour=red",
            ],
        ),
        (
            "edit_third_party_bad_inn",
            &[
                "agreement",
                "edit",
                "site",
                "--third-party",
                "name=X,inn=7717586111,address=Y,role=processor",
            ],
        ),
        (
            "edit_third_party_bad_role",
            &[
                "agreement",
                "edit",
                "site",
                "--third-party",
                "name=X,inn=7717586110,address=Y,role=owner",
            ],
        ),
        (
            "edit_unknown_third_party",
            &[
                "agreement",
                "edit",
                "site",
                "--remove-third-party",
                "ООО «Никто»",
            ],
        ),
        (
            "edit_missing_text_file",
            &["agreement", "edit", "site", "--text-file", "missing.txt"],
        ),
        (
            "edit_custom_without_text",
            &["agreement", "edit", "site", "--set", "template=custom"],
        ),
    ];
    for (name, args) in cases {
        refused!(&env, &format!("agreement_{name}"), args);
    }
    // A refusal inside the write transaction rolls back too.
    assert_eq!(env.revisions("site"), 1);
    assert_eq!(
        env.json(&["agreement", "list", "--all"])
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let bare = Env::new();
    refused!(
        &bare,
        "agreement_add_no_requisites",
        &["agreement", "add", "x", "--name", "X"],
    );
}

// ------------------------------------------------------------------------ log

#[test]
fn log_lists_changes_and_filters_them() {
    let env = Env::new();
    env.ok_at(
        "2026-11-01T09:00:00Z",
        &[
            "requisites",
            "add",
            "main",
            "--set",
            "short_name=ООО «Ромашка»",
        ],
    );
    env.ok_at(
        "2026-11-15T10:00:00Z",
        &["agreement", "add", "site", "--name", "Сайт"],
    );
    env.ok_at(
        "2026-11-28T12:00:00Z",
        &["agreement", "edit", "site", "--set", "required=false"],
    );
    env.ok_at(
        "2026-11-28T13:00:00Z",
        &["--actor", "admin", "agreement", "archive", "site"],
    );

    let r = env.ok(&["log"]);
    assert_eq!(r.stderr, "");
    insta::assert_snapshot!("log_table", r.stdout);

    let all = env.json(&["log"]);
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 4);
    for e in all {
        assert_has_keys(
            e,
            &[
                "id",
                "at",
                "actor",
                "object_kind",
                "object_code",
                "action",
                "before",
                "after",
            ],
        );
    }
    assert_eq!(all[0]["object_kind"], "requisites");
    assert_eq!(all[0]["action"], "create");
    assert_eq!(all[0]["before"], Value::Null);
    assert_eq!(all[0]["after"]["short_name"], "ООО «Ромашка»");
    assert_eq!(all[2]["action"], "revision 2");
    assert_eq!(all[2]["before"]["required"], true);
    assert_eq!(all[2]["after"]["required"], false);
    assert_eq!(all[3]["actor"], "admin");
    assert_eq!(all[3]["at"], "2026-11-28T13:00:00Z");

    let actions = |args: &[&str]| -> Vec<String> {
        let mut full = vec!["log"];
        full.extend(args);
        env.json(&full)
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                format!(
                    "{} {}",
                    e["object_code"].as_str().unwrap(),
                    e["action"].as_str().unwrap()
                )
            })
            .collect()
    };
    assert_eq!(actions(&["--kind", "requisites"]), ["main create"]);
    assert_eq!(
        actions(&["--kind", "agreement"]),
        ["site create", "site revision 2", "site archive"]
    );
    assert_eq!(
        actions(&["--code", "site"]),
        ["site create", "site revision 2", "site archive"]
    );
    assert_eq!(
        actions(&["--kind", "requisites", "--code", "site"]),
        Vec::<String>::new()
    );
    assert_eq!(
        actions(&["--since", "2026-11-15"]),
        ["site create", "site revision 2", "site archive"]
    );
    assert_eq!(
        actions(&["--until", "2026-11-15"]),
        ["main create", "site create"],
        "--until includes the whole day"
    );
    assert_eq!(actions(&["--until", "2026-11-14"]), ["main create"]);
    assert_eq!(
        actions(&["--since", "2026-11-28T12:30:00Z"]),
        ["site archive"]
    );
    assert_eq!(
        actions(&["--since", "2026-11-28T15:00:00+03:00"]),
        ["site revision 2", "site archive"],
        "an offset is converted to UTC"
    );
    assert_eq!(
        actions(&["--since", "2026-11-02", "--until", "2026-11-28T12:00:00Z"]),
        ["site create", "site revision 2"]
    );
    assert_eq!(
        actions(&["-n", "2"]),
        ["site revision 2", "site archive"],
        "the newest N, oldest first"
    );
    assert_eq!(
        actions(&["--limit", "1", "--kind", "requisites"]),
        ["main create"]
    );

    let none = env.ok(&["log", "--since", "2027-01-01"]);
    assert_eq!(
        none.stdout.lines().count(),
        2,
        "header only:\n{}",
        none.stdout
    );
    assert_eq!(env.json(&["log", "--since", "2027-01-01"]), json!([]));

    refused!(&env, "log_unknown_kind", &["log", "--kind", "consent"]);
    refused!(&env, "log_bad_since", &["log", "--since", "yesterday"]);
    refused!(&env, "log_bad_until", &["log", "--until", "2026-13-01"]);
}

// ------------------------------------------------------------------- streams

#[test]
fn colour_and_box_drawing_only_when_asked() {
    let env = Env::with_main();
    let plain = env.ok(&["requisites", "list"]).stdout;
    assert!(!plain.contains(['\u{1b}', '│']), "{plain}");
    assert_eq!(
        env.ok(&["--color", "never", "requisites", "list"]).stdout,
        plain
    );

    // --color always wins over NO_COLOR and a pipe.
    let styled = env.ok(&["--color", "always", "requisites", "list"]).stdout;
    assert!(
        styled.contains("\u{1b}[1m") && styled.contains('│'),
        "{styled}"
    );
    let r = env.run(&["--color", "always", "agreement", "show", "x"]);
    assert_eq!((r.code, r.stdout.as_str()), (2, ""));
    assert_eq!(
        r.stderr,
        "\u{1b}[1;31merror:\u{1b}[0m agreement `x` not found\n\
         \u{1b}[1;36mhint:\u{1b}[0m run `pdconsent agreement list --all` to see what exists\n"
    );
    // The format never changes with colour: JSON stays JSON.
    assert_eq!(
        env.json(&["--color", "always", "requisites", "list"]),
        env.json(&["requisites", "list"])
    );
}

#[test]
fn control_characters_never_reach_the_terminal() {
    let env = Env::with_main();
    let esc = "\u{1b}[2J\u{1b}]0;title\u{7}";
    let before = env.dump();
    // A value with control characters is refused (it would reshape the consent
    // text), and the refusal shows them escaped.
    for args in [
        vec![
            "requisites".to_string(),
            "add".into(),
            "other".into(),
            "--set".into(),
            format!("short_name=ООО {esc}Ромашка"),
        ],
        vec![
            "agreement".into(),
            "add".into(),
            "site".into(),
            "--name".into(),
            format!("Имя{esc}"),
        ],
        vec![
            "agreement".into(),
            "add".into(),
            "site".into(),
            "--name".into(),
            "Имя".into(),
            "--add-purpose".into(),
            format!("цель{esc}"),
        ],
        vec![
            "requisites".into(),
            "edit".into(),
            "main".into(),
            "--set".into(),
            "legal_address=строка 1\nстрока 2".into(),
        ],
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = env.fails(&args);
        assert!(
            !r.stderr.contains(['\u{1b}', '\u{7}']),
            "{args:?}: {:?}",
            r.stderr
        );
        assert!(
            r.stderr.contains("contains a control character"),
            "{args:?}: {}",
            r.stderr
        );
    }
    assert_eq!(env.dump(), before);
    // The actor is not part of any text; it is shown escaped wherever it appears.
    env.ok(&[
        "agreement",
        "add",
        "site",
        "--name",
        "Имя",
        "--add-purpose",
        "цель",
    ]);
    env.ok(&[
        "--actor",
        &format!("admin{esc}"),
        "agreement",
        "edit",
        "site",
        "--name",
        "Имя 2",
    ]);
    for args in [&["agreement", "history", "site"][..], &["log"]] {
        let r = env.ok(args);
        for out in [&r.stdout, &r.stderr] {
            assert!(
                !out.contains(['\u{1b}', '\u{7}']),
                "{args:?} let a control character through:\n{out}"
            );
        }
        assert!(
            r.stdout.contains("\\u{1b}"),
            "{args:?} shows the escape visibly:\n{}",
            r.stdout
        );
    }
    let r = env.fails(&["agreement", "show", &format!("x{esc}")]);
    assert!(!r.stderr.contains('\u{1b}'), "{:?}", r.stderr);
    // JSON is data: it keeps the value exactly (escaped by JSON itself).
    assert_eq!(
        env.json(&["agreement", "history", "site"])[1]["actor"],
        format!("admin{esc}")
    );
}

#[test]
fn closed_stdout_is_success() {
    let env = Env::with_site();
    // Far more than a pipe holds, so the writer must meet the closed pipe.
    let big = "Строка текста согласия, достаточно длинная.\n".repeat(40_000);
    let file = write(&env, "big.txt", &big);
    env.ok(&["agreement", "edit", "site", "--text-file", &file]);
    // And a table as large: thousands of purposes, one line each in `show`.
    let purposes: Vec<String> = (1..=3000)
        .map(|i| format!("цель обработки номер {i}"))
        .collect();
    let mut args = vec!["agreement", "edit", "site"];
    for p in &purposes {
        args.extend(["--add-purpose", p.as_str()]);
    }
    env.ok(&args);
    for args in [
        &["agreement", "list", "--format", "json"][..],
        &["agreement", "history", "site", "--format", "json"],
        &["log", "--format", "json"],
        &["agreement", "show", "site"],
    ] {
        // Pipes hold 64 KiB by default.
        let full = env.ok(args).stdout.len();
        assert!(full > 256 << 10, "{args:?} prints only {full} bytes");
        let mut child = env
            .std_command(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "{args:?}: {stderr}");
        assert_eq!(stderr, "", "{args:?}: a closed pipe is silent");
    }
}

// --------------------------------------------------------------- on a terminal
//
// A pseudo-terminal makes stdin and stderr terminals, so prompts are allowed.
// rexpect reads the screen byte by byte as Latin-1, so only ASCII is expected.

mod terminal {
    use rexpect::error::Error;
    use rexpect::process::WaitStatus;
    use rexpect::session::{PtySession, spawn_command};

    use super::*;

    fn spawn(env: &Env, args: &[&str]) -> PtySession {
        spawn_command(env.std_command(args), Some(20_000)).expect("spawn on a pty")
    }

    /// Sends one line of input (Enter included).
    fn answer(p: &mut PtySession, prompt: &str, text: &str) -> Result<(), Error> {
        p.exp_string(prompt)?;
        p.send(&format!("{text}\r"))?;
        p.flush()
    }

    #[test]
    fn wizard_adds_requisites_and_reasks_wrong_values() -> Result<(), Error> {
        let env = Env::new();
        let mut p = spawn(&env, &["requisites", "add", "main"]);
        answer(&mut p, "Kind", "")?; // legal, the default
        answer(&mut p, "Short name, e.g.", "ООО «Ромашка»")?;
        answer(&mut p, "Full name (optional)", "")?;
        answer(&mut p, "INN (optional, checked)", "7840502514")?;
        // A wrong value is shown with the check that failed, then asked again.
        p.exp_string("check digit failed: digit 10 is 4, the checksum gives 3")?;
        answer(&mut p, "INN (optional, checked)", INN_LEGAL)?;
        answer(&mut p, "KPP (optional)", KPP)?;
        answer(&mut p, "OGRN (optional, checked)", OGRN)?;
        answer(&mut p, "Legal address", "г. Москва, ул. Ленина, д. 1")?;
        answer(&mut p, "Postal address", "")?;
        answer(&mut p, "E-mail for personal-data requests", "privacy@")?;
        p.exp_string("is not an e-mail address")?;
        answer(
            &mut p,
            "E-mail for personal-data requests",
            "privacy@romashka.ru",
        )?;
        answer(&mut p, "Phone (optional)", "")?;
        answer(&mut p, "Website (optional)", "")?;
        p.exp_string("requisites `main`:")?;
        p.exp_string("inn: 7840502513")?;
        p.exp_string("Save these requisites?")?;
        p.send("y")?;
        p.flush()?;
        p.exp_string("created requisites `main` (default)")?;
        p.exp_eof()?;
        assert!(
            matches!(p.process().wait()?, WaitStatus::Exited(_, 0)),
            "the wizard exits 0"
        );

        let v = env.json(&["requisites", "show", "main"]);
        assert_eq!(v["kind"], "legal");
        assert_eq!(v["short_name"], "ООО «Ромашка»");
        assert_eq!(v["full_name"], Value::Null);
        assert_eq!(v["inn"], INN_LEGAL);
        assert_eq!(v["kpp"], KPP);
        assert_eq!(v["ogrn"], OGRN);
        assert_eq!(v["legal_address"], "г. Москва, ул. Ленина, д. 1");
        assert_eq!(v["postal_address"], Value::Null);
        assert_eq!(v["email"], "privacy@romashka.ru");
        assert_eq!(v["default"], true);
        assert_eq!(env.json(&["log"]).as_array().unwrap().len(), 1);
        Ok(())
    }

    #[test]
    fn declining_a_confirmation_changes_nothing() -> Result<(), Error> {
        let env = Env::with_main();
        env.ok(&["requisites", "add", "spare", "--set", "short_name=Spare"]);
        let before = env.dump();
        let mut p = spawn(&env, &["requisites", "remove", "spare"]);
        p.exp_string("Remove requisites `spare` (Spare)?")?;
        p.send("n")?;
        p.flush()?;
        p.exp_string("aborted, nothing changed")?;
        p.exp_eof()?;
        assert!(
            matches!(p.process().wait()?, WaitStatus::Exited(_, 1)),
            "declining exits 1"
        );
        assert_eq!(env.dump(), before);
        Ok(())
    }

    #[test]
    fn ctrl_c_at_a_prompt_changes_nothing() -> Result<(), Error> {
        let env = Env::with_main();
        let before = env.dump();
        let mut p = spawn(&env, &["agreement", "add", "site"]);
        p.exp_string("Name")?;
        p.send("Согласие\r")?;
        p.flush()?;
        p.exp_string("Language")?;
        p.send_control('c')?;
        // The handler gives the cursor back (ESC [ ? 25 h) and says so.
        p.exp_string("\x1b[?25h")?;
        p.exp_string("interrupted, nothing changed")?;
        p.exp_eof()?;
        let status = p.process().wait()?;
        assert!(matches!(status, WaitStatus::Exited(_, 130)), "{status:?}");
        assert_eq!(env.dump(), before);
        Ok(())
    }
}
