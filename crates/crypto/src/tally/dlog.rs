//! Discrete logarithms of small counts by baby-step giant-step.

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::IsIdentity;

use crate::elgamal::base_mul;
use crate::error::{CryptoError, Result};

/// Largest bound a table accepts (2^40): the baby-step table then has 2^20 entries.
pub const MAX_BOUND: u64 = 1 << 40;

/// Giant steps compressed together (one field inversion per batch).
const GIANT_BATCH: usize = 128;

/// A baby-step table for finding `m` from `m·G` with `0 ≤ m ≤ bound`. Build it once per
/// contest (with the number of ballots as bound) and reuse it for every option.
///
/// Baby steps are `j·G` for `j = 1 … s`, stored as the first 8 bytes of their encoding,
/// sorted; a lookup walks giant steps `M − i·s·G`. Encodings are computed in batches with
/// one inversion each (the points are kept halved and `double_and_compress_batch` doubles
/// them back). A match on the truncated key is confirmed by recomputing `m·G`.
#[derive(Clone, Debug)]
pub struct DlogTable {
    bound: u64,
    step: u64,
    keys: Vec<(u64, u32)>,
    /// `−s·G / 2`.
    giant_half: RistrettoPoint,
    half: Scalar,
}

fn key_of(bytes: &[u8; 32]) -> u64 {
    let mut k = [0u8; 8];
    k.copy_from_slice(&bytes[..8]);
    u64::from_le_bytes(k)
}

impl DlogTable {
    /// A table for `0 ≤ m ≤ bound` with about `√bound` baby steps.
    pub fn new(bound: u64) -> Result<DlogTable> {
        let step = bound.max(1).isqrt().max(1);
        let step = if step * step < bound { step + 1 } else { step };
        DlogTable::with_baby_steps(bound, step)
    }

    /// A table with `baby_steps` entries: building costs `baby_steps` additions, a lookup
    /// at most `bound / baby_steps` giant steps.
    pub fn with_baby_steps(bound: u64, baby_steps: u64) -> Result<DlogTable> {
        if bound > MAX_BOUND {
            return Err(CryptoError::invalid(format!(
                "discrete-log bound {bound} exceeds the maximum {MAX_BOUND}"
            )));
        }
        if baby_steps == 0 || baby_steps > (1 << 24) {
            return Err(CryptoError::invalid(
                "the table needs between 1 and 2^24 baby steps",
            ));
        }
        let half = Scalar::from(2u64).invert();
        let h = RISTRETTO_BASEPOINT_POINT * half;
        let mut halves = Vec::with_capacity(baby_steps as usize);
        let mut p = h;
        for _ in 0..baby_steps {
            halves.push(p);
            p += h;
        }
        let mut keys: Vec<(u64, u32)> = RistrettoPoint::double_and_compress_batch(&halves)
            .iter()
            .zip(1u32..)
            .map(|(c, j)| (key_of(c.as_bytes()), j))
            .collect();
        keys.sort_unstable();
        Ok(DlogTable {
            bound,
            step: baby_steps,
            keys,
            giant_half: -(RISTRETTO_BASEPOINT_POINT * (Scalar::from(baby_steps) * half)),
            half,
        })
    }

    /// The largest value this table finds.
    pub fn bound(&self) -> u64 {
        self.bound
    }

    /// Number of baby steps.
    pub fn baby_steps(&self) -> u64 {
        self.step
    }

    fn candidates(&self, key: u64) -> impl Iterator<Item = u32> + '_ {
        let start = self.keys.partition_point(|&(k, _)| k < key);
        self.keys[start..]
            .iter()
            .take_while(move |&&(k, _)| k == key)
            .map(|&(_, j)| j)
    }

    /// Finds `m` with `m·G = point` and `0 ≤ m ≤ bound`, or says it is out of range.
    pub fn solve(&self, point: &RistrettoPoint) -> Result<u64> {
        if point.is_identity() {
            return Ok(0);
        }
        let out_of_range = || {
            CryptoError::verification(format!(
                "the decrypted value is not an integer between 0 and {}",
                self.bound
            ))
        };
        if self.bound == 0 {
            return Err(out_of_range());
        }
        // m = i·s + j with j in 1..=s, so i runs over 0..=(bound − 1)/s.
        let last = (self.bound - 1) / self.step;
        let mut q = point * self.half;
        let mut i = 0u64;
        let mut batch = Vec::with_capacity(GIANT_BATCH);
        while i <= last {
            batch.clear();
            while batch.len() < GIANT_BATCH && i + (batch.len() as u64) <= last {
                batch.push(q);
                q += self.giant_half;
            }
            // An identity giant step means m = (i + k)·s exactly; it must be caught before
            // the batch compression, which it would spoil.
            if let Some(k) = batch.iter().position(|b| b.is_identity()) {
                let m = (i + k as u64) * self.step;
                return if m <= self.bound {
                    Ok(m)
                } else {
                    Err(out_of_range())
                };
            }
            for (k, c) in RistrettoPoint::double_and_compress_batch(&batch)
                .iter()
                .enumerate()
            {
                for j in self.candidates(key_of(c.as_bytes())) {
                    let m = (i + k as u64) * self.step + u64::from(j);
                    if m <= self.bound && base_mul(&Scalar::from(m)) == *point {
                        return Ok(m);
                    }
                }
            }
            i += batch.len() as u64;
        }
        Err(out_of_range())
    }
}
