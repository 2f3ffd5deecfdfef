//! The computing side of the tally (protocol §9): the contest's parameters from the
//! scrutins' ballot styles, the aggregates streamed from the box, the combination of `t`
//! verified decryption shares, the counts and the results document. No HTTP here.

use rayon::prelude::*;
use scrutin_crypto::ballot::{BallotStyle, ContestParams, EncodedCiphertext};
use scrutin_crypto::elgamal::Ciphertext;
use scrutin_crypto::encoding::serde_hex;
use scrutin_crypto::tally::{Aggregator, DecryptionShare, DlogTable, decrypt};
use scrutin_election::results::compute_results;
use scrutin_election::seats::allocate_from_results;
use scrutin_election::{Contest, ContestCandidates, ContestCount};
use serde::Deserialize;

use crate::error::{AdminError, AdminResult};
use crate::state::AdminState;

/// Ballots read from the store per page while aggregating.
pub const PAGE: i64 = 2000;

/// The results document and its format tag: one definition, shared with the election
/// record and its verifier (`specs/record-format.md`).
pub use scrutin_election::record::{PublishedResults as TallyResults, RESULTS_FORMAT};

/// The parts of a stored ballot the aggregation needs; proofs are skipped unread (the vote
/// server verified them at cast, the verifier does again).
#[derive(Deserialize)]
struct LightBallot {
    scrutin: String,
    contests: Vec<LightContest>,
}

#[derive(Deserialize)]
struct LightContest {
    #[serde(with = "serde_hex::bytes32")]
    contest: [u8; 32],
    blank: EncodedCiphertext,
    options: Vec<EncodedCiphertext>,
}

/// The contest's parameters as every one of its scrutins' ballot styles holds them; they
/// must agree (a pooled CCIR contest spans several scrutins).
pub async fn contest_params(state: &AdminState, contest: &Contest) -> AdminResult<ContestParams> {
    let mut found: Option<ContestParams> = None;
    for scrutin in &contest.scrutins {
        let s = state
            .stores
            .registry
            .scrutin(scrutin.as_str())
            .await?
            .ok_or_else(|| AdminError::NotFound(format!("scrutin {scrutin}")))?;
        let style: BallotStyle = serde_json::from_str(&s.ballot_style).map_err(|e| {
            AdminError::Conflict(format!(
                "Le scrutin {scrutin} n'a pas de bulletin chiffrable ({e}) : le matériel de vote n'a pas été produit."
            ))
        })?;
        let params = style
            .contests()
            .iter()
            .find(|c| c.contest_id() == contest.id.as_str())
            .cloned()
            .ok_or_else(|| {
                AdminError::Conflict(format!(
                    "Le bulletin du scrutin {scrutin} ne contient pas l'élection {}.",
                    contest.id
                ))
            })?;
        match &found {
            Some(p) if p.fingerprint() != params.fingerprint() => {
                return Err(AdminError::Conflict(format!(
                    "Les scrutins de l'élection {} n'ont pas les mêmes paramètres de bulletin.",
                    contest.id
                )));
            }
            Some(_) => {}
            None => found = Some(params),
        }
    }
    found.ok_or_else(|| {
        AdminError::Conflict(format!("L'élection {} n'a aucun scrutin.", contest.id))
    })
}

/// One page of ballots added into an aggregator of `width` positions (blank first, then the
/// options), on every core.
fn aggregate_page(
    rows: &[(Vec<u8>, String)],
    scrutin: &str,
    fingerprint: &[u8; 32],
    width: usize,
) -> AdminResult<Aggregator> {
    rows.par_iter()
        .try_fold(
            || Aggregator::new(width),
            |mut agg, (code, text)| {
                let bad = |why: String| {
                    AdminError::internal(format!(
                        "ballot {} of {scrutin}: {why}",
                        hex::encode(code)
                    ))
                };
                let ballot: LightBallot =
                    serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
                if ballot.scrutin != scrutin {
                    return Err(bad(format!("belongs to scrutin {}", ballot.scrutin)));
                }
                let part = ballot
                    .contests
                    .iter()
                    .find(|c| &c.contest == fingerprint)
                    .ok_or_else(|| bad("has no part for this contest".into()))?;
                let mut row = Vec::with_capacity(width);
                row.push(part.blank.decode().map_err(|e| bad(e.to_string()))?);
                for o in &part.options {
                    row.push(o.decode().map_err(|e| bad(e.to_string()))?);
                }
                agg.add(&row).map_err(|e| bad(e.to_string()))?;
                Ok(agg)
            },
        )
        .try_reduce(
            || Aggregator::new(width),
            |mut a, b| {
                a.merge(&b).map_err(AdminError::internal)?;
                Ok(a)
            },
        )
}

/// Aggregates the contest's ballots from the boxes of its scrutins, page by page. Returns
/// the aggregates (blank flag first, then the options in ballot order) and the number of
/// ballots.
pub async fn aggregate_contest(
    state: &AdminState,
    contest: &Contest,
    params: &ContestParams,
) -> AdminResult<(Vec<Ciphertext>, u64)> {
    let width = params.option_count() + 1;
    let fingerprint = *params.fingerprint();
    let mut total = Aggregator::new(width);
    for scrutin in &contest.scrutins {
        let mut after: Option<Vec<u8>> = None;
        loop {
            let page = state
                .stores
                .ballots
                .ballot_page(scrutin.as_str(), after.as_deref(), PAGE)
                .await?;
            let Some((last, _)) = page.last() else { break };
            after = Some(last.clone());
            let full = page.len() as i64 == PAGE;
            let scrutin_id = scrutin.as_str().to_owned();
            let part = tokio::task::spawn_blocking(move || {
                aggregate_page(&page, &scrutin_id, &fingerprint, width)
            })
            .await
            .map_err(AdminError::internal)??;
            total.merge(&part).map_err(AdminError::internal)?;
            if !full {
                break;
            }
        }
    }
    let count = total.count();
    Ok((total.finish(), count))
}

/// The aggregates in their stored JSON form.
pub fn encode_aggregates(aggregates: &[Ciphertext]) -> Vec<EncodedCiphertext> {
    aggregates
        .iter()
        .map(|c| EncodedCiphertext {
            alpha: c.alpha.compress().to_bytes(),
            beta: c.beta.compress().to_bytes(),
        })
        .collect()
}

/// Decodes stored aggregates.
pub fn decode_aggregates(text: &str) -> AdminResult<Vec<Ciphertext>> {
    let encoded: Vec<EncodedCiphertext> =
        serde_json::from_str(text).map_err(AdminError::internal)?;
    encoded
        .iter()
        .map(|e| e.decode().map_err(AdminError::internal))
        .collect()
}

/// Combines verified shares (at least `threshold`) and finds the counts: position 0 is the
/// number of blank ballots, position `j` the votes of option `j`.
pub async fn decrypt_counts(
    threshold: u32,
    aggregates: Vec<Ciphertext>,
    shares: Vec<DecryptionShare>,
    ballots: u64,
) -> AdminResult<Vec<u64>> {
    tokio::task::spawn_blocking(move || {
        let table = DlogTable::new(ballots).map_err(AdminError::internal)?;
        decrypt(threshold, &aggregates, &shares, &table).map_err(|e| {
            AdminError::Conflict(format!(
                "Le déchiffrement combiné n'aboutit pas ({e}) : les parts ou l'urne ne concordent pas."
            ))
        })
    })
    .await
    .map_err(AdminError::internal)?
}

/// Results and seats of a contest from its decrypted counts.
pub fn results_of(
    contest: &Contest,
    candidates: &ContestCandidates,
    registered: u64,
    emargements: u64,
    ballots: u64,
    counts: &[u64],
    trustees: Vec<u32>,
) -> AdminResult<TallyResults> {
    let (blank, votes) = counts
        .split_first()
        .ok_or_else(|| AdminError::internal("no counts"))?;
    let count = ContestCount {
        ballots,
        blank: *blank,
        null: 0,
        votes: votes.to_vec(),
    };
    let results = compute_results(contest, candidates, registered, emargements, &count)
        .map_err(|e| AdminError::Conflict(format!("Résultats impossibles : {e}.")))?;
    let seats = allocate_from_results(candidates, &results);
    Ok(TallyResults {
        format: RESULTS_FORMAT.into(),
        contest: contest.id.to_string(),
        trustees,
        counts: count,
        results,
        seats,
    })
}
