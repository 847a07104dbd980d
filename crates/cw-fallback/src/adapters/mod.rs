//! The cosmwasm-std 2.x `Storage`, `Api` and `Querier` a native contract
//! runs against: cosmwasm-std 2.3.6's `External*` wrappers, re-done over a
//! [`Session`](crate::session::Session).

mod api;
mod querier;
mod storage;

pub(crate) use api::ApiAdapter;
pub(crate) use querier::QuerierAdapter;
pub(crate) use storage::StorageAdapter;

#[cfg(test)]
mod tests;
