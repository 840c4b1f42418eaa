//! `audit-pack verify DIR|FILE.zip`: every check an auditor needs, with no database — the
//! manifest's hashes, the texts' names, the checkpoint's signature, each leaf and commitment
//! of consents.jsonl, the root (a full package) or each event's proof (a filtered one), and
//! that consents.csv holds exactly those events.

use std::io::BufRead;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::write::{MANIFEST_FORMAT, files_under};
use crate::cmd::{Ctx, Result};
use crate::domain::ledger::checkpoint::Checkpoint;
use crate::domain::ledger::merkle::{hex, unhex32};
use crate::domain::ledger::{Envelope, Frontier, Leaf, Salt, leaf_hash, to_hex, verify_inclusion};
use crate::output::{self, Format};
use crate::{HintExt, Outcome};

/// Re-check an audit package: file hashes, texts, leaves, commitments, checkpoint, root or proofs
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The package: its directory, or the .zip file
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// The operator's verifier key, from a source you trust [default: the package's
    /// vkey.txt, which says only that the package is consistent in itself]; or @FILE
    #[arg(long, value_name = "KEY|@FILE")]
    pub vkey: Vec<String>,
}

/// The problems found, each a line; at most this many are kept in full.
const MAX_PROBLEMS: usize = 1000;

struct Report {
    problems: Vec<String>,
    more: u64,
    checks: Vec<(String, bool)>,
}

impl Report {
    fn problem(&mut self, p: String) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(p);
        } else {
            self.more += 1;
        }
    }
    fn check(&mut self, name: &str, before: usize) {
        let ok = self.problems.len() == before && self.more == 0;
        self.checks.push((name.to_string(), ok));
    }
}

/// Writes the directory `src` as the zip file `dest`, atomically (a temporary file beside it,
/// then a rename).
pub fn zip_dir(src: &Path, dest: &Path) -> Result<()> {
    let dir = crate::fsutil::parent_dir(dest);
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot write in `{}`", dir.display()))
        .hint("give --zip a file name in a directory you can write to")?;
    {
        let mut z = zip::ZipWriter::new(tmp.as_file_mut());
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .unix_permissions(0o600);
        for name in files_under(src)? {
            z.start_file(name.as_str(), opts)?;
            let mut f = std::fs::File::open(src.join(&name))?;
            std::io::copy(&mut f, &mut z)?;
        }
        z.finish()?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(dest)
        .with_context(|| format!("cannot write `{}`", dest.display()))?;
    Ok(())
}

/// The SHA-256 of a file, hex, read in chunks.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    use std::io::Read as _;
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex(&h.finalize()))
}

/// One line of consents.jsonl, checked: its leaf, the leaf's hash and its envelope (`None`
/// when the line is not usable).
fn check_line(line: &str, n: u64, r: &mut Report) -> Option<(Leaf, [u8; 32], Option<Envelope>)> {
    let v: Value = match serde_json::from_str(line) {
        Ok(v) => v,
        Err(e) => {
            r.problem(format!("consents.jsonl line {n}: not JSON: {e}"));
            return None;
        }
    };
    let leaf = match v.get("leaf").map(Leaf::from_value) {
        Some(Ok(l)) => l,
        Some(Err(e)) => {
            r.problem(format!("consents.jsonl line {n}: the leaf: {e}"));
            return None;
        }
        None => {
            r.problem(format!("consents.jsonl line {n}: no `leaf`"));
            return None;
        }
    };
    let bytes = match leaf.canonical() {
        Ok(b) => b,
        Err(e) => {
            r.problem(format!("consents.jsonl line {n}, seq {}: {e}", leaf.seq));
            return None;
        }
    };
    let mut envelope = None;
    match (v.get("envelope"), v.get("salt"), &leaf.commitment) {
        (Some(Value::Null) | None, Some(Value::Null) | None, _) => {}
        (Some(env), Some(Value::String(salt)), Some(c)) => {
            envelope = serde_json::from_value::<Envelope>(env.clone()).ok();
            let opened = envelope
                .clone()
                .zip(unhex32(salt))
                .and_then(|(e, s)| e.commit(&Salt(s)).ok());
            if opened.map(|o| to_hex(&o.0)) != Some(c.clone()) {
                r.problem(format!(
                    "consents.jsonl line {n}, seq {}: the envelope and salt do not open the leaf's commitment",
                    leaf.seq
                ));
            }
        }
        _ => r.problem(format!(
            "consents.jsonl line {n}, seq {}: an envelope without a salt or a commitment",
            leaf.seq
        )),
    }
    let h = leaf_hash(&bytes);
    Some((leaf, h, envelope))
}

/// The cells of a consents.csv row that disagree with the leaf and envelope they show.
fn csv_mismatches(
    header: &[String],
    row: &csv::StringRecord,
    leaf: &Leaf,
    hash: &str,
    envelope: Option<&Envelope>,
) -> Vec<String> {
    let first_field = header
        .iter()
        .position(|h| h == "Причина отзыва")
        .map(|i| i + 1);
    let last_field = header.iter().position(|h| h == "Прочие поля");
    let erased = envelope.is_none() && leaf.commitment.is_some();
    let mut wrong = Vec::new();
    for (i, name) in header.iter().enumerate() {
        let raw = row.get(i).unwrap_or_default();
        // The formula guard's `'` is not part of the value.
        let cell = crate::cmd::consent::export_csv::unguard(raw);
        let o = |v: &Option<String>| v.clone().unwrap_or_default();
        let env_value = |f: &dyn Fn(&Envelope) -> Option<String>| envelope.and_then(f);
        let want: Option<String> = match name.as_str() {
            "№" => Some(leaf.seq.to_string()),
            "Событие" => Some(leaf.kind.as_str().to_string()),
            "Дата согласия" => Some(leaf.at.clone()),
            "Дата записи" => Some(leaf.recorded_at.clone()),
            "Соглашение" => Some(o(&leaf.agreement)),
            "Редакция" => Some(leaf.revision.map(|r| r.to_string()).unwrap_or_default()),
            "SHA-256 текста" => Some(o(&leaf.text_sha256)),
            "Источник" => Some(o(&leaf.source)),
            "Внешний ID" => Some(o(&leaf.external_id)),
            "Отзывает №" => {
                Some(leaf.withdraws.map(|w| w.to_string()).unwrap_or_default())
            }
            "Канал" => Some(o(&leaf.channel)),
            "Хеш записи" => Some(hash.to_string()),
            "Хеш данных (commitment)" => Some(o(&leaf.commitment)),
            "IP-адрес" if !erased => Some(env_value(&|e| e.ip.clone()).unwrap_or_default()),
            "Страница" if !erased => {
                Some(env_value(&|e| e.url.clone()).unwrap_or_default())
            }
            "Браузер (User-Agent)" if !erased => {
                Some(env_value(&|e| e.user_agent.clone()).unwrap_or_default())
            }
            "Причина отзыва" if !erased => {
                Some(env_value(&|e| e.reason.clone()).unwrap_or_default())
            }
            _ if first_field.is_some_and(|f| i >= f) && last_field.is_some_and(|l| i < l) => {
                if erased {
                    None
                } else {
                    Some(env_value(&|e| e.fields.get(name).cloned()).unwrap_or_default())
                }
            }
            _ => None,
        };
        let erased_ok = erased && (cell.is_empty() || cell.starts_with("данные уничтожены"));
        match want {
            Some(w) if w != cell => {
                wrong.push(format!("column `{name}` is `{cell}`, the leaf says `{w}`"))
            }
            None if erased
                && first_field.is_some_and(|f| i >= f)
                && last_field.is_some_and(|l| i < l)
                && !erased_ok =>
            {
                wrong.push(format!("column `{name}` shows data that was erased"))
            }
            _ => {}
        }
    }
    wrong
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    let format = ctx.format(&[Format::Text, Format::Json], "audit-pack verify")?;
    let _unzipped;
    let dir: PathBuf = if args.dir.is_file() {
        let t = tempfile::tempdir().context("cannot make a temporary directory")?;
        let f = std::fs::File::open(&args.dir)
            .with_context(|| format!("cannot read `{}`", args.dir.display()))?;
        zip::ZipArchive::new(f)
            .and_then(|mut z| z.extract(t.path()))
            .with_context(|| format!("`{}` is not a readable zip file", args.dir.display()))
            .hint("give the package's directory, or the .zip that `audit-pack --zip` wrote")?;
        let p = t.path().to_path_buf();
        _unzipped = t;
        p
    } else {
        args.dir.clone()
    };
    let manifest_text = std::fs::read_to_string(dir.join("manifest.json"))
        .with_context(|| format!("cannot read `{}`", dir.join("manifest.json").display()))
        .hint("give the directory that `pdconsent audit-pack DIR` wrote")?;
    let manifest: Value = serde_json::from_str(&manifest_text)
        .context("manifest.json is not JSON")
        .hint("the package was changed: ask for it again")?;
    if manifest["format"] != MANIFEST_FORMAT {
        return Err(anyhow::anyhow!(
            "manifest.json is not a `{MANIFEST_FORMAT}` manifest"
        ));
    }
    let mut r = Report {
        problems: Vec::new(),
        more: 0,
        checks: Vec::new(),
    };

    // 1. Every file is the one the manifest names, and nothing is added.
    let before = r.problems.len();
    let listed = manifest["files"].as_object().cloned().unwrap_or_default();
    for (name, want) in &listed {
        match sha256_file(&dir.join(name)) {
            Ok(h) if Some(h.as_str()) == want.as_str() => {}
            Ok(h) => r.problem(format!("{name}: SHA-256 {h}, the manifest says {want}")),
            Err(e) => r.problem(format!("{name}: {e}")),
        }
    }
    for f in files_under(&dir)? {
        if f != "manifest.json" && !listed.contains_key(&f) {
            r.problem(format!("{f}: not in the manifest"));
        }
    }
    r.check("files", before);

    // 2. Each text is named by its own SHA-256.
    let before = r.problems.len();
    for name in listed.keys().filter(|n| n.starts_with("texts/")) {
        let want = name.trim_start_matches("texts/").trim_end_matches(".txt");
        if let Ok(h) = sha256_file(&dir.join(name))
            && h != want
        {
            r.problem(format!("{name}: its SHA-256 is {h}"));
        }
    }
    r.check("texts", before);

    // 3. The checkpoint: signed by the key, and the manifest's tree.
    let before = r.problems.len();
    let vkeys = if args.vkey.is_empty() {
        let own = std::fs::read_to_string(dir.join("vkey.txt")).unwrap_or_default();
        output::warning(
            "checking the signature with the package's own vkey.txt",
            Some("give the operator's key from a source you trust with --vkey KEY"),
        );
        vec![own.trim().to_string()]
    } else {
        args.vkey.clone()
    };
    let known = crate::cmd::receipt::parse_vkeys(&vkeys)?;
    let note = std::fs::read_to_string(dir.join("checkpoint.txt")).unwrap_or_default();
    let cp = match Checkpoint::open(&note, &known) {
        Ok((cp, _)) => {
            if manifest["tree"]["size"].as_u64() != Some(cp.size)
                || manifest["tree"]["root_hex"].as_str() != Some(to_hex(&cp.root).as_str())
            {
                r.problem("manifest.json's tree is not the signed checkpoint's".into());
            }
            Some(cp)
        }
        Err(e) => {
            r.problem(format!("checkpoint.txt: {e}"));
            None
        }
    };
    r.check("checkpoint", before);

    // 4. The leaves, their commitments, and the root or each proof; the CSV alongside.
    let before = r.problems.len();
    let full = manifest["full"].as_bool().unwrap_or(false);
    let lines = std::io::BufReader::new(
        std::fs::File::open(dir.join("consents.jsonl")).context("cannot read consents.jsonl")?,
    );
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(true)
        .from_reader(
            std::fs::File::open(dir.join("consents.csv")).context("cannot read consents.csv")?,
        );
    let header: Vec<String> = csv
        .headers()
        .map(|h| h.iter().map(str::to_string).collect())
        .unwrap_or_default();
    let mut csv_rows = csv.records();
    let mut proofs = if full {
        None
    } else {
        Some(
            std::io::BufReader::new(
                std::fs::File::open(dir.join("proofs.jsonl"))
                    .context("cannot read proofs.jsonl")?,
            )
            .lines(),
        )
    };
    let mut frontier = Frontier::new();
    let (mut n, mut events) = (0u64, 0u64);
    for line in lines.lines() {
        let line = line.context("consents.jsonl is not UTF-8")?;
        n += 1;
        let Some((leaf, h, envelope)) = check_line(&line, n, &mut r) else {
            continue;
        };
        if full {
            if leaf.seq != frontier.size() + 1 {
                r.problem(format!(
                    "consents.jsonl line {n}: seq {} where {} was due: a leaf is missing, added or moved",
                    leaf.seq,
                    frontier.size() + 1
                ));
            }
            frontier.push(h);
        }
        if !leaf.kind.is_event() {
            continue;
        }
        events += 1;
        let hex_hash = to_hex(&h);
        match csv_rows.next() {
            Some(Ok(row)) => {
                let wrong = csv_mismatches(&header, &row, &leaf, &hex_hash, envelope.as_ref());
                if !wrong.is_empty() {
                    r.problem(format!(
                        "consents.csv: the row of seq {} does not show its leaf: {}",
                        leaf.seq,
                        wrong.join("; ")
                    ));
                }
            }
            _ => r.problem(format!("consents.csv has no row for seq {}", leaf.seq)),
        }
        if let (Some(p), Some(cp)) = (proofs.as_mut(), &cp) {
            let proof: Option<Value> = p
                .next()
                .and_then(|l| l.ok())
                .and_then(|l| serde_json::from_str(&l).ok());
            let ok = proof.as_ref().is_some_and(|p| {
                let path: Option<Vec<[u8; 32]>> = p["proof"].as_array().map(|a| {
                    a.iter()
                        .filter_map(|h| h.as_str().and_then(unhex32))
                        .collect()
                });
                p["seq"].as_u64() == Some(leaf.seq)
                    && path.is_some_and(|path| {
                        verify_inclusion(leaf.seq - 1, cp.size, &h, &path, &cp.root).is_ok()
                    })
            });
            if !ok {
                r.problem(format!(
                    "proofs.jsonl: no valid inclusion proof of seq {} in the checkpoint's tree",
                    leaf.seq
                ));
            }
        }
    }
    if csv_rows.next().is_some() {
        r.problem("consents.csv has rows that consents.jsonl does not".into());
    }
    if let Some(p) = proofs.as_mut()
        && p.next().is_some()
    {
        r.problem("proofs.jsonl has proofs of events consents.jsonl does not hold".into());
    }
    if full && let Some(cp) = &cp {
        if frontier.size() != cp.size {
            r.problem(format!(
                "consents.jsonl has {} leaves, the checkpoint {}",
                frontier.size(),
                cp.size
            ));
        } else if frontier.root() != cp.root {
            r.problem(format!(
                "the root of consents.jsonl is {}, the signed checkpoint's {}",
                to_hex(&frontier.root()),
                to_hex(&cp.root)
            ));
        }
    }
    r.check(
        if full {
            "leaves and root"
        } else {
            "leaves and proofs"
        },
        before,
    );
    let ok = r.problems.is_empty() && r.more == 0;
    if format == Format::Json {
        ctx.out.print_json(&serde_json::json!({
            "ok": ok,
            "full": full,
            "leaves": n,
            "events": events,
            "checks": r.checks.iter().map(|(c, ok)| serde_json::json!({"name": c, "ok": ok})).collect::<Vec<_>>(),
            "problems": r.problems,
            "more_problems": r.more,
        }))?;
    } else {
        let mut s = String::new();
        for (c, ok) in &r.checks {
            s.push_str(&format!("{:<4} {c}\n", if *ok { "ok" } else { "FAIL" }));
        }
        for p in &r.problems {
            s.push_str(&format!("  {}\n", output::sanitize(p)));
        }
        if r.more > 0 {
            s.push_str(&format!("  … and {} more problems\n", r.more));
        }
        s.push_str(&if ok {
            format!("package verified: {events} consent events, {n} lines of consents.jsonl\n")
        } else {
            "package NOT verified\n".to_string()
        });
        ctx.out.print_text(&s)?;
    }
    Ok(if ok { Outcome::Ok } else { Outcome::Negative })
}
