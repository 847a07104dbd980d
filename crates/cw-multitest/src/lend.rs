//! Lends the App's borrowed storage, API and querier to one contract call.
//!
//! cw-runtime moves a [`CallBackend`](cw_host::CallBackend) into the
//! instance for a call, and its fields are owned, `'static` and `Send`
//! (a Wasmer environment must be). cw-multi-test hands a contract
//! `DepsMut<'a>`: borrows, valid for the entry point's duration only, of
//! types that are neither `Send` nor `Sync`. This module bridges the two
//! with the crate's only `unsafe` code.
//!
//! **Invariant:** a [`Lent`] pointer is dereferenced only while the
//! [`lend`] call that made it is running, on the thread that made it.
//! Every [`Lent`] checks both (its [`ScopeState`]) before each access and
//! refuses with a backend error otherwise, so a `Lent` that outlived its
//! call (a backend left inside a pooled instance after a panic unwound
//! through the call) can be dropped, or even used, without touching freed
//! memory.

use std::ptr::NonNull;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, ThreadId};

use cw_host::BackendError;

/// Whether the borrows behind a set of [`Lent`] pointers are still valid,
/// and on which thread.
#[derive(Debug)]
struct ScopeState {
    alive: AtomicBool,
    thread: ThreadId,
}

impl ScopeState {
    /// Refuses an access after the scope ended or from another thread.
    fn check(&self, what: &'static str) -> Result<(), BackendError> {
        if self.alive.load(Ordering::Acquire) && thread::current().id() == self.thread {
            Ok(())
        } else {
            Err(BackendError::Unavailable { backend: what })
        }
    }
}

/// Ends the scope when dropped: on return and on unwinding alike.
struct ScopeGuard(Arc<ScopeState>);

impl Drop for ScopeGuard {
    fn drop(&mut self) {
        self.0.alive.store(false, Ordering::Release);
    }
}

/// A borrow of the App's `T`, usable only during the [`lend`] call that
/// made it and only on its thread.
pub(crate) struct Lent<T: ?Sized + 'static> {
    ptr: NonNull<T>,
    /// Whether `ptr` came from a unique borrow (`&mut`).
    unique: bool,
    what: &'static str,
    scope: Arc<ScopeState>,
}

// SAFETY: a `Lent` may be moved to (and shared with) another thread, but it
// dereferences its pointer only on the thread that made it (`ScopeState::
// check` compares thread ids before every access), so the `T` it points to
// is only ever used from its own thread, as if the `Lent` had stayed there.
unsafe impl<T: ?Sized + 'static> Send for Lent<T> {}
// SAFETY: as for `Send`: shared references to a `Lent` on other threads
// cannot reach the `T`.
unsafe impl<T: ?Sized + 'static> Sync for Lent<T> {}

impl<T: ?Sized + 'static> Lent<T> {
    /// The shared borrow, if the scope is still running on this thread.
    pub(crate) fn get(&self) -> Result<&T, BackendError> {
        self.scope.check(self.what)?;
        // SAFETY: the scope is alive and this is its thread, so the borrow
        // `ptr` was made from is still valid (see the module's invariant):
        // `lend` is still running and will not return before this
        // reference, tied to `&self`, is dropped, since everything `body`
        // runs is below it on this thread's stack. Nothing else uses the
        // borrow meanwhile: `lend`'s caller gave it up for the call.
        Ok(unsafe { self.ptr.as_ref() })
    }

    /// The unique borrow, if the scope is still running on this thread
    /// and the pointer came from a `&mut`.
    pub(crate) fn get_mut(&mut self) -> Result<&mut T, BackendError> {
        self.scope.check(self.what)?;
        if !self.unique {
            return Err(BackendError::Refused {
                message: format!("{} is read-only in this call", self.what),
            });
        }
        // SAFETY: as in `get`; and `ptr` came from a `&mut` (`unique`),
        // of which this `Lent` is the only user while the scope runs (each
        // storage is lent to one backend), and `&mut self` makes this
        // reference exclusive.
        Ok(unsafe { self.ptr.as_mut() })
    }
}

/// The storage a call gets: the App's, writable or not.
pub(crate) enum StorageLoan<'a> {
    /// `DepsMut::storage`: instantiate, execute, migrate, sudo, reply.
    Mut(&'a mut dyn cosmwasm_std::Storage),
    /// `Deps::storage`: query.
    Shared(&'a dyn cosmwasm_std::Storage),
}

/// The App's backends, lent for one call.
pub(crate) struct Loans {
    pub(crate) storage: Lent<dyn cosmwasm_std::Storage>,
    pub(crate) api: Lent<dyn cosmwasm_std::Api>,
    pub(crate) querier: Lent<dyn cosmwasm_std::Querier>,
}

impl Loans {
    /// A second handle on the API, for the debug handler.
    pub(crate) fn api_handle(&self) -> Lent<dyn cosmwasm_std::Api> {
        Lent {
            ptr: self.api.ptr,
            unique: false,
            what: self.api.what,
            scope: Arc::clone(&self.api.scope),
        }
    }
}

/// Runs `body` with `'static` handles on `storage`, `api` and `querier`
/// that stop working when this function returns (or unwinds).
pub(crate) fn lend<R>(
    storage: StorageLoan<'_>,
    api: &dyn cosmwasm_std::Api,
    querier: &dyn cosmwasm_std::Querier,
    body: impl FnOnce(Loans) -> R,
) -> R {
    let scope = Arc::new(ScopeState {
        alive: AtomicBool::new(true),
        thread: thread::current().id(),
    });
    let guard = ScopeGuard(Arc::clone(&scope));
    let (storage, unique) = match storage {
        StorageLoan::Mut(storage) => (NonNull::from(storage), true),
        StorageLoan::Shared(storage) => (NonNull::from(storage), false),
    };
    let loans = Loans {
        storage: Lent {
            // SAFETY: only the trait object's lifetime bound changes (the
            // pointer and its vtable are the same bits); the `'a` it drops
            // is enforced at run time instead, by the scope check.
            ptr: unsafe { erase_storage(storage) },
            unique,
            what: "the App's storage",
            scope: Arc::clone(&scope),
        },
        api: Lent {
            // SAFETY: as above.
            ptr: unsafe { erase_api(NonNull::from(api)) },
            unique: false,
            what: "the App's API",
            scope: Arc::clone(&scope),
        },
        querier: Lent {
            // SAFETY: as above.
            ptr: unsafe { erase_querier(NonNull::from(querier)) },
            unique: false,
            what: "the App's querier",
            scope,
        },
    };
    let result = body(loans);
    drop(guard);
    result
}

/// Forgets the lifetime bound of a storage trait object.
///
/// # Safety
/// The caller dereferences the result only while `'a` lasts.
unsafe fn erase_storage<'a>(
    ptr: NonNull<dyn cosmwasm_std::Storage + 'a>,
) -> NonNull<dyn cosmwasm_std::Storage + 'static> {
    // SAFETY: both are fat pointers to the same trait with the same
    // layout; the caller upholds the lifetime.
    unsafe { std::mem::transmute(ptr) }
}

/// Forgets the lifetime bound of an API trait object.
///
/// # Safety
/// As [`erase_storage`].
unsafe fn erase_api<'a>(
    ptr: NonNull<dyn cosmwasm_std::Api + 'a>,
) -> NonNull<dyn cosmwasm_std::Api + 'static> {
    // SAFETY: as in `erase_storage`.
    unsafe { std::mem::transmute(ptr) }
}

/// Forgets the lifetime bound of a querier trait object.
///
/// # Safety
/// As [`erase_storage`].
unsafe fn erase_querier<'a>(
    ptr: NonNull<dyn cosmwasm_std::Querier + 'a>,
) -> NonNull<dyn cosmwasm_std::Querier + 'static> {
    // SAFETY: as in `erase_storage`.
    unsafe { std::mem::transmute(ptr) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::testing::{MockApi, MockQuerier, MockStorage};
    use cosmwasm_std::{Empty, Storage as _};

    #[test]
    fn a_loan_works_inside_and_refuses_after_its_scope() {
        let mut storage = MockStorage::new();
        let api = MockApi::default();
        let querier: MockQuerier<Empty> = MockQuerier::new(&[]);
        let escaped = lend(
            StorageLoan::Mut(&mut storage),
            &api,
            &querier,
            |mut loans| {
                loans
                    .storage
                    .get_mut()
                    .map(|s| s.set(b"k", b"v"))
                    .unwrap_or_else(|e| panic!("{e}"));
                loans.storage
            },
        );
        assert_eq!(storage.get(b"k"), Some(b"v".to_vec()));
        assert!(matches!(
            escaped.get(),
            Err(BackendError::Unavailable { .. })
        ));
    }

    #[test]
    fn a_shared_loan_refuses_writes_and_other_threads() {
        let storage = MockStorage::new();
        let api = MockApi::default();
        let querier: MockQuerier<Empty> = MockQuerier::new(&[]);
        lend(
            StorageLoan::Shared(&storage),
            &api,
            &querier,
            |mut loans| {
                assert!(matches!(
                    loans.storage.get_mut(),
                    Err(BackendError::Refused { .. })
                ));
                assert!(loans.storage.get().is_ok());
                let storage = &loans.storage;
                thread::scope(|s| {
                    let other = s.spawn(|| storage.get().is_err());
                    assert!(other.join().unwrap_or(false));
                });
            },
        );
    }
}
