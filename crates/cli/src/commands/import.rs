//! `scrutin import`: checks a CCI file (structure, voters, users) or a candidate file and
//! prints the validation report, as text for people or CSV/JSON for tools.
//!
//! Exit status: 0 when the file can be loaded, 1 when it has blocking errors, 2 when it
//! cannot be read at all (not CSV, empty, UTF-16…).

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use anyhow::Context;
use scrutin_election::candidates::validate_candidates;
use scrutin_election::control::SamplingParams;
use scrutin_election::input::{EncodingChoice, ReadOptions};
use scrutin_election::report::ImportReport;
use scrutin_election::{
    CandidateFile, ImportError, Outcome, Structure, read_structure, read_users, validate_voters,
};

/// Arguments of `scrutin import`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    kind: Kind,
}

#[derive(clap::Subcommand)]
enum Kind {
    /// Election structure file (CCTP annex §7.1.2).
    Structure(Common),
    /// Voter file of a chamber (CCTP annex §7.1.3), checked against the structure.
    Voters {
        #[command(flatten)]
        common: Common,
        /// The structure file the voters belong to.
        #[arg(long)]
        structure: PathBuf,
        /// Draw the spot-check sample of each chamber with this seed (reproducible).
        #[arg(long)]
        spot_check_seed: Option<String>,
    },
    /// Authorised users file (CCTP annex §7.1.4).
    Users {
        #[command(flatten)]
        common: Common,
        /// Check perimeters against this structure file.
        #[arg(long)]
        structure: Option<PathBuf>,
    },
    /// Candidate file (`scrutin-candidates/1` JSON), checked against the structure.
    Candidates {
        /// The candidate file.
        file: PathBuf,
        /// The structure file.
        #[arg(long)]
        structure: PathBuf,
        /// Print the issues as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(clap::Args)]
struct Common {
    /// The CSV file.
    file: PathBuf,
    /// Encoding: auto, utf-8 or windows-1252.
    #[arg(long, default_value = "auto")]
    encoding: EncodingChoice,
    /// Field delimiter: auto, ';', ',' or tab.
    #[arg(long, default_value = "auto")]
    delimiter: String,
    /// Print the whole report as JSON.
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Print the issues as CSV (`;`, UTF-8).
    #[arg(long)]
    csv: bool,
    /// Most issues listed (all are counted).
    #[arg(long, default_value_t = 10_000)]
    max_issues: usize,
}

impl Common {
    fn options(&self) -> anyhow::Result<ReadOptions> {
        let delimiter = match self.delimiter.as_str() {
            "auto" => None,
            "tab" | "\\t" | "\t" => Some(b'\t'),
            d if d.len() == 1 && d.is_ascii() => Some(d.as_bytes()[0]),
            other => anyhow::bail!("délimiteur « {other} » : auto, ';', ',' ou tab"),
        };
        Ok(ReadOptions {
            encoding: self.encoding,
            delimiter,
            max_listed_issues: self.max_issues,
        })
    }
}

fn open(path: &Path) -> anyhow::Result<File> {
    File::open(path).with_context(|| format!("impossible d'ouvrir {}", path.display()))
}

/// Prints an unreadable-file error and exits with status 2.
fn unreadable(path: &Path, e: ImportError) -> ! {
    eprintln!("{} : {e}", path.display());
    std::process::exit(2)
}

fn load_structure(path: &Path) -> anyhow::Result<Structure> {
    let import = match read_structure(BufReader::new(open(path)?), &ReadOptions::default()) {
        Ok(i) => i,
        Err(e) => unreadable(path, e),
    };
    match import.structure {
        Some(s) => Ok(s),
        None => {
            eprint!("{}", import.report.to_text());
            anyhow::bail!(
                "la structure électorale {} a des erreurs bloquantes",
                path.display()
            )
        }
    }
}

fn print_report(
    report: &ImportReport,
    common: &Common,
    extra_text: &str,
    extra_json: serde_json::Value,
) {
    if common.json {
        let mut v = serde_json::json!({ "report": report });
        if let (Some(obj), serde_json::Value::Object(extra)) = (v.as_object_mut(), extra_json) {
            obj.extend(extra);
        }
        emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&v).unwrap_or_default()
        ));
    } else if common.csv {
        emit(&report.to_csv());
    } else {
        emit(&report.to_text());
        emit(extra_text);
    }
}

/// Writes to standard output; a closed pipe (`| head`) ends the command quietly.
fn emit(text: &str) {
    use std::io::Write as _;
    if std::io::stdout().lock().write_all(text.as_bytes()).is_err() {
        std::process::exit(0);
    }
}

fn finish(report: &ImportReport) {
    if !report.is_loadable() {
        std::process::exit(1);
    }
}

pub fn run(args: Args) -> anyhow::Result<()> {
    match args.kind {
        Kind::Structure(common) => {
            let options = common.options()?;
            let import = read_structure(BufReader::new(open(&common.file)?), &options)
                .unwrap_or_else(|e| unreadable(&common.file, e));
            let mut text = String::new();
            if let Some(s) = &import.structure {
                text.push_str(&format!(
                    "\nÉlections (contests) : {}\n",
                    s.contests().len()
                ));
                for c in s.contests() {
                    text.push_str(&format!(
                        "  {:<16} {} siège(s){}\n",
                        c.id,
                        c.seats,
                        if c.pooled {
                            " — commune aux sous-catégories (R731-8)"
                        } else {
                            ""
                        }
                    ));
                }
            }
            let contests = import.structure.as_ref().map(|s| s.contests().to_vec());
            print_report(
                &import.report,
                &common,
                &text,
                serde_json::json!({ "contests": contests }),
            );
            finish(&import.report);
        }
        Kind::Voters {
            common,
            structure,
            spot_check_seed,
        } => {
            let options = common.options()?;
            let structure = load_structure(&structure)?;
            let file = open(&common.file)?;
            let len = file.metadata().map(|m| m.len()).unwrap_or(0);
            let bar = indicatif::ProgressBar::new(len);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:40} {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            let reader: Box<dyn Read> =
                Box::new(bar.wrap_read(BufReader::with_capacity(1 << 20, file)));
            let import = validate_voters(&structure, reader, &options).unwrap_or_else(|e| {
                bar.finish_and_clear();
                unreadable(&common.file, e)
            });
            bar.finish_and_clear();
            let params = SamplingParams::default();
            let samples: Vec<_> = spot_check_seed
                .as_deref()
                .map(|seed| {
                    import
                        .control
                        .iter()
                        .map(|c| c.spot_check(seed, &params))
                        .collect()
                })
                .unwrap_or_default();
            let mut text = String::new();
            if import.report.is_loadable() {
                for c in &import.control {
                    text.push('\n');
                    text.push_str(&c.to_text());
                }
            }
            for s in &samples {
                text.push_str(&format!(
                    "\nÉchantillon de contrôle — CCI {} : {} électeurs tirés sur {} (graine « {} », confiance 95 %, marge 3 %, taux attendu 15 %)\n",
                    s.chamber, s.sample_size, s.population, s.seed
                ));
                for id in &s.voter_ids {
                    text.push_str(&format!("  {id}\n"));
                }
            }
            print_report(
                &import.report,
                &common,
                &text,
                serde_json::json!({ "control": import.control, "spot_checks": samples }),
            );
            finish(&import.report);
        }
        Kind::Users { common, structure } => {
            let options = common.options()?;
            let structure = structure.as_deref().map(load_structure).transpose()?;
            let import = read_users(
                BufReader::new(open(&common.file)?),
                structure.as_ref(),
                &options,
            )
            .unwrap_or_else(|e| unreadable(&common.file, e));
            print_report(
                &import.report,
                &common,
                &format!("\nUtilisateurs acceptés : {}\n", import.users.len()),
                serde_json::json!({ "users": import.users }),
            );
            finish(&import.report);
        }
        Kind::Candidates {
            file,
            structure,
            json,
        } => {
            let structure = load_structure(&structure)?;
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("impossible de lire {}", file.display()))?;
            let parsed = CandidateFile::from_json(&text)
                .with_context(|| format!("{} : JSON de candidatures invalide", file.display()))?;
            let (lists, issues) = validate_candidates(&structure, parsed);
            if json {
                emit(&format!(
                    "{}\n",
                    serde_json::to_string_pretty(
                        &serde_json::json!({ "issues": issues, "contests": lists })
                    )
                    .unwrap_or_default()
                ));
            } else {
                for (id, list) in &lists {
                    let seats = structure.contest(id).map_or(0, |c| c.seats);
                    emit(&format!(
                        "{id} — {seats} siège(s), {} candidat(s)\n",
                        list.options().len()
                    ));
                }
                for i in &issues {
                    emit(&format!(
                        "{} {} — {} : {}\n",
                        if i.outcome == Outcome::Blocking {
                            "ERREUR"
                        } else {
                            "avertissement"
                        },
                        i.contest
                            .as_ref()
                            .map(|c| c.to_string())
                            .unwrap_or_default(),
                        i.location,
                        i.message
                    ));
                }
            }
            if issues.iter().any(|i| i.outcome == Outcome::Blocking) {
                std::process::exit(1);
            }
        }
    }
    Ok(())
}
