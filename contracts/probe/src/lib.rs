#![doc = include_str!("../README.md")]

pub mod contract;
pub mod msg;

mod misbehave;
mod raw;
