//! The verification report: one [`Check`] per line, each passed, failed or skipped, with
//! what it counted and, when it fails, which objects are wrong. `Display` gives the human
//! form (French, for the commission); `Serialize` the `--json` form.

use core::fmt;

use serde::Serialize;

/// How a check ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Everything it looked at holds.
    Passed,
    /// Something does not hold: see `failures`.
    Failed,
    /// Nothing to check yet (a partial record): see `skipped`. Skipping is not failing.
    Skipped,
}

/// Most failures listed per check (the count says how many there are in all).
pub const MAX_LISTED: usize = 50;

/// One line of the report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Stable identifier (`manifest`, `ballots`, …), listed in `specs/record-format.md`.
    pub name: &'static str,
    /// What is checked, in French.
    pub title: &'static str,
    /// Outcome.
    pub status: Status,
    /// Objects checked (files, ballots, seals…).
    pub checked: u64,
    /// Objects that failed.
    pub failed: u64,
    /// One line summary.
    pub detail: String,
    /// The first failures, each naming the object.
    pub failures: Vec<String>,
    /// What was not checked, and why.
    pub skipped: Vec<String>,
}

impl Check {
    /// A check with nothing counted yet.
    pub fn new(name: &'static str, title: &'static str) -> Check {
        Check {
            name,
            title,
            status: Status::Skipped,
            checked: 0,
            failed: 0,
            detail: String::new(),
            failures: Vec::new(),
            skipped: Vec::new(),
        }
    }

    /// Counts one object checked.
    pub fn ok(&mut self) {
        self.checked += 1;
    }

    /// Counts `n` objects checked.
    pub fn ok_n(&mut self, n: u64) {
        self.checked += n;
    }

    /// Counts one object checked that failed, and says why.
    pub fn fail(&mut self, why: impl Into<String>) {
        self.checked += 1;
        self.failed += 1;
        if self.failures.len() < MAX_LISTED {
            self.failures.push(why.into());
        }
    }

    /// Records a failure that is not one object (a missing file, a count that differs).
    pub fn problem(&mut self, why: impl Into<String>) {
        self.failed += 1;
        if self.failures.len() < MAX_LISTED {
            self.failures.push(why.into());
        }
    }

    /// Records something left unchecked.
    pub fn skip(&mut self, why: impl Into<String>) {
        self.skipped.push(why.into());
    }

    /// Sets the status from the counts and the summary line.
    pub fn finish(mut self, detail: impl Into<String>) -> Check {
        self.status = if self.failed > 0 {
            Status::Failed
        } else if self.checked > 0 {
            Status::Passed
        } else {
            Status::Skipped
        };
        self.detail = detail.into();
        self
    }
}

/// The whole verification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    /// What was verified (path or archive name).
    pub record: String,
    /// The election, from the manifest.
    pub election: Option<String>,
    /// When the record was exported.
    pub exported_at: Option<String>,
    /// The record says it is partial (vote open or contests not decrypted yet).
    pub partial: bool,
    /// The platform public key the signatures were checked against (hex).
    pub platform_key: Option<String>,
    /// Where that key came from: `given` (by the person verifying) or `record`.
    pub platform_key_source: Option<&'static str>,
    /// Set when the record could not be read at all (then `checks` is empty).
    pub error: Option<String>,
    /// One line per check, in order.
    pub checks: Vec<Check>,
}

impl Report {
    /// A report on input that could not be read.
    pub fn unreadable(record: impl Into<String>, why: impl Into<String>) -> Report {
        Report {
            record: record.into(),
            election: None,
            exported_at: None,
            partial: false,
            platform_key: None,
            platform_key_source: None,
            error: Some(why.into()),
            checks: Vec::new(),
        }
    }

    /// True when the record was read and no check failed (skipped checks do not count).
    pub fn passed(&self) -> bool {
        self.error.is_none() && self.checks.iter().all(|c| c.status != Status::Failed)
    }

    /// True when the record could be read.
    pub fn readable(&self) -> bool {
        self.error.is_none()
    }

    /// The check of that name.
    pub fn check(&self, name: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.name == name)
    }

    /// Names of the checks that failed.
    pub fn failed_checks(&self) -> Vec<&'static str> {
        self.checks
            .iter()
            .filter(|c| c.status == Status::Failed)
            .map(|c| c.name)
            .collect()
    }

    /// The JSON form (`--json`).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Vérification du dossier de l'élection : {}", self.record)?;
        if let Some(e) = &self.election {
            write!(f, "Élection {e}")?;
            if let Some(t) = &self.exported_at {
                write!(f, ", dossier exporté le {t}")?;
            }
            writeln!(f)?;
        }
        if self.partial {
            writeln!(
                f,
                "Dossier partiel : le vote ou le dépouillement n'est pas terminé. Ce qui n'existe pas encore n'est pas vérifié."
            )?;
        }
        if let Some(k) = &self.platform_key {
            let source = match self.platform_key_source {
                Some("given") => "donnée par vous",
                _ => "lue dans le dossier",
            };
            writeln!(f, "Clé publique de la plateforme ({source}) : {k}")?;
        }
        if let Some(e) = &self.error {
            writeln!(f, "ILLISIBLE : {e}")?;
            return Ok(());
        }
        writeln!(f)?;
        for c in &self.checks {
            let mark = match c.status {
                Status::Passed => "OK",
                Status::Failed => "ÉCHEC",
                Status::Skipped => "SANS OBJET",
            };
            writeln!(f, "{mark:<11}{:<18} {} — {}", c.name, c.title, c.detail)?;
            for why in &c.failures {
                writeln!(f, "             ✗ {why}")?;
            }
            if c.failed as usize > c.failures.len() {
                writeln!(
                    f,
                    "             … et {} autre(s)",
                    c.failed as usize - c.failures.len()
                )?;
            }
            for why in &c.skipped {
                writeln!(f, "             – non vérifié : {why}")?;
            }
        }
        writeln!(f)?;
        let failed = self.failed_checks();
        let skipped = self
            .checks
            .iter()
            .filter(|c| c.status == Status::Skipped)
            .count();
        if failed.is_empty() {
            write!(
                f,
                "RÉSULTAT : tout est vérifié et correct ({} contrôles réussis, {skipped} sans objet).",
                self.checks.len() - skipped
            )
        } else {
            write!(
                f,
                "RÉSULTAT : {} contrôle(s) en échec : {}.",
                failed.len(),
                failed.join(", ")
            )
        }
    }
}
