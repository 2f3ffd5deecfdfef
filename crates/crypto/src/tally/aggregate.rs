//! Homomorphic aggregation of a contest's ciphertexts.

use crate::elgamal::Ciphertext;
use crate::error::{CryptoError, Result};

/// Running sums of a contest's ciphertexts, position by position. Feed it ballot by ballot
/// (for example while streaming the ballot box from the store).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Aggregator {
    sums: Vec<Ciphertext>,
    count: u64,
}

impl Aggregator {
    /// An aggregator for rows of `width` ciphertexts (options and blank flag, in the order
    /// the ballot format fixes).
    pub fn new(width: usize) -> Aggregator {
        Aggregator {
            sums: vec![Ciphertext::zero(); width],
            count: 0,
        }
    }

    /// Adds one ballot's ciphertexts for the contest.
    pub fn add(&mut self, row: &[Ciphertext]) -> Result<()> {
        if row.len() != self.sums.len() {
            return Err(CryptoError::invalid(format!(
                "ballot {} of the contest has {} ciphertexts, expected {}",
                self.count,
                row.len(),
                self.sums.len()
            )));
        }
        for (sum, c) in self.sums.iter_mut().zip(row) {
            *sum += *c;
        }
        self.count += 1;
        Ok(())
    }

    /// Adds another aggregator's sums (of the same width), for aggregating in parts.
    pub fn merge(&mut self, other: &Aggregator) -> Result<()> {
        if other.sums.len() != self.sums.len() {
            return Err(CryptoError::invalid("aggregators of different widths"));
        }
        for (sum, c) in self.sums.iter_mut().zip(&other.sums) {
            *sum += *c;
        }
        self.count += other.count;
        Ok(())
    }

    /// Number of ballots added.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The sums so far.
    pub fn sums(&self) -> &[Ciphertext] {
        &self.sums
    }

    /// The aggregates.
    pub fn finish(self) -> Vec<Ciphertext> {
        self.sums
    }
}

/// Aggregates rows of `width` ciphertexts, one row per ballot.
pub fn aggregate<'a, I>(width: usize, rows: I) -> Result<Vec<Ciphertext>>
where
    I: IntoIterator<Item = &'a [Ciphertext]>,
{
    let mut agg = Aggregator::new(width);
    for row in rows {
        agg.add(row)?;
    }
    Ok(agg.finish())
}

/// [`aggregate`] on every core: rows are split in chunks whose sums are merged.
#[cfg(feature = "parallel")]
pub fn aggregate_parallel<R>(width: usize, rows: &[R]) -> Result<Vec<Ciphertext>>
where
    R: AsRef<[Ciphertext]> + Sync,
{
    use rayon::prelude::*;
    rows.par_chunks(4096)
        .map(|chunk| {
            let mut part = Aggregator::new(width);
            for row in chunk {
                part.add(row.as_ref())?;
            }
            Ok(part)
        })
        .try_reduce(
            || Aggregator::new(width),
            |mut a, b| {
                a.merge(&b)?;
                Ok(a)
            },
        )
        .map(Aggregator::finish)
}
