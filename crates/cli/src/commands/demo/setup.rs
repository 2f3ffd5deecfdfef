//! The set-up of a new demo: the same steps, through the same functions, as commissions
//! take in the control interface — structure upload, voter file, candidates, seals, key
//! ceremony, ballot boxes, voting material, opening — each done in the name of the demo
//! account whose role does it, so the journal and the pages read as in a real election.
//!
//! The handlers of `scrutin-admin` are called in-process with the demo user as the
//! [`Caller`] (what the HTTP guard hands them after login): the set-up needs no session,
//! and no TOTP code of the national account is spent before its user logs in.

use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, Query, State};
use chrono::{DateTime, Duration, Utc};
use rand::rngs::OsRng;
use rand::{Rng, RngCore};
use scrutin_admin::auth::{AdminUser, Caller, totp};
use scrutin_admin::users::{UserSpec, create_user};
use scrutin_admin::{AdminError, AdminState, audit, ballot_boxes, candidates, ceremony};
use scrutin_admin::{material, operations, seals, uploads};
use scrutin_crypto::dkg::{DkgParameters, run_local_ceremony};
use scrutin_crypto::keyfile::{KdfParams, KeyShareFile};
use scrutin_store::provision::Schedule;
use serde_json::{Value, json};

use super::saved::{Account, Saved, write_private};
use super::voters;

/// The demo's election identifier (bound into every key derivation and fingerprint).
pub const ELECTION_ID: &str = "cci-2026-demo";
/// The demo chamber: CCI de l'Ain in the fixtures (three scrutins, C, I and S).
pub const CHAMBER: &str = "011";
/// Key-share holders and how many decrypt.
pub const TRUSTEES: u32 = 3;
/// The threshold.
pub const THRESHOLD: u32 = 2;

/// What the set-up needs besides the admin state.
pub struct SetupInput<'a> {
    /// The data directory.
    pub dir: &'a Path,
    /// The sample files.
    pub fixtures: &'a Path,
    /// Synthetic voting rights added to the chamber's fixture voters.
    pub extra_voters: u64,
    /// How long the vote stays open from now.
    pub open_for: Duration,
}

/// An admin error as a CLI error, with the step that failed.
pub fn step<T>(what: &str, r: Result<T, AdminError>) -> anyhow::Result<T> {
    r.map_err(|e| anyhow!("{what}: {}", e.message()))
}

/// [`step`] for an action whose answer is not needed.
pub fn act<T>(what: &str, r: Result<T, AdminError>) -> anyhow::Result<()> {
    step(what, r).map(drop)
}

/// The request context a handler receives for a logged-in user.
pub fn caller(user: AdminUser) -> Caller {
    Caller {
        user,
        session_hash: [0; 32],
        csrf: String::new(),
    }
}

/// The stored user of a demo account.
pub async fn user(state: &AdminState, email: &str) -> anyhow::Result<AdminUser> {
    let rows = state.stores.registry.admin_users().await?;
    let row = rows
        .iter()
        .find(|u| u.email.eq_ignore_ascii_case(email))
        .with_context(|| format!("the demo account {email} is missing from the store"))?;
    step("reading a demo account", AdminUser::from_row(row))
}

/// A password that the interface's policy accepts: three groups of four characters.
fn new_password() -> String {
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
    const DIGIT: &[u8] = b"23456789";
    let mut rng = OsRng;
    let mut pick = |set: &[u8]| set[rng.gen_range(0..set.len())] as char;
    (0..3)
        .map(|_| {
            [pick(UPPER), pick(LOWER), pick(LOWER), pick(DIGIT)]
                .iter()
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// The demo accounts: CCI France's national administrator, the chamber's CELE member, and
/// its COE president and two assessors, who hold the three key shares.
fn accounts() -> Vec<Account> {
    let person = |email: &str,
                  role: &str,
                  label: &str,
                  perimeter: &str,
                  first: &str,
                  last: &str,
                  trustee: Option<u32>| Account {
        email: email.into(),
        role: role.into(),
        label: label.into(),
        perimeter: perimeter.into(),
        last_name: last.into(),
        first_name: first.into(),
        password: new_password(),
        totp_secret: None,
        trustee,
    };
    vec![
        person(
            "admin.national@cci-france.fr",
            "national_admin",
            "CCI France, national administrator",
            "NATIONAL",
            "Claire",
            "Dupuis",
            None,
        ),
        person(
            "cele@ain.cci.fr",
            "cele",
            "CELE member, CCI de l'Ain (voter list)",
            CHAMBER,
            "Marc",
            "Roux",
            None,
        ),
        person(
            "president.coe@ain.cci.fr",
            "coe_president",
            "COE president, CCI de l'Ain (key holder 1)",
            CHAMBER,
            "Hélène",
            "Garnier",
            Some(1),
        ),
        person(
            "assesseur1.coe@ain.cci.fr",
            "coe_member",
            "COE assessor, CCI de l'Ain (key holder 2)",
            CHAMBER,
            "Paul",
            "Fabre",
            Some(2),
        ),
        person(
            "assesseur2.coe@ain.cci.fr",
            "coe_member",
            "COE assessor, CCI de l'Ain (key holder 3)",
            CHAMBER,
            "Inès",
            "Benali",
            Some(3),
        ),
    ]
}

/// Creates the demo accounts, enrolling TOTP where the interface requires it.
async fn create_accounts(state: &AdminState) -> anyhow::Result<Vec<Account>> {
    let mut out = Vec::new();
    for mut a in accounts() {
        let needs_totp = scrutin_admin::auth::needs_totp(
            scrutin_admin::auth::Role::parse(&a.role).context("demo role")?,
            &scrutin_election::Perimeter::parse(&a.perimeter).context("demo perimeter")?,
        );
        let secret = needs_totp.then(|| {
            let mut s = vec![0u8; totp::SECRET_LEN];
            OsRng.fill_bytes(&mut s);
            s
        });
        let spec = UserSpec {
            email: a.email.clone(),
            last_name: a.last_name.clone(),
            first_name: a.first_name.clone(),
            role: a.role.clone(),
            perimeter: a.perimeter.clone(),
        };
        step(
            &format!("creating the account {}", a.email),
            create_user(state, &spec, "demo", Some(&a.password), secret.as_deref()).await,
        )?;
        a.totp_secret = secret.as_deref().map(totp::base32);
        out.push(a);
    }
    Ok(out)
}

/// Runs the key ceremony of the chamber's COE on this computer (every trustee's steps,
/// `scrutin_crypto::dkg`), installs its transcript in the control interface as if relayed,
/// writes each holder's password-protected key-share file and confirms it in the holder's
/// name, as `scrutin trustee ceremony` does at its end.
async fn ceremony(
    state: &AdminState,
    dir: &Path,
    trustees: &[AdminUser],
    password: &str,
) -> anyhow::Result<Vec<PathBuf>> {
    let attempt = state.stores.registry.next_ceremony_attempt(CHAMBER).await?;
    let params = DkgParameters::new(
        ELECTION_ID,
        &ceremony::key_id(CHAMBER, attempt),
        TRUSTEES,
        THRESHOLD,
    )?;
    let (transcript, shares) = run_local_ceremony(&params, &mut OsRng)?;
    let ids: Vec<String> = trustees.iter().map(|u| u.id.clone()).collect();
    step(
        "installing the key ceremony",
        ceremony::import_transcript(state, CHAMBER, &transcript, &ids).await,
    )?;
    let share_dir = dir.join("trustees");
    std::fs::create_dir_all(&share_dir)?;
    let mut files = Vec::new();
    for (share, user) in shares.iter().zip(trustees) {
        let name = PathBuf::from("trustees")
            .join(format!("coe-{CHAMBER}-trustee-{}.json", share.trustee()));
        let file = KeyShareFile::seal(share, password, KdfParams::RECOMMENDED, &mut OsRng)?;
        write_private(&dir.join(&name), file.to_json().as_bytes())?;
        let confirmation = ceremony::Confirmation {
            verification_key: scrutin_crypto::encoding::point_to_hex(&share.verification_key()),
            transcript_digest: hex::encode(share.transcript_digest()),
        };
        act(
            "confirming a key-share file",
            ceremony::confirm(
                State(state.clone()),
                caller(user.clone()),
                UrlPath(CHAMBER.to_owned()),
                Json(confirmation),
            )
            .await,
        )?;
        files.push(name);
    }
    Ok(files)
}

/// Sets up a new demo election in `state`'s stores; returns what to save in `demo.json`.
pub async fn set_up(state: &AdminState, input: &SetupInput<'_>) -> anyhow::Result<Saved> {
    let now = state.now();
    let accounts = create_accounts(state).await?;
    let by_role = |role: &str| {
        accounts
            .iter()
            .find(|a| a.role == role)
            .map(|a| a.email.clone())
            .context("demo role")
    };
    let national = caller(user(state, &by_role("national_admin")?).await?);
    let cele = caller(user(state, &by_role("cele")?).await?);
    let mut holders = Vec::new();
    for a in accounts.iter().filter(|a| a.trustee.is_some()) {
        holders.push(user(state, &a.email).await?);
    }
    let president = caller(holders[0].clone());

    // Structure, voters, candidates: what CCI France, the CELE and the COE upload.
    let structure = voters::chamber_structure(input.fixtures, CHAMBER)?;
    std::fs::write(input.dir.join("structure.csv"), &structure)?;
    act(
        "loading the structure file",
        uploads::upload_structure(
            State(state.clone()),
            national.clone(),
            Query(uploads::UploadQuery {
                name: Some("structure.csv".into()),
                ..Default::default()
            }),
            Bytes::from(structure),
        )
        .await,
    )?;
    let voter_file = voters::chamber_voters(input.fixtures, CHAMBER, input.extra_voters)?;
    let voter_name = format!("voters-{CHAMBER}.csv");
    std::fs::write(input.dir.join(&voter_name), &voter_file)?;
    let loaded = step(
        "loading the voter file",
        uploads::upload_voters(
            State(state.clone()),
            cele,
            UrlPath(CHAMBER.to_owned()),
            Query(uploads::UploadQuery {
                name: Some(voter_name),
                ..Default::default()
            }),
            Bytes::from(voter_file),
        )
        .await,
    )?;
    tracing::info!(rights = %loaded.0["rights"], "voter file loaded");
    let path = input.fixtures.join("candidates.json");
    let file: Value = serde_json::from_str(
        &std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?,
    )?;
    for c in file["contests"]
        .as_array()
        .context("candidates.json: contests")?
    {
        let id = c["contest"].as_str().context("candidates.json: contest")?;
        if !id.starts_with(&format!("{CHAMBER}-")) {
            continue;
        }
        let groupings: Vec<String> = c["entries"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["grouping"]["name"].as_str().map(str::to_owned))
            .collect();
        let body: candidates::ListBody = serde_json::from_value(json!({ "entries": c["entries"] }))
            .with_context(|| format!("candidates.json: {id}"))?;
        act(
            &format!("entering the candidates of {id}"),
            candidates::put_list(
                State(state.clone()),
                president.clone(),
                Query(candidates::ContestQuery {
                    contest: id.to_owned(),
                    subject: None,
                    name: None,
                }),
                Json(body),
            )
            .await,
        )?;
        for name in &groupings {
            upload_statement(state, &president, id, name).await?;
        }
    }
    let scope = seals::chamber_scope(CHAMBER);
    for kind in ["voters", "candidates"] {
        seal(state, &president, kind, &scope).await?;
    }

    // The key ceremony, then the ballot boxes under its key.
    let share_password = new_password();
    let share_files = ceremony(state, input.dir, &holders, &share_password).await?;
    let schedule = Schedule {
        // A minute ago: the vote is open as soon as the demo prints its addresses.
        opens_at: now - Duration::minutes(1),
        closes_at: now + input.open_for,
    };
    let ids = step(
        "creating the ballot boxes",
        ballot_boxes::create_boxes(state, CHAMBER, schedule).await,
    )?;
    step(
        "journaling the ballot boxes",
        audit::record(
            state,
            Some(&president.user),
            "ballot-boxes-created",
            json!({ "chamber": CHAMBER, "scrutins": ids, "opens_at": schedule.opens_at, "closes_at": schedule.closes_at }),
        )
        .await,
    )?;

    // The voting material (the letters file with every secret code), sealed; the vote opens.
    let letters_passphrase = format!("Courriers-demo-{}", new_password());
    act(
        "generating the voting material",
        material::generate(
            State(state.clone()),
            president.clone(),
            UrlPath(CHAMBER.to_owned()),
            Json(material::PassphraseBody {
                passphrase: letters_passphrase.clone(),
            }),
        )
        .await,
    )?;
    seal(state, &president, "credentials", &scope).await?;
    change(state, &president, operations::Action::Open).await?;

    Ok(Saved {
        format: super::saved::FORMAT.into(),
        election_id: ELECTION_ID.into(),
        chamber: CHAMBER.into(),
        created_at: now,
        accounts,
        share_password,
        letters_passphrase,
        share_files,
    })
}

/// A one-page statement (profession de foi) of a grouping, made up for the demo.
fn statement_pdf(contest: &str, grouping: &str) -> Vec<u8> {
    use scrutin_admin::pdf::{Document, Style};
    let mut doc = Document::new(&format!("Profession de foi — {grouping}"));
    let page = doc.add_page();
    doc.text(page, 20.0, 30.0, Style::bold(18.0), "Profession de foi");
    doc.text(page, 20.0, 42.0, Style::bold(14.0), grouping);
    doc.text(
        page,
        20.0,
        52.0,
        Style::regular(11.0),
        &format!("Élection {contest}"),
    );
    doc.paragraph(
        page,
        20.0,
        66.0,
        170.0,
        Style::regular(11.0),
        "Document de démonstration : dans une vraie élection, chaque groupement et chaque \
         candidat dépose ici sa profession de foi auprès de la commission d'organisation des \
         élections, qui la publie sur le site de vote.",
    );
    doc.finish()
}

/// Uploads a grouping's statement in the name of the COE president, before the seal.
async fn upload_statement(
    state: &AdminState,
    by: &Caller,
    contest: &str,
    grouping: &str,
) -> anyhow::Result<()> {
    let mut headers = axum::http::HeaderMap::new();
    headers.insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/pdf"),
    );
    act(
        &format!("uploading the statement of {grouping} ({contest})"),
        candidates::put_statement(
            State(state.clone()),
            by.clone(),
            Query(candidates::ContestQuery {
                contest: contest.to_owned(),
                subject: Some(format!("grouping:{grouping}")),
                name: Some("profession-de-foi.pdf".into()),
            }),
            headers,
            Bytes::from(statement_pdf(contest, grouping)),
        )
        .await,
    )
}

/// Seals a stage in the name of `by`.
pub async fn seal(state: &AdminState, by: &Caller, kind: &str, scope: &str) -> anyhow::Result<()> {
    act(
        &format!("sealing {kind} ({scope})"),
        seals::create(
            State(state.clone()),
            by.clone(),
            Json(seals::SealRequest {
                kind: kind.into(),
                scope: scope.into(),
            }),
        )
        .await,
    )?;
    Ok(())
}

/// Opens or closes every scrutin of the demo chamber in the name of `by`.
pub async fn change(
    state: &AdminState,
    by: &Caller,
    action: operations::Action,
) -> anyhow::Result<()> {
    act(
        &format!("{action:?} of the scrutins"),
        operations::change(
            State(state.clone()),
            by.clone(),
            Json(operations::ChangeRequest {
                scrutins: vec!["*".into()],
                action,
                message: None,
            }),
        )
        .await,
    )?;
    Ok(())
}

/// When the demo's vote closes, and whether every scrutin is still open or waiting.
pub async fn vote_window(state: &AdminState) -> anyhow::Result<Option<(DateTime<Utc>, bool)>> {
    let scrutins = state.stores.registry.scrutins().await?;
    let now = state.now();
    let Some(first) = scrutins.first() else {
        return Ok(None);
    };
    let open = scrutins
        .iter()
        .all(|s| s.state_at(now) == scrutin_store::ScrutinState::Open);
    Ok(Some((first.closes_at, open)))
}
