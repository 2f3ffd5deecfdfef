//! Candidates and groupings, entered by COE-authorised users: there is no
//! official candidate file, so scrutin defines a JSON form (`scrutin-candidates/1`, see
//! `specs/csv-formats.md`).
//!
//! A contest's ballot is an ordered list of entries, each a grouping (a name and its
//! ordered candidates, at most as many as the seats) or an individual candidacy, in
//! registration order. The candidates in that order are the contest's options.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ids::{ContestId, ContestKind, OptionId};
use crate::report::Outcome;
use crate::structure::Structure;
use crate::voters::Civility;

/// Version tag of the candidate file.
pub const CANDIDATES_FORMAT: &str = "scrutin-candidates/1";

/// The mandate a candidate stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Mandate {
    /// Member of the regional chamber and of the territorial chamber (CCIR election),
    /// with a suppléant.
    #[serde(rename = "CCIR+CCIT")]
    CcirAndCcit,
    /// Member of the territorial chamber only (CCIT election).
    #[serde(rename = "CCIT")]
    CcitOnly,
}

impl Mandate {
    /// The mandate of a contest's candidates.
    pub fn of(kind: ContestKind) -> Mandate {
        match kind {
            ContestKind::Ccir => Mandate::CcirAndCcit,
            ContestKind::Ccit => Mandate::CcitOnly,
        }
    }
}

/// A CCIR candidate's suppléant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Substitute {
    /// Civility.
    pub civility: Civility,
    /// Surname.
    pub last_name: String,
    /// First name.
    pub first_name: String,
    /// Business activity, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity: Option<String>,
    /// Locality, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locality: Option<String>,
}

/// One candidate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    /// Option id in the contest; `01`, `02`… by ballot order when the file gives none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<OptionId>,
    /// Civility (`M.`, `MME`…).
    pub civility: Civility,
    /// Surname.
    pub last_name: String,
    /// First name.
    pub first_name: String,
    /// Birth date: the older candidate wins at equal votes (L713-16).
    pub birth_date: NaiveDate,
    /// Business activity (« boulanger »).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity: Option<String>,
    /// Locality (« Bolbec »).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locality: Option<String>,
    /// Territorial delegation the candidate stands for, shown on the ballot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delegation: Option<String>,
    /// Mandate; when absent, the contest's (CCIR+CCIT for a CCIR election).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mandate: Option<Mandate>,
    /// Suppléant, required for a CCIR candidate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub substitute: Option<Substitute>,
}

impl Candidate {
    /// The option id (set for every candidate of a validated list).
    pub fn option_id(&self) -> OptionId {
        self.id
            .clone()
            .unwrap_or_else(|| OptionId::from_position(0))
    }

    /// The line printed on the ballot: « M. Jean-Marie BOUCHER, boulanger, Bolbec »,
    /// then the delegation and the suppléant when present.
    pub fn ballot_line(&self) -> String {
        let mut s = format!(
            "{} {} {}",
            self.civility.as_str(),
            self.first_name,
            self.last_name.to_uppercase()
        );
        for extra in [&self.activity, &self.locality].into_iter().flatten() {
            s.push_str(", ");
            s.push_str(extra);
        }
        if let Some(d) = &self.delegation {
            s.push_str(&format!(" — délégation {d}"));
        }
        if let Some(sub) = &self.substitute {
            s.push_str(&format!(
                " — suppléant : {} {} {}",
                sub.civility.as_str(),
                sub.first_name,
                sub.last_name.to_uppercase()
            ));
        }
        s
    }

    /// « Prénom NOM ».
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name.to_uppercase())
    }
}

/// A named grouping of candidates (not a list: voters may mix freely).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grouping {
    /// Its name (« Ensemble pour l'Ain »).
    pub name: String,
    /// Its candidates in the order entered.
    pub candidates: Vec<Candidate>,
}

/// One entry of a ballot, in registration order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
// A ballot has a few dozen entries at most: boxing would only make them clumsier to build.
#[allow(clippy::large_enum_variant)]
pub enum BallotEntry {
    /// A grouping.
    Grouping(Grouping),
    /// An individual candidacy.
    Candidate(Candidate),
}

/// The candidates of one contest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContestCandidates {
    /// The contest.
    pub contest: ContestId,
    /// Entries in registration order.
    pub entries: Vec<BallotEntry>,
}

impl ContestCandidates {
    /// The candidates in ballot order (the contest's options).
    pub fn options(&self) -> Vec<&Candidate> {
        let mut out = Vec::new();
        for e in &self.entries {
            match e {
                BallotEntry::Grouping(g) => out.extend(g.candidates.iter()),
                BallotEntry::Candidate(c) => out.push(c),
            }
        }
        out
    }

    /// Option ids in ballot order.
    pub fn option_ids(&self) -> Vec<OptionId> {
        self.options().iter().map(|c| c.option_id()).collect()
    }

    /// The groupings in order.
    pub fn groupings(&self) -> impl Iterator<Item = &Grouping> {
        self.entries.iter().filter_map(|e| match e {
            BallotEntry::Grouping(g) => Some(g),
            BallotEntry::Candidate(_) => None,
        })
    }

    /// The name of the grouping of an option, if any.
    pub fn grouping_of(&self, option: &OptionId) -> Option<&str> {
        self.groupings()
            .find(|g| g.candidates.iter().any(|c| &c.option_id() == option))
            .map(|g| g.name.as_str())
    }
}

/// The candidate file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidateFile {
    /// `scrutin-candidates/1`.
    pub format: String,
    /// Candidates per contest.
    pub contests: Vec<ContestCandidates>,
}

impl CandidateFile {
    /// Parses the JSON form.
    pub fn from_json(json: &str) -> Result<CandidateFile, serde_json::Error> {
        serde_json::from_str(json)
    }
}

/// Rules of candidate validation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CandidateRule {
    /// The file's format tag is not `scrutin-candidates/1`.
    Format,
    /// The contest is not in the structure.
    UnknownContest,
    /// The contest appears twice.
    DuplicateContest,
    /// A grouping has more candidates than seats.
    GroupingTooLarge,
    /// A grouping without candidates.
    EmptyGrouping,
    /// A grouping without a name, or two with the same name.
    GroupingName,
    /// Mandate not that of the contest (CCIR+CCIT in a CCIR election, CCIT in a CCIT one).
    Mandate,
    /// A CCIR candidate without suppléant.
    SubstituteRequired,
    /// A CCIT-only candidate with a suppléant.
    SubstituteNotAllowed,
    /// Candidate and suppléant of the same sex (warning only: R-20).
    SubstituteSameSex,
    /// Option ids repeat in a contest.
    DuplicateId,
    /// A required name is empty.
    NameRequired,
    /// The same person (names and birth date) stands twice in the contests of a scrutin.
    DuplicatePerson,
    /// No candidate: every seat will stay vacant.
    NoCandidates,
    /// Fewer candidates than seats: some seats will stay vacant.
    FewerCandidatesThanSeats,
}

/// A problem in the candidate lists.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidateIssue {
    /// The contest, if the issue is about one.
    pub contest: Option<ContestId>,
    /// Where: « groupement 2 « … », candidat 3 ».
    pub location: String,
    /// The rule.
    pub rule: CandidateRule,
    /// Blocking or warning.
    pub outcome: Outcome,
    /// French explanation.
    pub message: String,
}

/// Validated candidate lists, by contest.
pub type CandidateLists = BTreeMap<ContestId, ContestCandidates>;

/// Validates a candidate file against the structure and assigns default option ids.
/// Returns the lists (every contest of the structure, empty when absent from the file)
/// and the issues; the lists may be sealed only when no issue is blocking.
pub fn validate_candidates(
    structure: &Structure,
    file: CandidateFile,
) -> (CandidateLists, Vec<CandidateIssue>) {
    let mut issues = Vec::new();
    let mut issue = |contest: Option<&ContestId>,
                     location: String,
                     rule: CandidateRule,
                     outcome: Outcome,
                     message: String| {
        issues.push(CandidateIssue {
            contest: contest.cloned(),
            location,
            rule,
            outcome,
            message,
        })
    };
    if file.format != CANDIDATES_FORMAT {
        issue(
            None,
            "fichier".into(),
            CandidateRule::Format,
            Outcome::Blocking,
            format!(
                "format « {} » : « {CANDIDATES_FORMAT} » attendu",
                file.format
            ),
        );
    }
    let mut lists: CandidateLists = structure
        .contests()
        .iter()
        .map(|c| {
            (
                c.id.clone(),
                ContestCandidates {
                    contest: c.id.clone(),
                    entries: Vec::new(),
                },
            )
        })
        .collect();
    let mut given: Vec<ContestId> = Vec::new();
    for mut cc in file.contests {
        let Some(contest) = structure.contest(&cc.contest) else {
            issue(
                Some(&cc.contest),
                "élection".into(),
                CandidateRule::UnknownContest,
                Outcome::Blocking,
                format!(
                    "l'élection {} n'existe pas dans la structure électorale",
                    cc.contest
                ),
            );
            continue;
        };
        if given.contains(&cc.contest) {
            issue(
                Some(&cc.contest),
                "élection".into(),
                CandidateRule::DuplicateContest,
                Outcome::Blocking,
                format!("l'élection {} figure deux fois", cc.contest),
            );
            continue;
        }
        given.push(cc.contest.clone());
        let cid = cc.contest.clone();
        let expected = Mandate::of(contest.kind);
        let mut position = 0usize;
        let mut ids: HashMap<OptionId, String> = HashMap::new();
        let mut grouping_names: Vec<String> = Vec::new();
        let mut grouping_index = 0usize;
        for entry in &mut cc.entries {
            let (label, list): (String, Vec<&mut Candidate>) = match entry {
                BallotEntry::Grouping(g) => {
                    grouping_index += 1;
                    let label = format!("groupement {grouping_index} « {} »", g.name);
                    if g.name.trim().is_empty() {
                        issue(
                            Some(&cid),
                            label.clone(),
                            CandidateRule::GroupingName,
                            Outcome::Blocking,
                            "un groupement doit avoir un nom".into(),
                        );
                    } else if grouping_names
                        .iter()
                        .any(|n| n.eq_ignore_ascii_case(g.name.trim()))
                    {
                        issue(
                            Some(&cid),
                            label.clone(),
                            CandidateRule::GroupingName,
                            Outcome::Blocking,
                            "deux groupements portent ce nom".into(),
                        );
                    } else {
                        grouping_names.push(g.name.trim().to_owned());
                    }
                    if g.candidates.is_empty() {
                        issue(
                            Some(&cid),
                            label.clone(),
                            CandidateRule::EmptyGrouping,
                            Outcome::Blocking,
                            "groupement sans candidat".into(),
                        );
                    }
                    if g.candidates.len() > contest.seats as usize {
                        issue(
                            Some(&cid),
                            label.clone(),
                            CandidateRule::GroupingTooLarge,
                            Outcome::Blocking,
                            format!(
                                "{} candidats pour {} sièges : un groupement compte au plus autant de noms que de sièges à pourvoir",
                                g.candidates.len(),
                                contest.seats
                            ),
                        );
                    }
                    (label, g.candidates.iter_mut().collect())
                }
                BallotEntry::Candidate(c) => ("candidature individuelle".to_owned(), vec![c]),
            };
            for (k, cand) in list.into_iter().enumerate() {
                position += 1;
                let loc = format!(
                    "{label}, candidat {} ({} {})",
                    k + 1,
                    cand.first_name,
                    cand.last_name
                );
                let id = cand
                    .id
                    .clone()
                    .unwrap_or_else(|| OptionId::from_position(position));
                if let Some(other) = ids.get(&id) {
                    issue(
                        Some(&cid),
                        loc.clone(),
                        CandidateRule::DuplicateId,
                        Outcome::Blocking,
                        format!("identifiant {id} déjà pris par {other}"),
                    );
                }
                ids.insert(id.clone(), loc.clone());
                cand.id = Some(id);
                if cand.last_name.trim().is_empty() || cand.first_name.trim().is_empty() {
                    issue(
                        Some(&cid),
                        loc.clone(),
                        CandidateRule::NameRequired,
                        Outcome::Blocking,
                        "nom et prénom du candidat obligatoires".into(),
                    );
                }
                let mandate = *cand.mandate.get_or_insert(expected);
                if mandate != expected {
                    issue(
                        Some(&cid),
                        loc.clone(),
                        CandidateRule::Mandate,
                        Outcome::Blocking,
                        format!(
                            "mandat {} dans une élection {} : un candidat CCIR+CCIT figure dans l'élection CCIR, un candidat CCIT seul dans l'élection CCIT",
                            match mandate {
                                Mandate::CcirAndCcit => "CCIR+CCIT",
                                Mandate::CcitOnly => "CCIT",
                            },
                            contest.kind
                        ),
                    );
                }
                match (&cand.substitute, mandate) {
                    (None, Mandate::CcirAndCcit) => issue(
                        Some(&cid),
                        loc.clone(),
                        CandidateRule::SubstituteRequired,
                        Outcome::Blocking,
                        "un candidat CCIR se présente avec un suppléant".into(),
                    ),
                    (Some(_), Mandate::CcitOnly) => issue(
                        Some(&cid),
                        loc.clone(),
                        CandidateRule::SubstituteNotAllowed,
                        Outcome::Blocking,
                        "un candidat CCIT seul n'a pas de suppléant".into(),
                    ),
                    (Some(sub), Mandate::CcirAndCcit) => {
                        if sub.last_name.trim().is_empty() || sub.first_name.trim().is_empty() {
                            issue(
                                Some(&cid),
                                loc.clone(),
                                CandidateRule::NameRequired,
                                Outcome::Blocking,
                                "nom et prénom du suppléant obligatoires".into(),
                            );
                        }
                        if sub.civility.is_female() == cand.civility.is_female() {
                            issue(Some(&cid), loc.clone(), CandidateRule::SubstituteSameSex, Outcome::Warning, "le suppléant devrait être de sexe différent (non bloquant : seul le juge de l'élection en décide)".into());
                        }
                    }
                    (None, Mandate::CcitOnly) => {}
                }
            }
        }
        let count = cc.options().len();
        if count == 0 {
            issue(
                Some(&cid),
                "élection".into(),
                CandidateRule::NoCandidates,
                Outcome::Warning,
                format!(
                    "aucun candidat : les {} sièges resteront vacants",
                    contest.seats
                ),
            );
        } else if count < contest.seats as usize {
            issue(
                Some(&cid),
                "élection".into(),
                CandidateRule::FewerCandidatesThanSeats,
                Outcome::Warning,
                format!(
                    "{count} candidats pour {} sièges : {} sièges resteront vacants",
                    contest.seats,
                    contest.seats as usize - count
                ),
            );
        }
        lists.insert(cc.contest.clone(), cc);
    }
    for (id, list) in &lists {
        if !given.contains(id) && structure.contest(id).is_some_and(|c| c.seats > 0) {
            let seats = structure.contest(id).map_or(0, |c| c.seats);
            if list.entries.is_empty() {
                issue(
                    Some(id),
                    "élection".into(),
                    CandidateRule::NoCandidates,
                    Outcome::Warning,
                    format!("aucun candidat : les {seats} sièges resteront vacants"),
                );
            }
        }
    }

    // One person stands once across the contests of a ballot style.
    let mut reported: HashSet<(String, String, NaiveDate)> = HashSet::new();
    for scrutin in structure.scrutins() {
        let Some(style) = structure.ballot_style(&scrutin.id()) else {
            continue;
        };
        let mut people: HashMap<(String, String, NaiveDate), ContestId> = HashMap::new();
        for cid in style {
            let Some(list) = lists.get(cid) else { continue };
            for c in list.options() {
                let key = (
                    c.last_name.trim().to_uppercase(),
                    c.first_name.trim().to_uppercase(),
                    c.birth_date,
                );
                if let Some(other) = people.get(&key) {
                    if reported.insert(key.clone()) {
                        issues.push(CandidateIssue {
                            contest: Some(cid.clone()),
                            location: c.full_name(),
                            rule: CandidateRule::DuplicatePerson,
                            outcome: Outcome::Blocking,
                            message: format!(
                                "{} est candidat deux fois (aussi dans {other}) : une seule candidature par personne",
                                c.full_name()
                            ),
                        });
                    }
                } else {
                    people.insert(key, cid.clone());
                }
            }
        }
    }
    (lists, issues)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn cand(
        last: &str,
        civility: Civility,
        born: (i32, u32, u32),
        substitute: Option<Civility>,
    ) -> Candidate {
        Candidate {
            id: None,
            civility,
            last_name: last.to_owned(),
            first_name: "Camille".to_owned(),
            birth_date: NaiveDate::from_ymd_opt(born.0, born.1, born.2).unwrap(),
            activity: Some("commerçant".into()),
            locality: Some("Bourg-en-Bresse".into()),
            delegation: None,
            mandate: None,
            substitute: substitute.map(|civility| Substitute {
                civility,
                last_name: format!("{last}-SUPPLEANT"),
                first_name: "Dominique".into(),
                activity: None,
                locality: None,
            }),
        }
    }

    #[test]
    fn ballot_line_shows_delegation_and_substitute() {
        let mut c = cand("Boucher", Civility::M, (1960, 1, 1), Some(Civility::Mme));
        c.first_name = "Jean-Marie".into();
        c.activity = Some("boulanger".into());
        c.locality = Some("Bolbec".into());
        c.delegation = Some("Pays de Caux".into());
        let line = c.ballot_line();
        assert_eq!(
            line,
            "M. Jean-Marie BOUCHER, boulanger, Bolbec — délégation Pays de Caux — suppléant : MME Dominique BOUCHER-SUPPLEANT"
        );
    }
}
