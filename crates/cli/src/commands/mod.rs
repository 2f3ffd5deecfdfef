//! One module per subcommand.

pub mod bench;
pub mod bench_verify;
pub mod demo;
pub mod export_record;
pub mod fixtures;
pub mod import;
pub mod serve;
pub mod trustee;
pub mod verify;
