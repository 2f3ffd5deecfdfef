//! Seat allocation (R-62b): single-round plurinominal majority (L713-16). In each
//! contest the candidates with the most votes win its seats; at equal votes the older
//! candidate is elected (L713-16); at equal votes and equal birth dates, a deterministic
//! draw that anyone can replay decides (our rule: the law is silent; see
//! `specs/election-rules.md`). Fewer candidates than seats leaves seats vacant.
//!
//! R713-27: the CCIR election is allocated first; its elected candidates are members of
//! the CCIR and of the CCIT (and of their delegation, if any), and their suppléants are
//! members of the CCIT. Then the CCIT election's seats go to the CCIT-only candidates
//! with the most votes. [`category_composition`] puts the two together.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::candidates::{Candidate, ContestCandidates};
use crate::election::Election;
use crate::ids::{CategoryCode, ChamberCode, ContestId, ContestKind, OptionId, SubCategoryCode};
use crate::results::ContestResults;
use crate::voters::Civility;

/// Public seed of the draw between candidates with equal votes and birth dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawSeed(#[serde(with = "hex_32")] pub [u8; 32]);

mod hex_32 {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(b: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(b))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let s = String::deserialize(d)?;
        let v = hex::decode(&s).map_err(D::Error::custom)?;
        v.try_into()
            .map_err(|_| D::Error::custom("32 octets attendus"))
    }
}

/// Length-prefixed canonical encoding (u32 big-endian length, then bytes), as in the
/// crypto crate's canonical writer.
fn put(h: &mut Sha256, bytes: &[u8]) {
    h.update((bytes.len() as u32).to_be_bytes());
    h.update(bytes);
}

impl DrawSeed {
    /// The default seed: SHA-256 of the contest's published figures, known only once
    /// the count is done and recomputable by anyone from the PV:
    /// `"scrutin/seat-draw-seed/v1"`, contest id, registered, voters, ballots, blank, null
    /// (u64 big-endian each), then per candidate its option id and votes.
    pub fn from_results(results: &ContestResults) -> DrawSeed {
        let mut h = Sha256::new();
        put(&mut h, b"scrutin/seat-draw-seed/v1");
        put(&mut h, results.contest.as_str().as_bytes());
        for v in [
            results.registered,
            results.voters,
            results.ballots,
            results.blank,
            results.null,
        ] {
            h.update(v.to_be_bytes());
        }
        h.update((results.votes.len() as u32).to_be_bytes());
        for cv in &results.votes {
            put(&mut h, cv.option.as_str().as_bytes());
            h.update(cv.votes.to_be_bytes());
        }
        DrawSeed(h.finalize().into())
    }

    /// A candidate's draw value: SHA-256 of (`"scrutin/seat-draw/v1"`, contest id, seed,
    /// option id). The smaller value wins.
    pub fn draw_value(&self, contest: &ContestId, option: &OptionId) -> [u8; 32] {
        let mut h = Sha256::new();
        put(&mut h, b"scrutin/seat-draw/v1");
        put(&mut h, contest.as_str().as_bytes());
        h.update(self.0);
        put(&mut h, option.as_str().as_bytes());
        h.finalize().into()
    }
}

/// Why a candidate is (or is not) elected.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Decision {
    /// Elected: more votes than every candidate not elected.
    MostVotes,
    /// Elected at equal votes with `against`, being older (L713-16).
    OlderAtEqualVotes {
        /// The candidates with the same votes left out.
        against: Vec<OptionId>,
    },
    /// Elected at equal votes and birth date with `against`, by the draw.
    WonDraw {
        /// The candidates with the same votes and birth date left out.
        against: Vec<OptionId>,
    },
    /// Not elected: fewer votes than the last elected.
    FewerVotes,
    /// Not elected at equal votes with `against`, being younger.
    YoungerAtEqualVotes {
        /// The elected candidates with the same votes.
        against: Vec<OptionId>,
    },
    /// Not elected at equal votes and birth date with `against`, by the draw.
    LostDraw {
        /// The elected candidates with the same votes and birth date.
        against: Vec<OptionId>,
    },
}

impl Decision {
    /// True for the elected decisions.
    pub fn is_elected(&self) -> bool {
        matches!(
            self,
            Decision::MostVotes | Decision::OlderAtEqualVotes { .. } | Decision::WonDraw { .. }
        )
    }
}

/// One candidate in the ranking.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ranked {
    /// 1-based rank (votes, then age, then draw).
    pub rank: u32,
    /// Candidate.
    pub option: OptionId,
    /// Votes.
    pub votes: u64,
    /// Birth date.
    pub birth_date: NaiveDate,
    /// Draw value (hex), shown only when the draw decided something about this candidate.
    pub draw: Option<String>,
    /// Elected or not, and why.
    pub decision: Decision,
}

/// The seats of one contest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeatAllocation {
    /// Contest.
    pub contest: ContestId,
    /// Seats to fill.
    pub seats: u32,
    /// Every candidate, best first.
    pub ranking: Vec<Ranked>,
    /// Elected candidates, best first.
    pub elected: Vec<OptionId>,
    /// Seats left vacant (fewer candidates than seats).
    pub vacant: u32,
    /// The draw seed, hex.
    pub draw_seed: String,
}

impl SeatAllocation {
    /// The ranking entry of a candidate.
    pub fn get(&self, option: &OptionId) -> Option<&Ranked> {
        self.ranking.iter().find(|r| &r.option == option)
    }
}

/// Allocates a contest's seats from its votes (one per candidate, in ballot order).
///
/// # Panics
/// Never: `votes` shorter than the candidates counts the missing ones as 0.
pub fn allocate_seats(
    contest: &ContestId,
    seats: u32,
    candidates: &[&Candidate],
    votes: &[u64],
    seed: &DrawSeed,
) -> SeatAllocation {
    struct Entry {
        option: OptionId,
        votes: u64,
        birth: NaiveDate,
        draw: [u8; 32],
    }
    let mut entries: Vec<Entry> = candidates
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let option = c.option_id();
            Entry {
                draw: seed.draw_value(contest, &option),
                option,
                votes: votes.get(i).copied().unwrap_or(0),
                birth: c.birth_date,
            }
        })
        .collect();
    entries.sort_by(|a, b| {
        b.votes
            .cmp(&a.votes)
            .then(a.birth.cmp(&b.birth))
            .then(a.draw.cmp(&b.draw))
    });
    let n = entries.len();
    let filled = (seats as usize).min(n);
    let mut ranking: Vec<Ranked> = Vec::with_capacity(n);
    for (i, e) in entries.iter().enumerate() {
        let elected = i < filled;
        // Candidates on the other side of the line with the same votes.
        let same_votes_other_side: Vec<&Entry> = entries
            .iter()
            .enumerate()
            .filter(|(j, o)| o.votes == e.votes && ((*j < filled) != elected))
            .map(|(_, o)| o)
            .collect();
        let same_birth: Vec<OptionId> = same_votes_other_side
            .iter()
            .filter(|o| o.birth == e.birth)
            .map(|o| o.option.clone())
            .collect();
        let others: Vec<OptionId> = same_votes_other_side
            .iter()
            .map(|o| o.option.clone())
            .collect();
        let decision = match (elected, others.is_empty(), same_birth.is_empty()) {
            (true, true, _) => Decision::MostVotes,
            (true, false, true) => Decision::OlderAtEqualVotes { against: others },
            (true, false, false) => Decision::WonDraw {
                against: same_birth.clone(),
            },
            (false, true, _) => Decision::FewerVotes,
            (false, false, true) => Decision::YoungerAtEqualVotes { against: others },
            (false, false, false) => Decision::LostDraw {
                against: same_birth.clone(),
            },
        };
        let draw = (!same_birth.is_empty()).then(|| hex::encode(e.draw));
        ranking.push(Ranked {
            rank: (i + 1) as u32,
            option: e.option.clone(),
            votes: e.votes,
            birth_date: e.birth,
            draw,
            decision,
        });
    }
    SeatAllocation {
        contest: contest.clone(),
        seats,
        elected: ranking[..filled].iter().map(|r| r.option.clone()).collect(),
        ranking,
        vacant: seats - filled as u32,
        draw_seed: hex::encode(seed.0),
    }
}

/// Allocates a contest's seats from its results, with the default draw seed.
pub fn allocate_from_results(
    candidates: &ContestCandidates,
    results: &ContestResults,
) -> SeatAllocation {
    let votes: Vec<u64> = results.votes.iter().map(|v| v.votes).collect();
    allocate_seats(
        &results.contest,
        results.seats,
        &candidates.options(),
        &votes,
        &DrawSeed::from_results(results),
    )
}

/// How a member got their seat.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberOrigin {
    /// Elected at the CCIR election: member of the CCIR and of the CCIT.
    CcirElected,
    /// Suppléant of a candidate elected at the CCIR election: member of the CCIT.
    CcirSubstitute,
    /// Elected at the CCIT election.
    CcitElected,
}

/// A member of a chamber after the count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// How the seat was won.
    pub origin: MemberOrigin,
    /// The contest.
    pub contest: ContestId,
    /// The candidate (for a suppléant: the candidate they stood with).
    pub option: OptionId,
    /// Civility.
    pub civility: Civility,
    /// « Prénom NOM ».
    pub name: String,
    /// Delegation, if any (a suppléant sits in the same delegation, R713-27).
    pub delegation: Option<String>,
    /// Sub-category of the contest, if any.
    pub sub_category: Option<SubCategoryCode>,
}

/// Who sits where for one chamber's category after both elections (R-62b).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryComposition {
    /// Chamber.
    pub chamber: ChamberCode,
    /// Category.
    pub category: CategoryCode,
    /// Members of the CCIR (elected at the CCIR election).
    pub ccir_members: Vec<Member>,
    /// Members of the CCIT: CCIR elected, their suppléants, then the CCIT elected.
    pub ccit_members: Vec<Member>,
    /// Vacant CCIR seats.
    pub vacant_ccir: u32,
    /// Vacant CCIT-election seats.
    pub vacant_ccit: u32,
}

/// Puts together the CCIR and CCIT allocations of one category (all its
/// sub-categories), CCIR first (R713-27).
pub fn category_composition(
    election: &Election,
    chamber: &ChamberCode,
    category: &CategoryCode,
    allocations: &BTreeMap<ContestId, SeatAllocation>,
) -> CategoryComposition {
    let mut out = CategoryComposition {
        chamber: chamber.clone(),
        category: category.clone(),
        ccir_members: Vec::new(),
        ccit_members: Vec::new(),
        vacant_ccir: 0,
        vacant_ccit: 0,
    };
    let contests: Vec<_> = election
        .structure
        .contests()
        .iter()
        .filter(|c| &c.chamber == chamber && &c.category == category)
        .collect();
    let mut later_ccit = Vec::new();
    for kind in [ContestKind::Ccir, ContestKind::Ccit] {
        for contest in contests.iter().filter(|c| c.kind == kind) {
            let (Some(alloc), Some(list)) = (
                allocations.get(&contest.id),
                election.candidates(&contest.id),
            ) else {
                continue;
            };
            let options = list.options();
            for option in &alloc.elected {
                let Some(c) = options.iter().find(|c| &c.option_id() == option) else {
                    continue;
                };
                let member = |origin, civility, name| Member {
                    origin,
                    contest: contest.id.clone(),
                    option: option.clone(),
                    civility,
                    name,
                    delegation: c.delegation.clone(),
                    sub_category: contest.sub_category.clone(),
                };
                match kind {
                    ContestKind::Ccir => {
                        let m = member(MemberOrigin::CcirElected, c.civility, c.full_name());
                        out.ccir_members.push(m.clone());
                        out.ccit_members.push(m);
                        if let Some(s) = &c.substitute {
                            out.ccit_members.push(member(
                                MemberOrigin::CcirSubstitute,
                                s.civility,
                                format!("{} {}", s.first_name, s.last_name.to_uppercase()),
                            ));
                        }
                    }
                    ContestKind::Ccit => later_ccit.push(member(
                        MemberOrigin::CcitElected,
                        c.civility,
                        c.full_name(),
                    )),
                }
            }
            match kind {
                ContestKind::Ccir => out.vacant_ccir += alloc.vacant,
                ContestKind::Ccit => out.vacant_ccit += alloc.vacant,
            }
        }
    }
    out.ccit_members.extend(later_ccit);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::CandidateVotes;

    #[test]
    fn worked_example_3_draw_vector() {
        let contest = ContestId::parse("011-S/CCIT").expect("id");
        let option = |s: &str| OptionId::parse(s).expect("option");
        let results = ContestResults {
            contest: contest.clone(),
            seats: 2,
            registered: 500,
            voters: 90,
            ballots: 90,
            blank: 10,
            null: 0,
            expressed: 80,
            votes: [("01", 50), ("02", 40), ("03", 40)]
                .into_iter()
                .map(|(o, votes)| CandidateVotes {
                    option: option(o),
                    votes,
                })
                .collect(),
            turnout_percent: 18.0,
            ballots_match_emargements: true,
        };
        let seed = DrawSeed::from_results(&results);
        assert_eq!(
            hex::encode(seed.0),
            "5217077e37bf9c1c77b4823a6847ccb382f531f71607bcc08e158c305f903113"
        );
        assert_eq!(
            hex::encode(seed.draw_value(&contest, &option("02"))),
            "962082926230e05e040502728169c57e132600dd83cf500db7b8b6bb5872ecc6"
        );
        assert_eq!(
            hex::encode(seed.draw_value(&contest, &option("03"))),
            "08f5e123be21291d1af7154e544d107b7c619e83740b5f3e484335bf6bdf0f78"
        );
        let born = NaiveDate::from_ymd_opt(1970, 3, 3).expect("date");
        let cands: Vec<Candidate> = ["01", "02", "03"]
            .iter()
            .enumerate()
            .map(|(i, id)| Candidate {
                id: Some(option(id)),
                civility: Civility::M,
                last_name: format!("N{i}"),
                first_name: "P".into(),
                birth_date: if i == 0 {
                    born.pred_opt().expect("date")
                } else {
                    born
                },
                activity: None,
                locality: None,
                delegation: None,
                mandate: None,
                substitute: None,
            })
            .collect();
        let refs: Vec<&Candidate> = cands.iter().collect();
        let a = allocate_seats(&contest, 2, &refs, &[50, 40, 40], &seed);
        assert_eq!(a.elected, vec![option("01"), option("03")]);
        assert_eq!(
            a.get(&option("03")).expect("ranked").decision,
            Decision::WonDraw {
                against: vec![option("02")]
            }
        );
    }
}
