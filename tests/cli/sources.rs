//! Sources: web forms and chat channels, their fields, linked agreements with
//! behaviour overrides, archive and restore, and their entries in the log.

use serde_json::{Value, json};

use crate::common::*;

/// `main`, the agreement `site` and a second agreement `ads`.
fn env_with_two_agreements() -> Env {
    let env = Env::with_site();
    env.ok(&[
        "agreement",
        "add",
        "ads",
        "--name",
        "Реклама",
        "--template",
        "ru-152fz-marketing",
        "--add-purpose",
        "направление рекламы",
    ]);
    env
}

/// The source's entries in the change log.
fn source_log(env: &Env, code: &str) -> Vec<Value> {
    env.json(&["log", "--kind", "source", "--code", code])
        .as_array()
        .expect("log is an array")
        .clone()
}

#[track_caller]
fn assert_source_keys(v: &Value) {
    assert_has_keys(
        v,
        &[
            "code",
            "kind",
            "name",
            "url",
            "fields",
            "warning",
            "archived",
            "created_at",
            "updated_at",
            "agreements",
        ],
    );
    for l in v["agreements"].as_array().expect("agreements is an array") {
        assert_has_keys(
            l,
            &[
                "agreement",
                "required",
                "checked_by_default",
                "require_reading",
                "effective",
                "agreement_revision",
                "agreement_archived",
            ],
        );
        assert_eq!(
            keys(&l["effective"]),
            ["checked_by_default", "require_reading", "required"]
        );
    }
}

#[test]
fn openline_gets_the_chat_fields_and_the_warning() {
    let env = Env::with_site();
    let r = env.ok(&[
        "source",
        "add",
        "chat",
        "--kind",
        "openline",
        "--name",
        "Чат на сайте",
        "--link",
        "site",
        "--format",
        "json",
    ]);
    assert!(
        r.stderr
            .contains("created source `chat` (openline, 1 agreement(s))"),
        "{}",
        r.stderr
    );
    let mut added = r.json();
    // Plus the texts the new link made current (texts.rs tests them).
    let texts = added
        .as_object_mut()
        .unwrap()
        .remove("texts_changed")
        .unwrap();
    assert_eq!(texts[0]["agreement"], "site");
    assert_eq!(texts[0]["before"], serde_json::Value::Null);
    let v = env.json(&["source", "show", "chat"]);
    assert_eq!(added, v, "add --format json prints what show prints");
    assert_source_keys(&v);
    assert_eq!(v["code"], "chat");
    assert_eq!(v["kind"], "openline");
    assert_eq!(v["name"], "Чат на сайте");
    assert_eq!(v["url"], Value::Null);
    assert_eq!(
        v["fields"],
        json!([
            "имя",
            "адрес электронной почты",
            "номер телефона",
            "фотография"
        ])
    );
    assert_eq!(v["warning"], true);
    assert_eq!(v["archived"], false);
    assert_eq!(v["created_at"], NOW);
    assert_eq!(v["updated_at"], NOW);
    assert_eq!(
        v["agreements"],
        json!([{
            "agreement": "site",
            "required": null,
            "checked_by_default": null,
            "require_reading": null,
            "effective": {"required": true, "checked_by_default": false, "require_reading": false},
            "agreement_revision": 1,
            "agreement_archived": false,
        }])
    );

    let table = env.ok(&["source", "show", "chat"]).stdout;
    for line in [
        "| kind       | openline ",
        "| fields     | 1. имя ",
        "|            | 4. фотография ",
        "| warning    | yes: the personal-data warning is sent before the chat",
        "site (rev 1): required, unchecked",
    ] {
        assert!(table.contains(line), "no `{line}` in:\n{table}");
    }

    // Fields given explicitly replace a chat's defaults rather than add to them.
    env.ok(&[
        "source",
        "add",
        "bot",
        "--kind",
        "openline",
        "--name",
        "Бот",
        "--add-field",
        "имя",
        "--add-field",
        "номер заказа",
    ]);
    let bot = env.json(&["source", "show", "bot"]);
    assert_eq!(bot["fields"], json!(["имя", "номер заказа"]));
    assert_eq!(bot["warning"], true);
    // The warning can be turned off for a chat.
    env.ok(&["source", "edit", "bot", "--set", "warning=false"]);
    assert_eq!(env.json(&["source", "show", "bot"])["warning"], false);
}

#[test]
fn form_has_no_default_fields_and_no_warning() {
    let env = Env::with_site();
    let r = env.ok(&[
        "source",
        "add",
        "contact",
        "--kind",
        "form",
        "--name",
        "Обратная связь",
        "--set",
        "url=https://romashka.ru/contacts",
        "--add-field",
        "имя",
        "--add-field",
        "телефон",
        "--add-field",
        "имя",
    ]);
    assert_eq!(r.stdout, "", "without --format json, add prints no data");
    assert_eq!(
        r.stderr,
        "created source `contact` (form, 0 agreement(s))\n"
    );
    let v = env.json(&["source", "show", "contact"]);
    assert_source_keys(&v);
    assert_eq!(v["kind"], "form");
    assert_eq!(v["url"], "https://romashka.ru/contacts");
    assert_eq!(v["fields"], json!(["имя", "телефон"]), "no duplicates");
    assert_eq!(v["warning"], false);
    assert_eq!(v["agreements"], json!([]));

    env.ok(&[
        "source",
        "add",
        "empty",
        "--kind",
        "form",
        "--name",
        "Пустая",
    ]);
    assert_eq!(env.json(&["source", "show", "empty"])["fields"], json!([]));

    let list = env.json(&["source", "list"]);
    let codes: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["contact", "empty"]);
    for s in list.as_array().unwrap() {
        assert_source_keys(s);
    }
    let table = env.ok(&["source", "list"]).stdout;
    assert!(
        table.starts_with("| code "),
        "a table with a header:\n{table}"
    );
    assert!(table.contains("| contact "), "{table}");
}

#[test]
fn fields_are_added_and_removed_by_caption_or_number() {
    let env = Env::with_site();
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
        "--add-field",
        "телефон",
        "--add-field",
        "комментарий",
    ]);
    env.ok(&[
        "source",
        "edit",
        "f",
        "--remove-field",
        "телефон",
        "--add-field",
        "город",
    ]);
    assert_eq!(
        env.json(&["source", "show", "f"])["fields"],
        json!(["имя", "комментарий", "город"])
    );
    env.ok(&["source", "edit", "f", "--remove-field", "2"]);
    assert_eq!(
        env.json(&["source", "show", "f"])["fields"],
        json!(["имя", "город"])
    );
    env.ok(&["source", "edit", "f", "--unset", "fields"]);
    assert_eq!(env.json(&["source", "show", "f"])["fields"], json!([]));

    // A field that is not there is an error, and nothing changes.
    env.ok(&["source", "edit", "f", "--add-field", "имя"]);
    for field in ["телефон", "2", "0"] {
        let r = env.fails(&["source", "edit", "f", "--remove-field", field]);
        assert!(
            r.stderr
                .contains(&format!("no field `{field}` in source `f`")),
            "{}",
            r.stderr
        );
    }
}

#[test]
fn links_carry_behaviour_overrides() {
    let env = env_with_two_agreements();
    env.ok(&["agreement", "edit", "site", "--set", "require_reading=true"]);
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
        "site,required=false,checked_by_default=true",
        "--link",
        "ads",
    ]);
    let v = env.json(&["source", "show", "f"]);
    assert_source_keys(&v);
    assert_eq!(
        v["agreements"],
        json!([
            {
                "agreement": "site",
                "required": false,
                "checked_by_default": true,
                "require_reading": null,
                "effective": {"required": false, "checked_by_default": true, "require_reading": true},
                "agreement_revision": 2,
                "agreement_archived": false,
            },
            {
                "agreement": "ads",
                "required": null,
                "checked_by_default": null,
                "require_reading": null,
                "effective": {"required": true, "checked_by_default": false, "require_reading": false},
                "agreement_revision": 1,
                "agreement_archived": false,
            },
        ])
    );
    let table = env.ok(&["source", "show", "f"]).stdout;
    assert!(
        table.contains("site (rev 2): optional*, checked by default*, must be read"),
        "{table}"
    );

    // Linking again replaces the overrides of that link, in its place.
    env.ok(&[
        "source",
        "edit",
        "f",
        "--link",
        "site,require_reading=false",
        "--link",
        "ads,required=false",
    ]);
    let links = env.json(&["source", "show", "f"])["agreements"].clone();
    assert_eq!(links[0]["agreement"], "site");
    assert_eq!(links[0]["required"], Value::Null);
    assert_eq!(links[0]["checked_by_default"], Value::Null);
    assert_eq!(links[0]["require_reading"], false);
    assert_eq!(
        links[0]["effective"],
        json!({"required": true, "checked_by_default": false, "require_reading": false})
    );
    assert_eq!(links[1]["agreement"], "ads");
    assert_eq!(links[1]["effective"]["required"], false);

    // The effective behaviour follows the agreement's own settings where not overridden.
    env.ok(&[
        "agreement",
        "edit",
        "ads",
        "--set",
        "checked_by_default=true",
    ]);
    let links = env.json(&["source", "show", "f"])["agreements"].clone();
    assert_eq!(links[1]["agreement_revision"], 2);
    assert_eq!(links[1]["effective"]["checked_by_default"], true);

    let r = env.ok(&["source", "edit", "f", "--unlink", "site"]);
    assert!(
        r.stderr.contains("updated source `f`: agreements"),
        "{}",
        r.stderr
    );
    let links = env.json(&["source", "show", "f"])["agreements"].clone();
    assert_eq!(links.as_array().unwrap().len(), 1);
    assert_eq!(links[0]["agreement"], "ads");

    let r = env.fails(&["source", "edit", "f", "--unlink", "site"]);
    assert!(
        r.stderr
            .contains("agreement `site` is not linked to source `f`"),
        "{}",
        r.stderr
    );
    let r = env.fails(&["source", "edit", "f", "--link", "site,colour=true"]);
    assert!(
        r.stderr.contains("unknown behaviour `colour`"),
        "{}",
        r.stderr
    );
    let r = env.fails(&["source", "edit", "f", "--link", "site,required=maybe"]);
    assert!(r.stderr.contains("`maybe`"), "{}", r.stderr);
    let r = env.fails(&["source", "edit", "f", "--link", "site,required"]);
    assert!(r.stderr.contains("is not key=value"), "{}", r.stderr);

    env.ok(&["source", "edit", "f", "--unset", "agreements"]);
    assert_eq!(env.json(&["source", "show", "f"])["agreements"], json!([]));
}

#[test]
fn linking_an_unknown_or_archived_agreement_is_refused() {
    let env = env_with_two_agreements();
    env.ok(&["source", "add", "f", "--kind", "form", "--name", "Форма"]);
    env.ok(&["agreement", "archive", "ads"]);

    let r = env.fails(&["source", "edit", "f", "--link", "nope"]);
    assert!(
        r.stderr.starts_with("error: ") && r.stderr.contains("agreement `nope` not found"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("\nhint: "), "{}", r.stderr);
    let r = env.fails(&["source", "edit", "f", "--link", "ads"]);
    assert!(
        r.stderr.contains("agreement `ads` is archived"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("pdconsent agreement restore ads"),
        "{}",
        r.stderr
    );
    // A valid link next to a refused one is not saved either.
    env.fails(&["source", "edit", "f", "--link", "site", "--link", "ads"]);
    assert_eq!(env.json(&["source", "show", "f"])["agreements"], json!([]));

    // The same on add: the source is not created.
    let r = env.fails(&[
        "source", "add", "g", "--kind", "form", "--name", "G", "--link", "ads",
    ]);
    assert!(
        r.stderr.contains("agreement `ads` is archived"),
        "{}",
        r.stderr
    );
    let r = env.fails(&[
        "source", "add", "g", "--kind", "form", "--name", "G", "--link", "nope",
    ]);
    assert!(
        r.stderr.contains("agreement `nope` not found"),
        "{}",
        r.stderr
    );
    env.fails(&["source", "show", "g"]);

    // An agreement archived after it was linked stays linked, and the source
    // can still be edited; the link shows that the agreement is archived.
    env.ok(&["agreement", "restore", "ads"]);
    env.ok(&["source", "edit", "f", "--link", "ads"]);
    env.ok(&["agreement", "archive", "ads"]);
    env.ok(&["source", "edit", "f", "--add-field", "имя"]);
    let links = env.json(&["source", "show", "f"])["agreements"].clone();
    assert_eq!(links[0]["agreement"], "ads");
    assert_eq!(links[0]["agreement_archived"], true);
    let table = env.ok(&["source", "show", "f"]).stdout;
    assert!(table.contains("ads (rev 1, ARCHIVED)"), "{table}");
    // Its overrides can even be changed, but nothing new is linked.
    env.ok(&["source", "edit", "f", "--link", "ads,required=false"]);
    assert_eq!(
        env.json(&["source", "show", "f"])["agreements"][0]["required"],
        false
    );
}

#[test]
fn changes_are_logged_with_before_and_after() {
    let env = Env::with_site();
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
    ]);
    env.ok_at(
        "2026-11-29T08:00:00Z",
        &[
            "--actor",
            "admin",
            "source",
            "edit",
            "f",
            "--name",
            "Форма заявки",
            "--set",
            "url=https://romashka.ru/form",
            "--add-field",
            "телефон",
            "--link",
            "site,required=false",
        ],
    );
    let log = source_log(&env, "f");
    assert_eq!(log.len(), 2, "{log:#?}");
    assert_eq!(log[0]["object_kind"], "source");
    assert_eq!(log[0]["object_code"], "f");
    assert_eq!(log[0]["action"], "create");
    assert_eq!(log[0]["before"], Value::Null);
    assert_eq!(log[0]["after"]["name"], "Форма");
    assert_eq!(log[0]["after"]["fields"], json!(["имя"]));
    assert_eq!(log[0]["actor"], "tester");

    let e = &log[1];
    assert_eq!(e["action"], "update");
    assert_eq!(e["actor"], "admin");
    assert_eq!(e["at"], "2026-11-29T08:00:00Z");
    assert_eq!(e["before"]["name"], "Форма");
    assert_eq!(e["after"]["name"], "Форма заявки");
    assert_eq!(e["before"]["fields"], json!(["имя"]));
    assert_eq!(e["after"]["fields"], json!(["имя", "телефон"]));
    assert_eq!(e["after"]["url"], "https://romashka.ru/form");
    assert_eq!(e["before"]["agreements"], json!([]));
    assert_eq!(
        e["after"]["agreements"],
        json!([{"agreement": "site", "required": false, "checked_by_default": null, "require_reading": null}])
    );
    assert_eq!(
        env.json(&["source", "show", "f"])["updated_at"],
        "2026-11-29T08:00:00Z"
    );
    assert_eq!(
        env.json(&["source", "show", "f"])["created_at"],
        NOW,
        "an edit keeps the creation time"
    );

    let table = env.ok(&["log", "--kind", "source"]).stdout;
    assert!(table.contains("source f"), "{table}");
    assert!(table.contains("name: Форма → Форма заявки"), "{table}");

    // Source changes are not agreement changes.
    assert!(
        env.json(&["log", "--kind", "agreement"])
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["object_kind"] == "agreement")
    );
    assert_eq!(env.revisions("site"), 1, "linking creates no revision");
}

#[test]
fn an_edit_that_changes_nothing_says_so() {
    let env = Env::with_site();
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
        "site,required=true",
    ]);
    let before = env.dump();
    for args in [
        &["source", "edit", "f", "--name", "Форма"][..],
        &["source", "edit", "f", "--add-field", "имя"],
        &[
            "source",
            "edit",
            "f",
            "--set",
            "kind=form",
            "--set",
            "warning=false",
        ],
        &["source", "edit", "f", "--link", "site,required=true"],
    ] {
        let r = env.ok(args);
        assert_eq!(r.stdout, "", "{args:?}");
        assert!(
            r.stderr.starts_with("source `f` unchanged") && r.stderr.lines().count() == 1,
            "{args:?}: {}",
            r.stderr
        );
        assert_eq!(env.dump(), before, "{args:?} changed the database");
    }
    assert_eq!(source_log(&env, "f").len(), 1);

    // Without any flag and without a terminal there is nothing to do: an error.
    let r = env.fails(&["source", "edit", "f"]);
    assert!(
        r.stderr.contains("nothing to change for source `f`"),
        "{}",
        r.stderr
    );
}

#[test]
fn archive_and_restore() {
    let env = Env::with_site();
    env.ok(&[
        "source",
        "add",
        "f",
        "--kind",
        "form",
        "--name",
        "Форма",
        "--link",
        "site",
    ]);
    env.ok(&["source", "add", "g", "--kind", "form", "--name", "Другая"]);

    let r = env.ok(&["source", "archive", "f"]);
    assert!(
        r.stderr.contains("source `f` is now archived"),
        "{}",
        r.stderr
    );
    let r = env.ok(&["source", "archive", "f"]);
    assert!(r.stderr.contains("already archived"), "{}", r.stderr);

    let codes = |args: &[&str]| -> Vec<String> {
        env.json(args)
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["code"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(codes(&["source", "list"]), ["g"]);
    assert_eq!(codes(&["source", "list", "--all"]), ["f", "g"]);
    let f = env.json(&["source", "show", "f"]);
    assert_eq!(f["archived"], true);
    assert_eq!(f["agreements"][0]["agreement"], "site", "links are kept");

    // An archived source is not edited; the database stays as it was.
    let r = env.fails(&["source", "edit", "f", "--name", "Новая"]);
    assert!(r.stderr.contains("source `f` is archived"), "{}", r.stderr);
    assert!(
        r.stderr.contains("\nhint: ") && r.stderr.contains("pdconsent source restore f"),
        "{}",
        r.stderr
    );
    env.fails(&["source", "edit", "f", "--link", "site,required=false"]);

    let r = env.ok(&["source", "restore", "f"]);
    assert!(
        r.stderr.contains("source `f` is now active"),
        "{}",
        r.stderr
    );
    let r = env.ok(&["source", "restore", "f"]);
    assert!(r.stderr.contains("already active"), "{}", r.stderr);
    assert_eq!(codes(&["source", "list"]), ["f", "g"]);
    env.ok(&["source", "edit", "f", "--name", "Новая"]);

    let actions: Vec<String> = source_log(&env, "f")
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(actions, ["create", "archive", "restore", "update"]);
    let archive = &source_log(&env, "f")[1];
    assert_eq!(archive["before"], json!({"archived": false}));
    assert_eq!(archive["after"], json!({"archived": true}));
}

#[test]
fn source_errors() {
    let env = Env::with_site();
    env.ok(&["source", "add", "f", "--kind", "form", "--name", "Форма"]);
    let cases: &[(&[&str], &str)] = &[
        (
            &["source", "add", "g", "--name", "G"],
            "--kind form or --kind openline",
        ),
        (
            &["source", "add", "g", "--kind", "form"],
            "the name of the source is required",
        ),
        (
            &["source", "add", "--kind", "form", "--name", "G"],
            "the code of the new source is required",
        ),
        (
            &["source", "add", "Bad Code", "--kind", "form", "--name", "G"],
            "Bad Code",
        ),
        (
            &["source", "add", "g", "--kind", "blog", "--name", "G"],
            "invalid value 'blog' for '--kind <KIND>'",
        ),
        (
            &["source", "add", "f", "--kind", "form", "--name", "F"],
            "source `f` already exists",
        ),
        (
            &[
                "source",
                "add",
                "g",
                "--kind",
                "form",
                "--name",
                "G",
                "--set",
                "warning=true",
            ],
            "openline sources only",
        ),
        (
            &[
                "source",
                "add",
                "g",
                "--kind",
                "form",
                "--name",
                "G",
                "--set",
                "url=ftp://romashka.ru",
            ],
            "`ftp://romashka.ru` is not an http(s) address",
        ),
        (
            &[
                "source",
                "add",
                "g",
                "--kind",
                "form",
                "--name",
                "G",
                "--set",
                "colour=red",
            ],
            "unknown setting `colour`",
        ),
        (&["source", "show", "nope"], "source `nope` not found"),
        (
            &["source", "edit", "nope", "--name", "X"],
            "source `nope` not found",
        ),
        (&["source", "archive", "nope"], "source `nope` not found"),
        (&["source", "restore", "nope"], "source `nope` not found"),
        (
            &["source", "edit", "f", "--set", "code=g"],
            "the code of a source cannot be changed",
        ),
        (
            &["source", "edit", "f", "--unset", "colour"],
            "`colour` cannot be unset",
        ),
        (
            &["source", "edit", "f", "--name", " "],
            "the name is required",
        ),
        (
            &["source", "list", "--format", "html"],
            "`--format html` is not available",
        ),
        (
            &["source", "show", "f", "--format", "text"],
            "`--format text` is not available",
        ),
    ];
    for (args, expected) in cases {
        let r = env.fails(args);
        assert!(
            r.stderr.contains(expected),
            "{args:?}: expected `{expected}` in:\n{}",
            r.stderr
        );
    }
    // An unknown source names the command that lists them.
    let r = env.fails(&["source", "show", "nope"]);
    let hint = r.stderr.lines().last().unwrap();
    assert!(
        hint.starts_with("hint: ") && hint.contains("pdconsent source list"),
        "{}",
        r.stderr
    );
}
