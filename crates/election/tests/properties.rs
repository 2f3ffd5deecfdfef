//! Property tests: ballot rules and seat allocation invariants (R-62b).
#![allow(clippy::unwrap_used)] // test helpers

use std::collections::BTreeSet;

use chrono::NaiveDate;
use proptest::prelude::*;
use scrutin_election::ballot::{
    ChoiceBuilder, ContestChoice, from_plaintext, to_plaintext, validate_choice,
};
use scrutin_election::candidates::{BallotEntry, Grouping};
use scrutin_election::seats::{DrawSeed, allocate_seats};
use scrutin_election::{Candidate, Civility, ContestCandidates, ContestId, OptionId};

fn candidate(i: usize, born: NaiveDate) -> Candidate {
    Candidate {
        id: Some(OptionId::from_position(i + 1)),
        civility: Civility::M,
        last_name: format!("Nom{i}"),
        first_name: "Prénom".into(),
        birth_date: born,
        activity: None,
        locality: None,
        delegation: None,
        mandate: None,
        substitute: None,
    }
}

/// A contest with `sizes` groupings (0 = an individual candidacy) and `seats`.
fn contest(sizes: &[usize]) -> ContestCandidates {
    let born = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
    let mut n = 0;
    let mut entries = Vec::new();
    for (g, &size) in sizes.iter().enumerate() {
        if size == 0 {
            entries.push(BallotEntry::Candidate(candidate(n, born)));
            n += 1;
        } else {
            let candidates = (0..size).map(|k| candidate(n + k, born)).collect();
            n += size;
            entries.push(BallotEntry::Grouping(Grouping {
                name: format!("G{g}"),
                candidates,
            }));
        }
    }
    ContestCandidates {
        contest: ContestId::parse("011-C/CCIT").unwrap(),
        entries,
    }
}

#[derive(Clone, Debug)]
enum Op {
    Select(usize),
    Deselect(usize),
    Grouping(usize),
    Clear,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0usize..20).prop_map(Op::Select),
        (0usize..20).prop_map(Op::Deselect),
        (0usize..6).prop_map(Op::Grouping),
        Just(Op::Clear),
    ]
}

proptest! {
    #[test]
    fn a_choice_is_valid_iff_blank_or_one_to_n_names(
        sizes in prop::collection::vec(0usize..4, 1..6),
        seats in 1u32..6,
        picks in prop::collection::btree_set(0usize..20, 0..8),
    ) {
        let c = contest(&sizes);
        let ids = c.option_ids();
        let chosen: BTreeSet<OptionId> = picks.iter().filter(|&&i| i < ids.len()).map(|&i| ids[i].clone()).collect();
        let choice = ContestChoice::Candidates(chosen.clone());
        let valid = validate_choice(&c, seats, &choice).is_ok();
        prop_assert_eq!(valid, !chosen.is_empty() && chosen.len() <= seats as usize);
        prop_assert!(validate_choice(&c, seats, &ContestChoice::Blank).is_ok());
        if valid {
            // The plaintext satisfies the protocol rule and decodes back to the choice.
            let (marks, blank) = to_plaintext(&c, seats, &choice).unwrap();
            let sum: u32 = marks.iter().map(|&m| u32::from(m)).sum();
            prop_assert!(!blank && sum >= 1 && sum <= seats);
            prop_assert_eq!(from_plaintext(&c, seats, &marks, blank).unwrap(), choice);
        }
    }

    #[test]
    fn plaintexts_decode_only_when_the_protocol_rule_holds(
        marks in prop::collection::vec(0u8..3, 1..10),
        blank in any::<bool>(),
        seats in 1u32..5,
    ) {
        let c = contest(&vec![0; marks.len()]);
        let sum: u32 = marks.iter().map(|&m| u32::from(m)).sum();
        let well_formed = marks.iter().all(|&m| m <= 1);
        let rule = well_formed && ((blank && sum == 0) || (!blank && sum >= 1 && sum <= seats));
        prop_assert_eq!(from_plaintext(&c, seats, &marks, blank).is_ok(), rule);
    }

    #[test]
    fn the_voting_page_can_never_build_an_invalid_choice(
        sizes in prop::collection::vec(0usize..4, 1..6),
        seats in 1u32..5,
        ops in prop::collection::vec(op(), 0..30),
    ) {
        let c = contest(&sizes);
        let ids = c.option_ids();
        let names: Vec<String> = c.groupings().map(|g| g.name.clone()).collect();
        let mut b = ChoiceBuilder::new(&c, seats);
        for o in ops {
            let before = b.selected().clone();
            let result = match o {
                Op::Select(i) => ids.get(i).map(|id| b.select(id)),
                Op::Deselect(i) => { if let Some(id) = ids.get(i) { b.deselect(id) } None }
                Op::Grouping(g) => names.get(g).map(|n| b.select_grouping(n)),
                Op::Clear => { b.clear(); None }
            };
            if let Some(Err(_)) = result {
                prop_assert_eq!(b.selected(), &before, "a refused step changes nothing");
            }
            prop_assert!(b.selected().len() <= seats as usize);
            prop_assert!(validate_choice(&c, seats, &b.build()).is_ok());
        }
    }

    #[test]
    fn selecting_a_grouping_selects_exactly_its_candidates(sizes in prop::collection::vec(1usize..4, 1..5)) {
        let c = contest(&sizes);
        let seats = 10;
        for g in c.groupings() {
            let mut b = ChoiceBuilder::new(&c, seats);
            b.select_grouping(&g.name).unwrap();
            let expected: BTreeSet<OptionId> = g.candidates.iter().map(|c| c.option_id()).collect();
            prop_assert_eq!(b.selected(), &expected);
        }
    }

    #[test]
    fn seat_allocation_invariants(
        people in prop::collection::vec((0u64..6, 0u32..4), 0..12),
        seats in 0u32..8,
        seed in any::<[u8; 32]>(),
        rotate in 0usize..12,
    ) {
        let base = NaiveDate::from_ymd_opt(1960, 1, 1).unwrap();
        let cands: Vec<Candidate> = people
            .iter()
            .enumerate()
            .map(|(i, &(_, age))| candidate(i, base + chrono::Days::new(u64::from(age) * 365)))
            .collect();
        let votes: Vec<u64> = people.iter().map(|p| p.0).collect();
        let refs: Vec<&Candidate> = cands.iter().collect();
        let cid = ContestId::parse("011-C/CCIT").unwrap();
        let s = DrawSeed(seed);
        let a = allocate_seats(&cid, seats, &refs, &votes, &s);
        let n = cands.len();
        prop_assert_eq!(a.elected.len(), (seats as usize).min(n));
        prop_assert_eq!(a.vacant as usize, (seats as usize).saturating_sub(n));
        prop_assert_eq!(a.ranking.len(), n);
        let elected: BTreeSet<&OptionId> = a.elected.iter().collect();
        for w in a.ranking.iter().filter(|r| elected.contains(&r.option)) {
            prop_assert!(w.decision.is_elected());
            for l in a.ranking.iter().filter(|r| !elected.contains(&r.option)) {
                prop_assert!(!l.decision.is_elected());
                // Nobody left out has more votes, or equal votes and is older.
                prop_assert!(w.votes > l.votes || (w.votes == l.votes && w.birth_date <= l.birth_date));
            }
        }
        // Deterministic, and independent of the order candidates are handed in.
        prop_assert_eq!(&allocate_seats(&cid, seats, &refs, &votes, &s), &a);
        if n > 0 {
            let k = rotate % n;
            let refs2: Vec<&Candidate> = refs[k..].iter().chain(&refs[..k]).copied().collect();
            let votes2: Vec<u64> = votes[k..].iter().chain(&votes[..k]).copied().collect();
            let b = allocate_seats(&cid, seats, &refs2, &votes2, &s);
            prop_assert_eq!(b.elected, a.elected);
        }
    }
}
