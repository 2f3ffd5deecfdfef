//! Lagrange combination of decryption shares.

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::VartimeMultiscalarMul;

use super::{DecryptionShare, DlogTable};
use crate::elgamal::Ciphertext;
use crate::error::{CryptoError, Result};

/// The Lagrange coefficients at 0 for the given distinct, non-zero trustee indices:
/// `λ_i = Π_{j ≠ i} j / (j − i)`, so that `Σ λ_i·f(i) = f(0)` for any polynomial `f` of
/// degree below the number of indices.
pub fn lagrange_at_zero(indices: &[u32]) -> Result<Vec<Scalar>> {
    for (pos, &i) in indices.iter().enumerate() {
        if i == 0 {
            return Err(CryptoError::invalid("trustee index 0 does not exist"));
        }
        if indices[..pos].contains(&i) {
            return Err(CryptoError::invalid(format!(
                "trustee {i} appears twice among the decryption shares"
            )));
        }
    }
    Ok(indices
        .iter()
        .map(|&i| {
            let xi = Scalar::from(i);
            let (num, den) = indices.iter().filter(|&&j| j != i).fold(
                (Scalar::ONE, Scalar::ONE),
                |(num, den), &j| {
                    let xj = Scalar::from(j);
                    (num * xj, den * (xj - xi))
                },
            );
            num * den.invert()
        })
        .collect())
}

/// Combines decryption shares into `m_j·G = β_j − Σ_i λ_i·D_ij` for every aggregate.
///
/// Needs at least `threshold` shares from distinct trustees, each with one factor per
/// aggregate; the shares must have been verified first ([`super::verify_decryption_shares`]).
/// With fewer than `threshold` shares the interpolation would give a wrong value, so it is
/// refused.
pub fn combine(
    threshold: u32,
    aggregates: &[Ciphertext],
    shares: &[DecryptionShare],
) -> Result<Vec<RistrettoPoint>> {
    if shares.len() < threshold as usize {
        return Err(CryptoError::invalid(format!(
            "{} decryption shares, at least {threshold} needed",
            shares.len()
        )));
    }
    let indices: Vec<u32> = shares.iter().map(|s| s.trustee).collect();
    let lambdas = lagrange_at_zero(&indices)?;
    for share in shares {
        if share.factors.len() != aggregates.len() {
            return Err(CryptoError::invalid(format!(
                "decryption share of trustee {} has {} factors for {} aggregates",
                share.trustee,
                share.factors.len(),
                aggregates.len()
            )));
        }
    }
    Ok(aggregates
        .iter()
        .enumerate()
        .map(|(j, c)| {
            let sum = RistrettoPoint::vartime_multiscalar_mul(
                &lambdas,
                shares.iter().map(|s| s.factors[j].factor),
            );
            c.beta - sum
        })
        .collect())
}

/// [`combine`], then the discrete logarithm of every result with one table: the counts.
pub fn decrypt(
    threshold: u32,
    aggregates: &[Ciphertext],
    shares: &[DecryptionShare],
    table: &DlogTable,
) -> Result<Vec<u64>> {
    combine(threshold, aggregates, shares)?
        .iter()
        .map(|m| table.solve(m))
        .collect()
}
