//! `scrutin bench`: the load generator of the voting server (`cast`) and the credential
//! generation benchmark (`credentials`). Figures go to `docs/performance.md`.
//!
//! Both build fresh stores (a temporary SQLite directory, or new PostgreSQL databases
//! with their roles, dropped at the end) holding the "typical ballot" election of the
//! performance budget: one scrutin, CCIR 6 candidates / 3 seats and CCIT 15 / 8.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use chrono::Utc;
use ed25519_dalek::Signer;
use rand::{Rng, SeedableRng};
use rayon::prelude::*;
use scrutin_crypto::ballot::{Ballot, BallotStyle, ContestChoice, encrypt_ballot};
use scrutin_crypto::credentials::{Identifier, SecretCode};
use scrutin_store::keys::PlatformKeys;
use scrutin_store::letters::{LettersWriter, read_letters};
use scrutin_store::provision::{self, ContestKeys, Schedule};
use scrutin_store::testing::{FreshLocation, typical_election};
use scrutin_store::{Kind, Stores, SystemClock};
use serde_json::{Value, json};

const ELECTION: &str = "BENCH-2026";
const PASSPHRASE: &[u8] = b"bench letters passphrase";

/// Subcommands of `scrutin bench`.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Load generator: casts pre-computed valid ballots over HTTP against a voting server
    /// and reports ballots/s and latency percentiles.
    Cast(CastArgs),
    /// Generates the voting material of many rights and reports the time.
    Credentials(CredentialsArgs),
    /// Verifies a large synthetic election record and measures the cost floor.
    Verify(super::bench_verify::VerifyArgs),
}

/// Store engine.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Backend {
    /// Embedded SQLite files.
    Sqlite,
    /// PostgreSQL (see --pg-admin).
    Postgres,
}

impl From<Backend> for Kind {
    fn from(b: Backend) -> Kind {
        match b {
            Backend::Sqlite => Kind::Sqlite,
            Backend::Postgres => Kind::Postgres,
        }
    }
}

/// Arguments of `scrutin bench cast`.
#[derive(clap::Args)]
pub struct CastArgs {
    /// Store engine.
    #[arg(long, value_enum, default_value = "postgres")]
    backend: Backend,
    /// PostgreSQL superuser URL (databases and roles are created and dropped).
    #[arg(long, env = "SCRUTIN_TEST_PG", default_value = scrutin_store::testing::DEFAULT_TEST_PG)]
    pg_admin: String,
    /// Voting rights, hence ballots cast.
    #[arg(long, default_value_t = 4000)]
    rights: u64,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Proof batches checked at once by the server (default: one per core).
    #[arg(long)]
    verify_concurrency: Option<usize>,
    /// Ballots a proof batch waits for while another runs (default: the server's).
    #[arg(long)]
    verify_gather: Option<usize>,
}

/// Arguments of `scrutin bench credentials`.
#[derive(clap::Args)]
pub struct CredentialsArgs {
    /// Store engine.
    #[arg(long, value_enum, default_value = "sqlite")]
    backend: Backend,
    /// PostgreSQL superuser URL.
    #[arg(long, env = "SCRUTIN_TEST_PG", default_value = scrutin_store::testing::DEFAULT_TEST_PG)]
    pg_admin: String,
    /// Voting rights.
    #[arg(long, default_value_t = 2_000_000)]
    rights: u64,
}

pub fn run(command: Command) -> anyhow::Result<()> {
    // RUST_LOG=scrutin_store=debug shows the phases of a generation.
    super::init_logs("warn");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match command {
        Command::Cast(args) => rt.block_on(cast(args)),
        Command::Credentials(args) => rt.block_on(credentials(args)),
        Command::Verify(args) => super::bench_verify::run(args),
    }
}

async fn setup(
    kind: Kind,
    pg_admin: &str,
    rights: u64,
) -> anyhow::Result<(
    FreshLocation,
    Stores,
    PlatformKeys,
    Vec<scrutin_election::VoterRecord>,
)> {
    let fresh = FreshLocation::new_on(kind, pg_admin)
        .await
        .context("creating fresh stores")?;
    let stores = Stores::open(&fresh.location).await?;
    let keys = PlatformKeys::generate(&mut rand::rngs::OsRng);
    let t = Instant::now();
    let (election, records) = typical_election(ELECTION, rights, 7)?;
    let now = Utc::now();
    let secret = scrutin_crypto::Scalar::from(rand::rngs::OsRng.r#gen::<u64>());
    provision::load_election(
        &stores,
        &election,
        &ContestKeys::One(scrutin_crypto::elgamal::base_mul(&secret)),
        Schedule {
            opens_at: now - chrono::Duration::hours(1),
            closes_at: now + chrono::Duration::days(1),
        },
        now,
    )
    .await?;
    eprintln!(
        "election and {} voter rows built in {:.1} s",
        records.len(),
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    provision::import_voters(&stores, &keys.master, &records, now).await?;
    eprintln!(
        "{} rights imported (sealed) in {:.1} s",
        records.len(),
        t.elapsed().as_secs_f64()
    );
    Ok((fresh, stores, keys, records))
}

async fn credentials(args: CredentialsArgs) -> anyhow::Result<()> {
    let (fresh, stores, keys, records) =
        setup(args.backend.into(), &args.pg_admin, args.rights).await?;
    drop(records);
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("letters.bin");
    let mut w = LettersWriter::new(
        std::io::BufWriter::new(scrutin_store::letters::create_file(&path)?),
        PASSPHRASE,
        &mut rand::rngs::OsRng,
    )?;
    // The floor is measured before and after the generation: on a shared machine the
    // cores' speed drifts by a third within minutes, and the generation is read against
    // the mean of the two.
    let rights = usize::try_from(args.rights).unwrap_or(usize::MAX);
    let floor_before = credentials_floor(rights);
    let cpu = super::bench_verify::cpu_seconds().unwrap_or_default();
    let t = Instant::now();
    let done = scrutin_store::credentials::generate_credentials(
        &stores,
        &keys.master,
        ELECTION,
        &["999-S".to_string()],
        &mut w,
        Utc::now(),
    )
    .await?;
    let (_, letters) = w.finish()?;
    let secs = t.elapsed().as_secs_f64();
    let cpu = super::bench_verify::cpu_seconds().unwrap_or_default() - cpu;
    let generated: usize = done.iter().map(|d| d.generated).sum();
    let size = std::fs::metadata(&path)?.len();
    println!(
        "credentials: {generated} rights in {secs:.1} s ({:.0} rights/s, {cpu:.1} s of CPU in this process), {letters} letters, {:.0} MB encrypted letters file, backend {:?}, {} cores",
        generated as f64 / secs,
        size as f64 / 1e6,
        args.backend,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let floor_after = credentials_floor(generated);
    let floor = (floor_before + floor_after) / 2.0;
    println!(
        "floor: drawing and deriving both keys alone on every core, {} credentials extrapolated to {generated}: {floor_before:.1} s before, {floor_after:.1} s after ({:.1} µs of wall time per credential on average; generation = {:.2} × the mean floor)",
        generated.clamp(1, FLOOR_SAMPLE),
        floor * 1e6 / generated.max(1) as f64,
        secs / floor
    );
    stores.close().await;
    fresh.cleanup().await?;
    Ok(())
}

/// Credentials drawn to measure the floor.
const FLOOR_SAMPLE: usize = 200_000;

/// Seconds that drawing `rights` credentials (identifiers, codes, both public keys) takes
/// on every core with nothing read or written, from a sample of at most [`FLOOR_SAMPLE`].
fn credentials_floor(rights: usize) -> f64 {
    let sample = rights.clamp(1, FLOOR_SAMPLE);
    let t = Instant::now();
    // In batches, as the generation draws them (one shared inversion per batch).
    let batch_size = scrutin_crypto::credentials::CREDENTIAL_BATCH;
    (0..sample.div_ceil(batch_size))
        .into_par_iter()
        .for_each_init(rand::rngs::StdRng::from_entropy, |rng, batch| {
            let count = (sample - batch * batch_size).min(batch_size);
            std::hint::black_box(scrutin_crypto::credentials::generate_credentials(
                ELECTION, "999-S", count, rng,
            ));
        });
    t.elapsed().as_secs_f64() * rights as f64 / sample as f64
}

struct Prepared {
    session: String,
    ballot: String,
}

async fn post(
    client: &reqwest::Client,
    url: &str,
    session: Option<&str>,
    body: &Value,
) -> anyhow::Result<Value> {
    let mut req = client.post(url).json(body);
    if let Some(s) = session {
        req = req.bearer_auth(s);
    }
    let resp = req.send().await?;
    let status = resp.status();
    let body: Value = resp.json().await?;
    if !status.is_success() {
        bail!("{url}: {status} {body}");
    }
    Ok(body)
}

async fn login(
    client: &reqwest::Client,
    base: &str,
    identifier: &str,
    code: &str,
    birth: &str,
) -> anyhow::Result<String> {
    let ch = post(
        client,
        &format!("{base}/api/v1/login/challenge"),
        None,
        &json!({ "identifier": identifier }),
    )
    .await?;
    let nonce: [u8; 32] = hex::decode(ch["nonce"].as_str().unwrap_or_default())?
        .try_into()
        .map_err(|_| anyhow::anyhow!("bad nonce"))?;
    let election = ch["election_id"].as_str().unwrap_or_default();
    let id = Identifier::parse(identifier)?;
    let code = SecretCode::parse(code)?;
    let sig =
        code.login_signing_key(election, &id)
            .sign(&scrutin_vote::routes::login::login_message(
                election, &id, &nonce,
            ));
    let step1 = post(
        client,
        &format!("{base}/api/v1/login/key"),
        None,
        &json!({ "identifier": identifier, "challenge": ch["challenge"], "signature": hex::encode(sig.to_bytes()) }),
    )
    .await?;
    let session = step1["session"].as_str().unwrap_or_default().to_string();
    if step1["birth_date_required"] != true {
        return Ok(session);
    }
    let full = post(
        client,
        &format!("{base}/api/v1/login/birth-date"),
        Some(&session),
        &json!({ "birth_date": birth }),
    )
    .await?;
    Ok(full["session"].as_str().unwrap_or_default().to_string())
}

fn random_ballot(style: &BallotStyle, code: &SecretCode) -> anyhow::Result<Ballot> {
    let mut rng = rand::thread_rng();
    let key = code.voting_signing_key(style.election_id(), style.scrutin_id());
    let choices: Vec<ContestChoice> = style
        .contests()
        .iter()
        .map(|c| {
            let n = c.option_count() as u32;
            let k = rng.gen_range(0..=c.seats().min(n));
            if k == 0 {
                ContestChoice::blank()
            } else {
                let mut picks: Vec<u32> = (0..n).collect();
                for i in 0..k as usize {
                    let j = rng.gen_range(i..picks.len());
                    picks.swap(i, j);
                }
                ContestChoice::select(picks[..k as usize].to_vec())
            }
        })
        .collect();
    Ok(encrypt_ballot(
        style,
        &choices,
        &key,
        &mut rand::rngs::OsRng,
    )?)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

async fn cast(args: CastArgs) -> anyhow::Result<()> {
    let kind: Kind = args.backend.into();
    let (fresh, stores, keys, records) = setup(kind, &args.pg_admin, args.rights).await?;
    let births: HashMap<String, String> = records
        .iter()
        .map(|r| {
            (
                format!("{:013}", r.voter_id.value()),
                r.birth_date.to_jjmmaaaa(),
            )
        })
        .collect();
    drop(records);
    let mut w = LettersWriter::new(Vec::new(), PASSPHRASE, &mut rand::rngs::OsRng)?;
    scrutin_store::credentials::generate_credentials(
        &stores,
        &keys.master,
        ELECTION,
        &["999-S".to_string()],
        &mut w,
        Utc::now(),
    )
    .await?;
    let (bytes, _) = w.finish()?;
    let letters = read_letters(&bytes[..], PASSPHRASE)?;
    provision::open_scrutin(&stores, "999-S", Utc::now()).await?;

    let state = scrutin_vote::AppState::new(
        stores.clone(),
        {
            let mut config = scrutin_vote::VoteConfig::new(keys.clone());
            if let Some(n) = args.verify_concurrency {
                config.verify_concurrency = n;
            }
            if let Some(n) = args.verify_gather {
                config.verify_gather = n;
            }
            config
        },
        Arc::new(SystemClock),
    );
    let app = scrutin_vote::router(state);
    let (tx, rx) = tokio::sync::oneshot::channel::<SocketAddr>();
    let server = tokio::spawn(scrutin_vote::serve(
        app,
        "127.0.0.1:0".parse()?,
        None,
        move |a| {
            let _ = tx.send(a);
        },
    ));
    let base = format!("http://{}", rx.await?);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency * 2)
        .build()?;

    // Log everyone in (not measured), then encrypt every ballot on all cores.
    let t = Instant::now();
    let sem = Arc::new(tokio::sync::Semaphore::new(16));
    let mut logins = Vec::new();
    for l in &letters {
        let (client, base, sem) = (client.clone(), base.clone(), sem.clone());
        let (id, code, birth) = (
            l.identifier.clone(),
            l.code.clone(),
            births.get(&l.right_id).cloned().unwrap_or_default(),
        );
        logins.push(tokio::spawn(async move {
            let _p = sem.acquire().await;
            login(&client, &base, &id, &code, &birth).await
        }));
    }
    let mut sessions = Vec::new();
    for h in logins {
        sessions.push(h.await??);
    }
    let sheet: Value = client
        .get(format!("{base}/api/v1/ballot-sheet"))
        .bearer_auth(&sessions[0])
        .send()
        .await?
        .json()
        .await?;
    let style: BallotStyle = serde_json::from_value(sheet["ballot_style"].clone())?;
    eprintln!(
        "{} voters logged in in {:.1} s",
        sessions.len(),
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let prepared: Vec<Prepared> = letters
        .par_iter()
        .zip(sessions.par_iter())
        .map(|(l, s)| {
            let code = SecretCode::parse(&l.code)?;
            Ok(Prepared {
                session: s.clone(),
                ballot: random_ballot(&style, &code)?.to_json(),
            })
        })
        .collect::<anyhow::Result<_>>()?;
    eprintln!(
        "{} ballots encrypted in {:.1} s",
        prepared.len(),
        t.elapsed().as_secs_f64()
    );

    // The measured part: every ballot cast, `concurrency` in flight.
    let queue = Arc::new(std::sync::Mutex::new(prepared));
    let cpu_before = (
        machine_busy_seconds(),
        cpu_seconds(|comm| comm.starts_with("postgres")),
    );
    let batches_before = scrutin_vote::verify::batch_stats();
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..args.concurrency {
        let (client, base, queue) = (client.clone(), base.clone(), queue.clone());
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut failures = 0usize;
            loop {
                let Some(p) = queue.lock().unwrap_or_else(|e| e.into_inner()).pop() else {
                    return (latencies, failures);
                };
                let t = Instant::now();
                let resp = client
                    .post(format!("{base}/api/v1/ballots"))
                    .bearer_auth(&p.session)
                    .header("content-type", "application/json")
                    .body(p.ballot)
                    .send()
                    .await;
                let ok = matches!(&resp, Ok(r) if r.status().as_u16() == 201);
                if let Ok(r) = resp {
                    let _ = r.bytes().await;
                }
                latencies.push(t.elapsed());
                if !ok {
                    failures += 1;
                }
            }
        }));
    }
    let mut latencies = Vec::new();
    let mut failures = 0;
    for w in workers {
        let (l, f) = w.await?;
        latencies.extend(l);
        failures += f;
    }
    let wall = started.elapsed().as_secs_f64();
    let cpu_all = machine_busy_seconds() - cpu_before.0;
    let cpu_pg = cpu_seconds(|comm| comm.starts_with("postgres")) - cpu_before.1;
    latencies.sort();
    let (emargements, ballots) = (
        stores.electors.count_emargements("999-S").await?,
        stores.ballots.count_ballots("999-S").await?,
    );
    let durable = match kind {
        Kind::Sqlite => "SQLite WAL, synchronous=FULL".to_string(),
        Kind::Postgres => {
            let url = match &fresh.location {
                scrutin_store::StoreLocation::Postgres { ballots, .. } => ballots.clone(),
                _ => String::new(),
            };
            let pool = sqlx_check(&url)
                .await
                .unwrap_or_else(|e| format!("unknown ({e})"));
            format!("PostgreSQL {pool}")
        }
    };
    let n = latencies.len().max(1) as f64;
    let batches = scrutin_vote::verify::batch_stats();
    println!(
        "proof verification: {} batches, {:.1} ballots per batch on average",
        batches.0 - batches_before.0,
        (batches.1 - batches_before.1) as f64 / (batches.0 - batches_before.0).max(1) as f64
    );
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    println!(
        "cpu per ballot: whole machine {:.2} ms, of which PostgreSQL processes {:.2} ms; \
         on {cores} idle cores that is at most {:.0} ballots/s; load average during the run: {}",
        cpu_all / n * 1e3,
        cpu_pg / n * 1e3,
        cores / (cpu_all / n),
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim(),
    );
    println!(
        "cast: {} ballots in {wall:.2} s = {:.0} ballots/s; latency p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms; {failures} failed; \
         concurrency {}; émargements {emargements}, ballots {ballots}; {durable}; {} cores",
        latencies.len(),
        latencies.len() as f64 / wall,
        percentile(&latencies, 0.5).as_secs_f64() * 1e3,
        percentile(&latencies, 0.9).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3,
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
        args.concurrency,
        std::thread::available_parallelism().map_or(1, |n| n.get()),
    );
    server.abort();
    stores.close().await;
    fresh.cleanup().await?;
    if failures > 0 || emargements != ballots {
        bail!("{failures} casts failed; émargements {emargements}, ballots {ballots}");
    }
    Ok(())
}

/// The durability settings of the PostgreSQL server, for the report.
async fn sqlx_check(url: &str) -> anyhow::Result<String> {
    let out = std::process::Command::new("psql")
        .args([url, "-Atc", "SHOW synchronous_commit; SHOW fsync;"])
        .output()?;
    let text = String::from_utf8_lossy(&out.stdout).replace('\n', " ");
    Ok(format!("synchronous_commit/fsync = {}", text.trim()))
}

/// CPU seconds the whole machine spent running code (user, system, interrupts), from
/// /proc/stat (Linux; 0 elsewhere). Per-process figures of the load generator's own
/// process came out above what its cores can give, so the total is read here instead.
fn machine_busy_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/stat") else {
        return 0.0;
    };
    let Some(line) = stat.lines().find(|l| l.starts_with("cpu ")) else {
        return 0.0;
    };
    // user nice system idle iowait irq softirq steal …: user, nice, system, irq, softirq.
    let ticks: u64 = line
        .split_whitespace()
        .skip(1)
        .enumerate()
        .filter(|(i, _)| [0, 1, 2, 5, 6].contains(i))
        .filter_map(|(_, v)| v.parse::<u64>().ok())
        .sum();
    ticks as f64 / 100.0
}

/// CPU seconds (user + system) of the processes whose name passes `keep`, from /proc
/// (Linux; 0 elsewhere). USER_HZ is 100 on Linux.
fn cpu_seconds(keep: impl Fn(&str) -> bool) -> f64 {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0.0;
    };
    let mut ticks = 0u64;
    for entry in dir.flatten() {
        // Processes only: `self` and `thread-self` would count this one again.
        if !entry
            .file_name()
            .to_string_lossy()
            .bytes()
            .all(|b| b.is_ascii_digit())
        {
            continue;
        }
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        if !keep(&stat[open + 1..close]) {
            continue;
        }
        let fields: Vec<&str> = stat[close + 2..].split_whitespace().collect();
        // After the name: state is field 3; utime and stime are fields 14 and 15.
        if let (Some(u), Some(s)) = (fields.get(11), fields.get(12)) {
            ticks += u.parse::<u64>().unwrap_or(0) + s.parse::<u64>().unwrap_or(0);
        }
    }
    ticks as f64 / 100.0
}
