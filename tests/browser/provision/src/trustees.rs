//! The test election's trustees: a real DKG among three, and decryption with two of them,
//! so the test can check that what the browser sent decrypts to what the voter clicked.

use anyhow::{Context, Result, bail};
use rand_core::OsRng;
use scrutin_crypto::RistrettoPoint;
use scrutin_crypto::ballot::{Ballot, BallotStyle, verify_ballot};
use scrutin_crypto::dkg::{DkgParameters, DkgTranscript, TrusteeShare, run_local_ceremony};
use scrutin_crypto::elgamal::Ciphertext;
use scrutin_crypto::tally::{
    Aggregator, DlogTable, create_decryption_share, decrypt, verify_decryption_shares,
};
use serde::Serialize;

/// Trustees in the test ceremony, and how many decrypt.
pub const TRUSTEES: u32 = 3;
/// The threshold: the test decrypts with trustees 1 and 3 only.
pub const THRESHOLD: u32 = 2;

/// The ceremony's outcome as the test keeps it.
pub struct Trustees {
    /// The public transcript (its `verify` recomputes the key).
    pub transcript: DkgTranscript,
    shares: Vec<TrusteeShare>,
}

/// One contest of a decrypted ballot.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct DecryptedContest {
    /// The contest's identifier.
    pub contest: String,
    /// The blank flag.
    pub blank: bool,
    /// The indices of the options marked 1, ascending.
    pub selected: Vec<u32>,
}

/// One contest of a tally.
#[derive(Debug, Serialize)]
pub struct ContestTally {
    /// The contest's identifier.
    pub contest: String,
    /// Ballots counted.
    pub ballots: u64,
    /// Blank votes.
    pub blank: u64,
    /// Votes per option, in ballot order.
    pub votes: Vec<u64>,
}

impl Trustees {
    /// Runs the DKG for the election.
    pub fn ceremony(election_id: &str) -> Result<Trustees> {
        let params = DkgParameters::new(election_id, "coe-test", TRUSTEES, THRESHOLD)?;
        let (transcript, shares) = run_local_ceremony(&params, &mut OsRng)?;
        Ok(Trustees { transcript, shares })
    }

    /// The joint election key `Y`.
    pub fn public_key(&self) -> RistrettoPoint {
        self.shares[0].public_key()
    }

    /// Decrypts aggregates with trustees 1 and 3 (any `t` work): shares, proofs checked,
    /// Lagrange combination, discrete logarithms up to `bound`.
    fn decrypt(&self, context: &[u8], aggregates: &[Ciphertext], bound: u64) -> Result<Vec<u64>> {
        let chosen = [&self.shares[0], &self.shares[2]];
        let shares = chosen
            .iter()
            .map(|s| create_decryption_share(context, s, aggregates, &mut OsRng))
            .collect::<scrutin_crypto::Result<Vec<_>>>()?;
        let keys: Vec<RistrettoPoint> = self
            .shares
            .iter()
            .map(TrusteeShare::verification_key)
            .collect();
        verify_decryption_shares(context, &shares, &keys, aggregates, &mut OsRng)?;
        Ok(decrypt(
            THRESHOLD,
            aggregates,
            &shares,
            &DlogTable::new(bound.max(1))?,
        )?)
    }

    /// Verifies one stored ballot against its style and decrypts each contest (a test-only
    /// operation: real tallies never decrypt a single ballot, R-44).
    pub fn decrypt_ballot(
        &self,
        ballot: &Ballot,
        style: &BallotStyle,
    ) -> Result<Vec<DecryptedContest>> {
        verify_ballot(ballot, style).context("the stored ballot does not verify")?;
        let mut out = Vec::new();
        for (contest, params) in ballot.contests.iter().zip(style.contests()) {
            let (blank, options) = contest.ciphertexts()?;
            let mut row = vec![blank];
            row.extend(options);
            let values = self.decrypt(params.fingerprint(), &row, 1)?;
            let bit = |v: u64| match v {
                0 => Ok(false),
                1 => Ok(true),
                other => bail!("a ciphertext decrypts to {other}, not 0 or 1"),
            };
            let mut selected = Vec::new();
            for (i, v) in values[1..].iter().enumerate() {
                if bit(*v)? {
                    selected.push(u32::try_from(i)?);
                }
            }
            out.push(DecryptedContest {
                contest: params.contest_id().to_string(),
                blank: bit(values[0])?,
                selected,
            });
        }
        Ok(out)
    }

    /// The homomorphic tally of a box: every ballot verified, then aggregated per contest
    /// and decrypted once.
    pub fn tally(&self, ballots: &[Ballot], style: &BallotStyle) -> Result<Vec<ContestTally>> {
        let mut out = Vec::new();
        for (c, params) in style.contests().iter().enumerate() {
            let width = params.option_count() + 1;
            let mut aggregator = Aggregator::new(width);
            for ballot in ballots {
                verify_ballot(ballot, style).context("a stored ballot does not verify")?;
                let (blank, options) = ballot.contests[c].ciphertexts()?;
                let mut row = vec![blank];
                row.extend(options);
                aggregator.add(&row)?;
            }
            let count = aggregator.count();
            let values = self.decrypt(params.fingerprint(), &aggregator.finish(), count)?;
            out.push(ContestTally {
                contest: params.contest_id().to_string(),
                ballots: count,
                blank: values[0],
                votes: values[1..].to_vec(),
            });
        }
        Ok(out)
    }
}
