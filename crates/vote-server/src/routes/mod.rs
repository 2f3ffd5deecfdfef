//! The handlers, one module per part of specs/api.md.

pub mod board;
pub mod cast;
pub mod login;
pub mod logo;
pub mod resend;
pub mod scrutins;
pub mod sheet;
pub mod statements;
