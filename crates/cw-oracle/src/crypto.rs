//! Real inputs for the crypto imports: keys, messages and signatures made
//! with the curve crates cosmwasm-crypto verifies with (k256, p256,
//! ed25519-zebra, arkworks' BLS12-381), from fixed seeds, so a generated
//! contract or a test can pass a signature that verifies, one that does not,
//! and malformed bytes.
//!
//! Nothing here is an expected result: whether a signature verifies is what
//! the two runtimes are compared on. The cases are made once per process.

use std::sync::OnceLock;

use ark_bls12_381::{Fr, G1Projective, G2Projective};
use ark_ec::PrimeGroup;
use ark_serialize::CanonicalSerialize;
use sha2::{Digest, Sha256};

/// Key pairs made per curve.
pub const KEYS: usize = 3;

/// Messages signed by each key.
pub const MESSAGES: usize = 3;

/// An ECDSA signature over a 32-byte hash, with what recovers its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcdsaCase {
    /// The signed hash (sha256 of a message).
    pub message_hash: [u8; 32],
    /// `r || s`.
    pub signature: [u8; 64],
    /// The SEC1 public key, uncompressed (65 bytes).
    pub public_key: Vec<u8>,
    /// The same key compressed (33 bytes).
    pub public_key_compressed: Vec<u8>,
    /// The recovery id that gives back `public_key`.
    pub recovery_param: u8,
}

/// An ed25519 signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ed25519Case {
    /// The signed message.
    pub message: Vec<u8>,
    /// The 64-byte signature.
    pub signature: [u8; 64],
    /// The 32-byte public key.
    pub public_key: [u8; 32],
}

/// Inputs of `bls12_381_pairing_equality`: is `e(p1, q1) · … · e(pn, qn)`
/// equal to `e(r, s)`?
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairingCase {
    /// `n` concatenated compressed G1 points.
    pub ps: Vec<u8>,
    /// `n` concatenated compressed G2 points.
    pub qs: Vec<u8>,
    /// One compressed G1 point.
    pub r: [u8; 48],
    /// One compressed G2 point.
    pub s: [u8; 96],
    /// Whether the equation holds by construction (`r = (Σ aᵢbᵢ)·G1`,
    /// `s = G2` for `pᵢ = aᵢ·G1`, `qᵢ = bᵢ·G2`), or was broken on purpose.
    pub holds: bool,
}

/// The hash of message `index`, the text every curve signs.
pub fn message(index: usize) -> Vec<u8> {
    format!("cw-oracle message {index}").into_bytes()
}

fn seed(label: &str, index: usize) -> [u8; 32] {
    Sha256::digest(format!("cw-oracle {label} key {index}")).into()
}

/// `KEYS × MESSAGES` ECDSA signatures on the curve of crate `$curve`
/// (k256 or p256, the same API), keys seeded from `$label`, key-major.
macro_rules! ecdsa_cases {
    ($curve:ident, $label:literal) => {{
        let mut cases = Vec::new();
        for key in 0..KEYS {
            // A sha256 output is a valid scalar but with negligible odds.
            let signing = $curve::ecdsa::SigningKey::from_slice(&seed($label, key))
                .expect(concat!("a valid ", $label, " scalar"));
            let verifying = signing.verifying_key();
            for index in 0..MESSAGES {
                let message_hash: [u8; 32] = Sha256::digest(message(index)).into();
                let (signature, recovery) = signing
                    .sign_prehash_recoverable(&message_hash)
                    .expect("signing a 32-byte hash");
                cases.push(EcdsaCase {
                    message_hash,
                    signature: signature.to_bytes().into(),
                    public_key: verifying.to_encoded_point(false).as_bytes().to_vec(),
                    public_key_compressed: verifying.to_encoded_point(true).as_bytes().to_vec(),
                    recovery_param: recovery.to_byte(),
                });
            }
        }
        cases
    }};
}

/// `KEYS × MESSAGES` secp256k1 signatures, key-major.
pub fn secp256k1() -> &'static [EcdsaCase] {
    static CASES: OnceLock<Vec<EcdsaCase>> = OnceLock::new();
    CASES.get_or_init(|| ecdsa_cases!(k256, "secp256k1"))
}

/// `KEYS × MESSAGES` secp256r1 signatures, key-major.
pub fn secp256r1() -> &'static [EcdsaCase] {
    static CASES: OnceLock<Vec<EcdsaCase>> = OnceLock::new();
    CASES.get_or_init(|| ecdsa_cases!(p256, "secp256r1"))
}

/// `KEYS × MESSAGES` ed25519 signatures, key-major.
pub fn ed25519() -> &'static [Ed25519Case] {
    static CASES: OnceLock<Vec<Ed25519Case>> = OnceLock::new();
    CASES.get_or_init(|| {
        let mut cases = Vec::new();
        for key in 0..KEYS {
            let signing = ed25519_zebra::SigningKey::from(seed("ed25519", key));
            let public_key: [u8; 32] = ed25519_zebra::VerificationKey::from(&signing).into();
            for index in 0..MESSAGES {
                let message = message(index);
                let signature = signing.sign(&message).to_bytes();
                cases.push(Ed25519Case {
                    message,
                    signature,
                    public_key,
                });
            }
        }
        cases
    })
}

/// `k·G1`, compressed, for `k` in `1..=count` (`count` at most 16).
pub fn g1_multiples() -> &'static [[u8; 48]] {
    static POINTS: OnceLock<Vec<[u8; 48]>> = OnceLock::new();
    POINTS.get_or_init(|| (1..=16u64).map(|k| g1(Fr::from(k))).collect())
}

/// `k·G2`, compressed, for `k` in `1..=16`.
pub fn g2_multiples() -> &'static [[u8; 96]] {
    static POINTS: OnceLock<Vec<[u8; 96]>> = OnceLock::new();
    POINTS.get_or_init(|| (1..=16u64).map(|k| g2(Fr::from(k))).collect())
}

fn g1(scalar: Fr) -> [u8; 48] {
    let mut out = [0; 48];
    (G1Projective::generator() * scalar)
        .serialize_compressed(&mut out[..])
        .expect("48 bytes hold a compressed G1 point");
    out
}

fn g2(scalar: Fr) -> [u8; 96] {
    let mut out = [0; 96];
    (G2Projective::generator() * scalar)
        .serialize_compressed(&mut out[..])
        .expect("96 bytes hold a compressed G2 point");
    out
}

/// The compressed G1 identity (point at infinity).
pub fn g1_identity() -> [u8; 48] {
    g1(Fr::from(0u64))
}

/// The compressed G2 identity.
pub fn g2_identity() -> [u8; 96] {
    g2(Fr::from(0u64))
}

/// A pairing equation of `pairs` pairs with `pᵢ = aᵢ·G1`, `qᵢ = bᵢ·G2`
/// (`aᵢ = i + 1`, `bᵢ = i + 2`), `r = (Σ aᵢbᵢ + offset)·G1` and `s = G2`:
/// it holds exactly when `offset` is 0.
pub fn pairing(pairs: usize, offset: u64) -> PairingCase {
    let mut ps = Vec::with_capacity(pairs * 48);
    let mut qs = Vec::with_capacity(pairs * 96);
    let mut sum = 0u64;
    for i in 0..pairs as u64 {
        let (a, b) = (i + 1, i + 2);
        ps.extend_from_slice(&g1(Fr::from(a)));
        qs.extend_from_slice(&g2(Fr::from(b)));
        sum += a * b;
    }
    PairingCase {
        ps,
        qs,
        r: g1(Fr::from(sum + offset)),
        s: g2(Fr::from(1u64)),
        holds: offset == 0,
    }
}

/// The concatenation of the first `count` G1 multiples (`count` ≤ 16) and
/// the compressed sum they must aggregate to (`(count(count+1)/2)·G1`),
/// derived independently of any aggregation code.
pub fn g1_aggregate(count: usize) -> (Vec<u8>, [u8; 48]) {
    let points = g1_multiples()[..count].concat();
    let sum = (count * (count + 1) / 2) as u64;
    (points, g1(Fr::from(sum)))
}

/// As [`g1_aggregate`], for G2.
pub fn g2_aggregate(count: usize) -> (Vec<u8>, [u8; 96]) {
    let points = g2_multiples()[..count].concat();
    let sum = (count * (count + 1) / 2) as u64;
    (points, g2(Fr::from(sum)))
}

/// Framing of the lists `ed25519_batch_verify` takes: cosmwasm's sections
/// encoding (each item followed by its 4-byte big-endian length).
pub fn sections(items: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for item in items {
        out.extend_from_slice(item);
        out.extend_from_slice(&(item.len() as u32).to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_are_made_and_distinct() {
        assert_eq!(secp256k1().len(), KEYS * MESSAGES);
        assert_eq!(secp256r1().len(), KEYS * MESSAGES);
        assert_eq!(ed25519().len(), KEYS * MESSAGES);
        assert_ne!(secp256k1()[0].signature, secp256k1()[1].signature);
        assert_eq!(secp256k1()[0].public_key.len(), 65);
        assert_eq!(secp256r1()[0].public_key_compressed.len(), 33);
        assert!(secp256k1().iter().all(|c| c.recovery_param < 2));
    }

    #[test]
    fn aggregates_and_pairings_are_derived_from_scalars() {
        // 1·G1 + 2·G1 = 3·G1: the third multiple.
        assert_eq!(g1_aggregate(2).1, g1_multiples()[2]);
        assert_eq!(g2_aggregate(2).1, g2_multiples()[2]);
        let case = pairing(3, 0);
        assert_eq!((case.ps.len(), case.qs.len()), (3 * 48, 3 * 96));
        assert!(case.holds && !pairing(3, 1).holds);
        assert_ne!(g1_identity(), g1_multiples()[0]);
    }

    #[test]
    fn sections_append_big_endian_lengths() {
        assert_eq!(sections(&[b"ab", b""]), b"ab\0\0\0\x02\0\0\0\0");
    }
}
