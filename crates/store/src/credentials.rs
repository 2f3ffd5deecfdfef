//! Generation of the voting material (R-30, R-33, protocol §3) and its resend.
//!
//! Per right: a random identifier and secret code (`scrutin-crypto::credentials`); the
//! login public key goes to the electors store, the voting public key to the scrutin's
//! **sorted** set in the ballots store, and the letter (identifier, code, names, address,
//! instructions) to the encrypted letters file. Voting keys are sorted before they are
//! written and nothing else is written with them, so no store ever holds which voting key
//! belongs to which right; the codes exist only in the letters (and are zeroized here).
//! Key derivation runs on every core (rayon).

use std::collections::HashSet;
use std::io::Write;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use rayon::prelude::*;
use scrutin_crypto::credentials::{self, PublicCredential, SecretCode, generate_credential};
use scrutin_election::VoterRecord;
use sha2::{Digest, Sha256};

use crate::clock::paris_text;
use crate::electors::SealedRight;
use crate::error::{Result, StoreError};
use crate::journal;
use crate::letters::{Letter, LettersWriter, SecretLines};
use crate::scrutin::Scrutin;
use crate::sealing::{DataKey, MasterKey};
use crate::stores::Stores;

/// What was generated for one scrutin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialSummary {
    /// Scrutin.
    pub scrutin: String,
    /// Credentials generated now.
    pub generated: usize,
    /// SHA-256 over the sorted voting keys added now (journaled).
    pub voting_keys_digest: [u8; 32],
}

fn identifier_number(s: &str) -> Option<u64> {
    s.parse().ok()
}

/// The instructions printed on a letter (FALC, R-81), with the scrutin's dates.
pub fn instructions(s: &Scrutin) -> String {
    format!(
        "Pour voter par internet : allez sur le site de vote. Tapez votre identifiant, puis votre code secret. \
         Ensuite, tapez votre date de naissance (8 chiffres, par exemple 02031970). \
         Vous pouvez voter du {} au {}. \
         Ce courrier est personnel : ne le montrez à personne. \
         Après votre vote, notez votre numéro de suivi : il permet de vérifier que votre bulletin est dans l'urne, sur le tableau public.",
        paris_text(s.opens_at, false).trim_start_matches("le "),
        paris_text(s.closes_at, false).trim_start_matches("le ")
    )
}

/// The name as printed on a letter: first name, then the usage name in capitals.
fn printed_name(record: &VoterRecord) -> String {
    match &record.first_name {
        Some(first) => format!("{first} {}", record.usage_name.to_uppercase()),
        None => record.usage_name.to_uppercase(),
    }
}

/// One voter's letter; `name` is the record's [`printed_name`], which the caller has
/// already computed to sort the letters.
#[allow(clippy::too_many_arguments)]
fn letter_for(
    right_id: &str,
    s: &Scrutin,
    instructions: &str,
    record: &VoterRecord,
    name: String,
    cred: &PublicCredential,
    code: &SecretCode,
    material: i64,
) -> Letter {
    let m = &record.mailing;
    let mut address = vec![m.recipient.clone()];
    for line in [&m.complement1, &m.complement2, &m.street, &m.place]
        .into_iter()
        .flatten()
    {
        address.push(line.clone());
    }
    address.push(match &m.postcode {
        Some(pc) => format!("{pc} {}", m.city),
        None => m.city.clone(),
    });
    if let Some(country) = &m.country {
        address.push(country.clone());
    }
    Letter {
        right_id: right_id.to_string(),
        scrutin: s.id.clone(),
        chamber_code: s.chamber_code.clone(),
        chamber_label: s.chamber_label.clone(),
        scrutin_label: s.label.clone(),
        identifier: cred.identifier.display(),
        code: code.display().to_string(),
        civility: record
            .civility
            .map(|c| c.as_str().to_string())
            .unwrap_or_default(),
        name,
        company: record.company_name.clone().unwrap_or_default(),
        address,
        postcode: m.postcode.clone().unwrap_or_default(),
        email: record.email.clone(),
        instructions: instructions.to_owned(),
        material,
    }
}

struct Drawn {
    right_id: String,
    record: VoterRecord,
    cred: PublicCredential,
    code: SecretCode,
}

fn open_record(key: &DataKey, right_id: &str, sealed: &[u8]) -> Result<VoterRecord> {
    let plain = zeroize::Zeroizing::new(key.open_personal(right_id, sealed)?);
    serde_json::from_slice(&plain)
        .map_err(|e| StoreError::corrupt(format!("right {right_id}: {e}")))
}

async fn chamber_key(stores: &Stores, master: &MasterKey, chamber: &str) -> Result<DataKey> {
    let wrapped = stores.electors.data_key(chamber).await?.ok_or_else(|| {
        StoreError::Sealed(format!(
            "chamber {chamber} has no data key (destroyed or never imported)"
        ))
    })?;
    master.unwrap(chamber, &wrapped)
}

/// Letters written per parallel serialisation round: bounds the plaintext held at once.
const LETTERS_PER_ROUND: usize = 1 << 16;

/// Writes the letters of one scrutin, sorted by postcode then name. Only the sort
/// keys are sorted; each round's letters are built and serialised on every core, then
/// encrypted in order, so at most one round of letters exists at a time. The codes are
/// zeroized as the letters and `drawn` drop.
fn write_letters<W: Write>(
    letters: &mut LettersWriter<W>,
    scrutin: &Scrutin,
    drawn: Vec<Drawn>,
) -> Result<()> {
    let mut order: Vec<(&str, String, usize)> = drawn
        .par_iter()
        .enumerate()
        .map(|(i, d)| {
            let postcode = d.record.mailing.postcode.as_deref().unwrap_or_default();
            (postcode, printed_name(&d.record), i)
        })
        .collect();
    // Letters with the same postcode and name keep the rights' order: the index breaks
    // ties, so the unstable (in place) sort gives the stable order.
    order.par_sort_unstable_by(|a, b| (a.0, &a.1, a.2).cmp(&(b.0, &b.1, b.2)));
    // The same for every letter of the scrutin: formatted once.
    let text = instructions(scrutin);
    for round in order.chunks_mut(LETTERS_PER_ROUND) {
        let lines = round
            .par_chunks_mut(1024)
            .map(|chunk| {
                let count = chunk.len();
                let mut out = SecretLines::with_capacity(count * 1024);
                for (_, name, i) in chunk {
                    let d = &drawn[*i];
                    out.push(&letter_for(
                        &d.right_id,
                        scrutin,
                        &text,
                        &d.record,
                        std::mem::take(name),
                        &d.cred,
                        &d.code,
                        0,
                    ))?;
                }
                Ok((out, count))
            })
            .collect::<Result<Vec<_>>>()?;
        for (text, count) in &lines {
            letters.write_lines(text.as_bytes(), *count as u64)?;
        }
    }
    Ok(())
}

/// Rights read per page: while one page's keys are derived on every core, the next page
/// is read, so the store's reader and the derivation overlap.
const RIGHTS_PER_PAGE: usize = 16_384;

/// Opens the records of one page of rights and draws their credentials on every core;
/// each worker has its own CSPRNG seeded from the OS.
fn draw_page(
    key: &DataKey,
    election_id: &str,
    scrutin_id: &str,
    page: &[SealedRight],
) -> Result<Vec<Drawn>> {
    let drawn = page
        .par_chunks(credentials::CREDENTIAL_BATCH)
        .map(|chunk| {
            let mut rng = ChaCha20Rng::from_rng(rand::rngs::OsRng)
                .map_err(|e| StoreError::Invalid(format!("random generator: {e}")))?;
            let creds =
                credentials::generate_credentials(election_id, scrutin_id, chunk.len(), &mut rng);
            chunk
                .iter()
                .zip(creds)
                .map(|(r, (cred, code))| {
                    Ok(Drawn {
                        right_id: r.right_id.clone(),
                        record: open_record(key, &r.right_id, &r.personal)?,
                        cred,
                        code,
                    })
                })
                .collect::<Result<Vec<_>>>()
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(drawn.into_iter().flatten().collect())
}

/// Draws credentials for every right of a scrutin that has none, in the rights' order.
/// The chamber's data key is unwrapped only if there is such a right.
async fn draw_scrutin(
    stores: &Stores,
    master: &MasterKey,
    election_id: &str,
    scrutin: &Scrutin,
) -> Result<Vec<Drawn>> {
    let mut drawn = Vec::new();
    let mut key: Option<Arc<DataKey>> = None;
    let mut after = String::new();
    let mut deriving: Option<tokio::task::JoinHandle<Result<Vec<Drawn>>>> = None;
    loop {
        let page = stores
            .electors
            .sealed_rights_page(&scrutin.id, &after, RIGHTS_PER_PAGE)
            .await?;
        if let Some(job) = deriving.take() {
            drawn.extend(joined(job.await)?);
        }
        let Some(last) = page.last() else { break };
        after.clone_from(&last.right_id);
        let key = match &key {
            Some(k) => k.clone(),
            None => key
                .insert(Arc::new(
                    chamber_key(stores, master, &scrutin.chamber_code).await?,
                ))
                .clone(),
        };
        let (election, scrutin) = (election_id.to_owned(), scrutin.id.clone());
        deriving = Some(tokio::task::spawn_blocking(move || {
            draw_page(&key, &election, &scrutin, &page)
        }));
    }
    Ok(drawn)
}

fn joined<T>(r: std::result::Result<Result<T>, tokio::task::JoinError>) -> Result<T> {
    r.map_err(|e| StoreError::Invalid(format!("credential worker stopped: {e}")))?
}

/// Checks that a scrutin's voting keys number its rights with credentials plus its
/// resends (protocol §3); an interrupted generation shows here.
pub async fn check_counts(stores: &Stores, scrutin_id: &str) -> Result<()> {
    let keys = stores.ballots.count_voting_keys(scrutin_id).await?;
    let (with_credentials, resends) = stores.electors.credential_counts(scrutin_id).await?;
    if keys != with_credentials + resends {
        return Err(StoreError::Conflict(format!(
            "scrutin {scrutin_id}: {keys} voting keys for {with_credentials} rights with credentials and {resends} resends: \
             an earlier generation was interrupted"
        )));
    }
    Ok(())
}

/// Generates credentials for every right of the given scrutins that has none yet, writes
/// their letters (sorted by postcode then name within each scrutin) and journals one
/// entry per scrutin. Returns what was done per scrutin.
pub async fn generate_credentials<W: Write>(
    stores: &Stores,
    master: &MasterKey,
    election_id: &str,
    scrutin_ids: &[String],
    letters: &mut LettersWriter<W>,
    now: DateTime<Utc>,
) -> Result<Vec<CredentialSummary>> {
    let mut taken: HashSet<u64> = stores
        .electors
        .all_identifiers()
        .await?
        .iter()
        .filter_map(|s| identifier_number(s))
        .collect();
    let mut summaries = Vec::new();
    for scrutin_id in scrutin_ids {
        let scrutin = stores
            .registry
            .scrutin(scrutin_id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("scrutin {scrutin_id}")))?;
        check_counts(stores, scrutin_id).await?;
        let started = std::time::Instant::now();
        let mut drawn = draw_scrutin(stores, master, election_id, &scrutin).await?;
        if drawn.is_empty() {
            continue;
        }
        tracing::debug!(
            seconds = started.elapsed().as_secs_f64(),
            rights = drawn.len(),
            "rights read and keys derived"
        );
        // Identifiers are unique platform-wide: redraw the rare collision.
        let mut rng = rand::rngs::OsRng;
        for d in &mut drawn {
            loop {
                let n = identifier_number(d.cred.identifier.as_str()).unwrap_or_default();
                if taken.insert(n) {
                    break;
                }
                let (cred, code) = generate_credential(election_id, scrutin_id, &mut rng);
                d.cred = cred;
                d.code = code;
            }
        }

        // The voting keys leave sorted, with nothing beside them.
        let mut voting_keys: Vec<[u8; 32]> = drawn.iter().map(|d| d.cred.voting_key).collect();
        voting_keys.par_sort_unstable();
        let mut h = Sha256::new();
        for k in &voting_keys {
            h.update(k);
        }
        let digest: [u8; 32] = h.finalize().into();
        let creds: Vec<(String, String, [u8; 32])> = drawn
            .iter()
            .map(|d| {
                (
                    d.right_id.clone(),
                    d.cred.identifier.as_str().to_string(),
                    d.cred.login_key,
                )
            })
            .collect();
        // The two stores are written on their own tasks (each store file has its own
        // writer) while this thread writes the letters: on a multi-threaded runtime the
        // three overlap instead of following one another.
        let ballots = stores.ballots.clone();
        let scrutin_key = scrutin_id.clone();
        let keys_written = tokio::spawn(async move {
            let r = ballots.insert_voting_keys(&scrutin_key, &voting_keys).await;
            tracing::debug!(
                seconds = started.elapsed().as_secs_f64(),
                "voting keys written"
            );
            r
        });
        let electors = stores.electors.clone();
        let creds_written = tokio::spawn(async move {
            let r = electors.set_credentials(&creds).await;
            tracing::debug!(
                seconds = started.elapsed().as_secs_f64(),
                "login keys written"
            );
            r
        });

        let generated = drawn.len();
        let letters_written = write_letters(letters, &scrutin, drawn);
        tracing::debug!(seconds = started.elapsed().as_secs_f64(), "letters written");
        let keys_written = joined(keys_written.await);
        let creds_written = joined(creds_written.await);
        keys_written?;
        creds_written?;
        letters_written?;
        tracing::debug!(seconds = started.elapsed().as_secs_f64(), "stores written");
        journal::append(
            &stores.registry,
            now,
            "credentials",
            &serde_json::json!({
                "scrutin": scrutin_id,
                "generated": generated,
                "voting_keys_sha256": hex::encode(digest),
            }),
        )
        .await?;
        tracing::info!(scrutin = %scrutin_id, generated, "credentials generated");
        summaries.push(CredentialSummary {
            scrutin: scrutin_id.clone(),
            generated,
            voting_keys_digest: digest,
        });
    }
    Ok(summaries)
}

/// Replaces a right's voting material: fresh identifier and code; the new voting
/// key joins the scrutin's set, the old login key stops working at once; journaled.
/// Returns the new letter (to send by email).
pub async fn resend_material(
    stores: &Stores,
    master: &MasterKey,
    election_id: &str,
    right_id: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Letter> {
    let right = stores
        .electors
        .right(right_id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("right {right_id}")))?;
    if right.login_key.is_none() {
        return Err(StoreError::Conflict(format!(
            "right {right_id} has no material yet: generate credentials first"
        )));
    }
    let scrutin = stores
        .registry
        .scrutin(&right.scrutin_id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("scrutin {}", right.scrutin_id)))?;
    let key = chamber_key(stores, master, &right.chamber_code).await?;
    let sealed = stores
        .electors
        .rights_of_chamber(&right.chamber_code)
        .await?
        .into_iter()
        .find(|r| r.right_id == right_id)
        .ok_or_else(|| StoreError::NotFound(format!("right {right_id}")))?;
    let record = open_record(&key, right_id, &sealed.personal)?;
    let taken: HashSet<u64> = stores
        .electors
        .all_identifiers()
        .await?
        .iter()
        .filter_map(|s| identifier_number(s))
        .collect();
    let mut rng = rand::rngs::OsRng;
    let (cred, code) = loop {
        let (cred, code) = generate_credential(election_id, &scrutin.id, &mut rng);
        if !taken.contains(&identifier_number(cred.identifier.as_str()).unwrap_or_default()) {
            break (cred, code);
        }
    };
    // The voting key first: a crash before the swap leaves one spare key, visible in
    // `check_counts`, never a voter who cannot vote.
    stores
        .ballots
        .insert_voting_keys(&scrutin.id, &[cred.voting_key])
        .await?;
    let material = stores
        .electors
        .replace_material(right_id, cred.identifier.as_str(), &cred.login_key)
        .await?;
    journal::append(
        &stores.registry,
        now,
        "resend",
        &serde_json::json!({ "scrutin": scrutin.id, "material": material, "reason": reason }),
    )
    .await?;
    Ok(letter_for(
        right_id,
        &scrutin,
        &instructions(&scrutin),
        &record,
        printed_name(&record),
        &cred,
        &code,
        material,
    ))
}
