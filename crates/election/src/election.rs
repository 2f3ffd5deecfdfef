//! An election: its id, structure and candidate lists, and what the cryptographic layer
//! needs per contest ([`ContestSpec`]: election id, contest id, option ids in ballot
//! order, seats).

use serde::{Deserialize, Serialize};

use crate::candidates::{
    CandidateFile, CandidateIssue, CandidateLists, ContestCandidates, validate_candidates,
};
use crate::ids::{ContestId, ScrutinId};
use crate::report::Outcome;
use crate::structure::{Contest, Structure};

/// What a contest's encryption parameters are built from (the crypto crate's
/// `ContestParams` takes these four values).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContestSpec {
    /// Election id.
    pub election_id: String,
    /// Contest id (`011-C/CCIR`).
    pub contest_id: String,
    /// Option (candidate) ids in ballot order.
    pub option_ids: Vec<String>,
    /// Seats: the most candidates a ballot may name.
    pub seats: u32,
}

/// An election with its validated candidates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Election {
    /// Election id (« CCI-2026 »), bound into every contest fingerprint.
    pub id: String,
    /// The structure.
    pub structure: Structure,
    /// Candidates per contest (every contest of the structure has an entry).
    pub candidates: CandidateLists,
}

impl Election {
    /// Builds an election from its structure and candidate file. Fails with the blocking
    /// issues; otherwise returns the election and the warnings.
    pub fn new(
        id: impl Into<String>,
        structure: Structure,
        candidates: CandidateFile,
    ) -> Result<(Election, Vec<CandidateIssue>), Vec<CandidateIssue>> {
        let (lists, issues) = validate_candidates(&structure, candidates);
        if issues.iter().any(|i| i.outcome == Outcome::Blocking) {
            return Err(issues);
        }
        Ok((
            Election {
                id: id.into(),
                structure,
                candidates: lists,
            },
            issues,
        ))
    }

    /// A contest of the structure.
    pub fn contest(&self, id: &ContestId) -> Option<&Contest> {
        self.structure.contest(id)
    }

    /// A contest's candidates.
    pub fn candidates(&self, id: &ContestId) -> Option<&ContestCandidates> {
        self.candidates.get(id)
    }

    /// The encryption inputs of one contest.
    pub fn contest_spec(&self, id: &ContestId) -> Option<ContestSpec> {
        let contest = self.contest(id)?;
        let options = self
            .candidates(id)
            .map(|c| c.option_ids())
            .unwrap_or_default();
        Some(ContestSpec {
            election_id: self.id.clone(),
            contest_id: contest.id.to_string(),
            option_ids: options.into_iter().map(String::from).collect(),
            seats: contest.seats,
        })
    }

    /// The encryption inputs of every contest, in structure order.
    pub fn contest_specs(&self) -> Vec<ContestSpec> {
        self.structure
            .contests()
            .iter()
            .filter_map(|c| self.contest_spec(&c.id))
            .collect()
    }

    /// The ballot style of a scrutin's rights: its contests in ballot order.
    pub fn ballot_style(&self, scrutin: &ScrutinId) -> Option<&[ContestId]> {
        self.structure.ballot_style(scrutin)
    }
}
