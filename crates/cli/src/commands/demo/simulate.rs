//! `scrutin demo --simulate N`: N voters vote over HTTP through the voting server, the COE
//! president closes the vote, two of the three key holders decrypt each contest through
//! the control interface's tally (their real decryption shares with proofs, checked by
//! the server), the president closes the tallying, and the results are printed.

use std::collections::HashMap;
use std::fmt::Write as _;

use anyhow::{Context, bail};
use axum::Json;
use axum::extract::{Path as UrlPath, State};
use rand::rngs::OsRng;
use rand::seq::SliceRandom;
use scrutin_admin::tally_compute::TallyResults;
use scrutin_admin::{AdminState, operations, tally};
use scrutin_crypto::ballot::{BallotStyle, EncodedCiphertext};
use scrutin_crypto::dkg::TrusteeShare;
use scrutin_crypto::elgamal::Ciphertext;
use scrutin_crypto::keyfile::KeyShareFile;
use scrutin_crypto::tally::create_decryption_share;
use scrutin_election::ContestId;
use scrutin_store::letters::Letter;
use serde_json::Value;

use super::saved::Saved;
use super::setup::{self, act, caller, step, user};
use super::voter::{self, Cast, VoterMaterial};

/// The key holders who decrypt: the president (1) and the second assessor (3); any two do.
pub const DECRYPTING: [u32; 2] = [1, 3];

/// One decrypted contest, ready to print.
pub struct ContestOutcome {
    /// The stored results.
    pub results: TallyResults,
    /// Each candidate's printed name and grouping, by option id.
    pub names: HashMap<String, (String, Option<String>)>,
}

/// Casts `n` ballots over HTTP at `base`, by voters drawn at random among those who have
/// not voted yet. Returns the tracking codes.
pub async fn cast_ballots(
    state: &AdminState,
    base: &str,
    letters: &[Letter],
    births: &HashMap<String, String>,
    n: usize,
) -> anyhow::Result<Vec<String>> {
    let mut order: Vec<&Letter> = letters.iter().collect();
    order.shuffle(&mut rand::thread_rng());
    let mut styles: HashMap<String, BallotStyle> = HashMap::new();
    for s in state.stores.registry.scrutins().await? {
        styles.insert(s.id.clone(), serde_json::from_str(&s.ballot_style)?);
    }
    let client = reqwest::Client::new();
    let mut codes = Vec::new();
    for letter in order {
        if codes.len() == n {
            break;
        }
        if state
            .stores
            .electors
            .emargement(&letter.right_id)
            .await?
            .is_some()
        {
            continue;
        }
        let style = styles
            .get(&letter.scrutin)
            .with_context(|| format!("no ballot style for {}", letter.scrutin))?;
        let material = VoterMaterial {
            identifier: &letter.identifier,
            code: &letter.code,
            birth_date: births
                .get(&letter.right_id)
                .map_or("01011901", |b| b.as_str()),
        };
        match voter::vote(&client, base, &material, style).await? {
            Cast::Accepted(code) => codes.push(code),
            Cast::AlreadyVoted => continue,
        }
    }
    if codes.len() < n {
        bail!(
            "only {} of the {n} ballots could be cast: the demo chamber has too few voters who \
             have not voted yet (start over with --fresh, or add rights with --extra-voters)",
            codes.len()
        );
    }
    Ok(codes)
}

/// Opens the key-share files of the decrypting holders with the demo's password, as
/// `scrutin trustee decrypt` does on each holder's computer.
fn open_shares(dir: &std::path::Path, saved: &Saved) -> anyhow::Result<Vec<TrusteeShare>> {
    DECRYPTING
        .iter()
        .map(|i| {
            let name = saved
                .share_files
                .get((*i - 1) as usize)
                .with_context(|| format!("no key-share file for holder {i}"))?;
            let path = dir.join(name);
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            let file = KeyShareFile::from_json(&text)?;
            file.open(&saved.share_password)
                .with_context(|| format!("opening {}", path.display()))
        })
        .collect()
}

fn aggregates_of(view: &Value) -> anyhow::Result<(Vec<u8>, Vec<Ciphertext>)> {
    let fingerprint = hex::decode(view["fingerprint"].as_str().unwrap_or_default())
        .context("the contest's fingerprint")?;
    let encoded: Vec<EncodedCiphertext> =
        serde_json::from_value(view["aggregates"].clone()).context("the aggregates")?;
    let aggregates = encoded
        .iter()
        .map(EncodedCiphertext::decode)
        .collect::<Result<_, _>>()
        .context("the aggregates")?;
    Ok((fingerprint, aggregates))
}

/// Closes the vote, decrypts every contest of the demo chamber with two key holders and
/// closes the tallying; returns the results per contest.
pub async fn close_and_tally(
    state: &AdminState,
    dir: &std::path::Path,
    saved: &Saved,
) -> anyhow::Result<Vec<ContestOutcome>> {
    let president = caller(user(state, &saved.account("coe_president")?.email).await?);
    setup::change(state, &president, operations::Action::Close).await?;

    let holders = saved.trustees();
    let mut decrypting = Vec::new();
    for i in DECRYPTING {
        let account = holders
            .iter()
            .find(|a| a.trustee == Some(i))
            .with_context(|| format!("no key holder {i}"))?;
        decrypting.push(caller(user(state, &account.email).await?));
    }
    // Any COE member starts the tally: here the holder who does not decrypt.
    let starter = holders
        .iter()
        .find(|a| a.trustee.is_some_and(|i| !DECRYPTING.contains(&i)))
        .context("a key holder who does not decrypt")?;
    let starter = caller(user(state, &starter.email).await?);
    let shares = open_shares(dir, saved)?;

    let structure = step(
        "reading the structure",
        scrutin_admin::uploads::require_structure(state).await,
    )?;
    let mut out = Vec::new();
    for contest in structure
        .contests()
        .iter()
        .filter(|c| c.chamber.as_str() == saved.chamber)
    {
        let id = contest.id.as_str();
        let (scope, kind) = id
            .split_once('/')
            .with_context(|| format!("contest id {id}"))?;
        let path = || UrlPath((scope.to_owned(), kind.to_owned()));
        let mut view = step(
            &format!("starting the tally of {id}"),
            tally::start(State(state.clone()), starter.clone(), path()).await,
        )?
        .0;
        for (holder, share) in decrypting.iter().zip(&shares) {
            if view["status"] == "decrypted" {
                break;
            }
            let (fingerprint, aggregates) = aggregates_of(&view)?;
            let decryption = create_decryption_share(&fingerprint, share, &aggregates, &mut OsRng)?;
            view = step(
                &format!("decryption share of holder {} for {id}", share.trustee()),
                tally::submit_share(
                    State(state.clone()),
                    holder.clone(),
                    path(),
                    Json(decryption),
                )
                .await,
            )?
            .0;
        }
        let results: TallyResults = serde_json::from_value(view["results"].clone())
            .with_context(|| format!("the results of {id}"))?;
        let candidates = step(
            &format!("the candidates of {id}"),
            tally::contest_candidates(state, &ContestId::parse(id)?).await,
        )?;
        let names = candidates
            .options()
            .iter()
            .map(|c| {
                (
                    c.option_id().to_string(),
                    (
                        c.full_name(),
                        candidates.grouping_of(&c.option_id()).map(str::to_owned),
                    ),
                )
            })
            .collect();
        out.push(ContestOutcome { results, names });
    }
    for s in state.stores.registry.scrutins().await? {
        if s.chamber_code == saved.chamber {
            act(
                &format!("closing the tallying of {}", s.id),
                tally::close(
                    State(state.clone()),
                    president.clone(),
                    UrlPath(s.id.clone()),
                )
                .await,
            )?;
        }
    }
    Ok(out)
}

/// The results table: per contest its figures, then every candidate with votes and seat.
pub fn results_table(outcomes: &[ContestOutcome], cast: usize) -> String {
    let mut t = String::new();
    let holders = DECRYPTING
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(" and ");
    let _ = writeln!(
        t,
        "Results ({cast} ballots cast; decrypted by key holders {holders} of {}):",
        setup::TRUSTEES
    );
    for o in outcomes {
        let r = &o.results.results;
        let s = &o.results.seats;
        let _ = writeln!(t);
        let _ = writeln!(
            t,
            "contest {}: seats {}, registered {}, voters {}, ballots {}, blank {}, null {}, expressed {}, ballots = émargements: {}",
            r.contest,
            r.seats,
            r.registered,
            r.voters,
            r.ballots,
            r.blank,
            r.null,
            r.expressed,
            if r.ballots_match_emargements {
                "yes"
            } else {
                "NO"
            }
        );
        let _ = writeln!(t, "  {:>6}  {:<7}  candidate", "votes", "seat");
        for v in &r.votes {
            let (name, grouping) = o
                .names
                .get(&v.option.to_string())
                .cloned()
                .unwrap_or_else(|| (v.option.to_string(), None));
            let elected = if s.elected.contains(&v.option) {
                "elected"
            } else {
                "-"
            };
            let grouping = grouping.map(|g| format!(" ({g})")).unwrap_or_default();
            let _ = writeln!(t, "  {:>6}  {:<7}  {name}{grouping}", v.votes, elected);
        }
        if s.vacant > 0 {
            let _ = writeln!(t, "  vacant seats: {}", s.vacant);
        }
    }
    t
}
