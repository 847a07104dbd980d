use super::*;
use crate::units::{CwGas, NearGas};
use crate::{CosmWasmSchedule, NearSchedule};

#[test]
fn cosmwasm_operator_prices_match_cosmwasm_vm() {
    let t = CosmWasmSchedule::default();
    assert_eq!(t.operator(OperatorClass::Plain), CwGas::new(115));
    assert_eq!(t.operator(OperatorClass::Control), CwGas::new(1_610));
    assert_eq!(t.operator(OperatorClass::Pseudo), CwGas::new(1_610));
    assert_eq!(t.locals_surcharge(0), CwGas::ZERO);
    assert_eq!(t.locals_surcharge(29), CwGas::ZERO);
    assert_eq!(t.locals_surcharge(30), CwGas::new(115));
    assert_eq!(t.locals_surcharge(100), CwGas::new(71 * 115));
    assert_eq!(
        t.locals_surcharge(u32::MAX),
        CwGas::new(115 * u64::from(u32::MAX - 29))
    );
}

#[test]
fn cosmwasm_host_prices() {
    let t = CosmWasmSchedule::default();
    assert_eq!(t.host_call(), CwGas::new(18_000));
    assert_eq!(t.region_read(0), Ok(CwGas::new(200_000)));
    assert_eq!(
        t.region_read(8_000_000),
        Ok(CwGas::new(200_000 + 115 * 8_000_000))
    );
    assert_eq!(t.region_read(8_000_001), Ok(CwGas::new(520 * 8_000_001)));
    assert_eq!(t.region_write(10), Ok(CwGas::new(230_000 + 5_700)));
    assert_eq!(t.string_from_bytes(3), Ok(CwGas::new(28_700 + 4_200)));
    assert_eq!(
        t.region_read(u64::MAX),
        Err(GasError::PriceOverflow {
            operation: "region_read",
            items: u64::MAX
        })
    );
    // wasmd gaskv: (1000 + 3 * (key + value)) * 140_000
    assert_eq!(
        t.storage(StorageOp::Read {
            key_len: 10,
            value_len: 20
        }),
        Ok(CwGas::new((1_000 + 90) * 140_000))
    );
    assert_eq!(
        t.storage(StorageOp::Write {
            key_len: 10,
            value_len: 20,
            evicted_value_len: 7
        }),
        Ok(CwGas::new((2_000 + 900) * 140_000))
    );
    assert_eq!(
        t.storage(StorageOp::Remove {
            key_len: 10,
            removed_value_len: 5
        }),
        Ok(CwGas::new(1_000 * 140_000))
    );
    assert_eq!(
        t.storage(StorageOp::IterNext {
            key_len: 1,
            value_len: 1
        }),
        Ok(CwGas::new((30 + 6) * 140_000))
    );
    let free = CosmWasmSchedule::with_free_storage();
    assert_eq!(
        free.storage(StorageOp::Write {
            key_len: 9,
            value_len: 9,
            evicted_value_len: 0
        }),
        Ok(CwGas::ZERO)
    );
}

#[test]
fn cosmwasm_crypto_prices() {
    let t = CosmWasmSchedule::default();
    assert_eq!(
        t.crypto(CryptoOp::Secp256k1Verify),
        Ok(CwGas::new(96_000_000))
    );
    assert_eq!(
        t.crypto(CryptoOp::Ed25519Verify { message_len: 99 }),
        Ok(CwGas::new(35_000_000))
    );
    assert_eq!(
        t.crypto(CryptoOp::Ed25519BatchVerify {
            signatures: 3,
            public_keys: 1,
            total_message_len: 0
        }),
        Ok(CwGas::new(36_000_000 + 3 * 10_000_000))
    );
    assert_eq!(
        t.crypto(CryptoOp::Ed25519BatchVerify {
            signatures: 3,
            public_keys: 3,
            total_message_len: 0
        }),
        Ok(CwGas::new(24_000_000 + 3 * 21_000_000))
    );
    assert_eq!(
        t.crypto(CryptoOp::Bls12381AggregateG2 { points: 2 }),
        Ok(CwGas::new(103_500_000 + 2 * 24_500_000))
    );
    assert_eq!(
        t.crypto(CryptoOp::Bls12381PairingEquality { n: 2 }),
        Ok(CwGas::new(2_112_000_000 + 3 * 163_000_000))
    );
    assert_eq!(
        t.crypto(CryptoOp::Sha256 { bytes: 1 }),
        Err(GasError::Unpriced {
            schedule: "cosmwasm",
            operation: "sha256"
        })
    );
}

#[test]
fn near_prices() {
    let t = NearSchedule::default();
    assert_eq!(t.operator(OperatorClass::Plain), NearGas::new(822_756));
    assert_eq!(t.operator(OperatorClass::Control), NearGas::new(822_756));
    assert_eq!(t.operator(OperatorClass::Pseudo), NearGas::ZERO);
    assert_eq!(t.metering_rule(), MeteringRule::PrechargeMeteredBlock);
    assert_eq!(t.host_call(), NearGas::new(264_768_111));
    assert_eq!(t.call_cap(), NearGas::from_tgas(300));
    assert_eq!(
        t.storage(StorageOp::Read {
            key_len: 2,
            value_len: 3
        }),
        Ok(NearGas::new(
            56_356_845_749 + 2 * 30_952_533 + 3 * 5_611_004
        ))
    );
    assert_eq!(
        t.storage(StorageOp::Write {
            key_len: 2,
            value_len: 3,
            evicted_value_len: 4
        }),
        Ok(NearGas::new(
            64_196_736_000 + 2 * 70_482_867 + 3 * 31_018_539 + 4 * 32_117_307
        ))
    );
    // Converted from wasmd: (30 + 3 * 2) * 140_000 CosmWasm gas * 1000.
    assert_eq!(
        t.storage(StorageOp::IterNext {
            key_len: 1,
            value_len: 1
        }),
        Ok(NearGas::new(36 * 140_000 * 1_000))
    );
    assert_eq!(
        t.crypto(CryptoOp::Secp256r1Verify),
        Ok(NearGas::new(279_000_000_000))
    );
    assert_eq!(
        t.crypto(CryptoOp::Sha256 { bytes: 32 }),
        Ok(NearGas::new(4_540_970_250 + 32 * 24_117_351))
    );
    assert!(t.log(u64::MAX).is_err());
}

/// Every field of both schedules is visited: changing any one of them by one
/// unit changes the fingerprint.
#[test]
fn fingerprint_covers_every_price() {
    let base = CosmWasmSchedule::default();
    let fp = base.fingerprint();
    let mut seen = Vec::new();
    base.visit_prices(&mut |name, _| seen.push(name));
    let mut names = seen.clone();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), seen.len(), "duplicate price names");

    let bump = |g: CwGas| CwGas::new(g.as_u64() + 1);
    let bl = |c: LinearCost<CwGas>| LinearCost {
        base: bump(c.base),
        per_item: c.per_item,
    };
    let pl = |c: LinearCost<CwGas>| LinearCost {
        base: c.base,
        per_item: bump(c.per_item),
    };
    let variants: Vec<CosmWasmSchedule> = vec![
        CosmWasmSchedule {
            operator: bump(base.operator),
            ..base
        },
        CosmWasmSchedule {
            accounting_multiplier: 15,
            ..base
        },
        CosmWasmSchedule {
            free_locals: 30,
            ..base
        },
        CosmWasmSchedule {
            host_call: bump(base.host_call),
            ..base
        },
        CosmWasmSchedule {
            read_region_small: bl(base.read_region_small),
            ..base
        },
        CosmWasmSchedule {
            read_region_small: pl(base.read_region_small),
            ..base
        },
        CosmWasmSchedule {
            read_region_large: bl(base.read_region_large),
            ..base
        },
        CosmWasmSchedule {
            read_region_large: pl(base.read_region_large),
            ..base
        },
        CosmWasmSchedule {
            read_region_threshold_bytes: 1,
            ..base
        },
        CosmWasmSchedule {
            write_region: bl(base.write_region),
            ..base
        },
        CosmWasmSchedule {
            write_region: pl(base.write_region),
            ..base
        },
        CosmWasmSchedule {
            string_from_bytes: bl(base.string_from_bytes),
            ..base
        },
        CosmWasmSchedule {
            string_from_bytes: pl(base.string_from_bytes),
            ..base
        },
        CosmWasmSchedule {
            secp256k1_verify: bump(base.secp256k1_verify),
            ..base
        },
        CosmWasmSchedule {
            secp256k1_recover_pubkey: bump(base.secp256k1_recover_pubkey),
            ..base
        },
        CosmWasmSchedule {
            secp256r1_verify: bump(base.secp256r1_verify),
            ..base
        },
        CosmWasmSchedule {
            secp256r1_recover_pubkey: bump(base.secp256r1_recover_pubkey),
            ..base
        },
        CosmWasmSchedule {
            ed25519_verify: bump(base.ed25519_verify),
            ..base
        },
        CosmWasmSchedule {
            ed25519_batch_verify: bl(base.ed25519_batch_verify),
            ..base
        },
        CosmWasmSchedule {
            ed25519_batch_verify: pl(base.ed25519_batch_verify),
            ..base
        },
        CosmWasmSchedule {
            ed25519_batch_verify_one_pubkey: bl(base.ed25519_batch_verify_one_pubkey),
            ..base
        },
        CosmWasmSchedule {
            ed25519_batch_verify_one_pubkey: pl(base.ed25519_batch_verify_one_pubkey),
            ..base
        },
        CosmWasmSchedule {
            bls12_381_aggregate_g1: bl(base.bls12_381_aggregate_g1),
            ..base
        },
        CosmWasmSchedule {
            bls12_381_aggregate_g1: pl(base.bls12_381_aggregate_g1),
            ..base
        },
        CosmWasmSchedule {
            bls12_381_aggregate_g2: bl(base.bls12_381_aggregate_g2),
            ..base
        },
        CosmWasmSchedule {
            bls12_381_aggregate_g2: pl(base.bls12_381_aggregate_g2),
            ..base
        },
        CosmWasmSchedule {
            bls12_381_hash_to_g1: bump(base.bls12_381_hash_to_g1),
            ..base
        },
        CosmWasmSchedule {
            bls12_381_hash_to_g2: bump(base.bls12_381_hash_to_g2),
            ..base
        },
        CosmWasmSchedule {
            bls12_381_pairing_equality: bl(base.bls12_381_pairing_equality),
            ..base
        },
        CosmWasmSchedule {
            bls12_381_pairing_equality: pl(base.bls12_381_pairing_equality),
            ..base
        },
        CosmWasmSchedule {
            sdk_kv: crate::SdkKvGas {
                read_flat_sdk_gas: 1,
                ..base.sdk_kv
            },
            ..base
        },
        CosmWasmSchedule {
            sdk_kv: crate::SdkKvGas {
                read_per_byte_sdk_gas: 1,
                ..base.sdk_kv
            },
            ..base
        },
        CosmWasmSchedule {
            sdk_kv: crate::SdkKvGas {
                write_flat_sdk_gas: 1,
                ..base.sdk_kv
            },
            ..base
        },
        CosmWasmSchedule {
            sdk_kv: crate::SdkKvGas {
                write_per_byte_sdk_gas: 1,
                ..base.sdk_kv
            },
            ..base
        },
        CosmWasmSchedule {
            sdk_kv: crate::SdkKvGas {
                delete_sdk_gas: 1,
                ..base.sdk_kv
            },
            ..base
        },
        CosmWasmSchedule {
            sdk_kv: crate::SdkKvGas {
                iter_next_flat_sdk_gas: 1,
                ..base.sdk_kv
            },
            ..base
        },
        CosmWasmSchedule {
            sdk_gas_multiplier: 1,
            ..base
        },
    ];
    // One variant per visited number, except the constant rule marker.
    assert_eq!(variants.len(), seen.len() - 1);
    let mut fps: Vec<Fingerprint> = variants.iter().map(CostTable::fingerprint).collect();
    fps.push(fp);
    fps.sort_unstable();
    fps.dedup();
    assert_eq!(
        fps.len(),
        variants.len() + 1,
        "a price change kept the fingerprint"
    );

    // The fingerprint is a pure function of the prices.
    assert_eq!(CosmWasmSchedule::default().fingerprint(), fp);
    assert_ne!(NearSchedule::default().fingerprint(), fp);
}

#[test]
fn near_fingerprint_covers_every_price() {
    let base = NearSchedule::default();
    let fp = base.fingerprint();
    let mut count = 0usize;
    base.visit_prices(&mut |_, _| count += 1);
    // Bump each visited value in turn by rebuilding the schedule through its
    // visitor order: every NearGas field and both halves of every LinearCost.
    let mut variants = Vec::new();
    macro_rules! g {
        ($f:ident) => {
            variants.push(NearSchedule {
                $f: NearGas::new(base.$f.as_u64() + 1),
                ..base
            });
        };
    }
    macro_rules! l {
        ($f:ident) => {
            variants.push(NearSchedule {
                $f: LinearCost {
                    base: NearGas::new(base.$f.base.as_u64() + 1),
                    ..base.$f
                },
                ..base
            });
            variants.push(NearSchedule {
                $f: LinearCost {
                    per_item: NearGas::new(base.$f.per_item.as_u64() + 1),
                    ..base.$f
                },
                ..base
            });
        };
    }
    g!(regular_op);
    g!(wasm_base);
    l!(read_memory);
    l!(write_memory);
    l!(utf8_decoding);
    g!(storage_read_base);
    g!(storage_read_key_byte);
    g!(storage_read_value_byte);
    g!(storage_write_base);
    g!(storage_write_key_byte);
    g!(storage_write_value_byte);
    g!(storage_write_evicted_byte);
    g!(storage_remove_base);
    g!(storage_remove_key_byte);
    g!(storage_remove_ret_value_byte);
    l!(iter_next);
    l!(ed25519_verify);
    g!(ecrecover_base);
    l!(sha256);
    l!(log);
    l!(contract_loading);
    l!(bls12381_p1_decompress);
    l!(bls12381_p2_decompress);
    l!(bls12381_p1_sum);
    l!(bls12381_p2_sum);
    l!(bls12381_pairing);
    g!(secp256r1_verify);
    g!(secp256r1_recover_pubkey);
    g!(bls12381_hash_to_g1);
    g!(bls12381_hash_to_g2);
    g!(max_gas_burnt);
    assert_eq!(variants.len(), count - 1);
    let mut fps: Vec<Fingerprint> = variants.iter().map(CostTable::fingerprint).collect();
    fps.push(fp);
    fps.sort_unstable();
    fps.dedup();
    assert_eq!(fps.len(), count);
}
