//! `consent export`, `ledger head/prove/verify`, and edge cases.

#![allow(unused_imports)]

use super::lookup::populated;
use super::*;

// ---------------------------------------------------------------- export, head, prove, verify

pub(super) fn export(env: &Env) -> Vec<Value> {
    let r = env.ok(&["consent", "export"]);
    r.stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

pub(super) fn leaf_hash(leaf: &Value) -> [u8; 32] {
    // serde_json writes objects in key order and escapes what canonical JSON escapes.
    let mut b = vec![0u8];
    b.extend(serde_json::to_vec(leaf).unwrap());
    sha2::Sha256::digest(&b).into()
}

fn node(l: &[u8; 32], r: &[u8; 32]) -> [u8; 32] {
    let mut h = sha2::Sha256::new();
    h.update([1u8]);
    h.update(l);
    h.update(r);
    h.finalize().into()
}

pub(super) fn mth(h: &[[u8; 32]]) -> [u8; 32] {
    match h.len() {
        0 => sha2::Sha256::digest(b"").into(),
        1 => h[0],
        n => {
            let k = 1usize << (usize::BITS - (n - 1).leading_zeros() - 1);
            node(&mth(&h[..k]), &mth(&h[k..]))
        }
    }
}

pub(super) fn b64(h: &[u8; 32]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(h)
}

#[test]
fn export_holds_every_leaf_and_its_root_is_the_heads() {
    let (env, ..) = populated();
    let (size, root) = head(&env);
    let all = export(&env);
    assert_eq!(all.len() as u64, size);
    for (i, e) in all.iter().enumerate() {
        assert_eq!(crate::common::keys(e), ["envelope", "leaf", "salt"]);
        assert_eq!(e["leaf"]["seq"], i as u64 + 1);
        assert_eq!(e["leaf"].as_object().unwrap().len(), 19, "{}", e["leaf"]);
    }
    let hashes: Vec<[u8; 32]> = all.iter().map(|e| leaf_hash(&e["leaf"])).collect();
    assert_eq!(b64(&mth(&hashes)), root);
    let r = env.ok(&["consent", "export"]);
    assert_eq!(
        r.stderr,
        format!("exported {size} leaves (4 consent events); tree size {size}, root {root}\n")
    );
}

#[test]
fn export_envelopes_open_their_commitments() {
    let (env, ..) = populated();
    let mut opened = 0;
    for e in export(&env) {
        if e["envelope"].is_null() {
            assert!(e["leaf"]["commitment"].is_null(), "{e}");
            continue;
        }
        let mut h = sha2::Sha256::new();
        h.update(unhex(e["salt"].as_str().unwrap()));
        h.update(serde_json::to_vec(&e["envelope"]).unwrap());
        assert_eq!(
            hex(&h.finalize()),
            e["leaf"]["commitment"].as_str().unwrap(),
            "{e}"
        );
        opened += 1;
    }
    // Ivan's two events share one envelope; the withdrawal without a reason has none.
    assert_eq!(opened, 3);
}

#[test]
fn export_to_a_file_writes_the_same_lines() {
    let (env, ..) = populated();
    let out = env.dir().join("ledger.jsonl");
    let r = env.ok(&["consent", "export", "-o", out.to_str().unwrap()]);
    assert_eq!(r.stdout, "");
    let file = std::fs::read_to_string(&out).unwrap();
    assert_eq!(file, env.ok(&["consent", "export"]).stdout);
}

#[test]
fn ledger_head_prints_origin_size_and_root() {
    let env = setup();
    let (size, root) = head(&env);
    let r = env.ok(&["ledger", "head"]);
    assert_eq!(
        r.stdout,
        format!("severny-veter.ru/consents\n{size}\n{root}\n")
    );
    assert_eq!(r.stderr, "");
    record(&env, "a@b.ru", &[]);
    let (size2, root2) = head(&env);
    assert_eq!(size2, size + 2);
    assert_ne!(root2, root);
}

#[test]
fn ledger_prove_gives_a_path_that_verifies_against_the_head() {
    use pdconsent::domain::ledger::verify_inclusion;
    let (env, ivan, ..) = populated();
    let (size, root) = head(&env);
    let all = export(&env);
    let root_b: [u8; 32] = mth(&all
        .iter()
        .map(|e| leaf_hash(&e["leaf"]))
        .collect::<Vec<_>>());
    assert_eq!(b64(&root_b), root);
    for seq in [1, ivan[0], size] {
        let p = env.json(&["ledger", "prove", &seq.to_string()]);
        assert_eq!(p["tree_size"], size);
        assert_eq!(p["root"], root.as_str());
        let leaf = leaf_hash(&all[seq as usize - 1]["leaf"]);
        assert_eq!(p["leaf_hash"], hex(&leaf));
        let proof: Vec<[u8; 32]> = p["proof"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| unhex(h.as_str().unwrap()).try_into().unwrap())
            .collect();
        verify_inclusion(seq - 1, size, &leaf, &proof, &root_b).unwrap();
    }
}

#[test]
fn ledger_prove_in_an_earlier_tree_size() {
    use pdconsent::domain::ledger::verify_inclusion;
    let (env, ivan, ..) = populated();
    let all = export(&env);
    let hashes: Vec<[u8; 32]> = all.iter().map(|e| leaf_hash(&e["leaf"])).collect();
    let size = ivan[1];
    let p = env.json(&[
        "ledger",
        "prove",
        &ivan[0].to_string(),
        "--size",
        &size.to_string(),
    ]);
    assert_eq!(p["tree_size"], size);
    let r = mth(&hashes[..size as usize]);
    assert_eq!(p["root_hex"], hex(&r));
    let proof: Vec<[u8; 32]> = p["proof"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| unhex(h.as_str().unwrap()).try_into().unwrap())
        .collect();
    verify_inclusion(ivan[0] - 1, size, &hashes[ivan[0] as usize - 1], &proof, &r).unwrap();
    let text = env.ok(&["ledger", "prove", &ivan[0].to_string()]);
    assert!(text.stdout.starts_with(&format!(
        "seq {} (leaf index {}) in the tree of",
        ivan[0],
        ivan[0] - 1
    )));
}

#[test]
fn ledger_prove_refuses_a_seq_outside_the_tree_and_a_size_too_large() {
    let env = setup();
    let (size, _) = head(&env);
    let r = fails(&env, &["ledger", "prove", &(size + 1).to_string()]);
    assert!(
        r.stderr.starts_with(&format!(
            "error: seq {} is not in a tree of {size} leaves",
            size + 1
        )),
        "{}",
        r.stderr
    );
    let r = fails(&env, &["ledger", "prove", "0"]);
    assert!(
        r.stderr.starts_with("error: seq 0 is not in a tree"),
        "{}",
        r.stderr
    );
    let r = fails(
        &env,
        &["ledger", "prove", "1", "--size", &(size + 1).to_string()],
    );
    assert!(
        r.stderr.starts_with(&format!(
            "error: --size {} is larger than the tree ({size} leaves)",
            size + 1
        )),
        "{}",
        r.stderr
    );
    let r = fails(&env, &["ledger", "prove", "5", "--size", "3"]);
    assert!(
        r.stderr
            .starts_with("error: seq 5 is not in a tree of 3 leaves"),
        "{}",
        r.stderr
    );
}

#[test]
fn ledger_verify_is_clean_and_accepts_its_own_head() {
    let (env, ..) = populated();
    let (size, root) = head(&env);
    let r = env.ok(&["ledger", "verify"]);
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        format!(
            "ok: {size} leaves (4 consent events, {} configuration, 0 erasures), 3 envelopes checked, 0 erased; root {root}\n",
            size - 4
        )
    );
    env.ok(&[
        "ledger",
        "verify",
        "--expect-head",
        &format!("{size}:{root}"),
    ]);
    record(&env, "later@b.ru", &[]);
    let r = env.ok(&[
        "ledger",
        "verify",
        "--expect-head",
        &format!("{size}:{root}"),
    ]);
    assert!(r.stderr.starts_with("ok: "), "{}", r.stderr);
    let v = env.json(&["ledger", "verify"]);
    assert_eq!(v["ok"], true);
    assert_eq!(v["problems"], serde_json::json!([]));
}

#[test]
fn ledger_verify_refuses_a_malformed_expected_head() {
    let env = setup();
    for bad in ["12", "x:abc", "12:not-base64!"] {
        let r = fails(&env, &["ledger", "verify", "--expect-head", bad]);
        assert!(
            r.stderr
                .starts_with(&format!("error: `--expect-head {bad}` is not SIZE:ROOT")),
            "{}",
            r.stderr
        );
    }
}

#[test]
fn ledger_verify_with_a_wrong_expected_head_exits_1() {
    let env = setup();
    let (size, _) = head(&env);
    let wrong = "0".repeat(64);
    let r = env.run(&[
        "ledger",
        "verify",
        "--expect-head",
        &format!("{size}:{wrong}"),
    ]);
    assert_eq!(r.code, 1, "{}", r.pinned());
    assert!(
        r.stdout.contains(&format!(
            "the first {size} leaves do not have the expected root"
        )),
        "{}",
        r.stdout
    );
    let r = env.run(&[
        "ledger",
        "verify",
        "--expect-head",
        &format!("{}:{wrong}", size + 5),
    ]);
    assert_eq!(r.code, 1, "{}", r.pinned());
    assert!(
        r.stdout.contains("it was truncated or rolled back"),
        "{}",
        r.stdout
    );
}
