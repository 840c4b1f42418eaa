//! `pdconsent ledger verify`: recompute everything the ledger claims, from the stored fields
//! up — every leaf, every commitment, every stored hash, the root, every text and revision —
//! and check the protective triggers and the file itself. Streams: memory stays flat.

use anyhow::Context as _;
use serde::Serialize;

use super::{base64, parse_root};
use crate::cmd::{Ctx, Result};
use crate::domain::ledger::{
    Commitment, Frontier, Hash, envelope_canonical, stored_hash_index, subject_keys,
    subject_pair_mix, to_hex,
};
use crate::output::{self, Format};
use crate::storage::{StoreError, Tx, integrity_check_file, parse_salt};
use crate::{HintExt, Outcome};

/// Recompute every leaf, commitment, stored hash and text; check triggers and the file
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A head published earlier (`SIZE:ROOT`, ROOT as `ledger head` prints it, or hex): the
    /// first SIZE leaves must still have that root — catches a truncated or rewritten ledger
    #[arg(long, value_name = "SIZE:ROOT")]
    pub expect_head: Option<String>,
    /// A signed checkpoint received earlier (repeatable): its signature must hold and today's
    /// tree must extend it — catches a rolled-back, truncated or rewritten ledger
    #[arg(long, value_name = "FILE")]
    pub checkpoint: Vec<std::path::PathBuf>,
    /// The verifier key to check checkpoints with (repeatable; KEY or @FILE) [default: the
    /// keys stored in the database — an auditor should give their own copy]
    #[arg(long, value_name = "KEY")]
    pub vkey: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    /// The leaf concerned, when there is one.
    pub seq: Option<u64>,
    pub message: String,
}

#[derive(Debug, Serialize)]
struct Report {
    ok: bool,
    size: u64,
    root: String,
    root_hex: String,
    events: u64,
    configuration_leaves: u64,
    envelopes_checked: u64,
    envelopes_erased: u64,
    erasures: u64,
    problems: Vec<Problem>,
}

/// Heads read per query, so a million recorded heads need no more memory than a few.
const HEADS_CHUNK: u32 = 4096;

const LEAF_DIFFERS: &str = "the leaf differs from the one the tree holds: it was edited, or events were inserted, deleted or swapped";

/// The problem, if any, of a leaf's stored hashes against those its append gives.
fn hash_problem(seq: u64, stored: Option<&[u8]>, want: &[Hash]) -> Option<String> {
    let Some(stored) = stored else {
        return Some("the tree's stored hashes of the leaf are missing".to_string());
    };
    // The leaf hash first: a leaf edited, forged or moved says so, whatever else is off.
    if stored.len() >= 32 && stored[..32] != want[0] {
        return Some(LEAF_DIFFERS.to_string());
    }
    if stored.len() != 32 * want.len() {
        return Some(format!(
            "the leaf stores {} bytes of tree hashes; its place in the tree needs {}: the tree was rewritten",
            stored.len(),
            32 * want.len()
        ));
    }
    let level = want
        .iter()
        .zip(stored.chunks_exact(32))
        .position(|(w, s)| w.as_slice() != s)?;
    Some(if level == 0 {
        LEAF_DIFFERS.to_string()
    } else {
        let n = (seq - 1) >> level;
        format!(
            "the tree's stored hash {} differs from the one its leaves give: the tree was rewritten",
            stored_hash_index(level as u8, n)
        )
    })
}

/// A configuration leaf without what only the append gives (seq, id, recorded_at).
fn config_key(l: &crate::domain::ledger::Leaf) -> Vec<u8> {
    let mut k = l.clone();
    k.seq = 0;
    k.id = String::new();
    k.recorded_at = String::new();
    k.canonical().unwrap_or_default()
}

/// Envelopes whose subject keys are not those of their fields, and keys of no envelope.
fn subject_differences(tx: &Tx) -> std::result::Result<Vec<Problem>, StoreError> {
    let mut stored = tx.ledger_subject_keys()?;
    let mut out = Vec::new();
    tx.ledger_envelope_fields(|id, fields, seq| {
        let want = serde_json::from_str::<std::collections::BTreeMap<String, String>>(&fields)
            .map(|f| subject_keys(&f))
            .unwrap_or_default();
        let have = stored.remove(&id).unwrap_or_default();
        if want != have {
            out.push(Problem {
                seq,
                message: format!(
                    "the subject keys of envelope {id} do not match its fields (keys deleted or added): `consent status` and `withdraw --subject` would miss the person or find another"
                ),
            });
        }
        Ok(())
    })?;
    let mut orphans: Vec<i64> = stored.into_keys().collect();
    orphans.sort_unstable();
    for id in orphans {
        out.push(Problem {
            seq: None,
            message: format!("subject keys point at envelope {id}, which is not stored"),
        });
    }
    Ok(out)
}

/// What a configuration leaf logs, in words, and its identity (kind and key, without the
/// values that a rewrite changes).
fn describe(l: &crate::domain::ledger::Leaf) -> (&'static str, String) {
    let code = |c: &Option<String>| c.clone().unwrap_or_else(|| "?".into());
    match l.kind.as_str() {
        "agreement_revision" => (
            "an agreement revision",
            format!(
                "{} revision {}",
                code(&l.agreement),
                l.revision.unwrap_or(0)
            ),
        ),
        "requisites_revision" => (
            "a requisites revision",
            format!(
                "{} revision {}",
                code(&l.requisites),
                l.requisites_revision.unwrap_or(0)
            ),
        ),
        "source_revision" => (
            "a source revision",
            format!(
                "{} revision {}",
                code(&l.source),
                l.source_revision.unwrap_or(0)
            ),
        ),
        _ => (
            "a text registration",
            format!(
                "{} on {} from {}",
                code(&l.agreement),
                code(&l.source),
                l.at
            ),
        ),
    }
}

/// Configuration leaves that log no row as it is now, and rows that have no leaf.
fn config_differences(
    seen: Vec<(crate::domain::ledger::Leaf, u64)>,
    expected: Vec<crate::domain::ledger::Leaf>,
) -> Vec<Problem> {
    use std::collections::{HashMap, HashSet};
    let mut want: HashMap<Vec<u8>, (usize, &crate::domain::ledger::Leaf)> = HashMap::new();
    for l in &expected {
        want.entry(config_key(l)).or_insert((0, l)).0 += 1;
    }
    let mut out = Vec::new();
    let mut reported: HashSet<(&'static str, String)> = HashSet::new();
    for (leaf, seq) in &seen {
        match want.get_mut(&config_key(leaf)) {
            Some((n, _)) if *n > 0 => *n -= 1,
            _ => {
                let (noun, what) = describe(leaf);
                out.push(Problem {
                    seq: Some(*seq),
                    message: format!("{noun} differs from its leaf (or is gone): {what}"),
                });
                reported.insert((noun, what));
            }
        }
    }
    let mut missing: Vec<&crate::domain::ledger::Leaf> = want
        .values()
        .filter(|(n, _)| *n > 0)
        .map(|(_, l)| *l)
        .collect();
    missing.sort_by(|a, b| a.at.cmp(&b.at));
    for l in missing {
        let (noun, what) = describe(l);
        if reported.contains(&(noun, what.clone())) {
            continue;
        }
        out.push(Problem {
            seq: None,
            message: format!("{noun} is not in the ledger: {what} (added outside pdconsent)"),
        });
    }
    out
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    let format = ctx.format(&[Format::Table, Format::Json], "ledger verify")?;
    let expect = match &args.expect_head {
        None => None,
        Some(v) => {
            let parsed = v
                .split_once(':')
                .and_then(|(s, r)| Some((s.trim().parse::<u64>().ok()?, parse_root(r)?)));
            Some(
                parsed
                    .ok_or_else(|| anyhow::anyhow!("`--expect-head {v}` is not SIZE:ROOT"))
                    .hint("write the size and root `pdconsent ledger head` printed, e.g. --expect-head 1200:q0y5…=")?,
            )
        }
    };
    let mut given = Vec::new();
    for f in &args.checkpoint {
        let note = std::fs::read_to_string(f)
            .with_context(|| format!("cannot read the checkpoint `{}`", f.display()))?;
        given.push((f.display().to_string(), note));
    }
    let mut store = ctx.open_read()?;
    super::require_ledger(&store)?;
    let show_progress = output::is_terminal(output::Stream::Stderr) && format != Format::Json;
    // The file's own check runs on another core, on a connection of its own.
    let integrity = store.path().map(|p| {
        let p = p.to_path_buf();
        std::thread::Builder::new()
            .name("integrity".into())
            .spawn(move || integrity_check_file(&p))
    });
    let report = store.read(|tx| {
        let mut problems: Vec<Problem> = Vec::new();
        if integrity.is_none() {
            for p in tx.integrity_problems()? {
                problems.push(Problem { seq: None, message: format!("PRAGMA integrity_check: {p}") });
            }
        }
        let (missing, extra) = tx.trigger_problems()?;
        for t in missing {
            problems.push(Problem {
                seq: None,
                message: format!("the protective trigger `{t}` is missing or altered: the database was changed outside pdconsent"),
            });
        }
        for t in extra {
            problems.push(Problem {
                seq: None,
                message: format!("a trigger `{t}` that pdconsent did not create runs on writes: the database was changed outside pdconsent"),
            });
        }
        let size = tx.ledger_size()?;
        let mut plan = super::checks::CheckpointPlan::new(tx, &given, &args.vkey)?;
        let (texts, bad_texts) = tx.ledger_texts()?;
        // Configuration leaves as read (with their seq), keyed without seq, id and recorded_at.
        let mut config_seen: Vec<(crate::domain::ledger::Leaf, u64)> = Vec::new();
        let bar = if show_progress {
            let b = indicatif::ProgressBar::new(size);
            b.set_style(
                indicatif::ProgressStyle::with_template("verifying {bar:40} {human_pos}/{human_len} leaves, {eta} left")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            b
        } else {
            indicatif::ProgressBar::hidden()
        };
        let mut frontier = Frontier::new();
        let mut heads: std::collections::VecDeque<(u64, Vec<u8>)> =
            tx.ledger_heads_after(0, HEADS_CHUNK)?.into();
        let mut expected_seq = 1u64;
        let (mut events, mut config, mut checked, mut erased) = (0u64, 0u64, 0u64, 0u64);
        let mut root_at_expected: Option<Hash> = None;
        let mut last_env: Option<(i64, Hash)> = None;
        let mut last_subjects: Option<i64> = None;
        let mut distinct_envelopes = 0u64;
        let (mut subject_count, mut subject_fp) = (0u64, 0u64);
        let mut leaf_bytes = Vec::with_capacity(1024);
        let mut erasures: Vec<(u64, Option<String>)> = Vec::new();
        tx.ledger_scan(1, false, |item| {
            let seq = item.seq;
            let hash = match &item.leaf {
                Err(why) => {
                    problems.push(Problem { seq: Some(seq), message: why.clone() });
                    [0u8; 32]
                }
                Ok(row) => {
                    let l = &row.leaf;
                    if l.kind.is_event() {
                        events += 1;
                    } else if l.kind.is_config() {
                        config += 1;
                    } else {
                        erasures.push((seq, l.data_sha256.clone()));
                    }
                    leaf_bytes.clear();
                    let hash = match l.write_canonical(&mut leaf_bytes) {
                        Ok(()) => crate::domain::ledger::leaf_hash(&leaf_bytes),
                        Err(e) => {
                            problems.push(Problem { seq: Some(seq), message: format!("the leaf has no canonical form: {e}") });
                            [0u8; 32]
                        }
                    };
                    if let Some(t) = &l.text_sha256
                        && !texts.contains(t)
                    {
                        problems.push(Problem { seq: Some(seq), message: format!("the text {t} the leaf names is not in the registry") });
                    }
                    if l.kind.is_config() {
                        config_seen.push((l.clone(), seq));
                    }
                    if l.kind.is_event() && l.kind.as_str() != "withdrawn" && l.commitment.is_none() {
                        problems.push(Problem { seq: Some(seq), message: "a consent event without a commitment".into() });
                    }
                    match (row.envelope, &item.envelope) {
                        (Some(_), None) if item.erased_by.is_some() => erased += 1,
                        (Some(id), None) => problems.push(Problem {
                            seq: Some(seq),
                            message: format!("envelope {id} of the leaf is gone but no erasure records it: personal data was deleted outside pdconsent (`subject erase` records every erasure)"),
                        }),
                        (None, _) if l.commitment.is_some() => problems.push(Problem {
                            seq: Some(seq),
                            message: "the leaf has a commitment but no link to its envelope: the link was removed (pdconsent never writes one without it; erasure keeps it)".into(),
                        }),
                        (_, Some(Err(why))) => problems.push(Problem { seq: Some(seq), message: why.clone() }),
                        (_, Some(Ok(e))) => {
                            checked += 1;
                            if last_subjects != Some(e.id) {
                                last_subjects = Some(e.id);
                                distinct_envelopes += 1;
                                if let Ok(fields) = serde_json::from_str::<std::collections::BTreeMap<String, String>>(&e.fields_json) {
                                    for k in subject_keys(&fields) {
                                        subject_count += 1;
                                        subject_fp ^= subject_pair_mix(k, e.id);
                                    }
                                }
                            }
                            let commitment = match &last_env {
                                Some((id, c)) if *id == e.id => Some(*c),
                                _ => parse_salt(&e.salt).and_then(|salt| {
                                    let bytes = envelope_canonical(
                                        e.fields_json.as_bytes(),
                                        e.envelope.ip.as_deref(),
                                        e.envelope.url.as_deref(),
                                        e.envelope.user_agent.as_deref(),
                                        e.envelope.reason.as_deref(),
                                    )
                                    .ok()?;
                                    Some(Commitment::from_canonical(&salt, &bytes).0)
                                }),
                            };
                            match commitment {
                                Some(c) if l.commitment.as_deref().and_then(crate::domain::ledger::merkle::unhex32) == Some(c) => {
                                    last_env = Some((e.id, c));
                                }
                                Some(_) => problems.push(Problem {
                                    seq: Some(seq),
                                    message: format!("envelope {} does not match the leaf's commitment: the personal data (or its salt) was edited", e.id),
                                }),
                                None => problems.push(Problem {
                                    seq: Some(seq),
                                    message: format!("envelope {} cannot be read (its salt or fields are malformed)", e.id),
                                }),
                            }
                        }
                        (None, None) => {}
                    }
                    hash
                }
            };
            if seq != expected_seq {
                problems.push(Problem {
                    seq: Some(expected_seq),
                    message: if seq > expected_seq {
                        format!("leaves {expected_seq} to {} are missing: the ledger is numbered without gaps", seq - 1)
                    } else {
                        format!("leaf {seq} appears twice")
                    },
                });
            }
            expected_seq = seq.max(expected_seq) + 1;
            let want = frontier.push(hash);
            if item.leaf.is_ok()
                && let Some(p) = hash_problem(seq, item.hashes.as_deref(), &want)
            {
                problems.push(Problem { seq: Some(seq), message: p });
            }
            if let Some((s, root)) = heads.front()
                && *s == frontier.size()
            {
                if root.as_slice() != frontier.root().as_slice() {
                    problems.push(Problem {
                        seq: None,
                        message: format!("the tree's recorded head at size {s} has another root than its first {s} leaves give: the ledger was rewritten"),
                    });
                }
                heads.pop_front();
                if heads.is_empty() {
                    heads = tx.ledger_heads_after(frontier.size(), HEADS_CHUNK)?.into();
                }
            }
            if let Some((s, _)) = expect
                && frontier.size() == s
            {
                root_at_expected = Some(frontier.root());
            }
            if plan.wants(frontier.size()) {
                plan.observe(frontier.size(), frontier.root());
            }
            if frontier.size().is_multiple_of(8192) {
                bar.set_position(frontier.size());
            }
            Ok(())
        })?;
        bar.finish_and_clear();
        let envelopes = tx.ledger_envelope_count()?;
        if envelopes > distinct_envelopes {
            problems.push(Problem {
                seq: None,
                message: format!(
                    "{} envelope(s) are referenced by no leaf: personal data was added outside pdconsent, or a leaf's link was removed",
                    envelopes - distinct_envelopes
                ),
            });
        }
        // A head recorded past the last seq: the newest leaves were deleted. (A gap in the
        // middle is reported where it is; the last seq, not the count of rows, is compared.)
        let last_seq = expected_seq - 1;
        if let Some(newest) = tx.ledger_newest_head()?
            && newest > last_seq
        {
            problems.push(Problem {
                seq: Some(last_seq + 1),
                message: format!(
                    "leaves {} to {newest} are gone: the tree's recorded heads show {newest} leaves, the ledger ends at {last_seq}; the newest events were deleted",
                    last_seq + 1,
                ),
            });
        }
        // The subject index against the envelopes' fields.
        let stored_subjects = tx.ledger_subject_fingerprint()?;
        if stored_subjects != (subject_count, subject_fp) {
            problems.extend(subject_differences(tx)?);
        }
        for p in bad_texts {
            problems.push(Problem { seq: p.seq, message: p.message });
        }
        problems.extend(config_differences(config_seen, tx.ledger_config_expected()?));
        problems.extend(super::checks::erasure_problems(tx, &erasures)?);
        problems.extend(plan.problems(frontier.size()));
        if let Some((s, root)) = expect {
            if s == 0 {
                root_at_expected = Some(crate::domain::ledger::EMPTY_ROOT);
            }
            match root_at_expected {
                None => problems.push(Problem {
                    seq: None,
                    message: format!("the ledger has {} leaves, fewer than the {s} of the expected head: it was truncated or rolled back", frontier.size()),
                }),
                Some(r) if r != root => problems.push(Problem {
                    seq: None,
                    message: format!("the first {s} leaves do not have the expected root {}: the ledger was rewritten", base64(&root)),
                }),
                Some(_) => {}
            }
        }
        let root = frontier.root();
        Ok::<_, anyhow::Error>(Report {
            ok: problems.is_empty(),
            size,
            root: base64(&root),
            root_hex: to_hex(&root),
            events,
            configuration_leaves: config,
            envelopes_checked: checked,
            envelopes_erased: erased,
            erasures: erasures.len() as u64,
            problems,
        })
    })?;
    let mut report = report;
    if let Some(handle) = integrity {
        let handle = handle.context("cannot start the integrity check")?;
        let found = handle
            .join()
            .map_err(|_| anyhow::anyhow!("the integrity check stopped unexpectedly"))??;
        for p in found {
            report.problems.insert(
                0,
                Problem {
                    seq: None,
                    message: format!("PRAGMA integrity_check: {p}"),
                },
            );
        }
        report.ok = report.problems.is_empty();
    }
    if format == Format::Json {
        ctx.out.print_json(&report)?;
    } else {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        for p in &report.problems {
            match p.seq {
                Some(s) => writeln!(out, "seq {s}: {}", p.message)?,
                None => writeln!(out, "{}", p.message)?,
            }
        }
        output::notice(&format!(
            "{}: {} leaves ({} consent events, {} configuration, {} erasures), {} envelopes checked, {} erased; root {}",
            if report.ok {
                "ok".to_string()
            } else {
                format!("{} problem(s)", report.problems.len())
            },
            report.size,
            report.events,
            report.configuration_leaves,
            report.erasures,
            report.envelopes_checked,
            report.envelopes_erased,
            report.root
        ));
    }
    Ok(if report.ok {
        Outcome::Ok
    } else {
        Outcome::Negative
    })
}
