//! The probe contract (work in progress).
