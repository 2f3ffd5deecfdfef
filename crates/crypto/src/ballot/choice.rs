//! A voter's choice in one contest and its plaintext form.

use core::fmt;

use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::contest::ContestParams;
use crate::error::{CryptoError, Result};

/// A voter's choice in one contest: blank, or 1 to N selected options, by their index in
/// ballot order (from 0). It is the secret of the vote: zeroized on drop, hidden from
/// `Debug`. JSON: `{"blank": false, "selected": [0, 4]}`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub struct ContestChoice {
    /// A blank vote (then `selected` must be empty).
    pub blank: bool,
    /// Selected option indices, in any order, each at most once.
    pub selected: Vec<u32>,
}

impl ContestChoice {
    /// A blank vote.
    pub fn blank() -> Self {
        ContestChoice {
            blank: true,
            selected: Vec::new(),
        }
    }

    /// A vote for the options at these indices (ballot order, from 0).
    pub fn select(indices: impl IntoIterator<Item = u32>) -> Self {
        ContestChoice {
            blank: false,
            selected: indices.into_iter().collect(),
        }
    }
}

impl fmt::Debug for ContestChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ContestChoice(<secret>)")
    }
}

/// The plaintext of one contest: `m_j ∈ {0,1}` per option, the blank flag `b`, and
/// `v = Σ m_j`, which is also the index of the true branch of the sum proof.
#[derive(Zeroize, ZeroizeOnDrop)]
pub(crate) struct Plaintext {
    pub marks: Vec<u8>,
    pub blank: u8,
    pub count: u32,
}

/// Checks a choice against a contest and returns its plaintext. The checks depend on the
/// choice, so their timing may too; the encryption and proofs that follow do not.
pub(crate) fn plaintext(
    position: usize,
    contest: &ContestParams,
    choice: &ContestChoice,
) -> Result<Plaintext> {
    let k = contest.option_count();
    let name = || format!("contest {} ({})", position + 1, contest.contest_id());
    if choice.blank && !choice.selected.is_empty() {
        return Err(CryptoError::invalid(format!(
            "{}: a blank vote cannot also select options",
            name()
        )));
    }
    if !choice.blank && choice.selected.is_empty() {
        return Err(CryptoError::invalid(format!(
            "{}: no option selected; choose blank to vote blank",
            name()
        )));
    }
    if choice.selected.len() > contest.max_selections() {
        return Err(CryptoError::invalid(format!(
            "{}: {} options selected, at most {} allowed",
            name(),
            choice.selected.len(),
            contest.max_selections()
        )));
    }
    let mut marks = vec![0u8; k];
    for &i in &choice.selected {
        let slot = marks.get_mut(i as usize).ok_or_else(|| {
            CryptoError::invalid(format!(
                "{}: option index {i} out of range (the contest has {k} options)",
                name()
            ))
        })?;
        if *slot == 1 {
            return Err(CryptoError::invalid(format!(
                "{}: option index {i} selected twice",
                name()
            )));
        }
        *slot = 1;
    }
    Ok(Plaintext {
        marks,
        blank: u8::from(choice.blank),
        count: choice.selected.len() as u32,
    })
}
