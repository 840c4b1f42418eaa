//! What reaches stdout and stderr: only the formats a command offers, colour
//! and box drawing only when asked, never a control character from a value,
//! and success when stdout is closed early.

use std::io::Read;
use std::process::Stdio;

use crate::common::*;

// ---------------------------------------------------------------- formats

#[test]
fn requisites_show_refuses_html() {
    let env = Env::with_site();
    refused!(
        &env,
        "format_requisites_show_html",
        &["requisites", "show", "main", "--format", "html"],
    );
}

#[test]
fn log_refuses_text() {
    let env = Env::with_site();
    refused!(&env, "format_log_text", &["log", "--format", "text"]);
}

#[test]
fn a_format_a_command_does_not_offer_is_refused_with_the_ones_it_does() {
    let env = Env::with_site();
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

// --------------------------------------------------------------- colour

#[test]
fn plain_tables_have_no_colour_and_no_box_drawing() {
    let env = Env::with_main();
    let plain = env.ok(&["requisites", "list"]).stdout;
    assert!(!plain.contains(['\u{1b}', '│']), "{plain}");
    assert_eq!(
        env.ok(&["--color", "never", "requisites", "list"]).stdout,
        plain
    );
}

#[test]
fn color_always_styles_tables_despite_no_color_and_a_pipe() {
    let env = Env::with_main();
    // --color always wins over NO_COLOR and a pipe.
    let styled = env.ok(&["--color", "always", "requisites", "list"]).stdout;
    assert!(
        styled.contains("\u{1b}[1m") && styled.contains('│'),
        "{styled}"
    );
}

#[test]
fn color_always_styles_errors_and_hints() {
    let env = Env::with_main();
    let r = env.run(&["--color", "always", "agreement", "show", "x"]);
    assert_eq!((r.code, r.stdout.as_str()), (2, ""));
    assert_eq!(
        r.stderr,
        "\u{1b}[1m\u{1b}[31merror:\u{1b}[0m agreement `x` not found\n\
         \u{1b}[1m\u{1b}[36mhint:\u{1b}[0m run `pdconsent agreement list --all` to see what exists\n"
    );
}

#[test]
fn the_environment_decides_colour_as_it_does_for_clap() {
    let env = Env::with_main();
    let run = |vars: &[(&str, &str)], args: &[&str]| {
        let mut c = env.std_command(args);
        c.env_remove("NO_COLOR");
        for (k, v) in vars {
            c.env(k, v);
        }
        String::from_utf8(c.output().unwrap().stderr).unwrap()
    };
    let ours = ["agreement", "show", "x"];
    let clap_error = ["agreement", "show", "--no-such-flag"];
    // CLICOLOR_FORCE styles pdconsent's labels and clap's alike, without a terminal.
    for args in [&ours[..], &clap_error[..]] {
        let forced = run(&[("CLICOLOR_FORCE", "1")], args);
        assert!(forced.starts_with("\u{1b}["), "{args:?}: {forced}");
        // NO_COLOR wins over it; and without either, a pipe gets no colour.
        let no = run(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")], args);
        assert!(no.starts_with("error:"), "{args:?}: {no}");
        assert!(run(&[], args).starts_with("error:"), "{args:?}");
    }
}

#[test]
fn colour_never_changes_json() {
    let env = Env::with_main();
    // The format never changes with colour: JSON stays JSON.
    assert_eq!(
        env.json(&["--color", "always", "requisites", "list"]),
        env.json(&["requisites", "list"])
    );
}

// --------------------------------------------------- control characters

/// Clears the screen and sets the terminal's title.
const ESC: &str = "\u{1b}[2J\u{1b}]0;title\u{7}";

/// A value with control characters is refused (it would reshape the consent
/// text), and the refusal shows them escaped.
#[track_caller]
fn assert_control_characters_refused(args: &[String]) {
    let env = Env::with_main();
    let before = env.dump();
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
    assert_eq!(env.dump(), before);
}

#[test]
fn requisites_refuse_control_characters_in_a_name() {
    assert_control_characters_refused(&[
        "requisites".to_string(),
        "add".into(),
        "other".into(),
        "--set".into(),
        format!("short_name=ООО {ESC}Ромашка"),
    ]);
}

#[test]
fn agreements_refuse_control_characters_in_a_name() {
    assert_control_characters_refused(&[
        "agreement".into(),
        "add".into(),
        "site".into(),
        "--name".into(),
        format!("Имя{ESC}"),
    ]);
}

#[test]
fn agreements_refuse_control_characters_in_a_purpose() {
    assert_control_characters_refused(&[
        "agreement".into(),
        "add".into(),
        "site".into(),
        "--name".into(),
        "Имя".into(),
        "--add-purpose".into(),
        format!("цель{ESC}"),
    ]);
}

#[test]
fn requisites_refuse_a_line_break_in_an_address() {
    assert_control_characters_refused(&[
        "requisites".into(),
        "edit".into(),
        "main".into(),
        "--set".into(),
        "legal_address=строка 1\nстрока 2".into(),
    ]);
}

/// `site` at revision 2, made by an actor whose name has control characters.
fn with_an_actor_with_control_characters() -> Env {
    let env = Env::with_main();
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
        &format!("admin{ESC}"),
        "agreement",
        "edit",
        "site",
        "--name",
        "Имя 2",
    ]);
    env
}

/// The actor is not part of any text; it is shown escaped wherever it appears.
#[track_caller]
fn assert_actor_shown_escaped(args: &[&str]) {
    let env = with_an_actor_with_control_characters();
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

#[test]
fn history_shows_control_characters_of_an_actor_escaped() {
    assert_actor_shown_escaped(&["agreement", "history", "site"]);
}

#[test]
fn log_shows_control_characters_of_an_actor_escaped() {
    assert_actor_shown_escaped(&["log"]);
}

#[test]
fn an_unknown_code_with_control_characters_is_shown_escaped() {
    let env = Env::with_main();
    let r = env.fails(&["agreement", "show", &format!("x{ESC}")]);
    assert!(!r.stderr.contains('\u{1b}'), "{:?}", r.stderr);
}

#[test]
fn json_keeps_control_characters_of_an_actor_exactly() {
    let env = with_an_actor_with_control_characters();
    // JSON is data: it keeps the value exactly (escaped by JSON itself).
    assert_eq!(
        env.json(&["agreement", "history", "site"])[1]["actor"],
        format!("admin{ESC}")
    );
}

// ---------------------------------------------------------- closed stdout

/// Runs `args` with stdout closed before pdconsent writes: it must exit 0 and
/// print nothing on stderr. Its output must be far more than a pipe holds, so
/// the writer meets the closed pipe.
#[track_caller]
fn assert_closed_stdout_is_success(env: &Env, args: &[&str]) {
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

#[test]
fn closed_stdout_is_success_for_long_json() {
    let env = Env::with_site();
    // Far more than a pipe holds, so the writer must meet the closed pipe
    // (and within the 256 KiB a custom text may have).
    let big = "Строка текста согласия, достаточно длинная.\n".repeat(3_000);
    let file = write(&env, "big.txt", &big);
    env.ok(&["agreement", "edit", "site", "--text-file", &file]);
    // Two agreements with the text, and two revisions of `site`, so the
    // listing and the history are past 256 KiB too.
    env.ok(&[
        "agreement",
        "add",
        "other",
        "--name",
        "Другое",
        "--text-file",
        &file,
    ]);
    let file = write(&env, "big2.txt", &format!("{big}Ещё одна строка.\n"));
    env.ok(&["agreement", "edit", "site", "--text-file", &file]);
    for args in [
        &["agreement", "list", "--format", "json"][..],
        &["agreement", "history", "site", "--format", "json"],
        &["log", "--format", "json"],
    ] {
        assert_closed_stdout_is_success(&env, args);
    }
}

#[test]
fn closed_stdout_is_success_for_a_long_table() {
    let env = Env::with_site();
    // Thousands of purposes, one line each in `show`.
    let purposes: Vec<String> = (1..=3000)
        .map(|i| format!("цель обработки номер {i}"))
        .collect();
    let mut args = vec!["agreement", "edit", "site"];
    for p in &purposes {
        args.extend(["--add-purpose", p.as_str()]);
    }
    env.ok(&args);
    assert_closed_stdout_is_success(&env, &["agreement", "show", "site"]);
}
