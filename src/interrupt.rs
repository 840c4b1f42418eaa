//! Ctrl-C (and SIGTERM, SIGHUP). Before anything is committed an interrupt
//! ends the process at once (exit 130, "nothing changed": SQLite rolls an
//! open transaction back). During a commit it waits for the commit's outcome:
//! never half a save, never a false "nothing changed". After a commit, it is
//! deferred: the command finishes and reports what it saved, and a note says
//! the interrupt came too late to stop it; a second one then ends the process,
//! saying the change was saved.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU8, Ordering};

/// No commit has started: an interrupt loses nothing.
const IDLE: u8 = 0;
/// A commit is under way: its outcome is not known yet.
const COMMITTING: u8 = 1;
/// Something was committed: the command must get to say what.
const COMMITTED: u8 = 2;
/// The handler is ending the process: no commit may start.
const EXITING: u8 = 3;

static STATE: AtomicU8 = AtomicU8::new(IDLE);
/// Interrupts received while deferred.
static DEFERRED: AtomicU8 = AtomicU8::new(0);
/// Temporary files to remove if the process is ended by an interrupt.
static TEMPS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Installs the handler (Ctrl-C, and with the `termination` feature SIGTERM and SIGHUP).
pub fn install() {
    let _ = ctrlc::set_handler(on_interrupt);
}

fn on_interrupt() {
    // The handler runs on its own thread; the main thread may be committing.
    if STATE
        .compare_exchange(IDLE, EXITING, Ordering::SeqCst, Ordering::SeqCst)
        .is_ok()
    {
        exit_interrupted("interrupted, nothing changed");
    }
    let first = DEFERRED.fetch_add(1, Ordering::SeqCst) == 0;
    match STATE.load(Ordering::SeqCst) {
        COMMITTING if first => note("interrupt received during a save; finishing it"),
        COMMITTING => {}
        _ if first => note(
            "interrupt received after the change was saved; finishing the output (Ctrl-C again to stop now)",
        ),
        _ => exit_interrupted("interrupted; the change was saved before the interrupt"),
    }
}

fn exit_interrupted(message: &str) -> ! {
    for p in TEMPS.lock().map(|t| t.clone()).unwrap_or_default() {
        let _ = std::fs::remove_file(p);
    }
    let mut stderr = std::io::stderr();
    if stderr.is_terminal() {
        // A prompt may have hidden the cursor; only a terminal gets the escape.
        let _ = console::Term::stderr().show_cursor();
        let _ = writeln!(stderr);
    }
    let _ = writeln!(stderr, "{message}");
    std::process::exit(i32::from(crate::exit::INTERRUPTED));
}

fn note(message: &str) {
    let _ = writeln!(std::io::stderr(), "{message}");
}

/// A commit starts: from now on an interrupt waits for its outcome. If the
/// handler is already ending the process, this never returns.
pub fn begin_commit() {
    loop {
        match STATE.compare_exchange(IDLE, COMMITTING, Ordering::SeqCst, Ordering::SeqCst) {
            Ok(_) => return,
            Err(COMMITTED) | Err(COMMITTING) => return,
            Err(_) => std::thread::park(),
        }
    }
}

/// The commit ended: `saved` says whether it took effect. If it did not and
/// an interrupt came meanwhile, the process ends now, nothing changed.
pub fn end_commit(saved: bool) {
    if saved {
        STATE.store(COMMITTED, Ordering::SeqCst);
        if DEFERRED.load(Ordering::SeqCst) > 1 {
            // Interrupted again while the save was finishing.
            exit_interrupted("interrupted; the change was saved before the interrupt");
        }
        return;
    }
    if STATE
        .compare_exchange(COMMITTING, IDLE, Ordering::SeqCst, Ordering::SeqCst)
        .is_ok()
        && DEFERRED.load(Ordering::SeqCst) > 0
    {
        exit_interrupted("interrupted, nothing changed");
    }
}

/// Whether an interrupt was deferred because a change had been saved.
pub fn deferred() -> bool {
    DEFERRED.load(Ordering::SeqCst) > 0
}

/// Removes `path` if an interrupt ends the process.
pub fn remove_on_interrupt(path: &Path) {
    if let Ok(mut t) = TEMPS.lock() {
        t.push(path.to_path_buf());
    }
}

/// `path` no longer needs removing.
pub fn forget(path: &Path) {
    if let Ok(mut t) = TEMPS.lock() {
        t.retain(|p| p != path);
    }
}
