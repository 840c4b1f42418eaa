//! Load: 8 processes recording one submission at a time, 2 batch writers fed through stdin,
//! 2 exporters, a verifier and a checkpoint signer, all on one database for a bounded time
//! (20 s; 60 s with `PDCONSENT_STRESS=1`). Then: every process exited 0 and no "locked" or
//! "busy" reached its stderr; the ledger holds exactly the events acknowledged, under the seqs
//! printed; the tree verifies; every export, every verification and every signed checkpoint
//! saw a prefix of the final tree (its size and root are the final tree's at that size).
//! The existing `ledger_tamper::many_writers_at_once_lose_nothing_and_leave_a_clean_ledger`
//! pins exact counts with writers only; this one mixes in the readers and the signer.

use std::collections::BTreeMap;
use std::io::{BufRead as _, Write as _};
use std::process::Stdio;
use std::time::{Duration, Instant};

use base64::Engine as _;
use pdconsent::domain::ledger::checkpoint::{Checkpoint, ConsistencyProof};
use pdconsent::domain::ledger::note::Verifier;
use pdconsent::domain::ledger::{Frontier, verify_consistency};
use rusqlite::{Connection, OpenFlags};
use serde_json::Value;

use crate::common::{Env, seed, stress};

const RECORDERS: usize = 8;
const BATCHES: usize = 2;
const EXPORTERS: usize = 2;

fn duration() -> Duration {
    Duration::from_secs(if stress() { 60 } else { 20 })
}

/// What one process printed and how it ended.
struct Out {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn output(mut c: std::process::Command) -> Out {
    let o = c.stdin(Stdio::null()).output().expect("run pdconsent");
    Out {
        code: o.status.code(),
        stdout: String::from_utf8(o.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// Exit 0, and nothing about the database's locks on stderr.
#[track_caller]
fn assert_clean(who: &str, o: &Out) {
    assert!(
        !o.stderr.contains("locked") && !o.stderr.contains("busy"),
        "{who}: a lock reached the user:\n{}",
        o.stderr
    );
    assert_eq!(o.code, Some(0), "{who}:\n{}\n{}", o.stdout, o.stderr);
}

/// An acknowledged submission: its external id and the seqs printed for it.
type Acked = (String, Vec<u64>);

/// A tree the process saw: (size, base64 root).
type Seen = (u64, String);

fn recorder(env: &Env, w: usize, deadline: Instant) -> Vec<Acked> {
    let mut acked = Vec::new();
    for i in 0.. {
        if Instant::now() >= deadline {
            break;
        }
        let id = format!("r{w}-{i:05}");
        let o = output(env.std_command(&[
            "consent",
            "record",
            "--source",
            "callback-form",
            "--field",
            &format!("phone=+7916{w:03}{i:04}"),
            "--external-id",
            &id,
        ]));
        assert_clean(&id, &o);
        let seqs: Vec<u64> = o.stdout.lines().map(|l| l.parse().unwrap()).collect();
        assert_eq!(seqs.len(), 1, "{id}: {}", o.stdout);
        acked.push((id, seqs));
    }
    acked
}

/// A batch writer on stdin, fed bursts of lines until the deadline, then closed.
fn batch_writer(env: &Env, b: usize, deadline: Instant, rng: &mut fastrand::Rng) -> Vec<Acked> {
    let who = format!("batch {b}");
    let mut child = env
        .std_command(&[
            "consent",
            "record",
            "--batch",
            "-",
            "--group-lines",
            "50",
            "--group-ms",
            "100",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn a batch writer");
    let stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let results = std::thread::spawn(move || {
        stdout
            .lines()
            .map(|l| l.expect("a result line"))
            .collect::<Vec<_>>()
    });
    let mut stderr = child.stderr.take().unwrap();
    let errors = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut s).unwrap();
        s
    });
    let mut stdin = child.stdin.take().unwrap();
    let mut ids = Vec::new();
    while Instant::now() < deadline {
        for _ in 0..rng.usize(1..=10) {
            let i = ids.len();
            let id = format!("b{b}-{i:06}");
            writeln!(
                stdin,
                "{{\"source\":\"contact-form\",\"fields\":{{\"email\":\"b{b}-{i}@example.ru\"}},\"agreements\":[\"personal-data\"],\"external_id\":\"{id}\"}}"
            )
            .unwrap();
            ids.push(id);
        }
        stdin.flush().unwrap();
        std::thread::sleep(Duration::from_millis(rng.u64(0..100)));
    }
    drop(stdin);
    let status = child.wait().unwrap();
    let o = Out {
        code: status.code(),
        stdout: String::new(),
        stderr: errors.join().unwrap(),
    };
    assert_clean(&who, &o);
    let lines = results.join().unwrap();
    assert_eq!(lines.len(), ids.len(), "{who}: one result a line");
    ids.into_iter()
        .zip(lines)
        .enumerate()
        .map(|(k, (id, l))| {
            let v: Value = serde_json::from_str(&l).unwrap();
            assert_eq!(v["line"], k + 1, "{who}: {l}");
            assert!(
                v["error"].is_null() && v["duplicate"] == false,
                "{who}: {l}"
            );
            let seqs: Vec<u64> = v["seq"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_u64().unwrap())
                .collect();
            // personal-data given, marketing refused.
            assert_eq!(seqs.len(), 2, "{who}: {l}");
            (id, seqs)
        })
        .collect()
}

/// `consent export -o FILE` again and again: each file is the whole tree its summary names.
fn exporter(env: &Env, k: usize, deadline: Instant) -> Vec<Seen> {
    let path = env.dir().join(format!("export-{k}.jsonl"));
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        let o = output(env.std_command(&["consent", "export", "-o", path.to_str().unwrap()]));
        let who = format!("export {k}");
        assert_clean(&who, &o);
        // "exported N leaves (M consent events) to FILE; tree size S, root R"
        let (head, tree) = o.stderr.trim().rsplit_once("; tree size ").unwrap();
        let (size, root) = tree.split_once(", root ").unwrap();
        let size: u64 = size.parse().unwrap();
        let leaves: u64 = head
            .strip_prefix("exported ")
            .and_then(|s| s.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{who}: {}", o.stderr));
        assert_eq!(leaves, size, "{who}: {}", o.stderr);
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len() as u64, size, "{who}");
        let seq = |l: &str| serde_json::from_str::<Value>(l).unwrap()["leaf"]["seq"].as_u64();
        assert_eq!(seq(lines[0]), Some(1), "{who}");
        assert_eq!(seq(lines[lines.len() - 1]), Some(size), "{who}");
        seen.push((size, root.to_string()));
    }
    seen
}

fn verifier(env: &Env, deadline: Instant) -> Vec<Seen> {
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        let o = output(env.std_command(&["ledger", "verify", "--format", "json"]));
        assert_clean("verify", &o);
        let v: Value = serde_json::from_str(&o.stdout).unwrap();
        assert_eq!(v["ok"], true, "{v}");
        seen.push((
            v["size"].as_u64().unwrap(),
            v["root"].as_str().unwrap().to_string(),
        ));
    }
    seen
}

/// `ledger checkpoint -o FILE` every quarter of a second; the files, in order.
fn signer(env: &Env, deadline: Instant) -> Vec<String> {
    let mut files = Vec::new();
    while Instant::now() < deadline {
        let path = env.dir().join(format!("checkpoint-{:04}.txt", files.len()));
        let path = path.to_str().unwrap().to_string();
        let o = output(env.std_command(&["ledger", "checkpoint", "-o", &path]));
        assert_clean("checkpoint", &o);
        files.push(path);
        std::thread::sleep(Duration::from_millis(250));
    }
    files
}

/// The root of the first n leaves of the final tree, for every n, from the stored leaf
/// hashes (which the final `ledger verify` has recomputed from the leaves).
fn prefix_roots(env: &Env, size: u64) -> Vec<String> {
    let conn = Connection::open_with_flags(env.db(), OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut st = conn
        .prepare("SELECT substr(hashes, 1, 32) FROM ledger_leaves WHERE seq = ?1")
        .unwrap();
    let mut tree = Frontier::new();
    let b64 = |h: &[u8]| base64::engine::general_purpose::STANDARD.encode(h);
    let mut roots = vec![b64(&tree.root())];
    for n in 0..size {
        let hash: Vec<u8> = st.query_row([n as i64 + 1], |r| r.get(0)).unwrap();
        tree.push(hash.try_into().unwrap());
        roots.push(b64(&tree.root()));
    }
    roots
}

#[test]
fn writers_exports_a_verifier_and_a_signer_at_once_lose_nothing_and_agree_on_the_tree() {
    let env = Env::with_example();
    let vkey = Verifier::parse(env.ok(&["ledger", "key", "init"]).stdout.trim()).unwrap();
    let seed = seed("load");
    let started = Instant::now();
    let deadline = started + duration();
    let (acked, exports, verifies, checkpoints) = std::thread::scope(|s| {
        let env = &env;
        let recorders: Vec<_> = (0..RECORDERS)
            .map(|w| s.spawn(move || recorder(env, w, deadline)))
            .collect();
        let batches: Vec<_> = (0..BATCHES)
            .map(|b| {
                let mut rng = fastrand::Rng::with_seed(seed.wrapping_add(b as u64));
                s.spawn(move || batch_writer(env, b, deadline, &mut rng))
            })
            .collect();
        let exporters: Vec<_> = (0..EXPORTERS)
            .map(|k| s.spawn(move || exporter(env, k, deadline)))
            .collect();
        let verifier = s.spawn(move || verifier(env, deadline));
        let signer = s.spawn(move || signer(env, deadline));
        let mut acked: Vec<(&str, Acked)> = Vec::new();
        for t in recorders {
            acked.extend(t.join().unwrap().into_iter().map(|a| ("record", a)));
        }
        for t in batches {
            acked.extend(t.join().unwrap().into_iter().map(|a| ("batch", a)));
        }
        let exports: Vec<Seen> = exporters
            .into_iter()
            .flat_map(|t| t.join().unwrap())
            .collect();
        (
            acked,
            exports,
            verifier.join().unwrap(),
            signer.join().unwrap(),
        )
    });
    let elapsed = started.elapsed();

    // Exactly the events acknowledged, under the seqs printed.
    let conn = Connection::open_with_flags(env.db(), OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut in_ledger: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    let mut st = conn
        .prepare(
            "SELECT external_id, seq FROM ledger_leaves
             WHERE kind IN ('given', 'refused', 'withdrawn') ORDER BY seq",
        )
        .unwrap();
    for row in st
        .query_map([], |r| {
            Ok((r.get::<_, Option<String>>(0)?, r.get::<_, i64>(1)? as u64))
        })
        .unwrap()
    {
        let (id, seq) = row.unwrap();
        let id = id.unwrap_or_else(|| panic!("event {seq} has no external id"));
        in_ledger.entry(id).or_default().push(seq);
    }
    drop(st);
    drop(conn);
    let want: BTreeMap<String, Vec<u64>> = acked.iter().map(|(_, a)| a.clone()).collect();
    assert_eq!(
        want.len(),
        acked.len(),
        "an external id was acknowledged twice"
    );
    let events: usize = want.values().map(Vec::len).sum();
    if in_ledger != want {
        let missing: Vec<_> = want
            .keys()
            .filter(|k| !in_ledger.contains_key(*k))
            .collect();
        let extra: Vec<_> = in_ledger
            .keys()
            .filter(|k| !want.contains_key(*k))
            .collect();
        panic!(
            "the ledger is not what was acknowledged: {} acknowledged ids missing {missing:.20?}, {} not acknowledged {extra:.20?}",
            missing.len(),
            extra.len()
        );
    }

    // The final tree verifies, and everyone saw a prefix of it.
    let v = env.json(&["ledger", "verify"]);
    assert_eq!(v["ok"], true, "{v}");
    let size = v["size"].as_u64().unwrap();
    let roots = prefix_roots(&env, size);
    assert_eq!(roots[size as usize], v["root"], "the final root");
    for (what, seen) in [("an export", &exports), ("a verify", &verifies)] {
        assert!(!seen.is_empty(), "no {what} ran");
        for (n, root) in seen.iter() {
            assert!(*n <= size, "{what} saw {n} leaves, the tree has {size}");
            assert_eq!(&roots[*n as usize], root, "{what} at size {n}");
        }
    }
    assert!(!checkpoints.is_empty(), "no checkpoint was signed");
    let mut last = 0;
    let mut notes = Vec::new();
    for f in &checkpoints {
        let note = std::fs::read_to_string(f).unwrap();
        let (cp, _) = Checkpoint::open(&note, std::slice::from_ref(&vkey))
            .unwrap_or_else(|e| panic!("{f}: {e}"));
        assert!(
            cp.size >= last,
            "{f}: a checkpoint older than the one before"
        );
        last = cp.size;
        assert_eq!(
            roots[cp.size as usize],
            base64::engine::general_purpose::STANDARD.encode(cp.root),
            "{f}: not the final tree's root at size {}",
            cp.size
        );
        notes.push((cp, f));
    }
    // pdconsent agrees: each checkpoint given to verify, and a consistency proof from the first.
    let mut args = vec!["ledger", "verify"];
    for f in &checkpoints {
        args.extend(["--checkpoint", f.as_str()]);
    }
    env.ok(&args);
    let (first, file) = &notes[0];
    let proof = ConsistencyProof::parse(&env.ok(&["ledger", "consistency", file]).stdout)
        .expect("a consistency proof");
    let final_root: [u8; 32] = base64::engine::general_purpose::STANDARD
        .decode(v["root"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    assert_eq!((proof.old, proof.new), (first.size, size));
    verify_consistency(first.size, size, &proof.hashes, &first.root, &final_root)
        .expect("the first checkpoint is consistent with the final tree");

    let records = acked.iter().filter(|(k, _)| *k == "record").count();
    eprintln!(
        "load: {events} events in {elapsed:.1?} ({records} single records, {} batch lines), {} exports, {} verifies, {} checkpoints (sizes {}..{}), final size {size}",
        acked.len() - records,
        exports.len(),
        verifies.len(),
        checkpoints.len(),
        notes[0].0.size,
        last
    );
}
