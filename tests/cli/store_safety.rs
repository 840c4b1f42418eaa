//! Store safety (issue "Store safety"): races between real processes, files
//! the tool does not own, read-only places, output files that are not regular
//! files, tampering with the append-only tables, and the messages for each.

use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::os::unix::process::CommandExt;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::common::{Env, example_file};

fn example() -> String {
    example_file().display().to_string()
}

fn spawn(env: &Env, args: &[&str]) -> Child {
    env.std_command(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn pdconsent")
}

/// Waits for a child; (exit code, stdout, stderr).
fn finish(child: Child) -> (i32, String, String) {
    let out = child.wait_with_output().expect("wait");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `program` in the tests' clean environment for `env`.
fn program(env: &Env, program: impl AsRef<std::ffi::OsStr>) -> std::process::Command {
    let mut c = std::process::Command::new(program);
    c.current_dir(env.dir())
        .env_clear()
        .env("PDCONSENT_DB", env.db())
        .env("PDCONSENT_NOW", crate::common::NOW)
        .env("PDCONSENT_ACTOR", "tester")
        .env("HOME", env.dir())
        .env("NO_COLOR", "1");
    c
}

fn is_root() -> bool {
    // SAFETY: geteuid cannot fail.
    unsafe { libc::geteuid() == 0 }
}

// ------------------------------------------------------------ 1, 2: first use

#[test]
fn a_database_apply_wrote_never_vanishes_under_failing_readers() {
    for round in 0..8 {
        let env = Env::new();
        let apply = spawn(&env, &["apply", &example()]);
        let readers: Vec<Child> = (0..6)
            .map(|_| spawn(&env, &["agreement", "show", "nosuch"]))
            .collect();
        for r in readers {
            let (code, _, err) = finish(r);
            assert_eq!(code, 2, "round {round}: {err}");
        }
        let (code, _, err) = finish(apply);
        assert_eq!(code, 0, "round {round}: {err}");
        assert!(
            env.db().exists(),
            "round {round}: the applied database vanished"
        );
        assert_eq!(
            env.json(&["agreement", "list"]).as_array().unwrap().len(),
            3,
            "round {round}"
        );
        // No temporary file is left beside it.
        let names: Vec<String> = fs::read_dir(env.dir())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".pdconsent-"))
            .collect();
        assert!(names.is_empty(), "round {round}: left behind {names:?}");
    }
}

#[test]
fn twelve_processes_creating_one_database_all_succeed() {
    for round in 0..3 {
        let env = Env::new();
        let children: Vec<Child> = (0..12)
            .map(|i| {
                spawn(
                    &env,
                    &[
                        "requisites",
                        "add",
                        &format!("r{i}"),
                        "--set",
                        "short_name=X",
                    ],
                )
            })
            .collect();
        for c in children {
            let (code, _, err) = finish(c);
            assert_eq!(code, 0, "round {round}: {err}");
            assert!(!err.contains("CREATE"), "SQL in an error: {err}");
        }
        let list = env.json(&["requisites", "list"]);
        assert_eq!(list.as_array().unwrap().len(), 12, "round {round}");
        let info = env.json(&["info"]);
        assert_eq!(info["counts"]["change_log"], 12);
    }
}

#[test]
fn read_only_commands_on_a_missing_database_create_nothing() {
    let env = Env::new();
    let missing = env.dir().join("typo/pd.db");
    let db = missing.to_str().unwrap();
    for args in [
        vec!["info"],
        vec!["agreement", "check", "--all"],
        vec!["agreement", "list"],
        vec!["requisites", "list"],
        vec!["source", "list"],
        vec!["log"],
        vec!["dump"],
    ] {
        let mut full = vec!["--db", db];
        full.extend(&args);
        let r = env.run(&full);
        assert_eq!(r.code, 2, "{args:?}: {}", r.pinned());
        assert!(
            r.stderr
                .starts_with(&format!("error: no database at `{db}`")),
            "{}",
            r.stderr
        );
        assert!(r.stderr.contains("hint: "), "{}", r.stderr);
    }
    assert!(!env.dir().join("typo").exists(), "a directory was created");
}

// ------------------------------------------------------------ 3: contention

#[test]
fn sixteen_processes_editing_at_once_all_succeed() {
    let env = Env::with_main();
    env.ok(&["agreement", "add", "site", "--name", "Сайт"]);
    env.ok(&["source", "add", "form", "--kind", "form", "--name", "Форма"]);
    let children: Vec<Child> = (0..16)
        .map(|p| {
            // Each process runs its ten edits one after another, as a script would.
            let mut script = String::new();
            for i in 0..10 {
                let cmd = match p % 3 {
                    0 => format!("agreement edit site --set 'label=Я согласен {p}-{i}'"),
                    1 => format!("requisites edit main --set 'phone=+7 812 000-{p:02}-{i:02}'"),
                    _ => format!("source edit form --set 'name=Форма {p}-{i}'"),
                };
                script.push_str(&format!("\"$BIN\" {cmd} || exit $?\n"));
            }
            program(&env, "sh")
                .arg("-c")
                .arg(script)
                .env("BIN", env!("CARGO_BIN_EXE_pdconsent"))
                .env("PATH", "/usr/bin:/bin")
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let (code, _, err) = finish(c);
        assert_eq!(code, 0, "an edit failed under contention:\n{err}");
        assert!(!err.contains("error:"), "{err}");
    }
    // 6 processes edited the agreement (p = 0, 3, …, 15): 60 new revisions.
    assert_eq!(env.revisions("site"), 61);
    let log = env.json(&["log"]);
    // 1 + 1 + 1 set-up entries, then one per edit.
    assert_eq!(log.as_array().unwrap().len(), 3 + 160);
}

// ------------------------------------------------------------ 4: Ctrl-C after commit

#[test]
fn an_interrupt_after_the_commit_reports_the_change_not_nothing_changed() {
    let env = Env::with_main();
    env.ok(&["agreement", "add", "site", "--name", "Сайт"]);
    // A full pipe as stdout: the command commits, then blocks writing its JSON.
    let (mut reader, mut writer) = std::io::pipe().unwrap();
    // SAFETY: F_SETFL on a descriptor we own.
    let fd = std::os::fd::AsRawFd::as_raw_fd(&writer);
    unsafe { libc::fcntl(fd, libc::F_SETFL, libc::O_NONBLOCK) };
    let mut filled = 0;
    while writer.write(&[b' '; 4096]).is_ok_and(|n| n > 0) {
        filled += 4096;
    }
    unsafe { libc::fcntl(fd, libc::F_SETFL, 0) };
    let child = env
        .std_command(&[
            "agreement",
            "edit",
            "site",
            "--set",
            "label=Я согласен",
            "--format",
            "json",
        ])
        .stdout(writer)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the revision is committed (another process sees it).
    let start = Instant::now();
    while env.revisions("site") < 2 {
        assert!(start.elapsed() < Duration::from_secs(20), "never committed");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(100));
    // SAFETY: a signal to our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    std::thread::sleep(Duration::from_millis(100));
    let drain = std::thread::spawn(move || {
        let mut all = Vec::new();
        reader.read_to_end(&mut all).unwrap();
        all
    });
    let (code, _, err) = finish(child);
    let out = drain.join().unwrap();
    assert!(
        out.len() > filled,
        "the JSON was not written after the interrupt"
    );
    assert!(!err.contains("nothing changed"), "{err}");
    assert!(err.contains("revision 2 created"), "{err}");
    assert!(err.contains("after the change was saved"), "{err}");
    assert_eq!(code, 0, "{err}");
    assert!(
        !err.contains('\x1b'),
        "an escape sequence on a pipe: {err:?}"
    );
}

#[test]
fn an_interrupt_before_the_commit_writes_no_escape_to_a_pipe() {
    let env = Env::with_main();
    // `apply -` waits for stdin; interrupt it there.
    let mut child = env
        .std_command(&["apply", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let _stdin = child.stdin.take();
    let (code, _, err) = finish(child);
    assert_eq!(code, 130, "{err}");
    assert_eq!(err, "interrupted, nothing changed\n");
}

// ------------------------------------------------------------ 5: files not ours

#[test]
fn an_existing_empty_file_open_to_others_is_not_adopted() {
    let env = Env::new();
    fs::write(env.db(), "").unwrap();
    fs::set_permissions(env.db(), fs::Permissions::from_mode(0o666)).unwrap();
    let r = env.fails(&["requisites", "add", "main", "--set", "short_name=X"]);
    assert!(
        r.stderr
            .contains("is an existing file that pdconsent did not create (mode 0666"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("chmod 600"), "{}", r.stderr);
    assert_eq!(
        fs::metadata(env.db()).unwrap().len(),
        0,
        "the file was written"
    );
    assert_eq!(fs::metadata(env.db()).unwrap().mode() & 0o777, 0o666);

    // Through a symlink, the same.
    let link = env.dir().join("link.db");
    symlink(env.db(), &link).unwrap();
    let r = env.run(&[
        "--db",
        link.to_str().unwrap(),
        "requisites",
        "add",
        "m",
        "--set",
        "short_name=X",
    ]);
    assert_eq!(r.code, 2, "{}", r.pinned());
    assert_eq!(fs::metadata(env.db()).unwrap().len(), 0);

    // Private to the current user: taken.
    fs::set_permissions(env.db(), fs::Permissions::from_mode(0o600)).unwrap();
    env.ok(&["requisites", "add", "main", "--set", "short_name=X"]);
}

#[test]
fn an_empty_file_of_another_user_is_not_adopted() {
    if !is_root() {
        eprintln!("skipped: needs root to give a file to another user");
        return;
    }
    let env = Env::new();
    fs::write(env.db(), "").unwrap();
    fs::set_permissions(env.db(), fs::Permissions::from_mode(0o600)).unwrap();
    std::os::unix::fs::chown(env.db(), Some(65534), Some(65534)).unwrap();
    let r = env.fails(&["requisites", "add", "main", "--set", "short_name=X"]);
    assert!(r.stderr.contains("owner uid 65534"), "{}", r.stderr);
    assert_eq!(fs::metadata(env.db()).unwrap().len(), 0);
}

#[test]
fn a_database_open_to_others_gets_a_warning() {
    let env = Env::with_main();
    fs::set_permissions(env.db(), fs::Permissions::from_mode(0o644)).unwrap();
    let r = env.ok(&["requisites", "list"]);
    assert!(
        r.stderr
            .contains("is readable or writable by group or others (mode 0644)"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("chmod 600"), "{}", r.stderr);
}

#[test]
fn created_directories_are_private_whatever_the_umask() {
    let env = Env::new();
    let db = env.dir().join("a/b/pd.db");
    let mut c = env.std_command(&[
        "--db",
        db.to_str().unwrap(),
        "requisites",
        "add",
        "main",
        "--set",
        "short_name=X",
    ]);
    // SAFETY: umask in the child before exec.
    unsafe {
        c.pre_exec(|| {
            libc::umask(0);
            Ok(())
        });
    }
    assert!(c.status().unwrap().success());
    for d in ["a", "a/b"] {
        let mode = fs::metadata(env.dir().join(d)).unwrap().mode() & 0o777;
        assert_eq!(mode, 0o700, "{d}: {mode:o}");
    }
    assert_eq!(fs::metadata(&db).unwrap().mode() & 0o777, 0o600);
}

#[test]
fn a_dangling_symlink_is_called_one() {
    let env = Env::new();
    symlink(env.dir().join("gone.db"), env.db()).unwrap();
    let r = env.run(&["requisites", "add", "main", "--set", "short_name=X"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("is a dangling symlink"), "{}", r.stderr);
    assert!(!env.dir().join("gone.db").exists());
}

// ------------------------------------------------------------ 6: -o

#[test]
fn dump_into_a_fifo_writes_through_it() {
    let env = Env::with_main();
    let fifo = env.dir().join("pipe");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let f2 = fifo.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(fs::read_to_string(f2).unwrap()));
    env.ok(&["dump", "-o", fifo.to_str().unwrap()]);
    // Had the FIFO been replaced, the reader would wait on it forever.
    let text = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("nothing was written into the FIFO");
    assert!(text.contains("[[requisites]]"), "{text}");
    assert!(
        fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo_like(),
        "the FIFO was replaced"
    );
}

trait FifoLike {
    fn is_fifo_like(&self) -> bool;
}

impl FifoLike for fs::FileType {
    fn is_fifo_like(&self) -> bool {
        std::os::unix::fs::FileTypeExt::is_fifo(self)
    }
}

#[test]
fn dump_through_a_symlink_replaces_its_target_and_keeps_the_link() {
    let env = Env::with_main();
    fs::write(env.dir().join("real.toml"), "old").unwrap();
    symlink("real.toml", env.dir().join("link.toml")).unwrap();
    env.ok(&["dump", "-o", "link.toml"]);
    let link = fs::symlink_metadata(env.dir().join("link.toml")).unwrap();
    assert!(
        link.file_type().is_symlink(),
        "the link was replaced by a file"
    );
    let text = fs::read_to_string(env.dir().join("real.toml")).unwrap();
    assert!(text.contains("[[requisites]]"));
    // A directory is refused by name.
    let r = env.fails(&["dump", "-o", "."]);
    assert!(r.stderr.contains("is a directory"), "{}", r.stderr);
}

#[test]
fn dump_to_dev_null_leaves_the_device() {
    let env = Env::with_main();
    let dev = env.dir().join("null");
    if is_root() {
        // Our own device node, so a regression cannot break the machine's /dev/null.
        let c = std::ffi::CString::new(dev.to_str().unwrap()).unwrap();
        let rc = unsafe { libc::mknod(c.as_ptr(), libc::S_IFCHR | 0o666, libc::makedev(1, 3)) };
        if rc != 0 {
            eprintln!("skipped: mknod is not allowed here");
            return;
        }
    } else {
        eprintln!("skipped: needs root for mknod");
        return;
    }
    env.ok(&["dump", "-o", dev.to_str().unwrap()]);
    let t = fs::symlink_metadata(&dev).unwrap().file_type();
    assert!(
        std::os::unix::fs::FileTypeExt::is_char_device(&t),
        "the device became a regular file"
    );
}

// ------------------------------------------------------------ 7: read-only places

/// Runs `args` as a user who can read but not write the database and its directory.
fn run_read_only(env: &Env, args: &[&str]) -> (i32, String, String) {
    let dir = env.dir();
    let mut c = if is_root() {
        // Root writes anywhere: give the files to `nobody` and run as them,
        // from a copy of the binary that `nobody` can reach.
        let copy = dir.join("pdconsent");
        if !copy.exists() {
            fs::set_permissions(dir, fs::Permissions::from_mode(0o755)).unwrap();
            // Copied by `cp`, not in this process: a writable descriptor of
            // the copy inherited by a child another test forks meanwhile would
            // make exec fail with "text file busy".
            let ok = std::process::Command::new("cp")
                .arg(env!("CARGO_BIN_EXE_pdconsent"))
                .arg(&copy)
                .status()
                .unwrap()
                .success();
            assert!(ok, "cp failed");
        }
        for p in [dir.to_path_buf(), env.db()] {
            std::os::unix::fs::chown(&p, Some(65534), Some(65534)).unwrap();
        }
        let mut c = program(env, &copy);
        c.uid(65534).gid(65534);
        c
    } else {
        program(env, env!("CARGO_BIN_EXE_pdconsent"))
    };
    fs::set_permissions(dir, fs::Permissions::from_mode(0o555)).unwrap();
    fs::set_permissions(env.db(), fs::Permissions::from_mode(0o400)).unwrap();
    let out = c.args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn restore_writable(env: &Env) {
    fs::set_permissions(env.dir(), fs::Permissions::from_mode(0o700)).unwrap();
}

#[test]
fn read_only_commands_work_in_a_read_only_directory() {
    let env = Env::with_example();
    for args in [
        vec!["info"],
        vec!["agreement", "list"],
        vec!["agreement", "check", "--all"],
        vec![
            "agreement",
            "preview",
            "personal-data",
            "--source",
            "contact-form",
        ],
        vec!["dump"],
        vec!["log"],
    ] {
        let (code, out, err) = run_read_only(&env, &args);
        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(!out.is_empty(), "{args:?}");
        assert!(!err.contains("error:"), "{args:?}: {err}");
    }
    // A write says why it cannot, with a hint.
    let (code, _, err) = run_read_only(
        &env,
        &["requisites", "edit", "main", "--set", "phone=+78120000000"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("read"), "{err}");
    assert!(err.contains("hint: "), "{err}");
    restore_writable(&env);
    // No -wal or -shm appeared.
    assert!(!env.dir().join("pd.db-shm").exists());
}

// ------------------------------------------------------------ 12: tampering

fn sqlite(env: &Env) -> rusqlite::Connection {
    rusqlite::Connection::open(env.db()).unwrap()
}

#[test]
fn insert_or_replace_cannot_rewrite_a_revision_or_the_log() {
    let env = Env::with_main();
    env.ok(&["agreement", "add", "site", "--name", "Сайт"]);
    let before = env.dump();
    let conn = sqlite(&env);
    for sql in [
        "INSERT OR REPLACE INTO agreement_revisions (agreement_id, revision, requisites_code, settings, created_at, actor)
         SELECT agreement_id, 1, requisites_code, '{}', created_at, 'mallory' FROM agreement_revisions",
        "INSERT OR REPLACE INTO change_log (id, at, actor, object_kind, object_code, action)
         SELECT id, at, 'mallory', object_kind, object_code, action FROM change_log WHERE id = 1",
        "INSERT INTO agreement_revisions (agreement_id, revision, requisites_code, settings, created_at, actor)
         SELECT agreement_id, 5, requisites_code, settings, created_at, 'mallory' FROM agreement_revisions",
    ] {
        let err = conn.execute(sql, []).unwrap_err().to_string();
        assert!(
            err.contains("immutable") || err.contains("append-only") || err.contains("without gaps"),
            "{sql}: {err}"
        );
    }
    drop(conn);
    assert_eq!(env.dump(), before);
}

#[test]
fn the_current_revision_cannot_be_rolled_back() {
    let env = Env::with_main();
    env.ok(&["agreement", "add", "site", "--name", "Сайт"]);
    env.ok(&["agreement", "edit", "site", "--set", "name=Сайт 2"]);
    let err = sqlite(&env)
        .execute("UPDATE agreements SET current_revision = 1", [])
        .unwrap_err()
        .to_string();
    assert!(err.contains("newest"), "{err}");
    env.ok(&["agreement", "edit", "site", "--set", "name=Сайт 3"]);
    assert_eq!(env.revisions("site"), 3);
}

#[test]
fn a_text_must_be_stored_under_its_own_hash() {
    let env = Env::with_main();
    let conn = sqlite(&env);
    // Outside pdconsent the hash function is unknown: the insert fails either way.
    let err = conn
        .execute(
            "INSERT INTO texts (sha256, body, created_at) VALUES (?1, 'x', 'now')",
            [&"0".repeat(64)],
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("pdconsent_sha256"), "{err}");
    // With it registered, a wrong hash is refused and the right one taken.
    conn.create_scalar_function(
        "pdconsent_sha256",
        1,
        rusqlite::functions::FunctionFlags::SQLITE_UTF8,
        |ctx| {
            use sha2::Digest;
            let body: String = ctx.get(0)?;
            let d = sha2::Sha256::digest(body.as_bytes());
            Ok(d.iter().map(|b| format!("{b:02x}")).collect::<String>())
        },
    )
    .unwrap();
    let err = conn
        .execute(
            "INSERT INTO texts (sha256, body, created_at) VALUES (?1, 'x', 'now')",
            [&"0".repeat(64)],
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("SHA-256 of its body"), "{err}");
    let right = "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881";
    conn.execute(
        "INSERT INTO texts (sha256, body, created_at) VALUES (?1, 'x', 'now')",
        [right],
    )
    .unwrap();
}

#[test]
fn a_dropped_trigger_stops_every_write_and_warns_every_read() {
    let env = Env::with_main();
    env.ok(&["agreement", "add", "site", "--name", "Сайт"]);
    sqlite(&env)
        .execute_batch("DROP TRIGGER agreement_revisions_no_update")
        .unwrap();
    let r = env.fails(&["agreement", "edit", "site", "--set", "name=Другое"]);
    assert!(
        r.stderr
            .contains("lacks protective trigger(s) `agreement_revisions_no_update`"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("hint: restore the database from a backup"),
        "{}",
        r.stderr
    );
    let r = env.ok(&["agreement", "show", "site"]);
    assert!(
        r.stderr.contains("warning: protective trigger(s)"),
        "{}",
        r.stderr
    );
    // A trigger redefined to do nothing counts as missing too.
    sqlite(&env)
        .execute_batch(
            "CREATE TRIGGER agreement_revisions_no_update BEFORE UPDATE ON agreement_revisions BEGIN SELECT 1; END;",
        )
        .unwrap();
    env.fails(&["agreement", "edit", "site", "--set", "name=Другое"]);
}

// ------------------------------------------------------------ messages

#[test]
fn a_truncated_database_gets_a_hint() {
    let env = Env::with_example();
    let bytes = fs::read(env.db()).unwrap();
    fs::write(env.db(), &bytes[..bytes.len() / 3]).unwrap();
    let r = env.run(&["agreement", "list"]);
    assert_eq!(r.code, 2, "{}", r.pinned());
    assert!(
        r.stderr.contains("malformed") || r.stderr.contains("damaged"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("hint: ") && r.stderr.contains("backup"),
        "{}",
        r.stderr
    );
}

#[test]
fn another_programs_database_with_a_version_is_not_called_newer() {
    let env = Env::new();
    {
        let conn = rusqlite::Connection::open(env.db()).unwrap();
        conn.execute_batch("CREATE TABLE notes (x); PRAGMA user_version = 7;")
            .unwrap();
    }
    let bytes = fs::read(env.db()).unwrap();
    let r = env.run(&["info"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("of another program"), "{}", r.stderr);
    assert!(!r.stderr.contains("newer"), "{}", r.stderr);
    assert_eq!(fs::read(env.db()).unwrap(), bytes);
}

// ------------------------------------------------------------ migration 2

#[test]
fn a_database_of_release_0_1_is_upgraded_in_place_and_keeps_everything() {
    let env = Env::new();
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    fs::copy(fixtures.join("release-0.1.db"), env.db()).unwrap();
    fs::set_permissions(env.db(), fs::Permissions::from_mode(0o600)).unwrap();
    // The first command, even a read-only one, upgrades the schema.
    let info = env.json(&["info"]);
    assert_eq!(info["schema_version"], pdconsent::storage::latest_version());
    let expected = fs::read_to_string(fixtures.join("release-0.1.dump.toml")).unwrap();
    assert_eq!(env.ok(&["dump"]).stdout, expected);
    assert_eq!(env.revisions("marketing"), 2);
    assert_eq!(env.json(&["log"]).as_array().unwrap().len(), 10);
    // The new guards are in place, and the file is marked as ours.
    let conn = sqlite(&env);
    let id: i32 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .unwrap();
    assert_eq!(id, 0x7064_636e);
    let err = conn
        .execute(
            "INSERT OR REPLACE INTO agreement_revisions (agreement_id, revision, requisites_code, settings, created_at, actor)
             SELECT agreement_id, 1, requisites_code, '{}', created_at, 'x' FROM agreement_revisions",
            [],
        )
        .unwrap_err();
    let err = err.to_string();
    assert!(
        err.contains("immutable") || err.contains("without gaps"),
        "{err}"
    );
    drop(conn);
    env.ok(&["agreement", "edit", "marketing", "--set", "name=Новости"]);
    assert_eq!(env.revisions("marketing"), 3);
}
