//! Cryptographic imports, computed by cosmwasm-crypto 3.0.10 (the code
//! wasmd nodes run).
//!
//! Arguments over their size limit trap (cosmwasm-vm reads them with that
//! limit); malformed-but-in-limit input and invalid signatures are returned
//! to the contract as cosmwasm-crypto's `CryptoError::code()`, which
//! cosmwasm-std turns back into `VerificationError` / `RecoverPubkeyError` /
//! `AggregationError` / `PairingEqualityError`. Where cosmwasm-vm panics on
//! an error variant "that must not happen", we return its code: the host
//! never panics on guest input.
//!
//! Gas, every import: host call; each argument's region read, in argument
//! order; the crypto price from the schedule; the result's region write.

use cosmwasm_crypto::{
    CryptoError, ECDSA_PUBKEY_MAX_LEN, ECDSA_SIGNATURE_LEN, EDDSA_PUBKEY_LEN, HashFunction,
    MESSAGE_HASH_MAX_LEN,
};
use cw_gas::{CostTable, CryptoOp};
use cw_region::{GuestMemory, decode_sections};

use crate::batch_rng::BatchRng;
use crate::context::HostContext;
use crate::error::HostError;
use crate::limits::{
    BLS12_381_MAX_AGGREGATE_SIZE, BLS12_381_MAX_DST_SIZE, BLS12_381_MAX_MESSAGE_SIZE,
    MAX_COUNT_ED25519_BATCH, MAX_LENGTH_ED25519_MESSAGE, MAX_LENGTH_ED25519_SIGNATURE,
};
use crate::memory::GuestAllocator;

/// Length of a compressed BLS12-381 G1 point.
const G1_POINT_LEN: usize = 48;
/// Length of a compressed BLS12-381 G2 point.
const G2_POINT_LEN: usize = 96;
/// Return code of a successful verification, aggregation, hash or a
/// holding pairing equality.
const CODE_OK: u32 = 0;
/// Return code of a well-formed but invalid signature or a failing pairing
/// equality.
const CODE_INVALID: u32 = 1;
/// Section length suffix in the batch lists.
const SECTION_SUFFIX: usize = 4;

fn len_u64(len: usize) -> u64 {
    u64::try_from(len).unwrap_or(u64::MAX)
}

/// `Ok(true)` → 0, `Ok(false)` → 1, an error → its code.
fn verdict(result: Result<bool, CryptoError>) -> u32 {
    match result {
        Ok(true) => CODE_OK,
        Ok(false) => CODE_INVALID,
        Err(e) => e.code(),
    }
}

/// `secp256k1_verify(message_hash_ptr, signature_ptr, public_key_ptr) -> u32`:
/// 0 valid, 1 invalid, else a `CryptoError` code (3 hash, 4 signature, 5
/// public key format, 10 generic).
///
/// Limits: hash 32, signature 64, public key 65 bytes.
///
/// # Errors
/// Traps on bad regions, over-limit arguments, out of gas.
pub fn secp256k1_verify<T: CostTable>(
    ctx: &mut HostContext<'_, T>,
    memory: &dyn GuestMemory,
    hash_ptr: u32,
    signature_ptr: u32,
    pubkey_ptr: u32,
) -> Result<u32, HostError> {
    ctx.charge_host_call()?;
    let hash = ctx.read_arg(memory, hash_ptr, MESSAGE_HASH_MAX_LEN, "message hash")?;
    let signature = ctx.read_arg(memory, signature_ptr, ECDSA_SIGNATURE_LEN, "signature")?;
    let pubkey = ctx.read_arg(memory, pubkey_ptr, ECDSA_PUBKEY_MAX_LEN, "public key")?;
    ctx.gas.charge_crypto(CryptoOp::Secp256k1Verify)?;
    Ok(verdict(cosmwasm_crypto::secp256k1_verify(
        &hash, &signature, &pubkey,
    )))
}

/// `secp256r1_verify(message_hash_ptr, signature_ptr, public_key_ptr) -> u32`:
/// as [`secp256k1_verify`] on the NIST P-256 curve.
///
/// # Errors
/// Traps on bad regions, over-limit arguments, out of gas.
pub fn secp256r1_verify<T: CostTable>(
    ctx: &mut HostContext<'_, T>,
    memory: &dyn GuestMemory,
    hash_ptr: u32,
    signature_ptr: u32,
    pubkey_ptr: u32,
) -> Result<u32, HostError> {
    ctx.charge_host_call()?;
    let hash = ctx.read_arg(memory, hash_ptr, MESSAGE_HASH_MAX_LEN, "message hash")?;
    let signature = ctx.read_arg(memory, signature_ptr, ECDSA_SIGNATURE_LEN, "signature")?;
    let pubkey = ctx.read_arg(memory, pubkey_ptr, ECDSA_PUBKEY_MAX_LEN, "public key")?;
    ctx.gas.charge_crypto(CryptoOp::Secp256r1Verify)?;
    Ok(verdict(cosmwasm_crypto::secp256r1_verify(
        &hash, &signature, &pubkey,
    )))
}

/// Which curve a recovery runs on.
#[derive(Clone, Copy)]
enum Curve {
    K1,
    R1,
}

fn recover_pubkey<T: CostTable>(
    ctx: &mut HostContext<'_, T>,
    memory: &dyn GuestMemory,
    allocator: &mut dyn GuestAllocator,
    curve: Curve,
    (hash_ptr, signature_ptr, recover_param): (u32, u32, u32),
) -> Result<u64, HostError> {
    ctx.charge_host_call()?;
    let hash = ctx.read_arg(memory, hash_ptr, MESSAGE_HASH_MAX_LEN, "message hash")?;
    let signature = ctx.read_arg(memory, signature_ptr, ECDSA_SIGNATURE_LEN, "signature")?;
    // cosmwasm-vm refuses a parameter above u8 before charging the crypto price.
    let Ok(recover_param) = u8::try_from(recover_param) else {
        return Ok(u64::from(CryptoError::invalid_recovery_param().code()) << 32);
    };
    ctx.gas.charge_crypto(match curve {
        Curve::K1 => CryptoOp::Secp256k1RecoverPubkey,
        Curve::R1 => CryptoOp::Secp256r1RecoverPubkey,
    })?;
    let recovered = match curve {
        Curve::K1 => cosmwasm_crypto::secp256k1_recover_pubkey(&hash, &signature, recover_param),
        Curve::R1 => cosmwasm_crypto::secp256r1_recover_pubkey(&hash, &signature, recover_param),
    };
    match recovered {
        Ok(pubkey) => Ok(u64::from(
            ctx.write_to_contract(memory, allocator, &pubkey)?,
        )),
        Err(e) => Ok(u64::from(e.code()) << 32),
    }
}

/// `secp256k1_recover_pubkey(message_hash_ptr, signature_ptr,
/// recovery_param) -> u64`: on success the address of a new region holding
/// the 65-byte uncompressed public key (error code 0 in the high half); on
/// failure `code << 32` (3 hash, 4 signature format, 6 recovery parameter,
/// 10 generic).
///
/// Gas: a recovery parameter above 255 returns code 6 before the crypto
/// price is charged, as in cosmwasm-vm.
///
/// # Errors
/// Traps on bad regions, over-limit arguments, out of gas, allocator
/// failure.
pub fn secp256k1_recover_pubkey<T: CostTable>(
    ctx: &mut HostContext<'_, T>,
    memory: &dyn GuestMemory,
    allocator: &mut dyn GuestAllocator,
    hash_ptr: u32,
    signature_ptr: u32,
    recover_param: u32,
) -> Result<u64, HostError> {
    recover_pubkey(
        ctx,
        memory,
        allocator,
        Curve::K1,
        (hash_ptr, signature_ptr, recover_param),
    )
}

/// `secp256r1_recover_pubkey(message_hash_ptr, signature_ptr,
/// recovery_param) -> u64`: as [`secp256k1_recover_pubkey`] on P-256.
///
/// # Errors
/// As [`secp256k1_recover_pubkey`].
pub fn secp256r1_recover_pubkey<T: CostTable>(
    ctx: &mut HostContext<'_, T>,
    memory: &dyn GuestMemory,
    allocator: &mut dyn GuestAllocator,
    hash_ptr: u32,
    signature_ptr: u32,
    recover_param: u32,
) -> Result<u64, HostError> {
    recover_pubkey(
        ctx,
        memory,
        allocator,
        Curve::R1,
        (hash_ptr, signature_ptr, recover_param),
    )
}

/// `ed25519_verify(message_ptr, signature_ptr, public_key_ptr) -> u32`: 0
/// valid, 1 invalid, 4 signature format, 5 public key format.
///
/// Limits: message 128 KiB, signature 64, public key 32 bytes.
///
/// # Errors
/// Traps on bad regions, over-limit arguments, out of gas.
pub fn ed25519_verify<T: CostTable>(
    ctx: &mut HostContext<'_, T>,
    memory: &dyn GuestMemory,
    message_ptr: u32,
    signature_ptr: u32,
    pubkey_ptr: u32,
) -> Result<u32, HostError> {
    ctx.charge_host_call()?;
    let message = ctx.read_arg(memory, message_ptr, MAX_LENGTH_ED25519_MESSAGE, "message")?;
    let signature = ctx.read_arg(
        memory,
        signature_ptr,
        MAX_LENGTH_ED25519_SIGNATURE,
        "signature",
    )?;
    let pubkey = ctx.read_arg(memory, pubkey_ptr, EDDSA_PUBKEY_LEN, "public key")?;
    ctx.gas.charge_crypto(CryptoOp::Ed25519Verify {
        message_len: len_u64(message.len()),
    })?;
    Ok(verdict(cosmwasm_crypto::ed25519_verify(
        &message, &signature, &pubkey,
    )))
}

/// `ed25519_batch_verify(messages_ptr, signatures_ptr, public_keys_ptr) ->
/// u32`: each argument is a sections-encoded list; 0 if all valid, 1 if
/// not, 7 for mismatched list lengths, 4/5 for a malformed signature/key.
/// Lists of equal length, or one message (multisig), or one key are
/// accepted; all empty is valid.
///
/// Limits: `(item limit + 4) * 256` bytes per list. Gas: the crypto price
/// is charged on the number of signatures, with the one-key price when
/// exactly one public key is given (cw-gas prices that).
///
/// # Errors
/// Traps on bad regions, over-limit lists, malformed sections, out of gas.
pub fn ed25519_batch_verify<T: CostTable>(
    ctx: &mut HostContext<'_, T>,
    memory: &dyn GuestMemory,
    messages_ptr: u32,
    signatures_ptr: u32,
    public_keys_ptr: u32,
) -> Result<u32, HostError> {
    let list_limit = |item: usize| (item + SECTION_SUFFIX) * MAX_COUNT_ED25519_BATCH;
    ctx.charge_host_call()?;
    let messages = ctx.read_arg(
        memory,
        messages_ptr,
        list_limit(MAX_LENGTH_ED25519_MESSAGE),
        "ed25519 batch messages",
    )?;
    let signatures = ctx.read_arg(
        memory,
        signatures_ptr,
        list_limit(MAX_LENGTH_ED25519_SIGNATURE),
        "ed25519 batch signatures",
    )?;
    let public_keys = ctx.read_arg(
        memory,
        public_keys_ptr,
        list_limit(EDDSA_PUBKEY_LEN),
        "ed25519 batch public keys",
    )?;
    let messages = decode_sections(&messages)?;
    let signatures = decode_sections(&signatures)?;
    let public_keys = decode_sections(&public_keys)?;
    ctx.gas.charge_crypto(CryptoOp::Ed25519BatchVerify {
        signatures: len_u64(signatures.len()),
        public_keys: len_u64(public_keys.len()),
        total_message_len: messages
            .iter()
            .fold(0u64, |sum, m| sum.saturating_add(len_u64(m.len()))),
    })?;
    let mut rng = BatchRng::for_batch([&messages, &signatures, &public_keys]);
    Ok(verdict(cosmwasm_crypto::ed25519_batch_verify(
        &mut rng,
        &messages,
        &signatures,
        &public_keys,
    )))
}

/// `bls12_381_aggregate_g1(g1s_ptr, out_ptr) -> u32`: 0 and the 48-byte sum
/// written into the contract's `out` region, or a code (8 invalid point, 14
/// empty, 15 not a multiple of 48).
///
/// Gas: the price is charged on `len / 48` points (cosmwasm-vm's estimate).
///
/// # Errors
/// Traps on bad regions (including an `out` region under 48 bytes), input
/// over 2 MiB, out of gas.
pub fn bls12_381_aggregate_g1<T: CostTable>(
    ctx: &mut HostContext<'_, T>,
    memory: &dyn GuestMemory,
    g1s_ptr: u32,
    out_ptr: u32,
) -> Result<u32, HostError> {
    aggregate(
        ctx,
        memory,
        (g1s_ptr, out_ptr),
        "g1 points",
        |len| CryptoOp::Bls12381AggregateG1 {
            points: len_u64(len / G1_POINT_LEN),
        },
        cosmwasm_crypto::bls12_381_aggregate_g1,
    )
}

/// `bls12_381_aggregate_g2(g2s_ptr, out_ptr) -> u32`: as
/// [`bls12_381_aggregate_g1`] for 96-byte G2 points.
///
/// # Errors
/// As [`bls12_381_aggregate_g1`].
pub fn bls12_381_aggregate_g2<T: CostTable>(
    ctx: &mut HostContext<'_, T>,
    memory: &dyn GuestMemory,
    g2s_ptr: u32,
    out_ptr: u32,
) -> Result<u32, HostError> {
    aggregate(
        ctx,
        memory,
        (g2s_ptr, out_ptr),
        "g2 points",
        |len| CryptoOp::Bls12381AggregateG2 {
            points: len_u64(len / G2_POINT_LEN),
        },
        cosmwasm_crypto::bls12_381_aggregate_g2,
    )
}

/// Both aggregations: host call, read the points, charge on their count,
/// aggregate, write the sum into `out` or return the error code.
fn aggregate<T: CostTable, const N: usize>(
    ctx: &mut HostContext<'_, T>,
    memory: &dyn GuestMemory,
    (points_ptr, out_ptr): (u32, u32),
    what: &'static str,
    price: impl FnOnce(usize) -> CryptoOp,
    sum: fn(&[u8]) -> Result<[u8; N], cosmwasm_crypto::CryptoError>,
) -> Result<u32, HostError> {
    ctx.charge_host_call()?;
    let points = ctx.read_arg(memory, points_ptr, BLS12_381_MAX_AGGREGATE_SIZE, what)?;
    ctx.gas.charge_crypto(price(points.len()))?;
    match sum(&points) {
        Ok(point) => {
            ctx.write_into(memory, out_ptr, &point)?;
            Ok(CODE_OK)
        }
        Err(e) => Ok(e.code()),
    }
}

/// `bls12_381_pairing_equality(ps_ptr, qs_ptr, r_ptr, s_ptr) -> u32`: 0 if
/// `e(p1, q1) * ... * e(pn, qn) == e(r, s)`, 1 if not, else a code (8
/// invalid point, 11/12 not a multiple of 48/96, 13 unequal counts).
///
/// Limits: `ps`, `qs` 2 MiB; `r` 48; `s` 96 bytes. Gas: priced on
/// `n = len(ps) / 48`, i.e. `n + 1` pairings.
///
/// # Errors
/// Traps on bad regions, over-limit arguments, out of gas.
pub fn bls12_381_pairing_equality<T: CostTable>(
    ctx: &mut HostContext<'_, T>,
    memory: &dyn GuestMemory,
    ps_ptr: u32,
    qs_ptr: u32,
    r_ptr: u32,
    s_ptr: u32,
) -> Result<u32, HostError> {
    ctx.charge_host_call()?;
    let ps = ctx.read_arg(memory, ps_ptr, BLS12_381_MAX_AGGREGATE_SIZE, "g1 points")?;
    let qs = ctx.read_arg(memory, qs_ptr, BLS12_381_MAX_AGGREGATE_SIZE, "g2 points")?;
    let r = ctx.read_arg(memory, r_ptr, G1_POINT_LEN, "g1 point")?;
    let s = ctx.read_arg(memory, s_ptr, G2_POINT_LEN, "g2 point")?;
    ctx.gas.charge_crypto(CryptoOp::Bls12381PairingEquality {
        n: len_u64(ps.len() / G1_POINT_LEN),
    })?;
    Ok(verdict(cosmwasm_crypto::bls12_381_pairing_equality(
        &ps, &qs, &r, &s,
    )))
}

/// Which group a hash-to-curve maps into.
#[derive(Clone, Copy)]
enum Group {
    G1,
    G2,
}

fn hash_to_curve<T: CostTable>(
    ctx: &mut HostContext<'_, T>,
    memory: &dyn GuestMemory,
    group: Group,
    (hash_function, msg_ptr, dst_ptr, out_ptr): (u32, u32, u32, u32),
) -> Result<u32, HostError> {
    ctx.charge_host_call()?;
    let msg = ctx.read_arg(memory, msg_ptr, BLS12_381_MAX_MESSAGE_SIZE, "message")?;
    let dst = ctx.read_arg(memory, dst_ptr, BLS12_381_MAX_DST_SIZE, "dst")?;
    ctx.gas.charge_crypto(match group {
        Group::G1 => CryptoOp::Bls12381HashToG1,
        Group::G2 => CryptoOp::Bls12381HashToG2,
    })?;
    let hash_function = match HashFunction::from_u32(hash_function) {
        Ok(f) => f,
        Err(e) => return Ok(e.code()),
    };
    match group {
        Group::G1 => {
            let point = cosmwasm_crypto::bls12_381_hash_to_g1(hash_function, &msg, &dst);
            ctx.write_into(memory, out_ptr, &point)?;
        }
        Group::G2 => {
            let point = cosmwasm_crypto::bls12_381_hash_to_g2(hash_function, &msg, &dst);
            ctx.write_into(memory, out_ptr, &point)?;
        }
    }
    Ok(CODE_OK)
}

/// `bls12_381_hash_to_g1(hash_function, msg_ptr, dst_ptr, out_ptr) -> u32`:
/// 0 and the 48-byte point written into `out`, or 9 for an unknown hash
/// function (only 0, SHA-256, exists). The crypto price is charged before
/// the hash function is checked, as in cosmwasm-vm.
///
/// Limits: message 5 MiB, dst 5 KiB.
///
/// # Errors
/// Traps on bad regions (including an `out` region under 48 bytes),
/// over-limit arguments, out of gas.
pub fn bls12_381_hash_to_g1<T: CostTable>(
    ctx: &mut HostContext<'_, T>,
    memory: &dyn GuestMemory,
    hash_function: u32,
    msg_ptr: u32,
    dst_ptr: u32,
    out_ptr: u32,
) -> Result<u32, HostError> {
    hash_to_curve(
        ctx,
        memory,
        Group::G1,
        (hash_function, msg_ptr, dst_ptr, out_ptr),
    )
}

/// `bls12_381_hash_to_g2(hash_function, msg_ptr, dst_ptr, out_ptr) -> u32`:
/// as [`bls12_381_hash_to_g1`] with a 96-byte G2 point.
///
/// # Errors
/// As [`bls12_381_hash_to_g1`].
pub fn bls12_381_hash_to_g2<T: CostTable>(
    ctx: &mut HostContext<'_, T>,
    memory: &dyn GuestMemory,
    hash_function: u32,
    msg_ptr: u32,
    dst_ptr: u32,
    out_ptr: u32,
) -> Result<u32, HostError> {
    hash_to_curve(
        ctx,
        memory,
        Group::G2,
        (hash_function, msg_ptr, dst_ptr, out_ptr),
    )
}
