//! The procès-verbal of one election (R-63, R713-27-1): every figure the official form
//! needs, the candidates' votes, the elected with the reason for each decision at equal
//! votes, vacant seats, and the ballots = émargements check (R713-24). Signatures and
//! the date of the count are added by whoever prints it.

use serde::{Deserialize, Serialize};

use crate::election::Election;
use crate::error::ResultsError;
use crate::ids::{ContestId, ContestKind, OptionId};
use crate::results::ContestResults;
use crate::seats::{Decision, SeatAllocation};
use crate::voters::Civility;

/// Version tag of the PV data.
pub const PV_FORMAT: &str = "scrutin-pv/1";

/// One candidate's line on the PV.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PvCandidate {
    /// Position on the ballot (1-based).
    pub position: u32,
    /// Option id.
    pub option: OptionId,
    /// Grouping, if any.
    pub grouping: Option<String>,
    /// Civility.
    pub civility: Civility,
    /// Surname.
    pub last_name: String,
    /// First name.
    pub first_name: String,
    /// Birth date (for the age tie-break).
    pub birth_date: chrono::NaiveDate,
    /// Delegation, if any.
    pub delegation: Option<String>,
    /// Suppléant (CCIR), « Prénom NOM ».
    pub substitute: Option<String>,
    /// Votes.
    pub votes: u64,
    /// Rank (votes, then age, then draw).
    pub rank: u32,
    /// Elected.
    pub elected: bool,
    /// The decision in words (French).
    pub decision: String,
}

/// One grouping's totals on the PV (votes of its candidates, seats they won).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PvGrouping {
    /// Name.
    pub name: String,
    /// Its candidates.
    pub candidates: u32,
    /// Sum of its candidates' votes.
    pub votes: u64,
    /// Seats won by its candidates.
    pub seats: u32,
}

/// The PV of one election.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pv {
    /// `scrutin-pv/1`.
    pub format: String,
    /// Election id.
    pub election_id: String,
    /// Contest.
    pub contest: ContestId,
    /// CCIR or CCIT.
    pub kind: ContestKind,
    /// Chamber code.
    pub chamber: String,
    /// Chamber label.
    pub chamber_label: String,
    /// Category code and label.
    pub category: String,
    /// Category label.
    pub category_label: String,
    /// Sub-categories voting in this election (code and label); several for a pooled
    /// CCIR election, none without sub-categories.
    pub sub_categories: Vec<(String, String)>,
    /// Ballot title.
    pub ballot_title: String,
    /// Seats to fill.
    pub seats: u32,
    /// Inscrits.
    pub registered: u64,
    /// Votants (émargements).
    pub voters: u64,
    /// Bulletins trouvés dans l'urne.
    pub ballots: u64,
    /// Bulletins blancs.
    pub blank: u64,
    /// Bulletins nuls.
    pub null: u64,
    /// Suffrages exprimés.
    pub expressed: u64,
    /// Participation, in percent.
    pub turnout_percent: f64,
    /// R713-24 check.
    pub ballots_match_emargements: bool,
    /// Ballots minus émargements (0 when the check holds).
    pub ballots_minus_emargements: i64,
    /// Candidates in ballot order.
    pub candidates: Vec<PvCandidate>,
    /// Groupings in order.
    pub groupings: Vec<PvGrouping>,
    /// Elected, best first.
    pub elected: Vec<OptionId>,
    /// Vacant seats.
    pub vacant_seats: u32,
    /// CCIR election: the elected and their suppléants, also members of the CCIT
    /// (R713-27), « Prénom NOM ».
    pub also_ccit_members: Vec<String>,
    /// The public draw seed (hex).
    pub draw_seed: String,
}

fn decision_fr(d: &Decision, name_of: &dyn Fn(&OptionId) -> String) -> String {
    let list = |v: &[OptionId]| v.iter().map(name_of).collect::<Vec<_>>().join(", ");
    match d {
        Decision::MostVotes => "élu".to_owned(),
        Decision::OlderAtEqualVotes { against } => {
            format!(
                "élu à égalité de voix avec {}, au bénéfice de l'âge (L713-16)",
                list(against)
            )
        }
        Decision::WonDraw { against } => format!(
            "élu à égalité de voix et de date de naissance avec {}, par tirage déterministe",
            list(against)
        ),
        Decision::FewerVotes => "non élu".to_owned(),
        Decision::YoungerAtEqualVotes { against } => format!(
            "non élu : égalité de voix avec {}, plus âgé(s)",
            list(against)
        ),
        Decision::LostDraw { against } => format!(
            "non élu : égalité de voix et de date de naissance avec {}, tirage déterministe",
            list(against)
        ),
    }
}

/// Builds the PV of a contest from its results and seat allocation.
pub fn build_pv(
    election: &Election,
    results: &ContestResults,
    allocation: &SeatAllocation,
) -> Result<Pv, ResultsError> {
    let unknown = || ResultsError::UnknownContest(results.contest.to_string());
    let contest = election.contest(&results.contest).ok_or_else(unknown)?;
    let list = election.candidates(&results.contest).ok_or_else(unknown)?;
    let options = list.options();
    let name_of = |id: &OptionId| {
        options
            .iter()
            .find(|c| &c.option_id() == id)
            .map_or_else(|| id.to_string(), |c| c.full_name())
    };
    let first = contest
        .scrutins
        .first()
        .and_then(|s| election.structure.scrutin(s))
        .ok_or_else(unknown)?;
    let sub_categories = contest
        .scrutins
        .iter()
        .filter_map(|s| election.structure.scrutin(s))
        .filter_map(|s| {
            s.sub_category.as_ref().map(|code| {
                (
                    code.to_string(),
                    s.sub_category_label.clone().unwrap_or_default(),
                )
            })
        })
        .collect();
    let mut candidates = Vec::new();
    for (i, c) in options.iter().enumerate() {
        let option = c.option_id();
        let ranked = allocation.get(&option);
        candidates.push(PvCandidate {
            position: (i + 1) as u32,
            grouping: list.grouping_of(&option).map(str::to_owned),
            civility: c.civility,
            last_name: c.last_name.clone(),
            first_name: c.first_name.clone(),
            birth_date: c.birth_date,
            delegation: c.delegation.clone(),
            substitute: c
                .substitute
                .as_ref()
                .map(|s| format!("{} {}", s.first_name, s.last_name.to_uppercase())),
            votes: results
                .votes
                .iter()
                .find(|v| v.option == option)
                .map_or(0, |v| v.votes),
            rank: ranked.map_or(0, |r| r.rank),
            elected: ranked.is_some_and(|r| r.decision.is_elected()),
            decision: ranked.map_or_else(String::new, |r| decision_fr(&r.decision, &name_of)),
            option,
        });
    }
    let groupings = list
        .groupings()
        .map(|g| {
            let ids: Vec<OptionId> = g.candidates.iter().map(|c| c.option_id()).collect();
            PvGrouping {
                name: g.name.clone(),
                candidates: ids.len() as u32,
                votes: candidates
                    .iter()
                    .filter(|c| ids.contains(&c.option))
                    .map(|c| c.votes)
                    .sum(),
                seats: allocation
                    .elected
                    .iter()
                    .filter(|e| ids.contains(e))
                    .count() as u32,
            }
        })
        .collect();
    let also_ccit_members = if contest.kind == ContestKind::Ccir {
        allocation
            .elected
            .iter()
            .filter_map(|id| options.iter().find(|c| &c.option_id() == id))
            .flat_map(|c| {
                let mut v = vec![c.full_name()];
                if let Some(s) = &c.substitute {
                    v.push(format!(
                        "{} {} (suppléant)",
                        s.first_name,
                        s.last_name.to_uppercase()
                    ));
                }
                v
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(Pv {
        format: PV_FORMAT.to_owned(),
        election_id: election.id.clone(),
        contest: contest.id.clone(),
        kind: contest.kind,
        chamber: contest.chamber.to_string(),
        chamber_label: first.chamber_label.clone(),
        category: contest.category.to_string(),
        category_label: first.category_label.clone(),
        sub_categories,
        ballot_title: contest.ballot_title.clone(),
        seats: contest.seats,
        registered: results.registered,
        voters: results.voters,
        ballots: results.ballots,
        blank: results.blank,
        null: results.null,
        expressed: results.expressed,
        turnout_percent: results.turnout_percent,
        ballots_match_emargements: results.ballots_match_emargements,
        ballots_minus_emargements: results.ballots as i64 - results.voters as i64,
        candidates,
        groupings,
        elected: allocation.elected.clone(),
        vacant_seats: allocation.vacant,
        also_ccit_members,
        draw_seed: allocation.draw_seed.clone(),
    })
}

impl Pv {
    /// The PV as French text (for a screen or a draft printout).
    pub fn to_text(&self) -> String {
        use std::fmt::Write as _;
        let mut o = String::new();
        let _ = writeln!(
            o,
            "PROCÈS-VERBAL — {} ({})",
            self.ballot_title, self.contest
        );
        let _ = writeln!(
            o,
            "{} — CCI {} {}",
            self.election_id, self.chamber, self.chamber_label
        );
        let _ = write!(o, "Catégorie {} {}", self.category, self.category_label);
        for (code, label) in &self.sub_categories {
            let _ = write!(o, " — sous-catégorie {code} {label}");
        }
        let _ = writeln!(o);
        let _ = writeln!(o, "Sièges à pourvoir : {}", self.seats);
        let _ = writeln!(o, "Inscrits : {}", self.registered);
        let _ = writeln!(o, "Votants (émargements) : {}", self.voters);
        let _ = writeln!(o, "Bulletins dans l'urne : {}", self.ballots);
        let _ = writeln!(
            o,
            "Contrôle bulletins = émargements : {}",
            if self.ballots_match_emargements {
                "conforme".to_owned()
            } else {
                format!("ÉCART de {}", self.ballots_minus_emargements)
            }
        );
        let _ = writeln!(o, "Bulletins blancs : {}", self.blank);
        let _ = writeln!(o, "Bulletins nuls : {}", self.null);
        let _ = writeln!(o, "Suffrages exprimés : {}", self.expressed);
        let _ = writeln!(o, "Participation : {:.2} %", self.turnout_percent);
        let _ = writeln!(o, "\nVoix par candidat (ordre du bulletin) :");
        for c in &self.candidates {
            let _ = writeln!(
                o,
                "  {:>2}. {} {} {}{}{} : {} voix — rang {} — {}",
                c.position,
                c.civility.as_str(),
                c.first_name,
                c.last_name.to_uppercase(),
                c.grouping
                    .as_ref()
                    .map(|g| format!(" [{g}]"))
                    .unwrap_or_default(),
                c.delegation
                    .as_ref()
                    .map(|d| format!(" (délégation {d})"))
                    .unwrap_or_default(),
                c.votes,
                c.rank,
                c.decision
            );
        }
        if !self.groupings.is_empty() {
            let _ = writeln!(o, "\nGroupements :");
            for g in &self.groupings {
                let _ = writeln!(o, "  {} : {} voix, {} siège(s)", g.name, g.votes, g.seats);
            }
        }
        let _ = writeln!(o, "\nSièges vacants : {}", self.vacant_seats);
        if !self.also_ccit_members.is_empty() {
            let _ = writeln!(
                o,
                "Également membres de la CCI territoriale (R713-27) : {}",
                self.also_ccit_members.join(", ")
            );
        }
        let _ = writeln!(o, "Graine publique du tirage : {}", self.draw_seed);
        o
    }
}
