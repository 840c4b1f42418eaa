//! Consent receipts: `consent receipt SEQ` in text, JSON and HTML; `receipt verify` and
//! `docs/verify_receipt.py` checking them offline; single-byte changes refused; a receipt
//! of a small tree linked to a checkpoint of 10,000 leaves; erasure failing only the
//! commitment. The Python verifier checks signatures with the `cryptography` package: it is
//! found, or installed into a virtual environment under target/, never skipped.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

use crate::common::{Env, Run, example_file, write};

const APPLIED: &str = "2026-11-01T10:00:00Z";
const RECORDED: &str = "2026-11-20T10:00:00Z";

/// A python3 that imports `cryptography`: the system's, or a venv made once under target/.
fn python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| {
        let has = |py: &Path| {
            Command::new(py)
                .args(["-c", "import cryptography"])
                .output()
                .is_ok_and(|o| o.status.success())
        };
        let system = PathBuf::from("python3");
        if has(&system) {
            return system;
        }
        let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pyenv-cryptography");
        let py = venv.join("bin/python3");
        if !has(&py) {
            let made = Command::new("python3")
                .args(["-m", "venv"])
                .arg(&venv)
                .status()
                .expect("python3 runs: these tests need python3 (3.8 or newer)");
            assert!(made.success(), "python3 -m venv {} failed", venv.display());
            let pip = Command::new(&py)
                .args(["-m", "pip", "install", "--quiet", "cryptography"])
                .status()
                .expect("pip runs");
            assert!(
                pip.success(),
                "cannot install Python's `cryptography` into {}: the receipt interoperability \
                 tests need it (python3 -m pip install cryptography)",
                venv.display()
            );
        }
        py
    })
}

/// `python3 docs/verify_receipt.py ARGS` in the test's directory.
fn py_verify(env: &Env, args: &[&str]) -> Run {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/verify_receipt.py");
    let out = Command::new(python())
        .arg(script)
        .args(args)
        .current_dir(env.dir())
        .env("PYTHONIOENCODING", "utf-8")
        .output()
        .expect("python3 runs");
    Run {
        code: out.status.code().expect("not killed by a signal"),
        stdout: String::from_utf8(out.stdout).expect("UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8"),
    }
}

fn record(env: &Env, name: &str, email: &str, agreements: &[&str]) -> Vec<u64> {
    let field_name = format!("name={name}");
    let field_email = format!("email={email}");
    let mut args = vec![
        "consent",
        "record",
        "--source",
        "contact-form",
        "--field",
        &field_name,
        "--field",
        &field_email,
        "--ip",
        "203.0.113.7",
        "--url",
        "https://severny-veter.ru/contacts",
    ];
    for a in agreements {
        args.extend(["--agreement", a]);
    }
    let r = env.ok_at(RECORDED, &args);
    r.stdout.lines().map(|l| l.parse().unwrap()).collect()
}

/// The example applied, a signing key, Ivan's submission (personal data given, marketing
/// refused). Returns the env, the verifier key and Ivan's seqs.
fn setup() -> (Env, String, Vec<u64>) {
    let env = Env::new();
    env.ok_at(APPLIED, &["apply", example_file().to_str().unwrap()]);
    let vkey = env.ok(&["ledger", "key", "init"]).stdout.trim().to_string();
    let seqs = record(&env, "Иван Петров", "ivan@example.ru", &["personal-data"]);
    (env, vkey, seqs)
}

fn verify(env: &Env, file: &str, vkey: &str) -> Run {
    env.run(&["receipt", "verify", file, "--vkey", vkey])
}

/// The names of the checks a verifier's output marks FAIL.
fn failed(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("FAIL "))
        .map(|l| l.split_whitespace().next().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn a_receipt_verifies_offline_in_each_format_with_pdconsent_and_python() {
    let (env, vkey, seqs) = setup();
    let given = seqs[0].to_string();
    for (format, file) in [("text", "r.txt"), ("json", "r.json"), ("html", "r.html")] {
        let r = env.ok(&["consent", "receipt", &given, "--format", format, "-o", file]);
        assert!(r.stdout.is_empty(), "{}", r.stdout);
        assert!(
            r.stderr.contains(&format!("written to `{file}`")),
            "{}",
            r.stderr
        );
        let v = verify(&env, file, &vkey);
        assert_eq!(v.code, 0, "{file}: {}", v.pinned());
        assert!(v.stdout.ends_with("receipt verified\n"), "{}", v.stdout);
        for check in [
            "receipt",
            "leaf",
            "signature",
            "inclusion",
            "commitment",
            "statement",
        ] {
            assert!(
                v.stdout
                    .lines()
                    .any(|l| l.starts_with("ok") && l.split_whitespace().nth(1) == Some(check)),
                "{check} in {}",
                v.stdout
            );
        }
        let p = py_verify(&env, &[file, "--vkey", &vkey]);
        assert_eq!(p.code, 0, "python, {file}: {}\n{}", p.stdout, p.stderr);
        assert!(p.stdout.contains("ok   signature"), "{}", p.stdout);
    }
    // The text receipt is the person's: who, what, when, their data, the text, how to withdraw.
    let text = std::fs::read_to_string(env.dir().join("r.txt")).unwrap();
    for needle in [
        "Квитанция о согласии на обработку персональных данных",
        "Общество с ограниченной ответственностью «Северный ветер», ИНН 7812345675",
        "«Согласие на обработку персональных данных» (personal-data), редакция 1",
        "20.11.2026 13:00:00 (Europe/Moscow; 2026-11-20T10:00:00Z)",
        "веб-форма «Форма обратной связи» (contact-form)",
        "имя: Иван Петров",
        "IP-адрес: 203.0.113.7",
        "напишите на privacy@severny-veter.ru",
        "не позднее чем через 30 дней (ч. 5 ст. 21",
        "Я, субъект персональных данных",
        "-----BEGIN PDCONSENT RECEIPT-----",
    ] {
        assert!(text.contains(needle), "{needle:?} not in:\n{text}");
    }
    // The HTML page is self-contained: nothing fetched when it is opened or printed.
    let html = std::fs::read_to_string(env.dir().join("r.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    for outside in ["<link", "src=", "@import", "url("] {
        assert!(!html.contains(outside), "{outside} in the HTML receipt");
    }
    assert!(html.contains("<td>Иван Петров</td>"), "{html}");
    // A wrong key: both verifiers refuse the signature (and so the inclusion).
    let other = Env::new();
    other.ok_at(APPLIED, &["apply", example_file().to_str().unwrap()]);
    let other_key = other
        .ok(&["ledger", "key", "init"])
        .stdout
        .trim()
        .to_string();
    let v = verify(&env, "r.json", &other_key);
    assert_eq!(v.code, 1, "{}", v.pinned());
    assert_eq!(failed(&v.stdout), ["signature", "inclusion"]);
    let p = py_verify(&env, &["r.json", "--vkey", &other_key]);
    assert_eq!(p.code, 1, "{}", p.stdout);
    assert_eq!(failed(&p.stdout), ["signature", "inclusion"]);
}

#[test]
fn the_json_receipt_carries_the_kantara_fields() {
    let (env, _, seqs) = setup();
    let r: Value = serde_json::from_str(
        &env.ok(&[
            "consent",
            "receipt",
            &seqs[0].to_string(),
            "--format",
            "json",
        ])
        .stdout,
    )
    .unwrap();
    assert_eq!(r["version"], "KI-CR-v1.1.0");
    assert_eq!(r["jurisdiction"], "RU");
    assert_eq!(r["consentTimestamp"], 1_795_168_800);
    assert_eq!(r["piiPrincipalId"], "ivan@example.ru");
    assert_eq!(r["piiControllers"][0]["email"], "privacy@severny-veter.ru");
    assert_eq!(r["services"][0]["purposes"][0]["consentType"], "EXPLICIT");
    assert_eq!(
        r["services"][0]["purposes"][0]["thirdPartyName"],
        "ООО «Облачные системы»"
    );
    assert_eq!(r["pdconsent"]["seq"], seqs[0]);
    assert_eq!(r["pdconsent"]["withdrawal"]["destroy_within_days"], 30);
    assert!(
        r["proof"]["tlog_proof"]
            .as_str()
            .unwrap()
            .starts_with("c2sp.org/tlog-proof@v1\nindex ")
    );
}

#[test]
fn each_byte_changed_in_the_proof_fails_both_verifiers() {
    let (env, vkey, seqs) = setup();
    env.ok(&[
        "consent",
        "receipt",
        &seqs[0].to_string(),
        "--format",
        "json",
        "-o",
        "r.json",
    ]);
    let good: Value =
        serde_json::from_str(&std::fs::read_to_string(env.dir().join("r.json")).unwrap()).unwrap();
    let mut tried = 0;
    for pointer in [
        "/proof/leaf",
        "/proof/envelope/salt",
        "/proof/envelope/canonical",
        "/proof/tlog_proof",
    ] {
        let original = good.pointer(pointer).unwrap().as_str().unwrap().to_string();
        // Every 11th byte of each part, and its last: the leaf, the envelope, the salt, the
        // audit path, the checkpoint body and the signature line all get hit.
        let mut at: Vec<usize> = (0..original.len()).step_by(11).collect();
        at.push(original.len() - 2);
        for i in at {
            if !original.is_char_boundary(i) || !original.is_char_boundary(i + 1) {
                continue;
            }
            let mut bytes = original.clone().into_bytes();
            bytes[i] = if bytes[i] == b'0' { b'1' } else { b'0' };
            let mut r = good.clone();
            *r.pointer_mut(pointer).unwrap() = Value::String(String::from_utf8(bytes).unwrap());
            std::fs::write(env.dir().join("bad.json"), r.to_string()).unwrap();
            let v = verify(&env, "bad.json", &vkey);
            assert_eq!(v.code, 1, "{pointer} byte {i} accepted:\n{}", v.stdout);
            assert!(v.stdout.ends_with("receipt NOT verified\n"));
            if tried % 5 == 0 {
                let p = py_verify(&env, &["bad.json", "--vkey", &vkey]);
                assert_eq!(
                    p.code, 1,
                    "python: {pointer} byte {i} accepted:\n{}",
                    p.stdout
                );
            }
            tried += 1;
        }
    }
    assert!(tried > 100, "only {tried} changes tried");
    // A changed statement (the text, the data shown) fails the statement check.
    let mut r = good.clone();
    r["pdconsent"]["text"] = Value::String("Я согласен на всё.".into());
    std::fs::write(env.dir().join("bad.json"), r.to_string()).unwrap();
    assert_eq!(
        failed(&verify(&env, "bad.json", &vkey).stdout),
        ["statement"]
    );
    assert_eq!(
        failed(&py_verify(&env, &["bad.json", "--vkey", &vkey]).stdout),
        ["statement"]
    );
}

/// A configuration of four leaves: the example's requisites, one agreement, one form.
const SMALL: &str = r#"
[[requisites]]
code = "main"
kind = "legal"
short_name = "ООО «Северный ветер»"
inn = "7812345675"
kpp = "781201001"
ogrn = "1027800123450"
legal_address = "191186, г. Санкт-Петербург, Невский пр-кт, д. 28, пом. 15-Н"
email = "privacy@severny-veter.ru"
website = "https://severny-veter.ru"
default = true

[[agreements]]
code = "personal-data"
name = "Согласие на обработку персональных данных"
purposes = ["обработка заявок"]

[[sources]]
code = "contact-form"
kind = "form"
name = "Форма обратной связи"
url = "https://severny-veter.ru/contacts"
fields = ["имя", "адрес электронной почты"]

[[sources.agreements]]
agreement = "personal-data"
"#;

#[test]
fn a_receipt_at_tree_size_10_verifies_against_a_checkpoint_at_10000() {
    let env = Env::new();
    let file = write(&env, "small.toml", SMALL);
    env.ok_at(APPLIED, &["apply", &file]);
    let vkey = env.ok(&["ledger", "key", "init"]).stdout.trim().to_string();
    let mut last = 0;
    while last < 10 {
        last = record(
            &env,
            "Иван",
            &format!("u{last}@example.ru"),
            &["personal-data"],
        )[0];
    }
    assert_eq!(last, 10, "the small configuration has more than 9 leaves");
    env.ok(&[
        "consent", "receipt", "10", "--format", "json", "-o", "r10.json",
    ]);
    let r: Value =
        serde_json::from_str(&std::fs::read_to_string(env.dir().join("r10.json")).unwrap())
            .unwrap();
    assert_eq!(r["pdconsent"]["log"]["tree_size"], 10);

    let mut batch = String::new();
    for i in 0..9_990 {
        batch.push_str(&format!(
            "{{\"source\":\"contact-form\",\"fields\":{{\"имя\":\"Пётр\",\"адрес электронной почты\":\"p{i}@example.ru\"}},\"agreements\":[\"personal-data\"]}}\n"
        ));
    }
    let batch = write(&env, "batch.jsonl", &batch);
    env.ok_at(RECORDED, &["consent", "record", "--batch", &batch]);
    let head = env.json(&["ledger", "head"]);
    assert_eq!(head["size"], 10_000);
    env.ok(&["ledger", "checkpoint", "-o", "new.checkpoint"]);
    env.ok(&[
        "ledger",
        "consistency",
        "r10.json",
        "--to",
        "new.checkpoint",
        "-o",
        "proof.txt",
    ]);
    let args = [
        "r10.json",
        "--vkey",
        &vkey,
        "--checkpoint",
        "new.checkpoint",
        "--consistency",
        "proof.txt",
    ];
    let mut full = vec!["receipt", "verify"];
    full.extend(args);
    let v = env.run(&full);
    assert_eq!(v.code, 0, "{}", v.pinned());
    assert!(
        v.stdout.contains(
            "ok   consistency  the tree of 10000 leaves extends the receipt's tree of 10"
        ),
        "{}",
        v.stdout
    );
    let p = py_verify(&env, &args);
    assert_eq!(p.code, 0, "{}\n{}", p.stdout, p.stderr);
    // A proof of another tree does not link them.
    let proof = std::fs::read_to_string(env.dir().join("proof.txt")).unwrap();
    let lines: Vec<&str> = proof.lines().collect();
    let mut changed = lines.clone();
    changed.swap(3, 4);
    std::fs::write(env.dir().join("proof.txt"), changed.join("\n") + "\n").unwrap();
    let v = env.run(&full);
    assert_eq!(v.code, 1, "{}", v.pinned());
    assert_eq!(failed(&v.stdout), ["consistency"]);
    assert_eq!(failed(&py_verify(&env, &args).stdout), ["consistency"]);
}

#[test]
fn after_erasure_a_new_receipt_fails_only_the_commitment_and_an_old_one_still_verifies() {
    let (env, vkey, seqs) = setup();
    let given = seqs[0].to_string();
    env.ok(&[
        "consent",
        "receipt",
        &given,
        "--format",
        "json",
        "-o",
        "kept.json",
    ]);
    env.ok_at(
        "2026-11-25T10:00:00Z",
        &["consent", "withdraw", &given, "--reason", "не нужно"],
    );
    env.ok_at(
        "2026-12-01T10:00:00Z",
        &[
            "subject",
            "erase",
            "--subject",
            "email=ivan@example.ru",
            "--yes",
        ],
    );
    env.ok(&["ledger", "verify"]);
    env.ok(&["consent", "receipt", &given, "-o", "after.txt"]);
    let text = std::fs::read_to_string(env.dir().join("after.txt")).unwrap();
    assert!(text.contains("данные уничтожены: 01.12.2026"), "{text}");
    assert!(text.contains("Согласие отозвано: 25.11.2026"), "{text}");
    assert!(text.contains("не позднее 2026-12-25"), "{text}");
    for (who, v) in [
        ("pdconsent", verify(&env, "after.txt", &vkey)),
        ("python", py_verify(&env, &["after.txt", "--vkey", &vkey])),
    ] {
        assert_eq!(v.code, 1, "{who}: {}", v.stdout);
        assert_eq!(failed(&v.stdout), ["commitment"], "{who}: {}", v.stdout);
        assert!(
            v.stdout
                .contains("the person's data was erased on 2026-12-01T10:00:00Z"),
            "{who}: {}",
            v.stdout
        );
    }
    // The receipt the person kept from before still proves everything, data included.
    let v = verify(&env, "kept.json", &vkey);
    assert_eq!(v.code, 0, "{}", v.pinned());
}

#[test]
fn receipt_errors_say_what_and_change_nothing() {
    let env = Env::new();
    env.ok_at(APPLIED, &["apply", example_file().to_str().unwrap()]);
    let seqs = record(&env, "Иван", "ivan@example.ru", &["personal-data"]);
    // No key, so no signed checkpoint: a receipt cannot be proved.
    let r = env.fails(&["consent", "receipt", &seqs[0].to_string()]);
    assert!(
        r.stderr.contains("the ledger has no signing key"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("pdconsent ledger key init"),
        "{}",
        r.stderr
    );
    let r = env.fails(&["consent", "receipt", "1"]);
    assert!(r.stderr.contains("not a consent event"), "{}", r.stderr);
    let r = env.fails(&["consent", "receipt", "999"]);
    assert!(r.stderr.contains("there is no event 999"), "{}", r.stderr);
    let r = env.fails(&["consent", "receipt", "1", "--format", "table"]);
    assert!(
        r.stderr
            .contains("use --format text or --format json or --format html"),
        "{}",
        r.stderr
    );

    // `receipt verify` needs no database; its usage errors exit 2, a bad receipt 1.
    let vkey = "severny-veter.ru/consents+8324d78e+AZqiZqsG9yU0uYUH46GxvWjJRgkVZxhURx4GbEQo1YmF";
    let r = env.run(&["receipt", "verify", "missing.json", "--vkey", vkey]);
    assert_eq!(r.code, 2, "{}", r.pinned());
    assert!(
        r.stderr.contains("cannot read the receipt `missing.json`"),
        "{}",
        r.stderr
    );
    let r = env.run(&["receipt", "verify", "missing.json", "--vkey", "nonsense"]);
    assert_eq!(r.code, 2, "{}", r.pinned());
    assert!(r.stderr.contains("--vkey `nonsense`"), "{}", r.stderr);
    write(&env, "not.txt", "hello\n");
    let r = env.run(&["receipt", "verify", "not.txt", "--vkey", vkey]);
    assert_eq!(r.code, 1, "{}", r.pinned());
    assert_eq!(failed(&r.stdout), ["receipt"]);
    let p = py_verify(&env, &["not.txt", "--vkey", vkey]);
    assert_eq!(p.code, 1, "{}", p.stdout);
}

#[test]
fn a_receipt_edited_to_say_pre_ticked_or_to_end_another_consent_fails_both_verifiers() {
    let (env, vkey, seqs) = setup();
    let w = env.ok(&[
        "consent",
        "withdraw",
        &seqs[0].to_string(),
        "--yes",
        "--format",
        "json",
    ]);
    let withdrawal: Value = serde_json::from_str(&w.stdout).unwrap();
    let wseq = withdrawal["withdrawn"][0]["withdrawal"]["seq"]
        .as_u64()
        .unwrap();
    let read = |seq: u64, name: &str| -> Value {
        env.ok(&[
            "consent",
            "receipt",
            &seq.to_string(),
            "--format",
            "json",
            "-o",
            name,
        ]);
        serde_json::from_str(&std::fs::read_to_string(env.dir().join(name)).unwrap()).unwrap()
    };
    let given = read(seqs[0], "given.json");
    let withdrawn = read(wseq, "withdrawn.json");
    for (good, pointer, value) in [
        (
            &given,
            "/pdconsent/checkbox/checked_by_default",
            serde_json::json!(true),
        ),
        (
            &given,
            "/services/0/purposes/0/consentType",
            serde_json::json!("PRE-TICKED"),
        ),
        (
            &given,
            "/pdconsent/requisites/code",
            serde_json::json!("other"),
        ),
        (&given, "/pdconsent/source/revision", serde_json::json!(7)),
        (
            &withdrawn,
            "/pdconsent/withdraws",
            serde_json::json!(seqs[1]),
        ),
        (&withdrawn, "/pdconsent/channel", serde_json::json!("post")),
    ] {
        let mut forged = good.clone();
        *forged.pointer_mut(pointer).unwrap() = value;
        let file = write(&env, "forged.json", &forged.to_string());
        let r = verify(&env, &file, &vkey);
        assert_eq!(r.code, 1, "pdconsent accepted {pointer}: {}", r.stdout);
        assert_eq!(failed(&r.stdout), ["statement"], "{pointer}: {}", r.stdout);
        let p = py_verify(&env, &[&file, "--vkey", &vkey]);
        assert_eq!(p.code, 1, "python accepted {pointer}: {}", p.stdout);
        assert_eq!(
            failed(&p.stdout),
            ["statement"],
            "python, {pointer}: {}",
            p.stdout
        );
    }
    // Unedited, both pass.
    for name in ["given.json", "withdrawn.json"] {
        assert_eq!(verify(&env, name, &vkey).code, 0, "{name}");
        assert_eq!(py_verify(&env, &[name, "--vkey", &vkey]).code, 0, "{name}");
    }
}
