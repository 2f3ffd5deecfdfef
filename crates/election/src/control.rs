//! The control list of a chamber (R-13) and the random spot-check sample.
//!
//! The control list lets a CELE check that every voter was taken into account: rights
//! counted per scrutin (category × sub-category), and the SHA-256 digest of the
//! *normalised list*: one line per accepted right, sorted by system-wide voter id,
//!
//! ```text
//! VOTER_ID;CATEGORY;SUB_CATEGORY;DELEGATION;BIRTH_DATE;USAGE_NAME\n
//! ```
//!
//! with the values as imported (trimmed, truncated, UTF-8; sub-category empty when the
//! category has none). Voter ids have a fixed width, so the order is also the byte order
//! of the lines: `LC_ALL=C sort | sha256sum` over the same lines gives the same digest.
//!
//! The spot-check sample draws voters for a manual check against the paper list, sized
//! for a 95 % confidence level, a 3 % margin and an expected invalid rate of at most 15 %
//! with the finite-population correction, from a seed the CELE chooses and can replay.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ids::{ChamberCode, ScrutinId, VoterId};
use crate::structure::Structure;

/// Version tag of the normalised list and digest.
pub const CONTROL_FORMAT: &str = "scrutin-control/1";

/// Rights counted for one scrutin of the chamber.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScrutinCount {
    /// The scrutin.
    pub scrutin: ScrutinId,
    /// Category code.
    pub category: String,
    /// Category label.
    pub category_label: String,
    /// Sub-category code, if any.
    pub sub_category: Option<String>,
    /// Sub-category label, if any.
    pub sub_category_label: Option<String>,
    /// Accepted rights.
    pub rights: u64,
}

/// The control list of one chamber (R-13).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlList {
    /// Version of the normalised form (`scrutin-control/1`).
    pub format: String,
    /// Chamber.
    pub chamber: ChamberCode,
    /// Chamber label.
    pub chamber_label: String,
    /// Accepted rights in all.
    pub total: u64,
    /// Rights per scrutin, every scrutin of the chamber in structure order (0 included).
    pub by_scrutin: Vec<ScrutinCount>,
    /// SHA-256 of the normalised list, lowercase hex.
    pub digest: String,
    /// Voter ids of the accepted rights, sorted (kept for the spot check, not serialised).
    #[serde(skip)]
    voter_ids: Vec<VoterId>,
}

impl ControlList {
    /// The accepted rights' voter ids, sorted.
    pub fn voter_ids(&self) -> &[VoterId] {
        &self.voter_ids
    }

    /// The spot-check sample of this chamber for a seed chosen by the CELE.
    pub fn spot_check(&self, seed: &str, params: &SamplingParams) -> SpotCheck {
        spot_check(&self.chamber, &self.voter_ids, seed, params)
    }

    /// The list as French text for people.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "Liste de contrôle — CCI {} {}\n",
            self.chamber, self.chamber_label
        );
        for c in &self.by_scrutin {
            let sub = match (&c.sub_category, &c.sub_category_label) {
                (Some(code), Some(label)) => format!(" / {code} {label}"),
                (Some(code), None) => format!(" / {code}"),
                _ => String::new(),
            };
            out.push_str(&format!(
                "  {:<12} {} {}{}  : {} droits de vote\n",
                c.scrutin, c.category, c.category_label, sub, c.rights
            ));
        }
        out.push_str(&format!("  Total : {} droits de vote\n", self.total));
        out.push_str(&format!(
            "  Empreinte SHA-256 de la liste normalisée ({}) : {}\n",
            self.format, self.digest
        ));
        out
    }
}

/// Builds control lists while a voter file streams, keeping only the normalised lines
/// (not the rows).
#[derive(Debug, Default)]
pub(crate) struct ControlBuilder {
    chambers: Vec<ChamberAcc>,
}

#[derive(Debug)]
struct ChamberAcc {
    number: u64,
    chamber: ChamberCode,
    /// Normalised lines without the voter id, back to back.
    arena: Vec<u8>,
    /// (voter id, start << 24 | length) per accepted right.
    entries: Vec<(u64, u64)>,
    /// Rights per scrutin index of the structure.
    counts: HashMap<usize, u64>,
}

impl ControlBuilder {
    /// Records one accepted right. `rest` is the normalised line after the voter id,
    /// starting with `;` and without the final newline.
    pub fn add(&mut self, voter: VoterId, scrutin_index: usize, rest: &[&str]) {
        // Compared as numbers: no allocation per row.
        let number = voter.value() / 10_000_000_000;
        let acc = match self.chambers.iter_mut().position(|c| c.number == number) {
            Some(i) => &mut self.chambers[i],
            None => {
                self.chambers.push(ChamberAcc {
                    number,
                    chamber: voter.chamber(),
                    arena: Vec::new(),
                    entries: Vec::new(),
                    counts: HashMap::new(),
                });
                self.chambers.last_mut().expect("just pushed")
            }
        };
        let start = acc.arena.len() as u64;
        for part in rest {
            acc.arena.push(b';');
            acc.arena.extend_from_slice(part.as_bytes());
        }
        let len = (acc.arena.len() as u64 - start).min((1 << 24) - 1);
        acc.entries.push((voter.value(), (start << 24) | len));
        *acc.counts.entry(scrutin_index).or_default() += 1;
    }

    /// Sorts, digests and returns one control list per chamber of the structure that
    /// appears in the file, in structure order.
    pub fn finish(self, structure: &Structure) -> Vec<ControlList> {
        let mut out = Vec::new();
        for mut acc in self.chambers {
            acc.entries.sort_unstable_by_key(|e| e.0);
            let mut hasher = Sha256::new();
            let mut id_buf = String::with_capacity(16);
            for &(id, packed) in &acc.entries {
                use std::fmt::Write as _;
                id_buf.clear();
                let _ = write!(id_buf, "{id:013}");
                hasher.update(id_buf.as_bytes());
                let start = (packed >> 24) as usize;
                let len = (packed & ((1 << 24) - 1)) as usize;
                hasher.update(&acc.arena[start..start + len]);
                hasher.update(b"\n");
            }
            let digest = hex::encode(hasher.finalize());
            let mut by_scrutin = Vec::new();
            for (i, s) in structure.scrutins().iter().enumerate() {
                if s.chamber != acc.chamber {
                    continue;
                }
                by_scrutin.push(ScrutinCount {
                    scrutin: s.id(),
                    category: s.category.to_string(),
                    category_label: s.category_label.clone(),
                    sub_category: s.sub_category.as_ref().map(ToString::to_string),
                    sub_category_label: s.sub_category_label.clone(),
                    rights: acc.counts.get(&i).copied().unwrap_or(0),
                });
            }
            let voter_ids = acc
                .entries
                .iter()
                .map(|&(id, _)| VoterId::from_value(id))
                .collect();
            out.push(ControlList {
                format: CONTROL_FORMAT.to_owned(),
                chamber_label: structure
                    .chamber_label(acc.chamber.as_str())
                    .unwrap_or_default()
                    .to_owned(),
                chamber: acc.chamber,
                total: acc.entries.len() as u64,
                by_scrutin,
                digest,
                voter_ids,
            });
        }
        let order = structure.chambers();
        out.sort_by_key(|c| order.iter().position(|o| **o == c.chamber));
        out
    }
}

/// Parameters of the spot-check sample size.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SamplingParams {
    /// Normal quantile of the confidence level (1.959964 for 95 %).
    pub z: f64,
    /// Margin of error (0.03).
    pub margin: f64,
    /// Expected proportion of invalid entries, upper bound (0.15).
    pub expected_rate: f64,
}

impl Default for SamplingParams {
    fn default() -> Self {
        SamplingParams {
            z: 1.959_963_984_540_054,
            margin: 0.03,
            expected_rate: 0.15,
        }
    }
}

/// Sample size for a population of `population` rights: n₀ = z²·p·(1−p)/e², then the
/// finite-population correction n = n₀ / (1 + (n₀ − 1)/N), rounded up, at most N.
/// With the defaults n₀ = 544.2 (545 for a very large list).
pub fn sample_size(population: u64, params: &SamplingParams) -> u64 {
    if population == 0 {
        return 0;
    }
    let p = params.expected_rate;
    let n0 = params.z * params.z * p * (1.0 - p) / (params.margin * params.margin);
    let n = n0 / (1.0 + (n0 - 1.0) / population as f64);
    // Round up, with a tolerance so that an exact integer is not pushed up by float noise.
    let n = (n - 1e-9).ceil().max(1.0) as u64;
    n.min(population)
}

/// A reproducible spot-check sample.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpotCheck {
    /// Chamber.
    pub chamber: ChamberCode,
    /// Rights in the list.
    pub population: u64,
    /// Sample size.
    pub sample_size: u64,
    /// The seed chosen by the CELE.
    pub seed: String,
    /// Parameters of the size.
    pub params: SamplingParams,
    /// The drawn voter ids, sorted.
    pub voter_ids: Vec<VoterId>,
}

/// Draws the spot-check sample: a partial Fisher–Yates shuffle of the sorted voter ids
/// driven by SHA-256 in counter mode over (`scrutin/spot-check/v1`, chamber, seed), so
/// anybody can replay it from the seed (the algorithm is in `specs/csv-formats.md`).
pub fn spot_check(
    chamber: &ChamberCode,
    sorted_ids: &[VoterId],
    seed: &str,
    params: &SamplingParams,
) -> SpotCheck {
    let population = sorted_ids.len() as u64;
    let n = sample_size(population, params);
    let mut stream = DrawStream::new(chamber.as_str(), seed);
    // Sparse Fisher–Yates: only the displaced positions are stored.
    let mut displaced: HashMap<u64, u64> = HashMap::new();
    let mut picked = Vec::with_capacity(n as usize);
    for i in 0..n {
        let j = i + stream.below(population - i);
        let at_j = displaced.get(&j).copied().unwrap_or(j);
        let at_i = displaced.get(&i).copied().unwrap_or(i);
        displaced.insert(j, at_i);
        picked.push(sorted_ids[at_j as usize]);
    }
    picked.sort_unstable();
    SpotCheck {
        chamber: chamber.clone(),
        population,
        sample_size: n,
        seed: seed.to_owned(),
        params: *params,
        voter_ids: picked,
    }
}

/// Uniform draws from SHA-256 in counter mode.
struct DrawStream {
    prefix: Vec<u8>,
    counter: u64,
}

impl DrawStream {
    fn new(chamber: &str, seed: &str) -> Self {
        let mut prefix = Vec::new();
        for part in ["scrutin/spot-check/v1", chamber, seed] {
            prefix.extend_from_slice(&(part.len() as u32).to_be_bytes());
            prefix.extend_from_slice(part.as_bytes());
        }
        DrawStream { prefix, counter: 0 }
    }

    fn next_u64(&mut self) -> u64 {
        let mut h = Sha256::new();
        h.update(&self.prefix);
        h.update(self.counter.to_be_bytes());
        self.counter += 1;
        let d = h.finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&d[..8]);
        u64::from_be_bytes(first)
    }

    /// Uniform in 0..k (k > 0) by rejection, so no value is favoured.
    fn below(&mut self, k: u64) -> u64 {
        let limit = u64::MAX - (u64::MAX % k);
        loop {
            let x = self.next_u64();
            if x < limit {
                return x % k;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_size_formula() {
        let p = SamplingParams::default();
        assert_eq!(sample_size(0, &p), 0);
        assert_eq!(sample_size(10, &p), 10);
        assert_eq!(sample_size(2_000, &p), 428);
        assert_eq!(sample_size(10_000, &p), 517);
        assert_eq!(sample_size(2_000_000, &p), 545);
        assert_eq!(sample_size(u64::MAX, &p), 545);
    }

    #[test]
    fn spot_check_is_reproducible_and_seed_dependent() {
        let chamber = ChamberCode::parse("011").unwrap();
        let ids: Vec<VoterId> = (1..=5_000)
            .map(|n| VoterId::from_parts(&chamber, n).unwrap())
            .collect();
        let p = SamplingParams::default();
        let a = spot_check(&chamber, &ids, "CELE Ain 2026-09-01", &p);
        let b = spot_check(&chamber, &ids, "CELE Ain 2026-09-01", &p);
        let c = spot_check(&chamber, &ids, "autre graine", &p);
        assert_eq!(a, b);
        assert_ne!(a.voter_ids, c.voter_ids);
        assert_eq!(a.voter_ids.len() as u64, a.sample_size);
        let mut dedup = a.voter_ids.clone();
        dedup.dedup();
        assert_eq!(dedup.len(), a.voter_ids.len(), "no voter drawn twice");
        assert!(a.voter_ids.iter().all(|v| ids.binary_search(v).is_ok()));
    }

    #[test]
    fn whole_population_when_small() {
        let chamber = ChamberCode::parse("971").unwrap();
        let ids: Vec<VoterId> = (1..=7)
            .map(|n| VoterId::from_parts(&chamber, n).unwrap())
            .collect();
        let s = spot_check(&chamber, &ids, "x", &SamplingParams::default());
        assert_eq!(s.voter_ids, ids);
    }
}
