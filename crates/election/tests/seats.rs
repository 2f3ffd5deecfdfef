//! Results, seat allocation and PV (R-62, R-62b, R-63): ties, equal birth dates, zero
//! seats, fewer candidates than seats, all blank, CCIR suppléants in the CCIT, pooled
//! CCIR election.
#![allow(clippy::unwrap_used)] // test helpers

use std::collections::BTreeMap;

use chrono::NaiveDate;
use scrutin_election::candidates::{BallotEntry, CandidateFile, Grouping, Substitute};
use scrutin_election::ids::{CategoryCode, ChamberCode, SubCategoryCode};
use scrutin_election::pv::build_pv;
use scrutin_election::results::{compute_results, registered_in};
use scrutin_election::seats::{
    Decision, DrawSeed, MemberOrigin, allocate_from_results, allocate_seats, category_composition,
};
use scrutin_election::{
    Candidate, Civility, ContestCandidates, ContestCount, ContestId, Election, OptionId,
    ResultsError, ScrutinDefinition, Structure,
};

fn row(
    chamber: &str,
    cat: &str,
    sub: Option<&str>,
    ccir: u32,
    ccit: u32,
    pooled: bool,
) -> ScrutinDefinition {
    ScrutinDefinition {
        chamber: ChamberCode::parse(chamber).unwrap(),
        chamber_label: format!("CCI {chamber}"),
        category: CategoryCode::parse(cat).unwrap(),
        category_label: "Commerce".into(),
        sub_category: sub.map(|s| SubCategoryCode::parse(s).unwrap()),
        sub_category_label: sub.map(|s| format!("sous-catégorie {s}")),
        seats_ccir: ccir,
        seats_ccit: ccit,
        site_title: "Élections 2026".into(),
        label_ccir: Some("CCI de région".into()),
        label_ccit: Some(format!("CCI {chamber}")),
        category_type_label: "Catégorie".into(),
        seat_label_1: None,
        seat_label_2: "CCIT".into(),
        seat_label_3: "CCIT".into(),
        ballot_title_ccir: (ccir > 0).then(|| "CCIR et CCIT".to_owned()),
        ballot_title_ccit: "CCIT".into(),
        assistance_message: None,
        phone: None,
        email: None,
        statements_url: "www.cci.fr".into(),
        r731_8: pooled,
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn person(name: &str, female: bool, born: NaiveDate, ccir: bool) -> Candidate {
    Candidate {
        id: None,
        civility: if female { Civility::Mme } else { Civility::M },
        last_name: name.to_owned(),
        first_name: if female { "Claire" } else { "Paul" }.to_owned(),
        birth_date: born,
        activity: None,
        locality: None,
        delegation: None,
        mandate: None,
        substitute: ccir.then(|| Substitute {
            civility: if female { Civility::M } else { Civility::Mme },
            last_name: format!("{name}-S"),
            first_name: "Sam".into(),
            activity: None,
            locality: None,
        }),
    }
}

fn list(contest: &str, people: Vec<Candidate>) -> ContestCandidates {
    ContestCandidates {
        contest: ContestId::parse(contest).unwrap(),
        entries: people.into_iter().map(BallotEntry::Candidate).collect(),
    }
}

fn ids(v: &[&str]) -> Vec<OptionId> {
    v.iter().map(|s| OptionId::parse(s).unwrap()).collect()
}

fn with_ids(l: &ContestCandidates) -> Vec<Candidate> {
    l.options()
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut c = (*c).clone();
            c.id = Some(OptionId::from_position(i + 1));
            c
        })
        .collect()
}

fn seed() -> DrawSeed {
    DrawSeed([7; 32])
}

#[test]
fn most_votes_win() {
    let l = list(
        "011-C/CCIT",
        vec![
            person("A", false, date(1970, 1, 1), false),
            person("B", true, date(1980, 1, 1), false),
            person("C", false, date(1990, 1, 1), false),
        ],
    );
    let cands = with_ids(&l);
    let refs: Vec<&Candidate> = cands.iter().collect();
    let a = allocate_seats(&l.contest, 2, &refs, &[10, 30, 20], &seed());
    assert_eq!(a.elected, ids(&["02", "03"]));
    assert_eq!(a.vacant, 0);
    assert!(
        a.ranking
            .iter()
            .all(|r| matches!(r.decision, Decision::MostVotes | Decision::FewerVotes))
    );
    assert!(a.ranking.iter().all(|r| r.draw.is_none()));
}

#[test]
fn equal_votes_elect_the_older_candidate() {
    let l = list(
        "011-C/CCIT",
        vec![
            person("Young", false, date(1985, 6, 1), false),
            person("Old", true, date(1961, 2, 3), false),
            person("Top", false, date(1990, 1, 1), false),
        ],
    );
    let cands = with_ids(&l);
    let refs: Vec<&Candidate> = cands.iter().collect();
    let a = allocate_seats(&l.contest, 2, &refs, &[12, 12, 40], &seed());
    assert_eq!(a.elected, ids(&["03", "02"]));
    assert_eq!(
        a.get(&ids(&["02"])[0]).unwrap().decision,
        Decision::OlderAtEqualVotes {
            against: ids(&["01"])
        }
    );
    assert_eq!(
        a.get(&ids(&["01"])[0]).unwrap().decision,
        Decision::YoungerAtEqualVotes {
            against: ids(&["02"])
        }
    );
    // A tie that does not cross the line decides nothing.
    let b = allocate_seats(&l.contest, 3, &refs, &[12, 12, 40], &seed());
    assert!(b.ranking.iter().all(|r| r.decision == Decision::MostVotes));
}

#[test]
fn equal_votes_and_birth_dates_use_the_documented_draw() {
    use sha2::{Digest, Sha256};
    let born = date(1970, 3, 3);
    let l = list(
        "011-S/CCIT",
        vec![
            person("Twin1", false, born, false),
            person("Twin2", true, born, false),
            person("Twin3", false, born, false),
        ],
    );
    let cands = with_ids(&l);
    let refs: Vec<&Candidate> = cands.iter().collect();
    let s = seed();
    let a = allocate_seats(&l.contest, 1, &refs, &[5, 5, 5], &s);
    // Recompute the draw as specs/election-rules.md describes it.
    let value = |option: &str| {
        let mut h = Sha256::new();
        for part in [b"scrutin/seat-draw/v1".as_slice(), b"011-S/CCIT"] {
            h.update((part.len() as u32).to_be_bytes());
            h.update(part);
        }
        h.update(s.0);
        h.update((option.len() as u32).to_be_bytes());
        h.update(option.as_bytes());
        <[u8; 32]>::from(h.finalize())
    };
    let winner = ["01", "02", "03"]
        .into_iter()
        .min_by_key(|o| value(o))
        .unwrap();
    assert_eq!(a.elected, ids(&[winner]));
    let w = a.get(&ids(&[winner])[0]).unwrap();
    assert!(matches!(&w.decision, Decision::WonDraw { against } if against.len() == 2));
    assert_eq!(w.draw.as_deref(), Some(hex::encode(value(winner)).as_str()));
    assert!(
        a.ranking
            .iter()
            .skip(1)
            .all(|r| matches!(r.decision, Decision::LostDraw { .. }))
    );
    // Reproducible; and another seed can change the outcome.
    assert_eq!(allocate_seats(&l.contest, 1, &refs, &[5, 5, 5], &s), a);
    let outcomes: std::collections::BTreeSet<_> = (0u8..16)
        .map(|k| allocate_seats(&l.contest, 1, &refs, &[5, 5, 5], &DrawSeed([k; 32])).elected)
        .collect();
    assert!(outcomes.len() > 1);
}

#[test]
fn zero_seats_and_fewer_candidates_than_seats() {
    let l = list(
        "971-I/CCIT",
        vec![
            person("A", false, date(1970, 1, 1), false),
            person("B", true, date(1980, 1, 1), false),
        ],
    );
    let cands = with_ids(&l);
    let refs: Vec<&Candidate> = cands.iter().collect();
    let none = allocate_seats(&l.contest, 0, &refs, &[3, 4], &seed());
    assert!(none.elected.is_empty());
    assert_eq!(none.vacant, 0);
    assert!(
        none.ranking
            .iter()
            .all(|r| r.decision == Decision::FewerVotes)
    );
    let few = allocate_seats(&l.contest, 6, &refs, &[3, 0], &seed());
    assert_eq!(few.elected, ids(&["01", "02"]));
    assert_eq!(few.vacant, 4);
    let empty = allocate_seats(&l.contest, 6, &[], &[], &seed());
    assert_eq!(empty.vacant, 6);
}

#[test]
fn all_blank_contest_elects_by_age_without_votes() {
    // No threshold in L713-16: with every ballot blank all candidates tie at 0 and the
    // oldest win (documented in specs/election-rules.md, worked example 4).
    let structure = Structure::new(vec![row("011", "C", None, 0, 2, false)]).unwrap();
    let file = CandidateFile {
        format: "scrutin-candidates/1".into(),
        contests: vec![list(
            "011-C/CCIT",
            vec![
                person("Young", false, date(1990, 1, 1), false),
                person("Old", true, date(1950, 1, 1), false),
                person("Mid", false, date(1970, 1, 1), false),
            ],
        )],
    };
    let (election, _) = Election::new("E", structure, file).unwrap();
    let cid = ContestId::parse("011-C/CCIT").unwrap();
    let contest = election.contest(&cid).unwrap();
    let l = election.candidates(&cid).unwrap();
    let count = ContestCount {
        ballots: 40,
        blank: 40,
        null: 0,
        votes: vec![0, 0, 0],
    };
    let r = compute_results(contest, l, 100, 40, &count).unwrap();
    assert_eq!((r.expressed, r.blank), (0, 40));
    let a = allocate_from_results(l, &r);
    assert_eq!(a.elected, ids(&["02", "03"]));
    let pv = build_pv(&election, &r, &a).unwrap();
    assert_eq!(pv.expressed, 0);
    assert!(pv.candidates[1].decision.contains("au bénéfice de l'âge"));
}

fn category_election() -> Election {
    let structure = Structure::new(vec![row("011", "C", None, 2, 3, false)]).unwrap();
    let ccir = ContestCandidates {
        contest: ContestId::parse("011-C/CCIR").unwrap(),
        entries: vec![
            BallotEntry::Grouping(Grouping {
                name: "Union".into(),
                candidates: vec![
                    person("Rey", false, date(1960, 1, 1), true),
                    person("Roux", true, date(1965, 1, 1), true),
                ],
            }),
            BallotEntry::Candidate(person("Seul", false, date(1975, 1, 1), true)),
        ],
    };
    let ccit = list(
        "011-C/CCIT",
        vec![
            person("Tata", true, date(1970, 1, 1), false),
            person("Toto", false, date(1971, 1, 1), false),
            person("Titi", false, date(1972, 1, 1), false),
            person("Tutu", true, date(1973, 1, 1), false),
        ],
    );
    let file = CandidateFile {
        format: "scrutin-candidates/1".into(),
        contests: vec![ccir, ccit],
    };
    Election::new("CCI-2026", structure, file).unwrap().0
}

#[test]
fn ccir_elected_and_their_substitutes_sit_in_the_ccit() {
    let election = category_election();
    let mut allocations = BTreeMap::new();
    let figures = [
        ("011-C/CCIR", vec![50, 20, 35]),
        ("011-C/CCIT", vec![40, 10, 30, 25]),
    ];
    for (cid, votes) in figures {
        let cid = ContestId::parse(cid).unwrap();
        let contest = election.contest(&cid).unwrap();
        let l = election.candidates(&cid).unwrap();
        let count = ContestCount {
            ballots: 80,
            blank: 5,
            null: 0,
            votes,
        };
        let r = compute_results(contest, l, 200, 80, &count).unwrap();
        allocations.insert(cid, allocate_from_results(l, &r));
    }
    let comp = category_composition(
        &election,
        &ChamberCode::parse("011").unwrap(),
        &CategoryCode::parse("C").unwrap(),
        &allocations,
    );
    let ccir: Vec<_> = comp.ccir_members.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(ccir, ["Paul REY", "Paul SEUL"]);
    let ccit: Vec<_> = comp
        .ccit_members
        .iter()
        .map(|m| (m.origin, m.name.as_str()))
        .collect();
    assert_eq!(
        ccit,
        [
            (MemberOrigin::CcirElected, "Paul REY"),
            (MemberOrigin::CcirSubstitute, "Sam REY-S"),
            (MemberOrigin::CcirElected, "Paul SEUL"),
            (MemberOrigin::CcirSubstitute, "Sam SEUL-S"),
            (MemberOrigin::CcitElected, "Claire TATA"),
            (MemberOrigin::CcitElected, "Paul TITI"),
            (MemberOrigin::CcitElected, "Claire TUTU"),
        ]
    );
    assert_eq!(comp.ccit_members.len(), 2 * 2 + 3);
    assert_eq!((comp.vacant_ccir, comp.vacant_ccit), (0, 0));
}

#[test]
fn pooled_ccir_election_counts_every_sub_category() {
    let structure = Structure::new(vec![
        row("381", "C", Some("C1"), 1, 2, true),
        row("381", "C", Some("C2"), 1, 1, true),
    ])
    .unwrap();
    let file = CandidateFile {
        format: "scrutin-candidates/1".into(),
        contests: vec![
            list(
                "381-C/CCIR",
                vec![
                    person("Petite", true, date(1970, 1, 1), true),
                    person("Grande", false, date(1960, 1, 1), true),
                ],
            ),
            list(
                "381-C-C1/CCIT",
                vec![
                    person("Un", false, date(1970, 1, 1), false),
                    person("Deux", true, date(1971, 1, 1), false),
                ],
            ),
            list(
                "381-C-C2/CCIT",
                vec![person("Trois", false, date(1972, 1, 1), false)],
            ),
        ],
    };
    let (election, _) = Election::new("E", structure, file).unwrap();
    // Registered = the rights of both sub-categories, from the control lists.
    let structure = &election.structure;
    let mut voters = String::new();
    for (i, sub) in ["C1", "C1", "C1", "C2", "C2"].iter().enumerate() {
        voters.push_str(&format!(
            "381;;C;{sub};{:010};;M.;NOM;Paul;01011901;;;;123456789;00001;;;;;DEST;;;;;38000;GRENOBLE;;DEST;;;;;38000;GRENOBLE;;;\n",
            i + 1
        ));
    }
    let import =
        scrutin_election::validate_voters(structure, voters.as_bytes(), &Default::default())
            .unwrap();
    assert!(import.report.is_loadable(), "{}", import.report.to_text());
    let pooled = ContestId::parse("381-C/CCIR").unwrap();
    let contest = election.contest(&pooled).unwrap();
    assert_eq!(registered_in(contest, &import.control), 5);
    let c1 = election
        .contest(&ContestId::parse("381-C-C1/CCIT").unwrap())
        .unwrap();
    assert_eq!(registered_in(c1, &import.control), 3);

    let l = election.candidates(&pooled).unwrap();
    let r = compute_results(
        contest,
        l,
        5,
        4,
        &ContestCount {
            ballots: 4,
            blank: 0,
            null: 0,
            votes: vec![2, 2],
        },
    )
    .unwrap();
    let a = allocate_from_results(l, &r);
    // Tie: the older candidate (Grande, 1960) wins the single pooled seat.
    assert_eq!(a.elected, ids(&["02"]));
    let pv = build_pv(&election, &r, &a).unwrap();
    assert_eq!(pv.sub_categories.len(), 2);
    assert_eq!(
        pv.also_ccit_members,
        ["Paul GRANDE", "Sam GRANDE-S (suppléant)"]
    );
    assert!(pv.to_text().contains("sous-catégorie C2"));
}

#[test]
fn impossible_tallies_are_rejected_and_ballot_count_checked() {
    let election = category_election();
    let cid = ContestId::parse("011-C/CCIT").unwrap();
    let contest = election.contest(&cid).unwrap();
    let l = election.candidates(&cid).unwrap();
    let ok = ContestCount {
        ballots: 10,
        blank: 2,
        null: 0,
        votes: vec![8, 0, 0, 0],
    };
    let r = compute_results(contest, l, 100, 11, &ok).unwrap();
    assert_eq!(r.expressed, 8);
    assert!(
        !r.ballots_match_emargements,
        "10 ballots for 11 émargements"
    );
    assert!((r.turnout_percent - 11.0).abs() < 1e-9);
    let bad = |count: ContestCount, reg: u64, em: u64| {
        compute_results(contest, l, reg, em, &count).unwrap_err()
    };
    assert!(matches!(
        bad(
            ContestCount {
                votes: vec![1, 2],
                ..ok.clone()
            },
            100,
            10
        ),
        ResultsError::OptionCount { .. }
    ));
    assert!(matches!(
        bad(
            ContestCount {
                blank: 11,
                ..ok.clone()
            },
            100,
            10
        ),
        ResultsError::BlankAndNullExceedBallots { .. }
    ));
    assert!(matches!(
        bad(
            ContestCount {
                votes: vec![9, 0, 0, 0],
                ..ok.clone()
            },
            100,
            10
        ),
        ResultsError::VotesExceedExpressed { .. }
    ));
    assert!(matches!(
        bad(
            ContestCount {
                votes: vec![3, 3, 0, 0],
                ..ok.clone()
            },
            100,
            10
        ),
        ResultsError::VotesInconsistent { .. }
    ));
    assert!(matches!(
        bad(
            ContestCount {
                votes: vec![8, 8, 8, 3],
                ..ok.clone()
            },
            100,
            10
        ),
        ResultsError::VotesInconsistent { .. }
    ));
    assert!(matches!(
        bad(ok.clone(), 5, 10),
        ResultsError::VotersExceedRegistered { .. }
    ));
    let pv = build_pv(&election, &r, &allocate_from_results(l, &r)).unwrap();
    assert_eq!(pv.ballots_minus_emargements, -1);
    assert!(pv.to_text().contains("ÉCART de -1"));
}

#[test]
fn pv_holds_every_figure_and_grouping_seats() {
    let election = category_election();
    let cid = ContestId::parse("011-C/CCIR").unwrap();
    let contest = election.contest(&cid).unwrap();
    let l = election.candidates(&cid).unwrap();
    let count = ContestCount {
        ballots: 60,
        blank: 6,
        null: 0,
        votes: vec![30, 30, 41],
    };
    let r = compute_results(contest, l, 300, 60, &count).unwrap();
    let a = allocate_from_results(l, &r);
    assert_eq!(a.elected, ids(&["03", "01"]));
    let pv = build_pv(&election, &r, &a).unwrap();
    assert_eq!(
        (
            pv.registered,
            pv.voters,
            pv.ballots,
            pv.blank,
            pv.null,
            pv.expressed
        ),
        (300, 60, 60, 6, 0, 54)
    );
    assert!(pv.ballots_match_emargements);
    assert_eq!(pv.seats, 2);
    assert_eq!(pv.vacant_seats, 0);
    assert_eq!(pv.groupings.len(), 1);
    assert_eq!((pv.groupings[0].votes, pv.groupings[0].seats), (60, 1));
    assert_eq!(pv.candidates[0].grouping.as_deref(), Some("Union"));
    assert!(pv.candidates[0].decision.contains("au bénéfice de l'âge"));
    assert!(pv.candidates[1].decision.starts_with("non élu"));
    assert_eq!(pv.candidates[0].substitute.as_deref(), Some("Sam REY-S"));
    assert_eq!(pv.also_ccit_members.len(), 4);
    let json = serde_json::to_value(&pv).unwrap();
    assert_eq!(json["expressed"], 54);
    assert_eq!(pv.draw_seed, hex::encode(DrawSeed::from_results(&r).0));
}
