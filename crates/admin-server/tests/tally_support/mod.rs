//! What the ceremony and tally tests share: a real admin server on a fresh store (SQLite or
//! PostgreSQL) over real HTTP, its users, sessions, and an election prepared up to the
//! close of the vote. Trustees here are played by test code calling `scrutin-crypto`
//! directly (the CLI is tested the same way in `crates/cli/tests`).
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use ed25519_dalek::SigningKey;
use rand::rngs::OsRng;
use reqwest::StatusCode;
use scrutin_admin::auth::totp;
use scrutin_admin::users::{UserSpec, create_user};
use scrutin_admin::{AdminConfig, AdminState, PasswordCost};
use scrutin_crypto::ballot::{BallotStyle, ContestChoice, encrypt_ballot, verify_ballot};
use scrutin_crypto::credentials::SecretCode;
use scrutin_crypto::dkg::{
    Dealing, DkgParameters, DkgTranscript, Registered, TransportKeyAnnouncement, TrusteeShare,
};
use scrutin_crypto::elgamal::Ciphertext;
use scrutin_crypto::tally::{DecryptionShare, create_decryption_share};
use scrutin_store::cast::{CastBallot, cast};
use scrutin_store::sealing::MasterKey;
use scrutin_store::testing::FreshLocation;
use scrutin_store::{Kind, ManualClock, Stores};
use serde_json::{Value, json};

/// A candidate's surname that a spreadsheet would run as a formula.
pub const INJECTED_NAME: &str = "=HYPERLINK(\"http://pirate.invalid\";\"clic\")";

/// Password of every test account.
pub const PASSWORD: &str = "Vert-Galant-1607!";

/// The fixtures of the repository.
pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../../fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// A running admin server.
pub struct Harness {
    pub state: AdminState,
    pub clock: ManualClock,
    pub base: String,
    pub http: reqwest::Client,
    pub location: FreshLocation,
    pub material: tempfile::TempDir,
    secrets: std::sync::Mutex<BTreeMap<String, Vec<u8>>>,
}

/// A logged-in user.
#[derive(Clone)]
pub struct Session {
    pub email: String,
    pub cookie: String,
    pub csrf: String,
    pub base: String,
    pub http: reqwest::Client,
}

/// A response: status and JSON (or raw bytes).
pub struct Answer {
    pub status: StatusCode,
    pub json: Value,
    pub bytes: Vec<u8>,
    pub content_type: String,
}

impl Answer {
    pub fn code(&self) -> &str {
        self.json["error"]["code"].as_str().unwrap_or("")
    }
}

async fn answer(r: reqwest::Response) -> Answer {
    let status = r.status();
    let content_type = r
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let bytes = r.bytes().await.unwrap().to_vec();
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Answer {
        status,
        json,
        bytes,
        content_type,
    }
}

impl Session {
    pub async fn get(&self, path: &str) -> Answer {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap();
        answer(r).await
    }

    pub async fn post(&self, path: &str, body: &impl serde::Serialize) -> Answer {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .header("x-csrf-token", &self.csrf)
            .json(body)
            .send()
            .await
            .unwrap();
        answer(r).await
    }

    /// A POST without the CSRF token.
    pub async fn post_without_csrf(&self, path: &str, body: &impl serde::Serialize) -> Answer {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .json(body)
            .send()
            .await
            .unwrap();
        answer(r).await
    }

    pub async fn put(&self, path: &str, body: &impl serde::Serialize) -> Answer {
        let r = self
            .http
            .put(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .header("x-csrf-token", &self.csrf)
            .json(body)
            .send()
            .await
            .unwrap();
        answer(r).await
    }

    pub async fn post_bytes(&self, path: &str, body: Vec<u8>) -> Answer {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .header("x-csrf-token", &self.csrf)
            .body(body)
            .send()
            .await
            .unwrap();
        answer(r).await
    }
}

/// The instant the tests start at: before the vote.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap()
}

impl Harness {
    pub async fn new(kind: Kind) -> Harness {
        let location = FreshLocation::new(kind).await.unwrap();
        let stores = Stores::open(&location.location).await.unwrap();
        let mut config = AdminConfig::new(AdminConfig::source_web_dir(), "CCI-2026");
        config.secure_cookies = false;
        // The tests move the clock by days between the preparation and the tally.
        config.session_idle = Duration::days(60);
        config.session_max = Duration::days(60);
        config.password_cost = PasswordCost {
            memory_kib: 1024,
            passes: 1,
        };
        let material = tempfile::tempdir().unwrap();
        config.material_dir = material.path().to_path_buf();
        let clock = ManualClock::new(t0());
        let state = AdminState::with_clock(
            stores,
            config,
            SigningKey::generate(&mut OsRng),
            MasterKey::generate(&mut OsRng),
            Arc::new(clock.clone()),
        )
        .unwrap();
        let app = scrutin_admin::router(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Harness {
            state,
            clock,
            base: format!("http://{addr}"),
            http: reqwest::Client::new(),
            location,
            material,
            secrets: std::sync::Mutex::new(BTreeMap::new()),
        }
    }

    /// Creates an active user with its own TOTP secret (used where the account needs it).
    pub async fn user(&self, email: &str, role: &str, perimeter: &str) {
        let mut secret = vec![0u8; 20];
        rand::RngCore::fill_bytes(&mut OsRng, &mut secret);
        self.secrets
            .lock()
            .unwrap()
            .insert(email.to_owned(), secret.clone());
        let spec = UserSpec {
            email: email.into(),
            last_name: format!("Nom{}", email.split('@').next().unwrap().replace('.', "")),
            first_name: "Prénom".into(),
            role: role.into(),
            perimeter: perimeter.into(),
        };
        create_user(
            &self.state,
            &spec,
            "interface",
            Some(PASSWORD),
            Some(&secret),
        )
        .await
        .unwrap();
    }

    /// Logs a user in over HTTP (with a fresh TOTP code when the account needs one).
    pub async fn login(&self, email: &str) -> Session {
        let secret = self.secrets.lock().unwrap().get(email).cloned().unwrap();
        let code = totp::code_at(&secret, self.state.now().timestamp());
        let r = self
            .http
            .post(format!("{}/admin/api/session", self.base))
            .json(&json!({ "email": email, "password": PASSWORD, "totp": code }))
            .send()
            .await
            .unwrap();
        let cookie = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("scrutin_admin="))
            .map(|v| v.split(';').next().unwrap().to_owned())
            .unwrap_or_else(|| panic!("no session for {email}"));
        let a = answer(r).await;
        assert_eq!(a.status, StatusCode::OK, "login of {email}: {}", a.json);
        Session {
            email: email.into(),
            cookie,
            csrf: a.json["csrf"].as_str().unwrap().into(),
            base: self.base.clone(),
            http: self.http.clone(),
        }
    }
}

/// The people of chamber 011's COE and a few others.
pub struct People {
    pub admin: Session,
    pub president: Session,
    pub assessor1: Session,
    pub assessor2: Session,
    pub cele: Session,
    pub observer: Session,
    pub other_president: Session,
    pub other_member: Session,
    pub cci_france: Session,
}

pub async fn people(h: &Harness) -> People {
    h.user("admin@cci-france.fr", "national_admin", "NATIONAL")
        .await;
    h.user("president@ain.cci.fr", "coe_president", "011").await;
    h.user("assesseur1@ain.cci.fr", "coe_member", "011").await;
    h.user("assesseur2@ain.cci.fr", "coe_member", "011").await;
    h.user("cele@ain.cci.fr", "cele", "011").await;
    h.user("observateur@ain.cci.fr", "observer", "011").await;
    h.user("president@grenoble.cci.fr", "coe_president", "381")
        .await;
    h.user("membre@grenoble.cci.fr", "coe_member", "381").await;
    h.user("stats@cci-france.fr", "cci_france", "NATIONAL")
        .await;
    People {
        admin: h.login("admin@cci-france.fr").await,
        president: h.login("president@ain.cci.fr").await,
        assessor1: h.login("assesseur1@ain.cci.fr").await,
        assessor2: h.login("assesseur2@ain.cci.fr").await,
        cele: h.login("cele@ain.cci.fr").await,
        observer: h.login("observateur@ain.cci.fr").await,
        other_president: h.login("president@grenoble.cci.fr").await,
        other_member: h.login("membre@grenoble.cci.fr").await,
        cci_france: h.login("stats@cci-france.fr").await,
    }
}

/// Uploads the fixtures' structure and the voters of chamber 011, enters its candidates
/// and seals its voters and candidates, all over HTTP.
pub async fn prepare(h: &Harness, p: &People) {
    let a = p
        .admin
        .post_bytes(
            "/admin/api/structure?name=structure.csv",
            fixture("structure.csv"),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "structure: {}", a.json);
    let a = p
        .cele
        .post_bytes(
            "/admin/api/chambers/011/voters?name=voters-011.csv",
            fixture("voters-011.csv"),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "voters: {}", a.json);
    let file: Value = serde_json::from_slice(&fixture("candidates.json")).unwrap();
    for c in file["contests"].as_array().unwrap() {
        let id = c["contest"].as_str().unwrap();
        if !id.starts_with("011-") {
            continue;
        }
        let mut entries = c["entries"].as_array().unwrap().clone();
        if id == "011-S/CCIT" {
            // Names that a spreadsheet would run as formulas (CSV injection).
            entries.push(json!({ "candidate": {
                "civility": "M.", "last_name": INJECTED_NAME, "first_name": "@Malin",
                "birth_date": "1971-02-03", "activity": "+commerce", "locality": "-Gex"
            }}));
        }
        let a = p
            .president
            .put(
                &format!("/admin/api/candidates?contest={id}"),
                &json!({ "entries": entries }),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "candidates {id}: {}", a.json);
    }
    for kind in ["voters", "candidates"] {
        let a = p
            .president
            .post(
                "/admin/api/seals",
                &json!({ "kind": kind, "scope": "chamber/011" }),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "seal {kind}: {}", a.json);
    }
    let _ = h;
}

/// One in-test trustee: what `scrutin trustee` keeps on the holder's computer.
pub struct Trustee<'a> {
    pub session: &'a Session,
    pub share: Option<TrusteeShare>,
}

/// Runs the whole ceremony of chamber 011 over HTTP with the given trustees (already named
/// by the president), each doing its own steps; returns their shares.
pub async fn run_ceremony(sessions: &[&Session]) -> Vec<TrusteeShare> {
    let path = "/admin/api/chambers/011/ceremony";
    let mut registered = Vec::new();
    for s in sessions {
        let v = s.get(path).await.json;
        let params: DkgParameters = serde_json::from_value(v["parameters"].clone()).unwrap();
        let i = v["you"].as_u64().unwrap() as u32;
        let (state, ann) = Registered::new(params, i, &mut OsRng).unwrap();
        let a = s.post(&format!("{path}/announcements"), &ann).await;
        assert_eq!(a.status, StatusCode::OK, "announcement: {}", a.json);
        registered.push(state);
    }
    let mut dealt = Vec::new();
    for (s, state) in sessions.iter().zip(registered) {
        let v = s.get(path).await.json;
        let roster: Vec<TransportKeyAnnouncement> =
            serde_json::from_value(v["transcript"]["roster"].clone()).unwrap();
        let (state, dealing) = state.deal(&roster, &mut OsRng).unwrap();
        let a = s.post(&format!("{path}/dealings"), &dealing).await;
        assert_eq!(a.status, StatusCode::OK, "dealing: {}", a.json);
        dealt.push(state);
    }
    let mut checked = Vec::new();
    for (s, state) in sessions.iter().zip(dealt) {
        let v = s.get(path).await.json;
        let dealings: Vec<Dealing> =
            serde_json::from_value(v["transcript"]["dealings"].clone()).unwrap();
        let (state, complaints) = state.check_dealings(&dealings, &mut OsRng).unwrap();
        let a = s
            .post(
                &format!("{path}/checks"),
                &json!({ "complaints": complaints }),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "check: {}", a.json);
        checked.push(state);
    }
    let mut shares = Vec::new();
    for (s, state) in sessions.iter().zip(checked) {
        let t = s.get(&format!("{path}/transcript")).await.json;
        let transcript: DkgTranscript = serde_json::from_value(t["transcript"].clone()).unwrap();
        let share = state.finalize(&transcript).unwrap();
        let a = s
            .post(
                &format!("{path}/confirmations"),
                &json!({
                    "verification_key": scrutin_crypto::encoding::point_to_hex(&share.verification_key()),
                    "transcript_digest": hex::encode(share.transcript_digest()),
                }),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "confirmation: {}", a.json);
        shares.push(share);
    }
    shares
}

/// A voter's credentials kept by the test (what the letter would carry).
pub struct Voter {
    pub right_id: String,
    pub scrutin_id: String,
    pub code: SecretCode,
}

/// Passphrase of chamber 011's letters file.
pub const LETTERS_PASSPHRASE: &str = "Courriers-CCI-Ain-2026";

/// The ballot boxes and voting material of chamber 011 under its election key, made by
/// the COE president over HTTP (admin-core's routes), then sealed; returns every voter's
/// credentials as read back from the encrypted letters file (what the printer receives).
/// The vote opens on 12 November 2026 at 09:00 and closes at midnight after the 19th.
pub async fn make_material(h: &Harness, president: &Session) -> Vec<Voter> {
    let a = president
        .post(
            "/admin/api/chambers/011/ballot-boxes",
            &json!({ "opens_at": "2026-11-12T09:00", "closes_on": "2026-11-19" }),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "ballot boxes: {}", a.json);
    let a = president
        .post(
            "/admin/api/chambers/011/credentials",
            &json!({ "passphrase": LETTERS_PASSPHRASE }),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "credentials: {}", a.json);
    let a = president
        .post(
            "/admin/api/seals",
            &json!({ "kind": "credentials", "scope": "chamber/011" }),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "seal credentials: {}", a.json);
    let file = std::fs::File::open(h.material.path().join("letters-011.scrutin")).unwrap();
    let letters =
        scrutin_store::letters::read_letters(file, LETTERS_PASSPHRASE.as_bytes()).unwrap();
    letters
        .iter()
        .map(|l| Voter {
            right_id: l.right_id.clone(),
            scrutin_id: l.scrutin.clone(),
            code: SecretCode::parse(&l.code).unwrap(),
        })
        .collect()
}

/// Casts one ballot through the stores' atomic cast, after checking it like the vote
/// server does. `choices` follow the scrutin's ballot style.
pub async fn vote(state: &AdminState, voter: &Voter, choices: &[ContestChoice]) {
    let s = state
        .stores
        .registry
        .scrutin(&voter.scrutin_id)
        .await
        .unwrap()
        .unwrap();
    let style: BallotStyle = serde_json::from_str(&s.ballot_style).unwrap();
    let key = voter.code.voting_signing_key("CCI-2026", &voter.scrutin_id);
    let ballot = encrypt_ballot(&style, choices, &key, &mut OsRng).unwrap();
    verify_ballot(&ballot, &style).unwrap();
    let code = ballot.tracking_code();
    let done = cast(
        &state.stores,
        state.now(),
        &CastBallot {
            right_id: &voter.right_id,
            scrutin_id: &voter.scrutin_id,
            voting_key: &ballot.voting_key,
            tracking_code: code.as_bytes(),
            ballot: &ballot.to_json(),
        },
    )
    .await
    .unwrap();
    assert!(done.is_ok(), "cast refused: {done:?}");
}

/// The aggregates and fingerprint of a started tally.
pub fn tally_inputs(view: &Value) -> (Vec<u8>, Vec<Ciphertext>) {
    let fingerprint = hex::decode(view["fingerprint"].as_str().unwrap()).unwrap();
    let encoded: Vec<scrutin_crypto::ballot::EncodedCiphertext> =
        serde_json::from_value(view["aggregates"].clone()).unwrap();
    let aggregates = encoded.iter().map(|e| e.decode().unwrap()).collect();
    (fingerprint, aggregates)
}

/// A trustee's decryption share of a started tally.
pub fn decryption_share(share: &TrusteeShare, view: &Value) -> DecryptionShare {
    let (fingerprint, aggregates) = tally_inputs(view);
    create_decryption_share(&fingerprint, share, &aggregates, &mut OsRng).unwrap()
}

/// Expected counts per contest: (blank, votes per option).
pub type Expected = BTreeMap<String, (u64, Vec<u64>)>;
