//! Ballot rules per contest: a valid choice is blank, or 1 to N candidates of this
//! contest (N = seats), from any mix of groupings; selecting a grouping selects its
//! candidates. No crossing out, no reordering, no write-in. Naming no candidate is a
//! blank vote for that contest.
//!
//! The same rule in plaintext form (what the ballot proofs enforce, `specs/protocol.md`
//! §5): one 0/1 value per option in ballot order plus a blank flag b, valid iff
//! (b = 1 and Σm = 0) or (b = 0 and 1 ≤ Σm ≤ N).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::candidates::ContestCandidates;
use crate::ids::{ContestId, OptionId};

/// A voter's choice in one contest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContestChoice {
    /// Blank vote (counted apart, not expressed; Code électoral L65).
    Blank,
    /// The names chosen (1 to N of the contest's candidates).
    Candidates(BTreeSet<OptionId>),
}

/// Why a choice is not valid.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum BallotError {
    /// More names than seats (R713-19 would make a paper ballot null).
    #[error("{selected} noms choisis pour {seats} sièges : au plus {seats}")]
    TooMany {
        /// Names chosen.
        selected: usize,
        /// Seats.
        seats: u32,
    },
    /// A candidate list with no name (use `Blank`).
    #[error("aucun nom choisi : c'est un vote blanc")]
    Empty,
    /// A name that is not a candidate of this contest.
    #[error("« {0} » n'est pas candidat dans cette élection")]
    UnknownOption(String),
    /// No grouping of that name.
    #[error("groupement inconnu : « {0} »")]
    UnknownGrouping(String),
    /// The plaintext has the wrong length or values other than 0 and 1.
    #[error("bulletin mal formé pour {contest}")]
    Malformed {
        /// Contest.
        contest: String,
    },
    /// The ballot's contests differ from the ballot style.
    #[error("le bulletin ne correspond pas aux élections de l'électeur : {0}")]
    Style(String),
}

/// Checks a choice against a contest's candidates and seats.
pub fn validate_choice(
    candidates: &ContestCandidates,
    seats: u32,
    choice: &ContestChoice,
) -> Result<(), BallotError> {
    match choice {
        ContestChoice::Blank => Ok(()),
        ContestChoice::Candidates(set) => {
            if set.is_empty() {
                return Err(BallotError::Empty);
            }
            let ids = candidates.option_ids();
            if let Some(unknown) = set.iter().find(|o| !ids.contains(o)) {
                return Err(BallotError::UnknownOption(unknown.to_string()));
            }
            if set.len() > seats as usize {
                return Err(BallotError::TooMany {
                    selected: set.len(),
                    seats,
                });
            }
            Ok(())
        }
    }
}

/// The plaintext of a choice: one 0/1 per option in ballot order, and the blank flag.
pub fn to_plaintext(
    candidates: &ContestCandidates,
    seats: u32,
    choice: &ContestChoice,
) -> Result<(Vec<u8>, bool), BallotError> {
    validate_choice(candidates, seats, choice)?;
    let ids = candidates.option_ids();
    Ok(match choice {
        ContestChoice::Blank => (vec![0; ids.len()], true),
        ContestChoice::Candidates(set) => (
            ids.iter().map(|id| u8::from(set.contains(id))).collect(),
            false,
        ),
    })
}

/// The choice a plaintext stands for, if it is valid.
pub fn from_plaintext(
    candidates: &ContestCandidates,
    seats: u32,
    marks: &[u8],
    blank: bool,
) -> Result<ContestChoice, BallotError> {
    let ids = candidates.option_ids();
    let malformed = || BallotError::Malformed {
        contest: candidates.contest.to_string(),
    };
    if marks.len() != ids.len() || marks.iter().any(|&m| m > 1) {
        return Err(malformed());
    }
    let chosen: BTreeSet<OptionId> = ids
        .into_iter()
        .zip(marks)
        .filter(|(_, m)| **m == 1)
        .map(|(id, _)| id)
        .collect();
    match (blank, chosen.is_empty()) {
        (true, true) => Ok(ContestChoice::Blank),
        (true, false) => Err(malformed()),
        (false, _) => {
            let choice = ContestChoice::Candidates(chosen);
            validate_choice(candidates, seats, &choice)?;
            Ok(choice)
        }
    }
}

/// Builds a choice the way the voting page does: select or deselect names, select a
/// whole grouping in one go, or vote blank.
#[derive(Clone, Debug)]
pub struct ChoiceBuilder<'c> {
    candidates: &'c ContestCandidates,
    seats: u32,
    selected: BTreeSet<OptionId>,
}

impl<'c> ChoiceBuilder<'c> {
    /// An empty choice for a contest.
    pub fn new(candidates: &'c ContestCandidates, seats: u32) -> Self {
        ChoiceBuilder {
            candidates,
            seats,
            selected: BTreeSet::new(),
        }
    }

    /// Selects one name; refused when it would exceed the seats.
    pub fn select(&mut self, option: &OptionId) -> Result<(), BallotError> {
        if !self.candidates.option_ids().contains(option) {
            return Err(BallotError::UnknownOption(option.to_string()));
        }
        if !self.selected.contains(option) && self.selected.len() >= self.seats as usize {
            return Err(BallotError::TooMany {
                selected: self.selected.len() + 1,
                seats: self.seats,
            });
        }
        self.selected.insert(option.clone());
        Ok(())
    }

    /// Deselects one name.
    pub fn deselect(&mut self, option: &OptionId) {
        self.selected.remove(option);
    }

    /// Selects every candidate of a grouping (added to the names already chosen);
    /// refused, leaving the choice unchanged, when the total would exceed the seats.
    pub fn select_grouping(&mut self, name: &str) -> Result<(), BallotError> {
        let grouping = self
            .candidates
            .groupings()
            .find(|g| g.name == name)
            .ok_or_else(|| BallotError::UnknownGrouping(name.to_owned()))?;
        let mut next = self.selected.clone();
        next.extend(grouping.candidates.iter().map(|c| c.option_id()));
        if next.len() > self.seats as usize {
            return Err(BallotError::TooMany {
                selected: next.len(),
                seats: self.seats,
            });
        }
        self.selected = next;
        Ok(())
    }

    /// Clears the names.
    pub fn clear(&mut self) {
        self.selected.clear();
    }

    /// Names chosen so far.
    pub fn selected(&self) -> &BTreeSet<OptionId> {
        &self.selected
    }

    /// The choice: blank when no name is chosen.
    pub fn build(&self) -> ContestChoice {
        if self.selected.is_empty() {
            ContestChoice::Blank
        } else {
            ContestChoice::Candidates(self.selected.clone())
        }
    }
}

/// Checks that a ballot has exactly one choice per contest of the voter's ballot style,
/// in order, each valid.
pub fn validate_ballot(
    style: &[ContestId],
    contests: &[(&ContestCandidates, u32)],
    choices: &[(ContestId, ContestChoice)],
) -> Result<(), BallotError> {
    if choices.len() != style.len() || contests.len() != style.len() {
        return Err(BallotError::Style(format!(
            "{} choix pour {} élections",
            choices.len(),
            style.len()
        )));
    }
    for ((expected, (candidates, seats)), (id, choice)) in style.iter().zip(contests).zip(choices) {
        if expected != id || &candidates.contest != id {
            return Err(BallotError::Style(format!("{id} au lieu de {expected}")));
        }
        validate_choice(candidates, *seats, choice)?;
    }
    Ok(())
}
