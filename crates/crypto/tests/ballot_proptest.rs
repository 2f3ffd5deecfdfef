//! Property tests over random contest sizes and choices: a valid choice always gives a
//! ballot that verifies and encrypts exactly that choice; an invalid choice never gives a
//! ballot.
#![allow(clippy::unwrap_used)]

mod ballot_support;

use std::collections::BTreeSet;

use ballot_support::*;
use proptest::prelude::*;
use scrutin_crypto::CryptoError;
use scrutin_crypto::ballot::*;

/// (options k, seats N, blank flag, selected indices): indices may be out of range or
/// repeated, N may exceed k.
fn contest_case() -> impl Strategy<Value = (usize, u32, bool, Vec<u32>)> {
    (1usize..=30)
        .prop_flat_map(|k| (Just(k), 1u32..=(k as u32 + 2)))
        .prop_flat_map(|(k, n)| {
            let idx = 0u32..(k as u32 + 1);
            (
                Just(k),
                Just(n),
                prop::bool::weighted(0.2),
                prop_oneof![
                    // Mostly distinct in-range selections of a valid size…
                    3 => proptest::sample::subsequence(
                        (0..k as u32).collect::<Vec<_>>(),
                        1..=(n as usize).min(k)
                    )
                    .prop_shuffle(),
                    // …sometimes none (valid with blank only)…
                    1 => Just(Vec::new()),
                    // …sometimes anything.
                    1 => proptest::collection::vec(idx, 0..=(k + 1)),
                ],
            )
        })
}

fn is_valid(k: usize, n: u32, blank: bool, sel: &[u32]) -> bool {
    let distinct: BTreeSet<u32> = sel.iter().copied().collect();
    let in_range = sel.iter().all(|&i| (i as usize) < k);
    if blank {
        sel.is_empty()
    } else {
        !sel.is_empty()
            && distinct.len() == sel.len()
            && in_range
            && sel.len() <= (n as usize).min(k)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn valid_choices_verify_and_invalid_ones_never_give_a_ballot(
        cases in proptest::collection::vec(contest_case(), 1..=2),
        seed in any::<u64>(),
    ) {
        let (x, y) = election_key(seed % 5);
        let contests: Vec<ContestParams> = cases
            .iter()
            .enumerate()
            .map(|(i, (k, n, _, _))| contest(y, &format!("c{i}"), *k, *n))
            .collect();
        let style = BallotStyle::new(ELECTION, SCRUTIN, contests).unwrap();
        let choices: Vec<ContestChoice> = cases
            .iter()
            .map(|(_, _, blank, sel)| ContestChoice { blank: *blank, selected: sel.clone() })
            .collect();
        let all_valid = cases.iter().all(|(k, n, b, s)| is_valid(*k, *n, *b, s));
        let result = encrypt_ballot(&style, &choices, &voting_key(seed), &mut rng(seed));
        if !all_valid {
            prop_assert!(matches!(result, Err(CryptoError::InvalidInput(_))), "{:?}", result);
            return Ok(());
        }
        let ballot = result.unwrap();
        verify_ballot(&ballot, &style).unwrap();
        for ((k, n, blank, sel), ec) in cases.iter().zip(&ballot.contests) {
            prop_assert_eq!(ec.sum_proof.len(), (*n as usize).min(*k) + 1);
            let (b, opts) = ec.ciphertexts().unwrap();
            prop_assert_eq!(decrypt(&x, &b, 1), Some(u64::from(*blank)));
            let marks: Vec<u64> = opts.iter().map(|c| decrypt(&x, c, 1).unwrap()).collect();
            let expected: Vec<u64> =
                (0..*k as u32).map(|j| u64::from(sel.contains(&j))).collect();
            prop_assert_eq!(marks, expected);
        }
    }
}
