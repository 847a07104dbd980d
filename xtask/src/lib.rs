//! Project chores behind `cargo xtask`: fixture builds, fuzzing, reports.
pub mod fixtures;
pub mod fuzz;
