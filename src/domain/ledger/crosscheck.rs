//! The Merkle tree checked against what we did not write: the ct-merkle crate and the
//! Certificate Transparency reference vectors.

use ct_merkle::mem_backed_tree::MemoryBackedTree;
use ct_merkle::{ConsistencyProof, InclusionProof, RootHash};
use sha2::Sha256;

use super::merkle::{Frontier, Hash, leaf_hash, verify_consistency, verify_inclusion};
use super::stored::{MemoryHashes, consistency_proof, inclusion_proof, tree_root};

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

fn concat(hashes: &[Hash]) -> Vec<u8> {
    hashes.concat()
}

/// The eight leaves of the CT reference tests (certificate-transparency merkle_tree_test.cc, as
/// carried by transparency-dev/merkle's reference_test.go and ct-merkle's known_answer.rs).
const CT_LEAVES: [&str; 8] = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
];

#[test]
fn certificate_transparency_reference_vectors() {
    let roots = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];
    let mut m = MemoryHashes::new();
    for leaf in CT_LEAVES {
        m.append(leaf_hash(&unhex(leaf))).expect("append");
    }
    for (i, root) in roots.iter().enumerate() {
        let size = i as u64 + 1;
        assert_eq!(
            tree_root(size, &m).expect("root").to_vec(),
            unhex(root),
            "root of {size}"
        );
    }
    let root = |size: u64| tree_root(size, &m).expect("root");
    // (index, size, audit path)
    let inclusion = [
        (0, 1, ""),
        (
            0,
            2,
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        ),
        (
            1,
            2,
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        ),
        (
            2,
            3,
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        ),
        (
            1,
            5,
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d\
             5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e\
             bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ),
        (
            0,
            8,
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7\
             5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e\
             6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ),
        (
            5,
            8,
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b\
             ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0\
             d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ),
    ];
    for (index, size, expected) in inclusion {
        let proof = inclusion_proof(index, size, &m).expect("proof");
        assert_eq!(
            concat(&proof),
            unhex(expected),
            "inclusion {index} in {size}"
        );
        let leaf = leaf_hash(&unhex(CT_LEAVES[index as usize]));
        assert_eq!(
            verify_inclusion(index, size, &leaf, &proof, &root(size)),
            Ok(())
        );
    }
    // (old size, new size, proof)
    let consistency = [
        (1, 1, ""),
        (
            1,
            8,
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7\
             5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e\
             6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ),
        (
            2,
            5,
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e\
             bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ),
        (
            6,
            8,
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a\
             ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0\
             d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ),
        (
            6,
            7,
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a\
             b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f\
             d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ),
    ];
    for (old, new, expected) in consistency {
        let proof = consistency_proof(old, new, &m).expect("proof");
        assert_eq!(concat(&proof), unhex(expected), "consistency {old} → {new}");
        assert_eq!(
            verify_consistency(old, new, &proof, &root(old), &root(new)),
            Ok(())
        );
    }
}

fn ct_root(digest: &Hash, size: u64) -> RootHash<Sha256> {
    RootHash::new((*digest).into(), size)
}

/// Flips one bit of one hash of a proof: every such change must be caught.
fn tampered(proof: &[Hash], rng: &mut fastrand::Rng) -> Vec<Hash> {
    let mut p = proof.to_vec();
    let i = rng.usize(..p.len());
    p[i][rng.usize(..32)] ^= 1 << rng.u8(..8);
    p
}

/// Random trees of every size from 1 to 1000 (three independent ones): roots, inclusion and
/// consistency proofs against ct-merkle, in both directions — ours verified by ct-merkle's
/// verifier, ct-merkle's verified by ours — and every tampered proof refused.
#[test]
fn random_trees_match_ct_merkle() {
    const MAX: u64 = 1000;
    let mut counts = [0usize; 3]; // roots, inclusion proofs, consistency proofs
    for seed in [1u64, 2, 3] {
        let mut rng = fastrand::Rng::with_seed(seed);
        let mut theirs = MemoryBackedTree::<Sha256, Vec<u8>>::new();
        let mut ours = MemoryHashes::new();
        let mut frontier = Frontier::new();
        let mut leaves: Vec<Vec<u8>> = Vec::new();
        let mut roots: Vec<Hash> = Vec::new();
        for size in 1..=MAX {
            // Distinct leaves: with two equal ones, a proof may hold for either position.
            let mut leaf = size.to_le_bytes().to_vec();
            leaf.extend((0..rng.usize(0..40)).map(|_| rng.u8(..)));
            theirs.push(leaf.clone());
            ours.append(leaf_hash(&leaf)).expect("append");
            frontier.push(leaf_hash(&leaf));
            leaves.push(leaf);

            let root = tree_root(size, &ours).expect("root");
            assert_eq!(
                root.as_slice(),
                theirs.root().as_bytes().as_slice(),
                "size {size}"
            );
            assert_eq!(frontier.root(), root);
            roots.push(root);
            counts[0] += 1;

            let mut indexes = vec![0, size - 1, size / 2];
            indexes.extend((0..3).map(|_| rng.u64(..size)));
            for index in indexes {
                let proof = inclusion_proof(index, size, &ours).expect("proof");
                let theirs_proof = theirs.prove_inclusion(index as usize);
                assert_eq!(concat(&proof), theirs_proof.as_bytes(), "{index} in {size}");
                let leaf = &leaves[index as usize];
                let ct = ct_root(&root, size);
                ct.verify_inclusion(leaf, index, &InclusionProof::from_bytes(concat(&proof)))
                    .expect("ct-merkle accepts our inclusion proof");
                assert_eq!(
                    verify_inclusion(index, size, &leaf_hash(leaf), &proof, &root),
                    Ok(())
                );
                if !proof.is_empty() {
                    let bad = tampered(&proof, &mut rng);
                    assert!(verify_inclusion(index, size, &leaf_hash(leaf), &bad, &root).is_err());
                }
                if size > 1 {
                    let other = (index + 1 + rng.u64(..size - 1)) % size;
                    assert!(
                        verify_inclusion(other, size, &leaf_hash(leaf), &proof, &root).is_err()
                    );
                }
                counts[1] += 1;
            }

            let mut olds = vec![1, size, size / 2 + 1];
            olds.extend((0..3).map(|_| rng.u64(1..=size)));
            for old in olds {
                let proof = consistency_proof(old, size, &ours).expect("proof");
                let theirs_proof = theirs.prove_consistency((size - old) as usize);
                assert_eq!(concat(&proof), theirs_proof.as_bytes(), "{old} → {size}");
                let old_root = roots[old as usize - 1];
                ct_root(&root, size)
                    .verify_consistency(
                        &ct_root(&old_root, old),
                        &ConsistencyProof::try_from_bytes(concat(&proof)).expect("bytes"),
                    )
                    .expect("ct-merkle accepts our consistency proof");
                assert_eq!(
                    verify_consistency(old, size, &proof, &old_root, &root),
                    Ok(())
                );
                if !proof.is_empty() {
                    let bad = tampered(&proof, &mut rng);
                    assert!(verify_consistency(old, size, &bad, &old_root, &root).is_err());
                }
                if old < size {
                    let wrong = roots[rng.usize(..old as usize)];
                    if wrong != old_root {
                        assert!(verify_consistency(old, size, &proof, &wrong, &root).is_err());
                    }
                    assert!(verify_consistency(old, size, &proof, &old_root, &old_root).is_err());
                }
                counts[2] += 1;
            }
        }
    }
    assert_eq!(counts, [3000, 18000, 18000]);
}

/// Every leaf of every tree up to 64 leaves, and every pair of sizes: our proofs are
/// ct-merkle's byte for byte.
#[test]
fn small_trees_exhaustively_match_ct_merkle() {
    let mut theirs = MemoryBackedTree::<Sha256, Vec<u8>>::new();
    let mut ours = MemoryHashes::new();
    for size in 1..=64u64 {
        let leaf = size.to_le_bytes().to_vec();
        theirs.push(leaf.clone());
        ours.append(leaf_hash(&leaf)).expect("append");
        for index in 0..size {
            let proof = inclusion_proof(index, size, &ours).expect("proof");
            assert_eq!(
                concat(&proof),
                theirs.prove_inclusion(index as usize).as_bytes()
            );
        }
        for old in 1..=size {
            let proof = consistency_proof(old, size, &ours).expect("proof");
            let theirs_proof = theirs.prove_consistency((size - old) as usize);
            assert_eq!(concat(&proof), theirs_proof.as_bytes(), "{old} → {size}");
        }
    }
}
