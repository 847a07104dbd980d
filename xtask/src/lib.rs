//! Project chores behind `cargo xtask`: fixture builds, fuzzing, reports.
pub mod bench_report;
pub mod fixtures;
pub mod fuzz;
pub mod verified_builds;
