//! Integration tests: one binary, a module per topic.
mod fixtures;
mod probe_reference;
