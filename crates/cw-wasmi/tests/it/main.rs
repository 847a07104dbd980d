//! cw-wasmi against the Wasmer path: one binary, a module per topic.

mod fixtures;
mod harness;
