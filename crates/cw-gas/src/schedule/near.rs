//! The near schedule: nearcore's own runtime parameters, in NEAR gas.
//!
//! Source of every number unless stated otherwise: nearcore
//! `core/parameters/src/snapshots/near_parameters__config_store__tests__87.json.snap`
//! (protocol version 87, nearcore commit
//! `0b4bad49acc6940b58077c86e15eadfd328b7014`), which is the flattened
//! result of `core/parameters/res/runtime_configs/parameters.yaml` plus the
//! per-version diff files up to `87.yaml`. Parameter names are nearcore's.
//! Where nearcore has no price, the CosmWasm price is converted at
//! [`crate::NEAR_GAS_PER_CW_GAS`] (both schedules target the same wall time).

use crate::error::GasError;
use crate::schedule::cosmwasm::CosmWasmSchedule;
use crate::schedule::{CostTable, CryptoOp, LinearCost, MeteringRule, OperatorClass, StorageOp};
use crate::units::NearGas;

/// NEAR's schedule (protocol 87). `Default` holds nearcore's values; fields
/// are public so a deployment can reprice (and gets a new fingerprint).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NearSchedule {
    /// `wasm_config.regular_op_cost` = 822,756 per Wasm instruction
    /// (pseudo-instructions `end` / `else` are free).
    pub regular_op: NearGas,
    /// `ext_costs.base` (`wasm_base`) = 264,768,111 per host call.
    pub wasm_base: NearGas,
    /// `read_memory_base` 2,609,863,200 + `read_memory_byte` 3,801,333.
    pub read_memory: LinearCost<NearGas>,
    /// `write_memory_base` 2,803,794,861 + `write_memory_byte` 2,723,772.
    pub write_memory: LinearCost<NearGas>,
    /// `utf8_decoding_base` 3,111,779,061 + `utf8_decoding_byte` 291,580,479.
    pub utf8_decoding: LinearCost<NearGas>,
    /// `storage_read_base` = 56,356,845,749.
    pub storage_read_base: NearGas,
    /// `storage_read_key_byte` = 30,952,533.
    pub storage_read_key_byte: NearGas,
    /// `storage_read_value_byte` = 5,611,004.
    pub storage_read_value_byte: NearGas,
    /// `storage_write_base` = 64,196,736,000.
    pub storage_write_base: NearGas,
    /// `storage_write_key_byte` = 70,482,867.
    pub storage_write_key_byte: NearGas,
    /// `storage_write_value_byte` = 31,018,539.
    pub storage_write_value_byte: NearGas,
    /// `storage_write_evicted_byte` = 32,117,307.
    pub storage_write_evicted_byte: NearGas,
    /// `storage_remove_base` = 53,473,030,500.
    pub storage_remove_base: NearGas,
    /// `storage_remove_key_byte` = 38,220,384.
    pub storage_remove_key_byte: NearGas,
    /// `storage_remove_ret_value_byte` = 11,531,556.
    pub storage_remove_ret_value_byte: NearGas,
    /// nearcore's `storage_iter_*` host functions are deprecated (all their
    /// prices are 0 in protocol 87), so an iterator step is wasmd's price
    /// converted: `(30 + 3 * bytes) * 140,000 * 1,000` NEAR gas, i.e.
    /// base 4,200,000,000 + 420,000,000 per key-and-value byte.
    pub iter_next: LinearCost<NearGas>,
    /// `ed25519_verify_base` 210,000,000,000 + `ed25519_verify_byte`
    /// 9,000,000 per message byte.
    pub ed25519_verify: LinearCost<NearGas>,
    /// `ecrecover_base` = 278,821,988,457; used for secp256k1 recovery and
    /// for secp256k1 verification (NEAR contracts verify by recovering).
    pub ecrecover_base: NearGas,
    /// `sha256_base` 4,540,970,250 + `sha256_byte` 24,117,351.
    pub sha256: LinearCost<NearGas>,
    /// `log_base` 3,543,313,050 + `log_byte` 13,198,791.
    pub log: LinearCost<NearGas>,
    /// `contract_loading_base` 35,445,963 + `contract_loading_bytes` 1,089,295.
    pub contract_loading: LinearCost<NearGas>,
    /// `bls12381_p1_decompress_base` 15,000,000,000 + `_element` 81,000,000,000.
    pub bls12381_p1_decompress: LinearCost<NearGas>,
    /// `bls12381_p2_decompress_base` 15,000,000,000 + `_element` 165,000,000,000.
    pub bls12381_p2_decompress: LinearCost<NearGas>,
    /// `bls12381_p1_sum_base` 16,500,000,000 + `_element` 6,000,000,000.
    pub bls12381_p1_sum: LinearCost<NearGas>,
    /// `bls12381_p2_sum_base` 18,600,000,000 + `_element` 15,000,000,000.
    pub bls12381_p2_sum: LinearCost<NearGas>,
    /// `bls12381_pairing_base` 2,130,000,000,000 + `_element` 2,130,000,000,000.
    pub bls12381_pairing: LinearCost<NearGas>,
    /// No NEAR price (nearcore has `p256_verify_base`/`_byte` in this
    /// snapshot, but we could not confirm what its per-byte unit counts):
    /// CosmWasm's 279,000,000 converted = 279,000,000,000.
    pub secp256r1_verify: NearGas,
    /// No NEAR price: CosmWasm's 592,000,000 converted = 592,000,000,000.
    pub secp256r1_recover_pubkey: NearGas,
    /// No NEAR hash-to-curve price: CosmWasm's 563,000,000 converted.
    pub bls12381_hash_to_g1: NearGas,
    /// No NEAR hash-to-curve price: CosmWasm's 871,000,000 converted.
    pub bls12381_hash_to_g2: NearGas,
    /// Per-call cap, `limit_config.max_gas_burnt`: 300 Tgas by default (the
    /// value nearcore held from protocol 52 through the 300-Tgas-era
    /// protocol 87 snapshot; the latest 87 snapshot raises it to 1,000 Tgas,
    /// see `docs/gas.md`). Configurable.
    pub max_gas_burnt: NearGas,
}

/// A CosmWasm price in NEAR gas; the defaults are far below the overflow
/// bound (18.4e15 CosmWasm gas), so saturation never triggers for them.
fn converted(cw: crate::units::CwGas) -> NearGas {
    cw.to_near_gas().unwrap_or(NearGas::MAX)
}

impl Default for NearSchedule {
    fn default() -> Self {
        let cw = CosmWasmSchedule::default();
        let kv = cw.sdk_kv;
        let per_sdk = cw
            .sdk_gas_multiplier
            .saturating_mul(crate::NEAR_GAS_PER_CW_GAS);
        Self {
            regular_op: NearGas::new(822_756),
            wasm_base: NearGas::new(264_768_111),
            read_memory: LinearCost::new(2_609_863_200, 3_801_333),
            write_memory: LinearCost::new(2_803_794_861, 2_723_772),
            utf8_decoding: LinearCost::new(3_111_779_061, 291_580_479),
            storage_read_base: NearGas::new(56_356_845_749),
            storage_read_key_byte: NearGas::new(30_952_533),
            storage_read_value_byte: NearGas::new(5_611_004),
            storage_write_base: NearGas::new(64_196_736_000),
            storage_write_key_byte: NearGas::new(70_482_867),
            storage_write_value_byte: NearGas::new(31_018_539),
            storage_write_evicted_byte: NearGas::new(32_117_307),
            storage_remove_base: NearGas::new(53_473_030_500),
            storage_remove_key_byte: NearGas::new(38_220_384),
            storage_remove_ret_value_byte: NearGas::new(11_531_556),
            iter_next: LinearCost::new(
                kv.iter_next_flat_sdk_gas.saturating_mul(per_sdk),
                kv.read_per_byte_sdk_gas.saturating_mul(per_sdk),
            ),
            ed25519_verify: LinearCost::new(210_000_000_000, 9_000_000),
            ecrecover_base: NearGas::new(278_821_988_457),
            sha256: LinearCost::new(4_540_970_250, 24_117_351),
            log: LinearCost::new(3_543_313_050, 13_198_791),
            contract_loading: LinearCost::new(35_445_963, 1_089_295),
            bls12381_p1_decompress: LinearCost::new(15_000_000_000, 81_000_000_000),
            bls12381_p2_decompress: LinearCost::new(15_000_000_000, 165_000_000_000),
            bls12381_p1_sum: LinearCost::new(16_500_000_000, 6_000_000_000),
            bls12381_p2_sum: LinearCost::new(18_600_000_000, 15_000_000_000),
            bls12381_pairing: LinearCost::new(2_130_000_000_000, 2_130_000_000_000),
            secp256r1_verify: converted(cw.secp256r1_verify),
            secp256r1_recover_pubkey: converted(cw.secp256r1_recover_pubkey),
            bls12381_hash_to_g1: converted(cw.bls12_381_hash_to_g1),
            bls12381_hash_to_g2: converted(cw.bls12_381_hash_to_g2),
            max_gas_burnt: NearGas::new(300_000_000_000_000),
        }
    }
}

impl NearSchedule {
    /// The default schedule with a different per-call cap.
    pub fn with_max_gas_burnt(max_gas_burnt: NearGas) -> Self {
        Self {
            max_gas_burnt,
            ..Self::default()
        }
    }
}

/// Sum of priced parts; overflow is a [`GasError::PriceOverflow`].
fn sum(parts: &[NearGas], operation: &'static str, items: u64) -> Result<NearGas, GasError> {
    parts
        .iter()
        .try_fold(NearGas::ZERO, |acc, p| acc.checked_add(*p))
        .ok_or(GasError::PriceOverflow { operation, items })
}

/// `price * count`, overflow is a [`GasError::PriceOverflow`].
fn times(price: NearGas, count: u64, operation: &'static str) -> Result<NearGas, GasError> {
    price.checked_mul(count).ok_or(GasError::PriceOverflow {
        operation,
        items: count,
    })
}

impl CostTable for NearSchedule {
    type Gas = NearGas;

    fn name(&self) -> &'static str {
        "near"
    }

    fn operator(&self, class: OperatorClass) -> NearGas {
        match class {
            OperatorClass::Plain | OperatorClass::Control => self.regular_op,
            // "Pseudo-instructions do not cause any fee to be charged"
            // (NEAR specification, Preparation.md).
            OperatorClass::Pseudo => NearGas::ZERO,
        }
    }

    fn metering_rule(&self) -> MeteringRule {
        MeteringRule::PrechargeMeteredBlock
    }

    fn host_call(&self) -> NearGas {
        self.wasm_base
    }

    fn region_read(&self, bytes: u64) -> Result<NearGas, GasError> {
        self.read_memory.total(bytes, "region_read")
    }

    fn region_write(&self, bytes: u64) -> Result<NearGas, GasError> {
        self.write_memory.total(bytes, "region_write")
    }

    fn string_from_bytes(&self, bytes: u64) -> Result<NearGas, GasError> {
        self.utf8_decoding.total(bytes, "string_from_bytes")
    }

    fn storage(&self, op: StorageOp) -> Result<NearGas, GasError> {
        match op {
            StorageOp::Read { key_len, value_len } => sum(
                &[
                    self.storage_read_base,
                    times(self.storage_read_key_byte, key_len, "storage_read")?,
                    times(self.storage_read_value_byte, value_len, "storage_read")?,
                ],
                "storage_read",
                key_len.saturating_add(value_len),
            ),
            StorageOp::Write {
                key_len,
                value_len,
                evicted_value_len,
            } => sum(
                &[
                    self.storage_write_base,
                    times(self.storage_write_key_byte, key_len, "storage_write")?,
                    times(self.storage_write_value_byte, value_len, "storage_write")?,
                    times(
                        self.storage_write_evicted_byte,
                        evicted_value_len,
                        "storage_write",
                    )?,
                ],
                "storage_write",
                key_len.saturating_add(value_len),
            ),
            StorageOp::Remove {
                key_len,
                removed_value_len,
            } => sum(
                &[
                    self.storage_remove_base,
                    times(self.storage_remove_key_byte, key_len, "storage_remove")?,
                    times(
                        self.storage_remove_ret_value_byte,
                        removed_value_len,
                        "storage_remove",
                    )?,
                ],
                "storage_remove",
                key_len,
            ),
            StorageOp::IterNext { key_len, value_len } => {
                let bytes = key_len
                    .checked_add(value_len)
                    .ok_or(GasError::PriceOverflow {
                        operation: "db_next",
                        items: key_len,
                    })?;
                self.iter_next.total(bytes, "db_next")
            }
        }
    }

    fn crypto(&self, op: CryptoOp) -> Result<NearGas, GasError> {
        let name = op.name();
        match op {
            CryptoOp::Secp256k1Verify | CryptoOp::Secp256k1RecoverPubkey => Ok(self.ecrecover_base),
            CryptoOp::Secp256r1Verify => Ok(self.secp256r1_verify),
            CryptoOp::Secp256r1RecoverPubkey => Ok(self.secp256r1_recover_pubkey),
            CryptoOp::Ed25519Verify { message_len } => self.ed25519_verify.total(message_len, name),
            // NEAR has no batch verification: one `ed25519_verify` per
            // signature, bytes summed over all messages.
            CryptoOp::Ed25519BatchVerify {
                signatures,
                total_message_len,
                ..
            } => sum(
                &[
                    times(self.ed25519_verify.base, signatures, name)?,
                    times(self.ed25519_verify.per_item, total_message_len, name)?,
                ],
                name,
                signatures,
            ),
            // Compressed points (CosmWasm's input) are decompressed, then summed.
            CryptoOp::Bls12381AggregateG1 { points } => sum(
                &[
                    self.bls12381_p1_decompress.total(points, name)?,
                    self.bls12381_p1_sum.total(points, name)?,
                ],
                name,
                points,
            ),
            CryptoOp::Bls12381AggregateG2 { points } => sum(
                &[
                    self.bls12381_p2_decompress.total(points, name)?,
                    self.bls12381_p2_sum.total(points, name)?,
                ],
                name,
                points,
            ),
            CryptoOp::Bls12381HashToG1 => Ok(self.bls12381_hash_to_g1),
            CryptoOp::Bls12381HashToG2 => Ok(self.bls12381_hash_to_g2),
            // n + 1 pairs: decompress both sides of every pair, then one
            // multi-pairing over n + 1 elements.
            CryptoOp::Bls12381PairingEquality { n } => {
                let k = n.checked_add(1).ok_or(GasError::PriceOverflow {
                    operation: name,
                    items: n,
                })?;
                sum(
                    &[
                        self.bls12381_p1_decompress.total(k, name)?,
                        self.bls12381_p2_decompress.total(k, name)?,
                        self.bls12381_pairing.total(k, name)?,
                    ],
                    name,
                    n,
                )
            }
            CryptoOp::Sha256 { bytes } => self.sha256.total(bytes, name),
        }
    }

    fn log(&self, bytes: u64) -> Result<NearGas, GasError> {
        self.log.total(bytes, "log")
    }

    fn contract_loading(&self, code_bytes: u64) -> Result<NearGas, GasError> {
        self.contract_loading.total(code_bytes, "contract_loading")
    }

    fn call_cap(&self) -> Option<NearGas> {
        Some(self.max_gas_burnt)
    }

    fn visit_prices(&self, v: &mut dyn FnMut(&'static str, u64)) {
        let lin = |v: &mut dyn FnMut(&'static str, u64),
                   b: &'static str,
                   p: &'static str,
                   c: &LinearCost<NearGas>| {
            v(b, c.base.as_u64());
            v(p, c.per_item.as_u64());
        };
        v("rule.precharge_metered_block", 1);
        v("regular_op_cost", self.regular_op.as_u64());
        v("wasm_base", self.wasm_base.as_u64());
        lin(v, "read_memory_base", "read_memory_byte", &self.read_memory);
        lin(
            v,
            "write_memory_base",
            "write_memory_byte",
            &self.write_memory,
        );
        lin(
            v,
            "utf8_decoding_base",
            "utf8_decoding_byte",
            &self.utf8_decoding,
        );
        v("storage_read_base", self.storage_read_base.as_u64());
        v("storage_read_key_byte", self.storage_read_key_byte.as_u64());
        v(
            "storage_read_value_byte",
            self.storage_read_value_byte.as_u64(),
        );
        v("storage_write_base", self.storage_write_base.as_u64());
        v(
            "storage_write_key_byte",
            self.storage_write_key_byte.as_u64(),
        );
        v(
            "storage_write_value_byte",
            self.storage_write_value_byte.as_u64(),
        );
        v(
            "storage_write_evicted_byte",
            self.storage_write_evicted_byte.as_u64(),
        );
        v("storage_remove_base", self.storage_remove_base.as_u64());
        v(
            "storage_remove_key_byte",
            self.storage_remove_key_byte.as_u64(),
        );
        v(
            "storage_remove_ret_value_byte",
            self.storage_remove_ret_value_byte.as_u64(),
        );
        lin(
            v,
            "converted.iter_next_base",
            "converted.iter_next_byte",
            &self.iter_next,
        );
        lin(
            v,
            "ed25519_verify_base",
            "ed25519_verify_byte",
            &self.ed25519_verify,
        );
        v("ecrecover_base", self.ecrecover_base.as_u64());
        lin(v, "sha256_base", "sha256_byte", &self.sha256);
        lin(v, "log_base", "log_byte", &self.log);
        lin(
            v,
            "contract_loading_base",
            "contract_loading_bytes",
            &self.contract_loading,
        );
        lin(
            v,
            "bls12381_p1_decompress_base",
            "bls12381_p1_decompress_element",
            &self.bls12381_p1_decompress,
        );
        lin(
            v,
            "bls12381_p2_decompress_base",
            "bls12381_p2_decompress_element",
            &self.bls12381_p2_decompress,
        );
        lin(
            v,
            "bls12381_p1_sum_base",
            "bls12381_p1_sum_element",
            &self.bls12381_p1_sum,
        );
        lin(
            v,
            "bls12381_p2_sum_base",
            "bls12381_p2_sum_element",
            &self.bls12381_p2_sum,
        );
        lin(
            v,
            "bls12381_pairing_base",
            "bls12381_pairing_element",
            &self.bls12381_pairing,
        );
        v("converted.secp256r1_verify", self.secp256r1_verify.as_u64());
        v(
            "converted.secp256r1_recover_pubkey",
            self.secp256r1_recover_pubkey.as_u64(),
        );
        v(
            "converted.bls12381_hash_to_g1",
            self.bls12381_hash_to_g1.as_u64(),
        );
        v(
            "converted.bls12381_hash_to_g2",
            self.bls12381_hash_to_g2.as_u64(),
        );
        v("max_gas_burnt", self.max_gas_burnt.as_u64());
    }
}
