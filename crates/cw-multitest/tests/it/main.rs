//! cw-multitest's integration tests, one binary, a module per topic:
//! cw-plus's own multi-test suites ported to the Wasm fixtures (`cw20`,
//! `cw1_whitelist`, `cw3_multisig`, `cw4_group`), Wasm contracts querying
//! native mocks, the bank and each other (`queries`), migrate with
//! `MigrateInfo`, sudo and reply (`migrate`), gas records and limits
//! (`gas`), loading and validation (`loading`), the chain's refusals
//! (`chain_rules`), and the Wasm path against native implementations of
//! the same contracts (`differential`).

mod chain_rules;
mod common;
mod cw1_whitelist;
mod cw20;
mod cw3_multisig;
mod cw4_group;
mod differential;
mod gas;
mod loading;
mod migrate;
mod queries;
