//! Ballot verification (`specs/protocol.md` §4.4, §5.3): structure, signature, decoding,
//! challenges, then every proof equation at once in one multiscalar multiplication.
//!
//! The proof equations of a ballot are combined with 128-bit weights into a single
//! multiscalar multiplication in which every transmitted point appears once and `G` and
//! each `Y` appear once. For one ballot the weights are derived from its tracking code
//! (the ballot is fixed before the weights are known, so a bad equation survives with
//! probability 2⁻¹²⁸); batch verification (`crate::batch`) draws them from an RNG. When
//! the combination fails, each equation is checked on its own to name the one that fails.

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT as G;
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{IsIdentity, VartimeMultiscalarMul};

use super::contest::{BallotStyle, ContestParams};
use super::signature::PreparedSignature;
use super::statement::{
    option_challenge, option_transcript, statement_digest, sum_challenge, sum_transcript,
};
use super::wire::{BALLOT_VERSION, Ballot};
use crate::encoding::{decode_point, decode_scalar};
use crate::error::{CryptoError, Result};
use crate::transcript::new_transcript;

/// A decoded branch with `L` known-value statements: commitments `(A_l, B_l)`, challenge,
/// responses.
pub(crate) struct Branch<const L: usize> {
    pub com: [(RistrettoPoint, RistrettoPoint); L],
    pub e: Scalar,
    pub s: [Scalar; L],
}

/// A decoded contest: `ct[0]` is `c₀` (blank), `ct[j]` option `j` (from 1).
pub(crate) struct DecodedContest {
    pub ct: Vec<(RistrettoPoint, RistrettoPoint)>,
    pub options: Vec<[Branch<1>; 2]>,
    pub sum: Vec<Branch<2>>,
}

/// Every point and scalar of a ballot, decoded; challenges already checked.
pub(crate) struct DecodedBallot {
    pub contests: Vec<DecodedContest>,
}

pub(crate) fn contest_name(i: usize, c: &ContestParams) -> String {
    format!("contest {} ({})", i + 1, c.contest_id())
}

fn option_name(i: usize, c: &ContestParams, j: usize) -> String {
    format!(
        "{}, option {} ({})",
        contest_name(i, c),
        j + 1,
        c.options()[j]
    )
}

/// Checks that the ballot has the shape its style requires: version, election, scrutin,
/// contest fingerprints and every count.
pub(crate) fn check_structure(ballot: &Ballot, style: &BallotStyle) -> Result<()> {
    let fail = |m: String| Err(CryptoError::verification(m));
    if ballot.version != BALLOT_VERSION {
        return fail(format!(
            "ballot version {} is not supported (expected {BALLOT_VERSION})",
            ballot.version
        ));
    }
    if ballot.election_id != style.election_id() {
        return fail(format!(
            "ballot is for election {}, not {}",
            ballot.election_id,
            style.election_id()
        ));
    }
    if ballot.scrutin_id != style.scrutin_id() {
        return fail(format!(
            "ballot is for scrutin {}, not {}",
            ballot.scrutin_id,
            style.scrutin_id()
        ));
    }
    if ballot.contests.len() != style.contests().len() {
        return fail(format!(
            "ballot holds {} contests, the ballot style {}",
            ballot.contests.len(),
            style.contests().len()
        ));
    }
    for (i, (c, p)) in ballot.contests.iter().zip(style.contests()).enumerate() {
        let name = || contest_name(i, p);
        if &c.contest != p.fingerprint() {
            return fail(format!(
                "{}: contest fingerprint does not match the ballot style",
                name()
            ));
        }
        let k = p.option_count();
        if c.options.len() != k {
            return fail(format!(
                "{}: {} option ciphertexts, expected {k}",
                name(),
                c.options.len()
            ));
        }
        if c.option_proofs.len() != k {
            return fail(format!(
                "{}: {} option proofs, expected {k}",
                name(),
                c.option_proofs.len()
            ));
        }
        let branches = p.max_selections() + 1;
        if c.sum_proof.len() != branches {
            return fail(format!(
                "{}: sum proof has {} branches, expected {branches}",
                name(),
                c.sum_proof.len()
            ));
        }
    }
    Ok(())
}

/// For `map_err`: the error prefixed with where it happened. `what` runs only on an
/// error: a good ballot's hundreds of decodings format no text.
fn located(what: impl FnOnce() -> String) -> impl FnOnce(CryptoError) -> CryptoError {
    move |e| CryptoError::verification(format!("{}: {e}", what()))
}

/// Decodes every point and scalar of a ballot whose structure was checked, and checks that
/// each proof's branch challenges add up to its Fiat–Shamir challenge. `point` decodes a
/// point (the prover passes the points it computed, in the same order).
pub(crate) fn decode_ballot(
    ballot: &Ballot,
    style: &BallotStyle,
    point: &mut dyn FnMut(&[u8; 32]) -> Result<RistrettoPoint>,
) -> Result<DecodedBallot> {
    let digest = statement_digest(ballot);
    let mut contests = Vec::with_capacity(ballot.contests.len());
    for (i, (c, p)) in ballot.contests.iter().zip(style.contests()).enumerate() {
        let scalar = |b: &[u8; 32]| decode_scalar(b);

        let mut ct = Vec::with_capacity(c.options.len() + 1);
        ct.push((
            point(&c.blank.alpha)
                .map_err(located(|| format!("{}, blank alpha", contest_name(i, p))))?,
            point(&c.blank.beta)
                .map_err(located(|| format!("{}, blank beta", contest_name(i, p))))?,
        ));
        for (j, o) in c.options.iter().enumerate() {
            ct.push((
                point(&o.alpha).map_err(located(|| format!("{}: alpha", option_name(i, p, j))))?,
                point(&o.beta).map_err(located(|| format!("{}: beta", option_name(i, p, j))))?,
            ));
        }

        let mut options = Vec::with_capacity(c.option_proofs.len());
        for (j, proof) in c.option_proofs.iter().enumerate() {
            let here = || format!("{}: 0/1 proof", option_name(i, p, j));
            let mut decode_branch = |br: &super::wire::ZeroOneBranch| -> Result<Branch<1>> {
                Ok(Branch {
                    com: [(point(&br.a)?, point(&br.b)?)],
                    e: scalar(&br.challenge)?,
                    s: [scalar(&br.response)?],
                })
            };
            let zero = decode_branch(&proof.zero).map_err(located(here))?;
            let one = decode_branch(&proof.one).map_err(located(here))?;
            let c_fs = option_challenge(option_transcript(&digest, i, j), proof);
            if zero.e + one.e != c_fs {
                return Err(CryptoError::verification(format!(
                    "{}: challenges do not add up to the Fiat–Shamir challenge",
                    here()
                )));
            }
            options.push([zero, one]);
        }

        let mut sum = Vec::with_capacity(c.sum_proof.len());
        let here = || format!("{}: sum proof", contest_name(i, p));
        let mut total = Scalar::ZERO;
        for br in &c.sum_proof {
            let b = (|| -> Result<Branch<2>> {
                Ok(Branch {
                    com: [
                        (point(&br.a_blank)?, point(&br.b_blank)?),
                        (point(&br.a_sum)?, point(&br.b_sum)?),
                    ],
                    e: scalar(&br.challenge)?,
                    s: [scalar(&br.response_blank)?, scalar(&br.response_sum)?],
                })
            })()
            .map_err(located(here))?;
            total += b.e;
            sum.push(b);
        }
        let c_fs = sum_challenge(sum_transcript(&digest, i, c.sum_proof.len()), &c.sum_proof);
        if total != c_fs {
            return Err(CryptoError::verification(format!(
                "{}: challenges do not add up to the Fiat–Shamir challenge",
                here()
            )));
        }
        contests.push(DecodedContest { ct, options, sum });
    }
    Ok(DecodedBallot { contests })
}

/// Weights of a random linear combination, 128 bits each, read from a buffer that `fill`
/// refills (an RNG, or a transcript for the deterministic single-ballot check).
pub(crate) struct Weights<F: FnMut(&mut [u8])> {
    fill: F,
    buf: [u8; 1024],
    pos: usize,
}

impl<F: FnMut(&mut [u8])> Weights<F> {
    pub fn new(fill: F) -> Self {
        Weights {
            fill,
            buf: [0; 1024],
            pos: 1024,
        }
    }

    pub fn next(&mut self) -> Scalar {
        if self.pos == self.buf.len() {
            (self.fill)(&mut self.buf);
            self.pos = 0;
        }
        let mut b = [0u8; 16];
        b.copy_from_slice(&self.buf[self.pos..self.pos + 16]);
        self.pos += 16;
        Scalar::from(u128::from_le_bytes(b))
    }
}

/// A linear combination of proof equations: every term `scalar·point`, with the
/// coefficients of `G` and of each election key `Y` gathered.
#[derive(Default)]
pub(crate) struct Combination {
    g: Scalar,
    keys: Vec<([u8; 32], RistrettoPoint, Scalar)>,
    scalars: Vec<Scalar>,
    points: Vec<RistrettoPoint>,
}

impl Combination {
    pub fn new() -> Self {
        Combination::default()
    }

    fn key_slot(&mut self, c: &ContestParams) -> usize {
        match self
            .keys
            .iter()
            .position(|(b, _, _)| b == c.public_key_bytes())
        {
            Some(i) => i,
            None => {
                self.keys
                    .push((*c.public_key_bytes(), *c.public_key(), Scalar::ZERO));
                self.keys.len() - 1
            }
        }
    }

    fn term(&mut self, s: Scalar, p: RistrettoPoint) {
        self.scalars.push(s);
        self.points.push(p);
    }

    /// Adds every proof equation of a decoded ballot, each with its own weight.
    ///
    /// Per branch `i` with values `v_l` and per statement `l` on ciphertext `(α_l, β_l)`:
    /// `s_l·G − e·α_l − A_l = 0` and `s_l·Y − e·(β_l − v_l·G) − B_l = 0`.
    pub fn add_ballot<F: FnMut(&mut [u8])>(
        &mut self,
        decoded: &DecodedBallot,
        style: &BallotStyle,
        w: &mut Weights<F>,
    ) {
        for (dc, p) in decoded.contests.iter().zip(style.contests()) {
            let y = self.key_slot(p);
            let k = dc.ct.len() - 1;
            let mut ca = vec![Scalar::ZERO; k + 1];
            let mut cb = vec![Scalar::ZERO; k + 1];
            let mut cg = Scalar::ZERO;
            let mut cy = Scalar::ZERO;
            for (j, proof) in dc.options.iter().enumerate() {
                for (v, br) in proof.iter().enumerate() {
                    let (a, b) = br.com[0];
                    let (r1, r2) = (w.next(), w.next());
                    let r2e = r2 * br.e;
                    cg += r1 * br.s[0];
                    ca[j + 1] -= r1 * br.e;
                    self.term(-r1, a);
                    cy += r2 * br.s[0];
                    cb[j + 1] -= r2e;
                    if v == 1 {
                        cg += r2e;
                    }
                    self.term(-r2, b);
                }
            }
            let mut sum_a = Scalar::ZERO;
            let mut sum_b = Scalar::ZERO;
            for (i, br) in dc.sum.iter().enumerate() {
                let (blank, count) = if i == 0 { (1u64, 0u64) } else { (0, i as u64) };
                let (r1, r2, r3, r4) = (w.next(), w.next(), w.next(), w.next());
                let r2e = r2 * br.e;
                let r4e = r4 * br.e;
                let (a0, b0) = br.com[0];
                let (as_, bs) = br.com[1];
                cg += r1 * br.s[0];
                ca[0] -= r1 * br.e;
                self.term(-r1, a0);
                cy += r2 * br.s[0];
                cb[0] -= r2e;
                if blank == 1 {
                    cg += r2e;
                }
                self.term(-r2, b0);
                cg += r3 * br.s[1];
                sum_a -= r3 * br.e;
                self.term(-r3, as_);
                cy += r4 * br.s[1];
                sum_b -= r4e;
                cg += r4e * Scalar::from(count);
                self.term(-r4, bs);
            }
            for j in 1..=k {
                ca[j] += sum_a;
                cb[j] += sum_b;
            }
            for (j, (alpha, beta)) in dc.ct.iter().enumerate() {
                self.term(ca[j], *alpha);
                self.term(cb[j], *beta);
            }
            self.g += cg;
            self.keys[y].2 += cy;
        }
    }

    /// Whether the combination is the identity, in one vartime multiscalar multiplication.
    pub fn holds(&self) -> bool {
        let sum = RistrettoPoint::vartime_multiscalar_mul(
            self.scalars
                .iter()
                .chain(core::iter::once(&self.g))
                .chain(self.keys.iter().map(|(_, _, s)| s)),
            self.points
                .iter()
                .chain(core::iter::once(&G))
                .chain(self.keys.iter().map(|(_, p, _)| p)),
        );
        sum.is_identity()
    }
}

/// Checks each equation on its own and names the first that fails. Slow; runs only after
/// a combination failed.
pub(crate) fn explain_failure(decoded: &DecodedBallot, style: &BallotStyle) -> CryptoError {
    fn holds<const L: usize>(
        y: &RistrettoPoint,
        ct: [(RistrettoPoint, RistrettoPoint); L],
        values: [u64; L],
        br: &Branch<L>,
    ) -> bool {
        (0..L).all(|l| {
            let (alpha, beta) = ct[l];
            let (a, b) = br.com[l];
            let v = Scalar::from(values[l]);
            let eq_g = RistrettoPoint::vartime_multiscalar_mul(
                [br.s[l], -br.e, -Scalar::ONE],
                [G, alpha, a],
            );
            let eq_y = RistrettoPoint::vartime_multiscalar_mul(
                [br.s[l], -br.e, br.e * v, -Scalar::ONE],
                [*y, beta, G, b],
            );
            eq_g.is_identity() && eq_y.is_identity()
        })
    }
    for (i, (dc, p)) in decoded.contests.iter().zip(style.contests()).enumerate() {
        let y = p.public_key();
        for (j, proof) in dc.options.iter().enumerate() {
            for (v, br) in proof.iter().enumerate() {
                if !holds(y, [dc.ct[j + 1]], [v as u64], br) {
                    return CryptoError::verification(format!(
                        "{}: 0/1 proof does not hold (branch {v})",
                        option_name(i, p, j)
                    ));
                }
            }
        }
        let total = dc.ct[1..].iter().fold(
            (RistrettoPoint::default(), RistrettoPoint::default()),
            |acc, c| (acc.0 + c.0, acc.1 + c.1),
        );
        for (b, br) in dc.sum.iter().enumerate() {
            let values = if b == 0 { [1, 0] } else { [0, b as u64] };
            if !holds(y, [dc.ct[0], total], values, br) {
                let branch = if b == 0 {
                    "blank".to_string()
                } else {
                    format!("{b} selected")
                };
                return CryptoError::verification(format!(
                    "{}: sum proof does not hold (branch {branch})",
                    contest_name(i, p)
                ));
            }
        }
    }
    CryptoError::verification("proof equations do not hold together")
}

/// Structure, signature and decoding: every check but the proof equations.
pub(crate) fn prepare(
    ballot: &Ballot,
    style: &BallotStyle,
) -> Result<(DecodedBallot, PreparedSignature)> {
    check_structure(ballot, style)?;
    let sig = PreparedSignature::new(
        &ballot.voting_key,
        &ballot.signed_bytes(),
        &ballot.signature,
    )
    .map_err(|e| CryptoError::verification(format!("ballot signature: {e}")))?;
    let decoded = decode_ballot(ballot, style, &mut |b| decode_point(b))?;
    Ok((decoded, sig))
}

/// The tracking code from the signed bytes, without encoding the ballot again.
pub(crate) fn tracking_code_of(signed: &[u8], signature: &[u8; 64]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(signed);
    h.update(signature);
    h.finalize().into()
}

/// The proof equations of one decoded ballot, with weights derived from its tracking code
/// (which covers every value of the ballot, so weights are fixed after the ballot is).
pub(crate) fn check_equations(
    tracking_code: &[u8; 32],
    decoded: &DecodedBallot,
    style: &BallotStyle,
) -> Result<()> {
    let mut t = new_transcript(b"ballot-verification-weights");
    t.append_message(b"tracking-code", tracking_code);
    let mut w = Weights::new(|buf: &mut [u8]| t.challenge_bytes(b"weights", buf));
    let mut comb = Combination::new();
    comb.add_ballot(decoded, style, &mut w);
    if comb.holds() {
        Ok(())
    } else {
        Err(explain_failure(decoded, style))
    }
}

/// Verifies one ballot against its ballot style: structure (sizes and fingerprints match
/// the style), the signature by the voting key (§5.2), every encoding, every challenge and
/// every proof equation. The error names what failed.
///
/// It does not check that the voting key belongs to the scrutin's set, nor that it is
/// unused: the caller holds that set.
pub fn verify_ballot(ballot: &Ballot, style: &BallotStyle) -> Result<()> {
    check_structure(ballot, style)?;
    // The signature first: it is cheap, and a forged ballot stops here.
    let signed = ballot.signed_bytes();
    let sig = PreparedSignature::new(&ballot.voting_key, &signed, &ballot.signature)
        .map_err(|e| CryptoError::verification(format!("ballot signature: {e}")))?;
    if !sig.holds() {
        return Err(CryptoError::verification("ballot signature does not hold"));
    }
    let decoded = decode_ballot(ballot, style, &mut |b| decode_point(b))?;
    check_equations(
        &tracking_code_of(&signed, &ballot.signature),
        &decoded,
        style,
    )
}
