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
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Utc};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use rand_core::{CryptoRng, RngCore};
use rayon::prelude::*;
use scrutin_crypto::credentials::{self, generate_credential};
use sha2::{Digest, Sha256};

use crate::addressee::{Addressee, PrintedAddressee};
use crate::clock::paris_text;
use crate::drawn_letters::{self, DrawnLetters};
use crate::electors::{Logins, SealedRight};
use crate::error::{Result, StoreError};
use crate::journal;
use crate::letters::{Letter, LetterHead, LettersWriter, ScrutinSheet};
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

async fn chamber_key(stores: &Stores, master: &MasterKey, chamber: &str) -> Result<DataKey> {
    let wrapped = stores.electors.data_key(chamber).await?.ok_or_else(|| {
        StoreError::Sealed(format!(
            "chamber {chamber} has no data key (destroyed or never imported)"
        ))
    })?;
    master.unwrap(chamber, &wrapped)
}

/// What a batch of rights gives once drawn: their letters (serialised), their logins and
/// their voting keys, each in its own list so that no list links a voting key to a right.
struct DrawnBatch {
    letters: DrawnLetters,
    logins: Vec<(String, String, [u8; 32])>,
    voting_keys: Vec<[u8; 32]>,
}

/// Identifiers in use platform-wide and drawn so far, shared by the workers.
type Taken = Arc<Mutex<HashSet<u64>>>;

/// Draws the credentials of a batch of rights: identifiers unique platform-wide (the
/// rare one already taken is drawn again), then each right's record is opened and its
/// letter serialised, so the codes leave the batch only inside the letters' buffer.
fn draw_batch<R: RngCore + CryptoRng>(
    key: &DataKey,
    election_id: &str,
    scrutin_id: &str,
    rights: &[SealedRight],
    taken: &Mutex<HashSet<u64>>,
    rng: &mut R,
) -> Result<DrawnBatch> {
    let mut drawn = credentials::generate_credentials(election_id, scrutin_id, rights.len(), rng);
    {
        // A panic elsewhere cannot leave the set half-updated: an insert is whole.
        let mut taken = taken.lock().unwrap_or_else(PoisonError::into_inner);
        for d in drawn.iter_mut() {
            while !taken.insert(identifier_number(d.0.identifier.as_str()).unwrap_or_default()) {
                *d = generate_credential(election_id, scrutin_id, rng);
            }
        }
    }
    let mut batch = DrawnBatch {
        letters: DrawnLetters::with_capacity(rights.len()),
        logins: Vec::with_capacity(rights.len()),
        voting_keys: Vec::with_capacity(rights.len()),
    };
    for (right, (cred, code)) in rights.iter().zip(drawn) {
        let addressee = PrintedAddressee::of_right(key, right)?;
        let identifier = cred.identifier.display();
        let code = code.display();
        let head = LetterHead {
            right_id: &right.right_id,
            scrutin: scrutin_id,
            identifier: &identifier,
            code: &code,
        };
        batch.letters.push(&head, &addressee, 0)?;
        batch.logins.push((
            right.right_id.clone(),
            cred.identifier.as_str().to_owned(),
            cred.login_key,
        ));
        batch.voting_keys.push(cred.voting_key);
    }
    Ok(batch)
}

/// Rights read per page: while one page's keys are derived on every core, the next page
/// is read, so the store's reader and the derivation overlap.
const RIGHTS_PER_PAGE: usize = 16_384;

/// Draws one page of rights on every core, in batches; each worker has its own CSPRNG
/// seeded from the OS.
fn draw_page(
    key: &DataKey,
    election_id: &str,
    scrutin_id: &str,
    page: &[SealedRight],
    taken: &Mutex<HashSet<u64>>,
) -> Result<Vec<DrawnBatch>> {
    page.par_chunks(credentials::CREDENTIAL_BATCH)
        .map(|rights| {
            let mut rng = ChaCha20Rng::from_rng(rand::rngs::OsRng)
                .map_err(|e| StoreError::Invalid(format!("random generator: {e}")))?;
            draw_batch(key, election_id, scrutin_id, rights, taken, &mut rng)
        })
        .collect()
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
    taken: &Taken,
    logins: &mut Logins,
) -> Result<Vec<DrawnBatch>> {
    let mut drawn: Vec<DrawnBatch> = Vec::new();
    let mut key: Option<Arc<DataKey>> = None;
    let mut after = String::new();
    let mut deriving: Option<tokio::task::JoinHandle<Result<Vec<DrawnBatch>>>> = None;
    loop {
        let page = stores
            .electors
            .sealed_rights_page(&scrutin.id, &after, RIGHTS_PER_PAGE)
            .await?;
        let derived = match deriving.take() {
            Some(job) => Some(joined(job.await)?),
            None => None,
        };
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
            let (election, scrutin, taken) =
                (election_id.to_owned(), scrutin.id.clone(), taken.clone());
            deriving = Some(tokio::task::spawn_blocking(move || {
                draw_page(&key, &election, &scrutin, &page, &taken)
            }));
        }
        if let Some(mut batches) = derived {
            let rows = batches
                .iter_mut()
                .flat_map(|b| std::mem::take(&mut b.logins))
                .collect();
            logins.add(rows).await?;
            drawn.append(&mut batches);
        }
        if deriving.is_none() {
            break;
        }
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
/// their letters (sorted by postcode, surname and first name within each scrutin, R-31)
/// and journals one entry per scrutin. Returns what was done per scrutin.
pub async fn generate_credentials<W: Write>(
    stores: &Stores,
    master: &MasterKey,
    election_id: &str,
    scrutin_ids: &[String],
    letters: &mut LettersWriter<W>,
    now: DateTime<Utc>,
) -> Result<Vec<CredentialSummary>> {
    stores.electors.refresh_statistics().await?;
    let taken: Taken = Arc::new(Mutex::new(
        stores
            .electors
            .all_identifiers()
            .await?
            .iter()
            .filter_map(|s| identifier_number(s))
            .collect(),
    ));
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
        let mut drawn =
            draw_scrutin(stores, master, election_id, &scrutin, &taken, &mut logins).await?;
        let generated: usize = drawn.iter().map(|b| b.letters.len()).sum();
        if generated == 0 {
            continue;
        }
        tracing::debug!(
            seconds = started.elapsed().as_secs_f64(),
            rights = generated,
            "rights read, keys derived, letters serialised, logins sent"
        );

        // The voting keys leave sorted, with nothing beside them.
        let mut voting_keys: Vec<[u8; 32]> = drawn
            .iter_mut()
            .flat_map(|b| std::mem::take(&mut b.voting_keys))
            .collect();
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

        let letters_written = letters.write_sheet(&sheet(&scrutin)).and_then(|()| {
            let batches: Vec<DrawnLetters> = drawn.into_iter().map(|b| b.letters).collect();
            drawn_letters::write_sorted(letters, &batches)
        });
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
    // Its record, not its chamber's: a resend while voting is open reads one row.
    let personal = stores
        .electors
        .sealed_personal(right_id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("right {right_id}")))?;
    let addressee = Addressee::open_record(&key, right_id, &personal)?;
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
    let head = LetterHead {
        right_id,
        scrutin: &scrutin.id,
        identifier: &identifier,
        code: &code,
    };
    Ok(addressee.letter(head, material).to_letter(&sheet(&scrutin)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sealed(key: &DataKey, n: u32) -> SealedRight {
        let right_id = format!("181{n:010}");
        let record = crate::addressee::tests::record(&format!("Nom{n}"), Some("Anne"), "01000");
        let addressee = Addressee::from_record(&right_id, &record).unwrap();
        SealedRight {
            addressee: Some(
                addressee
                    .seal(key, &mut rand::rngs::OsRng, &right_id)
                    .unwrap(),
            ),
            personal: None,
            right_id,
        }
    }

    fn read_back(batch: DrawnBatch) -> Vec<Letter> {
        let mut out =
            LettersWriter::new(Vec::new(), b"a long passphrase", &mut rand::rngs::OsRng).unwrap();
        out.write_sheet(&ScrutinSheet {
            scrutin: "181-C".into(),
            chamber_code: "181".into(),
            chamber_label: "CCI".into(),
            scrutin_label: "Commerce".into(),
            instructions: String::new(),
        })
        .unwrap();
        drawn_letters::write_sorted(&mut out, &[batch.letters]).unwrap();
        let (bytes, _) = out.finish().unwrap();
        crate::letters::read_letters(&bytes[..], b"a long passphrase").unwrap()
    }

    /// An identifier already in use is drawn again before its letter is written: the
    /// letter, the login and the key all carry the new credential.
    #[test]
    fn a_taken_identifier_is_drawn_again_everywhere() {
        let key = DataKey::generate(&mut rand::rngs::OsRng);
        let rights: Vec<SealedRight> = (1..=3).map(|n| sealed(&key, n)).collect();
        let seeded = || ChaCha20Rng::seed_from_u64(7);
        let free = Mutex::new(HashSet::new());
        let first = draw_batch(&key, "E", "181-C", &rights, &free, &mut seeded()).unwrap();
        // The same draw, with the second right's identifier already taken.
        let clashing = first.logins[1].1.clone();
        let taken = Mutex::new(HashSet::from([identifier_number(&clashing).unwrap()]));
        let again = draw_batch(&key, "E", "181-C", &rights, &taken, &mut seeded()).unwrap();

        assert_eq!(again.logins[0], first.logins[0]);
        assert_eq!(again.logins[2].1, first.logins[2].1);
        let redrawn = again.logins[1].clone();
        assert_eq!(redrawn.0, rights[1].right_id);
        assert_ne!(redrawn.1, clashing);
        assert_ne!(redrawn.2, first.logins[1].2);
        assert_ne!(again.voting_keys[1], first.voting_keys[1]);
        // Every identifier of the batch is now taken, the clashing one included.
        assert_eq!(taken.lock().unwrap().len(), 4);

        // Each letter's code gives back its right's login key and voting key.
        let voting_keys = again.voting_keys.clone();
        let letters = read_back(again);
        for (login, letter) in [(&redrawn, &letters[1]), (&first.logins[0], &letters[0])] {
            assert_eq!(letter.right_id, login.0);
            let identifier = credentials::Identifier::parse(&letter.identifier).unwrap();
            assert_eq!(identifier.as_str(), login.1);
            let code = credentials::SecretCode::parse(&letter.code).unwrap();
            assert_eq!(
                code.login_signing_key("E", &identifier)
                    .verifying_key()
                    .to_bytes(),
                login.2
            );
        }
        for (letter, voting_key) in letters.iter().zip(&voting_keys) {
            let code = credentials::SecretCode::parse(&letter.code).unwrap();
            let derived = code.voting_signing_key("E", "181-C").verifying_key();
            assert_eq!(&derived.to_bytes(), voting_key);
        }
    }
}
