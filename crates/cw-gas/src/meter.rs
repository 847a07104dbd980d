//! The gas meter: a limit, what was used, and what it was used for.
//!
//! API Boundary: the meter knows nothing of Wasmer. Operator gas lives in
//! the instance's metering global while Wasm runs; a host import first
//! folds it in with [`GasMeter::record_wasm_remaining`], then charges its
//! own price (before doing any work), then writes [`GasMeter::remaining`]
//! back into the instance.

use core::fmt;

use crate::error::GasError;
use crate::schedule::{CostTable, CryptoOp, Fingerprint, StorageOp};
use crate::units::{CwGas, GasAmount, GasQuantity, GasUnit, NearGas};

/// What gas was spent on, like the rows of NEAR's gas profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum GasCategory {
    /// Wasm operators (and the locals surcharge), metered in the instance.
    WasmOps,
    /// The flat price of entering a host function.
    HostCalls,
    /// Copying regions in and out of guest memory, and UTF-8 validation.
    RegionCopies,
    /// Storage reads, writes, removals and iterator steps.
    Storage,
    /// Signature verification, hashing, BLS.
    Crypto,
    /// The address backend: validating, canonicalizing and humanizing
    /// addresses (wasmd's api prices).
    Address,
    /// Gas reported by the querier for chain queries.
    Queries,
    /// Loading the contract before the call.
    ContractLoading,
    /// Log lines and debug output.
    Logs,
}

impl GasCategory {
    /// Every category, in report order.
    pub const ALL: [GasCategory; 9] = [
        Self::WasmOps,
        Self::HostCalls,
        Self::RegionCopies,
        Self::Storage,
        Self::Crypto,
        Self::Address,
        Self::Queries,
        Self::ContractLoading,
        Self::Logs,
    ];

    /// A stable snake_case name.
    pub const fn name(self) -> &'static str {
        match self {
            Self::WasmOps => "wasm_ops",
            Self::HostCalls => "host_calls",
            Self::RegionCopies => "region_copies",
            Self::Storage => "storage",
            Self::Crypto => "crypto",
            Self::Address => "address",
            Self::Queries => "queries",
            Self::ContractLoading => "contract_loading",
            Self::Logs => "logs",
        }
    }

    const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for GasCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A gas meter over a [`CostTable`]. Charges are all-or-nothing: a charge
/// that does not fit changes nothing but marking the meter exhausted
/// (`used = limit`), and returns [`GasError::OutOfGas`]. `used <= limit`
/// always holds.
#[derive(Clone, Debug)]
pub struct GasMeter<T: CostTable> {
    table: T,
    limit: T::Gas,
    used: T::Gas,
    breakdown: [T::Gas; GasCategory::ALL.len()],
    exhausted: bool,
}

impl<T: CostTable> GasMeter<T> {
    /// A fresh meter. The effective limit is `min(limit, table.call_cap())`
    /// (NEAR's `max_gas_burnt` caps every call whatever was prepaid).
    pub fn new(table: T, limit: T::Gas) -> Self {
        let limit = match table.call_cap() {
            Some(cap) => limit.min(cap),
            None => limit,
        };
        Self {
            table,
            limit,
            used: T::Gas::ZERO,
            breakdown: [T::Gas::ZERO; GasCategory::ALL.len()],
            exhausted: false,
        }
    }

    /// The schedule this meter charges from.
    pub fn table(&self) -> &T {
        &self.table
    }

    /// The effective limit.
    pub fn limit(&self) -> T::Gas {
        self.limit
    }

    /// Gas used so far; never above [`Self::limit`].
    pub fn used(&self) -> T::Gas {
        self.used
    }

    /// `limit - used`.
    pub fn remaining(&self) -> T::Gas {
        T::Gas::from_u64(self.limit.to_u64().saturating_sub(self.used.to_u64()))
    }

    /// Whether a charge has been refused (then `used == limit`).
    pub fn is_exhausted(&self) -> bool {
        self.exhausted
    }

    /// Gas used in one category.
    pub fn used_by(&self, category: GasCategory) -> T::Gas {
        self.breakdown[category.index()]
    }

    /// Charges `amount` to `category` if it fits under the limit; otherwise
    /// exhausts the meter and fails. Call this before doing the work.
    pub fn charge(&mut self, category: GasCategory, amount: T::Gas) -> Result<(), GasError> {
        let remaining = self.remaining().to_u64();
        let amount = amount.to_u64();
        if amount > remaining {
            return Err(self.exhaust(category));
        }
        // Cannot overflow: amount <= limit - used.
        self.add(category, amount);
        Ok(())
    }

    /// Charges a computed price. A [`GasError::PriceOverflow`] is treated as
    /// an unpayable charge (as cosmwasm-vm maps it to `GasDepletion`); other
    /// pricing errors pass through without touching the meter.
    pub fn charge_price(
        &mut self,
        category: GasCategory,
        price: Result<T::Gas, GasError>,
    ) -> Result<(), GasError> {
        match price {
            Ok(amount) => self.charge(category, amount),
            Err(GasError::PriceOverflow { .. }) => Err(self.exhaust(category)),
            Err(other) => Err(other),
        }
    }

    /// Charges the table's flat host-call price.
    pub fn charge_host_call(&mut self) -> Result<(), GasError> {
        let price = self.table.host_call();
        self.charge(GasCategory::HostCalls, price)
    }

    /// Charges copying `bytes` bytes out of guest memory.
    pub fn charge_region_read(&mut self, bytes: u64) -> Result<(), GasError> {
        let price = self.table.region_read(bytes);
        self.charge_price(GasCategory::RegionCopies, price)
    }

    /// Charges copying `bytes` bytes into guest memory.
    pub fn charge_region_write(&mut self, bytes: u64) -> Result<(), GasError> {
        let price = self.table.region_write(bytes);
        self.charge_price(GasCategory::RegionCopies, price)
    }

    /// Charges UTF-8 validation of `bytes` bytes.
    pub fn charge_string_from_bytes(&mut self, bytes: u64) -> Result<(), GasError> {
        let price = self.table.string_from_bytes(bytes);
        self.charge_price(GasCategory::RegionCopies, price)
    }

    /// Charges a storage access.
    pub fn charge_storage(&mut self, op: StorageOp) -> Result<(), GasError> {
        let price = self.table.storage(op);
        self.charge_price(GasCategory::Storage, price)
    }

    /// Charges a crypto host function.
    pub fn charge_crypto(&mut self, op: CryptoOp) -> Result<(), GasError> {
        let price = self.table.crypto(op);
        self.charge_price(GasCategory::Crypto, price)
    }

    /// Charges a log line of `bytes` bytes.
    pub fn charge_log(&mut self, bytes: u64) -> Result<(), GasError> {
        let price = self.table.log(bytes);
        self.charge_price(GasCategory::Logs, price)
    }

    /// Charges loading a contract of `code_bytes` bytes.
    pub fn charge_contract_loading(&mut self, code_bytes: u64) -> Result<(), GasError> {
        let price = self.table.contract_loading(code_bytes);
        self.charge_price(GasCategory::ContractLoading, price)
    }

    /// What to write into an instance's metering global: [`Self::remaining`],
    /// capped at `i64::MAX` (the global is a signed count that goes below
    /// zero once operators overspend; no call can spend 2^63 anyway).
    pub fn wasm_points(&self) -> T::Gas {
        T::Gas::from_u64(self.remaining().to_u64().min(i64::MAX as u64))
    }

    /// Folds in operator gas: the instance's metering global says
    /// `remaining_in_instance` is left, so everything between that and
    /// [`Self::wasm_points`], which was written there, was spent on Wasm
    /// operators. A larger value is ignored (the meter, not the instance, is
    /// the authority); write [`Self::wasm_points`] back afterwards.
    pub fn record_wasm_remaining(&mut self, remaining_in_instance: T::Gas) {
        let spent = self
            .wasm_points()
            .to_u64()
            .saturating_sub(remaining_in_instance.to_u64());
        self.add(GasCategory::WasmOps, spent);
    }

    /// The instance trapped with its exhausted flag set: operators ran out.
    /// Exhausts the meter and returns the error to report.
    pub fn record_wasm_exhausted(&mut self) -> GasError {
        self.exhaust(GasCategory::WasmOps)
    }

    /// A snapshot in both units.
    pub fn report(&self) -> GasReport {
        GasReport {
            schedule: self.table.name(),
            fingerprint: self.table.fingerprint(),
            unit: T::Gas::UNIT,
            limit: GasLine::of(self.limit),
            used: GasLine::of(self.used),
            exhausted: self.exhausted,
            breakdown: GasCategory::ALL.map(|c| (c, GasLine::of(self.used_by(c)))),
        }
    }

    fn add(&mut self, category: GasCategory, amount: u64) {
        let slot = &mut self.breakdown[category.index()];
        *slot = T::Gas::from_u64(slot.to_u64().saturating_add(amount));
        self.used = T::Gas::from_u64(self.used.to_u64().saturating_add(amount));
    }

    fn exhaust(&mut self, category: GasCategory) -> GasError {
        let rest = self.remaining().to_u64();
        self.add(category, rest);
        self.exhausted = true;
        GasError::OutOfGas {
            limit: self.limit.to_amount(),
            used: self.used.to_amount(),
            category,
        }
    }
}

/// One amount in the native unit and in both units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GasLine {
    /// The amount as metered.
    pub native: GasAmount,
    /// In CosmWasm gas (NEAR gas rounded up).
    pub cw_gas: CwGas,
    /// In NEAR gas; `None` if it does not fit into `u64`.
    pub near_gas: Option<NearGas>,
}

impl GasLine {
    /// Converts `amount` into both units.
    pub fn of<G: GasQuantity>(amount: G) -> Self {
        Self {
            native: amount.to_amount(),
            cw_gas: amount.to_cw_gas_ceil(),
            near_gas: amount.to_near_gas().ok(),
        }
    }
}

/// A meter snapshot, like NEAR's gas profile, in both units.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GasReport {
    /// [`CostTable::name`] of the schedule.
    pub schedule: &'static str,
    /// [`CostTable::fingerprint`] of the schedule.
    pub fingerprint: Fingerprint,
    /// The native unit.
    pub unit: GasUnit,
    /// The effective limit.
    pub limit: GasLine,
    /// Gas used; never above `limit`.
    pub used: GasLine,
    /// Whether the call ran out of gas.
    pub exhausted: bool,
    /// Gas used per category; the native amounts sum to `used`.
    pub breakdown: [(GasCategory, GasLine); GasCategory::ALL.len()],
}

impl fmt::Display for GasReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let near = |l: &GasLine| match l.near_gas {
            Some(n) => n.as_u64().to_string(),
            None => "overflow".to_string(),
        };
        writeln!(f, "schedule {} ({})", self.schedule, self.fingerprint)?;
        writeln!(
            f,
            "{:<18} {:>24} {:>28}",
            "category", "CosmWasm gas", "NEAR gas"
        )?;
        for (category, line) in &self.breakdown {
            writeln!(
                f,
                "{:<18} {:>24} {:>28}",
                category.name(),
                line.cw_gas.as_u64(),
                near(line)
            )?;
        }
        writeln!(
            f,
            "{:<18} {:>24} {:>28}",
            "used",
            self.used.cw_gas.as_u64(),
            near(&self.used)
        )?;
        write!(
            f,
            "{:<18} {:>24} {:>28}",
            "limit",
            self.limit.cw_gas.as_u64(),
            near(&self.limit)
        )?;
        if self.exhausted {
            write!(f, "\nout of gas")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
