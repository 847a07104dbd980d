//! The probe contract run on cosmwasm-vm (the reference).
