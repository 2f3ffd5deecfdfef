//! One module per subcommand.

pub mod bench;
pub mod demo;
pub mod fixtures;
pub mod import;
pub mod serve;
pub mod trustee;
pub mod verify;
