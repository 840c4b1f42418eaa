//! `docs/verify_ledger.py`, the verifier a third party runs with nothing but Python, on a real
//! ledger: the export of the binary verifies, its root is `ledger head`'s, a proof of
//! `ledger prove` verifies, and tampered copies of the export are refused at the seq tampered
//! with. python3 is required: without it these tests fail, they never skip (CI has python3).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use crate::common::*;

/// `docs/verify_ledger.py` in this repository.
fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/verify_ledger.py")
}

/// Runs `python3 docs/verify_ledger.py ARGS` in the test's directory.
fn verify(env: &Env, args: &[&str]) -> Run {
    let out = Command::new("python3")
        .arg(script())
        .args(args)
        .current_dir(env.dir())
        .env("PYTHONIOENCODING", "utf-8")
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run python3 ({e}): these tests need python3 on PATH and must not be \
                 skipped; install python3 (3.8 or newer)"
            )
        });
    Run {
        code: out
            .status
            .code()
            .expect("python3 exited, not killed by a signal"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// The seqs of the events a `consent record … --format json` printed.
fn seqs(events: &Value) -> Vec<u64> {
    events
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {events}"))
        .iter()
        .map(|e| e["seq"].as_u64().expect("seq"))
        .collect()
}

/// A ledger built by the binary from `agreements.example.toml`: consents with Cyrillic
/// fields, an IPv6 address, a refused marketing consent, a withdrawal with a reason.
struct Ledger {
    env: Env,
    /// Ivan's given marketing consent, withdrawn later.
    marketing: u64,
    /// The withdrawal of it.
    withdrawal: u64,
    /// Anna's given personal-data consent.
    anna: u64,
}

fn ledger() -> Ledger {
    let env = Env::with_example();
    let ivan = env.json(&[
        "consent",
        "record",
        "--source",
        "contact-form",
        "--field",
        "имя=Иван Петров",
        "--field",
        "email=ivan@example.ru",
        "--field",
        "номер телефона=+79161234567",
        "--field",
        "комментарий=Перезвоните «после 18:00», пожалуйста.\nКод домофона: 12\\3 \"Б\"",
        "--agreement",
        "personal-data",
        "--agreement",
        "marketing",
        "--ip",
        "2001:db8:85a3::8a2e:370:7334",
        "--url",
        "https://severny-veter.ru/contacts?utm_source=яндекс",
        "--user-agent",
        "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0",
        "--external-id",
        "web-0000001",
    ]);
    let ivan = seqs(&ivan);
    assert_eq!(ivan.len(), 2, "personal-data and marketing given");
    let anna = env.json(&[
        "consent",
        "record",
        "--source",
        "contact-form",
        "--field",
        "имя=Анна Ёлкина",
        "--field",
        "email=anna@example.ru",
        "--agreement",
        "personal-data",
        "--refused",
        "marketing",
        "--ip",
        "203.0.113.7",
    ]);
    assert_eq!(anna[1]["event"], "refused", "{anna:#}");
    let anna = seqs(&anna);
    env.json(&[
        "consent",
        "record",
        "--source",
        "callback-form",
        "--field",
        "имя=Пётр",
        "--field",
        "номер телефона=+7 812 555-01-02",
        "--field",
        "удобное время звонка=после обеда",
    ]);
    env.json(&[
        "consent",
        "record",
        "--source",
        "site-chat",
        "--field",
        "имя=Zoë Ångström",
        "--field",
        "email=zoe@example.org",
        "--ip",
        "::1",
    ]);
    let w = env.json(&[
        "consent",
        "withdraw",
        &ivan[1].to_string(),
        "--reason",
        "Больше не хочу получать рассылки — «спасибо»",
        "--channel",
        "email",
    ]);
    assert_eq!(w["withdrawn"][0]["consent"], ivan[1], "{w:#}");
    let w = &w["withdrawn"][0]["withdrawal"];
    assert_eq!(w["event"], "withdrawn", "{w:#}");
    Ledger {
        marketing: ivan[1],
        withdrawal: w["seq"].as_u64().expect("seq"),
        anna: anna[0],
        env,
    }
}

/// Exports the ledger to `export.jsonl`; its lines.
fn export(env: &Env) -> Vec<String> {
    env.ok(&["consent", "export", "-o", "export.jsonl"]);
    let text = std::fs::read_to_string(env.dir().join("export.jsonl")).expect("the export");
    assert!(text.ends_with('\n'), "the export ends with a line break");
    text.lines().map(str::to_string).collect()
}

/// Writes `lines` as a JSON Lines file named `name`.
fn write_lines(env: &Env, name: &str, lines: &[String]) -> String {
    write(env, name, &(lines.join("\n") + "\n"))
}

/// The line of the export holding the leaf `seq`, parsed.
fn line_of(lines: &[String], seq: u64) -> (usize, Value) {
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| (i, serde_json::from_str::<Value>(l).expect("JSON line")))
        .find(|(_, v)| v["leaf"]["seq"] == seq)
        .unwrap_or_else(|| panic!("no leaf {seq} in the export"))
}

/// Asserts that the verifier refused the file (exit 1) and named `seq` at a line.
#[track_caller]
fn refused_at(r: &Run, seq: u64, what: &str) {
    assert_eq!(r.code, 1, "{what}: not refused with 1:\n{}", r.pinned());
    assert!(
        r.stdout
            .lines()
            .any(|l| l.starts_with("line ") && l.contains(&format!(", seq {seq}: "))),
        "{what}: seq {seq} not named at a line:\n{}",
        r.pinned()
    );
    assert!(r.stdout.contains("FAILED"), "{}", r.pinned());
}

#[test]
fn an_export_verifies_and_its_root_is_the_heads() {
    let l = ledger();
    let env = &l.env;
    let lines = export(env);
    let head = env.ok(&["ledger", "head"]).stdout;
    let head_lines: Vec<&str> = head.lines().collect();
    assert_eq!(head_lines.len(), 3, "origin, size, root:\n{head}");
    assert_eq!(head_lines[0], "severny-veter.ru/consents");
    assert_eq!(head_lines[1], lines.len().to_string());
    write(env, "head.txt", &head);
    let (size, root) = (head_lines[1], head_lines[2]);

    let r = verify(env, &["export.jsonl"]);
    assert_eq!(r.code, 0, "{}", r.pinned());
    let out: Vec<&str> = r.stdout.lines().collect();
    assert!(
        out.contains(&format!("size {size}").as_str()),
        "{}",
        r.pinned()
    );
    assert!(
        out.contains(&format!("root {root}").as_str()),
        "{}",
        r.pinned()
    );
    assert!(r.stdout.ends_with("OK\n"), "{}", r.pinned());
    // 7 events, each with its envelope: Ivan's two, Anna's given and refused, Petr's,
    // Zoë's, and the withdrawal.
    assert!(
        r.stdout.contains("7 consent events") && r.stdout.contains("7 envelopes verified"),
        "{}",
        r.pinned()
    );
    assert_eq!(r.stderr, "");

    let r = verify(env, &["export.jsonl", "--head", "head.txt"]);
    assert_eq!(r.code, 0, "{}", r.pinned());
    assert!(r.stdout.contains("head: matches"), "{}", r.pinned());
    let r = verify(
        env,
        &["export.jsonl", "--expect-head", &format!("{size}:{root}")],
    );
    assert_eq!(r.code, 0, "{}", r.pinned());
    // The root of a prefix: an older head still holds.
    let old = env.json(&["ledger", "prove", "1", "--size", "3"]);
    let r = verify(
        env,
        &[
            "export.jsonl",
            "--expect-head",
            &format!("3:{}", old["root"].as_str().expect("root")),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.pinned());
    assert!(
        r.stdout.contains("a prefix of the export"),
        "{}",
        r.pinned()
    );

    // And a wrong one is refused.
    let other = verify(
        env,
        &["export.jsonl", "--expect-head", &format!("3:{root}")],
    );
    assert_eq!(other.code, 1, "{}", other.pinned());
    let longer = format!("{}:{root}", lines.len() + 1);
    let r = verify(env, &["export.jsonl", "--expect-head", &longer]);
    assert_eq!(r.code, 1, "{}", r.pinned());
    assert!(r.stdout.contains("leaves missing"), "{}", r.pinned());
}

#[test]
fn proofs_from_ledger_prove_verify() {
    let l = ledger();
    let env = &l.env;
    export(env);
    let mut args = vec!["export.jsonl".to_string()];
    for seq in [1, l.anna, l.marketing, l.withdrawal] {
        let name = format!("proof-{seq}.json");
        let out = env.ok(&["ledger", "prove", &seq.to_string(), "--format", "json"]);
        write(env, &name, &out.stdout);
        args.extend(["--proof".to_string(), name]);
    }
    // A proof in an older, smaller tree.
    let out = env.ok(&["ledger", "prove", "2", "--size", "5", "--format", "json"]);
    write(env, "proof-old.json", &out.stdout);
    args.extend(["--proof".to_string(), "proof-old.json".to_string()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = verify(env, &args);
    assert_eq!(r.code, 0, "{}", r.pinned());
    for seq in [1, l.anna, l.marketing, l.withdrawal] {
        assert!(
            r.stdout.contains(&format!("proof: seq {seq} is included")),
            "{}",
            r.pinned()
        );
    }
    assert!(
        r.stdout
            .contains("proof: seq 2 is included in the tree of 5 leaves"),
        "{}",
        r.pinned()
    );

    // A proof with one hash flipped, or moved to another leaf, does not verify.
    let mut p: Value = serde_json::from_str(
        &std::fs::read_to_string(env.dir().join(format!("proof-{}.json", l.anna))).unwrap(),
    )
    .unwrap();
    let first = p["proof"][0].as_str().expect("a hash").to_string();
    let flipped = format!(
        "{}{}",
        if first.starts_with('0') { "1" } else { "0" },
        &first[1..]
    );
    p["proof"][0] = json!(flipped);
    write(env, "bad.json", &p.to_string());
    let r = verify(env, &["export.jsonl", "--proof", "bad.json"]);
    assert_eq!(r.code, 1, "{}", r.pinned());
    assert!(
        r.stdout.contains(&format!(
            "seq {}: the inclusion proof bad.json does not verify",
            l.anna
        )),
        "{}",
        r.pinned()
    );
}

#[test]
fn an_edited_leaf_changes_the_root_and_fails_its_proof() {
    let l = ledger();
    let env = &l.env;
    let mut lines = export(env);
    write(env, "head.txt", &env.ok(&["ledger", "head"]).stdout);
    let proof = env.ok(&[
        "ledger",
        "prove",
        &l.marketing.to_string(),
        "--format",
        "json",
    ]);
    write(env, "proof.json", &proof.stdout);
    // The marketing consent given a day earlier: still a well-formed leaf.
    let (i, mut v) = line_of(&lines, l.marketing);
    v["leaf"]["at"] = json!("2026-11-27T11:59:00Z");
    lines[i] = v.to_string();
    write_lines(env, "edited.jsonl", &lines);

    // Against the head published before: a different root (not which leaf).
    let r = verify(env, &["edited.jsonl", "--head", "head.txt"]);
    assert_eq!(r.code, 1, "{}", r.pinned());
    assert!(r.stdout.contains("the export's first"), "{}", r.pinned());
    // With the person's proof of that leaf: refused at its seq.
    let r = verify(env, &["edited.jsonl", "--proof", "proof.json"]);
    refused_at(&r, l.marketing, "an edited leaf");
    assert!(
        r.stdout.contains("differs from the leaf in the proof"),
        "{}",
        r.pinned()
    );

    // An edited commitment no longer opens the envelope: refused without any head.
    let mut lines = export(env);
    let (i, mut v) = line_of(&lines, l.anna);
    v["leaf"]["commitment"] = json!("0".repeat(64));
    lines[i] = v.to_string();
    write_lines(env, "commitment.jsonl", &lines);
    refused_at(
        &verify(env, &["commitment.jsonl"]),
        l.anna,
        "an edited commitment",
    );
}

#[test]
fn an_edited_envelope_is_refused_at_its_seq() {
    let l = ledger();
    let env = &l.env;
    let mut lines = export(env);
    let (i, mut v) = line_of(&lines, l.anna);
    assert_eq!(v["envelope"]["fields"]["имя"], "Анна Ёлкина", "{v:#}");
    v["envelope"]["fields"]["имя"] = json!("Анна Ёлкина-Смирнова");
    lines[i] = v.to_string();
    write_lines(env, "envelope.jsonl", &lines);
    let r = verify(env, &["envelope.jsonl"]);
    refused_at(&r, l.anna, "an edited envelope");
    assert!(
        r.stdout.contains("the commitment does not match"),
        "{}",
        r.pinned()
    );

    // The reason of a withdrawal, too.
    let mut lines = export(env);
    let (i, mut v) = line_of(&lines, l.withdrawal);
    assert!(v["envelope"]["reason"].is_string(), "{v:#}");
    v["envelope"]["reason"] = json!("Не отзывал");
    lines[i] = v.to_string();
    write_lines(env, "reason.jsonl", &lines);
    refused_at(
        &verify(env, &["reason.jsonl"]),
        l.withdrawal,
        "an edited reason",
    );

    // Not in NFC (é as e + U+0301): refused even with the commitment recomputed by no one.
    let mut lines = export(env);
    let (i, mut v) = line_of(&lines, l.anna);
    v["envelope"]["fields"]["имя"] = json!("Rene\u{301}e");
    lines[i] = v.to_string();
    write_lines(env, "nfc.jsonl", &lines);
    let r = verify(env, &["nfc.jsonl"]);
    refused_at(&r, l.anna, "a string not in NFC");
    assert!(r.stdout.contains("not in Unicode NFC"), "{}", r.pinned());
}

#[test]
fn an_erased_envelope_is_counted_not_refused() {
    let l = ledger();
    let env = &l.env;
    let mut lines = export(env);
    // Erasure deletes the envelope and its salt together; the leaf stays as it was.
    let (i, mut v) = line_of(&lines, l.marketing);
    v["envelope"] = Value::Null;
    v["salt"] = Value::Null;
    lines[i] = v.to_string();
    write_lines(env, "erased.jsonl", &lines);
    write(env, "head.txt", &env.ok(&["ledger", "head"]).stdout);
    let r = verify(env, &["erased.jsonl", "--head", "head.txt"]);
    assert_eq!(r.code, 0, "{}", r.pinned());
    assert!(r.stdout.contains("1 erased"), "{}", r.pinned());

    // Only one of the two gone is a defect.
    let (i, mut v) = line_of(&lines, l.anna);
    v["salt"] = Value::Null;
    lines[i] = v.to_string();
    write_lines(env, "half.jsonl", &lines);
    refused_at(
        &verify(env, &["half.jsonl"]),
        l.anna,
        "a salt without envelope",
    );
}

#[test]
fn dropped_and_swapped_lines_are_refused_at_their_seq() {
    let l = ledger();
    let env = &l.env;
    let lines = export(env);

    let (i, _) = line_of(&lines, l.anna);
    let mut dropped = lines.clone();
    dropped.remove(i);
    write_lines(env, "dropped.jsonl", &dropped);
    let r = verify(env, &["dropped.jsonl"]);
    refused_at(&r, l.anna + 1, "a dropped line");
    assert!(
        r.stdout.contains(&format!(
            "expected seq {} here (seq {} missing)",
            l.anna, l.anna
        )),
        "{}",
        r.pinned()
    );

    // The last line dropped leaves a well-formed shorter log: only a head catches it.
    write(env, "head.txt", &env.ok(&["ledger", "head"]).stdout);
    write_lines(env, "truncated.jsonl", &lines[..lines.len() - 1]);
    let r = verify(env, &["truncated.jsonl", "--head", "head.txt"]);
    assert_eq!(r.code, 1, "{}", r.pinned());
    assert!(
        r.stdout.contains(&format!(
            "seq {}: the head in head.txt (origin severny-veter.ru/consents) has size {}",
            lines.len(),
            lines.len()
        )),
        "{}",
        r.pinned()
    );

    let (i, _) = line_of(&lines, l.marketing);
    let mut swapped = lines.clone();
    swapped.swap(i, i + 1);
    write_lines(env, "swapped.jsonl", &swapped);
    let r = verify(env, &["swapped.jsonl"]);
    refused_at(&r, l.marketing, "two lines swapped");
    refused_at(&r, l.marketing + 1, "two lines swapped");
}

#[test]
fn a_line_that_is_not_a_leaf_is_refused_and_usage_errors_exit_2() {
    let l = ledger();
    let env = &l.env;
    let mut lines = export(env);
    let (i, mut v) = line_of(&lines, l.anna);
    v["leaf"]["extra"] = json!(1);
    v["leaf"]["revision"] = json!(1.0);
    lines[i] = v.to_string();
    write_lines(env, "shape.jsonl", &lines);
    let r = verify(env, &["shape.jsonl"]);
    refused_at(&r, l.anna, "an unknown key and a float");
    assert!(r.stdout.contains("unknown keys extra"), "{}", r.pinned());
    assert!(r.stdout.contains("only integers"), "{}", r.pinned());

    let r = verify(env, &["missing.jsonl"]);
    assert_eq!(r.code, 2, "{}", r.pinned());
    let r = verify(env, &["export.jsonl", "--expect-head", "nonsense"]);
    assert_eq!(r.code, 2, "{}", r.pinned());
    let r = verify(env, &[]);
    assert_eq!(r.code, 2, "{}", r.pinned());
}
