//! The two seams: a state of the test's own, shared by two chains (a
//! restart), with its codes loaded again by the second.

use std::sync::{Arc, Mutex};

use cw_chain::{ChainState, CodeRecord, MemoryState};
use cw_host::{KeyRange, Order, Record};
use serde_json::json;

use super::{balance, builder, msg, token};

/// A state shared between chains, counting writes.
#[derive(Clone, Default)]
struct Shared {
    inner: Arc<Mutex<MemoryState>>,
    writes: Arc<Mutex<u64>>,
}

impl Shared {
    fn state(&self) -> std::sync::MutexGuard<'_, MemoryState> {
        self.inner.lock().unwrap()
    }
}

impl ChainState for Shared {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.state().get(key)
    }
    fn set(&mut self, key: &[u8], value: &[u8]) -> Option<Vec<u8>> {
        *self.writes.lock().unwrap() += 1;
        self.state().set(key, value)
    }
    fn remove(&mut self, key: &[u8]) -> Option<Vec<u8>> {
        *self.writes.lock().unwrap() += 1;
        self.state().remove(key)
    }
    fn seek(&self, range: KeyRange<'_>, order: Order, after: Option<&[u8]>) -> Option<Record> {
        self.state().seek(range, order, after)
    }
    fn code_count(&self) -> u64 {
        self.state().code_count()
    }
    fn code(&self, code_id: u64) -> Option<CodeRecord> {
        self.state().code(code_id)
    }
    fn push_code(&mut self, code: CodeRecord) {
        self.state().push_code(code);
    }
}

#[test]
fn a_chain_built_over_a_kept_state_finds_its_codes_and_contracts() {
    let shared = Shared::default();
    let first = builder().state(Box::new(shared.clone())).build().unwrap();
    let (alice, bob, token) = token(&first);
    first
        .execute(
            &alice,
            &token,
            &msg(json!({"transfer": {"recipient": bob, "amount": "40"}})),
            &[],
        )
        .expect("no node fault")
        .unwrap();
    assert!(*shared.writes.lock().unwrap() > 0);
    let dump = first.dump();
    drop(first);

    let second = builder().state(Box::new(shared.clone())).build().unwrap();
    assert_eq!(second.dump(), dump);
    assert!(
        second.code_info(1).unwrap().1,
        "code 1 loads natively again"
    );
    assert_eq!(balance(&second, &token, &bob), json!({"balance": "40"}));
    assert_eq!(shared.state().code_count(), 1);
}

#[test]
fn a_state_whose_code_cannot_load_is_refused_at_build() {
    let shared = Shared::default();
    let first = builder().state(Box::new(shared.clone())).build().unwrap();
    token(&first);
    drop(first);
    // The same state on a chain that does not know the emulator.
    let bare = cw_chain::ChainBuilder::new(cw_gas::CosmWasmSchedule::default())
        .state(Box::new(shared))
        .build();
    assert!(
        matches!(&bare, Err(cw_chain::ChainError::StoreCode { reason }) if reason.contains("no verified native emulator")),
        "{:?}",
        bare.err()
    );
}
