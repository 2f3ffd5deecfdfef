//! Settings of the admin server.

use std::path::PathBuf;

use chrono::Duration;

/// How the server reaches its SMTP relay for voting material and notifications.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmtpConfig {
    /// Relay host.
    pub host: String,
    /// Relay port.
    pub port: u16,
    /// Transport security.
    pub security: SmtpSecurity,
    /// Login, if the relay wants one.
    pub username: Option<String>,
    /// Password for that login.
    pub password: Option<String>,
}

/// Transport security towards the SMTP relay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain SMTP: only for a relay on the same host (and the tests' catcher).
    None,
    /// STARTTLS upgrade (port 587).
    StartTls,
    /// Implicit TLS (port 465).
    Tls,
}

/// Cost of the Argon2id password hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PasswordCost {
    /// Memory, in KiB.
    pub memory_kib: u32,
    /// Passes.
    pub passes: u32,
}

impl Default for PasswordCost {
    /// 19 MiB, 2 passes: the OWASP baseline for Argon2id, about 30 ms here.
    fn default() -> Self {
        PasswordCost {
            memory_kib: 19 * 1024,
            passes: 2,
        }
    }
}

/// Settings of the admin server.
#[derive(Clone, Debug)]
pub struct AdminConfig {
    /// The directory of the interface's pages (`web/admin`).
    pub web_dir: PathBuf,
    /// Election identifier, bound into every contest fingerprint (« CCI-2026 »).
    pub election_id: String,
    /// Public address of the voting site, printed on letters and emails.
    pub vote_url: String,
    /// Address of this interface as its users reach it (activation links in emails).
    pub admin_url: String,
    /// Session cookies carry `Secure` (turn off only for plain-HTTP tests outside a browser).
    pub secure_cookies: bool,
    /// A session ends after this long without a request.
    pub session_idle: Duration,
    /// A session ends after this long whatever happens.
    pub session_max: Duration,
    /// Failed logins in a row before the account is locked.
    pub login_failures: i64,
    /// How long a lock lasts.
    pub lock_for: Duration,
    /// How long an activation link stays valid.
    pub activation_valid: Duration,
    /// Largest JSON body.
    pub body_limit: usize,
    /// Largest uploaded CSV file (structure, voters, users).
    pub upload_limit: usize,
    /// Largest statement (profession de foi) PDF.
    pub statement_limit: usize,
    /// Cost of password hashing.
    pub password_cost: PasswordCost,
    /// SMTP relay; `None` disables sending (emails are then refused with a clear error).
    pub smtp: Option<SmtpConfig>,
    /// Sender address of every email.
    pub mail_from: String,
    /// Name shown as the TOTP issuer in authenticator apps.
    pub totp_issuer: String,
    /// Where the encrypted letters files (the voting material, with the secret codes) are
    /// kept until printed and sent.
    pub material_dir: PathBuf,
}

impl AdminConfig {
    /// Defaults for an election, with the pages in `web_dir`.
    pub fn new(web_dir: impl Into<PathBuf>, election_id: impl Into<String>) -> AdminConfig {
        AdminConfig {
            web_dir: web_dir.into(),
            election_id: election_id.into(),
            vote_url: "https://vote.example.invalid".into(),
            admin_url: "https://admin.example.invalid".into(),
            secure_cookies: true,
            session_idle: Duration::minutes(30),
            session_max: Duration::hours(12),
            login_failures: 5,
            lock_for: Duration::minutes(15),
            activation_valid: Duration::hours(72),
            body_limit: 256 * 1024,
            upload_limit: 256 * 1024 * 1024,
            statement_limit: 10 * 1024 * 1024,
            password_cost: PasswordCost::default(),
            smtp: None,
            mail_from: "Élections CCI <elections@example.invalid>".into(),
            totp_issuer: "scrutin".into(),
            material_dir: PathBuf::from("material"),
        }
    }

    /// The `web/admin` directory of this source tree (tests, demo).
    pub fn source_web_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../web/admin")
    }
}
