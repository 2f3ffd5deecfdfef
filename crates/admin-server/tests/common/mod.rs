//! Test harness: the admin router on fresh stores (SQLite or PostgreSQL), served over real
//! HTTP on a loopback port, a manual clock, a local SMTP catcher, and helpers to create
//! users, log in and call the API with the session cookie and CSRF token.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{TimeZone, Utc};
use ed25519_dalek::SigningKey;
use reqwest::{Method, StatusCode};
use scrutin_admin::auth::totp;
use scrutin_admin::users::{UserSpec, create_user};
use scrutin_admin::{AdminConfig, AdminState, PasswordCost, SmtpConfig, SmtpSecurity};
use scrutin_store::sealing::MasterKey;
use scrutin_store::testing::FreshLocation;
use scrutin_store::{Kind, ManualClock, Stores};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// Runs an async test body against SQLite and against PostgreSQL.
macro_rules! both_backends {
    ($name:ident, $body:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$body(scrutin_store::Kind::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$body(scrutin_store::Kind::Postgres).await;
            }
        }
    };
}

/// The repository's fixtures.
pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// A password that passes the policy.
pub const PASSWORD: &str = "Vert-Galant-1607!";

/// The TOTP secret the harness gives an account that needs one.
pub fn secret_for(email: &str) -> Vec<u8> {
    let mut s = [0u8; 20];
    for (i, b) in email.bytes().enumerate() {
        s[i % 20] ^= b;
    }
    s.to_vec()
}

/// One email the catcher received.
#[derive(Clone, Debug)]
pub struct Caught {
    /// Envelope recipients.
    pub to: Vec<String>,
    /// The message as sent (headers and body).
    pub data: String,
}

impl Caught {
    /// The decoded text of the message (quoted-printable or base64 parts decoded).
    pub fn text(&self) -> String {
        let lower = self.data.to_lowercase();
        if lower.contains("content-transfer-encoding: base64") {
            use base64::Engine;
            let body = self
                .data
                .split("\r\n\r\n")
                .skip(1)
                .collect::<Vec<_>>()
                .join("\n");
            let mut out = String::new();
            for chunk in body.split("\r\n\r\n") {
                let cleaned: String = chunk.chars().filter(|c| !c.is_whitespace()).collect();
                if let Ok(b) = base64::engine::general_purpose::STANDARD.decode(cleaned) {
                    out.push_str(&String::from_utf8_lossy(&b));
                }
            }
            format!("{}\n{out}", self.data)
        } else {
            // Quoted-printable: soft breaks, then =XX escapes.
            let s = self.data.replace("=\r\n", "");
            let bytes = s.as_bytes();
            let mut out = Vec::with_capacity(bytes.len());
            let mut i = 0;
            while i < bytes.len() {
                if bytes[i] == b'='
                    && i + 2 < bytes.len()
                    && let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16)
                {
                    out.push(v);
                    i += 3;
                    continue;
                }
                out.push(bytes[i]);
                i += 1;
            }
            String::from_utf8_lossy(&out).into_owned()
        }
    }
}

/// A local SMTP server that keeps what it receives; it refuses recipients whose address
/// contains `refuse`.
#[derive(Clone)]
pub struct SmtpCatcher {
    /// Its port on 127.0.0.1.
    pub port: u16,
    messages: Arc<Mutex<Vec<Caught>>>,
    arrived: Arc<tokio::sync::Notify>,
}

impl SmtpCatcher {
    /// Starts the catcher.
    pub async fn start() -> SmtpCatcher {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let catcher = SmtpCatcher {
            port,
            messages: Arc::new(Mutex::new(Vec::new())),
            arrived: Arc::new(tokio::sync::Notify::new()),
        };
        let c = catcher.clone();
        tokio::spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                let c = c.clone();
                tokio::spawn(async move {
                    let _ = c.session(socket).await;
                });
            }
        });
        catcher
    }

    async fn session(&self, socket: tokio::net::TcpStream) -> std::io::Result<()> {
        let (r, mut w) = socket.into_split();
        let mut r = BufReader::new(r);
        w.write_all(b"220 catcher ESMTP\r\n").await?;
        let mut to = Vec::new();
        let mut line = String::new();
        loop {
            line.clear();
            if r.read_line(&mut line).await? == 0 {
                return Ok(());
            }
            let cmd = line.trim_end().to_uppercase();
            if cmd.starts_with("EHLO") {
                w.write_all(b"250-catcher\r\n250 8BITMIME\r\n").await?;
            } else if cmd.starts_with("HELO")
                || cmd.starts_with("MAIL FROM")
                || cmd.starts_with("RSET")
                || cmd.starts_with("NOOP")
            {
                w.write_all(b"250 OK\r\n").await?;
            } else if cmd.starts_with("RCPT TO") {
                let addr = line.trim_end()[8..]
                    .trim()
                    .trim_matches(|c| c == '<' || c == '>')
                    .to_owned();
                if addr.contains("refuse") {
                    w.write_all(b"550 no such mailbox\r\n").await?;
                } else {
                    to.push(addr);
                    w.write_all(b"250 OK\r\n").await?;
                }
            } else if cmd == "DATA" {
                w.write_all(b"354 go on\r\n").await?;
                let mut data = String::new();
                loop {
                    line.clear();
                    if r.read_line(&mut line).await? == 0 {
                        return Ok(());
                    }
                    if line == ".\r\n" {
                        break;
                    }
                    data.push_str(&line);
                }
                self.messages.lock().unwrap().push(Caught {
                    to: std::mem::take(&mut to),
                    data,
                });
                self.arrived.notify_waiters();
                w.write_all(b"250 queued\r\n").await?;
            } else if cmd == "QUIT" {
                w.write_all(b"221 bye\r\n").await?;
                return Ok(());
            } else {
                w.write_all(b"502 unknown\r\n").await?;
            }
        }
    }

    /// Every message so far.
    pub fn messages(&self) -> Vec<Caught> {
        self.messages.lock().unwrap().clone()
    }

    /// Waits (event-driven, with a generous failure deadline) until `n` messages arrived.
    pub async fn wait_for(&self, n: usize) -> Vec<Caught> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            let notified = self.arrived.notified();
            let now = self.messages();
            if now.len() >= n {
                return now;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!(
                    "expected {n} emails, got {}: {:?}",
                    self.messages().len(),
                    self.messages()
                );
            }
        }
    }
}

/// A running admin server on fresh stores.
pub struct TestApp {
    /// Base URL (`http://127.0.0.1:port`).
    pub url: String,
    /// The state the router serves.
    pub state: AdminState,
    /// The clock (starts on 2026-11-02 09:00 UTC).
    pub clock: ManualClock,
    /// The SMTP catcher the server sends to.
    pub smtp: SmtpCatcher,
    /// HTTP client.
    pub http: reqwest::Client,
    /// Temporary directory (material files).
    pub dir: tempfile::TempDir,
    _location: FreshLocation,
}

/// A logged-in user.
#[derive(Clone, Debug)]
pub struct Session {
    /// `scrutin_admin=…`.
    pub cookie: String,
    /// CSRF token.
    pub csrf: String,
    /// Email.
    pub email: String,
}

/// An answer: status and JSON body (`Value::Null` when not JSON).
#[derive(Debug)]
pub struct Answer {
    /// Status.
    pub status: StatusCode,
    /// JSON body.
    pub json: Value,
    /// Raw body.
    pub bytes: Vec<u8>,
    /// Headers.
    pub headers: reqwest::header::HeaderMap,
}

impl Answer {
    /// The error code of an error answer.
    pub fn code(&self) -> &str {
        self.json["error"]["code"].as_str().unwrap_or("")
    }
}

impl TestApp {
    /// Starts the server on fresh stores of `kind`.
    pub async fn start(kind: Kind) -> TestApp {
        let location = FreshLocation::new(kind).await.unwrap();
        let stores = Stores::open(&location.location).await.unwrap();
        let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap());
        let smtp = SmtpCatcher::start().await;
        let dir = tempfile::tempdir().unwrap();
        let mut config = AdminConfig::new(AdminConfig::source_web_dir(), "CCI-2026");
        config.password_cost = PasswordCost {
            memory_kib: 1024,
            passes: 1,
        };
        config.secure_cookies = true;
        config.material_dir = dir.path().join("material");
        config.mail_from = "Élections CCI <elections@scrutin.test>".into();
        config.vote_url = "https://vote.scrutin.test".into();
        config.smtp = Some(SmtpConfig {
            host: "127.0.0.1".into(),
            port: smtp.port,
            security: SmtpSecurity::None,
            username: None,
            password: None,
        });
        let state = AdminState::with_clock(
            stores,
            config,
            SigningKey::from_bytes(&[7u8; 32]),
            MasterKey::from_bytes([9u8; 32]),
            Arc::new(clock.clone()),
        )
        .unwrap();
        let router = scrutin_admin::router(state.clone());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        TestApp {
            url: format!("http://{addr}"),
            state,
            clock,
            smtp,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            dir,
            _location: location,
        }
    }

    /// Creates an active user; with TOTP (needed for national or extended rights) returns
    /// its secret too.
    pub async fn user(&self, email: &str, role: &str, perimeter: &str) -> Option<Vec<u8>> {
        let spec = UserSpec {
            email: email.into(),
            last_name: "Testeur".into(),
            first_name: "Camille".into(),
            role: role.into(),
            perimeter: perimeter.into(),
        };
        let needs = scrutin_admin::auth::needs_totp(
            scrutin_admin::auth::Role::parse(role).unwrap(),
            &scrutin_election::Perimeter::parse(perimeter).unwrap(),
        );
        let secret = needs.then(|| secret_for(email));
        create_user(
            &self.state,
            &spec,
            "interface",
            Some(PASSWORD),
            secret.as_deref(),
        )
        .await
        .unwrap();
        if let Some(s) = &secret {
            // The secret is confirmed as an activation would.
            let row = self
                .state
                .stores
                .registry
                .admin_user_by_email(email)
                .await
                .unwrap()
                .unwrap();
            self.state
                .stores
                .registry
                .accept_admin_totp_step(&row.id, 1)
                .await
                .unwrap();
            return Some(s.clone());
        }
        None
    }

    /// The current TOTP code of a secret (and moves the clock one step on, so that the
    /// next code differs: each code is accepted once).
    pub fn totp(&self, secret: &[u8]) -> String {
        use scrutin_store::Clock;
        self.clock.advance(chrono::Duration::seconds(30));
        totp::code_at(secret, self.clock.now().timestamp())
    }

    /// Raw request.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        session: Option<&Session>,
        body: Option<(&str, Vec<u8>)>,
        csrf: bool,
    ) -> Answer {
        let mut rq = self.http.request(method, format!("{}{path}", self.url));
        if let Some(s) = session {
            rq = rq.header("Cookie", &s.cookie);
            if csrf {
                rq = rq.header("X-CSRF-Token", &s.csrf);
            }
        }
        if let Some((ct, bytes)) = body {
            rq = rq.header("Content-Type", ct).body(bytes);
        }
        let resp = rq.send().await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await.unwrap().to_vec();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Answer {
            status,
            json,
            bytes,
            headers,
        }
    }

    /// GET with a session.
    pub async fn get(&self, s: &Session, path: &str) -> Answer {
        self.request(Method::GET, path, Some(s), None, true).await
    }

    /// A JSON request with session and CSRF token.
    pub async fn send(&self, method: Method, s: &Session, path: &str, body: Value) -> Answer {
        self.request(
            method,
            path,
            Some(s),
            Some(("application/json", serde_json::to_vec(&body).unwrap())),
            true,
        )
        .await
    }

    /// POST JSON.
    pub async fn post(&self, s: &Session, path: &str, body: Value) -> Answer {
        self.send(Method::POST, s, path, body).await
    }

    /// POST raw bytes (a file).
    pub async fn upload(
        &self,
        s: &Session,
        path: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Answer {
        self.request(
            Method::POST,
            path,
            Some(s),
            Some((content_type, bytes)),
            true,
        )
        .await
    }

    /// Logs in; panics on failure.
    pub async fn login(&self, email: &str, totp_secret: Option<&[u8]>) -> Session {
        let a = self
            .try_login(email, PASSWORD, totp_secret.map(|s| self.totp(s)))
            .await;
        assert_eq!(a.status, StatusCode::OK, "login {email}: {:?}", a.json);
        let set_cookie = a.headers.get("set-cookie").unwrap().to_str().unwrap();
        let cookie = set_cookie.split(';').next().unwrap().to_owned();
        Session {
            cookie,
            csrf: a.json["csrf"].as_str().unwrap().to_owned(),
            email: email.into(),
        }
    }

    /// Tries to log in.
    pub async fn try_login(&self, email: &str, password: &str, totp: Option<String>) -> Answer {
        let mut body = json!({ "email": email, "password": password });
        if let Some(t) = totp {
            body["totp"] = json!(t);
        }
        self.request(
            Method::POST,
            "/admin/api/session",
            None,
            Some(("application/json", serde_json::to_vec(&body).unwrap())),
            false,
        )
        .await
    }

    /// A national administrator, logged in (created on first use).
    pub async fn admin(&self) -> Session {
        let email = "admin@scrutin.test";
        if self
            .state
            .stores
            .registry
            .admin_user_by_email(email)
            .await
            .unwrap()
            .is_none()
        {
            self.user(email, "national_admin", "NATIONAL").await;
        }
        self.login(email, Some(&secret_for(email))).await
    }

    /// Uploads the fixture structure file as `admin`.
    pub async fn load_structure(&self, admin: &Session) {
        let bytes = std::fs::read(fixtures().join("structure.csv")).unwrap();
        let a = self
            .upload(
                admin,
                "/admin/api/structure?name=structure.csv",
                "text/csv",
                bytes,
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{:?}", a.json);
    }
}
