//! `scrutin demo`: both servers in one process on loopback, with an embedded SQLite store
//! and a demo election of one chamber built from `fixtures/` through the same steps
//! commissions take in the control interface (see [`setup`]). The data directory
//! (`./demo-data` by default) keeps everything, so a second start reuses it; `--fresh`
//! starts over.
//!
//! `--simulate N` votes N times over HTTP, closes, tallies with two of the three key
//! holders, prints the results and exits (see [`simulate`]).

mod saved;
mod setup;
mod simulate;
mod voter;
mod voters;

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use chrono::{Duration, Utc};
use scrutin_admin::auth::totp;
use scrutin_admin::{AdminConfig, AdminState};
use scrutin_store::keys::PlatformKeys;
use scrutin_store::letters::{Letter, read_letters};
use scrutin_store::{StoreLocation, Stores, SystemClock};
use scrutin_vote::{AppState, VoteConfig};
use tokio::net::TcpListener;

use saved::{DirState, Saved};

/// Arguments of `scrutin demo`.
#[derive(clap::Args)]
pub struct Args {
    /// Directory of the demo data: SQLite stores, platform keys, key-share files, letters.
    #[arg(long, default_value = "demo-data")]
    data: PathBuf,
    /// Start over: remove the demo data directory first.
    #[arg(long)]
    fresh: bool,
    /// Port of the voter site on 127.0.0.1 (0 picks a free port).
    #[arg(long, default_value_t = 8080)]
    vote_port: u16,
    /// Port of the control interface on 127.0.0.1 (0 picks a free port).
    #[arg(long, default_value_t = 8081)]
    admin_port: u16,
    /// Cast N ballots, close the vote, tally with 2 of the 3 key holders, print the
    /// results and exit.
    #[arg(long, value_name = "N")]
    simulate: Option<usize>,
    /// Synthetic voting rights added to the demo chamber's fixture voters (at set-up).
    #[arg(long, default_value_t = 200)]
    extra_voters: u64,
    /// How many hours the demo vote stays open (at set-up).
    #[arg(long, default_value_t = 4)]
    hours: u32,
    /// Print the current TOTP codes of the demo accounts that need one, and exit.
    #[arg(long)]
    totp: bool,
    /// The web pages (`voter/`, `admin/`); default `./web`, else the source tree's.
    #[arg(long)]
    web: Option<PathBuf>,
    /// The sample files; default `./fixtures`, else the source tree's.
    #[arg(long)]
    fixtures: Option<PathBuf>,
}

/// The voter pages' ballot client, built by `ballot-client-wasm/build.sh`.
const WASM: &str = "voter/wasm/scrutin_ballot.wasm";

/// `./name` when it exists (the README runs the demo from the repository), else the source
/// tree's copy.
fn source_dir(given: Option<PathBuf>, name: &str) -> PathBuf {
    if let Some(p) = given {
        return p;
    }
    let here = PathBuf::from(name);
    if here.is_dir() {
        return here;
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(name)
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

pub fn run(args: Args) -> anyhow::Result<()> {
    super::init_logs("warn");
    if args.totp {
        return print_totp(&args.data);
    }
    tokio::runtime::Runtime::new()?.block_on(run_async(args))
}

fn print_totp(dir: &Path) -> anyhow::Result<()> {
    let saved = Saved::load(dir)?;
    let now = Utc::now().timestamp();
    for a in &saved.accounts {
        if let Some(secret) = &a.totp_secret {
            let bytes = totp::base32_decode(secret).context("a saved TOTP secret")?;
            println!(
                "{}  {}  (valid for {} s more)",
                a.email,
                totp::code_at(&bytes, now),
                totp::STEP - now.rem_euclid(totp::STEP)
            );
        }
    }
    Ok(())
}

/// Binds a loopback port, with a clear message when it is taken.
async fn bind(port: u16, what: &str, option: &str) -> anyhow::Result<TcpListener> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    TcpListener::bind(addr).await.with_context(|| {
        format!("cannot listen on {addr} for the {what}: is another program using it? choose another port with {option} (0 picks a free one)")
    })
}

async fn run_async(args: Args) -> anyhow::Result<()> {
    let dir = absolute(&args.data);
    if args.fresh {
        saved::remove_demo_dir(&dir)?;
    }
    let dir_state = saved::dir_state(&dir)?;
    match dir_state {
        DirState::Foreign => bail!(
            "{} already holds other files: choose an empty or new directory with --data",
            dir.display()
        ),
        DirState::Unfinished => bail!(
            "the demo set-up in {} did not finish: start over with --fresh",
            dir.display()
        ),
        DirState::Empty | DirState::Ready => {}
    }
    let web = absolute(&source_dir(args.web.clone(), "web"));
    let fixtures = absolute(&source_dir(args.fixtures.clone(), "fixtures"));

    // Bind first: a port in use fails before any set-up, and the addresses go into the
    // configuration (letters and emails name the voter site).
    let listeners = match args.simulate {
        Some(_) => None,
        None => Some((
            bind(args.vote_port, "voter site", "--vote-port").await?,
            bind(args.admin_port, "control interface", "--admin-port").await?,
        )),
    };
    let (vote_url, admin_url) = match &listeners {
        Some((v, a)) => (
            format!("http://{}", v.local_addr()?),
            format!("http://{}", a.local_addr()?),
        ),
        None => ("http://127.0.0.1".to_owned(), "http://127.0.0.1".to_owned()),
    };

    let fresh = dir_state == DirState::Empty;
    if fresh {
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        std::fs::write(dir.join(saved::MARKER), "scrutin demo data\n")?;
        PlatformKeys::generate(&mut rand::rngs::OsRng).write(&dir.join("keys"))?;
    }
    let keys = PlatformKeys::load(&dir.join("keys"))?;
    let stores = Stores::open(&StoreLocation::Sqlite {
        dir: dir.join("store"),
    })
    .await
    .context("opening the demo's SQLite stores")?;
    let mut config = AdminConfig::new(web.join("admin"), setup::ELECTION_ID);
    config.vote_url = format!("{vote_url}/");
    config.admin_url = admin_url.clone();
    // Plain HTTP on loopback: a `Secure` cookie would not come back.
    config.secure_cookies = false;
    config.material_dir = dir.join("material");
    let admin = AdminState::from_keys(stores.clone(), config, &keys)
        .map_err(|e| anyhow::anyhow!(e.message()))?;
    // Building the router registers the seal subjects of the ceremony and the tally.
    let admin_app = scrutin_admin::router(admin.clone());

    let saved = if fresh {
        let extra = args.extra_voters.max(args.simulate.unwrap_or(0) as u64);
        println!(
            "Setting up the demo election in {} (CCI de l'Ain, {} synthetic voters added)…",
            dir.display(),
            extra
        );
        let s = setup::set_up(
            &admin,
            &setup::SetupInput {
                dir: &dir,
                fixtures: &fixtures,
                extra_voters: extra,
                open_for: Duration::hours(i64::from(args.hours.max(1))),
            },
        )
        .await?;
        s.write(&dir)?;
        s
    } else {
        Saved::load(&dir)?
    };

    let mut vote_config = VoteConfig::new(keys.clone());
    vote_config.web_dir = Some(web.join("voter"));
    let vote = AppState::new(stores.clone(), vote_config, Arc::new(SystemClock));
    let recovery = scrutin_vote::recover_at_start(&vote).await?;
    let letters = letters(&admin, &saved)?;
    let births = voters::birth_dates(
        &std::fs::read(dir.join("structure.csv"))?,
        &std::fs::read(dir.join(format!("voters-{}.csv", saved.chamber)))?,
    )?;

    let Some((vote_listener, admin_listener)) = listeners else {
        let n = args.simulate.unwrap_or(0);
        let platform_key = keys.platform_public().to_bytes();
        let outcome = simulate_run(
            &dir,
            &admin,
            &vote,
            &saved,
            &letters,
            &births,
            n,
            platform_key,
        )
        .await;
        stores.close().await;
        return outcome;
    };
    tokio::spawn(scrutin_vote::background(vote.clone(), recovery));
    print_info(
        &dir, &web, fresh, &vote_url, &admin_url, &admin, &saved, &letters, &births,
    )
    .await?;
    let vote_app = scrutin_vote::router(vote);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        stop_signal().await;
        let _ = stop_tx.send(true);
    });
    let shutdown = || {
        let mut rx = stop_rx.clone();
        async move {
            let _ = rx.wait_for(|stop| *stop).await;
        }
    };
    let served = tokio::try_join!(
        async {
            axum::serve(vote_listener, vote_app)
                .with_graceful_shutdown(shutdown())
                .await
                .context("voter site")
        },
        async {
            axum::serve(admin_listener, admin_app)
                .with_graceful_shutdown(shutdown())
                .await
                .context("control interface")
        },
    );
    stores.close().await;
    served?;
    println!("Demo stopped; its data stays in {}.", dir.display());
    Ok(())
}

/// Ctrl+C, or SIGTERM where there is one.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// How to run this very program again (the README runs it through `cargo run`).
fn this_program() -> String {
    std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "scrutin".into())
}

/// Every voter's letter, from the encrypted letters file the COE produced.
fn letters(admin: &AdminState, saved: &Saved) -> anyhow::Result<Vec<Letter>> {
    let path = admin
        .config
        .material_dir
        .join(format!("letters-{}.scrutin", saved.chamber));
    let file = std::fs::File::open(&path).with_context(|| format!("opening {}", path.display()))?;
    let letters = read_letters(
        std::io::BufReader::new(file),
        saved.letters_passphrase.as_bytes(),
    )
    .with_context(|| format!("reading {}", path.display()))?;
    Ok(letters)
}

#[allow(clippy::too_many_arguments)]
async fn simulate_run(
    dir: &Path,
    admin: &AdminState,
    vote: &AppState,
    saved: &Saved,
    letters: &[Letter],
    births: &HashMap<String, String>,
    n: usize,
    platform_key: [u8; 32],
) -> anyhow::Result<()> {
    if n == 0 {
        bail!("--simulate needs a number of ballots (1 or more)");
    }
    match setup::vote_window(admin).await? {
        Some((_, true)) => {}
        _ => bail!(
            "the demo vote in {} is not open any more: start over with --fresh",
            dir.display()
        ),
    }
    // The simulated voters reach the voting server over HTTP on a free loopback port.
    let listener = bind(0, "simulated voters", "--vote-port").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let app = scrutin_vote::router(vote.clone());
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    println!("Casting {n} ballots over HTTP through the voting server…");
    let codes = simulate::cast_ballots(admin, &base, letters, births, n).await?;
    server.abort();
    println!(
        "{} ballots accepted, each with a signed receipt. Closing the vote and tallying…",
        codes.len()
    );
    let outcomes = simulate::close_and_tally(admin, dir, saved).await?;
    println!();
    print!("{}", simulate::results_table(&outcomes, codes.len()));
    let results: Vec<&scrutin_admin::tally_compute::TallyResults> =
        outcomes.iter().map(|o| &o.results).collect();
    std::fs::write(
        dir.join("results.json"),
        serde_json::to_string_pretty(&results)?,
    )?;
    println!();
    println!(
        "Results also written to {}.",
        dir.join("results.json").display()
    );

    // The election record, then the independent verifier on it, given the platform key as
    // a member of the public would get it (from the voting site), not the record's copy.
    let record = dir.join("record");
    if record.exists() {
        std::fs::remove_dir_all(&record)
            .with_context(|| format!("removing {}", record.display()))?;
    }
    let summary = scrutin_store::record_export::export_record(&admin.stores, &record)
        .await
        .context("exporting the election record")?;
    println!();
    println!(
        "Election record exported to {} ({} files, {} ballots, manifest SHA-256 {}).",
        summary.path.display(),
        summary.files,
        summary.ballots,
        hex::encode(summary.manifest_sha256)
    );
    let options = scrutin_verify::VerifyOptions {
        platform_key: Some(platform_key),
        ..Default::default()
    };
    let path = summary.path.clone();
    let report =
        tokio::task::spawn_blocking(move || scrutin_verify::verify_path(&path, &options)).await?;
    println!();
    println!("{}", report.to_string().trim_end());
    if !report.passed() {
        bail!("the verifier refused the demo's election record");
    }
    println!();
    println!(
        "Verify it again yourself: {} verify {}",
        this_program(),
        summary.path.display()
    );
    Ok(())
}

/// The demo voters to print: up to five, spread over the scrutins, from the fixture voter
/// file (the synthetic rights come after), with whether each has voted already.
async fn demo_voters<'a>(
    admin: &AdminState,
    letters: &'a [Letter],
) -> anyhow::Result<Vec<(&'a Letter, bool)>> {
    let mut by_scrutin: BTreeMap<&str, Vec<&Letter>> = BTreeMap::new();
    let mut sorted: Vec<&Letter> = letters.iter().collect();
    sorted.sort_by(|a, b| a.right_id.cmp(&b.right_id));
    for l in sorted {
        by_scrutin.entry(l.scrutin.as_str()).or_default().push(l);
    }
    let mut picked = Vec::new();
    let mut round = 0;
    while picked.len() < 5 && by_scrutin.values().any(|v| v.len() > round) {
        for list in by_scrutin.values() {
            if let Some(l) = list.get(round)
                && picked.len() < 5
            {
                picked.push(*l);
            }
        }
        round += 1;
    }
    let mut out = Vec::new();
    for l in picked {
        let voted = admin
            .stores
            .electors
            .emargement(&l.right_id)
            .await?
            .is_some();
        out.push((l, voted));
    }
    Ok(out)
}

fn birth_text(jjmmaaaa: &str) -> String {
    if jjmmaaaa == "01011901" || jjmmaaaa.len() != 8 {
        "not asked (unknown in the voter file)".into()
    } else {
        format!("{}/{}/{}", &jjmmaaaa[..2], &jjmmaaaa[2..4], &jjmmaaaa[4..])
    }
}

#[allow(clippy::too_many_arguments)]
async fn print_info(
    dir: &Path,
    web: &Path,
    fresh: bool,
    vote_url: &str,
    admin_url: &str,
    admin: &AdminState,
    saved: &Saved,
    letters: &[Letter],
    births: &HashMap<String, String>,
) -> anyhow::Result<()> {
    let now = Utc::now();
    println!();
    println!(
        "scrutin demo: election {} of CCI de l'Ain (chamber {}), {} voting rights, data in {} ({})",
        saved.election_id,
        saved.chamber,
        letters.len(),
        dir.display(),
        if fresh { "new" } else { "reused" }
    );
    println!();
    println!("Voter site:        {vote_url}/");
    println!("Control interface: {admin_url}/admin/");
    if let Some((closes_at, open)) = setup::vote_window(admin).await? {
        let when = scrutin_store::clock::paris_text(closes_at, false);
        if open {
            println!("The vote is open; it closes {when}.");
        } else {
            println!(
                "The vote is not open any more (closing time {when}, or closed in the control \
                 interface): tally it there, or start over with --fresh."
            );
        }
    }
    if !web.join(WASM).exists() {
        println!();
        println!(
            "WARNING: the voter pages' ballot client {} is missing, so voters cannot vote in \
             the browser. Build it (Rust's wasm32 target, added by the script), then restart:",
            web.join(WASM).display()
        );
        println!("    bash ballot-client-wasm/build.sh");
    }
    println!();
    println!("Control-interface accounts (email, password, who):");
    for a in &saved.accounts {
        println!("  {:<30} {:<16} {}", a.email, a.password, a.label);
        if let Some(secret) = &a.totp_secret {
            let bytes = totp::base32_decode(secret).context("a saved TOTP secret")?;
            println!(
                "      second factor: TOTP secret {secret} (add it to an authenticator app); \
                 code now {}, fresh codes with `{} demo --totp --data {}`",
                totp::code_at(&bytes, now.timestamp()),
                this_program(),
                dir.display()
            );
        }
    }
    println!();
    println!("Demo voters (identifier, secret code, birth date asked at login):");
    for (l, voted) in demo_voters(admin, letters).await? {
        println!(
            "  {:<6} {:<12} {}  {}  born {}{}",
            l.scrutin,
            l.scrutin_label,
            l.identifier,
            l.code,
            birth_text(births.get(&l.right_id).map_or("", String::as_str)),
            if voted { "  (has voted)" } else { "" }
        );
    }
    println!();
    println!(
        "Key-share files of the COE's three key holders (any 2 decrypt), password {}:",
        saved.share_password
    );
    for (a, file) in saved.trustees().iter().zip(&saved.share_files) {
        println!("  {}  ({})", dir.join(file).display(), a.email);
    }
    println!();
    println!(
        "To tally: close the vote in the control interface (as the COE president), then two \
         holders each run, for each contest (e.g. {}-C/CCIR):",
        saved.chamber
    );
    if let (Some(a), Some(file)) = (saved.trustees().first(), saved.share_files.first()) {
        println!(
            "  SCRUTIN_ADMIN_PASSWORD='{}' SCRUTIN_SHARE_PASSWORD='{}' {} trustee decrypt \
             --server {admin_url} --email {} --share-file {} --contest {}-C/CCIR",
            a.password,
            saved.share_password,
            this_program(),
            a.email,
            dir.join(file).display(),
            saved.chamber
        );
    }
    println!();
    println!(
        "Stop with Ctrl+C. The data stays in {}: the next `scrutin demo` reuses it, \
         `--fresh` starts over.",
        dir.display()
    );
    Ok(())
}
