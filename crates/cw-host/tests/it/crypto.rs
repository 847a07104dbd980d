//! Crypto imports with known vectors: valid and invalid signatures,
//! malformed keys, error codes, gas.

use cw_gas::CosmWasmSchedule;
use cw_host::{HostError, imports};
use cw_region::encode_sections;

use crate::support::{HOST_CALL, Harness, read_cost, write_cost};

const US: u64 = 1_000_000;

// secp256k1 / secp256r1 / ed25519 vectors: cosmwasm-vm 3.0.11's import tests
// (ed25519: RFC 8032 section 7.1, tests 1 and 2).
const K1_HASH: &str = "5ae8317d34d1e595e3fa7247db80c0af4320cce1116de187f8f7e2e099c0d8d0";
const K1_SIG: &str = "207082eb2c3dfa0b454e0906051270ba4074ac93760ba9e7110cd9471475111151eb0dbbc9920e72146fb564f99d039802bf6ef2561446eb126ef364d21ee9c4";
const K1_PUBKEY: &str = "04051c1ee2190ecfb174bfe4f90763f2b4ff7517b70a2aec1876ebcfd644c4633fb03f3cfbd94b1f376e34592d9d41ccaf640bb751b00a1fadeb0c01157769eb73";
const R1_HASH: &str = "b804cf88af0c2eff8bbbfb3660ebb3294138e9d3ebd458884e19818061dacff0";
const R1_SIG: &str = "35fb60f5ca0f3ca08542fb3cc641c8263a2cab7a90ee6a5e1583fac2bb6f6bd1ee59d81bc9db1055cc0ed97b159d8784af04e98511d0a9a407b99bb292572e96";
const R1_PUBKEY: &str = "0474ccd8a62fba0e667c50929a53f78c21b8ff0c3c737b0b40b1750b2302b0bde829074e21f3a0ef88b9efdf10d06aa4c295cc1671f758ca0e4cd108803d0f2614";
const ED_SIG_1: &str = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
const ED_PUBKEY_1: &str = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
const ED_MSG_2: &str = "72";
const ED_SIG_2: &str = "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00";
const ED_PUBKEY_2: &str = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";
// BLS12-381 generators, compressed (cosmwasm-core `BLS12_381_G1_GENERATOR`,
// `BLS12_381_G2_GENERATOR`).
const G1: &str = "97f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb";
const G2: &str = "93e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8";

fn h(hex_str: &str) -> Vec<u8> {
    hex::decode(hex_str).unwrap()
}

type Verify = fn(
    &mut cw_host::HostContext<'_, CosmWasmSchedule>,
    &dyn cw_region::GuestMemory,
    u32,
    u32,
    u32,
) -> Result<u32, HostError>;

fn verify(f: Verify, hash: &[u8], sig: &[u8], key: &[u8]) -> (Result<u32, HostError>, u64) {
    let mut harness = Harness::new();
    let (a, b, c) = (harness.place(hash), harness.place(sig), harness.place(key));
    let result = harness.with(|ctx, mem, _| f(ctx, mem, a, b, c));
    (result, harness.used())
}

#[test]
fn secp256k1_verify_vectors_and_codes() {
    let f: Verify = imports::secp256k1_verify;
    let (hash, sig, key) = (h(K1_HASH), h(K1_SIG), h(K1_PUBKEY));
    let (result, used) = verify(f, &hash, &sig, &key);
    assert_eq!(result, Ok(0));
    assert_eq!(
        used,
        HOST_CALL + read_cost(32) + read_cost(64) + read_cost(65) + 96 * US
    );
    let mut bad_sig = sig.clone();
    bad_sig[10] ^= 1;
    assert_eq!(verify(f, &hash, &bad_sig, &key).0, Ok(1));
    let mut other_hash = hash.clone();
    other_hash[0] ^= 1;
    assert_eq!(verify(f, &other_hash, &sig, &key).0, Ok(1));
    // Malformed inputs within the limits are error codes.
    assert_eq!(verify(f, &hash[..31], &sig, &key).0, Ok(3));
    assert_eq!(verify(f, &hash, &sig[..63], &key).0, Ok(4));
    assert_eq!(verify(f, &hash, &sig, &key[..64]).0, Ok(5));
    // A well-formed key that is not on the curve: cosmwasm-crypto's generic error.
    assert_eq!(verify(f, &hash, &sig, &[4; 65]).0, Ok(10));
    // Over the limits, a trap.
    let (result, _) = verify(f, &[0; 33], &sig, &key);
    assert_eq!(
        result,
        Err(HostError::TooLarge {
            what: "message hash",
            length: 33,
            limit: 32
        })
    );
    assert!(matches!(
        verify(f, &hash, &sig, &[4; 66]).0,
        Err(HostError::TooLarge {
            what: "public key",
            ..
        })
    ));
}

#[test]
fn secp256r1_verify_vectors_and_codes() {
    let f: Verify = imports::secp256r1_verify;
    let (hash, sig, key) = (h(R1_HASH), h(R1_SIG), h(R1_PUBKEY));
    let (result, used) = verify(f, &hash, &sig, &key);
    assert_eq!(result, Ok(0));
    assert_eq!(
        used,
        HOST_CALL + read_cost(32) + read_cost(64) + read_cost(65) + 279 * US
    );
    let mut bad_sig = sig.clone();
    bad_sig[40] ^= 1;
    assert_eq!(verify(f, &hash, &bad_sig, &key).0, Ok(1));
    assert_eq!(verify(f, &hash, &sig, &key[..33]).0, Ok(5));
    // The secp256k1 key is not a P-256 key (or does not verify).
    assert_ne!(verify(f, &hash, &sig, &h(K1_PUBKEY)).0, Ok(0));
}

type Recover = fn(
    &mut cw_host::HostContext<'_, CosmWasmSchedule>,
    &dyn cw_region::GuestMemory,
    &mut dyn cw_host::GuestAllocator,
    u32,
    u32,
    u32,
) -> Result<u64, HostError>;

/// Runs a recovery; returns (raw result, recovered key if any, gas).
fn recover(f: Recover, hash: &[u8], sig: &[u8], param: u32) -> (u64, Option<Vec<u8>>, u64) {
    let mut harness = Harness::new();
    let (a, b) = (harness.place(hash), harness.place(sig));
    let raw = harness
        .with(|ctx, mem, alloc| f(ctx, mem, alloc, a, b, param))
        .unwrap();
    let key = (raw >> 32 == 0).then(|| harness.read(u32::try_from(raw).unwrap()));
    (raw, key, harness.used())
}

#[test]
fn recover_pubkey_both_curves() {
    for (f, hash, sig, key, price) in [
        (
            imports::secp256k1_recover_pubkey as Recover,
            K1_HASH,
            K1_SIG,
            K1_PUBKEY,
            194 * US,
        ),
        (
            imports::secp256r1_recover_pubkey as Recover,
            R1_HASH,
            R1_SIG,
            R1_PUBKEY,
            592 * US,
        ),
    ] {
        let (hash, sig, key) = (h(hash), h(sig), h(key));
        let found: Vec<_> = [0, 1]
            .into_iter()
            .filter_map(|p| recover(f, &hash, &sig, p).1)
            .collect();
        assert!(
            found.contains(&key),
            "one recovery parameter yields the key"
        );
        let (_, _, used) = recover(f, &hash, &sig, 0);
        assert_eq!(
            used,
            HOST_CALL + read_cost(32) + read_cost(64) + price + write_cost(65)
        );

        // Recovery parameter 4 (k1 takes 0-1, r1 0-3): code 6 after the
        // crypto price.
        let (raw, key, used) = recover(f, &hash, &sig, 4);
        assert_eq!((raw, key), (6 << 32, None));
        assert_eq!(used, HOST_CALL + read_cost(32) + read_cost(64) + price);
        // Above u8: code 6 before the crypto price, as in cosmwasm-vm.
        let (raw, _, used) = recover(f, &hash, &sig, 256);
        assert_eq!(raw, 6 << 32);
        assert_eq!(used, HOST_CALL + read_cost(32) + read_cost(64));
        // Malformed hash and signature.
        assert_eq!(recover(f, &hash[..31], &sig, 0).0, 3 << 32);
        assert_eq!(recover(f, &hash, &sig[..63], 0).0, 4 << 32);
    }
}

#[test]
fn ed25519_verify_vectors_and_codes() {
    let f: Verify = imports::ed25519_verify;
    let (sig, key) = (h(ED_SIG_1), h(ED_PUBKEY_1));
    let (result, used) = verify(f, b"", &sig, &key);
    assert_eq!(result, Ok(0));
    assert_eq!(
        used,
        HOST_CALL + read_cost(0) + read_cost(64) + read_cost(32) + 35 * US
    );
    assert_eq!(
        verify(f, &h(ED_MSG_2), &h(ED_SIG_2), &h(ED_PUBKEY_2)).0,
        Ok(0)
    );
    assert_eq!(verify(f, b"x", &sig, &key).0, Ok(1), "wrong message");
    assert_eq!(verify(f, b"", &sig[..63], &key).0, Ok(4));
    assert_eq!(verify(f, b"", &sig, &key[..31]).0, Ok(5));
    assert!(matches!(
        verify(f, &vec![0; 128 * 1024 + 1], &sig, &key).0,
        Err(HostError::TooLarge {
            what: "message",
            ..
        })
    ));
}

fn batch(messages: &[&[u8]], sigs: &[&[u8]], keys: &[&[u8]]) -> (Result<u32, HostError>, u64) {
    let mut harness = Harness::new();
    let m = harness.place(&encode_sections(messages).unwrap());
    let s = harness.place(&encode_sections(sigs).unwrap());
    let k = harness.place(&encode_sections(keys).unwrap());
    let result = harness.with(|ctx, mem, _| imports::ed25519_batch_verify(ctx, mem, m, s, k));
    (result, harness.used())
}

#[test]
fn ed25519_batch_verify_vectors_and_codes() {
    let (m1, s1, k1) = (Vec::new(), h(ED_SIG_1), h(ED_PUBKEY_1));
    let (m2, s2, k2) = (h(ED_MSG_2), h(ED_SIG_2), h(ED_PUBKEY_2));
    let (result, used) = batch(&[&m1, &m2], &[&s1, &s2], &[&k1, &k2]);
    assert_eq!(result, Ok(0));
    let lens = [4 + 1 + 4, 2 * 68, 2 * 36];
    assert_eq!(
        used,
        HOST_CALL + lens.iter().map(|&n| read_cost(n)).sum::<u64>() + 24 * US + 2 * 21 * US
    );
    // Swapped signatures: invalid.
    assert_eq!(batch(&[&m1, &m2], &[&s2, &s1], &[&k1, &k2]).0, Ok(1));
    // Mismatched counts: code 7.
    assert_eq!(batch(&[&m1, &m2], &[&s1], &[&k1, &k2]).0, Ok(7));
    // Malformed key: code 5.
    assert_eq!(batch(&[&m1], &[&s1], &[&k1[..31]]).0, Ok(5));
    // Empty batch is valid.
    assert_eq!(batch(&[], &[], &[]).0, Ok(0));
    // One public key uses the one-key price.
    let (result, used) = batch(&[&m1], &[&s1], &[&k1]);
    assert_eq!(result, Ok(0));
    let lens = [4, 68, 36];
    assert_eq!(
        used,
        HOST_CALL + lens.iter().map(|&n| read_cost(n)).sum::<u64>() + 36 * US + 10 * US
    );
    // Malformed sections: a trap.
    let mut harness = Harness::new();
    let junk = harness.place(&[1, 2]);
    let ok = harness.place(&[]);
    assert!(matches!(
        harness.with(|ctx, mem, _| imports::ed25519_batch_verify(ctx, mem, junk, ok, ok)),
        Err(HostError::Region(_))
    ));
}

#[test]
fn bls12_381_aggregate_and_pairing() {
    let (g1, g2) = (h(G1), h(G2));
    let mut harness = Harness::new();
    let points = harness.place(&[g1.clone(), g1.clone()].concat());
    let out = harness.out(48);
    assert_eq!(
        harness.with(|ctx, mem, _| imports::bls12_381_aggregate_g1(ctx, mem, points, out)),
        Ok(0)
    );
    let two_g1 = harness.read(out);
    assert_eq!(two_g1.len(), 48);
    assert_ne!(two_g1, g1);
    assert_eq!(
        harness.used(),
        HOST_CALL + read_cost(96) + 68 * US + 2 * 12 * US + write_cost(48)
    );

    // e(g1, g2) * e(g1, g2) == e(2 g1, g2).
    let before = harness.used();
    let ps = harness.place(&[g1.clone(), g1.clone()].concat());
    let qs = harness.place(&[g2.clone(), g2.clone()].concat());
    let r = harness.place(&two_g1);
    let s = harness.place(&g2);
    assert_eq!(
        harness.with(|ctx, mem, _| imports::bls12_381_pairing_equality(ctx, mem, ps, qs, r, s)),
        Ok(0)
    );
    assert_eq!(
        harness.used() - before,
        HOST_CALL
            + read_cost(96)
            + read_cost(192)
            + read_cost(48)
            + read_cost(96)
            + 2112 * US
            + 3 * 163 * US
    );
    // e(g1, g2) != e(2 g1, g2).
    let ps1 = harness.place(&g1);
    let qs1 = harness.place(&g2);
    assert_eq!(
        harness.with(|ctx, mem, _| imports::bls12_381_pairing_equality(ctx, mem, ps1, qs1, r, s)),
        Ok(1)
    );
    // Unequal counts: 13; not a multiple of 48: 11.
    assert_eq!(
        harness.with(|ctx, mem, _| imports::bls12_381_pairing_equality(ctx, mem, ps, qs1, r, s)),
        Ok(13)
    );
    let odd = harness.place(&g1[..47]);
    assert_eq!(
        harness.with(|ctx, mem, _| imports::bls12_381_pairing_equality(ctx, mem, odd, qs1, r, s)),
        Ok(11)
    );

    // G2 aggregation of one point is the point.
    let one = harness.place(&g2);
    let out2 = harness.out(96);
    assert_eq!(
        harness.with(|ctx, mem, _| imports::bls12_381_aggregate_g2(ctx, mem, one, out2)),
        Ok(0)
    );
    assert_eq!(harness.read(out2), g2);

    // Errors: empty (14), not a multiple (15), invalid point (8).
    let empty = harness.place(&[]);
    let out = harness.out(48);
    assert_eq!(
        harness.with(|ctx, mem, _| imports::bls12_381_aggregate_g1(ctx, mem, empty, out)),
        Ok(14)
    );
    let partial = harness.place(&g1[..40]);
    assert_eq!(
        harness.with(|ctx, mem, _| imports::bls12_381_aggregate_g1(ctx, mem, partial, out)),
        Ok(15)
    );
    let mut bad = g1.clone();
    bad[5] ^= 0xff;
    let bad = harness.place(&bad);
    assert_eq!(
        harness.with(|ctx, mem, _| imports::bls12_381_aggregate_g1(ctx, mem, bad, out)),
        Ok(8)
    );
    // An output region that is too small is a trap.
    let tiny = harness.out(10);
    assert!(matches!(
        harness.with(|ctx, mem, _| imports::bls12_381_aggregate_g1(ctx, mem, points, tiny)),
        Err(HostError::Region(_))
    ));
}

#[test]
fn bls12_381_hash_to_curve() {
    let mut harness = Harness::new();
    let msg = harness.place(b"abc");
    let dst = harness.place(b"QUUX-V01-CS02-with-BLS12381G1_XMD:SHA-256_SSWU_RO_");
    let out = harness.out(48);
    assert_eq!(
        harness.with(|ctx, mem, _| imports::bls12_381_hash_to_g1(ctx, mem, 0, msg, dst, out)),
        Ok(0)
    );
    let point = harness.read(out);
    assert_eq!(
        harness.used(),
        HOST_CALL + read_cost(3) + read_cost(50) + 563 * US + write_cost(48)
    );
    // The hash is a valid G1 point: aggregating it alone gives it back.
    let p = harness.place(&point);
    let agg = harness.out(48);
    assert_eq!(
        harness.with(|ctx, mem, _| imports::bls12_381_aggregate_g1(ctx, mem, p, agg)),
        Ok(0)
    );
    assert_eq!(harness.read(agg), point);

    let out2 = harness.out(96);
    assert_eq!(
        harness.with(|ctx, mem, _| imports::bls12_381_hash_to_g2(ctx, mem, 0, msg, dst, out2)),
        Ok(0)
    );
    assert_eq!(harness.read(out2).len(), 96);

    // Unknown hash function: code 9, after the crypto price.
    let before = harness.used();
    assert_eq!(
        harness.with(|ctx, mem, _| imports::bls12_381_hash_to_g1(ctx, mem, 1, msg, dst, out)),
        Ok(9)
    );
    assert_eq!(
        harness.used() - before,
        HOST_CALL + read_cost(3) + read_cost(50) + 563 * US
    );
    let big_dst = harness.place(&[0; 5 * 1024 + 1]);
    assert!(matches!(
        harness.with(|ctx, mem, _| imports::bls12_381_hash_to_g2(ctx, mem, 0, msg, big_dst, out2)),
        Err(HostError::TooLarge { what: "dst", .. })
    ));
}
