//! A small client of the admin server's JSON API, logged in as the holder.

use anyhow::{Context, anyhow, bail};
use reqwest::blocking::{Client, Response};
use reqwest::header::{COOKIE, SET_COOKIE};
use serde_json::{Value, json};

use super::Connection;
use super::secrets;

/// Name of the admin session cookie.
const SESSION_COOKIE: &str = "scrutin_admin";
/// Header carrying the CSRF token.
const CSRF_HEADER: &str = "x-csrf-token";

/// A logged-in session on the admin server.
pub struct AdminClient {
    base: String,
    http: Client,
    cookie: String,
    csrf: String,
}

impl std::fmt::Debug for AdminClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminClient")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

fn api_error(status: reqwest::StatusCode, body: &str) -> anyhow::Error {
    match serde_json::from_str::<Value>(body) {
        Ok(v) if v["error"]["message"].is_string() => anyhow!(
            "{} ({})",
            v["error"]["message"].as_str().unwrap_or_default(),
            v["error"]["code"].as_str().unwrap_or_default()
        ),
        _ => anyhow!("the server answered {status}: {body}"),
    }
}

fn json_of(response: Response) -> anyhow::Result<Value> {
    let status = response.status();
    let body = response.text().context("reading the server's answer")?;
    if !status.is_success() {
        return Err(api_error(status, &body));
    }
    serde_json::from_str(&body).context("the server's answer is not JSON")
}

impl AdminClient {
    /// Logs in with the connection's email, the account password (environment variable
    /// `SCRUTIN_ADMIN_PASSWORD` or the terminal) and the TOTP code if given.
    pub fn login(c: &Connection) -> anyhow::Result<AdminClient> {
        let password = secrets::admin_password(&c.email)?;
        AdminClient::login_with(c, &password)
    }

    /// Logs in with a given password.
    pub fn login_with(c: &Connection, password: &str) -> anyhow::Result<AdminClient> {
        let mut builder = Client::builder()
            .timeout(std::time::Duration::from_secs(120))
            .user_agent(concat!("scrutin-trustee/", env!("CARGO_PKG_VERSION")));
        if let Some(path) = &c.ca_cert {
            let pem = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            builder = builder.add_root_certificate(
                reqwest::Certificate::from_pem(&pem).context("the CA certificate is not PEM")?,
            );
        }
        let http = builder.build().context("starting the HTTP client")?;
        let base = c.server.trim_end_matches('/').to_owned();
        let response = http
            .post(format!("{base}/admin/api/session"))
            .json(&json!({ "email": c.email, "password": password, "totp": c.totp }))
            .send()
            .with_context(|| format!("connecting to {base}"))?;
        let cookie = response
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .find(|pair| pair.starts_with(&format!("{SESSION_COOKIE}=")))
            .map(str::to_owned);
        let body = json_of(response).context("login refused")?;
        let cookie = cookie.ok_or_else(|| anyhow!("the server opened no session"))?;
        let csrf = body["csrf"]
            .as_str()
            .ok_or_else(|| anyhow!("the server sent no CSRF token"))?
            .to_owned();
        Ok(AdminClient {
            base,
            http,
            cookie,
            csrf,
        })
    }

    /// `GET` a path of the API (`/admin/api/…`).
    pub fn get(&self, path: &str) -> anyhow::Result<Value> {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .header(COOKIE, &self.cookie)
            .send()
            .with_context(|| format!("GET {path}"))?;
        json_of(response).with_context(|| format!("GET {path}"))
    }

    /// `POST` a JSON body to a path of the API.
    pub fn post(&self, path: &str, body: &impl serde::Serialize) -> anyhow::Result<Value> {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .header(COOKIE, &self.cookie)
            .header(CSRF_HEADER, &self.csrf)
            .json(body)
            .send()
            .with_context(|| format!("POST {path}"))?;
        json_of(response).with_context(|| format!("POST {path}"))
    }

    /// Checks the chamber code before it goes into a path.
    pub fn chamber_path(chamber: &str) -> anyhow::Result<String> {
        if chamber.len() != 3 || !chamber.bytes().all(|b| b.is_ascii_digit()) {
            bail!("a chamber code has 3 digits, not {chamber:?}");
        }
        Ok(format!("/admin/api/chambers/{chamber}/ceremony"))
    }
}
