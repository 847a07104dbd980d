//! cw-wasmi against the Wasmer path: one binary, a module per topic.

mod chain;
mod fixtures;
mod generated;
mod harness;
mod hostile;
mod prepared;
