//! Every crypto import with real inputs (`cw_oracle::crypto`: keys and
//! signatures made with the curve crates cosmwasm-crypto verifies with),
//! through the probe, on both runtimes: signatures that verify and that do
//! not, compressed and uncompressed keys, key recovery, ed25519 batches of
//! 0, 1 and several signatures in each of the import's three forms, BLS
//! aggregates of 1 to 16 points and pairing equations of 0 to 5 pairs,
//! hash-to-curve. Besides agreeing, the reference's answers are checked
//! against what the inputs were made to give (a signature made by the key
//! verifies; a recovered key is the signer's; an aggregate of `k·G` for
//! `k` in `1..=n` is `n(n+1)/2·G`; a pairing equation holds exactly when it
//! was built to).

use cosmwasm_std::Binary;
use cw_host::EntryPoint;
use cw_oracle::Observed;
use cw_oracle::crypto::{self, EcdsaCase};
use probe::msg::{BlsHashFunction, ExecuteMsg};

use super::{GAS_LIMIT, Pair, info, ok_text};

/// JSON bytes of a message (a macro: this crate has no serde of its own).
macro_rules! json {
    ($value:expr) => {
        cosmwasm_std::to_json_vec($value).unwrap()
    };
}

fn bin(bytes: &[u8]) -> Binary {
    Binary::from(bytes)
}

/// A probe that answers crypto messages; each call runs on every side.
struct Crypto {
    pair: Pair,
    info: Vec<u8>,
    calls: usize,
}

impl Crypto {
    fn new() -> Self {
        let mut pair = Pair::fixture("probe");
        let info = info("alice");
        pair.run(
            "instantiate",
            EntryPoint::Instantiate,
            Some(&info),
            b"{}",
            GAS_LIMIT,
        );
        Self {
            pair,
            info,
            calls: 0,
        }
    }

    fn run(&mut self, label: &str, msg: &ExecuteMsg) -> Observed {
        self.calls += 1;
        self.pair.run(
            label,
            EntryPoint::Execute,
            Some(&self.info),
            &json!(msg),
            GAS_LIMIT,
        )
    }

    /// The response's `data`, decoded; panics on a failure or an error.
    fn data(&mut self, label: &str, msg: &ExecuteMsg) -> Vec<u8> {
        let observed = self.run(label, msg);
        let text = ok_text(&observed);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let data = value["ok"]["data"]
            .as_str()
            .unwrap_or_else(|| panic!("{label}: {text}"));
        Binary::from_base64(data).unwrap().to_vec()
    }

    /// A verification's answer: `true` or `false`.
    fn verifies(&mut self, label: &str, msg: &ExecuteMsg) -> bool {
        match self.data(label, msg).as_slice() {
            b"true" => true,
            b"false" => false,
            other => panic!("{label}: {}", String::from_utf8_lossy(other)),
        }
    }
}

fn tampered(bytes: &[u8]) -> Vec<u8> {
    let mut bytes = bytes.to_vec();
    bytes[5] ^= 0x40;
    bytes
}

fn ecdsa(probe: &mut Crypto, curve: &str, cases: &[EcdsaCase], k1: bool) {
    let verify = |hash: &[u8], sig: &[u8], key: &[u8]| {
        let (message_hash, signature, public_key) = (bin(hash), bin(sig), bin(key));
        if k1 {
            ExecuteMsg::Secp256k1Verify {
                message_hash,
                signature,
                public_key,
            }
        } else {
            ExecuteMsg::Secp256r1Verify {
                message_hash,
                signature,
                public_key,
            }
        }
    };
    let recover = |hash: &[u8], sig: &[u8], param: u8| {
        let (message_hash, signature, recovery_param) = (bin(hash), bin(sig), param);
        if k1 {
            ExecuteMsg::Secp256k1RecoverPubkey {
                message_hash,
                signature,
                recovery_param,
            }
        } else {
            ExecuteMsg::Secp256r1RecoverPubkey {
                message_hash,
                signature,
                recovery_param,
            }
        }
    };
    for (i, case) in cases.iter().enumerate() {
        let other = &cases[(i + 1) % cases.len()];
        let label = |what: &str| format!("{curve} case {i}: {what}");
        let (hash, sig) = (&case.message_hash, &case.signature);
        assert!(probe.verifies(&label("valid"), &verify(hash, sig, &case.public_key)));
        assert!(probe.verifies(
            &label("valid, compressed key"),
            &verify(hash, sig, &case.public_key_compressed)
        ));
        assert!(!probe.verifies(
            &label("another message"),
            &verify(&other.message_hash, sig, &case.public_key)
        ));
        if other.public_key != case.public_key {
            assert!(!probe.verifies(&label("another key"), &verify(hash, sig, &other.public_key)));
        }
        // A tampered signature is either invalid or malformed; both agree.
        probe.run(
            &label("tampered"),
            &verify(hash, &tampered(sig), &case.public_key),
        );
        let recovered = probe.data(&label("recover"), &recover(hash, sig, case.recovery_param));
        assert_eq!(recovered, case.public_key, "{}", label("recover"));
        probe.run(
            &label("recover, other parameter"),
            &recover(hash, sig, case.recovery_param ^ 1),
        );
    }
    // Wrong lengths and a recovery parameter out of range: errors, alike.
    let case = &cases[0];
    probe.run(
        &format!("{curve}: short hash"),
        &verify(&case.message_hash[..31], &case.signature, &case.public_key),
    );
    probe.run(
        &format!("{curve}: recovery parameter 2"),
        &recover(&case.message_hash, &case.signature, 2),
    );
}

#[test]
fn ecdsa_signatures_agree() {
    let mut probe = Crypto::new();
    ecdsa(&mut probe, "secp256k1", crypto::secp256k1(), true);
    ecdsa(&mut probe, "secp256r1", crypto::secp256r1(), false);
    assert!(probe.calls > 60);
}

fn batch(messages: &[&[u8]], signatures: &[&[u8]], keys: &[&[u8]]) -> ExecuteMsg {
    let list = |items: &[&[u8]]| items.iter().map(|b| bin(b)).collect::<Vec<_>>();
    ExecuteMsg::Ed25519BatchVerify {
        messages: list(messages),
        signatures: list(signatures),
        public_keys: list(keys),
    }
}

#[test]
fn ed25519_signatures_and_batches_agree() {
    let mut probe = Crypto::new();
    let cases = crypto::ed25519();
    for (i, case) in cases.iter().enumerate() {
        let verify = |message: &[u8], signature: &[u8], key: &[u8]| ExecuteMsg::Ed25519Verify {
            message: bin(message),
            signature: bin(signature),
            public_key: bin(key),
        };
        let label = |what: &str| format!("ed25519 case {i}: {what}");
        assert!(probe.verifies(
            &label("valid"),
            &verify(&case.message, &case.signature, &case.public_key)
        ));
        assert!(!probe.verifies(
            &label("tampered message"),
            &verify(&tampered(&case.message), &case.signature, &case.public_key)
        ));
        probe.run(
            &label("tampered signature"),
            &verify(&case.message, &tampered(&case.signature), &case.public_key),
        );
    }
    // Batches: one message per signature, 0, 1 and several.
    for count in [0, 1, 2, 4, 9] {
        let chosen: Vec<_> = cases.iter().cycle().take(count).collect();
        let messages: Vec<&[u8]> = chosen.iter().map(|c| c.message.as_slice()).collect();
        let signatures: Vec<&[u8]> = chosen.iter().map(|c| c.signature.as_slice()).collect();
        let keys: Vec<&[u8]> = chosen.iter().map(|c| c.public_key.as_slice()).collect();
        let label = format!("batch of {count}");
        let valid = probe.verifies(&label, &batch(&messages, &signatures, &keys));
        // cosmwasm-crypto: an empty batch verifies (nothing is wrong).
        assert!(valid, "{label}");
        if count > 0 {
            let broken = tampered(signatures[count - 1]);
            let mut signatures = signatures.clone();
            signatures[count - 1] = &broken;
            probe.run(
                &format!("{label}, last signature broken"),
                &batch(&messages, &signatures, &keys),
            );
            probe.run(
                &format!("{label}, a key missing"),
                &batch(&messages, &signatures, &keys[1..]),
            );
        }
    }
    // One message signed by several keys, and one key signing several.
    let message_0: Vec<_> = (0..crypto::KEYS)
        .map(|k| &cases[k * crypto::MESSAGES])
        .collect();
    let signatures: Vec<&[u8]> = message_0.iter().map(|c| c.signature.as_slice()).collect();
    let keys: Vec<&[u8]> = message_0.iter().map(|c| c.public_key.as_slice()).collect();
    assert!(probe.verifies(
        "one message, several keys",
        &batch(&[&message_0[0].message], &signatures, &keys)
    ));
    let key_0 = &cases[..crypto::MESSAGES];
    let messages: Vec<&[u8]> = key_0.iter().map(|c| c.message.as_slice()).collect();
    let signatures: Vec<&[u8]> = key_0.iter().map(|c| c.signature.as_slice()).collect();
    assert!(probe.verifies(
        "one key, several messages",
        &batch(&messages, &signatures, &[&key_0[0].public_key])
    ));
}

#[test]
fn bls12_381_aggregates_pairings_and_hashes_agree() {
    let mut probe = Crypto::new();
    for count in [1, 2, 3, 8, 16] {
        let (points, sum) = crypto::g1_aggregate(count);
        let msg = ExecuteMsg::Bls12381AggregateG1 {
            points: bin(&points),
        };
        assert_eq!(probe.data(&format!("G1 aggregate of {count}"), &msg), sum);
        let (points, sum) = crypto::g2_aggregate(count);
        let msg = ExecuteMsg::Bls12381AggregateG2 {
            points: bin(&points),
        };
        assert_eq!(probe.data(&format!("G2 aggregate of {count}"), &msg), sum);
    }
    // No points, a point that is not on the curve, a length that is not a
    // multiple of the point size: errors, alike.
    for (label, points) in [
        ("no G1 points", Vec::new()),
        ("a broken G1 point", tampered(&crypto::g1_multiples()[0])),
        ("47 bytes", crypto::g1_multiples()[0][..47].to_vec()),
    ] {
        probe.run(
            label,
            &ExecuteMsg::Bls12381AggregateG1 {
                points: bin(&points),
            },
        );
    }
    probe.run(
        "a broken G2 point",
        &ExecuteMsg::Bls12381AggregateG2 {
            points: bin(&tampered(&crypto::g2_multiples()[0])),
        },
    );
    for pairs in [0, 1, 2, 3, 5] {
        for offset in [0, 1] {
            let case = crypto::pairing(pairs, offset);
            let msg = ExecuteMsg::Bls12381PairingEquality {
                ps: bin(&case.ps),
                qs: bin(&case.qs),
                r: bin(&case.r),
                s: bin(&case.s),
            };
            let label = format!("pairing of {pairs}, offset {offset}");
            // With no pairs the left side is 1, and so is e(0·G1, G2).
            assert_eq!(probe.verifies(&label, &msg), case.holds, "{label}");
        }
    }
    let case = crypto::pairing(2, 0);
    probe.run(
        "pairing with one G2 point too few",
        &ExecuteMsg::Bls12381PairingEquality {
            ps: bin(&case.ps),
            qs: bin(&case.qs[..96]),
            r: bin(&case.r),
            s: bin(&case.s),
        },
    );
    for (label, dst) in [("hash to curve", &b"QUUX-V01-CS02"[..]), ("empty dst", b"")] {
        let g1 = ExecuteMsg::Bls12381HashToG1 {
            hash_function: BlsHashFunction::Sha256,
            msg: bin(b"abc"),
            dst: bin(dst),
        };
        let g2 = ExecuteMsg::Bls12381HashToG2 {
            hash_function: BlsHashFunction::Sha256,
            msg: bin(b"abc"),
            dst: bin(dst),
        };
        assert_eq!(probe.data(&format!("{label} G1"), &g1).len(), 48);
        assert_eq!(probe.data(&format!("{label} G2"), &g2).len(), 96);
    }
}
