//! `audit-pack`: a full and a filtered package, as a folder and as a zip, verified by
//! `audit-pack verify` and (the full one) by its own verify_ledger.py; each kind of tampering
//! with a file refused; a non-empty directory refused without --force.

use serde_json::Value;

use crate::common::{Env, example_file};

const APPLIED: &str = "2026-11-01T10:00:00Z";

fn setup() -> (Env, String) {
    let env = Env::new();
    env.ok_at(APPLIED, &["apply", example_file().to_str().unwrap()]);
    let vkey = env.ok(&["ledger", "key", "init"]).stdout.trim().to_string();
    for (at, name, email) in [
        ("2026-11-20T10:00:00Z", "Иван", "ivan@example.ru"),
        (
            "2026-11-25T10:00:00Z",
            "=HYPERLINK(\"x\")",
            "maria@example.ru",
        ),
    ] {
        env.ok(&[
            "consent",
            "record",
            "--source",
            "contact-form",
            "--field",
            &format!("имя={name}"),
            "--field",
            &format!("email={email}"),
            "--agreement",
            "personal-data",
            "--at",
            at,
        ]);
    }
    (env, vkey)
}

fn verify(env: &Env, dir: &str, vkey: &str) -> crate::common::Run {
    env.run(&["audit-pack", "verify", dir, "--vkey", vkey])
}

#[test]
fn a_full_package_holds_every_file_and_verifies_with_pdconsent_and_python() {
    let (env, vkey) = setup();
    let r = env.ok(&["audit-pack", "pack"]);
    assert!(
        r.stderr.contains("audit package of 4 consent events"),
        "{}",
        r.stderr
    );
    let dir = env.dir().join("pack");
    for f in [
        "consents.csv",
        "consents.jsonl",
        "agreements.csv",
        "requisites.csv",
        "sources.csv",
        "checkpoint.txt",
        "vkey.txt",
        "manifest.json",
        "verify_ledger.py",
        "README.txt",
    ] {
        assert!(dir.join(f).is_file(), "{f}");
    }
    assert!(
        !dir.join("proofs.jsonl").exists(),
        "a full package needs no proofs"
    );
    let texts: Vec<_> = std::fs::read_dir(dir.join("texts")).unwrap().collect();
    assert_eq!(
        texts.len(),
        2,
        "personal data and marketing on the contact form"
    );
    let m: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["full"], true);
    assert_eq!(m["counts"]["consents.csv"], 4);
    assert_eq!(m["tree"]["vkey"], vkey.as_str());
    assert_eq!(
        std::fs::read_to_string(dir.join("vkey.txt"))
            .unwrap()
            .trim(),
        vkey
    );
    let csv = std::fs::read_to_string(dir.join("consents.csv")).unwrap();
    assert!(csv.starts_with("\u{feff}№;Событие;Дата согласия"), "{csv}");
    assert!(csv.contains("'=HYPERLINK"), "the guard is on");
    let v = verify(&env, "pack", &vkey);
    assert_eq!(v.code, 0, "{}", v.pinned());
    assert!(v.stdout.contains("ok   leaves and root"), "{}", v.stdout);
    // The package's own Python verifier, from inside the package, against its checkpoint.
    let out = std::process::Command::new("python3")
        .args([
            "verify_ledger.py",
            "consents.jsonl",
            "--head",
            "checkpoint.txt",
        ])
        .current_dir(&dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("OK"), "{stdout}");
}

#[test]
fn a_filtered_package_proves_each_event_and_a_zip_verifies_too() {
    let (env, vkey) = setup();
    env.ok(&[
        "audit-pack",
        "ivan.zip",
        "--zip",
        "--subject",
        "email=ivan@example.ru",
    ]);
    let v = verify(&env, "ivan.zip", &vkey);
    assert_eq!(v.code, 0, "{}", v.pinned());
    assert!(v.stdout.contains("ok   leaves and proofs"), "{}", v.stdout);
    assert!(
        v.stdout.contains("package verified: 2 consent events"),
        "{}",
        v.stdout
    );
    env.ok(&["audit-pack", "ivan", "--subject", "email=ivan@example.ru"]);
    let dir = env.dir().join("ivan");
    let proofs = std::fs::read_to_string(dir.join("proofs.jsonl")).unwrap();
    assert_eq!(proofs.lines().count(), 2);
    let csv = std::fs::read_to_string(dir.join("consents.csv")).unwrap();
    assert!(!csv.contains("maria"), "{csv}");
}

#[test]
fn tampering_with_any_file_is_reported() {
    let (env, vkey) = setup();
    env.ok(&["audit-pack", "pack"]);
    let dir = env.dir().join("pack");
    let fresh = |name: &str| {
        let _ = std::fs::remove_dir_all(env.dir().join(name));
        copy_dir(&dir, &env.dir().join(name));
        env.dir().join(name)
    };
    // A changed cell in the CSV: its hash no longer matches the manifest.
    let d = fresh("t1");
    let csv = std::fs::read_to_string(d.join("consents.csv")).unwrap();
    std::fs::write(d.join("consents.csv"), csv.replace("Иван", "Пётр")).unwrap();
    let v = verify(&env, "t1", &vkey);
    assert_eq!(v.code, 1, "{}", v.pinned());
    assert!(v.stdout.contains("FAIL files"), "{}", v.stdout);
    // The same with the manifest's hash updated: the row no longer shows its envelope.
    rehash(&d, "consents.csv");
    let v = verify(&env, "t1", &vkey);
    assert_eq!(v.code, 1, "{}", v.pinned());
    assert!(
        v.stdout
            .contains("column `имя` is `Пётр`, the leaf says `Иван`"),
        "{}",
        v.stdout
    );
    // An edited leaf, rehashed in the manifest: the root is not the checkpoint's.
    let d = fresh("t2");
    let jsonl = std::fs::read_to_string(d.join("consents.jsonl")).unwrap();
    std::fs::write(
        d.join("consents.jsonl"),
        jsonl.replacen("2026-11-20T10:00:00Z", "2026-11-19T10:00:00Z", 1),
    )
    .unwrap();
    rehash(&d, "consents.jsonl");
    let v = verify(&env, "t2", &vkey);
    assert_eq!(v.code, 1, "{}", v.pinned());
    assert!(
        v.stdout.contains("the root of consents.jsonl is"),
        "{}",
        v.stdout
    );
    assert!(
        v.stdout
            .contains("column `Дата согласия` is `2026-11-20T10:00:00Z`"),
        "{}",
        v.stdout
    );
    // An edited envelope: its commitment does not open.
    let d = fresh("t3");
    std::fs::write(
        d.join("consents.jsonl"),
        jsonl.replacen("ivan@example.ru", "ivan@evil.ru", 1),
    )
    .unwrap();
    rehash(&d, "consents.jsonl");
    let v = verify(&env, "t3", &vkey);
    assert!(
        v.stdout.contains("do not open the leaf's commitment"),
        "{}",
        v.stdout
    );
    // A text replaced; a file added; another key.
    let d = fresh("t4");
    let text = std::fs::read_dir(d.join("texts"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::write(&text, "Другой текст").unwrap();
    std::fs::write(d.join("extra.txt"), "x").unwrap();
    let name = format!("texts/{}", text.file_name().unwrap().to_string_lossy());
    rehash(&d, &name);
    let v = verify(&env, "t4", &vkey);
    assert!(v.stdout.contains("FAIL texts"), "{}", v.stdout);
    assert!(
        v.stdout.contains("extra.txt: not in the manifest"),
        "{}",
        v.stdout
    );
    let other = Env::new();
    other.ok_at(APPLIED, &["apply", example_file().to_str().unwrap()]);
    let other_key = other
        .ok(&["ledger", "key", "init"])
        .stdout
        .trim()
        .to_string();
    let v = verify(&env, "pack", &other_key);
    assert_eq!(v.code, 1);
    assert!(v.stdout.contains("FAIL checkpoint"), "{}", v.stdout);
}

#[test]
fn a_non_empty_directory_is_refused_without_force_and_a_keyless_ledger_too() {
    let (env, _) = setup();
    std::fs::create_dir(env.dir().join("busy")).unwrap();
    std::fs::write(env.dir().join("busy/notes.txt"), "mine").unwrap();
    let r = env.fails(&["audit-pack", "busy"]);
    assert!(r.stderr.contains("`busy` is not empty"), "{}", r.stderr);
    assert!(r.stderr.contains("--force"), "{}", r.stderr);
    env.ok(&["audit-pack", "busy", "--force"]);
    assert!(env.dir().join("busy/notes.txt").exists());
    let keyless = Env::new();
    keyless.ok_at(APPLIED, &["apply", example_file().to_str().unwrap()]);
    let r = keyless.fails(&["audit-pack", "pack"]);
    assert!(
        r.stderr.contains("the ledger has no signing key"),
        "{}",
        r.stderr
    );
    assert!(!keyless.dir().join("pack").join("manifest.json").exists());
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// Puts the file's new SHA-256 into the manifest, as a careful forger would.
fn rehash(dir: &std::path::Path, name: &str) {
    use sha2::Digest as _;
    let h = sha2::Sha256::digest(std::fs::read(dir.join(name)).unwrap());
    let hexed: String = h.iter().map(|b| format!("{b:02x}")).collect();
    let mut m: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    m["files"][name] = Value::String(hexed);
    std::fs::write(
        dir.join("manifest.json"),
        serde_json::to_string_pretty(&m).unwrap(),
    )
    .unwrap();
}
