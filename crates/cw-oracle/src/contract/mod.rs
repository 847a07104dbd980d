//! Generated CosmWasm-shaped contracts that call the host: the input of the
//! contract differential ([`crate::contract_diff`]).
//!
//! A [`ContractProgram`] is a module with one exported memory (no maximum),
//! every `env` import with cosmwasm-std 3.0's signature, a working bump
//! `allocate`, a no-op `deallocate`, `interface_version_8`, and entry points
//! (`instantiate`, `execute`, `query`, `migrate` with two or three
//! parameters, `sudo`, `reply`, IBC ones) that each run a *routine*: a list
//! of [`Step`]s. A step calls an import with regions the program laid out in
//! memory (good ones over real inputs, empty output buffers, the entry
//! point's own arguments, the last region the host returned, or broken
//! ones), repeats steps in a loop, calls another routine (recursion bounded
//! by a depth counter), loads, stores and grows memory, burns gas in a loop,
//! traps, or calls a function drawn by wasm-smith and linked into the module
//! ([`smith`]). Every value the host hands back (return codes, iterator ids,
//! the bytes of every region it wrote) is folded into a running 64-bit
//! digest, and an entry point returns that digest as its result (or, now and
//! then, some other region, to reach the result-reading paths).
//!
//! The drawing ([`ContractCase::arbitrary`]) aims at the chain's paths: real
//! signatures that verify, tampered ones and bad lengths ([`inputs`]); keys
//! that collide so reads see writes; gas limits from "plenty" down to a few
//! hundred thousand, so gas runs out in Wasm, in an import, while writing an
//! argument or reading a result.

pub mod draw;
pub mod encode;
pub mod inputs;
mod layout;
pub mod smith;

use std::fmt;

use cw_host::EntryPoint;

/// A drawn contract and the calls made to it.
#[derive(Clone, PartialEq, Eq)]
pub struct ContractCase {
    /// The module.
    pub program: ContractProgram,
    /// Storage before the first call (the same on every side).
    pub stored: Vec<(Vec<u8>, Vec<u8>)>,
    /// The calls, in order, over the same storage.
    pub calls: Vec<CallSpec>,
}

/// One call of a case.
#[derive(Clone, PartialEq, Eq)]
pub struct CallSpec {
    /// Which entry point (it may not be exported).
    pub entry: EntryPoint,
    /// The message bytes.
    pub msg: Vec<u8>,
    /// CosmWasm gas the call may use.
    pub gas: Gas,
    /// For `migrate`: pass a `MigrateInfo` (wasmd's `MigrateWithInfo`, which
    /// falls back to two arguments) or not (`call_migrate_raw`).
    pub migrate_info: bool,
}

/// A call's gas limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gas {
    /// This much (capped by the differential's maximum).
    Limit(u64),
    /// This many 65,536ths of what the call uses on the reference with the
    /// maximum, so that gas runs out at a point of the call's own path:
    /// any operator, import or copy of it.
    Fraction(u16),
    /// What the call uses on the reference with the maximum, plus this
    /// (one short runs out at the very last charge).
    Exact(i8),
}

/// The module of a case (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractProgram {
    /// Pages beyond those the static data needs (0 with no static data
    /// gives an empty memory that `allocate` grows).
    pub extra_pages: u32,
    /// A valid region struct at address 0 over these bytes (cosmwasm-vm
    /// reads a region at pointer 0 like any other).
    pub zero_region: Option<Vec<u8>>,
    /// The routines; entry points and [`Step::Routine`] call them by index.
    pub routines: Vec<Vec<Step>>,
    /// How deep [`Step::Routine`] calls may nest.
    pub max_depth: u32,
    /// The exported entry points.
    pub exports: Vec<Export>,
    /// wasm-smith's input for the linked function [`Step::Smith`] calls.
    pub smith: Option<Vec<u8>>,
    /// A routine `allocate` runs before it allocates (so the host, writing
    /// an argument or an import's answer, runs Wasm that may call the host
    /// again, trap or run out of gas).
    pub in_allocate: Option<usize>,
}

/// An exported entry point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    /// Which one.
    pub entry: EntryPoint,
    /// Its parameters: 3 for instantiate and execute, 3 or 2 for migrate,
    /// 2 for the others.
    pub params: u32,
    /// The routine it runs.
    pub routine: usize,
    /// What it returns.
    pub result: ResultSpec,
}

/// What an entry point returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResultSpec {
    /// A new 8-byte region holding the digest.
    Digest,
    /// This region pointer.
    Region(Arg),
}

/// One step of a routine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Calls an import.
    Host(HostCall),
    /// Runs `body` `times` times in a Wasm loop.
    Repeat {
        /// Iterations.
        times: u32,
        /// The loop's steps (loops nest at most [`MAX_NESTING`] deep).
        body: Vec<Step>,
    },
    /// Calls routine `index` if the depth counter allows.
    Routine(usize),
    /// `i64.store` (or `i32.store8` when `narrow`) of `value` at `address`.
    Store {
        /// Where.
        address: Address,
        /// What.
        value: u64,
        /// One byte instead of eight.
        narrow: bool,
    },
    /// `i64.load` at `address`, into the digest.
    Load(Address),
    /// `memory.grow` by this many pages, the result into the digest.
    Grow(u32),
    /// A loop of this many iterations of arithmetic on the digest.
    Burn(u32),
    /// Calls the wasm-smith function with this argument, its result into
    /// the digest (nothing if the program has none).
    Smith(i64),
    /// `unreachable`.
    Trap,
}

/// Deepest nesting of [`Step::Repeat`] (each level has its own counter).
pub const MAX_NESTING: usize = 2;

/// Where a load or store goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Address {
    /// This many bytes into the static data (modulo its size).
    Static(u32),
    /// This many bytes past the heap's start.
    Heap(u32),
    /// The end of memory plus this (negative: inside).
    End(i32),
    /// This address.
    Raw(u32),
}

/// A region argument.
#[derive(Clone, PartialEq, Eq)]
pub enum Arg {
    /// A good region over these bytes, laid out statically.
    Bytes(Vec<u8>),
    /// An empty region of this capacity for the host to write into.
    Out(u32),
    /// The entry point's message region.
    Msg,
    /// The entry point's env region.
    Env,
    /// The entry point's info region (0 for two-parameter entry points).
    Info,
    /// The last region the host returned (0 before any).
    Last,
    /// Pointer 0.
    Zero,
    /// Any pointer.
    Raw(u32),
    /// A broken region.
    Bad(BadRegion),
}

/// Ways a region struct can be wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadRegion {
    /// Offset 0.
    NullOffset,
    /// Length above capacity.
    LengthOverCapacity,
    /// `offset + capacity` past 4 GiB.
    CapacityOverflow,
    /// Data far past the end of memory.
    PastEnd,
    /// The 12-byte struct itself straddles 4 GiB.
    StructPastEnd,
    /// A consistent region this long over the static data: over the
    /// import's limit, or past the end of memory.
    Long(u32),
}

/// An iterator id argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Iter {
    /// The id the last `db_scan` returned.
    Last,
    /// This id.
    Raw(u32),
}

/// One operand of an import call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operand {
    /// A region pointer.
    Region(Arg),
    /// A plain number (order, recovery parameter, hash function).
    Number(u32),
    /// An iterator id.
    Iter(Iter),
}

/// A call of one import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostCall {
    /// Which import.
    pub import: Import,
    /// Its operands, as many as it takes.
    pub operands: Vec<Operand>,
}

/// How an import's result is folded into the digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Returns {
    /// Nothing.
    Nothing,
    /// A region pointer or 0: its bytes go into the digest and it becomes
    /// [`Arg::Last`].
    Region,
    /// A code.
    Code,
    /// An iterator id: it becomes [`Iter::Last`].
    Iterator,
    /// `secp256*_recover_pubkey`'s `u64`: an error code in the high half,
    /// or a region pointer in the low half.
    Recovered,
}

macro_rules! imports {
    ($($variant:ident = $name:literal, $params:literal, $returns:ident, $out:expr;)*) => {
        /// The `env` imports, with cosmwasm-std 3.0's signatures.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[allow(missing_docs)] // named after the imports
        pub enum Import { $($variant),* }

        impl Import {
            /// Every import, in function-index order.
            pub const ALL: &[Import] = &[$(Import::$variant),*];

            /// The import's name in module `env`.
            pub fn name(self) -> &'static str {
                match self { $(Import::$variant => $name),* }
            }

            /// How many `i32` parameters it takes.
            pub fn params(self) -> usize {
                match self { $(Import::$variant => $params),* }
            }

            /// What it returns.
            pub fn returns(self) -> Returns {
                match self { $(Import::$variant => Returns::$returns),* }
            }

            /// The operand holding the region the import writes into, if
            /// any: its bytes go into the digest after the call.
            pub fn out_operand(self) -> Option<usize> {
                match self { $(Import::$variant => $out),* }
            }
        }
    };
}

imports! {
    DbRead = "db_read", 1, Region, None;
    DbWrite = "db_write", 2, Nothing, None;
    DbRemove = "db_remove", 1, Nothing, None;
    DbScan = "db_scan", 3, Iterator, None;
    DbNext = "db_next", 1, Region, None;
    DbNextKey = "db_next_key", 1, Region, None;
    DbNextValue = "db_next_value", 1, Region, None;
    AddrValidate = "addr_validate", 1, Region, None;
    AddrCanonicalize = "addr_canonicalize", 2, Region, Some(1);
    AddrHumanize = "addr_humanize", 2, Region, Some(1);
    Secp256k1Verify = "secp256k1_verify", 3, Code, None;
    Secp256k1RecoverPubkey = "secp256k1_recover_pubkey", 3, Recovered, None;
    Secp256r1Verify = "secp256r1_verify", 3, Code, None;
    Secp256r1RecoverPubkey = "secp256r1_recover_pubkey", 3, Recovered, None;
    Ed25519Verify = "ed25519_verify", 3, Code, None;
    Ed25519BatchVerify = "ed25519_batch_verify", 3, Code, None;
    Bls12381AggregateG1 = "bls12_381_aggregate_g1", 2, Code, Some(1);
    Bls12381AggregateG2 = "bls12_381_aggregate_g2", 2, Code, Some(1);
    Bls12381PairingEquality = "bls12_381_pairing_equality", 4, Code, None;
    Bls12381HashToG1 = "bls12_381_hash_to_g1", 4, Code, Some(3);
    Bls12381HashToG2 = "bls12_381_hash_to_g2", 4, Code, Some(3);
    QueryChain = "query_chain", 1, Region, None;
    Debug = "debug", 1, Nothing, None;
    Abort = "abort", 1, Nothing, None;
}

impl Import {
    /// Whether the import returns an `i64` (the recover imports) rather
    /// than an `i32` or nothing.
    pub fn returns_i64(self) -> bool {
        self.returns() == Returns::Recovered
    }

    /// Whether the import returns nothing.
    pub fn returns_nothing(self) -> bool {
        self.returns() == Returns::Nothing
    }

    /// The import's function index (imports come first, in [`Import::ALL`]
    /// order).
    pub fn index(self) -> u32 {
        Import::ALL.iter().position(|i| *i == self).unwrap_or(0) as u32
    }
}

/// The entry points a program may export, with their parameter counts
/// (migrate is drawn with 2 or 3). The IBC v2 ones are left out: the
/// reference is built without them.
pub const ENTRY_POINTS: [(EntryPoint, u32); 11] = [
    (EntryPoint::Instantiate, 3),
    (EntryPoint::Execute, 3),
    (EntryPoint::Query, 2),
    (EntryPoint::Migrate, 3),
    (EntryPoint::Sudo, 2),
    (EntryPoint::Reply, 2),
    (EntryPoint::IbcChannelOpen, 2),
    (EntryPoint::IbcChannelConnect, 2),
    (EntryPoint::IbcPacketReceive, 2),
    (EntryPoint::IbcSourceCallback, 2),
    (EntryPoint::IbcDestinationCallback, 2),
];

/// Bytes shown as an escaped byte string, so a failing case prints short.
struct Shown<'a>(&'a [u8]);

impl fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "b\"{}\"", self.0.escape_ascii())
    }
}

impl fmt::Debug for ContractCase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let stored: Vec<_> = self
            .stored
            .iter()
            .map(|(k, v)| (Shown(k), Shown(v)))
            .collect();
        f.debug_struct("ContractCase")
            .field("program", &self.program)
            .field("stored", &stored)
            .field("calls", &self.calls)
            .finish()
    }
}

impl fmt::Debug for CallSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallSpec")
            .field("entry", &self.entry)
            .field("msg", &Shown(&self.msg))
            .field("gas", &self.gas)
            .field("migrate_info", &self.migrate_info)
            .finish()
    }
}

impl fmt::Debug for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bytes(bytes) => f.debug_tuple("Bytes").field(&Shown(bytes)).finish(),
            Self::Out(capacity) => f.debug_tuple("Out").field(capacity).finish(),
            Self::Msg => f.write_str("Msg"),
            Self::Env => f.write_str("Env"),
            Self::Info => f.write_str("Info"),
            Self::Last => f.write_str("Last"),
            Self::Zero => f.write_str("Zero"),
            Self::Raw(pointer) => f.debug_tuple("Raw").field(pointer).finish(),
            Self::Bad(bad) => f.debug_tuple("Bad").field(bad).finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use arbitrary::Unstructured;

    use super::*;

    fn inputs(count: usize) -> impl Iterator<Item = Vec<u8>> {
        let mut state = 0x0123_4567_89AB_CDEFu64;
        (0..count).map(move |_| {
            (0..2_048)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    (state >> 24) as u8
                })
                .collect()
        })
    }

    /// Drawn contracts pass the chain's static validation (so the
    /// differential runs them rather than skipping them), and some link a
    /// wasm-smith function and call the host from `allocate`.
    #[test]
    fn drawn_contracts_are_valid_contracts() {
        let (mut drawn, mut smith, mut in_allocate) = (0, 0, 0);
        for input in inputs(200) {
            let case = ContractCase::arbitrary(&mut Unstructured::new(&input), u64::MAX).unwrap();
            let wasm = case.program.to_wasm();
            cw_runtime::validate(&wasm, &cw_runtime::ValidationConfig::default())
                .unwrap_or_else(|e| panic!("{case:?}\n{e}"));
            drawn += 1;
            let linked = case.program.smith.as_deref().and_then(smith::generate);
            smith += usize::from(linked.and_then(smith::Linkable::new).is_some());
            in_allocate += usize::from(case.program.in_allocate.is_some());
        }
        assert_eq!(drawn, 200);
        assert!(smith > 20, "{smith} of {drawn} link a wasm-smith function");
        assert!(in_allocate > 10, "{in_allocate}");
    }

    #[test]
    fn imports_have_cosmwasm_std_signatures() {
        assert_eq!(Import::ALL.len(), 24);
        assert_eq!(Import::DbScan.params(), 3);
        assert!(Import::Secp256k1RecoverPubkey.returns_i64());
        assert!(Import::DbWrite.returns_nothing());
        assert_eq!(Import::Bls12381HashToG1.out_operand(), Some(3));
        assert_eq!(Import::Abort.index(), 23);
    }
}
