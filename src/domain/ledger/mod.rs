//! The consent ledger's pure core: canonical JSON, the RFC 6962 Merkle tree with its
//! stored-hash layout, and the commitments that keep personal data out of the log.
//! No storage, no clock, no randomness: `docs/ledger.md` is the specification.

#![deny(missing_docs)]

/// Canonical JSON bytes, the same as Python's `json.dumps(…, sort_keys=True, …)`.
pub mod canonical;
/// C2SP checkpoints, and the tlog-proof and consistency-proof texts.
pub mod checkpoint;
/// SHA-256(salt ‖ canonical envelope): a leaf's stand-in for personal data.
pub mod commitment;
/// Erasure records and the destruction deadline.
pub mod erasure;
/// The leaf and the envelope.
pub mod leaf;
/// RFC 6962 hashing, the streaming root, and proof verification.
pub mod merkle;
/// C2SP signed notes with Ed25519 keys.
pub mod note;
/// Consent receipts and their offline verification.
pub mod receipt;
/// Where the tree's hashes are stored; roots and proofs from O(log n) stored hashes.
pub mod stored;
/// Matching a person by e-mail, phone or another field.
pub mod subject;

#[cfg(test)]
mod crosscheck;

pub use canonical::{CanonicalError, to_canonical, write_canonical};
pub use checkpoint::{Checkpoint, ConsistencyProof, TextError, TlogProof};
pub use commitment::{Commitment, SALT_LEN, Salt};
pub use erasure::{
    DEFAULT_TIME_ZONE, DESTRUCTION_DAYS, ErasureRecord, destruction_deadline, end_of_day,
    parse_time_zone,
};
pub use leaf::{Checkbox, Envelope, LEAF_VERSION, Leaf, LeafKind, envelope_canonical};
pub use merkle::{
    EMPTY_ROOT, Frontier, Hash, ProofError, leaf_hash, node_hash, to_hex, verify_consistency,
    verify_inclusion,
};
pub use note::{KeyError, NoteError, NoteSignature, SignedNote, SigningKey, Verifier};
pub use stored::{
    HashReader, MAX_SIZE, MemoryHashes, MissingHash, TreeError, consistency_proof, frontier_at,
    inclusion_proof, split_stored_hash_index, stored_hash_count, stored_hash_index, stored_hashes,
    tree_root,
};
pub use subject::{SubjectKey, normalize_phone, subject_keys, subject_pair_mix};
