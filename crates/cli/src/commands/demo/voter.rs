//! A voter of the simulation, over HTTP against the voting server like the voter pages:
//! login in two steps with the letter's identifier and code and the birth date, then a
//! ballot encrypted for random valid choices and its receipt.

use anyhow::{Context, anyhow};
use ed25519_dalek::Signer;
use rand::Rng;
use rand::rngs::OsRng;
use scrutin_crypto::ballot::{BallotStyle, ContestChoice, encrypt_ballot};
use scrutin_crypto::credentials::{Identifier, SecretCode, login_message};
use serde_json::{Value, json};

/// A voter's credentials as the letter and the voter file give them.
pub struct VoterMaterial<'a> {
    /// Identifier as printed.
    pub identifier: &'a str,
    /// Secret code as printed.
    pub code: &'a str,
    /// JJMMAAAA.
    pub birth_date: &'a str,
}

/// What casting gave.
pub enum Cast {
    /// Accepted: the tracking code of the receipt.
    Accepted(String),
    /// This right had already voted.
    AlreadyVoted,
}

async fn post(
    client: &reqwest::Client,
    url: &str,
    session: Option<&str>,
    body: String,
) -> anyhow::Result<(reqwest::StatusCode, Value)> {
    let mut req = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body);
    if let Some(s) = session {
        req = req.bearer_auth(s);
    }
    let resp = req.send().await.with_context(|| format!("POST {url}"))?;
    let status = resp.status();
    let value: Value = resp.json().await.with_context(|| format!("POST {url}"))?;
    Ok((status, value))
}

fn ok(url: &str, (status, value): (reqwest::StatusCode, Value)) -> anyhow::Result<Value> {
    if status.is_success() {
        Ok(value)
    } else {
        Err(anyhow!("{url}: {status} {value}"))
    }
}

/// Logs in (both steps) and returns the full session token.
pub async fn login(
    client: &reqwest::Client,
    base: &str,
    voter: &VoterMaterial<'_>,
) -> anyhow::Result<String> {
    let url = format!("{base}/api/v1/login/challenge");
    let challenge = ok(
        &url,
        post(
            client,
            &url,
            None,
            json!({ "identifier": voter.identifier }).to_string(),
        )
        .await?,
    )?;
    let nonce: [u8; 32] = hex::decode(challenge["nonce"].as_str().unwrap_or_default())?
        .try_into()
        .map_err(|_| anyhow!("the challenge's nonce is not 32 bytes"))?;
    let election = challenge["election_id"].as_str().unwrap_or_default();
    let identifier = Identifier::parse(voter.identifier)?;
    let code = SecretCode::parse(voter.code)?;
    let signature = code
        .login_signing_key(election, &identifier)
        .sign(&login_message(election, &identifier, &nonce));
    let url = format!("{base}/api/v1/login/key");
    let step1 = ok(
        &url,
        post(
            client,
            &url,
            None,
            json!({
                "identifier": voter.identifier,
                "challenge": challenge["challenge"],
                "signature": hex::encode(signature.to_bytes()),
            })
            .to_string(),
        )
        .await?,
    )?;
    let session = step1["session"].as_str().unwrap_or_default().to_owned();
    if step1["birth_date_required"] != true {
        return Ok(session);
    }
    let url = format!("{base}/api/v1/login/birth-date");
    let full = ok(
        &url,
        post(
            client,
            &url,
            Some(&session),
            json!({ "birth_date": voter.birth_date }).to_string(),
        )
        .await?,
    )?;
    Ok(full["session"].as_str().unwrap_or_default().to_owned())
}

/// Random valid choices: per contest, blank one time in eight, else between one and
/// `seats` distinct candidates.
pub fn random_choices(style: &BallotStyle) -> Vec<ContestChoice> {
    let mut rng = rand::thread_rng();
    style
        .contests()
        .iter()
        .map(|c| {
            let n = u32::try_from(c.option_count()).unwrap_or(u32::MAX);
            let most = c
                .seats()
                .min(n)
                .min(u32::try_from(c.max_selections()).unwrap_or(0));
            if most == 0 || rng.gen_ratio(1, 8) {
                return ContestChoice::blank();
            }
            let k = rng.gen_range(1..=most) as usize;
            let mut picks: Vec<u32> = (0..n).collect();
            for i in 0..k {
                let j = rng.gen_range(i..picks.len());
                picks.swap(i, j);
            }
            ContestChoice::select(picks[..k].to_vec())
        })
        .collect()
}

/// Logs in and casts one ballot of random valid choices for the voter's scrutin.
pub async fn vote(
    client: &reqwest::Client,
    base: &str,
    voter: &VoterMaterial<'_>,
    style: &BallotStyle,
) -> anyhow::Result<Cast> {
    let session = login(client, base, voter).await?;
    let code = SecretCode::parse(voter.code)?;
    let key = code.voting_signing_key(style.election_id(), style.scrutin_id());
    let ballot = encrypt_ballot(style, &random_choices(style), &key, &mut OsRng)?;
    let url = format!("{base}/api/v1/ballots");
    let (status, answer) = post(client, &url, Some(&session), ballot.to_json()).await?;
    if answer["error"]["code"] == "already_voted" || answer["error"]["code"] == "voting_key_used" {
        return Ok(Cast::AlreadyVoted);
    }
    let receipt = ok(&url, (status, answer))?;
    Ok(Cast::Accepted(
        receipt["receipt"]["tracking_code"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    ))
}
