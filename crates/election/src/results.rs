//! Results per contest: registered, voters (émargements), ballots, blank (counted
//! apart, not expressed: Code électoral L65), null, expressed, votes per candidate,
//! turnout, and the check that the ballots in the box equal the émargements (R713-24).

use serde::{Deserialize, Serialize};

use crate::candidates::ContestCandidates;
use crate::control::ControlList;
use crate::error::ResultsError;
use crate::ids::{ContestId, OptionId};
use crate::structure::Contest;

/// What the tally of one contest gives (from the decrypted aggregates).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContestCount {
    /// Ballots in the box for this contest.
    pub ballots: u64,
    /// Blank ballots.
    pub blank: u64,
    /// Null ballots (0 for electronic ballots: the proofs reject invalid ones).
    pub null: u64,
    /// Votes per candidate, in ballot order.
    pub votes: Vec<u64>,
}

/// Votes of one candidate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidateVotes {
    /// Candidate.
    pub option: OptionId,
    /// Votes.
    pub votes: u64,
}

/// The figures of one contest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContestResults {
    /// Contest.
    pub contest: ContestId,
    /// Seats to fill.
    pub seats: u32,
    /// Registered rights (inscrits).
    pub registered: u64,
    /// Voters: rights émargés (votants).
    pub voters: u64,
    /// Ballots found in the box.
    pub ballots: u64,
    /// Blank ballots.
    pub blank: u64,
    /// Null ballots.
    pub null: u64,
    /// Expressed ballots (suffrages exprimés) = ballots − blank − null.
    pub expressed: u64,
    /// Votes per candidate, in ballot order.
    pub votes: Vec<CandidateVotes>,
    /// Turnout: voters / registered, in percent.
    pub turnout_percent: f64,
    /// R713-24: the number of electronic ballots equals the number of émargements.
    pub ballots_match_emargements: bool,
}

/// Registered rights of a contest: the accepted rights of its scrutins, from the
/// chambers' control lists.
pub fn registered_in(contest: &Contest, control: &[ControlList]) -> u64 {
    control
        .iter()
        .flat_map(|c| c.by_scrutin.iter())
        .filter(|s| contest.scrutins.contains(&s.scrutin))
        .map(|s| s.rights)
        .sum()
}

/// Checks a tally and computes the contest's figures. Figures that no real count can
/// produce are rejected; a difference between ballots and émargements is reported in
/// the figures (the COE rules on it), not rejected.
pub fn compute_results(
    contest: &Contest,
    candidates: &ContestCandidates,
    registered: u64,
    emargements: u64,
    count: &ContestCount,
) -> Result<ContestResults, ResultsError> {
    let name = contest.id.to_string();
    let options = candidates.option_ids();
    if count.votes.len() != options.len() {
        return Err(ResultsError::OptionCount {
            contest: name,
            got: count.votes.len(),
            expected: options.len(),
        });
    }
    if emargements > registered {
        return Err(ResultsError::VotersExceedRegistered {
            contest: name,
            voters: emargements,
            registered,
        });
    }
    let spent = count.blank.checked_add(count.null);
    let expressed = match spent {
        Some(s) if s <= count.ballots => count.ballots - s,
        _ => {
            return Err(ResultsError::BlankAndNullExceedBallots {
                contest: name,
                blank: count.blank,
                null: count.null,
                ballots: count.ballots,
            });
        }
    };
    for (id, &v) in options.iter().zip(&count.votes) {
        if v > expressed {
            return Err(ResultsError::VotesExceedExpressed {
                contest: name,
                option: id.to_string(),
                votes: v,
                expressed,
            });
        }
    }
    let total: u128 = count.votes.iter().map(|&v| u128::from(v)).sum();
    let max = u128::from(expressed) * u128::from(contest.seats);
    if total < u128::from(expressed) || total > max {
        return Err(ResultsError::VotesInconsistent {
            contest: name,
            total: u64::try_from(total).unwrap_or(u64::MAX),
            expressed,
            seats: contest.seats,
        });
    }
    let turnout_percent = if registered == 0 {
        0.0
    } else {
        emargements as f64 * 100.0 / registered as f64
    };
    Ok(ContestResults {
        contest: contest.id.clone(),
        seats: contest.seats,
        registered,
        voters: emargements,
        ballots: count.ballots,
        blank: count.blank,
        null: count.null,
        expressed,
        votes: options
            .into_iter()
            .zip(&count.votes)
            .map(|(option, &votes)| CandidateVotes { option, votes })
            .collect(),
        turnout_percent,
        ballots_match_emargements: count.ballots == emargements,
    })
}
