//! The bytes generated contracts hand to imports: storage keys that collide
//! on purpose, addresses (valid, wrong case, wrong prefix, over the limit),
//! chain queries the reference's querier answers in every way it can, and
//! crypto inputs from [`crate::crypto`]: signatures that verify, tampered
//! ones, swapped messages and wrong lengths.

use arbitrary::{Result, Unstructured};
use cosmwasm_std::Api as _;

use crate::crypto::{self, EcdsaCase};

/// Storage keys: few, so reads, scans and removals meet earlier writes;
/// with prefixes of each other, the empty key and a high byte.
pub fn key(u: &mut Unstructured<'_>) -> Result<Vec<u8>> {
    Ok(match u.int_in_range(0..=9)? {
        0..=5 => format!("k{}", u.int_in_range(0..=3)?).into_bytes(),
        6 => b"k".to_vec(),
        7 => b"k1\0".to_vec(),
        8 => vec![0xff; u.int_in_range(1..=3)?],
        _ => Vec::new(),
    })
}

/// Storage values, the empty one included (cosmwasm-std refuses it; the
/// import is called here without cosmwasm-std).
pub fn value(u: &mut Unstructured<'_>) -> Result<Vec<u8>> {
    Ok(match u.int_in_range(0..=5)? {
        0 | 1 => format!("v{}", u.int_in_range(0..=9)?).into_bytes(),
        2 => Vec::new(),
        3 => (0..u.int_in_range(1..=300)?).map(|i| i as u8).collect(),
        4 => br#"{"a":1}"#.to_vec(),
        _ => u.arbitrary::<Vec<u8>>()?,
    })
}

fn mock_api() -> cosmwasm_std::testing::MockApi {
    cosmwasm_std::testing::MockApi::default()
}

/// A human address for `addr_validate` and `addr_canonicalize`.
pub fn human_address(u: &mut Unstructured<'_>) -> Result<Vec<u8>> {
    let name = *u.choose(&["alice", "bob", "contract"])?;
    let valid = mock_api().addr_make(name).into_string();
    Ok(match u.int_in_range(0..=9)? {
        0..=3 => valid.into_bytes(),
        // A 20-byte account address.
        4 => mock_api()
            .addr_humanize(&cosmwasm_std::CanonicalAddr::from(vec![7u8; 20]))
            .map(|a| a.into_string())
            .unwrap_or_default()
            .into_bytes(),
        5 => valid.to_uppercase().into_bytes(),
        6 => valid.replacen("cosmwasm", "osmo", 1).into_bytes(),
        7 => vec![b'a'; *u.choose(&[0, 5, 256, 257, 300])?],
        8 => {
            let mut bytes = valid.into_bytes();
            let at = u.choose_index(bytes.len())?;
            bytes[at] ^= 1;
            bytes
        }
        _ => u.arbitrary::<Vec<u8>>()?,
    })
}

/// A canonical address for `addr_humanize`.
pub fn canonical_address(u: &mut Unstructured<'_>) -> Result<Vec<u8>> {
    let length = *u.choose(&[20, 32, 20, 32, 0, 1, 64, 65, 90])?;
    let fill: u8 = u.arbitrary()?;
    Ok(vec![fill; length])
}

/// A `query_chain` request for cosmwasm-vm's mock querier.
pub fn query(u: &mut Unstructured<'_>) -> Result<Vec<u8>> {
    let alice = mock_api().addr_make("alice").into_string();
    Ok(match u.int_in_range(0..=12)? {
        0 | 1 => format!(r#"{{"bank":{{"balance":{{"address":"{alice}","denom":"ucosm"}}}}}}"#),
        2 => r#"{"bank":{"supply":{"denom":"ucosm"}}}"#.to_owned(),
        3 => r#"{"bank":{"all_balances":{"address":"x"}}}"#.to_owned(),
        4 => format!(r#"{{"wasm":{{"smart":{{"contract_addr":"{alice}","msg":"e30="}}}}}}"#),
        5 => format!(r#"{{"wasm":{{"raw":{{"contract_addr":"{alice}","key":"a2V5"}}}}}}"#),
        6 => format!(r#"{{"wasm":{{"contract_info":{{"contract_addr":"{alice}"}}}}}}"#),
        7 => r#"{"staking":{"bonded_denom":{}}}"#.to_owned(),
        8 => r#"{"custom":{}}"#.to_owned(),
        9 => r#"{"bank":{"denom_metadata":{"denom":"ucosm"}}}"#.to_owned(),
        10 => r#"{"foo":{}}"#.to_owned(),
        11 => "not json".to_owned(),
        _ => String::from_utf8_lossy(&u.arbitrary::<Vec<u8>>()?).into_owned(),
    }
    .into_bytes())
}

/// Flips one bit of `bytes` (if any).
fn tamper(u: &mut Unstructured<'_>, mut bytes: Vec<u8>) -> Result<Vec<u8>> {
    if !bytes.is_empty() {
        let at = u.choose_index(bytes.len())?;
        bytes[at] ^= 1 << u.int_in_range(0..=7)?;
    }
    Ok(bytes)
}

/// Changes the length of `bytes` by one, either way.
fn resize(u: &mut Unstructured<'_>, mut bytes: Vec<u8>) -> Result<Vec<u8>> {
    if u.arbitrary()? || bytes.is_empty() {
        bytes.push(0);
    } else {
        bytes.pop();
    }
    Ok(bytes)
}

/// `(message hash, signature, public key)` for `secp256*_verify`: mostly a
/// signature that verifies, else one broken in one way.
pub fn ecdsa_verify(u: &mut Unstructured<'_>, cases: &[EcdsaCase]) -> Result<[Vec<u8>; 3]> {
    let case = u.choose(cases)?;
    let other = u.choose(cases)?;
    let (hash, sig) = (case.message_hash.to_vec(), case.signature.to_vec());
    let key = if u.arbitrary()? {
        case.public_key.clone()
    } else {
        case.public_key_compressed.clone()
    };
    // A length over the import's limit ends the call: rarer than the
    // other ways to break a signature.
    Ok(match u.int_in_range(0..=11)? {
        0..=4 => [hash, sig, key],
        5 => [other.message_hash.to_vec(), sig, key],
        6 => [hash, sig, other.public_key.clone()],
        7 | 8 => [hash, tamper(u, sig)?, key],
        9 => [resize(u, hash)?, sig, key],
        10 => [hash, resize(u, sig)?, resize(u, key)?],
        _ => [hash, sig, tamper(u, key)?],
    })
}

/// `(message hash, signature, recovery param)` for
/// `secp256*_recover_pubkey`.
pub fn ecdsa_recover(
    u: &mut Unstructured<'_>,
    cases: &[EcdsaCase],
) -> Result<(Vec<u8>, Vec<u8>, u32)> {
    let case = u.choose(cases)?;
    let param = u32::from(case.recovery_param);
    let (hash, sig) = (case.message_hash.to_vec(), case.signature.to_vec());
    Ok(match u.int_in_range(0..=7)? {
        0..=3 => (hash, sig, param),
        4 => (hash, sig, param ^ 1),
        5 => (hash, sig, *u.choose(&[2, 3, 27, u32::MAX])?),
        6 => (hash, tamper(u, sig)?, param),
        _ => (resize(u, hash)?, resize(u, sig)?, param),
    })
}

/// `(message, signature, public key)` for `ed25519_verify`.
pub fn ed25519_verify(u: &mut Unstructured<'_>) -> Result<[Vec<u8>; 3]> {
    let cases = crypto::ed25519();
    let case = u.choose(cases)?;
    let (msg, sig, key) = (
        case.message.clone(),
        case.signature.to_vec(),
        case.public_key.to_vec(),
    );
    Ok(match u.int_in_range(0..=7)? {
        0..=3 => [msg, sig, key],
        4 => [tamper(u, msg)?, sig, key],
        5 => [msg, tamper(u, sig)?, key],
        6 => [msg, resize(u, sig)?, key],
        _ => [msg, sig, resize(u, key)?],
    })
}

/// Sections-encoded `(messages, signatures, public keys)` for
/// `ed25519_batch_verify`: 0 to 4 signatures, in the three forms the
/// import takes (one message per signature, one message for every key,
/// one key for every message), sometimes with one signature broken or the
/// counts mismatched.
pub fn ed25519_batch(u: &mut Unstructured<'_>) -> Result<[Vec<u8>; 3]> {
    let cases = crypto::ed25519();
    let count = u.int_in_range(0..=4)?;
    let form = u.int_in_range(0..=2)?;
    let mut chosen: Vec<&crypto::Ed25519Case> = Vec::new();
    let message_index = u.int_in_range(0..=crypto::MESSAGES - 1)?;
    let key_index = u.int_in_range(0..=crypto::KEYS - 1)?;
    for i in 0..count {
        let index = match form {
            // The same message signed by different keys.
            1 => (i % crypto::KEYS) * crypto::MESSAGES + message_index,
            // Different messages signed by one key.
            2 => key_index * crypto::MESSAGES + i % crypto::MESSAGES,
            _ => u.choose_index(cases.len())?,
        };
        chosen.push(&cases[index]);
    }
    let mut messages: Vec<Vec<u8>> = chosen.iter().map(|c| c.message.clone()).collect();
    let mut signatures: Vec<Vec<u8>> = chosen.iter().map(|c| c.signature.to_vec()).collect();
    let mut keys: Vec<Vec<u8>> = chosen.iter().map(|c| c.public_key.to_vec()).collect();
    if form == 1 && count > 0 {
        messages.truncate(1);
    }
    if form == 2 && count > 0 {
        keys.truncate(1);
    }
    match u.int_in_range(0..=5)? {
        0 if !signatures.is_empty() => {
            let at = u.choose_index(signatures.len())?;
            signatures[at] = tamper(u, signatures[at].clone())?;
        }
        1 => {
            signatures.pop();
        }
        2 if !keys.is_empty() => {
            let at = u.choose_index(keys.len())?;
            keys[at] = resize(u, keys[at].clone())?;
        }
        _ => {}
    }
    let encode =
        |items: &[Vec<u8>]| crypto::sections(&items.iter().map(Vec::as_slice).collect::<Vec<_>>());
    Ok([encode(&messages), encode(&signatures), encode(&keys)])
}

/// Concatenated compressed points for `bls12_381_aggregate_g1`
/// (`width` 48) or `_g2` (96): 0 to 4 multiples of the generator, the
/// identity, or a broken point or length.
pub fn bls_points(u: &mut Unstructured<'_>, g2: bool) -> Result<Vec<u8>> {
    let count = u.int_in_range(0..=4)?;
    let mut points: Vec<u8> = Vec::new();
    for _ in 0..count {
        if g2 {
            points.extend_from_slice(u.choose(crypto::g2_multiples())?);
        } else {
            points.extend_from_slice(u.choose(crypto::g1_multiples())?);
        }
    }
    Ok(match u.int_in_range(0..=7)? {
        0..=4 => points,
        5 if g2 => [points, crypto::g2_identity().to_vec()].concat(),
        5 => [points, crypto::g1_identity().to_vec()].concat(),
        6 => tamper(u, points)?,
        _ => resize(u, points)?,
    })
}

/// `(ps, qs, r, s)` for `bls12_381_pairing_equality`: 0 to 3 pairs, the
/// equation holding or not, sometimes a broken point or length.
pub fn bls_pairing(u: &mut Unstructured<'_>) -> Result<[Vec<u8>; 4]> {
    let pairs = u.int_in_range(0..=3)?;
    let offset = if u.ratio(2, 3)? { 0 } else { 1 };
    let case = crypto::pairing(pairs, offset);
    let (ps, qs, r, s) = (case.ps, case.qs, case.r.to_vec(), case.s.to_vec());
    Ok(match u.int_in_range(0..=6)? {
        0..=3 => [ps, qs, r, s],
        4 => [ps, resize(u, qs)?, r, s],
        5 => [ps, qs, tamper(u, r)?, s],
        _ => [ps, qs, r, resize(u, s)?],
    })
}

/// `(message, domain separation tag)` for `bls12_381_hash_to_g*`.
pub fn bls_hash(u: &mut Unstructured<'_>) -> Result<[Vec<u8>; 2]> {
    let msg = crypto::message(u.int_in_range(0..=3)?);
    let dst = match u.int_in_range(0..=3)? {
        0 => Vec::new(),
        1 => vec![b'd'; 300],
        _ => b"BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_NUL_".to_vec(),
    };
    Ok([msg, dst])
}

/// Text for `debug` and `abort`.
pub fn text(u: &mut Unstructured<'_>) -> Result<Vec<u8>> {
    Ok(match u.int_in_range(0..=3)? {
        0 => b"hello".to_vec(),
        1 => vec![0xff, 0xfe, b'x'],
        2 => Vec::new(),
        _ => u.arbitrary::<Vec<u8>>()?,
    })
}
