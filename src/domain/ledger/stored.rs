//! Where the tree's hashes are stored, and the root and proofs made from them in O(log n) reads.
//!
//! The layout is Go's `golang.org/x/mod/sumdb/tlog` (Crosby and Wallach, "Efficient Data
//! Structures for Tamper-Evident Logging", §3.3): every hash of a *complete* subtree — a leaf,
//! or a perfect subtree of 2^level leaves — is stored once, when its last leaf is appended, at
//! one dense index. Appending leaf `n` stores `1 + trailing_ones(n)` hashes at consecutive
//! indexes from [`stored_hash_index`]`(0, n)`, so n leaves store fewer than 2n hashes; nothing
//! stored is ever rewritten, which suits an append-only table. The indexes are the same as Go's,
//! so a tlog-tiles view of the table can be added later without moving a hash.
//!
//! Any range of leaves that appears in an RFC 6962 proof splits into at most log₂ n complete
//! subtrees, so a root or a proof is one [`HashReader::read_hashes`] call for O(log n) hashes.

use thiserror::Error;

use super::merkle::{Frontier, Hash, node_hash};

/// The storage the tree reads its hashes from.
pub trait HashReader {
    /// The storage's own error.
    type Error;

    /// The hashes stored at `indexes`, in the same order. The indexes come in one batch so
    /// that a database can fetch them in one query.
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, Self::Error>;
}

/// Why a root or a proof could not be made from stored hashes.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TreeError<E> {
    /// The reader failed.
    #[error("reading the tree's stored hashes: {0}")]
    Read(E),
    /// The reader answered with another number of hashes than it was asked for.
    #[error("asked for {asked} stored hashes, got {got}")]
    ShortRead {
        /// How many were asked for.
        asked: usize,
        /// How many came back.
        got: usize,
    },
    /// The leaf index is not below the tree size.
    #[error("leaf {index} is not in a tree of {size} leaves")]
    IndexOutOfRange {
        /// The leaf, from 0.
        index: u64,
        /// The number of leaves.
        size: u64,
    },
    /// A tree size past [`MAX_SIZE`]: a corrupt size, not a real ledger.
    #[error("a tree of {0} leaves is past the limit of 2^62")]
    TooLarge(u64),
    /// A consistency proof was asked from a larger tree to a smaller one.
    #[error("a tree of {old} leaves cannot grow into one of {new}")]
    Shrunk {
        /// The old tree's size.
        old: u64,
        /// The new tree's size.
        new: u64,
    },
}

/// The largest tree the functions here accept; past it the index arithmetic would overflow.
pub const MAX_SIZE: u64 = 1 << 62;

/// The stored index of the hash of the perfect subtree at `level` (2^level leaves) that is the
/// `n`-th (from 0) of its level: the one over leaves `n·2^level .. (n+1)·2^level`.
pub fn stored_hash_index(level: u8, n: u64) -> u64 {
    // That hash is stored right after level+1's (2n+1)-th; go down to the level-0 index of the
    // subtree's last leaf, then count the hashes stored before it: n + n/2 + n/4 + …
    let mut n = n;
    for _ in 0..level {
        n = 2 * n + 1;
    }
    let mut i = 0;
    while n > 0 {
        i += n;
        n >>= 1;
    }
    i + u64::from(level)
}

/// The inverse of [`stored_hash_index`]: the `(level, n)` of the hash stored at `index`.
pub fn split_stored_hash_index(index: u64) -> (u8, u64) {
    // stored_hash_index(0, n) lies in [n, 2n]: start from index/2 and step up.
    let mut n = index / 2;
    let mut index_n = stored_hash_index(0, n);
    loop {
        // Leaf n+1 starts after leaf n and the 1 + trailing_ones(n) hashes it stored.
        let next = index_n + 1 + u64::from(n.trailing_ones());
        if next > index {
            break;
        }
        n += 1;
        index_n = next;
    }
    // The hash was stored with leaf n, as one of (0, n), (1, n/2), (2, n/4), …
    let level = (index - index_n) as u8;
    (level, n >> level)
}

/// How many hashes a tree of `size` leaves has stored.
pub fn stored_hash_count(size: u64) -> u64 {
    if size == 0 {
        return 0;
    }
    let last = size - 1;
    stored_hash_index(0, last) + 1 + u64::from(last.trailing_ones())
}

/// The hashes that appending leaf number `n` (from 0) with hash `leaf` stores, to be written
/// at consecutive indexes from `stored_hash_index(0, n)`: the leaf hash, then the root of each
/// perfect subtree the leaf completes, smallest first. Reads the `trailing_ones(n)` hashes of
/// the subtrees it joins. ([`super::merkle::Frontier::push`] gives the same without reading.)
pub fn stored_hashes<R: HashReader>(
    n: u64,
    leaf: Hash,
    reader: &R,
) -> Result<Vec<Hash>, TreeError<R::Error>> {
    check_size(n.saturating_add(1))?;
    let joins = n.trailing_ones() as u8;
    // The left neighbours, nearest (level 0) first.
    let indexes: Vec<u64> = (0..joins)
        .map(|level| stored_hash_index(level, (n >> level) - 1))
        .collect();
    let left = read(reader, &indexes)?;
    let mut hashes = Vec::with_capacity(1 + usize::from(joins));
    let mut h = leaf;
    hashes.push(h);
    for l in &left {
        h = node_hash(l, &h);
        hashes.push(h);
    }
    Ok(hashes)
}

/// The right edge of the tree of `size` leaves, from its log₂ size stored peaks (one read):
/// what an appender starts from, so that appending needs no further read.
pub fn frontier_at<R: HashReader>(size: u64, reader: &R) -> Result<Frontier, TreeError<R::Error>> {
    check_size(size)?;
    let mut indexes = Vec::new();
    let mut start = 0u64;
    for h in (0..64u8).rev().filter(|h| size >> h & 1 == 1) {
        indexes.push(stored_hash_index(h, start >> h));
        start += 1 << h;
    }
    let peaks = read(reader, &indexes)?;
    Frontier::from_peaks(size, peaks).ok_or(TreeError::ShortRead {
        asked: indexes.len(),
        got: indexes.len(),
    })
}

/// The root of the tree of the first `size` leaves, from at most log₂ size + 1 stored hashes.
/// Any size up to the number of leaves appended can be asked for: the root of an old tree
/// needs only hashes it had stored itself.
pub fn tree_root<R: HashReader>(size: u64, reader: &R) -> Result<Hash, TreeError<R::Error>> {
    check_size(size)?;
    if size == 0 {
        return Ok(super::merkle::EMPTY_ROOT);
    }
    let plan = Plan::new(vec![(0, size)]);
    Ok(plan.hashes(reader)?[0])
}

/// The inclusion proof (audit path, leaf to root, RFC 9162 §2.1.3.1) of leaf `index` in the tree
/// of the first `size` leaves.
pub fn inclusion_proof<R: HashReader>(
    index: u64,
    size: u64,
    reader: &R,
) -> Result<Vec<Hash>, TreeError<R::Error>> {
    check_size(size)?;
    if index >= size {
        return Err(TreeError::IndexOutOfRange { index, size });
    }
    let mut ranges = Vec::new();
    path(index, 0, size, &mut ranges);
    Plan::new(ranges).hashes(reader)
}

/// The consistency proof (RFC 9162 §2.1.4.1) that the tree of the first `old_size` leaves is a
/// prefix of the tree of the first `new_size`. Empty when the sizes are equal or `old_size`
/// is 0.
pub fn consistency_proof<R: HashReader>(
    old_size: u64,
    new_size: u64,
    reader: &R,
) -> Result<Vec<Hash>, TreeError<R::Error>> {
    check_size(new_size)?;
    if old_size > new_size {
        return Err(TreeError::Shrunk {
            old: old_size,
            new: new_size,
        });
    }
    if old_size == 0 || old_size == new_size {
        return Ok(Vec::new());
    }
    let mut ranges = Vec::new();
    subproof(old_size, 0, new_size, true, &mut ranges);
    Plan::new(ranges).hashes(reader)
}

fn check_size<E>(size: u64) -> Result<(), TreeError<E>> {
    if size > MAX_SIZE {
        return Err(TreeError::TooLarge(size));
    }
    Ok(())
}

/// The largest power of two smaller than `n` (n > 1): where RFC 6962 splits a tree.
fn split(n: u64) -> u64 {
    1 << (63 - (n - 1).leading_zeros())
}

/// PATH(m, D[lo:hi]) of RFC 6962 §2.1.1, as the leaf ranges whose MTHs it lists.
fn path(m: u64, lo: u64, hi: u64, out: &mut Vec<(u64, u64)>) {
    if hi - lo <= 1 {
        return;
    }
    let k = split(hi - lo);
    if m < k {
        path(m, lo, lo + k, out);
        out.push((lo + k, hi));
    } else {
        path(m - k, lo + k, hi, out);
        out.push((lo, lo + k));
    }
}

/// SUBPROOF(m, D[lo:hi], b) of RFC 6962 §2.1.2, as leaf ranges.
fn subproof(m: u64, lo: u64, hi: u64, whole: bool, out: &mut Vec<(u64, u64)>) {
    if m == hi - lo {
        if !whole {
            out.push((lo, hi));
        }
        return;
    }
    let k = split(hi - lo);
    if m <= k {
        subproof(m, lo, lo + k, whole, out);
        out.push((lo + k, hi));
    } else {
        subproof(m - k, lo + k, hi, false, out);
        out.push((lo, lo + k));
    }
}

/// The MTHs of some leaf ranges, each as the complete subtrees it is made of: read in one batch.
struct Plan {
    /// For each range, how many of `indexes` are its subtrees.
    parts: Vec<usize>,
    indexes: Vec<u64>,
}

impl Plan {
    fn new(ranges: Vec<(u64, u64)>) -> Self {
        let mut plan = Plan {
            parts: Vec::with_capacity(ranges.len()),
            indexes: Vec::new(),
        };
        for (mut lo, hi) in ranges {
            // The ranges of RFC 6962's recursion start at a multiple of a power of two at least
            // their length, so taking the largest aligned subtree that fits, left to right, gives
            // the subtrees of the range's own split, in order.
            let before = plan.indexes.len();
            while lo < hi {
                let fits = 63 - (hi - lo).leading_zeros();
                let level = if lo == 0 {
                    fits
                } else {
                    fits.min(lo.trailing_zeros())
                };
                plan.indexes
                    .push(stored_hash_index(level as u8, lo >> level));
                lo += 1 << level;
            }
            plan.parts.push(plan.indexes.len() - before);
        }
        plan
    }

    fn hashes<R: HashReader>(&self, reader: &R) -> Result<Vec<Hash>, TreeError<R::Error>> {
        let stored = read(reader, &self.indexes)?;
        let mut out = Vec::with_capacity(self.parts.len());
        let mut rest = stored.as_slice();
        for &count in &self.parts {
            let (subtrees, tail) = rest.split_at(count);
            rest = tail;
            // MTH of a range = node(first subtree, MTH of the rest): fold from the right.
            let mut iter = subtrees.iter().rev();
            let Some(&last) = iter.next() else { continue };
            out.push(iter.fold(last, |acc, left| node_hash(left, &acc)));
        }
        Ok(out)
    }
}

fn read<R: HashReader>(reader: &R, indexes: &[u64]) -> Result<Vec<Hash>, TreeError<R::Error>> {
    if indexes.is_empty() {
        return Ok(Vec::new());
    }
    let hashes = reader.read_hashes(indexes).map_err(TreeError::Read)?;
    if hashes.len() != indexes.len() {
        return Err(TreeError::ShortRead {
            asked: indexes.len(),
            got: hashes.len(),
        });
    }
    Ok(hashes)
}

/// Stored hashes in memory, indexed by [`stored_hash_index`]: for tests, and a model of what the
/// storage layer keeps in its table.
#[derive(Debug, Clone, Default)]
pub struct MemoryHashes {
    hashes: Vec<Hash>,
    size: u64,
}

/// The error of [`MemoryHashes`]: an index past the hashes stored.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("no stored hash at index {0}")]
pub struct MissingHash(pub u64);

impl MemoryHashes {
    /// No leaves.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a leaf by its hash, storing what [`stored_hashes`] says.
    pub fn append(&mut self, leaf: Hash) -> Result<(), TreeError<MissingHash>> {
        let new = stored_hashes(self.size, leaf, self)?;
        self.hashes.extend(new);
        self.size += 1;
        Ok(())
    }

    /// The number of leaves appended.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Every stored hash, by index.
    pub fn hashes(&self) -> &[Hash] {
        &self.hashes
    }
}

#[cfg(test)]
mod frontier_tests {
    use super::*;
    use crate::domain::ledger::merkle::leaf_hash;

    #[test]
    fn the_frontier_read_back_continues_the_tree() {
        let mut mem = MemoryHashes::new();
        let mut live = Frontier::new();
        for i in 0..300u64 {
            let h = leaf_hash(&i.to_be_bytes());
            let read = frontier_at(i, &mem).unwrap();
            assert_eq!(read, live, "size {i}");
            assert_eq!(read.root(), tree_root(i, &mem).unwrap());
            live.push(h);
            mem.append(h).unwrap();
        }
    }
}

impl HashReader for MemoryHashes {
    type Error = MissingHash;

    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, MissingHash> {
        indexes
            .iter()
            .map(|&i| {
                usize::try_from(i)
                    .ok()
                    .and_then(|at| self.hashes.get(at))
                    .copied()
                    .ok_or(MissingHash(i))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ledger::merkle::{Frontier, leaf_hash};
    use std::cell::RefCell;

    #[test]
    fn indexes_are_go_sumdb_tlogs() {
        // The order Go's StoredHashIndex gives, written out: leaves 0 and 1, then their node,
        // leaves 2 and 3, their node, the node of all four, …
        let order = [
            (0, 0),
            (0, 1),
            (1, 0),
            (0, 2),
            (0, 3),
            (1, 1),
            (2, 0),
            (0, 4),
            (0, 5),
            (1, 2),
            (0, 6),
            (0, 7),
            (1, 3),
            (2, 1),
            (3, 0),
        ];
        for (i, &(level, n)) in order.iter().enumerate() {
            assert_eq!(stored_hash_index(level, n), i as u64, "({level}, {n})");
            assert_eq!(split_stored_hash_index(i as u64), (level, n));
        }
        for (size, count) in [(0, 0), (1, 1), (2, 3), (3, 4), (4, 7), (5, 8), (8, 15)] {
            assert_eq!(stored_hash_count(size), count, "size {size}");
        }
    }

    #[test]
    fn split_inverts_index_far_out() {
        for level in 0..20u8 {
            for n in [0u64, 1, 2, 3, 1000, 123_457, 1 << 30] {
                let i = stored_hash_index(level, n);
                assert_eq!(split_stored_hash_index(i), (level, n));
            }
        }
    }

    /// Counts the reads, to show that a proof costs O(log n) hashes in one call.
    struct Counting<'a>(&'a MemoryHashes, RefCell<Vec<usize>>);

    impl HashReader for Counting<'_> {
        type Error = MissingHash;
        fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, MissingHash> {
            self.1.borrow_mut().push(indexes.len());
            self.0.read_hashes(indexes)
        }
    }

    #[test]
    fn appending_stores_under_two_hashes_a_leaf_where_frontier_says() {
        let mut m = MemoryHashes::new();
        let mut f = Frontier::new();
        for i in 0..1000u32 {
            let leaf = leaf_hash(&i.to_be_bytes());
            let from_frontier = f.push(leaf);
            let start = m.hashes().len();
            assert_eq!(start as u64, stored_hash_index(0, u64::from(i)));
            m.append(leaf).expect("append");
            assert_eq!(&m.hashes()[start..], from_frontier.as_slice(), "leaf {i}");
            assert_eq!(m.hashes().len() as u64, stored_hash_count(m.size()));
            assert_eq!(tree_root(m.size(), &m), Ok(f.root()));
        }
        assert!(m.hashes().len() < 2 * 1000);
    }

    #[test]
    fn proofs_read_once_and_logarithmically() {
        let mut m = MemoryHashes::new();
        for i in 0..5000u32 {
            m.append(leaf_hash(&i.to_be_bytes())).expect("append");
        }
        for (index, size) in [(0, 5000), (4999, 5000), (1234, 4097), (17, 18)] {
            let c = Counting(&m, RefCell::new(Vec::new()));
            inclusion_proof(index, size, &c).expect("proof");
            let reads = c.1.into_inner();
            assert_eq!(reads.len(), 1, "one batch");
            assert!(reads[0] <= 2 * 13, "{index}/{size}: {} hashes", reads[0]);
        }
        let c = Counting(&m, RefCell::new(Vec::new()));
        consistency_proof(1237, 4999, &c).expect("proof");
        let reads = c.1.into_inner();
        assert_eq!(reads.len(), 1);
        assert!(reads[0] <= 3 * 13, "{} hashes", reads[0]);
        let c = Counting(&m, RefCell::new(Vec::new()));
        tree_root(4999, &c).expect("root");
        assert_eq!(c.1.into_inner(), vec![4999u64.count_ones() as usize]);
    }

    struct Broken(usize);

    impl HashReader for Broken {
        type Error = &'static str;
        fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, &'static str> {
            match self.0 {
                0 => Err("disk on fire"),
                _ => Ok(vec![[0; 32]; indexes.len().saturating_sub(self.0)]),
            }
        }
    }

    #[test]
    fn reader_failures_are_errors_not_panics() {
        assert_eq!(
            tree_root(5, &Broken(0)),
            Err(TreeError::Read("disk on fire"))
        );
        assert_eq!(
            tree_root(7, &Broken(1)),
            Err(TreeError::ShortRead { asked: 3, got: 2 })
        );
        assert_eq!(
            inclusion_proof(5, 5, &Broken(0)),
            Err(TreeError::IndexOutOfRange { index: 5, size: 5 })
        );
        assert_eq!(
            consistency_proof(6, 5, &Broken(0)),
            Err(TreeError::Shrunk { old: 6, new: 5 })
        );
        assert_eq!(
            tree_root(u64::MAX, &Broken(0)),
            Err(TreeError::TooLarge(u64::MAX))
        );
        assert_eq!(
            inclusion_proof(0, MAX_SIZE + 1, &Broken(0)),
            Err(TreeError::TooLarge(MAX_SIZE + 1))
        );
        assert_eq!(
            stored_hashes(u64::MAX, [0; 32], &Broken(0)),
            Err(TreeError::TooLarge(u64::MAX))
        );
        assert_eq!(MemoryHashes::new().read_hashes(&[0]), Err(MissingHash(0)));
        // A one-leaf tree and an empty proof read nothing at all.
        assert_eq!(inclusion_proof(0, 1, &Broken(0)), Ok(vec![]));
        assert_eq!(consistency_proof(3, 3, &Broken(0)), Ok(vec![]));
    }
}
