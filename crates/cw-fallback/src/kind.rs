//! Which contracts are emulated, and what each exports.

use cw_gas::CostTable;
use cw_host::{Contract, EntryPoint};

use crate::native::NativeContract;

/// A contract cw-fallback runs natively, at exactly one version: the one
/// its Wasm fixture is built from (`xtask/fixtures/Cargo.lock`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum NativeKind {
    /// cw20-base 2.0.0: a fungible token.
    Cw20Base,
    /// cw721-base 0.22.0: a non-fungible token collection.
    Cw721Base,
    /// cw1-whitelist 2.0.0: a proxy that executes messages for its admins.
    Cw1Whitelist,
}

impl NativeKind {
    /// Every emulated contract.
    pub const ALL: [Self; 3] = [Self::Cw20Base, Self::Cw721Base, Self::Cw1Whitelist];

    /// The crates.io package (`cw20-base`).
    #[must_use]
    pub const fn package(self) -> &'static str {
        match self {
            Self::Cw20Base => "cw20-base",
            Self::Cw721Base => "cw721-base",
            Self::Cw1Whitelist => "cw1-whitelist",
        }
    }

    /// The package version the emulator runs, and only that one.
    #[must_use]
    pub const fn version(self) -> &'static str {
        match self {
            Self::Cw20Base => "2.0.0",
            Self::Cw721Base => "0.22.0",
            Self::Cw1Whitelist => "2.0.0",
        }
    }

    /// The name of the Wasm fixture built from the same package
    /// (`cw20_base`), as in `target/fixtures/manifest.json`.
    #[must_use]
    pub const fn fixture_name(self) -> &'static str {
        match self {
            Self::Cw20Base => "cw20_base",
            Self::Cw721Base => "cw721_base",
            Self::Cw1Whitelist => "cw1_whitelist",
        }
    }

    /// The kind named by its fixture name (`cw20_base`) or package name
    /// (`cw20-base`); `None` for any other contract.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|kind| name == kind.fixture_name() || name == kind.package())
    }

    /// The entry points the Wasm build exports; the emulator refuses every
    /// other one with [`VmFailure::MissingExport`](cw_host::VmFailure), as
    /// the engine does.
    #[must_use]
    pub const fn exports(self) -> &'static [EntryPoint] {
        use EntryPoint::{Execute, Instantiate, Migrate, Query};
        match self {
            Self::Cw20Base | Self::Cw721Base => &[Instantiate, Execute, Query, Migrate],
            Self::Cw1Whitelist => &[Instantiate, Execute, Query],
        }
    }

    /// Whether the Wasm build exports `entry`.
    #[must_use]
    pub fn exports_entry(self, entry: EntryPoint) -> bool {
        self.exports().contains(&entry)
    }

    /// The emulator, boxed behind the entry-point trait the Wasm engine
    /// implements too.
    #[must_use]
    pub fn contract<T: CostTable>(self) -> Box<dyn Contract<T> + Send> {
        Box::new(NativeContract::new(self))
    }
}

impl core::fmt::Display for NativeKind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{} {}", self.package(), self.version())
    }
}
