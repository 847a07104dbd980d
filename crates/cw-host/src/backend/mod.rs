//! The chain-facing seams: [`Storage`](crate::Storage), [`Api`](crate::Api)
//! and [`Querier`](crate::Querier), and the reference `Api` implementations.
//!
//! API boundary: these traits know nothing of Wasm, regions or gas prices.
//! The host charges gas from the schedule before it calls them; a querier
//! alone reports gas of its own (the nested call it ran).

pub mod api;
pub mod bech32;
pub mod near;
pub mod querier;
pub mod storage;
