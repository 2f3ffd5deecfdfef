//! `scrutin serve --admin` (and `--vote --admin` in one process) as a process on real
//! stores: the control interface answers, its first administrator activates the account
//! from the printed link (password and second factor) and logs in; the voting server
//! answers next to it.
#![allow(clippy::unwrap_used)]

mod output;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use scrutin_admin::auth::totp;
use serde_json::{Value, json};

const EMAIL: &str = "premier.admin@cci-france.fr";
const PASSWORD: &str = "Pont-Neuf-1607!";

struct Server {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(dir: &Path, which: &[&str], extra: &[&str]) -> Server {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut child = Command::new(env!("CARGO_BIN_EXE_scrutin"))
            .arg("serve")
            .args(which)
            .arg("--store")
            .arg(dir.join("store"))
            .arg("--keys")
            .arg(dir.join("keys"))
            .args(["--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0"])
            .arg("--admin-web")
            .arg(repo.join("web/admin"))
            .arg("--web")
            .arg(repo.join("web/voter"))
            .arg("--material")
            .arg(dir.join("material"))
            .args(["--election-id", "CCI-TEST-SERVE"])
            .args(extra)
            .env_remove("SCRUTIN_STORE")
            .env_remove("SCRUTIN_KEYS")
            .env_remove("SCRUTIN_ELECTION_ID")
            .env_remove("SCRUTIN_ADMIN_URL")
            .env_remove("SCRUTIN_VOTE_URL")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let rx = output::lines_of(stdout);
        Server { child, lines: rx }
    }

    /// The next printed line that starts with `prefix`, without it.
    fn line(&self, prefix: &str) -> String {
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(300))
                .unwrap_or_else(|e| panic!("no line {prefix:?} ({e})"));
            if let Some(rest) = line.strip_prefix(prefix) {
                return rest.trim().to_owned();
            }
        }
    }
}

fn post(
    client: &reqwest::blocking::Client,
    url: &str,
    body: Value,
) -> (u16, Value, Option<String>) {
    let r = client.post(url).json(&body).send().unwrap();
    let status = r.status().as_u16();
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("scrutin_admin="))
        .map(|v| v.split(';').next().unwrap().to_owned());
    (status, r.json().unwrap_or(Value::Null), cookie)
}

#[test]
fn the_admin_server_serves_and_its_first_administrator_activates_and_logs_in() {
    let dir = tempfile::tempdir().unwrap();
    scrutin_store::keys::PlatformKeys::generate(&mut rand::rngs::OsRng)
        .write(&dir.path().join("keys"))
        .unwrap();
    let client = reqwest::blocking::Client::new();
    let server = Server::start(dir.path(), &["--admin"], &["--first-admin", EMAIL]);
    let base = server.line("admin listening on");
    let link = server.line(&format!("first administrator {EMAIL}:"));
    let token = link.split("jeton=").nth(1).unwrap().to_owned();
    assert!(
        link.contains(&format!("{base}/admin/#/activation?jeton=")),
        "{link}"
    );

    // The pages and the API, with the security headers.
    let page = client.get(format!("{base}/admin/")).send().unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert!(page.headers().contains_key("content-security-policy"));
    assert!(page.text().unwrap().contains("<html"));
    let me = client
        .get(format!("{base}/admin/api/session"))
        .send()
        .unwrap();
    assert_eq!(me.status().as_u16(), 401);

    // Activation: the password first, then the second factor's enrolment is confirmed.
    let url = format!("{base}/admin/api/activation");
    let (status, answer, _) = post(
        &client,
        &url,
        json!({ "token": token, "password": PASSWORD }),
    );
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["status"], "totp_enrolment");
    let secret = totp::base32_decode(answer["totp_secret"].as_str().unwrap()).unwrap();
    let now = chrono::Utc::now().timestamp();
    let (status, answer, _) = post(
        &client,
        &url,
        json!({ "token": token, "password": PASSWORD, "totp": totp::code_at(&secret, now) }),
    );
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["status"], "active");

    // Login with the next time step's code (accepted within the window; the activation
    // used the current one, and a code is never accepted twice).
    let (status, answer, cookie) = post(
        &client,
        &format!("{base}/admin/api/session"),
        json!({ "email": EMAIL, "password": PASSWORD, "totp": totp::code_at(&secret, now + totp::STEP) }),
    );
    assert_eq!(status, 200, "{answer}");
    let me: Value = client
        .get(format!("{base}/admin/api/session"))
        .header("cookie", cookie.unwrap())
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(me["user"]["email"], EMAIL, "{me}");
    assert_eq!(me["user"]["role"], "national_admin", "{me}");
    drop(server);

    // Both servers in one process on the same stores: the account is still there, so no
    // second first administrator.
    let both = Server::start(
        dir.path(),
        &["--vote", "--admin"],
        &["--first-admin", "autre@cci-france.fr"],
    );
    // The two servers start concurrently: their lines come in any order.
    let mut vote = None;
    let mut admin = None;
    let mut ignored = false;
    while vote.is_none() || admin.is_none() || !ignored {
        let line = both.lines.recv_timeout(Duration::from_secs(300)).unwrap();
        if let Some(url) = line.strip_prefix("listening on ") {
            vote = Some(url.trim().to_owned());
        } else if let Some(url) = line.strip_prefix("admin listening on ") {
            admin = Some(url.trim().to_owned());
        } else if line == "--first-admin ignored: the store already has accounts." {
            ignored = true;
        }
    }
    let scrutins: Value = client
        .get(format!("{}/api/v1/scrutins", vote.unwrap()))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(scrutins["scrutins"], json!([]), "{scrutins}");
    let page = client
        .get(format!("{}/admin/", admin.unwrap()))
        .send()
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
}

#[test]
fn the_admin_server_needs_an_election_id_and_refuses_plain_http_off_loopback() {
    let dir = tempfile::tempdir().unwrap();
    scrutin_store::keys::PlatformKeys::generate(&mut rand::rngs::OsRng)
        .write(&dir.path().join("keys"))
        .unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let base = |args: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_scrutin"));
        c.arg("serve")
            .arg("--admin")
            .arg("--store")
            .arg(dir.path().join("store"))
            .arg("--keys")
            .arg(dir.path().join("keys"))
            .arg("--admin-web")
            .arg(repo.join("web/admin"))
            .args(args)
            .env_remove("SCRUTIN_ELECTION_ID");
        c.output().unwrap()
    };
    let out = base(&[]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--election-id"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = base(&["--election-id", "CCI-TEST", "--admin-listen", "0.0.0.0:0"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("loopback"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
