//! The parts of `ledger verify` beyond the scan of the leaves: erasure records (and, with
//! `--checkpoint`, signed checkpoints against today's tree).

use super::verify::Problem;
use crate::HintExt;
use crate::domain::ledger::ErasureRecord;
use crate::storage::{StoreError, Tx};

/// Checks each `erased` leaf (seq, data_sha256) against its stored record and the envelopes
/// recorded as erased, and finds records that no `erased` leaf pins.
pub fn erasure_problems(
    tx: &Tx,
    erasures: &[(u64, Option<String>)],
) -> Result<Vec<Problem>, StoreError> {
    let mut out = Vec::new();
    for (seq, digest) in erasures {
        let seq = *seq;
        let Some(stored) = tx.ledger_erasure_record(seq)? else {
            out.push(Problem {
                seq: Some(seq),
                message: "the erasure's record is missing: which envelopes it deleted can no longer be shown".into(),
            });
            continue;
        };
        let Some(record) = ErasureRecord::parse(&stored) else {
            out.push(Problem {
                seq: Some(seq),
                message: "the erasure's record cannot be read".into(),
            });
            continue;
        };
        let canonical = record.canonical().ok();
        let sha = record.sha256_hex().ok();
        if canonical.as_deref() != Some(stored.as_bytes()) || sha.as_ref() != digest.as_ref() {
            out.push(Problem {
                seq: Some(seq),
                message: "the erasure's record differs from the one its leaf pins: it was edited"
                    .into(),
            });
            continue;
        }
        let named = tx.ledger_erased_by(seq)?;
        if named != record.envelopes {
            out.push(Problem {
                seq: Some(seq),
                message: format!(
                    "the erasure's record names envelopes {:?}, the erased list {:?}: erasure records were changed outside pdconsent",
                    record.envelopes, named
                ),
            });
        }
        for id in &record.envelopes {
            if tx.ledger_envelope_exists(*id)? {
                out.push(Problem {
                    seq: Some(seq),
                    message: format!(
                        "envelope {id} is recorded as erased but is still stored: personal data was put back"
                    ),
                });
            }
        }
    }
    for seq in tx.ledger_erasures_without_leaf()? {
        out.push(Problem {
            seq: Some(seq),
            message: "an erasure record that no `erased` leaf pins: it was added outside pdconsent"
                .into(),
        });
    }
    Ok(out)
}

/// A checkpoint to hold the tree to: one given with `--checkpoint`, or one stored.
struct Held {
    /// How a problem names it.
    name: String,
    /// `None` when its signature or text did not hold (the problem is already noted).
    checkpoint: Option<crate::domain::ledger::checkpoint::Checkpoint>,
}

/// The checkpoints `ledger verify` holds today's tree to, and the roots the scan finds at
/// their sizes.
pub struct CheckpointPlan {
    held: Vec<Held>,
    roots: std::collections::BTreeMap<u64, Option<crate::domain::ledger::Hash>>,
    problems: Vec<Problem>,
}

impl CheckpointPlan {
    /// Opens every given checkpoint (`(file name, note)`) and every stored one with the
    /// verifier keys `vkeys` (an auditor's own copy), or the database's when none is given.
    pub fn new(
        tx: &Tx,
        given: &[(String, String)],
        vkeys: &[String],
    ) -> crate::cmd::Result<CheckpointPlan> {
        use crate::domain::ledger::checkpoint::Checkpoint;
        use crate::domain::ledger::note::Verifier;
        let mut problems = Vec::new();
        let known: Vec<Verifier> = if vkeys.is_empty() {
            super::key::verifiers(tx)?
        } else {
            let mut out = Vec::new();
            for v in vkeys {
                let text = match v.strip_prefix('@') {
                    Some(file) => std::fs::read_to_string(file)
                        .map_err(|e| anyhow::anyhow!("--vkey @{file}: {e}"))?,
                    None => v.clone(),
                };
                let parsed = Verifier::parse(text.trim())
                    .map_err(|e| anyhow::anyhow!("--vkey `{}`: {e}", text.trim()))
                    .hint(
                        "give the verifier key as `pdconsent ledger key init` printed it, or @FILE",
                    )?;
                out.push(parsed);
            }
            out
        };
        let mut held = Vec::new();
        let mut open =
            |name: String, note: &str, problems: &mut Vec<Problem>| match Checkpoint::open(
                note, &known,
            ) {
                Ok((c, _)) => held.push(Held {
                    name,
                    checkpoint: Some(c),
                }),
                Err(e) => {
                    problems.push(Problem {
                        seq: None,
                        message: format!("{name} does not verify: {e}"),
                    });
                    held.push(Held {
                        name,
                        checkpoint: None,
                    });
                }
            };
        for (file, note) in given {
            open(format!("checkpoint `{file}`"), note, &mut problems);
        }
        for c in tx.ledger_checkpoints()? {
            open(
                format!("stored checkpoint {}", c.id),
                &c.note,
                &mut problems,
            );
        }
        let roots = held
            .iter()
            .filter_map(|h| h.checkpoint.as_ref().map(|c| (c.size, None)))
            .collect();
        Ok(CheckpointPlan {
            held,
            roots,
            problems,
        })
    }

    /// Whether the scan should tell [`Self::observe`] the root at `size`.
    pub fn wants(&self, size: u64) -> bool {
        self.roots.contains_key(&size)
    }

    /// The root of the first `size` leaves, as the scan rebuilt it.
    pub fn observe(&mut self, size: u64, root: crate::domain::ledger::Hash) {
        if let Some(slot) = self.roots.get_mut(&size) {
            *slot = Some(root);
        }
    }

    /// What does not hold, once the scan has seen `size` leaves.
    pub fn problems(mut self, size: u64) -> Vec<Problem> {
        if let Some(slot) = self.roots.get_mut(&0) {
            *slot = Some(crate::domain::ledger::EMPTY_ROOT);
        }
        for h in &self.held {
            let Some(c) = &h.checkpoint else { continue };
            match self.roots.get(&c.size).copied().flatten() {
                None => self.problems.push(Problem {
                    seq: None,
                    message: format!(
                        "{} is of {} leaves, the ledger has {size}: it was truncated or rolled back (an older copy?)",
                        h.name, c.size
                    ),
                }),
                Some(r) if r != c.root => self.problems.push(Problem {
                    seq: None,
                    message: format!(
                        "{}: the first {} leaves no longer have its root: the ledger was rewritten",
                        h.name, c.size
                    ),
                }),
                Some(_) => {}
            }
        }
        self.problems
    }
}
