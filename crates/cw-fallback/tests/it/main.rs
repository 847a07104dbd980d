//! cw-fallback's integration tests, one binary with a module per topic.

mod behaviour;
mod calibration;
mod cw1;
mod cw20;
mod cw721;
mod registry;
mod strategies;
mod support;
