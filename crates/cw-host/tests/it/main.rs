//! cw-host's integration tests: one binary, a module per topic.

mod addr;
mod crypto;
mod db;
mod debug;
mod entry;
mod iterators;
mod query;
mod support;
