//! Guest-memory `Region` codec (work in progress, see issue 3).
#![deny(missing_docs)]
