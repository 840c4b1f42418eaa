//! The consent ledger's pure core: canonical JSON, the RFC 6962 Merkle tree with its
//! stored-hash layout, and the commitments that keep personal data out of the log.
//! No storage, no clock, no randomness: `docs/ledger.md` is the specification.

#![deny(missing_docs)]

/// Canonical JSON bytes, the same as Python's `json.dumps(…, sort_keys=True, …)`.
pub mod canonical;

pub use canonical::{CanonicalError, to_canonical, write_canonical};
