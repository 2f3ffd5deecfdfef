//! `scrutin`: the command people run — the demo, the servers, file checks, trustee tools,
//! the verifier and benchmark helpers. Each subcommand lives in its own module.

mod commands;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "scrutin",
    version,
    about = "End-to-end verifiable internet voting for CCI elections"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run both servers with an embedded SQLite store and a demo election.
    Demo(commands::demo::Args),
    /// Run the voting server and/or the admin server.
    Serve(commands::serve::Args),
    /// Check CCI files (structure, voters, users) and print the validation report.
    Import(commands::import::Args),
    /// Sample and synthetic CCI files.
    #[command(subcommand)]
    Fixtures(commands::fixtures::Command),
    /// Key-share holder tools: key ceremony, decryption shares.
    #[command(subcommand)]
    Trustee(commands::trustee::Command),
    /// Verify an election record.
    Verify(commands::verify::Args),
    /// Export the public election record (for `scrutin verify`).
    ExportRecord(commands::export_record::Args),
    /// Benchmark helpers (load generator).
    #[command(subcommand)]
    Bench(commands::bench::Command),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Demo(args) => commands::demo::run(args),
        Command::Serve(args) => commands::serve::run(args),
        Command::Import(args) => commands::import::run(args),
        Command::Fixtures(cmd) => commands::fixtures::run(cmd),
        Command::Trustee(cmd) => commands::trustee::run(cmd),
        Command::Verify(args) => commands::verify::run(args),
        Command::ExportRecord(args) => commands::export_record::run(args),
        Command::Bench(cmd) => commands::bench::run(cmd),
    }
}
