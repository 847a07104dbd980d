//! Integration tests: one binary, a module per topic.
mod differential;
mod fixtures;
mod probe_reference;
mod tidy;
