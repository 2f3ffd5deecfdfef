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
use scrutin_election::Civility;
use scrutin_election::voters::Address;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::clock::paris_text;
use crate::electors::{Logins, SealedRight};
use crate::error::{Result, StoreError};
use crate::journal;
use crate::letters::{Letter, LetterRef, LettersWriter, ScrutinSheet, SecretLines};
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

/// What a letter shows of a voter's record. The sealed record is read into this, not into
/// a whole `VoterRecord`: serde skips the other fields, so two million rights cost a few
/// strings each instead of forty.
#[derive(Deserialize)]
struct RecordForLetter {
    civility: Option<Civility>,
    usage_name: String,
    first_name: Option<String>,
    company_name: Option<String>,
    mailing: Address<String>,
    email: Option<String>,
}

/// A letter's recipient as printed: everything a letter needs from the voter's record.
struct Recipient {
    civility: &'static str,
    /// First name, then the usage name in capitals.
    name: String,
    company: String,
    /// Address lines, recipient first, then `postcode city`, then the country abroad.
    address: Vec<String>,
    postcode: String,
    email: Option<String>,
}

impl Recipient {
    /// Opens a right's sealed record (the chamber's data key) and keeps what its letter shows.
    fn open(key: &DataKey, right_id: &str, sealed: &[u8]) -> Result<Self> {
        let plain = zeroize::Zeroizing::new(key.open_personal(right_id, sealed)?);
        let record: RecordForLetter = serde_json::from_slice(&plain)
            .map_err(|e| StoreError::corrupt(format!("right {right_id}: {e}")))?;
        let m = record.mailing;
        let mut address = Vec::with_capacity(4);
        address.push(m.recipient);
        address.extend(
            [m.complement1, m.complement2, m.street, m.place]
                .into_iter()
                .flatten(),
        );
        address.push(match &m.postcode {
            Some(pc) => format!("{pc} {}", m.city),
            None => m.city,
        });
        address.extend(m.country);
        let usage = record.usage_name.to_uppercase();
        Ok(Recipient {
            civility: record.civility.map(Civility::as_str).unwrap_or_default(),
            name: match record.first_name {
                Some(first) => format!("{first} {usage}"),
                None => usage,
            },
            company: record.company_name.unwrap_or_default(),
            address,
            postcode: m.postcode.unwrap_or_default(),
            email: record.email,
        })
    }

    /// This recipient's letter for the given material, without what its scrutin's sheet
    /// gives. `identifier` and `code` are the credential's grouped forms, as printed.
    fn letter<'a>(
        &'a self,
        right_id: &'a str,
        scrutin: &'a str,
        identifier: &'a str,
        code: &'a str,
        material: i64,
    ) -> LetterRef<'a> {
        LetterRef {
            right_id,
            scrutin,
            identifier,
            code,
            civility: self.civility,
            name: &self.name,
            company: &self.company,
            address: &self.address,
            postcode: &self.postcode,
            email: self.email.as_deref(),
            material,
        }
    }
}

/// What every letter of a scrutin shares.
fn sheet(s: &Scrutin) -> ScrutinSheet {
    ScrutinSheet {
        scrutin: s.id.clone(),
        chamber_code: s.chamber_code.clone(),
        chamber_label: s.chamber_label.clone(),
        scrutin_label: s.label.clone(),
        instructions: instructions(s),
    }
}

struct Drawn {
    right_id: String,
    recipient: Recipient,
    cred: PublicCredential,
    code: SecretCode,
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
    let mut order: Vec<(&str, &str, usize)> = drawn
        .iter()
        .enumerate()
        .map(|(i, d)| (d.recipient.postcode.as_str(), d.recipient.name.as_str(), i))
        .collect();
    // Letters with the same postcode and name keep the rights' order: the index breaks
    // ties, so the unstable (in place) sort gives the stable order.
    order.par_sort_unstable();
    // What every letter of the scrutin shares, written once before them.
    letters.write_sheet(&sheet(scrutin))?;
    for round in order.chunks(LETTERS_PER_ROUND) {
        let lines = round
            .par_chunks(1024)
            .map(|chunk| {
                let count = chunk.len();
                let mut out = SecretLines::with_capacity(count * 1024);
                for &(_, _, i) in chunk {
                    let d = &drawn[i];
                    let identifier = d.cred.identifier.display();
                    let code = d.code.display();
                    out.push(
                        &d.recipient
                            .letter(&d.right_id, &scrutin.id, &identifier, &code, 0),
                    )?;
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
                        recipient: Recipient::open(key, &r.right_id, &r.personal)?,
                        right_id: r.right_id.clone(),
                        cred,
                        code,
                    })
                })
                .collect::<Result<Vec<_>>>()
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(drawn.into_iter().flatten().collect())
}

/// Draws credentials for every right of a scrutin that has none, in the rights' order,
/// with identifiers unique platform-wide (`taken`), and adds each page's logins to
/// `logins` while the next page's keys are derived (on PostgreSQL the server inserts them
/// meanwhile). The chamber's data key is unwrapped only if there is such a right.
async fn draw_scrutin(
    stores: &Stores,
    master: &MasterKey,
    election_id: &str,
    scrutin: &Scrutin,
    taken: &mut HashSet<u64>,
    logins: &mut Logins,
) -> Result<Vec<Drawn>> {
    // Sized once for the scrutin (an upper bound: rights with credentials count too), so
    // the drawn rights are not moved at every doubling.
    let rights = stores.electors.count_rights(&scrutin.id).await?;
    let mut drawn: Vec<Drawn> = Vec::with_capacity(usize::try_from(rights).unwrap_or_default());
    let mut key: Option<Arc<DataKey>> = None;
    let mut after = String::new();
    let mut deriving: Option<tokio::task::JoinHandle<Result<Vec<Drawn>>>> = None;
    loop {
        let page = stores
            .electors
            .sealed_rights_page(&scrutin.id, &after, RIGHTS_PER_PAGE)
            .await?;
        let mut derived = None;
        if let Some(job) = deriving.take() {
            let mut got = joined(job.await)?;
            unique_identifiers(&mut got, taken, election_id, &scrutin.id);
            derived = Some(drawn.len());
            drawn.append(&mut got);
        }
        if let Some(last) = page.last() {
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
        if let Some(from) = derived {
            let rows: Vec<(String, String, [u8; 32])> = drawn[from..]
                .iter()
                .map(|d| {
                    (
                        d.right_id.clone(),
                        d.cred.identifier.as_str().to_string(),
                        d.cred.login_key,
                    )
                })
                .collect();
            logins.add(rows).await?;
        }
        if deriving.is_none() {
            break;
        }
    }
    Ok(drawn)
}

/// Redraws the rare credential whose identifier is already taken (identifiers are unique
/// platform-wide) and marks the others taken.
fn unique_identifiers(
    drawn: &mut [Drawn],
    taken: &mut HashSet<u64>,
    election_id: &str,
    scrutin_id: &str,
) {
    let mut rng = rand::rngs::OsRng;
    for d in drawn {
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
    stores.electors.refresh_statistics().await?;
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
        // Before the first page is read: its rights then stay until the commit.
        let mut logins = stores.electors.begin_logins_of_read_rights().await?;
        let drawn = draw_scrutin(
            stores,
            master,
            election_id,
            &scrutin,
            &mut taken,
            &mut logins,
        )
        .await?;
        if drawn.is_empty() {
            continue;
        }
        tracing::debug!(
            seconds = started.elapsed().as_secs_f64(),
            rights = drawn.len(),
            "rights read, keys derived, logins sent"
        );

        // The voting keys leave sorted, with nothing beside them.
        let mut voting_keys: Vec<[u8; 32]> = drawn.iter().map(|d| d.cred.voting_key).collect();
        voting_keys.par_sort_unstable();
        let mut h = Sha256::new();
        for k in &voting_keys {
            h.update(k);
        }
        let digest: [u8; 32] = h.finalize().into();
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
        let creds_written = tokio::spawn(async move {
            let r = logins.commit().await;
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
    let recipient = Recipient::open(&key, right_id, &sealed.personal)?;
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
    let identifier = cred.identifier.display();
    let code = code.display();
    Ok(recipient
        .letter(right_id, &scrutin.id, &identifier, &code, material)
        .to_letter(&sheet(&scrutin)))
}
