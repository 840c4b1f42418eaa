//! Writing an audit package: every file cut at one signed checkpoint, in one read
//! transaction, then the manifest of their hashes.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::Serialize;
use serde_json::{Value, json};

use super::Args;
use crate::cmd::consent::export::{export_events, export_to};
use crate::cmd::consent::export_csv::{CsvOptions, write_csv};
use crate::cmd::ledger::key::{NoSigner, Signer};
use crate::cmd::{Ctx, Result};
use crate::domain::ledger::to_hex;
use crate::output;
use crate::storage::{CheckpointRecord, Tx};
use crate::{HintExt, Outcome};

/// The standard-library verifier, shipped in every package.
const VERIFY_LEDGER_PY: &str = include_str!("../../../docs/verify_ledger.py");

const README: &str = include_str!("README.txt");

/// What a package holds, as `manifest.json` says it.
#[derive(Serialize)]
pub struct Manifest {
    pub format: &'static str,
    pub tool: &'static str,
    pub version: &'static str,
    pub created_at: String,
    /// The filters the package was cut with (`null` each when absent): a package with any is
    /// `full: false`, and proves its events by `proofs.jsonl`.
    pub filters: Value,
    pub full: bool,
    pub tree: TreeRef,
    /// Rows (lines) of each data file, texts counted.
    pub counts: Value,
    /// The SHA-256 of every file but the manifest, by its path in the package.
    pub files: std::collections::BTreeMap<String, String>,
}

/// The tree the package was cut at: the signed checkpoint's.
#[derive(Serialize)]
pub struct TreeRef {
    pub origin: String,
    pub size: u64,
    pub root: String,
    pub root_hex: String,
    pub vkey: String,
}

pub const MANIFEST_FORMAT: &str = "pdconsent/audit-pack@v1";

fn create(dir: &Path, name: &str) -> Result<std::io::BufWriter<std::fs::File>> {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        crate::fsutil::create_private_dirs(parent)
            .with_context(|| format!("cannot create `{}`", parent.display()))?;
    }
    let f = crate::fsutil::create_private_file(&path)
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    Ok(std::io::BufWriter::with_capacity(1 << 16, f))
}

fn finish(w: std::io::BufWriter<std::fs::File>) -> Result<()> {
    let f = w.into_inner().map_err(|e| e.into_error())?;
    f.sync_all()?;
    Ok(())
}

/// A value of a revision's settings as one cell: lists joined with `; `, objects as JSON.
fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) if items.iter().all(Value::is_string) => items
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

/// One CSV of revisions: code, revision, created_at, actor, then each setting.
fn revisions_csv(
    dir: &Path,
    name: &str,
    rows: Vec<(String, u32, String, String, Value)>,
) -> Result<u64> {
    let mut file = create(dir, name)?;
    file.write_all("\u{feff}".as_bytes())?;
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer(file);
    let keys: Vec<String> = match rows.first().map(|r| &r.4) {
        Some(Value::Object(m)) => m.keys().cloned().collect(),
        _ => Vec::new(),
    };
    let mut header = vec!["code", "revision", "created_at", "actor"];
    header.extend(keys.iter().map(String::as_str));
    w.write_record(&header)?;
    let n = rows.len() as u64;
    for (code, rev, at, actor, v) in rows {
        let mut rec = vec![code, rev.to_string(), at, actor];
        rec.extend(keys.iter().map(|k| cell(v.get(k).unwrap_or(&Value::Null))));
        w.write_record(&rec)?;
    }
    finish(w.into_inner().map_err(|e| e.into_error())?)?;
    Ok(n)
}

/// The checkpoint to cut at: a new one of the tree as it is, signed by the key in use.
fn checkpoint(ctx: &Ctx, store: &mut crate::storage::Store) -> Result<(CheckpointRecord, String)> {
    ctx.retrying(|| {
        let now = ctx.now();
        store.write(|tx| {
            let c = match Signer::load(ctx, tx) {
                Ok(s) => s.checkpoint(tx, &now)?,
                Err(NoSigner::NoKey) => {
                    return Err(anyhow::anyhow!("the ledger has no signing key"))
                        .hint("an audit package is cut at a signed checkpoint: make a key with `pdconsent ledger key init`");
                }
                Err(NoSigner::Unusable(e)) => {
                    let size = tx.ledger_size()?;
                    match tx.ledger_checkpoint_latest()? {
                        Some(c) if c.size == size => c,
                        _ => {
                            return Err(e).context(
                                "the tree has grown since the last signed checkpoint, and none can be signed",
                            );
                        }
                    }
                }
            };
            let vkey = crate::cmd::receipt::vkey_of(tx, &c)?;
            Ok::<_, anyhow::Error>((c, vkey))
        })
    })
}

/// Every file under `dir`, by its path relative to it (`/`-separated), sorted.
pub fn files_under(dir: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in
            std::fs::read_dir(&d).with_context(|| format!("cannot read `{}`", d.display()))?
        {
            let entry = entry?;
            let p = entry.path();
            if entry.file_type()?.is_dir() {
                stack.push(p);
            } else if let Ok(rel) = p.strip_prefix(dir) {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Writes the package into `dir` (which exists); the counts.
fn write_package(ctx: &Ctx, args: &Args, dir: &Path) -> Result<(Manifest, u64)> {
    let mut store = ctx.open()?;
    crate::cmd::ledger::require_ledger(&store)?;
    let (cp, vkey) = checkpoint(ctx, &mut store)?;
    // The reads go through a reading connection: a writer's 32 MiB page cache would fill up
    // on a scan of the whole ledger.
    drop(store);
    let mut store = ctx.open_read()?;
    let full = !args.filter.any();
    let origin = cp.note.lines().next().unwrap_or_default().to_string();
    let (counts, events) = store.read(|tx| {
        let (mut filter, subject) = args.filter.to_filter(tx, ctx.clock_now())?;
        // The package is cut at the checkpoint: events appended since are not in it.
        filter.before = Some(cp.size + 1);
        let opts = CsvOptions {
            delimiter: b';',
            bom: true,
            crlf: true,
            russian: true,
            tz: None,
            guard: true,
        };
        let mut w = create(dir, "consents.csv")?;
        let csv = write_csv(tx, &filter, subject.as_ref(), &opts, &mut w)?;
        finish(w)?;
        let mut w = create(dir, "consents.jsonl")?;
        let (lines, _, _, events) = if full {
            export_to(tx, &mut w, Some(cp.size))?
        } else {
            export_events(tx, &filter, subject.as_ref(), &mut w)?
        };
        finish(w)?;
        let mut proofs = 0u64;
        if !full {
            let mut w = create(dir, "proofs.jsonl")?;
            write_proofs(tx, &filter, subject.as_ref(), &cp, &mut w, &mut proofs)?;
            finish(w)?;
        }
        let refs = tx.consent_export_refs(&filter)?;
        for h in &refs.texts {
            let body = tx
                .text_body(h)?
                .ok_or_else(|| anyhow::anyhow!("the text {h} is missing from the registry"))
                .hint("run `pdconsent ledger verify`")?;
            let mut w = create(dir, &format!("texts/{h}.txt"))?;
            w.write_all(body.as_bytes())?;
            finish(w)?;
        }
        let mut rows = Vec::new();
        for code in &refs.agreements {
            for r in tx.agreement_revisions(code)? {
                rows.push((
                    code.clone(),
                    r.revision,
                    r.created_at,
                    r.actor,
                    serde_json::to_value(&r.settings)?,
                ));
            }
        }
        let agreements = revisions_csv(dir, "agreements.csv", rows)?;
        let mut rows = Vec::new();
        for code in &refs.requisites {
            for r in tx.requisites_revisions(code)? {
                rows.push((
                    code.clone(),
                    r.revision,
                    r.created_at,
                    r.actor,
                    serde_json::to_value(&r.requisites)?,
                ));
            }
        }
        let requisites = revisions_csv(dir, "requisites.csv", rows)?;
        let mut rows = Vec::new();
        for code in &refs.sources {
            for r in tx.source_revisions(code)? {
                rows.push((
                    code.clone(),
                    r.revision,
                    r.created_at,
                    r.actor,
                    serde_json::to_value(&r.source)?,
                ));
            }
        }
        let sources = revisions_csv(dir, "sources.csv", rows)?;
        let counts = json!({
            "consents.csv": csv.rows,
            "consents.jsonl": lines,
            "proofs.jsonl": if full { Value::Null } else { proofs.into() },
            "texts": refs.texts.len(),
            "agreements.csv": agreements,
            "requisites.csv": requisites,
            "sources.csv": sources,
            "guarded_cells": csv.guarded,
        });
        Ok::<_, anyhow::Error>((counts, if full { events } else { lines }))
    })?;
    for (name, text) in [
        ("checkpoint.txt", cp.note.as_str()),
        ("vkey.txt", &format!("{vkey}\n")),
        ("verify_ledger.py", VERIFY_LEDGER_PY),
        ("README.txt", README),
    ] {
        let mut w = create(dir, name)?;
        w.write_all(text.as_bytes())?;
        finish(w)?;
    }
    let mut files = std::collections::BTreeMap::new();
    for f in files_under(dir)? {
        if f != "manifest.json" {
            let h = super::verify::sha256_file(&dir.join(&f))
                .with_context(|| format!("cannot read `{f}`"))?;
            files.insert(f, h);
        }
    }
    let f = &args.filter;
    let manifest = Manifest {
        format: MANIFEST_FORMAT,
        tool: "pdconsent",
        version: env!("CARGO_PKG_VERSION"),
        created_at: ctx.now(),
        filters: json!({
            "agreement": f.agreement, "source": f.source, "kind": f.kind, "since": f.since,
            "until": f.until, "subject": f.subject.as_ref().map(|_| "(given)"), "ip": f.ip,
            "url_contains": f.url_contains, "event": f.event, "status": f.status,
        }),
        full,
        tree: TreeRef {
            origin,
            size: cp.size,
            root: crate::cmd::ledger::base64(&cp.root),
            root_hex: to_hex(&cp.root),
            vkey,
        },
        counts,
        files,
    };
    let mut w = create(dir, "manifest.json")?;
    serde_json::to_writer_pretty(&mut w, &manifest)?;
    w.write_all(b"\n")?;
    finish(w)?;
    Ok((manifest, events))
}

/// `proofs.jsonl`: each selected event's inclusion proof in the checkpoint's tree, in the
/// shape of `ledger prove --format json` (what verify_ledger.py --proof reads).
fn write_proofs(
    tx: &Tx,
    filter: &crate::storage::EventFilter,
    subject: Option<&crate::cmd::consent::Subject>,
    cp: &CheckpointRecord,
    w: &mut dyn Write,
    n: &mut u64,
) -> Result<()> {
    let mut failure: Option<anyhow::Error> = None;
    tx.consent_export_scan(filter, true, |row| {
        if failure.is_some() || subject.is_some_and(|s| !s.holds_envelope(row.envelope.as_ref())) {
            return Ok(());
        }
        let l = &row.leaf.leaf;
        let proof = tx.ledger_inclusion_proof(l.seq - 1, cp.size)?;
        let hash = l
            .hash()
            .map_err(|e| crate::storage::StoreError::Ledger(format!("leaf {}: {e}", l.seq)))?;
        let line = json!({
            "seq": l.seq,
            "leaf_index": l.seq - 1,
            "tree_size": cp.size,
            "leaf": l.to_value(),
            "leaf_hash": to_hex(&hash),
            "root": crate::cmd::ledger::base64(&cp.root),
            "root_hex": to_hex(&cp.root),
            "proof": proof.iter().map(to_hex).collect::<Vec<_>>(),
        });
        if let Err(e) = serde_json::to_writer(&mut *w, &line)
            .map_err(anyhow::Error::from)
            .and_then(|()| Ok(w.write_all(b"\n")?))
        {
            failure = Some(e);
        }
        *n += 1;
        Ok(())
    })?;
    match failure {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    let target: PathBuf = args
        .dir
        .clone()
        .context("give the directory to write the package into")?;
    if args.zip {
        let zip_path = if target.extension().is_some_and(|e| e == "zip") {
            target.clone()
        } else {
            target.with_extension("zip")
        };
        if zip_path.exists() && !args.force {
            return Err(anyhow::anyhow!("`{}` exists", zip_path.display()))
                .hint("give another name, or --force to replace it");
        }
        let tmp = tempfile::tempdir().context("cannot make a temporary directory")?;
        let (m, events) = write_package(ctx, &args, tmp.path())?;
        super::verify::zip_dir(tmp.path(), &zip_path)?;
        report(&m, events, &zip_path);
        return Ok(Outcome::Ok);
    }
    if target.exists() {
        if !target.is_dir() {
            return Err(anyhow::anyhow!("`{}` is not a directory", target.display()))
                .hint("give a new or empty directory (or --zip for one file)");
        }
        let not_empty = std::fs::read_dir(&target)?.next().is_some();
        if not_empty && !args.force {
            return Err(anyhow::anyhow!("`{}` is not empty", target.display()))
                .hint("give a new or empty directory, or --force to write into it");
        }
    }
    // The package holds personal data: owner-only, also a directory that existed.
    crate::fsutil::create_private_dirs(&target)
        .and_then(|()| {
            std::fs::set_permissions(&target, std::os::unix::fs::PermissionsExt::from_mode(0o700))
        })
        .with_context(|| format!("cannot create `{}`", target.display()))?;
    let (m, events) = write_package(ctx, &args, &target)?;
    report(&m, events, &target);
    Ok(Outcome::Ok)
}

fn report(m: &Manifest, events: u64, path: &Path) {
    output::notice(&format!(
        "audit package of {events} consent events written to `{}` ({} files), cut at the signed checkpoint of {} leaves, root {}{}",
        path.display(),
        m.files.len() + 1,
        m.tree.size,
        m.tree.root,
        if m.full {
            ""
        } else {
            "; a filtered package: each event is proved by proofs.jsonl"
        }
    ));
}
