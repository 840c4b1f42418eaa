//! Crash safety: `consent import`, `consent record --batch` and a loop of single
//! `consent record` are killed with SIGKILL at random moments. After each kill the file passes
//! `PRAGMA integrity_check`, `ledger verify` is clean, every seq the process printed before it
//! died is in the ledger, and running the same input again completes it with every line recorded
//! exactly once (by external id) and the ones already in reported as such.
//!
//! A kill counts only when it landed: the process was still running when SIGKILL came. Each
//! test goes on until [`kills`] have landed. The kill moment is uniform over the time the last
//! uninterrupted run of the same command took, so it falls anywhere from exec to exit: before
//! the database is opened, inside a transaction, in a commit, between a commit and its output.
//! `PDCONSENT_TEST_SEED` replays the random choices (not the machine's timing);
//! `PDCONSENT_STRESS=1` raises the kills to 100 a test.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};
use serde_json::Value;

use crate::common::{Env, Spawned, seed, stress, write};

/// Kills that must land, per test.
fn kills() -> usize {
    if stress() { 100 } else { 20 }
}

/// Attempts allowed per kill that must land (a kill after the process exited does not count).
const ATTEMPTS_PER_KILL: usize = 3;

fn setup() -> Env {
    let env = Env::with_example();
    // With a signing key every commit signs a checkpoint too, and `ledger verify` checks them.
    env.ok(&["ledger", "key", "init"]);
    env
}

fn read_only(env: &Env) -> Connection {
    Connection::open_with_flags(env.db(), OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("open the database read-only")
}

/// One event: (seq, kind, agreement).
type Event = (u64, String, Option<String>);

/// The events of every external id that starts with `prefix`, oldest first.
fn events(env: &Env, prefix: &str) -> BTreeMap<String, Vec<Event>> {
    let conn = read_only(env);
    let mut st = conn
        .prepare(
            "SELECT external_id, seq, kind, agreement FROM ledger_leaves
             WHERE substr(external_id, 1, length(?1)) = ?1 ORDER BY seq",
        )
        .unwrap();
    let mut by_id: BTreeMap<String, Vec<Event>> = BTreeMap::new();
    let rows = st
        .query_map([prefix], |r| {
            Ok((
                r.get::<_, String>(0)?,
                (r.get::<_, i64>(1)? as u64, r.get(2)?, r.get(3)?),
            ))
        })
        .unwrap();
    for row in rows {
        let (id, e) = row.unwrap();
        by_id.entry(id).or_default().push(e);
    }
    by_id
}

fn seqs(events: &[Event]) -> Vec<u64> {
    events.iter().map(|e| e.0).collect()
}

/// (source, external id, agreement) that has more than one event: none, ever.
fn duplicates(env: &Env) -> Vec<String> {
    let conn = read_only(env);
    let mut st = conn
        .prepare(
            "SELECT source || ' ' || external_id || ' ' || agreement || ': ' || count(*)
             FROM ledger_leaves WHERE external_id IS NOT NULL
             GROUP BY source, external_id, agreement HAVING count(*) > 1",
        )
        .unwrap();
    st.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// After a kill: `PRAGMA integrity_check` on a connection of the test's own, and `ledger verify`.
#[track_caller]
fn assert_sound(env: &Env, what: &str) {
    let conn = read_only(env);
    let rows: Vec<String> = conn
        .prepare("PRAGMA integrity_check")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows, ["ok"], "{what}: PRAGMA integrity_check");
    drop(conn);
    let r = env.run(&["ledger", "verify"]);
    assert_eq!(r.code, 0, "{what}: ledger verify:\n{}", r.pinned());
}

/// A moment uniformly within `span` from now.
fn moment(rng: &mut fastrand::Rng, span: Duration) -> Instant {
    Instant::now() + span.mul_f64(rng.f64())
}

/// Counts attempts and landed kills; refuses to go on forever when kills keep missing.
struct Kills {
    name: &'static str,
    landed: usize,
    attempts: usize,
    started: Instant,
}

impl Kills {
    fn new(name: &'static str) -> Kills {
        Kills {
            name,
            landed: 0,
            attempts: 0,
            started: Instant::now(),
        }
    }

    /// Whether another attempt is due.
    fn more(&mut self) -> bool {
        if self.landed >= kills() {
            return false;
        }
        assert!(
            self.attempts < ATTEMPTS_PER_KILL * kills(),
            "{}: only {} of {} kills landed while the process ran",
            self.name,
            self.landed,
            self.attempts
        );
        self.attempts += 1;
        true
    }

    fn report(&self, detail: &str) {
        eprintln!(
            "{}: {} kills landed in {} attempts, {:.1?}; {detail}",
            self.name,
            self.landed,
            self.attempts,
            self.started.elapsed()
        );
    }
}

// ---------------------------------------------------------------- consent import

const IMPORT_ROWS: usize = 300;

/// An import file of its own for each round; every fourth row has no external id, so
/// pdconsent derives one from the row's content.
fn import_file(env: &Env, round: usize) -> String {
    let mut text = String::new();
    for i in 0..IMPORT_ROWS {
        let id = if i % 4 == 3 {
            String::new()
        } else {
            format!(",\"external_id\":\"i{round:03}-{i:04}\"")
        };
        writeln!(
            text,
            "{{\"source\":\"contact-form\",\"fields\":{{\"email\":\"i{round}-{i}@example.ru\"}},\"agreements\":[\"personal-data\"]{id}}}"
        )
        .unwrap();
    }
    write(env, &format!("import-{round:03}.jsonl"), &text)
}

fn import_events(env: &Env) -> usize {
    read_only(env)
        .query_row(
            "SELECT count(*) FROM ledger_leaves WHERE channel = 'import'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .unwrap() as usize
}

#[test]
fn an_import_killed_at_random_moments_is_all_or_nothing_and_a_rerun_completes_it() {
    let env = setup();
    let mut rng = fastrand::Rng::with_seed(seed("crash::import"));
    let import = |file: &str| env.std_command(&["consent", "import", file, "--format", "json"]);
    // An uninterrupted import of the same size: how long the next kill's span is.
    let t = Instant::now();
    let first = Spawned::start(import(&import_file(&env, 0))).wait();
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    let mut span = t.elapsed();
    let mut kills = Kills::new("crash::import");
    let mut committed_when_killed = 0;
    for round in 1.. {
        if !kills.more() {
            break;
        }
        let file = import_file(&env, round);
        let before = import_events(&env);
        let t = Instant::now();
        let deadline = moment(&mut rng, span);
        let ended = Spawned::start(import(&file)).end_by(deadline);
        let what = format!("round {round} (killed: {})", ended.killed);
        let added = import_events(&env) - before;
        // The summary is printed, whole, after the commit: once it is out, the rows are in.
        let acknowledged = serde_json::from_str::<Value>(&ended.stdout).is_ok();
        if ended.killed {
            kills.landed += 1;
            committed_when_killed += usize::from(added == IMPORT_ROWS);
        } else {
            assert_eq!(ended.code, Some(0), "{what}: {}", ended.stderr);
            assert!(acknowledged, "{what}: no summary: {}", ended.stdout);
            span = t.elapsed();
        }
        if acknowledged {
            assert_eq!(added, IMPORT_ROWS, "{what}: acknowledged but not all in");
        }
        assert!(
            added == 0 || added == IMPORT_ROWS,
            "{what}: {added} of {IMPORT_ROWS} rows in: an import is all or nothing"
        );
        assert_sound(&env, &what);

        let t = Instant::now();
        let r = env.run(&["consent", "import", &file, "--format", "json"]);
        assert_eq!(r.code, 0, "{what}: the rerun:\n{}", r.pinned());
        let sum = r.json();
        let already = if added == 0 { 0 } else { IMPORT_ROWS };
        assert_eq!(sum["rows"], IMPORT_ROWS, "{what}: {sum}");
        assert_eq!(sum["refused"], 0, "{what}: {sum}");
        assert_eq!(sum["already"], already, "{what}: {sum}");
        assert_eq!(sum["imported"], IMPORT_ROWS - already, "{what}: {sum}");
        if added == 0 {
            span = t.elapsed();
        }
        assert_eq!(import_events(&env) - before, IMPORT_ROWS, "{what}");
        let named = events(&env, &format!("i{round:03}-"));
        assert_eq!(named.len(), IMPORT_ROWS - IMPORT_ROWS / 4, "{what}");
        assert!(named.values().all(|e| e.len() == 1), "{what}: {named:?}");
        assert_eq!(duplicates(&env), Vec::<String>::new(), "{what}");
    }
    env.ok(&["ledger", "verify"]);
    kills.report(&format!(
        "{committed_when_killed} kills came after the commit; {IMPORT_ROWS} rows an import"
    ));
}

// ---------------------------------------------------------------- consent record --batch

const BATCH_LINES: usize = 200;
const GROUP_LINES: &str = "20";

/// A batch of its own for each round: contact-form, personal-data given and marketing
/// refused, so two events a line.
fn batch_file(env: &Env, round: usize) -> String {
    let mut text = String::new();
    for i in 0..BATCH_LINES {
        writeln!(
            text,
            "{{\"source\":\"contact-form\",\"fields\":{{\"email\":\"b{round}-{i}@example.ru\"}},\"agreements\":[\"personal-data\"],\"external_id\":\"b{round:03}-{i:04}\"}}"
        )
        .unwrap();
    }
    write(env, &format!("batch-{round:03}.jsonl"), &text)
}

/// The two events of one submission to contact-form with only personal-data ticked.
#[track_caller]
fn assert_one_submission(id: &str, e: &[Event], what: &str) {
    let kinds: Vec<(&str, Option<&str>)> = e
        .iter()
        .map(|(_, k, a)| (k.as_str(), a.as_deref()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("given", Some("personal-data")),
            ("refused", Some("marketing"))
        ],
        "{what}: {id}: a submission's events are recorded together or not at all"
    );
}

fn line_seqs(v: &Value) -> Vec<u64> {
    v["seq"]
        .as_array()
        .unwrap_or_else(|| panic!("no seq: {v}"))
        .iter()
        .map(|s| s.as_u64().unwrap())
        .collect()
}

#[test]
fn a_batch_killed_at_random_moments_keeps_every_printed_line_and_a_rerun_completes_it() {
    let env = setup();
    let mut rng = fastrand::Rng::with_seed(seed("crash::batch"));
    let batch = |file: &str| {
        env.std_command(&[
            "consent",
            "record",
            "--batch",
            file,
            "--group-lines",
            GROUP_LINES,
        ])
    };
    let t = Instant::now();
    let first = Spawned::start(batch(&batch_file(&env, 0))).wait();
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    let mut span = t.elapsed();
    let mut kills = Kills::new("crash::batch");
    let (mut acked_total, mut lost_in_flight) = (0, 0);
    for round in 1.. {
        if !kills.more() {
            break;
        }
        let file = batch_file(&env, round);
        let id = |i: usize| format!("b{round:03}-{i:04}");
        let t = Instant::now();
        let deadline = moment(&mut rng, span);
        let ended = Spawned::start(batch(&file)).end_by(deadline);
        let what = format!("round {round} (killed: {})", ended.killed);
        if ended.killed {
            kills.landed += 1;
        } else {
            assert_eq!(ended.code, Some(0), "{what}: {}", ended.stderr);
            assert_eq!(ended.lines.len(), BATCH_LINES, "{what}");
            span = t.elapsed();
        }
        let recorded = events(&env, &format!("b{round:03}-"));
        for (i, e) in &recorded {
            assert_one_submission(i, e, &what);
        }
        // Groups commit in order: the lines in the ledger are the first m.
        let m = recorded.len();
        assert_eq!(
            recorded.keys().cloned().collect::<Vec<_>>(),
            (0..m).map(id).collect::<Vec<_>>(),
            "{what}: the lines recorded are not the first {m}"
        );
        // Every line printed is in the ledger with the seqs it printed.
        for (k, l) in ended.lines.iter().enumerate() {
            let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{what}: {e}: {l}"));
            assert_eq!(v["line"], k + 1, "{what}: {l}");
            let e = recorded.get(&id(k)).unwrap_or_else(|| {
                panic!(
                    "{what}: line {} was acknowledged but is not in the ledger: {l}",
                    k + 1
                )
            });
            assert_eq!(line_seqs(&v), seqs(e), "{what}: {l}");
        }
        acked_total += ended.lines.len();
        lost_in_flight += m - ended.lines.len();
        assert_sound(&env, &what);

        let t = Instant::now();
        let r = env.run(&[
            "consent",
            "record",
            "--batch",
            &file,
            "--group-lines",
            GROUP_LINES,
        ]);
        assert_eq!(r.code, 0, "{what}: the rerun:\n{}", r.pinned());
        let lines: Vec<Value> = r
            .stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), BATCH_LINES, "{what}");
        for (k, v) in lines.iter().enumerate() {
            assert_eq!(v["line"], k + 1, "{what}: {v}");
            if k < m {
                assert_eq!(v["duplicate"], true, "{what}: {v}");
                assert_eq!(line_seqs(v), seqs(&recorded[&id(k)]), "{what}: {v}");
            } else {
                assert_eq!(v["duplicate"], false, "{what}: {v}");
            }
        }
        assert!(
            r.stderr.contains(&format!(
                "{} submissions recorded, {m} already recorded, 0 refused",
                BATCH_LINES - m
            )),
            "{what}: {}",
            r.stderr
        );
        if m == 0 {
            span = t.elapsed();
        }
        let recorded = events(&env, &format!("b{round:03}-"));
        assert_eq!(recorded.len(), BATCH_LINES, "{what}");
        for (i, e) in &recorded {
            assert_one_submission(i, e, &what);
        }
        assert_eq!(duplicates(&env), Vec::<String>::new(), "{what}");
    }
    env.ok(&["ledger", "verify"]);
    kills.report(&format!(
        "{acked_total} lines acknowledged before the kills, {lost_in_flight} committed but not yet printed; {BATCH_LINES} lines a batch in groups of {GROUP_LINES}"
    ));
}

// ---------------------------------------------------------------- single consent record

/// Records run back to back in one attempt; the kill falls somewhere among them.
const PER_ATTEMPT: u32 = 4;

#[test]
fn single_records_killed_at_random_moments_keep_every_printed_seq_and_a_retry_records_once() {
    let env = setup();
    let mut rng = fastrand::Rng::with_seed(seed("crash::record"));
    let record = |id: &str| {
        env.std_command(&[
            "consent",
            "record",
            "--source",
            "contact-form",
            "--field",
            &format!("email={id}@example.ru"),
            "--agreement",
            "personal-data",
            "--external-id",
            id,
        ])
    };
    let t = Instant::now();
    let first = Spawned::start(record("s-calibrate")).wait();
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    let mut one = t.elapsed();
    let mut kills = Kills::new("crash::record");
    let (mut n, mut committed_when_killed, mut printed_when_killed) = (0usize, 0, 0);
    while kills.more() {
        let deadline = moment(&mut rng, one * PER_ATTEMPT);
        let mut killed = None;
        for _ in 0..PER_ATTEMPT {
            let id = format!("s-{n:05}");
            n += 1;
            let t = Instant::now();
            let ended = Spawned::start(record(&id)).end_by(deadline);
            let what = format!("{id} (killed: {})", ended.killed);
            let e = events(&env, &id).remove(&id).unwrap_or_default();
            if !e.is_empty() {
                assert_one_submission(&id, &e, &what);
            }
            // Each printed seq is in the ledger, in the order printed.
            let printed: Vec<u64> = ended
                .lines
                .iter()
                .map(|l| l.parse().unwrap_or_else(|_| panic!("{what}: {l}")))
                .collect();
            assert!(
                printed.len() <= e.len() && printed == seqs(&e)[..printed.len()],
                "{what}: printed {printed:?}, the ledger has {e:?}"
            );
            if ended.killed {
                kills.landed += 1;
                committed_when_killed += usize::from(!e.is_empty());
                printed_when_killed += usize::from(!printed.is_empty());
                killed = Some((id, e, what));
                break;
            }
            assert_eq!(ended.code, Some(0), "{what}: {}", ended.stderr);
            assert_eq!(printed.len(), 2, "{what}");
            one = t.elapsed();
        }
        let Some((id, e, what)) = killed else {
            continue;
        };
        assert_sound(&env, &what);
        // The caller retries with the same external id.
        let o = Spawned::start(record(&id)).wait();
        assert_eq!(o.code, Some(0), "{what}: the retry: {}", o.stderr);
        let again: Vec<u64> = o.lines.iter().map(|l| l.parse().unwrap()).collect();
        let now = events(&env, &id).remove(&id).unwrap_or_default();
        assert_one_submission(&id, &now, &what);
        assert_eq!(again, seqs(&now), "{what}");
        if e.is_empty() {
            assert!(o.stderr.starts_with("recorded "), "{what}: {}", o.stderr);
        } else {
            assert_eq!(now, e, "{what}");
            assert!(
                o.stderr
                    .starts_with("already recorded under this external id"),
                "{what}: {}",
                o.stderr
            );
        }
    }
    let all = events(&env, "s-");
    assert_eq!(all.len(), n + 1, "every record, killed or not, is in once");
    for (id, e) in &all {
        assert_one_submission(id, e, "at the end");
    }
    assert_eq!(duplicates(&env), Vec::<String>::new());
    env.ok(&["ledger", "verify"]);
    kills.report(&format!(
        "{n} records; {committed_when_killed} kills came after the commit, {printed_when_killed} after a seq was printed"
    ));
}
