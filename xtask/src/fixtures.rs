//! Building the contract fixtures.
