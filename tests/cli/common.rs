//! Helpers for the end-to-end tests: a temporary directory with its own
//! database, the real binary run in a clean environment, and a dump of every
//! row in the database to prove that a rejected command changed nothing.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

/// The fixed clock of every test (`PDCONSENT_NOW`).
pub const NOW: &str = "2026-11-28T12:00:00Z";

/// Valid identifiers (checksums verified).
pub const INN_LEGAL: &str = "7840502513";
pub const INN_PERSON: &str = "775260181506";
pub const OGRN: &str = "1147847057214";
pub const OGRNIP: &str = "339099603082469";
pub const KPP: &str = "770501001";

/// One temporary workplace: a directory that is HOME, the working directory
/// and the home of `pd.db`.
pub struct Env {
    dir: TempDir,
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Exit code, stdout and stderr in one text, so a snapshot pins all three.
    pub fn pinned(&self) -> String {
        format!(
            "exit: {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.pinned()))
    }
}

impl Env {
    pub fn new() -> Env {
        Env {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// With the requisites `main` (a complete legal entity, the default).
    pub fn with_main() -> Env {
        let env = Env::new();
        env.ok(&[
            "requisites",
            "add",
            "main",
            "--set",
            "short_name=ООО «Ромашка»",
            "--set",
            "full_name=Общество с ограниченной ответственностью «Ромашка»",
            "--set",
            &format!("inn={INN_LEGAL}"),
            "--set",
            &format!("kpp={KPP}"),
            "--set",
            &format!("ogrn={OGRN}"),
            "--set",
            "legal_address=г. Москва, ул. Ленина, д. 1",
            "--set",
            "email=privacy@romashka.ru",
        ]);
        env
    }

    /// With `main` and the agreement `site` at revision 1.
    pub fn with_site() -> Env {
        let env = Env::with_main();
        env.ok(&[
            "agreement",
            "add",
            "site",
            "--name",
            "Согласие для сайта",
            "--add-purpose",
            "обработка заявок",
        ]);
        env
    }

    /// Set up from `agreements.example.toml` at the root of the repository:
    /// requisites `main`, agreements `personal-data`, `marketing`, `reviews`,
    /// sources `contact-form`, `callback-form`, `site-chat`.
    pub fn with_example() -> Env {
        let env = Env::new();
        env.ok(&["apply", example_file().to_str().expect("UTF-8 path")]);
        env
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("pd.db")
    }

    /// The binary with a clean environment, the clock fixed, no terminal.
    pub fn command(&self, args: &[&str]) -> Command {
        self.command_at(NOW, args)
    }

    pub fn command_at(&self, now: &str, args: &[&str]) -> Command {
        Command::from_std(self.std_command_at(now, args))
    }

    /// The same as a plain `std::process::Command`, for tests that manage
    /// the child's streams themselves (closed pipes, a pseudo-terminal).
    pub fn std_command(&self, args: &[&str]) -> std::process::Command {
        self.std_command_at(NOW, args)
    }

    fn std_command_at(&self, now: &str, args: &[&str]) -> std::process::Command {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_pdconsent"));
        c.env_clear()
            .current_dir(self.dir())
            .env("PDCONSENT_DB", self.db())
            .env("PDCONSENT_NOW", now)
            .env("PDCONSENT_ACTOR", "tester")
            .env("HOME", self.dir())
            .env("NO_COLOR", "1")
            .args(args);
        c
    }

    pub fn run(&self, args: &[&str]) -> Run {
        run(&mut self.command(args))
    }

    pub fn run_at(&self, now: &str, args: &[&str]) -> Run {
        run(&mut self.command_at(now, args))
    }

    /// Runs a command that must succeed.
    #[track_caller]
    pub fn ok(&self, args: &[&str]) -> Run {
        let r = self.run(args);
        assert_eq!(r.code, 0, "{args:?} failed:\n{}", r.pinned());
        r
    }

    #[track_caller]
    pub fn ok_at(&self, now: &str, args: &[&str]) -> Run {
        let r = self.run_at(now, args);
        assert_eq!(r.code, 0, "{args:?} failed:\n{}", r.pinned());
        r
    }

    /// Runs a command with `--format json` that must succeed; its stdout parsed.
    #[track_caller]
    pub fn json(&self, args: &[&str]) -> Value {
        let mut args = args.to_vec();
        args.extend(["--format", "json"]);
        self.ok(&args).json()
    }

    /// Runs a command that must be refused with exit 2, print nothing on stdout
    /// and leave every row of the database as it was.
    #[track_caller]
    pub fn fails(&self, args: &[&str]) -> Run {
        let before = self.dump();
        let r = self.run(args);
        assert_eq!(r.code, 2, "{args:?} did not fail with 2:\n{}", r.pinned());
        assert_eq!(r.stdout, "", "{args:?} printed data on failure");
        assert!(
            r.stderr.starts_with("error: "),
            "{args:?}: stderr does not start with `error: `:\n{}",
            r.stderr
        );
        assert_eq!(
            self.dump(),
            before,
            "{args:?} was refused but changed the database"
        );
        r
    }

    /// The number of revisions of an agreement.
    pub fn revisions(&self, code: &str) -> usize {
        self.json(&["agreement", "history", code])
            .as_array()
            .expect("history is an array")
            .len()
    }

    /// Every row of every table, the schema and `user_version`, as text.
    pub fn dump(&self) -> String {
        dump(&self.db())
    }
}

/// Runs a command that must be refused (exit 2, nothing on stdout, the database
/// as it was) and snapshots the command line with exit code, stdout and stderr;
/// the `Run` for further checks.
///
/// A macro rather than a function: insta names a snapshot after the module
/// whose code expands `assert_snapshot!`, so each refusal's snapshot stays
/// `cli__<module of the test>__<name>.snap`, next to the test that makes it.
macro_rules! refused {
    ($env:expr, $name:expr, $args:expr $(,)?) => {{
        use $crate::common::redact;
        let env: &$crate::common::Env = $env;
        let name: &str = $name;
        let args: &[&str] = $args;
        let r = env.fails(args);
        let text = format!("$ pdconsent {}\n{}", args.join(" "), r.pinned());
        insta::assert_snapshot!(name, redact(env, &text));
        r
    }};
}
pub(crate) use refused;

fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("run pdconsent");
    Run {
        code: out.status.code().expect("exited, not killed by a signal"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// The logical content of a database file.
pub fn dump(path: &Path) -> String {
    use rusqlite::types::Value as Sql;
    // Opening would create the file: an absent database is a state of its own.
    if !path.exists() {
        return "<no database file>".to_string();
    }
    let conn = rusqlite::Connection::open(path).expect("open the database for a dump");
    let mut out = String::new();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("user_version");
    writeln!(out, "user_version = {version}").unwrap();
    let objects: Vec<(String, String, Option<String>)> = conn
        .prepare("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")
        .and_then(|mut st| {
            st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect()
        })
        .expect("sqlite_master");
    for (kind, name, sql) in &objects {
        writeln!(out, "{kind} {name}: {}", sql.as_deref().unwrap_or("-")).unwrap();
    }
    for (kind, name, _) in &objects {
        if kind != "table" {
            continue;
        }
        writeln!(out, "-- {name}").unwrap();
        // Every column, in order: WITHOUT ROWID tables have no rowid to sort by.
        let mut st = conn
            .prepare(&format!("SELECT * FROM \"{name}\" ORDER BY 1, 2"))
            .or_else(|_| conn.prepare(&format!("SELECT * FROM \"{name}\" ORDER BY 1")))
            .expect("select");
        let n = st.column_count();
        let mut rows = st.query([]).expect("query");
        while let Some(row) = rows.next().expect("row") {
            let cells: Vec<String> = (0..n)
                .map(|i| format!("{:?}", row.get::<_, Sql>(i).expect("value")))
                .collect();
            writeln!(out, "{}", cells.join(" | ")).unwrap();
        }
    }
    out
}

/// `agreements.example.toml` at the root of the repository.
pub fn example_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("agreements.example.toml")
}

/// SHA-256 of the bytes as lowercase hex, computed here rather than by pdconsent.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Temporary paths vary from run to run.
pub fn redact(env: &Env, s: &str) -> String {
    s.replace(&env.dir().display().to_string(), "[TMP]")
}

/// Writes a file into the test's directory; its path.
pub fn write(env: &Env, name: &str, text: &str) -> String {
    let p = env.dir().join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

/// Keys of a JSON object, sorted.
pub fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .cloned()
        .collect();
    k.sort();
    k
}

/// Asserts that `v` has at least these keys (JSON may gain keys, never lose them).
#[track_caller]
pub fn assert_has_keys(v: &Value, expected: &[&str]) {
    let have = keys(v);
    let missing: Vec<&&str> = expected
        .iter()
        .filter(|k| !have.iter().any(|h| h == *k))
        .collect();
    assert!(missing.is_empty(), "missing keys {missing:?} in {v:#}");
}

/// The seed of a randomised test: `PDCONSENT_TEST_SEED` when set (to replay a failure's
/// random choices), a fresh one otherwise; printed either way, so a failure names it.
pub fn seed(test: &str) -> u64 {
    let seed = match std::env::var("PDCONSENT_TEST_SEED") {
        Ok(s) => s
            .parse()
            .unwrap_or_else(|_| panic!("PDCONSENT_TEST_SEED=`{s}` is not a number")),
        Err(_) => fastrand::u64(..),
    };
    eprintln!("{test}: seed {seed} (replay with PDCONSENT_TEST_SEED={seed})");
    seed
}

/// `PDCONSENT_STRESS=1`: the crash and load tests run longer (docs/reliability.md).
pub fn stress() -> bool {
    std::env::var_os("PDCONSENT_STRESS").is_some_and(|v| v == "1")
}

/// A child whose stdout and stderr are read as they come, so a full pipe never holds it up
/// and what it printed before it died is kept.
pub struct Spawned {
    child: std::process::Child,
    out: std::thread::JoinHandle<Vec<u8>>,
    err: std::thread::JoinHandle<Vec<u8>>,
}

/// How a [`Spawned`] child ended.
#[derive(Debug)]
pub struct Ended {
    /// SIGKILL ended it (a kill sent after it had exited does not count).
    pub killed: bool,
    /// Its exit code, when it exited.
    pub code: Option<i32>,
    /// The complete lines it wrote to stdout: a line cut by the kill is not one.
    pub lines: Vec<String>,
    pub stdout: String,
    pub stderr: String,
}

impl Spawned {
    pub fn start(mut cmd: std::process::Command) -> Spawned {
        use std::io::Read as _;
        use std::process::Stdio;
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn pdconsent");
        let read = |mut r: Box<dyn std::io::Read + Send>| {
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                r.read_to_end(&mut buf).expect("read the child's output");
                buf
            })
        };
        let out = read(Box::new(child.stdout.take().expect("piped stdout")));
        let err = read(Box::new(child.stderr.take().expect("piped stderr")));
        Spawned { child, out, err }
    }

    /// Waits until the child exits or `deadline` passes, and then kills it with SIGKILL.
    pub fn end_by(mut self, deadline: std::time::Instant) -> Ended {
        use std::time::{Duration, Instant};
        loop {
            if self.child.try_wait().expect("poll the child").is_some() {
                break;
            }
            let now = Instant::now();
            if now >= deadline {
                // Not yet waited for, so the pid is still this child's (a zombie at worst).
                let pid = self.child.id() as libc::pid_t;
                // SAFETY: kill(2) takes plain integers and touches no memory of ours.
                let rc = unsafe { libc::kill(pid, libc::SIGKILL) };
                assert_eq!(rc, 0, "kill -9 {pid}");
                break;
            }
            std::thread::sleep((deadline - now).min(Duration::from_millis(1)));
        }
        self.finish()
    }

    /// Waits until the child exits.
    pub fn wait(self) -> Ended {
        self.finish()
    }

    fn finish(mut self) -> Ended {
        use std::os::unix::process::ExitStatusExt as _;
        let status = self.child.wait().expect("wait for the child");
        // Lossy: a kill may cut a character in two; the complete lines are whole.
        let stdout = String::from_utf8_lossy(&self.out.join().expect("stdout reader")).into_owned();
        let stderr = String::from_utf8_lossy(&self.err.join().expect("stderr reader")).into_owned();
        let complete = stdout.rfind('\n').map_or("", |i| &stdout[..=i]);
        Ended {
            killed: status.signal() == Some(libc::SIGKILL),
            code: status.code(),
            lines: complete.lines().map(str::to_string).collect(),
            stdout,
            stderr,
        }
    }
}
