//! Store safety: bounded inputs (size and UTF-8), bounded templates (no stack
//! overflow however the text is built), and no control characters in texts.

use std::time::Duration;

use crate::common::*;
use pdconsent::domain::render::MAX_TEMPLATE_BYTES;
use pdconsent::input::MAX_CONFIG_BYTES;

/// Long enough for reading an endless device to show; a bounded read takes milliseconds.
const ENDLESS_TIMEOUT: Duration = Duration::from_secs(10);

/// Runs a command that must be refused (exit 2, nothing on stdout, the database
/// as it was) and snapshots the command line with exit code, stdout and stderr.
#[track_caller]
fn refused(env: &Env, name: &str, args: &[&str]) -> Run {
    let r = env.fails(args);
    let text = format!("$ pdconsent {}\n{}", args.join(" "), r.pinned());
    insta::assert_snapshot!(name, redact(env, &text));
    r
}

/// Runs a command with `stdin`; it must be refused like [`Env::fails`] checks.
#[track_caller]
fn refused_with_stdin(env: &Env, args: &[&str], stdin: Vec<u8>) -> Run {
    let before = env.dump();
    let out = env.command(args).write_stdin(stdin).output().unwrap();
    let r = Run {
        code: out.status.code().expect("exited, not killed by a signal"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    };
    assert_eq!(r.code, 2, "{args:?}:\n{}", r.pinned());
    assert_eq!(r.stdout, "");
    assert!(r.stderr.starts_with("error: "), "{}", r.stderr);
    assert_eq!(env.dump(), before, "{args:?} changed the database");
    r
}

/// Runs a command that reads an endless device; it must stop on its own with exit 2.
#[track_caller]
fn refused_quickly(env: &Env, args: &[&str]) -> Run {
    let before = env.dump();
    let out = env.command(args).timeout(ENDLESS_TIMEOUT).output().unwrap();
    let r = Run {
        code: out
            .status
            .code()
            .unwrap_or_else(|| panic!("{args:?} was killed (timeout or signal): {out:?}")),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    };
    assert_eq!(r.code, 2, "{args:?}:\n{}", r.pinned());
    assert_eq!(env.dump(), before, "{args:?} changed the database");
    r
}

/// A plain text of exactly `len` bytes, in lines of 64.
fn text_of(len: usize) -> String {
    let line = format!("{}\n", "x".repeat(63));
    let mut text = line.repeat(len / 64);
    text.push_str(&"y".repeat(len % 64));
    text
}

/// Windows-1251 bytes for «Привет», the usual way a Russian text is not UTF-8.
const CP1251_PRIVET: &[u8] = &[0xCF, 0xF0, 0xE8, 0xE2, 0xE5, 0xF2];

// --------------------------------------------------------------- input size

#[test]
fn a_text_file_at_the_limit_is_read_and_one_byte_more_is_refused() {
    let env = Env::with_main();
    let at = write(&env, "at.txt", &text_of(MAX_TEMPLATE_BYTES));
    env.ok(&["agreement", "add", "at", "--name", "A", "--text-file", &at]);
    let v = env.json(&["agreement", "show", "at"]);
    assert_eq!(v["custom_text"].as_str().unwrap().len(), MAX_TEMPLATE_BYTES);

    let over = write(&env, "over.txt", &text_of(MAX_TEMPLATE_BYTES + 1));
    let add = [
        "agreement",
        "add",
        "over",
        "--name",
        "O",
        "--text-file",
        &over,
    ];
    refused(&env, "text_file_too_large", &add);
    let edit = ["agreement", "edit", "at", "--text-file", &over];
    let r = env.fails(&edit);
    assert!(r.stderr.contains("larger than 256 KiB"), "{}", r.stderr);
}

#[test]
fn a_text_on_stdin_past_the_limit_is_refused() {
    let env = Env::with_main();
    let args = ["agreement", "add", "x", "--name", "X", "--text-file", "-"];
    let r = refused_with_stdin(&env, &args, text_of(MAX_TEMPLATE_BYTES + 1).into_bytes());
    assert_eq!(
        r.stderr,
        "error: standard input is larger than 256 KiB, the limit for a template or custom text; reading stopped there\n\
         hint: pdconsent reads at most 256 KiB of a template or custom text; the README's \"Limits\" lists every limit\n"
    );
}

#[test]
fn dev_zero_as_a_text_file_stops_at_the_limit() {
    let env = Env::with_site();
    for args in [
        &[
            "agreement",
            "add",
            "z",
            "--name",
            "Z",
            "--text-file",
            "/dev/zero",
        ][..],
        &["agreement", "edit", "site", "--text-file", "/dev/zero"],
    ] {
        let r = refused_quickly(&env, args);
        assert!(
            r.stderr.starts_with(
                "error: `/dev/zero` is larger than 256 KiB, the limit for a template or custom text"
            ),
            "{}",
            r.stderr
        );
    }
}

#[test]
fn an_apply_file_past_the_limit_is_refused() {
    let env = Env::new();
    // Comments only: valid TOML that applies nothing, were it read whole.
    let mut big = format!("# {}\n", "-".repeat(61)).repeat(MAX_CONFIG_BYTES / 64);
    big.push('\n');
    assert_eq!(big.len(), MAX_CONFIG_BYTES + 1);
    let path = write(&env, "big.toml", &big);
    let r = refused(&env, "apply_file_too_large", &["apply", &path]);
    assert!(r.stderr.contains("64 MiB"));

    let r = refused_with_stdin(&env, &["apply", "-"], big.into_bytes());
    assert!(
        r.stderr.starts_with(
            "error: standard input is larger than 64 MiB, the limit for an apply file"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn dev_zero_as_an_apply_file_stops_at_the_limit() {
    let env = Env::new();
    let r = refused_quickly(&env, &["apply", "/dev/zero"]);
    assert!(
        r.stderr
            .starts_with("error: `/dev/zero` is larger than 64 MiB, the limit for an apply file"),
        "{}",
        r.stderr
    );
}

// ---------------------------------------------------------------- UTF-8

#[test]
fn a_text_file_that_is_not_utf8_says_so_with_offset_and_line() {
    let env = Env::with_main();
    let mut bytes = "Согласие\nна обработку\n".as_bytes().to_vec();
    bytes.extend(CP1251_PRIVET);
    let path = env.dir().join("cp1251.txt");
    std::fs::write(&path, &bytes).unwrap();
    let path = path.display().to_string();
    let r = refused(
        &env,
        "text_file_not_utf8",
        &["agreement", "add", "x", "--name", "X", "--text-file", &path],
    );
    assert!(!r.stderr.contains("check the path"), "{}", r.stderr);

    let r = refused_with_stdin(
        &env,
        &["agreement", "add", "x", "--name", "X", "--text-file", "-"],
        bytes,
    );
    assert!(
        r.stderr.starts_with(
            "error: standard input is not UTF-8 text: invalid byte 0xCF at byte offset 41 (line 3)\n"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn binary_input_stops_at_the_first_invalid_byte() {
    let env = Env::with_site();
    let r = refused_quickly(
        &env,
        &["agreement", "edit", "site", "--text-file", "/dev/urandom"],
    );
    assert!(
        r.stderr
            .starts_with("error: `/dev/urandom` is not UTF-8 text: invalid byte 0x"),
        "{}",
        r.stderr
    );
    let r = refused_quickly(&env, &["apply", "/dev/urandom"]);
    assert!(
        r.stderr
            .starts_with("error: `/dev/urandom` is not UTF-8 text: invalid byte 0x"),
        "{}",
        r.stderr
    );
}

#[test]
fn an_apply_file_that_is_not_utf8_says_so_with_offset_and_line() {
    let env = Env::new();
    let mut bytes = b"[[requisites]]\ncode = \"main\"\nshort_name = \"".to_vec();
    bytes.extend(CP1251_PRIVET);
    bytes.extend(b"\"\n");
    let path = env.dir().join("cp1251.toml");
    std::fs::write(&path, &bytes).unwrap();
    let path = path.display().to_string();
    refused(&env, "apply_file_not_utf8", &["apply", &path]);
}

#[test]
fn a_directory_or_a_missing_file_keeps_a_clear_message() {
    let env = Env::with_main();
    let dir = env.dir().display().to_string();
    let missing = env.dir().join("missing.txt").display().to_string();
    for (name, path) in [
        ("text_file_is_a_directory", &dir),
        ("text_file_missing", &missing),
    ] {
        refused(
            &env,
            name,
            &["agreement", "add", "x", "--name", "X", "--text-file", path],
        );
    }
    refused(&env, "apply_file_is_a_directory", &["apply", &dir]);
    refused(&env, "apply_file_missing", &["apply", &missing]);
}

// --------------------------------------------------------------- templates

/// The four chains of the issue, 50,000 links each, in one `{{ }}`.
fn chains() -> [(&'static str, String); 4] {
    let n = 50_000;
    [
        ("plus", format!("{{{{ 1{} }}}}", "+1".repeat(n))),
        // 300 KB with `|upper`: past the size limit too, so `|trim` for --text-file.
        (
            "filters",
            format!("{{{{ operator.inn{} }}}}", "|trim".repeat(n)),
        ),
        (
            "attributes",
            format!("{{{{ operator{} }}}}", ".a".repeat(n)),
        ),
        ("not", format!("{{{{ {}operator.inn }}}}", "not ".repeat(n))),
    ]
}

/// A template with `chain` on its third line, column 11.
fn with_chain(chain: &str) -> String {
    format!("Согласие\n\nОператор: {chain}\n")
}

#[test]
fn a_50000_chain_from_a_text_file_is_refused_with_the_limit_and_line() {
    let env = Env::with_site();
    for (name, chain) in chains() {
        let path = write(&env, &format!("{name}.txt.j2"), &with_chain(&chain));
        for args in [
            &[
                "agreement",
                "add",
                "chain",
                "--name",
                "C",
                "--text-file",
                &path,
            ][..],
            &["agreement", "edit", "site", "--text-file", &path],
        ] {
            let r = env.fails(args);
            assert!(
                r.stderr.contains(
                    "custom_text: the template does not work: line 3, column 11: this tag has 50"
                ),
                "{name}: {}",
                r.stderr
            );
            assert!(r.stderr.contains("the limit is 200 in one tag"), "{name}");
        }
    }
    let (_, plus) = &chains()[0];
    let path = write(&env, "plus.txt.j2", &with_chain(plus));
    refused(
        &env,
        "template_chain_too_long",
        &[
            "agreement",
            "add",
            "chain",
            "--name",
            "C",
            "--text-file",
            &path,
        ],
    );
}

#[test]
fn a_chain_of_upper_filters_stops_at_the_size_limit_when_read() {
    let env = Env::with_main();
    let chain = format!("{{{{ x{} }}}}", "|upper".repeat(50_000));
    let path = write(&env, "upper.txt.j2", &chain);
    let r = env.fails(&["agreement", "add", "u", "--name", "U", "--text-file", &path]);
    assert!(r.stderr.contains("larger than 256 KiB"), "{}", r.stderr);
}

/// The example configuration plus one agreement with `custom_text`.
fn apply_file_with(env: &Env, custom_text: &str) -> String {
    let example = std::fs::read_to_string(example_file()).unwrap();
    let text = format!(
        "{example}\n[[agreements]]\ncode = \"chain\"\nname = \"Цепочка\"\ntemplate = \"custom\"\ncustom_text = '''\n{custom_text}'''\n"
    );
    write(env, "chain.toml", &text)
}

#[test]
fn a_50000_chain_in_apply_custom_text_is_refused_with_the_limit_and_line() {
    let env = Env::new();
    let mut all = chains().to_vec();
    all.push((
        "upper",
        format!("{{{{ operator.inn{} }}}}", "|upper".repeat(50_000)),
    ));
    for (name, chain) in all {
        let path = apply_file_with(&env, &with_chain(&chain));
        let r = env.fails(&["apply", &path]);
        assert!(
            r.stderr.contains("agreements[3].custom_text: the template does not work: line 3, column 11: this tag has 50"),
            "{name}: {}",
            r.stderr
        );
        assert!(r.stderr.contains("the limit is 200 in one tag"), "{name}");
    }
}

#[test]
fn blocks_nested_too_deep_are_refused_with_the_limit_and_line() {
    let env = Env::with_main();
    let depth = 50_000;
    let nested = format!(
        "Текст\n{}x{}",
        "{% if true %}".repeat(depth),
        "{% endif %}".repeat(depth)
    );
    let path = apply_file_with(&env, &nested);
    let r = env.fails(&["apply", &path]);
    assert!(
        r.stderr
            .contains("line 2, column 417: blocks are nested 33 deep here; the limit is 32 levels"),
        "{}",
        r.stderr
    );
}

/// Replaces the custom text of an agreement's current revision in the
/// database, past every check — as a template saved by an older pdconsent.
pub(crate) fn store_custom_text(env: &Env, code: &str, text: &str) {
    store_setting(env, code, "custom_text", text);
}

/// Writes one setting of an agreement's revisions straight into the database,
/// as an older pdconsent (which checked less) could have stored it.
pub(crate) fn store_setting(env: &Env, code: &str, key: &str, value: &str) {
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    // The guard goes and comes back exactly as it was, so that pdconsent,
    // which refuses a database whose guards were changed, reads the file.
    let guard: String = conn
        .query_row(
            "SELECT sql FROM sqlite_master WHERE name = 'agreement_revisions_no_update'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    conn.execute_batch("DROP TRIGGER agreement_revisions_no_update")
        .unwrap();
    let n = conn
        .execute(
            "UPDATE agreement_revisions SET settings = json_set(settings, '$.' || ?3, ?1)
             WHERE agreement_id = (SELECT id FROM agreements WHERE code = ?2)",
            rusqlite::params![value, code, key],
        )
        .unwrap();
    assert_eq!(n, 1);
    conn.execute_batch(&guard).unwrap();
}

#[test]
fn a_chain_already_in_the_database_cannot_crash_preview_or_check() {
    let env = Env::with_main();
    let path = write(&env, "ok.txt.j2", "Оператор: {{ operator.short_name }}.\n");
    env.ok(&[
        "agreement",
        "add",
        "old",
        "--name",
        "Old",
        "--text-file",
        &path,
    ]);
    let chain = format!("{{{{ operator.inn{} }}}}", "|upper".repeat(50_000));
    store_custom_text(&env, "old", &with_chain(&chain));

    let r = refused(
        &env,
        "stored_chain_preview",
        &["agreement", "preview", "old"],
    );
    assert!(r.stderr.contains("line 3, column 11"), "{}", r.stderr);
    let c = env.run(&["agreement", "check", "old", "--format", "json"]);
    assert_eq!(c.code, 1, "{}", c.pinned());
    let findings = c.json();
    assert_eq!(findings[0]["check"], "renders", "{findings:#}");
    assert!(
        findings[0]["message"]
            .as_str()
            .unwrap()
            .contains("the limit is 200 in one tag"),
        "{findings:#}"
    );
}

#[test]
fn a_stored_chain_cannot_crash_preview_on_a_small_stack() {
    // 10,000 filters: under the 8 MiB a main thread usually has, but past the
    // 2 MiB set here, were the template compiled on the main thread.
    let env = Env::with_main();
    let path = write(&env, "ok.txt.j2", "Оператор: {{ operator.short_name }}.\n");
    env.ok(&[
        "agreement",
        "add",
        "old",
        "--name",
        "Old",
        "--text-file",
        &path,
    ]);
    let chain = format!("{{{{ operator.inn{} }}}}", "|upper".repeat(10_000));
    store_custom_text(&env, "old", &with_chain(&chain));
    for (args, code) in [("agreement preview old", 2), ("agreement check old", 1)] {
        // The test's own environment, for a shell that lowers the stack and
        // then becomes pdconsent.
        let inner = env.std_command(&[]);
        let mut sh = std::process::Command::new("sh");
        sh.env_clear()
            .envs(inner.get_envs().filter_map(|(k, v)| Some((k, v?))))
            .current_dir(env.dir())
            .arg("-c")
            .arg(format!("ulimit -s 2048 && exec \"$0\" {args}"))
            .arg(env!("CARGO_BIN_EXE_pdconsent"));
        let out = sh.output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{args}: {out:?}");
        if code == 2 {
            assert!(stderr.contains("the limit is 200 in one tag"), "{stderr}");
        }
    }
}

#[test]
fn the_built_in_templates_and_the_example_pass() {
    let env = Env::with_example();
    let c = env.run(&["agreement", "check", "--all"]);
    assert_eq!(c.code, 0, "{}", c.pinned());
    for id in [
        "ru-152fz-consent",
        "ru-152fz-marketing",
        "ru-152fz-distribution",
    ] {
        let source = env.ok(&["template", "show", id]).stdout;
        let path = write(&env, &format!("{id}.txt.j2"), &source);
        env.ok(&["agreement", "add", id, "--name", id, "--text-file", &path]);
        env.ok(&["agreement", "preview", id]);
    }
}

// ------------------------------------------------------ control characters

/// Each control character of the issue in a line of text: (name, text).
fn control_texts() -> [(&'static str, &'static str); 5] {
    [
        ("esc", "\u{1b}[31mкрасный\u{1b}[0m"),
        ("osc", "\u{1b}]0;pwned\u{7}"),
        ("bel", "\u{7}звонок"),
        ("nul", "\u{0}ноль"),
        ("bs", "\u{8}\u{8}назад"),
    ]
}

/// A custom text with `line` as its second line.
fn text_with(line: &str) -> String {
    format!("Оператор: {{{{ operator.short_name }}}}.\n{line}\n")
}

#[test]
fn control_characters_in_a_text_file_are_refused() {
    let env = Env::with_site();
    for (name, line) in control_texts() {
        let path = write(&env, &format!("{name}.txt"), &text_with(line));
        for args in [
            &[
                "agreement",
                "add",
                "ctl",
                "--name",
                "C",
                "--text-file",
                &path,
            ][..],
            &["agreement", "edit", "site", "--text-file", &path],
        ] {
            let r = env.fails(args);
            assert!(
                r.stderr.contains(
                    "custom_text: line 2, column 1: the text contains a control character"
                ),
                "{name}: {}",
                r.stderr
            );
            // The message shows the character escaped, never raw.
            assert!(!r.stderr.contains(['\u{1b}', '\u{7}', '\u{0}', '\u{8}']));
        }
    }
    let path = write(&env, "osc.txt", &text_with(control_texts()[1].1));
    refused(
        &env,
        "text_file_control_character",
        &["agreement", "edit", "site", "--text-file", &path],
    );
}

#[test]
fn control_characters_given_with_set_are_refused() {
    let env = Env::with_main();
    // NUL cannot be an argument; the others can.
    for (name, line) in control_texts().into_iter().filter(|(n, _)| *n != "nul") {
        let value = format!("custom_text={}", text_with(line));
        let r = env.fails(&[
            "agreement",
            "add",
            "ctl",
            "--name",
            "C",
            "--template",
            "custom",
            "--set",
            &value,
        ]);
        assert!(
            r.stderr
                .contains("custom_text: line 2, column 1: the text contains a control character"),
            "{name}: {}",
            r.stderr
        );
    }
}

#[test]
fn control_characters_in_apply_custom_text_are_refused() {
    let env = Env::new();
    for (name, escaped) in [
        ("esc", "\\u001b[2J"),
        ("osc", "\\u001b]0;pwned\\u0007"),
        ("bel", "\\u0007"),
        ("nul", "\\u0000"),
        ("bs", "\\b"),
    ] {
        // A basic string, where TOML turns the escapes into the characters.
        let example = std::fs::read_to_string(example_file()).unwrap();
        let text = format!(
            "{example}\n[[agreements]]\ncode = \"ctl\"\nname = \"C\"\ntemplate = \"custom\"\ncustom_text = \"Оператор: {{{{ operator.short_name }}}}.\\n{escaped}\\n\"\n"
        );
        let path = write(&env, "ctl.toml", &text);
        let r = env.fails(&["apply", &path]);
        assert!(
            r.stderr.contains(
                "agreements[3].custom_text: line 2, column 1: the text contains a control character"
            ),
            "{name}: {}",
            r.stderr
        );
    }
}

#[test]
fn tabs_and_line_breaks_stay_allowed() {
    let env = Env::with_main();
    let text = "Оператор:\t{{ operator.short_name }}.\r\n\r\n\tКонец.\n";
    let path = write(&env, "tabs.txt", text);
    env.ok(&[
        "agreement",
        "add",
        "tabs",
        "--name",
        "T",
        "--text-file",
        &path,
    ]);
    let v = env.json(&["agreement", "preview", "tabs"]);
    assert_eq!(v["text"], "Оператор:\tООО «Ромашка».\n\n\tКонец.\n");
}

#[test]
fn a_control_character_written_by_an_escape_is_refused() {
    let env = Env::with_main();
    let path = write(&env, "esc.txt", "Оператор {{ \"\\x1b[2J\" }}.\n");
    let r = env.fails(&[
        "agreement",
        "add",
        "esc",
        "--name",
        "E",
        "--text-file",
        &path,
    ]);
    assert!(
        r.stderr
            .contains("the rendered text contains a control character (\\u{1b})"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_control_character_already_in_the_database_is_not_written_by_preview() {
    let env = Env::with_main();
    let path = write(&env, "ok.txt", "Оператор: {{ operator.short_name }}.\n");
    env.ok(&[
        "agreement",
        "add",
        "old",
        "--name",
        "Old",
        "--text-file",
        &path,
    ]);
    store_custom_text(&env, "old", &text_with("\u{1b}]0;pwned\u{7}"));
    for format in ["text", "html", "markdown", "json"] {
        let r = env.fails(&["agreement", "preview", "old", "--format", format]);
        assert!(
            r.stderr.contains(
                "the rendered text contains a control character (\\u{1b}) at its line 2, column 1"
            ),
            "{format}: {}",
            r.stderr
        );
    }
    let c = env.run(&["agreement", "check", "old", "--format", "json"]);
    assert_eq!(c.code, 1, "{}", c.pinned());
    assert_eq!(c.json()[0]["check"], "renders");
}
