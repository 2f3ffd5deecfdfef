//! A real voting server on fresh stores (SQLite or PostgreSQL), provisioned from the
//! fixture files, and a client that votes like the voter pages do.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use ed25519_dalek::Signer;
use reqwest::StatusCode;
use scrutin_crypto::Scalar;
use scrutin_crypto::ballot::{Ballot, BallotStyle, ContestChoice, encrypt_ballot};
use scrutin_crypto::credentials::{Identifier, SecretCode};
use scrutin_crypto::elgamal::base_mul;
use scrutin_store::keys::PlatformKeys;
use scrutin_store::letters::{Letter, LettersWriter, read_letters};
use scrutin_store::provision::{self, ContestKeys, ElectionFiles, Schedule};
use scrutin_store::testing::FreshLocation;
use scrutin_store::{Kind, ManualClock, Stores};
use scrutin_vote::{AppState, VoteConfig, router};
use serde_json::Value;

pub const ELECTION: &str = "CCI-2026";
pub const PASSPHRASE: &[u8] = b"test letters passphrase";

/// Runs a test body on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(scrutin_store::Kind::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name(scrutin_store::Kind::Postgres).await
            }
        }
    )*};
}

pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

pub fn opening() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 8, 0, 0).unwrap()
}

pub fn election_files(voters: &[&str]) -> ElectionFiles {
    ElectionFiles {
        election_id: ELECTION.into(),
        structure: fixtures().join("structure.csv"),
        candidates: fixtures().join("candidates.json"),
        voters: voters.iter().map(|v| fixtures().join(v)).collect(),
    }
}

/// Provisions fresh stores from the fixtures (chamber 011) and returns the letters.
pub async fn provision(stores: &Stores, keys: &PlatformKeys, at: DateTime<Utc>) -> Vec<Letter> {
    let schedule = Schedule {
        opens_at: opening(),
        closes_at: scrutin_store::clock::paris_midnight_after(
            chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap(),
        )
        .unwrap(),
    };
    provision_with(stores, keys, schedule, &["voters-011.csv"], at).await
}

/// Provisions from the fixtures with a schedule and voter files; opens every scrutin.
pub async fn provision_with(
    stores: &Stores,
    keys: &PlatformKeys,
    schedule: Schedule,
    voters: &[&str],
    at: DateTime<Utc>,
) -> Vec<Letter> {
    let mut w = LettersWriter::new(Vec::new(), PASSPHRASE, &mut rand::rngs::OsRng).unwrap();
    let election_key = base_mul(&Scalar::from(424242u64));
    let done = provision::provision_files(
        stores,
        &keys.master,
        &election_files(voters),
        &ContestKeys::One(election_key),
        schedule,
        &mut w,
        at,
    )
    .await
    .unwrap();
    for s in &done.scrutins {
        provision::open_scrutin(stores, s, at).await.unwrap();
    }
    let (bytes, _) = w.finish().unwrap();
    read_letters(&bytes[..], PASSPHRASE).unwrap()
}

pub struct TestServer {
    pub fresh: Option<FreshLocation>,
    pub stores: Stores,
    pub state: AppState,
    pub clock: ManualClock,
    pub keys: PlatformKeys,
    pub api: Client,
    pub letters: Vec<Letter>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// An HTTP client of a running server (in-process or a child process).
#[derive(Clone)]
pub struct Client {
    pub base: String,
    pub client: reqwest::Client,
}

impl std::ops::Deref for TestServer {
    type Target = Client;
    fn deref(&self) -> &Client {
        &self.api
    }
}

impl TestServer {
    pub fn client_for(base: &str) -> Client {
        Client {
            base: base.to_string(),
            client: reqwest::Client::new(),
        }
    }

    pub async fn start(kind: Kind) -> TestServer {
        Self::start_with(kind, |_| {}).await
    }

    pub async fn start_with(kind: Kind, tweak: impl FnOnce(&mut VoteConfig)) -> TestServer {
        let fresh = FreshLocation::new(kind).await.unwrap();
        let stores = Stores::open(&fresh.location).await.unwrap();
        let keys = PlatformKeys::generate(&mut rand::rngs::OsRng);
        let now = opening() + Duration::hours(1);
        let letters = provision(&stores, &keys, now - Duration::days(10)).await;
        let clock = ManualClock::new(now);
        let mut config = VoteConfig::new(keys.clone());
        config.web_dir = Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/web"));
        tweak(&mut config);
        let state = AppState::new(stores.clone(), config, Arc::new(clock.clone()));
        let app = router(state.clone());
        let (tx, rx) = tokio::sync::oneshot::channel::<SocketAddr>();
        let server = tokio::spawn(async move {
            scrutin_vote::serve(app, "127.0.0.1:0".parse().unwrap(), None, move |a| {
                let _ = tx.send(a);
            })
            .await
            .unwrap();
        });
        let addr = rx.await.unwrap();
        TestServer {
            fresh: Some(fresh),
            stores,
            state,
            clock,
            keys,
            api: Self::client_for(&format!("http://{addr}")),
            letters,
            server,
        }
    }

    pub async fn finish(mut self) {
        self.server.abort();
        self.stores.close().await;
        if let Some(f) = self.fresh.take() {
            f.cleanup().await.unwrap();
        }
    }

    /// Letters of a scrutin.
    pub fn letters_of(&self, scrutin: &str) -> Vec<Letter> {
        self.letters
            .iter()
            .filter(|l| l.scrutin == scrutin)
            .cloned()
            .collect()
    }

    /// (émargements, ballots) of a scrutin.
    pub async fn counts(&self, scrutin: &str) -> (i64, i64) {
        (
            self.stores
                .electors
                .count_emargements(scrutin)
                .await
                .unwrap(),
            self.stores.ballots.count_ballots(scrutin).await.unwrap(),
        )
    }
}

impl Client {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn post_json(
        &self,
        path: &str,
        session: Option<&str>,
        body: &Value,
    ) -> (StatusCode, Value) {
        let mut req = self.client.post(self.url(path)).json(body);
        if let Some(s) = session {
            req = req.bearer_auth(s);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str, session: Option<&str>) -> (StatusCode, Value) {
        let mut req = self.client.get(self.url(path));
        if let Some(s) = session {
            req = req.bearer_auth(s);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// Step 1 with a given code; returns the answer of step 1b.
    pub async fn login_step1(&self, identifier: &str, code: &str) -> (StatusCode, Value) {
        let (st, ch) = self
            .post_json(
                "/api/v1/login/challenge",
                None,
                &serde_json::json!({ "identifier": identifier }),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{ch}");
        let nonce: [u8; 32] = hex::decode(ch["nonce"].as_str().unwrap())
            .unwrap()
            .try_into()
            .unwrap();
        let election = ch["election_id"].as_str().unwrap();
        let id = Identifier::parse(identifier).unwrap();
        let code = SecretCode::parse(code).unwrap();
        let key = code.login_signing_key(election, &id);
        let sig = key.sign(&scrutin_vote::routes::login::login_message(
            election, &id, &nonce,
        ));
        self.post_json(
            "/api/v1/login/key",
            None,
            &serde_json::json!({
                "identifier": identifier,
                "challenge": ch["challenge"],
                "signature": hex::encode(sig.to_bytes()),
            }),
        )
        .await
    }

    /// The birth date of a letter's right (JJMMAAAA), from the fixture.
    pub fn birth_date(&self, letter: &Letter) -> String {
        let structure = scrutin_election::read_structure(
            std::fs::File::open(fixtures().join("structure.csv")).unwrap(),
            &Default::default(),
        )
        .unwrap()
        .structure
        .unwrap();
        let mut rows = Vec::new();
        for file in [
            "voters-011.csv",
            "voters-381.csv",
            "voters-741.csv",
            "voters-971.csv",
        ] {
            let (r, _) = scrutin_election::read_voter_records(
                &structure,
                std::fs::File::open(fixtures().join(file)).unwrap(),
                &Default::default(),
            )
            .unwrap();
            rows.extend(r);
        }
        rows.iter()
            .find(|r| format!("{:013}", r.voter_id.value()) == letter.right_id)
            .unwrap()
            .birth_date
            .to_jjmmaaaa()
    }

    /// Both steps; returns a full session.
    pub async fn login(&self, letter: &Letter) -> String {
        let (st, body) = self.login_step1(&letter.identifier, &letter.code).await;
        assert_eq!(st, StatusCode::OK, "{body}");
        let session = body["session"].as_str().unwrap().to_string();
        if !body["birth_date_required"].as_bool().unwrap() {
            return session;
        }
        let (st, body) = self
            .post_json(
                "/api/v1/login/birth-date",
                Some(&session),
                &serde_json::json!({ "birth_date": self.birth_date(letter) }),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{body}");
        body["session"].as_str().unwrap().to_string()
    }

    pub async fn style(&self, session: &str) -> BallotStyle {
        let (st, sheet) = self.get("/api/v1/ballot-sheet", Some(session)).await;
        assert_eq!(st, StatusCode::OK, "{sheet}");
        serde_json::from_value(sheet["ballot_style"].clone()).unwrap()
    }

    /// A valid ballot of a letter for its scrutin (first option of each contest).
    pub fn ballot(&self, letter: &Letter, style: &BallotStyle) -> Ballot {
        let code = SecretCode::parse(&letter.code).unwrap();
        let key = code.voting_signing_key(style.election_id(), style.scrutin_id());
        let choices: Vec<ContestChoice> = style
            .contests()
            .iter()
            .map(|_| ContestChoice::select([0]))
            .collect();
        encrypt_ballot(style, &choices, &key, &mut rand::rngs::OsRng).unwrap()
    }

    pub async fn cast(&self, session: &str, ballot: &Ballot) -> (StatusCode, Value) {
        let resp = self
            .client
            .post(self.url("/api/v1/ballots"))
            .bearer_auth(session)
            .header("content-type", "application/json")
            .body(ballot.to_json())
            .send()
            .await
            .unwrap();
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// Casts, or `None` when the server does not answer (killed).
    pub async fn try_cast(&self, session: &str, ballot: &Ballot) -> Option<(u16, Value)> {
        let resp = self
            .client
            .post(self.url("/api/v1/ballots"))
            .bearer_auth(session)
            .header("content-type", "application/json")
            .body(ballot.to_json())
            .send()
            .await
            .ok()?;
        let status = resp.status().as_u16();
        let body = resp.json().await.ok()?;
        Some((status, body))
    }
}

pub fn code_of(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("<no error code>")
}
