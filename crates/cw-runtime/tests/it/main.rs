//! cw-runtime's integration tests: one binary, a module per topic.

mod cache;
mod chain;
mod chain_native;
mod chain_properties;
mod differential;
mod misbehaviour;
mod near_gas;
mod reset;
mod support;
mod tiers;
mod wasmd;
