//! The checks, in report order (`specs/record-format.md` §4 lists them).

pub(crate) mod boxes;
pub(crate) mod integrity;
pub(crate) mod setup;
pub(crate) mod tally;
