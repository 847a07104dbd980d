//! Drawing a [`ContractCase`] from fuzz input.

use arbitrary::{Result, Unstructured};

use super::inputs;
use super::{
    Address, Arg, BadRegion, CallSpec, ContractCase, ContractProgram, ENTRY_POINTS, Export, Gas,
    HostCall, Import, Iter, MAX_NESTING, Operand, ResultSpec, Step,
};
use crate::crypto;

/// Gas limits a call is drawn with: plenty, then less and less, so gas runs
/// out in Wasm, in imports, writing arguments and reading results.
const GAS_LIMITS: [u64; 8] = [
    5_000_000_000,
    5_000_000_000,
    1_000_000_000,
    200_000_000,
    50_000_000,
    10_000_000,
    2_000_000,
    700_000,
];

/// Lengths of [`BadRegion::Long`]: the import limits plus one (keys 64 KiB,
/// values 128 KiB, debug and abort 2 MiB, hash-to-curve messages 5 MiB), and
/// a length inside the limits that runs past the end of memory.
/// And one over the 64 MiB result limit, for a result region.
const LONG: [u32; 7] = [
    65_537, 131_073, 2_097_153, 5_242_881, 60_000, 300_000, 67_108_865,
];

impl ContractCase {
    /// Draws a case; `max_gas` caps every call's gas limit (tests in debug
    /// builds keep it low, the fuzzer does not).
    ///
    /// # Errors
    /// `u` ran out in a way `arbitrary` reports.
    pub fn arbitrary(u: &mut Unstructured<'_>, max_gas: u64) -> Result<Self> {
        let program = ContractProgram::arbitrary(u)?;
        let mut stored = Vec::new();
        for _ in 0..u.int_in_range(0..=4)? {
            stored.push((inputs::key(u)?, inputs::value(u)?));
        }
        let mut calls = Vec::new();
        for index in 0..u.int_in_range(1..=4)? {
            let entry = if index == 0 && u.ratio(3, 4)? {
                cw_host::EntryPoint::Instantiate
            } else if u.ratio(7, 8)? && !program.exports.is_empty() {
                u.choose(&program.exports)?.entry
            } else {
                u.choose(&ENTRY_POINTS)?.0
            };
            let msg = match u.int_in_range(0..=5)? {
                0..=2 => b"{}".to_vec(),
                3 => inputs::key(u)?,
                4 => Vec::new(),
                _ => u.arbitrary::<Vec<u8>>()?,
            };
            let gas = match u.int_in_range(0..=11)? {
                0..=4 => Gas::Limit(max_gas),
                5 | 6 => Gas::Fraction(u.arbitrary()?),
                7 => Gas::Exact(*u.choose(&[-1, 0, -2, 1])?),
                8 => Gas::Limit(u.int_in_range(0..=3_000_000_000)?.min(max_gas)),
                _ => Gas::Limit((*u.choose(&GAS_LIMITS)?).min(max_gas)),
            };
            calls.push(CallSpec {
                entry,
                msg,
                gas,
                migrate_info: u.ratio(3, 4)?,
            });
        }
        Ok(Self {
            program,
            stored,
            calls,
        })
    }
}

impl ContractProgram {
    /// Draws a program (see the module docs of [`super`]).
    ///
    /// # Errors
    /// `u` ran out in a way `arbitrary` reports.
    pub fn arbitrary(u: &mut Unstructured<'_>) -> Result<Self> {
        // wasm-smith's bytes first, while the input lasts.
        let smith = if u.ratio(1, 3)? {
            let length = u.int_in_range(64..=600)?;
            Some(u.bytes(length.min(u.len()))?.to_vec())
        } else {
            None
        };
        let mut routines = Vec::new();
        for _ in 0..u.int_in_range(1..=3)? {
            routines.push(steps(u, 0, 1..=8)?);
        }
        let mut exports = Vec::new();
        for (index, (entry, params)) in ENTRY_POINTS.iter().enumerate() {
            // instantiate, execute, query always; the others half the time.
            if index >= 3 && !u.arbitrary::<bool>()? {
                continue;
            }
            let params = if *entry == cw_host::EntryPoint::Migrate && u.arbitrary()? {
                2
            } else {
                *params
            };
            let result = if u.ratio(7, 8)? {
                ResultSpec::Digest
            } else {
                ResultSpec::Region(region(u, |u| {
                    Ok(u.choose(&[&br#"{"ok":{}}"#[..], b"", b"\xff"])?.to_vec())
                })?)
            };
            exports.push(Export {
                entry: *entry,
                params,
                routine: u.choose_index(routines.len())?,
                result,
            });
        }
        let in_allocate = if u.ratio(1, 6)? {
            Some(u.choose_index(routines.len())?)
        } else {
            None
        };
        Ok(Self {
            extra_pages: *u.choose(&[0, 0, 1, 2])?,
            zero_region: if u.ratio(1, 8)? {
                Some(inputs::key(u)?)
            } else {
                None
            },
            routines,
            max_depth: *u.choose(&[0, 1, 2, 4, 16, 64])?,
            exports,
            in_allocate,
            smith,
        })
    }
}

fn steps(
    u: &mut Unstructured<'_>,
    level: usize,
    count: std::ops::RangeInclusive<usize>,
) -> Result<Vec<Step>> {
    let mut steps = Vec::new();
    for _ in 0..u.int_in_range(count)? {
        let step = step(u, level)?;
        let scans = matches!(&step, Step::Host(call) if call.import == Import::DbScan);
        steps.push(step);
        // A scan is mostly followed by a few steps of its iterator.
        if scans && u.ratio(4, 5)? {
            let next = *u.choose(&[Import::DbNext, Import::DbNextKey, Import::DbNextValue])?;
            let call = HostCall {
                import: next,
                operands: vec![Operand::Iter(Iter::Last)],
            };
            let times = u.int_in_range(1..=5)?;
            steps.push(if level < MAX_NESTING {
                Step::Repeat {
                    times,
                    body: vec![Step::Host(call)],
                }
            } else {
                Step::Host(call)
            });
        }
    }
    Ok(steps)
}

fn step(u: &mut Unstructured<'_>, level: usize) -> Result<Step> {
    Ok(match u.int_in_range(0..=99)? {
        0..=59 => Step::Host(host_call(u)?),
        60..=67 if level < MAX_NESTING => Step::Repeat {
            times: u.int_in_range(0..=6)?,
            body: steps(u, level + 1, 1..=4)?,
        },
        68..=72 => Step::Routine(u.int_in_range(0..=2)?),
        73..=77 => Step::Store {
            address: address(u)?,
            value: u.arbitrary()?,
            narrow: u.arbitrary()?,
        },
        78..=82 => Step::Load(address(u)?),
        83..=85 => Step::Grow(*u.choose(&[0, 1, 3, 300])?),
        86..=91 => Step::Burn(u.int_in_range(0..=2_000)?),
        92..=98 => Step::Smith(u.arbitrary()?),
        _ => Step::Trap,
    })
}

/// Mostly inside memory: a store or load past its end traps and ends the
/// call.
fn address(u: &mut Unstructured<'_>) -> Result<Address> {
    Ok(match u.int_in_range(0..=19)? {
        0..=9 => Address::Static(u.arbitrary()?),
        10..=15 => Address::Heap(u.int_in_range(0..=4_096)?),
        16 | 17 => Address::End(u.int_in_range(-64..=-8)?),
        18 => Address::End(u.int_in_range(-7..=8)?),
        _ => Address::Raw(u.arbitrary()?),
    })
}

/// A region argument: mostly a good region over `good`'s bytes.
fn region(
    u: &mut Unstructured<'_>,
    good: impl FnOnce(&mut Unstructured<'_>) -> Result<Vec<u8>>,
) -> Result<Arg> {
    // Every operand that is not good may end the call: keep them rare.
    Ok(match u.int_in_range(0..=99)? {
        0..=89 => Arg::Bytes(good(u)?),
        90 => Arg::Msg,
        91 => Arg::Env,
        92 => Arg::Info,
        93 => Arg::Last,
        94 | 95 => Arg::Zero,
        96 => Arg::Raw(u.arbitrary()?),
        97 => Arg::Out(u.int_in_range(0..=64)?),
        _ => Arg::Bad(bad_region(u)?),
    })
}

fn bad_region(u: &mut Unstructured<'_>) -> Result<BadRegion> {
    Ok(match u.int_in_range(0..=5)? {
        0 => BadRegion::NullOffset,
        1 => BadRegion::LengthOverCapacity,
        2 => BadRegion::CapacityOverflow,
        3 => BadRegion::PastEnd,
        4 => BadRegion::StructPastEnd,
        _ => BadRegion::Long(*u.choose(&LONG)?),
    })
}

/// An output region: mostly an empty one of the capacity the answer needs,
/// sometimes one of the others in `capacities` (too small, or larger), now
/// and then any region.
fn out(u: &mut Unstructured<'_>, capacities: &[u32]) -> Result<Arg> {
    Ok(match u.int_in_range(0..=15)? {
        0..=11 => Arg::Out(capacities[0]),
        12..=14 => Arg::Out(*u.choose(capacities)?),
        _ => region(u, |u| Ok(vec![0; u.int_in_range(0..=100)?]))?,
    })
}

fn number(u: &mut Unstructured<'_>, usual: &[u32], odd: &[u32]) -> Result<Operand> {
    Ok(Operand::Number(if u.ratio(7, 8)? {
        *u.choose(usual)?
    } else {
        *u.choose(odd)?
    }))
}

fn iter(u: &mut Unstructured<'_>) -> Result<Operand> {
    Ok(Operand::Iter(if u.ratio(5, 6)? {
        Iter::Last
    } else {
        Iter::Raw(*u.choose(&[0, 1, 2, 3, 100, u32::MAX])?)
    }))
}

/// A region argument over fixed bytes (drawn before the region).
fn bytes(u: &mut Unstructured<'_>, bytes: Vec<u8>) -> Result<Operand> {
    Ok(Operand::Region(region(u, |_| Ok(bytes))?))
}

fn host_call(u: &mut Unstructured<'_>) -> Result<HostCall> {
    use Import::*;
    // Iterator steps mostly follow their scan (see `steps`).
    const WEIGHTED: &[Import] = &[
        DbRead, DbRead, DbRead, DbWrite, DbWrite, DbWrite, DbRemove, DbScan, DbScan,
    ];
    let import = if u.ratio(1, 2)? {
        *u.choose(WEIGHTED)?
    } else {
        *u.choose(Import::ALL)?
    };
    // Mostly open a scan (followed by its iterator's steps) rather than
    // step an iterator that may not exist.
    let import = match import {
        DbNext | DbNextKey | DbNextValue if u.ratio(3, 4)? => DbScan,
        other => other,
    };
    let r = |u: &mut Unstructured<'_>, good: fn(&mut Unstructured<'_>) -> Result<Vec<u8>>| {
        Ok::<_, arbitrary::Error>(Operand::Region(region(u, good)?))
    };
    let operands = match import {
        DbRead | DbRemove => vec![r(u, inputs::key)?],
        DbWrite => vec![r(u, inputs::key)?, r(u, inputs::value)?],
        DbScan => {
            let bound = |u: &mut Unstructured<'_>| {
                Ok::<_, arbitrary::Error>(if u.ratio(1, 3)? {
                    Operand::Region(Arg::Zero)
                } else {
                    r(u, inputs::key)?
                })
            };
            let order = if u.ratio(15, 16)? {
                Operand::Number(*u.choose(&[1, 2])?)
            } else {
                Operand::Number(*u.choose(&[0, 3, u32::MAX])?)
            };
            vec![bound(u)?, bound(u)?, order]
        }
        DbNext | DbNextKey | DbNextValue => vec![iter(u)?],
        AddrValidate => vec![r(u, inputs::human_address)?],
        AddrCanonicalize => vec![
            r(u, inputs::human_address)?,
            Operand::Region(out(u, &[32, 32, 64, 64, 20, 19])?),
        ],
        AddrHumanize => vec![
            r(u, inputs::canonical_address)?,
            Operand::Region(out(u, &[90, 90, 90, 100, 66, 44])?),
        ],
        Secp256k1Verify | Secp256r1Verify => {
            let cases = if import == Secp256k1Verify {
                crypto::secp256k1()
            } else {
                crypto::secp256r1()
            };
            let [hash, sig, key] = inputs::ecdsa_verify(u, cases)?;
            vec![bytes(u, hash)?, bytes(u, sig)?, bytes(u, key)?]
        }
        Secp256k1RecoverPubkey | Secp256r1RecoverPubkey => {
            let cases = if import == Secp256k1RecoverPubkey {
                crypto::secp256k1()
            } else {
                crypto::secp256r1()
            };
            let (hash, sig, param) = inputs::ecdsa_recover(u, cases)?;
            vec![bytes(u, hash)?, bytes(u, sig)?, Operand::Number(param)]
        }
        Ed25519Verify | Ed25519BatchVerify => {
            let [msg, sig, key] = if import == Ed25519Verify {
                inputs::ed25519_verify(u)?
            } else {
                inputs::ed25519_batch(u)?
            };
            vec![bytes(u, msg)?, bytes(u, sig)?, bytes(u, key)?]
        }
        Bls12381AggregateG1 | Bls12381AggregateG2 => {
            let g2 = import == Bls12381AggregateG2;
            let points = inputs::bls_points(u, g2)?;
            let capacity = if g2 {
                [96, 96, 96, 95]
            } else {
                [48, 48, 48, 47]
            };
            vec![bytes(u, points)?, Operand::Region(out(u, &capacity)?)]
        }
        Bls12381PairingEquality => {
            let [ps, qs, r, s] = inputs::bls_pairing(u)?;
            vec![bytes(u, ps)?, bytes(u, qs)?, bytes(u, r)?, bytes(u, s)?]
        }
        Bls12381HashToG1 | Bls12381HashToG2 => {
            let g2 = import == Bls12381HashToG2;
            let [msg, dst] = inputs::bls_hash(u)?;
            let capacity = if g2 { [96, 96, 96, 0] } else { [48, 48, 48, 0] };
            vec![
                number(u, &[0], &[1, 2, u32::MAX])?,
                bytes(u, msg)?,
                bytes(u, dst)?,
                Operand::Region(out(u, &capacity)?),
            ]
        }
        QueryChain => vec![r(u, inputs::query)?],
        Debug | Abort => vec![r(u, inputs::text)?],
    };
    // Aborting ends the call: keep it rare.
    let import = if import == Abort && u.ratio(3, 4)? {
        Debug
    } else {
        import
    };
    Ok(HostCall { import, operands })
}
