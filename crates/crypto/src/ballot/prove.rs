//! Encrypting and proving a ballot (`specs/protocol.md` §4, §5).
//!
//! The prover runs the same group operations whatever the vote: every branch of every
//! disjunction is computed with the same formula, the true branch being picked with
//! constant-time selection. All points are fixed-base multiples of `G` and `Y` (tables),
//! computed at half their value so that one batched compression encodes them all.
//! Randomness is hedged: the ballot's RNG is keyed with the voting key, the choice and
//! fresh randomness, and each proof's nonces with its transcript and witness as well, so a
//! weak RNG alone reveals nothing. The prover checks its ballot before returning it.

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_TABLE;
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::Identity;
use ed25519_dalek::{Signer, SigningKey};
use rand_core::{CryptoRng, RngCore};
use subtle::{Choice, ConditionallyNegatable, ConditionallySelectable, ConstantTimeEq};
use zeroize::{Zeroize, Zeroizing};

use super::choice::{ContestChoice, Plaintext, plaintext};
use super::contest::BallotStyle;
use super::statement::{
    option_challenge, option_transcript, statement_digest, sum_challenge, sum_transcript,
};
use super::verify::{check_equations, decode_ballot, tracking_code_of};
use super::wire::{
    BALLOT_VERSION, Ballot, EncodedCiphertext, EncryptedContest, OptionProof, SumBranch,
    ZeroOneBranch,
};
use crate::elgamal::EncryptionKey;
use crate::error::{CryptoError, Result};
use crate::transcript::{TranscriptProtocol, new_transcript};

/// `a·G` with the basepoint table.
fn g_mul(a: &Scalar) -> RistrettoPoint {
    RISTRETTO_BASEPOINT_TABLE * a
}

/// A known-value statement: the ciphertext was made with randomness `r` and encrypts `m`.
struct Witness {
    r: Scalar,
    m: Scalar,
}

impl Drop for Witness {
    fn drop(&mut self) {
        self.r.zeroize();
        self.m.zeroize();
    }
}

/// A disjunction over branches, each the conjunction of `L` known-value statements, with
/// commitments computed and challenges not yet final.
struct Pending<const L: usize> {
    /// Per branch, per statement: `(A/2, B/2)`.
    halves: Vec<[(RistrettoPoint, RistrettoPoint); L]>,
    e: Vec<Scalar>,
    s: Vec<[Scalar; L]>,
    real: Vec<Choice>,
    w: [Scalar; L],
}

impl<const L: usize> Pending<L> {
    fn with_capacity(branches: usize, w: [Scalar; L]) -> Self {
        Pending {
            halves: Vec::with_capacity(branches),
            e: Vec::with_capacity(branches),
            s: Vec::with_capacity(branches),
            real: Vec::with_capacity(branches),
            w,
        }
    }
}

impl<const L: usize> Drop for Pending<L> {
    fn drop(&mut self) {
        self.w.zeroize();
        self.e.zeroize();
        for s in &mut self.s {
            s.zeroize();
        }
    }
}

/// `d·P` for a secret small signed integer `|d| < 2^bits` (`bits` public), in constant
/// time: double-and-add over every bit, the addition always computed and selected.
fn small_mul(p: &RistrettoPoint, d: i64, bits: u32) -> RistrettoPoint {
    let negative = Choice::from(((d >> 63) & 1) as u8);
    let magnitude = ((d ^ (d >> 63)) - (d >> 63)) as u64;
    let mut acc = RistrettoPoint::identity();
    for i in (0..bits).rev() {
        acc = acc + acc;
        let with = acc + p;
        acc = RistrettoPoint::conditional_select(
            &acc,
            &with,
            Choice::from(((magnitude >> i) & 1) as u8),
        );
    }
    acc.conditional_negate(negative);
    acc
}

/// Commitments of the sum proof's branches, one formula for all. With `(e, s)` = `(0, w)`
/// on the true branch and random on the others, and `u = s − e·r`:
/// `A = u·G`, `B = u·Y − (m − v)·E` with `E = e·G`. For a simulated branch this satisfies
/// the verification equations `s·G − e·α = A` and `s·Y − e·(β − v·G) = B`; for the true
/// one (`e = 0`, `E` the identity) it is the plain commitment `(w·G, w·Y)`. `m − v` is a
/// small integer (at most the number of seats), so `(m − v)·E` costs a few additions.
/// Points are computed at half value.
fn commit_sum<R: RngCore + CryptoRng>(
    half: Scalar,
    key: &EncryptionKey,
    witness: &[Witness; 2],
    p_blank: u8,
    p_count: u32,
    branches: usize,
    rng: &mut R,
) -> Pending<2> {
    let bits = u32::BITS - (branches as u32).leading_zeros();
    let w = [Scalar::random(rng), Scalar::random(rng)];
    let mut p = Pending::with_capacity(branches, w);
    for i in 0..branches {
        let is_real = (i as u32).ct_eq(&p_count);
        let e = Scalar::conditional_select(&Scalar::random(rng), &Scalar::ZERO, is_real);
        let e_half = g_mul(&(e * half));
        // Branch 0 is (blank 1, count 0); branch i ≥ 1 is (blank 0, count i).
        let (blank_i, count_i) = if i == 0 { (1i64, 0i64) } else { (0, i as i64) };
        let diffs = [i64::from(p_blank) - blank_i, i64::from(p_count) - count_i];
        let mut s = [Scalar::ZERO; 2];
        let mut halves = [(RistrettoPoint::identity(), RistrettoPoint::identity()); 2];
        for (l, wit) in witness.iter().enumerate() {
            s[l] = Scalar::conditional_select(&Scalar::random(rng), &p.w[l], is_real);
            let mut u = (s[l] - e * wit.r) * half;
            let x_g = -small_mul(&e_half, diffs[l], bits);
            halves[l] = (g_mul(&u), key.mul(&u) + x_g);
            u.zeroize();
        }
        p.halves.push(halves);
        p.e.push(e);
        p.s.push(s);
        p.real.push(is_real);
    }
    p
}

/// Commitments of a 0/1 proof. The same formula as [`commit_sum`], with one saving: only
/// one branch is simulated, with challenge `e'`, and its `−e'·(m − v)·G` is `∓e'·G`
/// (`m − v = ±1`), so `E = e'·G` is computed once and selected with its sign.
fn commit_zero_one<R: RngCore + CryptoRng>(
    half: Scalar,
    key: &EncryptionKey,
    witness: &Witness,
    mark: u8,
    rng: &mut R,
) -> Pending<1> {
    let w = Scalar::random(rng);
    let e_sim = Scalar::random(rng);
    let s_sim = Scalar::random(rng);
    let e_half = g_mul(&(e_sim * half));
    let mut p = Pending::with_capacity(2, [w]);
    for b in 0..2u8 {
        let is_real = b.ct_eq(&mark);
        let e = Scalar::conditional_select(&e_sim, &Scalar::ZERO, is_real);
        let s = Scalar::conditional_select(&s_sim, &w, is_real);
        let mut u = (s - e * witness.r) * half;
        // Simulated branch 0 means m = 1: x = −e'. Simulated branch 1 means m = 0: x = +e'.
        let mut x_g = e_half;
        x_g.conditional_negate(Choice::from(u8::from(b == 0)));
        let x_g = RistrettoPoint::conditional_select(&x_g, &RistrettoPoint::identity(), is_real);
        p.halves.push([(g_mul(&u), key.mul(&u) + x_g)]);
        p.e.push(e);
        p.s.push([s]);
        p.real.push(is_real);
        u.zeroize();
    }
    p
}

/// Completes the challenges and responses once the Fiat–Shamir challenge `c` is known:
/// the true branch takes `e = c − Σ others` and `s = w + e·r`.
fn finalize<const L: usize>(p: &mut Pending<L>, witness: &[Witness; L], c: Scalar) {
    // The true branch's e is still 0, so the sum is the simulated challenges' sum.
    let others: Scalar = p.e.iter().sum();
    let e_real = c - others;
    for i in 0..p.e.len() {
        let is_real = p.real[i];
        p.e[i] = Scalar::conditional_select(&p.e[i], &e_real, is_real);
        for (l, wit) in witness.iter().enumerate() {
            let mut s_real = p.w[l] + e_real * wit.r;
            p.s[i][l] = Scalar::conditional_select(&p.s[i][l], &s_real, is_real);
            s_real.zeroize();
        }
    }
}

/// A ballot style made ready for encryption: one fixed-base table per distinct election
/// key (building one costs about as much as 60 multiplications, so a page that encrypts
/// builds it while the voter reads the ballot).
pub struct BallotEncryptor {
    style: BallotStyle,
    keys: Vec<EncryptionKey>,
    slots: Vec<usize>,
}

/// Per contest: the witnesses and pending proofs.
struct ContestWork {
    randomness: Zeroizing<Vec<Scalar>>,
    options: Vec<Pending<1>>,
    sum: Option<Pending<2>>,
}

impl BallotEncryptor {
    /// Precomputes the tables of the style's election keys.
    pub fn new(style: &BallotStyle) -> Self {
        let mut distinct: Vec<[u8; 32]> = Vec::new();
        let mut keys = Vec::new();
        let mut slots = Vec::with_capacity(style.contests().len());
        for c in style.contests() {
            let slot = match distinct.iter().position(|b| b == c.public_key_bytes()) {
                Some(i) => i,
                None => {
                    distinct.push(*c.public_key_bytes());
                    keys.push(EncryptionKey::new(*c.public_key()));
                    keys.len() - 1
                }
            };
            slots.push(slot);
        }
        BallotEncryptor {
            style: style.clone(),
            keys,
            slots,
        }
    }

    /// The ballot style.
    pub fn style(&self) -> &BallotStyle {
        &self.style
    }

    /// Encrypts, proves and signs a ballot: one choice per contest, in the style's order.
    /// See [`encrypt_ballot`].
    pub fn encrypt<R: RngCore + CryptoRng>(
        &self,
        choices: &[ContestChoice],
        voting_key: &SigningKey,
        rng: &mut R,
    ) -> Result<Ballot> {
        let style = &self.style;
        if choices.len() != style.contests().len() {
            return Err(CryptoError::invalid(format!(
                "{} choices for {} contests",
                choices.len(),
                style.contests().len()
            )));
        }
        let plaintexts = style
            .contests()
            .iter()
            .zip(choices)
            .enumerate()
            .map(|(i, (c, ch))| plaintext(i, c, ch))
            .collect::<Result<Vec<Plaintext>>>()?;
        let voting_public = voting_key.verifying_key().to_bytes();
        // 1/2 mod ℓ: points are computed at half value for the batched compression.
        let half = Scalar::from(2u8).invert();

        // The ballot's randomness: keyed with the voting key and the plaintext, then fresh
        // bytes from the caller's RNG.
        let mut rt = new_transcript(b"ballot-randomness");
        rt.append_message(b"election", style.election_id().as_bytes());
        rt.append_message(b"scrutin", style.scrutin_id().as_bytes());
        rt.append_message(b"voting-key", &voting_public);
        let mut builder = rt
            .build_rng()
            .rekey_with_witness_bytes(b"voting-key", voting_key.as_bytes());
        for p in &plaintexts {
            builder = builder
                .rekey_with_witness_bytes(b"blank", &[p.blank])
                .rekey_with_witness_bytes(b"marks", &p.marks);
        }
        let mut ballot_rng = builder.finalize(rng);

        // Ciphertexts, at half value: α/2 = (r/2)·G, β/2 = (r/2)·Y + m·(G/2).
        let half_g = g_mul(&half);
        let mut work = Vec::with_capacity(plaintexts.len());
        let mut ct_halves = Vec::new();
        for (p, &slot) in plaintexts.iter().zip(&self.slots) {
            let key = &self.keys[slot];
            let k = p.marks.len();
            let mut randomness = Zeroizing::new(Vec::with_capacity(k + 1));
            for j in 0..=k {
                let m = if j == 0 { p.blank } else { p.marks[j - 1] };
                let r = Scalar::random(&mut ballot_rng);
                let mut rh = r * half;
                let mg = RistrettoPoint::conditional_select(
                    &RistrettoPoint::identity(),
                    &half_g,
                    Choice::from(m),
                );
                ct_halves.push(g_mul(&rh));
                ct_halves.push(key.mul(&rh) + mg);
                rh.zeroize();
                randomness.push(r);
            }
            work.push(ContestWork {
                randomness,
                options: Vec::with_capacity(k),
                sum: None,
            });
        }
        let ct_bytes = RistrettoPoint::double_and_compress_batch(&ct_halves);
        let mut ct_iter = ct_bytes.iter().map(|c| c.to_bytes());
        let mut next_ct = || EncodedCiphertext {
            alpha: ct_iter.next().unwrap_or_default(),
            beta: ct_iter.next().unwrap_or_default(),
        };
        let mut ballot = Ballot {
            version: BALLOT_VERSION,
            election_id: style.election_id().to_string(),
            scrutin_id: style.scrutin_id().to_string(),
            voting_key: voting_public,
            contests: Vec::with_capacity(plaintexts.len()),
            signature: [0u8; 64],
        };
        for (c, p) in style.contests().iter().zip(&plaintexts) {
            let blank = next_ct();
            let options = (0..p.marks.len()).map(|_| next_ct()).collect();
            ballot.contests.push(EncryptedContest {
                contest: *c.fingerprint(),
                blank,
                options,
                option_proofs: Vec::new(),
                sum_proof: Vec::new(),
            });
        }
        let digest = statement_digest(&ballot);

        // Commitments of every proof, then one batched compression.
        let mut com_halves = Vec::new();
        for (i, ((c, p), cw)) in style
            .contests()
            .iter()
            .zip(&plaintexts)
            .zip(work.iter_mut())
            .enumerate()
        {
            let key = &self.keys[self.slots[i]];
            for j in 0..p.marks.len() {
                let witness = option_witness(&cw.randomness, p, j);
                let mut nonce_rng = option_transcript(&digest, i, j)
                    .witness_rng(&[&witness[0].r, &witness[0].m], &mut ballot_rng);
                let pending = commit_zero_one(half, key, &witness[0], p.marks[j], &mut nonce_rng);
                for h in &pending.halves {
                    com_halves.extend([h[0].0, h[0].1]);
                }
                cw.options.push(pending);
            }
            let branches = c.max_selections() + 1;
            let witness = sum_witness(&cw.randomness, p);
            let mut nonce_rng = sum_transcript(&digest, i, branches).witness_rng(
                &[&witness[0].r, &witness[0].m, &witness[1].r, &witness[1].m],
                &mut ballot_rng,
            );
            let pending = commit_sum(
                half,
                key,
                &witness,
                p.blank,
                p.count,
                branches,
                &mut nonce_rng,
            );
            for h in &pending.halves {
                com_halves.extend([h[0].0, h[0].1, h[1].0, h[1].1]);
            }
            cw.sum = Some(pending);
        }
        let com_bytes = RistrettoPoint::double_and_compress_batch(&com_halves);
        let mut com_iter = com_bytes.iter().map(|c| c.to_bytes());
        let mut next = || com_iter.next().unwrap_or_default();

        // Challenges and responses.
        for (i, ((p, cw), ec)) in plaintexts
            .iter()
            .zip(work.iter_mut())
            .zip(ballot.contests.iter_mut())
            .enumerate()
        {
            for (j, pending) in cw.options.iter_mut().enumerate() {
                let mut proof = OptionProof {
                    zero: zero_one_branch(next(), next()),
                    one: zero_one_branch(next(), next()),
                };
                let c = option_challenge(option_transcript(&digest, i, j), &proof);
                finalize(pending, &option_witness(&cw.randomness, p, j), c);
                for (br, (e, s)) in [&mut proof.zero, &mut proof.one]
                    .into_iter()
                    .zip(pending.e.iter().zip(&pending.s))
                {
                    br.challenge = e.to_bytes();
                    br.response = s[0].to_bytes();
                }
                ec.option_proofs.push(proof);
            }
            let Some(pending) = cw.sum.as_mut() else {
                continue;
            };
            let mut branches: Vec<SumBranch> = (0..pending.e.len())
                .map(|_| SumBranch {
                    a_blank: next(),
                    b_blank: next(),
                    a_sum: next(),
                    b_sum: next(),
                    challenge: [0; 32],
                    response_blank: [0; 32],
                    response_sum: [0; 32],
                })
                .collect();
            let c = sum_challenge(sum_transcript(&digest, i, branches.len()), &branches);
            finalize(pending, &sum_witness(&cw.randomness, p), c);
            for (br, (e, s)) in branches.iter_mut().zip(pending.e.iter().zip(&pending.s)) {
                br.challenge = e.to_bytes();
                br.response_blank = s[0].to_bytes();
                br.response_sum = s[1].to_bytes();
            }
            ec.sum_proof = branches;
        }

        let signed = ballot.signed_bytes();
        ballot.signature = voting_key.sign(&signed).to_bytes();

        self_check(&ballot, style, &signed, &ct_halves, &com_halves)
            .map_err(|e| CryptoError::verification(format!("self-check failed: {e}")))?;
        Ok(ballot)
    }
}

/// The prover's check of its own ballot, on the points it computed (no decompression):
/// every challenge, every proof equation, the signature.
fn self_check(
    ballot: &Ballot,
    style: &BallotStyle,
    signed: &[u8],
    ct_halves: &[RistrettoPoint],
    com_halves: &[RistrettoPoint],
) -> Result<()> {
    let mut points = Vec::with_capacity(ct_halves.len() + com_halves.len());
    let (mut ct_pos, mut com_pos) = (0, 0);
    for ec in &ballot.contests {
        let n_ct = 2 * (ec.options.len() + 1);
        let n_com = 4 * ec.option_proofs.len() + 4 * ec.sum_proof.len();
        let cts = ct_halves.get(ct_pos..ct_pos + n_ct).unwrap_or_default();
        let coms = com_halves.get(com_pos..com_pos + n_com).unwrap_or_default();
        points.extend(cts.iter().chain(coms).map(|h| h + h));
        ct_pos += n_ct;
        com_pos += n_com;
    }
    let mut computed = points.into_iter();
    let decoded = decode_ballot(ballot, style, &mut |_| {
        computed
            .next()
            .ok_or_else(|| CryptoError::verification("point count"))
    })?;
    check_equations(
        &tracking_code_of(signed, &ballot.signature),
        &decoded,
        style,
    )?;
    super::signature::verify_signature(&ballot.voting_key, signed, &ballot.signature)
}

/// Encrypts, proves and signs a ballot: one choice per contest of `style`, in order.
///
/// An invalid choice (more selections than seats, blank with selections, an index out of
/// range or repeated, no selection without blank) returns an error and no ballot. To
/// encrypt several ballots of one style, build a [`BallotEncryptor`] once.
pub fn encrypt_ballot<R: RngCore + CryptoRng>(
    style: &BallotStyle,
    choices: &[ContestChoice],
    voting_key: &SigningKey,
    rng: &mut R,
) -> Result<Ballot> {
    BallotEncryptor::new(style).encrypt(choices, voting_key, rng)
}

fn zero_one_branch(a: [u8; 32], b: [u8; 32]) -> ZeroOneBranch {
    ZeroOneBranch {
        a,
        b,
        challenge: [0; 32],
        response: [0; 32],
    }
}

/// The 0/1 proof's witness for option `j` (from 0): `(r_j, m_j)`.
fn option_witness(randomness: &[Scalar], p: &Plaintext, j: usize) -> [Witness; 1] {
    [Witness {
        r: randomness[j + 1],
        m: Scalar::from(p.marks[j]),
    }]
}

/// The sum proof's witnesses: `(r₀, b)` for `c₀` and `(Σ r_j, Σ m_j)` for the sum.
fn sum_witness(randomness: &[Scalar], p: &Plaintext) -> [Witness; 2] {
    [
        Witness {
            r: randomness[0],
            m: Scalar::from(p.blank),
        },
        Witness {
            r: randomness[1..].iter().sum(),
            m: Scalar::from(p.count),
        },
    ]
}
