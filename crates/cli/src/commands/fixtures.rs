//! `scrutin fixtures`: synthetic CCI files for load tests and benchmarks.

use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use scrutin_election::generator;

/// Subcommands of `scrutin fixtures`.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Write a synthetic structure file (`structure.csv`) and voter file (`voters.csv`)
    /// in the real CCI formats: every row valid, reproducible from the seed.
    Generate(GenerateArgs),
}

/// Arguments of `scrutin fixtures generate`.
#[derive(clap::Args)]
pub struct GenerateArgs {
    /// Number of voter rows (voting rights).
    #[arg(long)]
    voters: u64,
    /// Output directory (created if needed).
    #[arg(long)]
    out: PathBuf,
    /// Seed of the generator: the same seed gives the same files.
    #[arg(long, default_value_t = 2026)]
    seed: u64,
}

pub fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Generate(args) => generate(args),
    }
}

fn generate(args: GenerateArgs) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let structure = args.out.join("structure.csv");
    let voters = args.out.join("voters.csv");
    let start = Instant::now();
    generator::write_structure(BufWriter::new(
        File::create(&structure).with_context(|| format!("{}", structure.display()))?,
    ))?;
    let bar = indicatif::ProgressBar::new(args.voters);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} lignes ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let file = File::create(&voters).with_context(|| format!("{}", voters.display()))?;
    let counting = RowCounter {
        inner: BufWriter::with_capacity(1 << 20, file),
        bar: bar.clone(),
        lines: 0,
    };
    generator::write_voters(counting, args.voters, args.seed)?;
    bar.finish_and_clear();
    let size = std::fs::metadata(&voters).map(|m| m.len()).unwrap_or(0);
    println!(
        "{} : structure synthétique (CCI {})",
        structure.display(),
        generator::SYNTHETIC_CHAMBER
    );
    println!(
        "{} : {} électeurs, {:.1} Mo, en {:.1} s (graine {})",
        voters.display(),
        args.voters,
        size as f64 / 1e6,
        start.elapsed().as_secs_f64(),
        args.seed
    );
    Ok(())
}

/// Counts rows (CRLF line ends) as they are written, for the progress bar.
struct RowCounter<W> {
    inner: W,
    bar: indicatif::ProgressBar,
    lines: u64,
}

impl<W: std::io::Write> std::io::Write for RowCounter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.lines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
        // The header line is not a voter row.
        self.bar.set_position(self.lines.saturating_sub(1));
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
