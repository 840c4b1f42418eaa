//! The texts a verifier holds: the C2SP tlog-checkpoint (c2sp.org/tlog-checkpoint), the
//! inclusion proof of c2sp.org/tlog-proof@v1 that embeds a signed checkpoint, and
//! pdconsent's own consistency-proof text (C2SP defines none). `docs/ledger.md` has each
//! format. Parsing is strict — one spelling of every value — so that no change to a text
//! leaves it meaning the same thing, and it never panics.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use thiserror::Error;

use super::merkle::Hash;
use super::note::{self, NoteError, SignedNote, SigningKey, Verifier};

/// The first line of an inclusion proof (c2sp.org/tlog-proof).
pub const TLOG_PROOF_HEADER: &str = "c2sp.org/tlog-proof@v1";

/// The first line of a consistency proof (pdconsent's; C2SP has no such format).
pub const CONSISTENCY_PROOF_HEADER: &str = "pdconsent/consistency-proof@v1";

/// The most hashes a proof text may hold: a proof in a tree of 2⁶⁴ leaves has at most 2 × 64.
pub const MAX_PROOF_HASHES: usize = 128;

/// Why a checkpoint, an inclusion proof or a consistency proof text is refused. Lines are
/// counted from 1.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TextError {
    /// The text does not end with a newline.
    #[error("the {what} does not end with a newline")]
    NoFinalNewline {
        /// Which text.
        what: &'static str,
    },
    /// A line that is not what it must be.
    #[error("line {line} of the {what}: {problem}")]
    Line {
        /// Which text.
        what: &'static str,
        /// The line, from 1.
        line: usize,
        /// What was expected.
        problem: String,
    },
    /// The text stops before a line it must have.
    #[error("the {what} ends before its {missing}")]
    Truncated {
        /// Which text.
        what: &'static str,
        /// The missing part.
        missing: &'static str,
    },
    /// The embedded checkpoint's signatures.
    #[error("the checkpoint's signature: {0}")]
    Note(#[from] NoteError),
}

/// A checkpoint: the log's origin, a tree size, the root at that size, and opaque extension
/// lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// Which log (pdconsent: the operator's site host plus `/consents`).
    pub origin: String,
    /// The number of leaves.
    pub size: u64,
    /// The root hash at `size`.
    pub root: Hash,
    /// Lines after the root (none from pdconsent); each non-empty.
    pub extensions: Vec<String>,
}

const CHECKPOINT: &str = "checkpoint";

impl Checkpoint {
    /// The note text: origin, size, base64 root, each extension line, each ending in `\n`.
    /// Only a checkpoint that [`Checkpoint::parse`] reads back is signed by [`Checkpoint::sign`].
    pub fn body(&self) -> String {
        let mut s = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            STANDARD.encode(self.root)
        );
        for e in &self.extensions {
            s.push_str(e);
            s.push('\n');
        }
        s
    }

    /// Reads a checkpoint body: at least three lines, a non-empty origin, a decimal size
    /// without leading zeros, a standard base64 root of 32 bytes, non-empty extension lines.
    pub fn parse(body: &str) -> Result<Checkpoint, TextError> {
        let lines = lines(body, CHECKPOINT)?;
        let bad = |line: usize, problem: &str| TextError::Line {
            what: CHECKPOINT,
            line,
            problem: problem.to_string(),
        };
        let origin = *lines.first().ok_or(TextError::Truncated {
            what: CHECKPOINT,
            missing: "origin",
        })?;
        if origin.is_empty() || origin.chars().any(char::is_control) {
            return Err(bad(1, "the origin must be non-empty text"));
        }
        let size = lines.get(1).ok_or(TextError::Truncated {
            what: CHECKPOINT,
            missing: "tree size",
        })?;
        let size = decimal(size).ok_or_else(|| {
            bad(
                2,
                "the tree size must be a decimal number without leading zeros",
            )
        })?;
        let root = lines.get(2).ok_or(TextError::Truncated {
            what: CHECKPOINT,
            missing: "root hash",
        })?;
        let root =
            hash(root).ok_or_else(|| bad(3, "the root must be 32 bytes in standard base64"))?;
        let mut extensions = Vec::new();
        for (i, e) in lines.iter().enumerate().skip(3) {
            if e.is_empty() {
                return Err(bad(i + 1, "an extension line must not be empty"));
            }
            extensions.push(e.to_string());
        }
        Ok(Checkpoint {
            origin: origin.to_string(),
            size,
            root,
            extensions,
        })
    }

    /// The signed checkpoint note, by `keys` in order (several during a key rotation).
    pub fn sign(&self, keys: &[&SigningKey]) -> Result<String, TextError> {
        let body = self.body();
        // Refuses an origin or extension that would read back as something else.
        if Checkpoint::parse(&body).as_ref() != Ok(self) {
            return Err(TextError::Line {
                what: CHECKPOINT,
                line: 1,
                problem: "the origin or an extension line has a newline or a control character, or an extension line is empty".into(),
            });
        }
        Ok(note::sign(&body, keys)?)
    }

    /// Opens a signed checkpoint: the note's signature by one of `known`, then its body.
    pub fn open(
        note_text: &str,
        known: &[Verifier],
    ) -> Result<(Checkpoint, SignedNote), TextError> {
        let note = note::open(note_text, known)?;
        Ok((Checkpoint::parse(&note.text)?, note))
    }
}

/// The lines of a text that must end in a newline, without their newlines.
fn lines<'a>(text: &'a str, what: &'static str) -> Result<Vec<&'a str>, TextError> {
    let body = text
        .strip_suffix('\n')
        .ok_or(TextError::NoFinalNewline { what })?;
    Ok(body.split('\n').collect())
}

/// A decimal u64 in its one spelling: digits, no sign, no leading zero unless it is `0`.
fn decimal(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0'))
    {
        return None;
    }
    s.parse().ok()
}

/// 32 bytes in standard base64, padded, with no stray bits (the `base64` crate's default
/// refuses them: one hash has one spelling).
fn hash(s: &str) -> Option<Hash> {
    Hash::try_from(STANDARD.decode(s).ok()?.as_slice()).ok()
}

/// `prefix N` on line `line`.
fn numbered(
    what: &'static str,
    line: usize,
    text: Option<&&str>,
    prefix: &str,
    missing: &'static str,
) -> Result<u64, TextError> {
    let text = text.ok_or(TextError::Truncated { what, missing })?;
    text.strip_prefix(prefix)
        .and_then(decimal)
        .ok_or_else(|| TextError::Line {
            what,
            line,
            problem: format!("expected `{prefix}N`, N a decimal number without leading zeros"),
        })
}

const TLOG_PROOF: &str = "tlog proof";

/// An inclusion proof in the c2sp.org/tlog-proof@v1 text form: the leaf's index, the audit
/// path (leaf to root) and the signed checkpoint of the tree it leads to, verbatim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlogProof {
    /// Opaque, unauthenticated extra data (the `extra` line); pdconsent writes none.
    pub extra: Option<Vec<u8>>,
    /// The leaf's index, from 0 (a pdconsent leaf's `seq − 1`).
    pub index: u64,
    /// The audit path, the leaf's sibling first.
    pub hashes: Vec<Hash>,
    /// The signed checkpoint note, as the log signed it.
    pub checkpoint: String,
}

impl TlogProof {
    /// The proof's text.
    pub fn to_text(&self) -> String {
        let mut s = format!("{TLOG_PROOF_HEADER}\n");
        if let Some(extra) = &self.extra {
            s.push_str(&format!("extra {}\n", STANDARD.encode(extra)));
        }
        s.push_str(&format!("index {}\n", self.index));
        for h in &self.hashes {
            s.push_str(&STANDARD.encode(h));
            s.push('\n');
        }
        s.push('\n');
        s.push_str(&self.checkpoint);
        s
    }

    /// Reads the text [`TlogProof::to_text`] writes. The checkpoint is taken verbatim: its
    /// signature and body are checked by [`Checkpoint::open`].
    pub fn parse(text: &str) -> Result<TlogProof, TextError> {
        let mut rest = text;
        let mut line_no = 0;
        let mut next = |what: &'static str| -> Result<(usize, &str), TextError> {
            let (line, tail) = rest.split_once('\n').ok_or(TextError::Truncated {
                what: TLOG_PROOF,
                missing: what,
            })?;
            rest = tail;
            line_no += 1;
            Ok((line_no, line))
        };
        let (_, header) = next("header")?;
        if header != TLOG_PROOF_HEADER {
            return Err(TextError::Line {
                what: TLOG_PROOF,
                line: 1,
                problem: format!("expected `{TLOG_PROOF_HEADER}`"),
            });
        }
        let (mut n, mut line) = next("index line")?;
        let mut extra = None;
        if let Some(b64) = line.strip_prefix("extra ") {
            extra = Some(STANDARD.decode(b64).map_err(|_| TextError::Line {
                what: TLOG_PROOF,
                line: n,
                problem: "the extra data is not standard base64".into(),
            })?);
            (n, line) = next("index line")?;
        }
        let index = numbered(TLOG_PROOF, n, Some(&line), "index ", "index line")?;
        let mut hashes = Vec::new();
        loop {
            let (n, line) = next("blank line before the checkpoint")?;
            if line.is_empty() {
                break;
            }
            if hashes.len() == MAX_PROOF_HASHES {
                return Err(TextError::Line {
                    what: TLOG_PROOF,
                    line: n,
                    problem: format!("more than {MAX_PROOF_HASHES} hashes"),
                });
            }
            hashes.push(hash(line).ok_or_else(|| TextError::Line {
                what: TLOG_PROOF,
                line: n,
                problem: "a proof hash must be 32 bytes in standard base64".into(),
            })?);
        }
        if rest.is_empty() {
            return Err(TextError::Truncated {
                what: TLOG_PROOF,
                missing: "checkpoint",
            });
        }
        Ok(TlogProof {
            extra,
            index,
            hashes,
            checkpoint: rest.to_string(),
        })
    }
}

const CONSISTENCY_PROOF: &str = "consistency proof";

/// A consistency proof (RFC 9162 §2.1.4) from tree size `old` to `new`, in pdconsent's text
/// form: `pdconsent/consistency-proof@v1`, `old N`, `new N`, then one base64 hash a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsistencyProof {
    /// The older tree's size.
    pub old: u64,
    /// The newer tree's size.
    pub new: u64,
    /// The proof's hashes.
    pub hashes: Vec<Hash>,
}

impl ConsistencyProof {
    /// The proof's text.
    pub fn to_text(&self) -> String {
        let mut s = format!(
            "{CONSISTENCY_PROOF_HEADER}\nold {}\nnew {}\n",
            self.old, self.new
        );
        for h in &self.hashes {
            s.push_str(&STANDARD.encode(h));
            s.push('\n');
        }
        s
    }

    /// Reads the text [`ConsistencyProof::to_text`] writes.
    pub fn parse(text: &str) -> Result<ConsistencyProof, TextError> {
        let lines = lines(text, CONSISTENCY_PROOF)?;
        if lines.first() != Some(&CONSISTENCY_PROOF_HEADER) {
            return Err(TextError::Line {
                what: CONSISTENCY_PROOF,
                line: 1,
                problem: format!("expected `{CONSISTENCY_PROOF_HEADER}`"),
            });
        }
        let old = numbered(CONSISTENCY_PROOF, 2, lines.get(1), "old ", "old size")?;
        let new = numbered(CONSISTENCY_PROOF, 3, lines.get(2), "new ", "new size")?;
        if lines.len() > 3 + MAX_PROOF_HASHES {
            return Err(TextError::Line {
                what: CONSISTENCY_PROOF,
                line: 4 + MAX_PROOF_HASHES,
                problem: format!("more than {MAX_PROOF_HASHES} hashes"),
            });
        }
        let hashes = lines
            .iter()
            .enumerate()
            .skip(3)
            .map(|(i, l)| {
                hash(l).ok_or_else(|| TextError::Line {
                    what: CONSISTENCY_PROOF,
                    line: i + 1,
                    problem: "a proof hash must be 32 bytes in standard base64".into(),
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(ConsistencyProof { old, new, hashes })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::domain::ledger::merkle::{leaf_hash, verify_consistency, verify_inclusion};
    use crate::domain::ledger::note::tests::mutations;
    use crate::domain::ledger::stored::{
        MemoryHashes, consistency_proof, inclusion_proof, tree_root,
    };

    fn key() -> SigningKey {
        SigningKey::from_seed("example.ru/consents", [3; 32]).expect("key")
    }

    #[test]
    fn the_c2sp_example_parses_and_writes_back() {
        // c2sp.org/tlog-checkpoint's example body.
        let body =
            "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
        let c = Checkpoint::parse(body).expect("the spec's checkpoint");
        assert_eq!(c.origin, "example.com/behind-the-sofa");
        assert_eq!(c.size, 20852163);
        assert_eq!(c.body(), body);
        let with_ext = format!("{body}ext one\n");
        assert_eq!(
            Checkpoint::parse(&with_ext).expect("extension").extensions,
            ["ext one"]
        );
    }

    #[test]
    fn refuses_every_second_spelling() {
        let root = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";
        for (body, want) in [
            (
                format!("o\n1\n{root}"),
                "the checkpoint does not end with a newline",
            ),
            (
                format!("\n1\n{root}\n"),
                "line 1 of the checkpoint: the origin must be non-empty text",
            ),
            (
                format!("o\n01\n{root}\n"),
                "line 2 of the checkpoint: the tree size must be a decimal number without leading zeros",
            ),
            (
                format!("o\n+1\n{root}\n"),
                "line 2 of the checkpoint: the tree size must be a decimal number without leading zeros",
            ),
            (
                format!("o\n18446744073709551616\n{root}\n"),
                "line 2 of the checkpoint: the tree size must be a decimal number without leading zeros",
            ),
            (
                "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n".to_string(),
                "line 3 of the checkpoint: the root must be 32 bytes in standard base64",
            ),
            (
                "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n".to_string(),
                "line 3 of the checkpoint: the root must be 32 bytes in standard base64",
            ),
            (
                "o\n1\nAAAA\n".to_string(),
                "line 3 of the checkpoint: the root must be 32 bytes in standard base64",
            ),
            (
                format!("o\n1\n{root}\n\n"),
                "line 4 of the checkpoint: an extension line must not be empty",
            ),
            (
                "o\n1\n".to_string(),
                "the checkpoint ends before its root hash",
            ),
        ] {
            assert_eq!(
                Checkpoint::parse(&body).map_err(|e| e.to_string()),
                Err(want.to_string()),
                "{body:?}"
            );
        }
        let mut c = Checkpoint::parse(&format!("o\n0\n{root}\n")).expect("size 0");
        assert_eq!(c.size, 0);
        c.origin = "two\nlines".into();
        assert!(c.sign(&[&key()]).is_err());
    }

    #[test]
    fn a_signed_checkpoint_opens_and_refuses_every_mutation() {
        let c = Checkpoint {
            origin: "example.ru/consents".into(),
            size: 7,
            root: [5; 32],
            extensions: vec![],
        };
        let signed = c.sign(&[&key()]).expect("signed");
        let v = [key().verifier()];
        assert_eq!(Checkpoint::open(&signed, &v).expect("opens").0, c);
        for m in mutations(&signed) {
            assert!(Checkpoint::open(&m, &v).is_err(), "accepted {m:?}");
        }
    }

    fn tree(n: u64) -> MemoryHashes {
        let mut t = MemoryHashes::new();
        for i in 0..n {
            t.append(leaf_hash(format!("leaf {i}").as_bytes()))
                .expect("append");
        }
        t
    }

    #[test]
    fn the_c2sp_tlog_proof_layout() {
        let t = tree(5);
        let c = Checkpoint {
            origin: "example.ru/consents".into(),
            size: 5,
            root: tree_root(5, &t).expect("root"),
            extensions: vec![],
        };
        let p = TlogProof {
            extra: None,
            index: 2,
            hashes: inclusion_proof(2, 5, &t).expect("proof"),
            checkpoint: c.sign(&[&key()]).expect("signed"),
        };
        let text = p.to_text();
        let head = format!(
            "c2sp.org/tlog-proof@v1\nindex 2\n{}\n{}\n{}\n\nexample.ru/consents\n5\n",
            STANDARD.encode(p.hashes[0]),
            STANDARD.encode(p.hashes[1]),
            STANDARD.encode(p.hashes[2]),
        );
        assert!(text.starts_with(&head), "{text}");
        assert_eq!(TlogProof::parse(&text), Ok(p.clone()));
        let with_extra = TlogProof {
            extra: Some(b"age".to_vec()),
            ..p.clone()
        };
        assert!(with_extra.to_text().contains("\nextra YWdl\nindex 2\n"));
        assert_eq!(TlogProof::parse(&with_extra.to_text()), Ok(with_extra));
        for (bad, want) in [
            (
                "c2sp.org/tlog-proof@v2\n",
                "line 1 of the tlog proof: expected `c2sp.org/tlog-proof@v1`",
            ),
            (
                "c2sp.org/tlog-proof@v1\nindex 02\n\nx\n",
                "line 2 of the tlog proof: expected `index N`, N a decimal number without leading zeros",
            ),
            (
                "c2sp.org/tlog-proof@v1\nindex 2\nAAAA\n\nx\n",
                "line 3 of the tlog proof: a proof hash must be 32 bytes in standard base64",
            ),
            (
                "c2sp.org/tlog-proof@v1\nindex 2\n",
                "the tlog proof ends before its blank line before the checkpoint",
            ),
            (
                "c2sp.org/tlog-proof@v1\nindex 2\n\n",
                "the tlog proof ends before its checkpoint",
            ),
        ] {
            assert_eq!(
                TlogProof::parse(bad).map_err(|e| e.to_string()),
                Err(want.to_string())
            );
        }
    }

    #[test]
    fn consistency_text() {
        let p = ConsistencyProof {
            old: 3,
            new: 8,
            hashes: vec![[1; 32], [2; 32]],
        };
        let text = p.to_text();
        assert_eq!(
            text,
            format!(
                "pdconsent/consistency-proof@v1\nold 3\nnew 8\n{}\n{}\n",
                STANDARD.encode([1; 32]),
                STANDARD.encode([2; 32])
            )
        );
        assert_eq!(ConsistencyProof::parse(&text), Ok(p));
        let empty = "pdconsent/consistency-proof@v1\nold 4\nnew 4\n";
        assert_eq!(
            ConsistencyProof::parse(empty).map(|p| p.hashes.len()),
            Ok(0)
        );
        for m in mutations(&text) {
            assert_ne!(
                ConsistencyProof::parse(&m).as_ref(),
                Ok(&ConsistencyProof::parse(&text).expect("text")),
                "{m:?}"
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn inclusion_texts_round_trip_and_verify(n in 1u64..200, pick in any::<u64>()) {
            let t = tree(n);
            let index = pick % n;
            let root = tree_root(n, &t).expect("root");
            let c = Checkpoint { origin: "example.ru/consents".into(), size: n, root, extensions: vec![] };
            let p = TlogProof {
                extra: None,
                index,
                hashes: inclusion_proof(index, n, &t).expect("proof"),
                checkpoint: c.sign(&[&key()]).expect("signed"),
            };
            let back = TlogProof::parse(&p.to_text()).expect("parses");
            prop_assert_eq!(&back, &p);
            let (cp, _) = Checkpoint::open(&back.checkpoint, &[key().verifier()]).expect("opens");
            let leaf = leaf_hash(format!("leaf {index}").as_bytes());
            prop_assert!(verify_inclusion(back.index, cp.size, &leaf, &back.hashes, &cp.root).is_ok());
            let other = leaf_hash(format!("leaf {}", index + 1).as_bytes());
            prop_assert!(verify_inclusion(back.index, cp.size, &other, &back.hashes, &cp.root).is_err());
        }

        #[test]
        fn consistency_texts_round_trip_and_verify(n in 1u64..200, pick in any::<u64>()) {
            let t = tree(n);
            let m = pick % (n + 1);
            let p = ConsistencyProof { old: m, new: n, hashes: consistency_proof(m, n, &t).expect("proof") };
            let back = ConsistencyProof::parse(&p.to_text()).expect("parses");
            prop_assert_eq!(&back, &p);
            let (old_root, new_root) = (tree_root(m, &t).expect("root"), tree_root(n, &t).expect("root"));
            prop_assert!(verify_consistency(back.old, back.new, &back.hashes, &old_root, &new_root).is_ok());
            if m > 0 && m < n {
                prop_assert!(verify_consistency(back.old, back.new, &back.hashes, &new_root, &new_root).is_err());
            }
        }
    }
}
