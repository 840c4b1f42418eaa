//! The RFC 6962 / RFC 9162 §2.1 Merkle tree: hashing, the streaming root, and the verification
//! of inclusion and consistency proofs. Making proofs from stored hashes is in
//! [`super::stored`].

use sha2::{Digest, Sha256};
use thiserror::Error;

/// A SHA-256 digest: a leaf hash, a node hash or a root.
pub type Hash = [u8; 32];

/// The root of the empty tree: SHA-256 of no bytes (RFC 9162 §2.1.1).
pub const EMPTY_ROOT: Hash = [
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
];

/// The hash of a leaf: SHA-256(0x00 ‖ leaf bytes).
pub fn leaf_hash(leaf: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(leaf);
    h.finalize().into()
}

/// The hash of an interior node: SHA-256(0x01 ‖ left ‖ right).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// A hash as 64 lowercase hex digits.
pub fn to_hex(hash: &Hash) -> String {
    hex(hash)
}

/// 32 bytes from 64 hex digits (either case): a hash or a salt as stored and exported.
pub fn unhex32(s: &str) -> Option<[u8; 32]> {
    if s.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// Lowercase hex of any bytes.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    s
}

/// The right edge of a tree: enough to append leaves and take the root in O(log n) memory,
/// without reading anything back: what a verifier streams every leaf through.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Frontier {
    size: u64,
    /// The roots of the perfect subtrees that make up the tree, largest (leftmost) first:
    /// one per set bit of `size`, with its height.
    peaks: Vec<(u8, Hash)>,
}

impl Frontier {
    /// The empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// The frontier of a tree of `size` leaves from the roots of its perfect subtrees,
    /// largest (leftmost) first, as [`super::stored::frontier_at`] reads them.
    pub fn from_peaks(size: u64, peaks: Vec<Hash>) -> Option<Self> {
        let heights: Vec<u8> = (0..64u8).rev().filter(|h| size >> h & 1 == 1).collect();
        if heights.len() != peaks.len() {
            return None;
        }
        Some(Frontier {
            size,
            peaks: heights.into_iter().zip(peaks).collect(),
        })
    }

    /// The number of leaves appended.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends a leaf by its [`leaf_hash`] and returns the hashes it completes, in the order
    /// [`super::stored::stored_hashes`] returns them: the leaf hash, then each perfect subtree
    /// the leaf closes, smallest first.
    pub fn push(&mut self, leaf: Hash) -> Vec<Hash> {
        let mut completed = vec![leaf];
        let (mut height, mut hash) = (0u8, leaf);
        while let Some(&(h, left)) = self.peaks.last() {
            if h != height {
                break;
            }
            self.peaks.pop();
            hash = node_hash(&left, &hash);
            height += 1;
            completed.push(hash);
        }
        self.peaks.push((height, hash));
        self.size += 1;
        completed
    }

    /// The Merkle tree hash of the leaves appended so far.
    pub fn root(&self) -> Hash {
        let mut peaks = self.peaks.iter().rev();
        let Some(&(_, mut root)) = peaks.next() else {
            return EMPTY_ROOT;
        };
        for (_, left) in peaks {
            root = node_hash(left, &root);
        }
        root
    }
}

/// Why a proof does not hold.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProofError {
    /// The leaf index is not below the tree size.
    #[error("leaf {index} is not in a tree of {size} leaves")]
    IndexOutOfRange {
        /// The leaf, from 0.
        index: u64,
        /// The number of leaves.
        size: u64,
    },
    /// The old tree is larger than the new one.
    #[error("a tree of {old} leaves cannot grow into one of {new}")]
    Shrunk {
        /// The old tree's size.
        old: u64,
        /// The new tree's size.
        new: u64,
    },
    /// The proof has more or fewer hashes than the sizes call for.
    #[error("the proof has the wrong number of hashes ({len})")]
    WrongLength {
        /// The number of hashes in the proof.
        len: usize,
    },
    /// The proof recomputes to another root.
    #[error("the proof does not lead to the expected root")]
    RootMismatch,
}

/// Checks an inclusion proof (an audit path, leaf to root) by the algorithm of
/// RFC 9162 §2.1.3.2: the leaf with hash `leaf` is number `index` (from 0) of the tree of
/// `size` leaves whose root is `root`.
pub fn verify_inclusion(
    index: u64,
    size: u64,
    leaf: &Hash,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let (mut fn_, mut sn) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if sn == 0 {
            return Err(ProofError::WrongLength { len: proof.len() });
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(p, &r);
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(ProofError::WrongLength { len: proof.len() });
    }
    if r != *root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// Checks a consistency proof by the algorithm of RFC 9162 §2.1.4.2: the tree of `old_size`
/// leaves with root `old_root` is a prefix of the tree of `new_size` leaves with root
/// `new_root`. Equal sizes take an empty proof and equal roots; the empty tree is a prefix of
/// every tree, with an empty proof.
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    proof: &[Hash],
    old_root: &Hash,
    new_root: &Hash,
) -> Result<(), ProofError> {
    if old_size > new_size {
        return Err(ProofError::Shrunk {
            old: old_size,
            new: new_size,
        });
    }
    if old_size == new_size || old_size == 0 {
        if !proof.is_empty() {
            return Err(ProofError::WrongLength { len: proof.len() });
        }
        if old_size == new_size && old_root != new_root {
            return Err(ProofError::RootMismatch);
        }
        return Ok(());
    }
    // Step 2: a power-of-two old tree is itself a node of the new one: its root starts the path.
    let mut path = proof.iter();
    let first = if old_size.is_power_of_two() {
        old_root
    } else {
        path.next()
            .ok_or(ProofError::WrongLength { len: proof.len() })?
    };
    let (mut fn_, mut sn) = (old_size - 1, new_size - 1);
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    let (mut fr, mut sr) = (*first, *first);
    for c in path {
        if sn == 0 {
            return Err(ProofError::WrongLength { len: proof.len() });
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(ProofError::WrongLength { len: proof.len() });
    }
    if fr != *old_root || sr != *new_root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// MTH of RFC 9162 §2.1.1, written from the definition as the reference for the others.
    pub(crate) fn mth(leaves: &[Hash]) -> Hash {
        match leaves.len() {
            0 => EMPTY_ROOT,
            1 => leaves[0],
            n => {
                let k = split(n as u64) as usize;
                node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
            }
        }
    }

    /// The largest power of two smaller than `n` (n > 1).
    fn split(n: u64) -> u64 {
        1 << (63 - (n - 1).leading_zeros())
    }

    #[test]
    fn empty_root_is_the_hash_of_nothing() {
        assert_eq!(EMPTY_ROOT, <[u8; 32]>::from(Sha256::digest(b"")));
        assert_eq!(Frontier::new().root(), EMPTY_ROOT);
        assert_eq!(
            to_hex(&EMPTY_ROOT),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn split_is_the_largest_power_of_two_below_n() {
        for (n, k) in [(2, 1), (3, 2), (4, 2), (5, 4), (8, 4), (9, 8), (1025, 1024)] {
            assert_eq!(split(n), k, "n={n}");
        }
    }

    #[test]
    fn frontier_root_is_the_mth_at_every_size() {
        let leaves: Vec<Hash> = (0..300u32).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        let mut f = Frontier::new();
        for (i, l) in leaves.iter().enumerate() {
            let completed = f.push(*l);
            // A leaf completes one subtree per trailing one bit of its index.
            assert_eq!(completed.len(), 1 + (i as u64).trailing_ones() as usize);
            assert_eq!(f.size(), i as u64 + 1);
            assert_eq!(f.root(), mth(&leaves[..=i]), "size {}", i + 1);
        }
    }

    #[test]
    fn inclusion_refuses_out_of_range_and_wrong_lengths() {
        let leaves: Vec<Hash> = (0..5u8).map(|i| leaf_hash(&[i])).collect();
        let root = mth(&leaves);
        // Leaf 4 of 5: its path is the one hash of the first four.
        let proof = [mth(&leaves[..4])];
        assert_eq!(verify_inclusion(4, 5, &leaves[4], &proof, &root), Ok(()));
        assert_eq!(
            verify_inclusion(5, 5, &leaves[4], &proof, &root),
            Err(ProofError::IndexOutOfRange { index: 5, size: 5 })
        );
        assert_eq!(
            verify_inclusion(4, 5, &leaves[4], &[], &root),
            Err(ProofError::WrongLength { len: 0 })
        );
        assert_eq!(
            verify_inclusion(4, 5, &leaves[4], &[proof[0], proof[0]], &root),
            Err(ProofError::WrongLength { len: 2 })
        );
        assert_eq!(
            verify_inclusion(4, 5, &leaves[3], &proof, &root),
            Err(ProofError::RootMismatch)
        );
    }

    #[test]
    fn consistency_edge_cases() {
        let a = leaf_hash(b"a");
        let b = leaf_hash(b"b");
        assert_eq!(verify_consistency(0, 3, &[], &EMPTY_ROOT, &a), Ok(()));
        assert_eq!(
            verify_consistency(0, 3, &[a], &EMPTY_ROOT, &a),
            Err(ProofError::WrongLength { len: 1 })
        );
        assert_eq!(verify_consistency(2, 2, &[], &a, &a), Ok(()));
        assert_eq!(
            verify_consistency(2, 2, &[], &a, &b),
            Err(ProofError::RootMismatch)
        );
        assert_eq!(
            verify_consistency(3, 2, &[], &a, &b),
            Err(ProofError::Shrunk { old: 3, new: 2 })
        );
        // 1 → 2: the old root is the left leaf, the proof the right one.
        let root2 = node_hash(&a, &b);
        assert_eq!(verify_consistency(1, 2, &[b], &a, &root2), Ok(()));
        assert_eq!(
            verify_consistency(1, 2, &[a], &a, &root2),
            Err(ProofError::RootMismatch)
        );
        assert_eq!(
            verify_consistency(1, 2, &[], &a, &root2),
            Err(ProofError::WrongLength { len: 0 })
        );
    }
}
