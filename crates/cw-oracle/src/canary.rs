//! Live instances whose memories hold a known value, kept beside the
//! contracts under test: a missed bounds check then hits mapped memory
//! (theirs) instead of faulting by luck, and shows as a changed canary or
//! as the canary's bytes in a result.

use cw_host::EntryPoint;
use cw_host::testing::SharedStorage;
use cw_runtime::{Compiler, ContractInstance};

use crate::Call;
use crate::memory_program::PAGE_BYTES;
use crate::ours::{Ours, Schedule, call_on};

/// The canary's eight bytes (little-endian), repeated over every
/// neighbour's canary pages.
pub const CANARY: u64 = 0xC0FF_EE5E_EDCA_FE42;

/// Pages of each neighbour that hold the canary (page 0 is its arena).
pub const CANARY_PAGES: u32 = 3;

const GAS_LIMIT: u64 = 10_000_000_000;

/// A neighbour: a contract whose `instantiate` fills pages 1 to 3 with the
/// canary and whose `query` returns those pages.
pub fn neighbour_wasm() -> Vec<u8> {
    let text = format!(
        r#"(module
          (memory (export "memory") {pages})
          (func (export "interface_version_8"))
          (func (export "deallocate") (param i32))
          ;; One region at 16, its data at 64, for any argument.
          (func (export "allocate") (param i32) (result i32)
            (i32.store (i32.const 16) (i32.const 64))
            (i32.store (i32.const 20) (i32.const 60000))
            (i32.store (i32.const 24) (i32.const 0))
            (i32.const 16))
          (func (export "instantiate") (param i32 i32 i32) (result i32)
            (local $at i32)
            (local.set $at (i32.const {start}))
            (loop $fill
              (i64.store (local.get $at) (i64.const {canary}))
              (local.set $at (i32.add (local.get $at) (i32.const 8)))
              (br_if $fill (i32.lt_u (local.get $at) (i32.const {end}))))
            (i32.store (i32.const 40) (i32.const 32))
            (i32.store (i32.const 44) (i32.const 2))
            (i32.store (i32.const 48) (i32.const 2))
            (i32.store16 (i32.const 32) (i32.const 0x7d7b))
            (i32.const 40))
          (func (export "query") (param i32 i32) (result i32)
            (i32.store (i32.const 40) (i32.const {start}))
            (i32.store (i32.const 44) (i32.const {length}))
            (i32.store (i32.const 48) (i32.const {length}))
            (i32.const 40)))"#,
        pages = CANARY_PAGES + 1,
        start = PAGE_BYTES,
        end = PAGE_BYTES * (CANARY_PAGES + 1),
        length = PAGE_BYTES * CANARY_PAGES,
        canary = CANARY as i64,
    );
    // The text is ours and valid: a failure here is a bug in this file.
    wat::parse_str(text).unwrap_or_default()
}

/// Whether `bytes` holds the canary's eight bytes anywhere.
pub fn shows_canary(bytes: &[u8]) -> bool {
    let canary = CANARY.to_le_bytes();
    bytes.windows(canary.len()).any(|window| window == canary)
}

/// Live instances holding the canary, on the caller's thread (a Wasmer
/// store stays on one thread).
pub struct Neighbours {
    instances: Vec<ContractInstance<Schedule>>,
}

impl Neighbours {
    /// `count` instantiated neighbours, each with instances capped at
    /// `memory_limit_bytes`.
    ///
    /// # Panics
    /// If the neighbour cannot be compiled or instantiated (a bug of this
    /// crate or of the runtime, which is what a test wants to hear).
    pub fn new(count: usize, memory_limit_bytes: u64) -> Self {
        let ours = Ours::compile(&neighbour_wasm(), Compiler::Singlepass, memory_limit_bytes)
            .expect("the neighbour compiles");
        let env = crate::mock_env_bytes();
        let info = crate::info_bytes("creator");
        let call = Call {
            entry: EntryPoint::Instantiate,
            env: &env,
            info: Some(&info),
            msg: b"{}",
            gas_limit: GAS_LIMIT,
        };
        let instances = (0..count)
            .map(|_| {
                let mut instance = ours.instance().expect("a neighbour instance");
                let observed = call_on(&mut instance, &call, &SharedStorage::new());
                assert_eq!(observed.result, Ok(b"{}".to_vec()), "{observed}");
                instance
            })
            .collect();
        let mut neighbours = Self { instances };
        if let Err(changed) = neighbours.check() {
            panic!("{changed}");
        }
        neighbours
    }

    /// Reads every neighbour's canary pages back through its `query`;
    /// `Err` names the first whose canary changed.
    ///
    /// # Errors
    /// A neighbour's pages no longer hold the canary, or it stopped
    /// answering.
    pub fn check(&mut self) -> Result<(), String> {
        let env = crate::mock_env_bytes();
        let call = Call {
            entry: EntryPoint::Query,
            env: &env,
            info: None,
            msg: b"{}",
            gas_limit: GAS_LIMIT,
        };
        let expected = CANARY
            .to_le_bytes()
            .repeat((PAGE_BYTES * CANARY_PAGES / 8) as usize);
        for (index, instance) in self.instances.iter_mut().enumerate() {
            match call_on(instance, &call, &SharedStorage::new()).result {
                Ok(bytes) if bytes == expected => {}
                Ok(_) => return Err(format!("neighbour {index}'s canary changed")),
                Err(failure) => return Err(format!("neighbour {index} failed: {failure}")),
            }
        }
        Ok(())
    }
}
