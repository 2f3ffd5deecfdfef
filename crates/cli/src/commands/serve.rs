//! `scrutin serve`: the voting server, the admin server (control interface), or both in one
//! process, from the command line. Both open the same stores and the same platform key
//! files; each listens on its own address (the control interface is never exposed
//! publicly), over HTTPS when given a certificate, plain HTTP on loopback only.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, bail};
use scrutin_admin::{AdminConfig, AdminState, SmtpConfig, SmtpSecurity};
use scrutin_store::keys::PlatformKeys;
use scrutin_store::{StoreLocation, Stores};
use scrutin_vote::TlsFiles;

/// Arguments of `scrutin serve`.
#[derive(clap::Args)]
pub struct Args {
    /// Run the voting server.
    #[arg(long)]
    vote: bool,
    /// Run the admin server (control interface) on its own address (--admin-listen).
    #[arg(long)]
    admin: bool,
    // Boxed: the options are large next to the other subcommands' arguments.
    #[command(flatten)]
    options: Box<scrutin_vote::run::VoteOptions>,
    #[command(flatten)]
    admin_options: Box<AdminOptions>,
}

/// Options of the admin server; the stores, key files and TLS files are the voting
/// server's options (`--store`, `--keys`, `--tls-cert`, `--tls-key`).
#[derive(Debug, Clone, clap::Args)]
pub struct AdminOptions {
    /// Address of the control interface.
    #[arg(long, default_value = "127.0.0.1:8081")]
    pub admin_listen: SocketAddr,
    /// Directory of the control interface's pages (`web/admin`).
    #[arg(long, default_value = "web/admin")]
    pub admin_web: PathBuf,
    /// Election identifier, bound into every key and fingerprint (« CCI-2026 »).
    #[arg(long, env = "SCRUTIN_ELECTION_ID")]
    pub election_id: Option<String>,
    /// Where the encrypted letters files (voting material) are kept until printed.
    #[arg(long, env = "SCRUTIN_MATERIAL", default_value = "material")]
    pub material: PathBuf,
    /// Public address of the voting site, printed on letters and emails.
    #[arg(long, env = "SCRUTIN_VOTE_URL")]
    pub vote_url: Option<String>,
    /// Address of the control interface as its users reach it (activation links).
    #[arg(long, env = "SCRUTIN_ADMIN_URL")]
    pub admin_url: Option<String>,
    /// SMTP relay host for voting material and notifications (none: sending is refused).
    #[arg(long, env = "SCRUTIN_SMTP_HOST")]
    pub smtp_host: Option<String>,
    /// SMTP relay port.
    #[arg(long, env = "SCRUTIN_SMTP_PORT", default_value_t = 587)]
    pub smtp_port: u16,
    /// SMTP transport security: `starttls`, `tls`, or `none` (a relay on this host only).
    #[arg(long, env = "SCRUTIN_SMTP_SECURITY", default_value = "starttls")]
    pub smtp_security: String,
    /// SMTP login (the password comes from the SCRUTIN_SMTP_PASSWORD variable).
    #[arg(long, env = "SCRUTIN_SMTP_USER")]
    pub smtp_user: Option<String>,
    /// Sender address of every email.
    #[arg(long, env = "SCRUTIN_MAIL_FROM")]
    pub mail_from: Option<String>,
    /// On a store without any account: create this national administrator, waiting for
    /// activation, and print the one-time activation link (it sets the password and the
    /// second factor in the browser).
    #[arg(long, value_name = "EMAIL")]
    pub first_admin: Option<String>,
}

/// The SMTP password's environment variable.
pub const SMTP_PASSWORD_ENV: &str = "SCRUTIN_SMTP_PASSWORD";

pub fn run(args: Args) -> anyhow::Result<()> {
    if !args.vote && !args.admin {
        bail!("say which server to run: `scrutin serve --vote`, `scrutin serve --admin`, or both");
    }
    super::init_logs("info");
    tokio::runtime::Runtime::new()?.block_on(async move {
        match (args.vote, args.admin) {
            (true, false) => scrutin_vote::run::run(*args.options).await,
            (false, true) => run_admin(&args.options, &args.admin_options).await,
            _ => {
                let vote = scrutin_vote::run::run(*args.options.clone());
                let admin = run_admin(&args.options, &args.admin_options);
                tokio::try_join!(vote, admin).map(|_| ())
            }
        }
    })
}

fn smtp(o: &AdminOptions) -> anyhow::Result<Option<SmtpConfig>> {
    let Some(host) = o.smtp_host.clone() else {
        return Ok(None);
    };
    let security = match o.smtp_security.as_str() {
        "starttls" => SmtpSecurity::StartTls,
        "tls" => SmtpSecurity::Tls,
        "none" => SmtpSecurity::None,
        other => bail!("--smtp-security: starttls, tls or none, not {other:?}"),
    };
    Ok(Some(SmtpConfig {
        host,
        port: o.smtp_port,
        security,
        username: o.smtp_user.clone(),
        // From the environment only: an option would show in the process list.
        password: std::env::var(SMTP_PASSWORD_ENV)
            .ok()
            .filter(|p| !p.is_empty()),
    }))
}

/// The admin server's configuration from the options.
pub fn admin_config(
    vote: &scrutin_vote::run::VoteOptions,
    o: &AdminOptions,
) -> anyhow::Result<AdminConfig> {
    let election_id = o
        .election_id
        .clone()
        .filter(|e| !e.trim().is_empty())
        .context("the admin server needs the election identifier: --election-id (or SCRUTIN_ELECTION_ID)")?;
    if !o.admin_web.join("index.html").exists() {
        bail!(
            "{} holds no index.html: give the control interface's pages with --admin-web",
            o.admin_web.display()
        );
    }
    let tls = vote.tls_cert.is_some();
    let scheme = if tls { "https" } else { "http" };
    let mut config = AdminConfig::new(&o.admin_web, election_id);
    config.vote_url = o
        .vote_url
        .clone()
        .unwrap_or_else(|| format!("{scheme}://{}/", vote.listen));
    config.admin_url = o
        .admin_url
        .clone()
        .unwrap_or_else(|| format!("{scheme}://{}", o.admin_listen));
    // Browsers send `Secure` cookies back over HTTPS only.
    config.secure_cookies = tls;
    config.material_dir = o.material.clone();
    config.smtp = smtp(o)?;
    if let Some(from) = &o.mail_from {
        config.mail_from = from.clone();
    }
    Ok(config)
}

/// Creates the first national administrator on a store without any account; returns its
/// one-time activation token.
async fn first_admin(state: &AdminState, email: &str) -> anyhow::Result<Option<String>> {
    if !state.stores.registry.admin_users().await?.is_empty() {
        println!("--first-admin ignored: the store already has accounts.");
        return Ok(None);
    }
    let spec = scrutin_admin::users::UserSpec {
        email: email.to_owned(),
        last_name: "national".into(),
        first_name: "Administrateur".into(),
        role: "national_admin".into(),
        perimeter: "NATIONAL".into(),
    };
    let created = scrutin_admin::users::create_user(state, &spec, "interface", None, None)
        .await
        .map_err(|e| anyhow::anyhow!(e.message()))?;
    Ok(Some(
        created
            .activation_token
            .context("the new account has no activation token")?,
    ))
}

/// Opens the stores and keys and serves the control interface until the process ends.
/// Prints `admin listening on <url>` on standard output once the socket is bound.
pub async fn run_admin(
    vote: &scrutin_vote::run::VoteOptions,
    o: &AdminOptions,
) -> anyhow::Result<()> {
    let config = admin_config(vote, o)?;
    let location = StoreLocation::parse(&vote.store)?;
    let stores = Stores::open_with(
        &location,
        scrutin_store::PoolSizes {
            postgres: vote.pg_connections,
            ..Default::default()
        },
    )
    .await?;
    let keys = PlatformKeys::load(&vote.keys)
        .with_context(|| format!("reading the platform keys in {}", vote.keys.display()))?;
    let state =
        AdminState::from_keys(stores, config, &keys).map_err(|e| anyhow::anyhow!(e.message()))?;
    let activation = match &o.first_admin {
        Some(email) => first_admin(&state, email)
            .await?
            .map(|token| (email.clone(), token)),
        None => None,
    };
    let valid_hours = state.config.activation_valid.num_hours();
    let public_url = o.admin_url.clone();
    let tls = match (&vote.tls_cert, &vote.tls_key) {
        (Some(cert), Some(key)) => Some(TlsFiles {
            cert: cert.clone(),
            key: key.clone(),
        }),
        _ => None,
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    scrutin_vote::serve(
        scrutin_admin::router(state),
        o.admin_listen,
        tls,
        move |addr| {
            println!("admin listening on {scheme}://{addr}");
            tracing::info!(%addr, "admin server listening");
            if let Some((email, token)) = activation {
                let base = public_url.unwrap_or_else(|| format!("{scheme}://{addr}"));
                println!(
                    "first administrator {email}: activate the account within {valid_hours} h at \
                     {}/admin/#/activation?jeton={token}",
                    base.trim_end_matches('/')
                );
            }
        },
    )
    .await?;
    Ok(())
}
