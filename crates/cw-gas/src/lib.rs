//! Gas schedules and metering (work in progress, see issue 4).
#![deny(missing_docs)]
