//! Batch verification: accepts exactly what the individual check accepts, across chunks,
//! styles and election keys, and names every bad ballot by index with the individual
//! check's reason.
#![allow(clippy::unwrap_used)]

mod ballot_support;

use ballot_support::*;
use ed25519_dalek::Signer;
use proptest::prelude::*;
use scrutin_crypto::ballot::*;
use scrutin_crypto::batch::{CHUNK, verify_ballots};

/// `n` valid ballots over three styles (two election keys), with their styles.
fn many(n: usize) -> (Vec<Ballot>, Vec<BallotStyle>, Vec<usize>) {
    let (_, y1) = election_key(40);
    let (_, y2) = election_key(41);
    let styles = vec![
        typical_style(y1),
        BallotStyle::new(ELECTION, "scrutin-13", vec![contest(y2, "ccit", 5, 2)]).unwrap(),
        BallotStyle::new(
            ELECTION,
            "scrutin-31",
            vec![contest(y1, "ccir", 3, 1), contest(y2, "ccit", 4, 4)],
        )
        .unwrap(),
    ];
    let encryptors: Vec<BallotEncryptor> = styles.iter().map(BallotEncryptor::new).collect();
    let mut r = rng(42);
    let mut ballots = Vec::new();
    let mut which = Vec::new();
    for i in 0..n {
        let s = i % 3;
        let choices: Vec<ContestChoice> = styles[s]
            .contests()
            .iter()
            .enumerate()
            .map(|(c, p)| {
                if (i + c) % 4 == 0 {
                    ContestChoice::blank()
                } else {
                    let count = 1 + (i + c) % p.max_selections();
                    ContestChoice::select(
                        (0..count as u32)
                            .map(|j| (j * 7 + i as u32) % p.option_count() as u32)
                            .collect::<std::collections::BTreeSet<_>>(),
                    )
                }
            })
            .collect();
        ballots.push(
            encryptors[s]
                .encrypt(&choices, &voting_key(i as u64), &mut r)
                .unwrap(),
        );
        which.push(s);
    }
    (ballots, styles, which)
}

#[test]
fn good_ballots_over_several_chunks_styles_and_keys_pass() {
    let (ballots, styles, which) = many(2 * CHUNK + 5);
    let items: Vec<(&Ballot, &BallotStyle)> = ballots
        .iter()
        .zip(&which)
        .map(|(b, &s)| (b, &styles[s]))
        .collect();
    verify_ballots(&items, &mut rng(1)).unwrap();
    verify_ballots(&[], &mut rng(1)).unwrap();
}

#[test]
fn every_bad_ballot_is_named_in_order() {
    let (mut ballots, styles, which) = many(2 * CHUNK + 5);
    let bad_at = [0usize, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK + 4];
    // Alter each bad ballot differently: proof, signature, structure, other style.
    let key0 = voting_key(0);
    ballots[0].contests[0].options.swap(0, 1);
    ballots[0].signature = key0.sign(&ballots[0].signed_bytes()).to_bytes();
    ballots[CHUNK - 1].signature[0] ^= 1;
    ballots[CHUNK].contests[0].sum_proof.pop();
    let mut items: Vec<(&Ballot, &BallotStyle)> = ballots
        .iter()
        .zip(&which)
        .map(|(b, &s)| (b, &styles[s]))
        .collect();
    items[CHUNK + 1].1 = &styles[(which[CHUNK + 1] + 1) % 3];
    let last = 2 * CHUNK + 4;
    let mut altered = ballots[last].clone();
    let r = &mut altered.contests[0].option_proofs[0].one.response;
    r[0] ^= 1;
    altered.signature = voting_key(last as u64)
        .sign(&altered.signed_bytes())
        .to_bytes();
    items[last].0 = &altered;

    let failure = verify_ballots(&items, &mut rng(2)).unwrap_err();
    assert_eq!(failure.total, items.len());
    let named: Vec<usize> = failure.failures.iter().map(|f| f.index).collect();
    assert_eq!(named, bad_at);
    for f in &failure.failures {
        let (b, s) = items[f.index];
        assert_eq!(verify_ballot(b, s).unwrap_err(), f.error);
    }
    assert!(failure.to_string().starts_with("5 of 133 ballots failed"));
}

#[test]
fn outcome_does_not_depend_on_the_weights() {
    let (mut ballots, styles, which) = many(CHUNK + 3);
    ballots[7].contests[0].blank = ballots[8].contests[0].blank;
    let items: Vec<(&Ballot, &BallotStyle)> = ballots
        .iter()
        .zip(&which)
        .map(|(b, &s)| (b, &styles[s]))
        .collect();
    let a = verify_ballots(&items, &mut rng(3)).unwrap_err();
    let b = verify_ballots(&items, &mut rng(4)).unwrap_err();
    assert_eq!(a, b);
    assert_eq!(a.failures.len(), 1);
    assert_eq!(a.failures[0].index, 7);
}

/// One random alteration of a ballot's bytes, as an attacker could send it.
#[derive(Debug, Clone)]
enum Alteration {
    /// XOR a byte of the canonical fields (ciphertexts, commitments, scalars, key).
    Flip { field: usize, byte: usize, mask: u8 },
    /// Swap two option ciphertexts of a contest.
    SwapOptions { contest: usize, a: usize, b: usize },
}

fn alteration() -> impl Strategy<Value = (Alteration, bool)> {
    let flip = (0usize..10_000, 0usize..32, 1u8..=255)
        .prop_map(|(field, byte, mask)| Alteration::Flip { field, byte, mask });
    let swap = (0usize..2, 0usize..15, 0usize..15)
        .prop_map(|(contest, a, b)| Alteration::SwapOptions { contest, a, b });
    (prop_oneof![3 => flip, 1 => swap], any::<bool>())
}

fn fields(b: &mut Ballot) -> Vec<&mut [u8; 32]> {
    let mut out: Vec<&mut [u8; 32]> = vec![&mut b.voting_key];
    for c in &mut b.contests {
        out.push(&mut c.blank.alpha);
        out.push(&mut c.blank.beta);
        for o in &mut c.options {
            out.push(&mut o.alpha);
            out.push(&mut o.beta);
        }
        for p in &mut c.option_proofs {
            for br in [&mut p.zero, &mut p.one] {
                out.extend([&mut br.a, &mut br.b, &mut br.challenge, &mut br.response]);
            }
        }
        for br in &mut c.sum_proof {
            out.extend([
                &mut br.a_blank,
                &mut br.b_blank,
                &mut br.a_sum,
                &mut br.b_sum,
                &mut br.challenge,
                &mut br.response_blank,
                &mut br.response_sum,
            ]);
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// The individual and the batch check give the same verdict on altered ballots.
    #[test]
    fn individual_and_batch_agree_on_altered_ballots(alts in proptest::collection::vec(alteration(), 1..4)) {
        let (_, y) = election_key(50);
        let style = typical_style(y);
        let key = voting_key(50);
        let good = encrypt_ballot(
            &style,
            &[ContestChoice::select([0, 3]), ContestChoice::select([2, 5, 9])],
            &key,
            &mut rng(51),
        )
        .unwrap();
        let mut altered = Vec::new();
        for (alt, resign) in &alts {
            let mut b = good.clone();
            match alt {
                Alteration::Flip { field, byte, mask } => {
                    let mut fs = fields(&mut b);
                    let n = fs.len();
                    fs[field % n][*byte] ^= mask;
                }
                Alteration::SwapOptions { contest, a, b: other } => {
                    let opts = &mut b.contests[*contest].options;
                    let n = opts.len();
                    opts.swap(a % n, other % n);
                }
            }
            if *resign {
                b.signature = key.sign(&b.signed_bytes()).to_bytes();
            }
            altered.push(b);
        }
        let mut items: Vec<(&Ballot, &BallotStyle)> = vec![(&good, &style)];
        items.extend(altered.iter().map(|b| (b, &style)));
        let individual: Vec<bool> = items.iter().map(|(b, s)| verify_ballot(b, s).is_ok()).collect();
        let batch = verify_ballots(&items, &mut rng(52));
        let batch_bad: Vec<usize> = match &batch {
            Ok(()) => vec![],
            Err(f) => f.failures.iter().map(|f| f.index).collect(),
        };
        let individual_bad: Vec<usize> =
            individual.iter().enumerate().filter(|(_, ok)| !**ok).map(|(i, _)| i).collect();
        prop_assert_eq!(batch_bad, individual_bad);
        prop_assert!(individual[0]);
    }
}
