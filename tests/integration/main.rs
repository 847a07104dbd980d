//! Integration tests: one binary, a module per topic.
mod probe_reference;
