//! Batch verification of many ballots (`specs/protocol.md` §6): every proof equation and
//! every signature of a chunk of ballots in one random linear combination, so the cost
//! approaches one point decompression and one multiscalar term per transmitted point.
//!
//! Weights are 128-bit and come from the RNG passed in. A chunk whose combination fails is
//! checked ballot by ballot with [`verify_ballot`], so every bad ballot is named with the
//! reason the individual check gives, and a ballot is refused here only if the individual
//! check refuses it. With the `parallel` feature, chunks run on rayon's threads.

use core::fmt;

use rand_core::{CryptoRng, RngCore};
use thiserror::Error;

use crate::ballot::signature::SignatureBatch;
use crate::ballot::verify::{Combination, Weights, prepare};
use crate::ballot::{Ballot, BallotStyle, verify_ballot};
use crate::elgamal::Ciphertext;
use crate::error::CryptoError;

/// Ballots per random linear combination: large enough for Pippenger's multiscalar
/// multiplication to reach its per-term cost (≈ 12,000 terms for typical ballots), small
/// enough that a failing chunk is cheap to re-check one by one.
pub const CHUNK: usize = 64;

/// A ballot with the style it is checked against.
type Pair<'a> = (&'a Ballot, &'a BallotStyle);

/// One ballot that failed, by its index in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BallotFailure {
    /// Index of the ballot in the slice given to [`verify_ballots`].
    pub index: usize,
    /// Why it failed, as [`verify_ballot`] reports it.
    pub error: CryptoError,
}

/// The bad ballots of a batch, in input order.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub struct BatchFailure {
    /// Ballots checked.
    pub total: usize,
    /// Every ballot that failed.
    pub failures: Vec<BallotFailure>,
}

impl fmt::Display for BatchFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} of {} ballots failed verification",
            self.failures.len(),
            self.total
        )?;
        for b in self.failures.iter().take(10) {
            write!(f, "; ballot {}: {}", b.index, b.error)?;
        }
        if self.failures.len() > 10 {
            write!(f, "; …")?;
        }
        Ok(())
    }
}

/// Verifies many ballots, each against its ballot style, accepting exactly the ballots
/// [`verify_ballot`] accepts (a bad ballot slips through a combination with probability
/// 2⁻¹²⁸). Returns every bad ballot by index with its reason.
pub fn verify_ballots<R: RngCore + CryptoRng>(
    ballots: &[(&Ballot, &BallotStyle)],
    rng: &mut R,
) -> Result<(), BatchFailure> {
    check_all(ballots, rng, || (), None).0
}

/// [`verify_ballots`], also handing each ballot's ciphertexts, as the check decoded them,
/// to `fold`: a caller that aggregates (the verifier) then decompresses every point once.
/// `fold(acc, index, rows)` gets, per contest of the ballot in style order, the blank flag
/// then the options (the rows of [`crate::tally::Aggregator`]); it is called for every
/// ballot whose encodings and challenges decode, before the equations are checked, so a
/// ballot it sees may still be reported bad. One accumulator per chunk of [`CHUNK`]
/// ballots, made by `init`, is returned in input order, for the caller to merge.
pub fn verify_ballots_folding<R, A, I, F>(
    ballots: &[(&Ballot, &BallotStyle)],
    rng: &mut R,
    init: I,
    fold: F,
) -> (Result<(), BatchFailure>, Vec<A>)
where
    R: RngCore + CryptoRng,
    A: Send,
    I: Fn() -> A + Sync,
    F: Fn(&mut A, usize, &[Vec<Ciphertext>]) + Sync,
{
    check_all(ballots, rng, init, Some(&fold))
}

/// The fold of [`verify_ballots_folding`]; without one (the voting server) the decoded
/// rows are not even built.
type Fold<'a, A> = &'a (dyn Fn(&mut A, usize, &[Vec<Ciphertext>]) + Sync);

fn check_all<R, A, I>(
    ballots: &[Pair<'_>],
    rng: &mut R,
    init: I,
    fold: Option<Fold<'_, A>>,
) -> (Result<(), BatchFailure>, Vec<A>)
where
    R: RngCore + CryptoRng,
    A: Send,
    I: Fn() -> A + Sync,
{
    let chunks: Vec<&[Pair<'_>]> = ballots.chunks(CHUNK).collect();
    // One independent weight stream per chunk, seeded from the caller's RNG in order, so
    // the outcome does not depend on how chunks are scheduled.
    let seeds: Vec<[u8; 32]> = chunks
        .iter()
        .map(|_| {
            let mut s = [0u8; 32];
            rng.fill_bytes(&mut s);
            s
        })
        .collect();
    let one = |(n, (chunk, seed)): (usize, (&&[Pair<'_>], &[u8; 32]))| {
        let mut acc = init();
        let failures = match fold {
            Some(fold) => verify_chunk(
                chunk,
                n * CHUNK,
                seed,
                Some(&mut |index, rows: &[Vec<Ciphertext>]| fold(&mut acc, index, rows)),
            ),
            None => verify_chunk(chunk, n * CHUNK, seed, None),
        };
        (failures, acc)
    };

    #[cfg(feature = "parallel")]
    let per_chunk: Vec<(Vec<BallotFailure>, A)> = {
        use rayon::prelude::*;
        chunks
            .par_iter()
            .zip(seeds.par_iter())
            .enumerate()
            .map(one)
            .collect()
    };
    #[cfg(not(feature = "parallel"))]
    let per_chunk: Vec<(Vec<BallotFailure>, A)> =
        chunks.iter().zip(&seeds).enumerate().map(one).collect();

    let mut failures = Vec::new();
    let mut accumulators = Vec::with_capacity(per_chunk.len());
    for (f, acc) in per_chunk {
        failures.extend(f);
        accumulators.push(acc);
    }
    let outcome = if failures.is_empty() {
        Ok(())
    } else {
        Err(BatchFailure {
            total: ballots.len(),
            failures,
        })
    };
    (outcome, accumulators)
}

/// A chunk's view of the fold: a ballot's index and its decoded rows.
type Visit<'a> = &'a mut dyn FnMut(usize, &[Vec<Ciphertext>]);

fn verify_chunk(
    chunk: &[(&Ballot, &BallotStyle)],
    offset: usize,
    seed: &[u8; 32],
    mut visit: Option<Visit<'_>>,
) -> Vec<BallotFailure> {
    let mut t = crate::transcript::new_transcript(b"ballot-batch-weights");
    t.append_message(b"seed", seed);
    let mut weights = Weights::new(|buf: &mut [u8]| t.challenge_bytes(b"weights", buf));
    let mut proofs = Combination::new();
    let mut signatures = SignatureBatch::new();
    let mut failures = Vec::new();
    let mut included = Vec::with_capacity(chunk.len());
    for (i, (ballot, style)) in chunk.iter().enumerate() {
        match prepare(ballot, style) {
            Ok((decoded, sig)) => {
                if let Some(visit) = visit.as_mut() {
                    let rows: Vec<Vec<Ciphertext>> = decoded
                        .contests
                        .iter()
                        .map(|c| {
                            c.ct.iter()
                                .map(|&(alpha, beta)| Ciphertext { alpha, beta })
                                .collect()
                        })
                        .collect();
                    visit(offset + i, &rows);
                }
                proofs.add_ballot(&decoded, style, &mut weights);
                signatures.push(&sig, weights.next());
                included.push(i);
            }
            // The individual check reports the reason, so both checks name the same one
            // (it runs the same checks, in its own order).
            Err(error) => failures.push(BallotFailure {
                index: offset + i,
                error: verify_ballot(ballot, style).err().unwrap_or(error),
            }),
        }
    }
    if !(proofs.holds() && signatures.holds()) {
        for i in included {
            let (ballot, style) = chunk[i];
            if let Err(error) = verify_ballot(ballot, style) {
                failures.push(BallotFailure {
                    index: offset + i,
                    error,
                });
            }
        }
        failures.sort_by_key(|f| f.index);
    }
    failures
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::Scalar;
    use crate::ballot::{ContestChoice, ContestParams, encrypt_ballot};
    use crate::elgamal::base_mul;
    use ed25519_dalek::SigningKey;
    use rand_chacha::ChaCha20Rng;
    use rand_core::{RngCore, SeedableRng};

    fn style() -> BallotStyle {
        let y = base_mul(&Scalar::from(77u64));
        let c = |id: &str, k: usize, n| {
            ContestParams::new("e", id, y, (0..k).map(|i| format!("o{i}")).collect(), n).unwrap()
        };
        BallotStyle::new("e", "s", vec![c("a", 4, 2), c("b", 3, 3)]).unwrap()
    }

    /// The folding variant hands every ballot's ciphertexts exactly as decoding them again
    /// gives, blank flag first, once per ballot, with one accumulator per chunk.
    #[test]
    fn folding_hands_each_ballot_its_decoded_rows() {
        let style = style();
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let ballots: Vec<Ballot> = (0..CHUNK + 3)
            .map(|i| {
                let key = SigningKey::from_bytes(&[(i % 250) as u8 + 1; 32]);
                let choices = [
                    ContestChoice::select([(i % 4) as u32]),
                    ContestChoice::blank(),
                ];
                encrypt_ballot(&style, &choices, &key, &mut rng).unwrap()
            })
            .collect();
        let pairs: Vec<(&Ballot, &BallotStyle)> = ballots.iter().map(|b| (b, &style)).collect();
        type Seen = Vec<(usize, Vec<Vec<Ciphertext>>)>;
        let (outcome, accs) =
            verify_ballots_folding(&pairs, &mut rng, Seen::new, |acc: &mut Seen, i, rows| {
                acc.push((i, rows.to_vec()))
            });
        assert_eq!(outcome, Ok(()));
        assert_eq!(accs.len(), 2);
        let seen: Seen = accs.into_iter().flatten().collect();
        assert_eq!(
            seen.iter().map(|(i, _)| *i).collect::<Vec<_>>(),
            (0..ballots.len()).collect::<Vec<_>>()
        );
        for (i, rows) in seen {
            assert_eq!(rows.len(), 2);
            for (part, row) in ballots[i].contests.iter().zip(&rows) {
                let mut expected = vec![part.blank.decode().unwrap()];
                expected.extend(part.options.iter().map(|o| o.decode().unwrap()));
                assert_eq!(row, &expected, "ballot {i}");
            }
        }
    }

    /// The combination itself (not only its fallback) accepts good ballots and refuses a
    /// ballot whose one equation is off: the fallback would hide a combination that always
    /// fails.
    #[test]
    fn combinations_hold_exactly_for_good_ballots() {
        let style = style();
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let ballots: Vec<Ballot> = (0..5u8)
            .map(|i| {
                let key = SigningKey::from_bytes(&[i + 1; 32]);
                let choices = [
                    ContestChoice::select([u32::from(i % 4)]),
                    ContestChoice::blank(),
                ];
                encrypt_ballot(&style, &choices, &key, &mut rng).unwrap()
            })
            .collect();
        let combine = |ballots: &[Ballot]| {
            let mut stream = ChaCha20Rng::seed_from_u64(9);
            let mut w = Weights::new(move |b: &mut [u8]| stream.fill_bytes(b));
            let mut proofs = Combination::new();
            let mut sigs = SignatureBatch::new();
            for b in ballots {
                let (decoded, sig) = prepare(b, &style).unwrap();
                proofs.add_ballot(&decoded, &style, &mut w);
                sigs.push(&sig, w.next());
            }
            (proofs.holds(), sigs.holds())
        };
        assert_eq!(combine(&ballots), (true, true));

        // One response off by one, re-signed: decoding and challenges still pass.
        let mut bad = ballots.clone();
        let r = &mut bad[2].contests[1].sum_proof[1].response_sum;
        *r = (crate::encoding::decode_scalar(r).unwrap() + Scalar::ONE).to_bytes();
        let key = SigningKey::from_bytes(&[3; 32]);
        use ed25519_dalek::Signer;
        bad[2].signature = key.sign(&bad[2].signed_bytes()).to_bytes();
        assert_eq!(combine(&bad), (false, true));

        // A signature over other bytes, with valid encodings.
        let mut bad = ballots.clone();
        bad[4].signature = key.sign(b"other").to_bytes();
        assert_eq!(combine(&bad), (true, false));
    }
}
