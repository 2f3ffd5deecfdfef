//! A synthetic, complete and valid election record for benchmarks (`scrutin bench verify`)
//! and the verification page's tests: `n` chambers, each with one scrutin of typical
//! ballots (architecture.md: CCIR 6 candidates / 3 seats and CCIT 15 / 8, with blank), its
//! own key ceremony (3 trustees, threshold 2), credentials, board epochs, tally, results,
//! seats, seals and a signed journal — everything the verifier checks. Reproducible from
//! a seed; never used for a real election.
//!
//! Also [`point_floor`]: the cost floor of verification, one point decompression and one
//! multiscalar term per transmitted point, measured on this machine.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::VartimeMultiscalarMul;
use ed25519_dalek::SigningKey;
use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use scrutin_crypto::ballot::{
    Ballot, BallotEncryptor, BallotStyle, ContestChoice, ContestParams, EncodedCiphertext,
};
use scrutin_crypto::dkg::{DkgParameters, run_local_ceremony};
use scrutin_crypto::elgamal::Ciphertext;
use scrutin_crypto::hashchain::{Checkpoint, JournalEntry};
use scrutin_crypto::merkle::{MerkleTree, SignedTreeHead, leaf_hash};
use scrutin_crypto::seal::{Seal, SealKind};
use scrutin_crypto::tally::{Aggregator, create_decryption_share};
use scrutin_election::candidates::{CANDIDATES_FORMAT, validate_candidates};
use scrutin_election::record::{
    BoardRecord, ContestInfo, CredentialSet, ElectionInfo, EmargementCount, FORMAT, FileDigest,
    Manifest, PublishedResults, RESULTS_FORMAT, ScrutinInfo, TallyRecord, TrusteesRecord, VERSION,
    archive_object, box_closed_object, paths,
};
use scrutin_election::results::compute_results;
use scrutin_election::seats::allocate_from_results;
use scrutin_election::{
    CandidateFile, ContestCandidates, ContestCount, ContestId, ReadOptions, read_structure,
};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::parallel::par_map;

/// What to generate.
#[derive(Clone, Debug)]
pub struct Spec {
    /// Election identifier.
    pub election: String,
    /// Ballots in all, spread evenly over the scrutins.
    pub ballots: u64,
    /// Contests in all: two per chamber (CCIR and CCIT), so `contests / 2` chambers.
    pub contests: u32,
    /// Ballots per board epoch.
    pub epoch_size: usize,
    /// Seed of everything.
    pub seed: u64,
}

impl Default for Spec {
    fn default() -> Self {
        Spec {
            election: "SYNTH-2026".into(),
            ballots: 200,
            contests: 4,
            epoch_size: 64,
            seed: 1,
        }
    }
}

/// What was generated.
#[derive(Clone, Debug)]
pub struct Generated {
    /// The record's directory.
    pub dir: PathBuf,
    /// Scrutins (= chambers).
    pub scrutins: u32,
    /// Contests.
    pub contests: u32,
    /// Ballots.
    pub ballots: u64,
    /// Points transmitted in the ballots (ciphertexts, proof commitments, voting keys and
    /// signatures' `R`): what the cost floor counts.
    pub points: u64,
    /// The platform's public key.
    pub platform_key: [u8; 32],
}

/// Points a ballot transmits: per contest `2 + 2k` ciphertext points, `4k` option-proof
/// commitments and `4(M + 1)` sum-proof commitments; plus the voting key and `R`.
pub fn points_per_ballot(style: &BallotStyle) -> u64 {
    2 + style
        .contests()
        .iter()
        .map(|c| {
            let k = c.option_count() as u64;
            let m = c.max_selections() as u64;
            2 + 2 * k + 4 * k + 4 * (m + 1)
        })
        .sum::<u64>()
}

/// The verification cost floor per transmitted point on this machine, one core: the time
/// of decompressing `n` points plus one vartime multiscalar multiplication of `n` terms,
/// divided by `n`.
pub fn point_floor(n: usize) -> Duration {
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let encoded: Vec<[u8; 32]> = (0..n)
        .map(|_| RistrettoPoint::random(&mut rng).compress().to_bytes())
        .collect();
    let scalars: Vec<Scalar> = (0..n).map(|_| Scalar::random(&mut rng)).collect();
    let t = Instant::now();
    let points: Vec<RistrettoPoint> = encoded
        .iter()
        .filter_map(|b| CompressedRistretto(*b).decompress())
        .collect();
    let sum = RistrettoPoint::vartime_multiscalar_mul(&scalars, &points);
    let spent = t.elapsed();
    // Keep the result alive so nothing is optimised away.
    std::hint::black_box(sum);
    spent / n.max(1) as u32
}

/// Times of the synthetic election: a fixed day plus `n` seconds.
fn time(n: u64) -> String {
    let day = 12 + n / 86_400;
    let s = n % 86_400;
    format!(
        "2026-11-{day:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        (s / 60) % 60,
        s % 60
    )
}

struct Out {
    dir: PathBuf,
    files: Vec<FileDigest>,
}

impl Out {
    fn put(&mut self, path: &str, bytes: &[u8]) -> Result<(), String> {
        let full = self.dir.join(path);
        if let Some(p) = full.parent() {
            std::fs::create_dir_all(p).map_err(|e| format!("{}: {e}", p.display()))?;
        }
        std::fs::write(&full, bytes).map_err(|e| format!("{}: {e}", full.display()))?;
        self.files.push(FileDigest::of(path, bytes));
        Ok(())
    }

    fn json<T: serde::Serialize>(&mut self, path: &str, v: &T) -> Result<(), String> {
        let mut bytes = serde_json::to_vec_pretty(v).map_err(|e| e.to_string())?;
        bytes.push(b'\n');
        self.put(path, &bytes)
    }
}

/// The signed journal as it grows.
struct Journal {
    entries: Vec<JournalEntry>,
    checkpoints: Vec<Checkpoint>,
    clock: u64,
}

impl Journal {
    fn append(&mut self, kind: &str, payload: serde_json::Value) -> Result<(), String> {
        self.clock += 1;
        let t = time(self.clock);
        let bytes = serde_json::to_vec(&payload).map_err(|e| e.to_string())?;
        let e = match self.entries.last() {
            None => JournalEntry::first(&t, kind, bytes),
            Some(prev) => prev.next(&t, kind, bytes),
        }
        .map_err(|e| e.to_string())?;
        self.entries.push(e);
        Ok(())
    }

    fn checkpoint(&mut self, key: &SigningKey) -> Result<(), String> {
        if let Some(head) = self.entries.last() {
            self.checkpoints
                .push(Checkpoint::sign(head, &time(self.clock), key).map_err(|e| e.to_string())?);
        }
        Ok(())
    }
}

fn person(i: usize, civility: &str) -> serde_json::Value {
    json!({
        "civility": civility,
        "last_name": format!("Candidat{i}"),
        "first_name": format!("Prénom{i}"),
        "birth_date": format!("19{:02}-0{}-1{}", 50 + i % 40, 1 + i % 9, i % 10),
        "activity": "commerçant",
        "locality": "Synthèse",
    })
}

/// The typical contests' candidate lists of a chamber, as entered.
fn candidate_lists(chamber: &str) -> Vec<serde_json::Value> {
    let ccir: Vec<serde_json::Value> = (0..6)
        .map(|i| {
            let mut c = person(i, if i % 2 == 0 { "M." } else { "MME" });
            c["substitute"] = json!({
                "civility": if i % 2 == 0 { "MME" } else { "M." },
                "last_name": format!("Suppléant{i}"),
                "first_name": format!("Prénom{i}"),
            });
            c
        })
        .collect();
    let ccit: Vec<serde_json::Value> = (0..15).map(|i| person(100 + i, "MME")).collect();
    vec![
        json!({ "contest": format!("{chamber}-S/CCIR"), "entries": [
            { "grouping": { "name": "Groupement A", "candidates": ccir[..3] } },
            { "grouping": { "name": "Groupement B", "candidates": ccir[3..] } } ] }),
        json!({ "contest": format!("{chamber}-S/CCIT"), "entries": [
            { "grouping": { "name": "Groupement A", "candidates": ccit[..8] } },
            { "grouping": { "name": "Groupement B", "candidates": ccit[8..14] } },
            { "candidate": ccit[14] } ] }),
    ]
}

/// The structure file: one chamber per scrutin, category S only, 3 CCIR and 8 CCIT seats.
fn structure_csv(chambers: &[String]) -> String {
    let mut out = scrutin_election::structure_file::header().join(";");
    out.push('\n');
    for code in chambers {
        out.push_str(&format!(
            "{code};CCI Synthèse {code};S;Services;;;3;8;\
             Élections des membres de la CCI Synthèse 2026;\
             Chambre de commerce et d'industrie de région Synthèse;CCI Synthèse {code};\
             Catégorie;CCI de région Synthèse;CCI Synthèse {code};CCI Synthèse {code};\
             Élection des membres de la CCI de région et de la CCI Synthèse;\
             Élection des membres de la CCI Synthèse;\
             , au 01 02 03 04 05, du lundi au vendredi de 9 h à 18 h;01 02 03 04 05;\
             elections@synthese.cci.fr;www.synthese.cci.fr;false\n"
        ));
    }
    out
}

/// One generated ballot: the ballot, and its decoded rows per contest.
struct Made {
    ballot: Ballot,
    code: [u8; 32],
    rows: Vec<Vec<Ciphertext>>,
    choices: Vec<ContestChoice>,
}

fn choice_of(rng: &mut ChaCha20Rng, k: usize, m: usize) -> ContestChoice {
    if rng.next_u32().is_multiple_of(10) {
        return ContestChoice::blank();
    }
    let how_many = 1 + (rng.next_u32() as usize) % m;
    let mut picked: Vec<u32> = Vec::new();
    while picked.len() < how_many {
        let o = rng.next_u32() % k as u32;
        if !picked.contains(&o) {
            picked.push(o);
        }
    }
    ContestChoice::select(picked)
}

/// Generates the record into `dir` (created; must not exist or be empty). `progress` is
/// told the ballots made so far.
pub fn write_record(
    dir: &Path,
    spec: &Spec,
    progress: Option<&(dyn Fn(u64, u64) + Sync)>,
) -> Result<Generated, String> {
    if dir.exists()
        && std::fs::read_dir(dir)
            .map_err(|e| e.to_string())?
            .next()
            .is_some()
    {
        return Err(format!("{} is not empty", dir.display()));
    }
    let chambers_n = (spec.contests / 2).max(1);
    let chambers: Vec<String> = (0..chambers_n).map(|i| format!("{:03}", 100 + i)).collect();
    let mut rng = ChaCha20Rng::seed_from_u64(spec.seed);
    let platform = SigningKey::generate(&mut rng);
    let election = spec.election.clone();
    let mut out = Out {
        dir: dir.to_path_buf(),
        files: Vec::new(),
    };
    let mut journal = Journal {
        entries: Vec::new(),
        checkpoints: Vec::new(),
        clock: 0,
    };
    let mut seals: Vec<Seal> = Vec::new();
    let mut seal = |kind: SealKind,
                    scope: String,
                    object: &[u8],
                    journal: &mut Journal|
     -> Result<(), String> {
        let subject: [u8; 32] = Sha256::digest(object).into();
        let s = Seal::sign(
            kind,
            &scope,
            subject,
            seals.last(),
            &time(journal.clock + 1),
            &platform,
        )
        .map_err(|e| e.to_string())?;
        journal.append(
            "seal",
            json!({ "kind": s.kind.name(), "scope": s.scope, "subject": hex::encode(s.subject),
                    "digest": hex::encode(s.digest()), "time": s.time }),
        )?;
        seals.push(s);
        Ok(())
    };

    // Structure and candidates.
    let structure_text = structure_csv(&chambers);
    out.put(paths::STRUCTURE, structure_text.as_bytes())?;
    let structure = read_structure(structure_text.as_bytes(), &ReadOptions::default())
        .map_err(|e| e.to_string())?
        .structure
        .ok_or("synthetic structure refused")?;
    let mut lists = Vec::new();
    let mut objects = Vec::new();
    for code in &chambers {
        let entries = candidate_lists(code);
        let object = serde_json::to_vec(&json!({
            "candidates": entries.iter().map(|e| json!({ "contest": e["contest"], "entries": e })).collect::<Vec<_>>(),
            "statements": [],
        }))
        .map_err(|e| e.to_string())?;
        for e in &entries {
            lists.push(
                serde_json::from_value::<ContestCandidates>(e.clone())
                    .map_err(|e| e.to_string())?,
            );
        }
        out.put(&paths::candidates(code), &object)?;
        objects.push(object);
    }
    let (validated, _) = validate_candidates(
        &structure,
        CandidateFile {
            format: CANDIDATES_FORMAT.into(),
            contests: lists,
        },
    );

    // Key ceremonies, ballot styles, credentials.
    let per_scrutin = spec.ballots / u64::from(chambers_n);
    let extra = spec.ballots % u64::from(chambers_n);
    let mut scrutins = Vec::new();
    let mut contests = Vec::new();
    let mut emargements = Vec::new();
    let mut total_points = 0u64;
    let mut done = 0u64;
    for (n, code) in chambers.iter().enumerate() {
        let params = DkgParameters::new(&election, &format!("coe-{code}"), 3, 2)
            .map_err(|e| e.to_string())?;
        let (transcript, shares) =
            run_local_ceremony(&params, &mut rng).map_err(|e| e.to_string())?;
        let outcome = transcript.verify().map_err(|e| e.to_string())?;
        let y = outcome.public_key;
        out.json(
            &paths::trustees(code),
            &TrusteesRecord {
                chamber: code.clone(),
                key_id: params.key_id.clone(),
                status: "complete".into(),
                transcript: transcript.clone(),
                outcome: Some(outcome.clone()),
                public_key: Some(y.compress().to_bytes()),
                transcript_digest: Some(transcript.digest()),
            },
        )?;
        journal.append(
            "ceremony-complete",
            json!({ "chamber": code, "key_id": params.key_id,
                    "public_key": hex::encode(y.compress().to_bytes()),
                    "transcript_sha256": hex::encode(transcript.digest()) }),
        )?;
        seal(
            SealKind::Custom("election-key".into()),
            format!("chamber/{code}"),
            &transcript.canonical_bytes(),
            &mut journal,
        )?;
        seal(
            SealKind::Candidates,
            format!("chamber/{code}"),
            &objects[n],
            &mut journal,
        )?;
        let scrutin = format!("{code}-S");
        let mut params_list = Vec::new();
        for (kind, seats) in [("CCIR", 3u32), ("CCIT", 8u32)] {
            let id = format!("{scrutin}/{kind}");
            let cid = ContestId::parse(&id).map_err(|e| e.to_string())?;
            let options: Vec<String> = validated
                .get(&cid)
                .ok_or("synthetic candidates refused")?
                .option_ids()
                .iter()
                .map(|o| o.to_string())
                .collect();
            params_list.push(
                ContestParams::new(&election, &id, y, options, seats).map_err(|e| e.to_string())?,
            );
        }
        let style =
            BallotStyle::new(&election, &scrutin, params_list).map_err(|e| e.to_string())?;
        let ballots_here = per_scrutin + u64::from((n as u64) < extra);
        let rights = ballots_here + ballots_here / 4 + 1;
        let keys: Vec<SigningKey> = (0..rights)
            .map(|i| {
                let seed: [u8; 32] = Sha256::digest(format!("{}/{scrutin}/{i}", spec.seed)).into();
                SigningKey::from_bytes(&seed)
            })
            .collect();
        let mut public: Vec<[u8; 32]> = keys.iter().map(|k| k.verifying_key().to_bytes()).collect();
        public.sort_unstable();
        let all: Vec<u8> = public.iter().flatten().copied().collect();
        journal.append(
            "credentials",
            json!({ "scrutin": scrutin, "generated": rights,
                    "voting_keys_sha256": hex::encode(Sha256::digest(&all)) }),
        )?;
        out.json(
            &paths::credentials(&scrutin),
            &CredentialSet {
                scrutin: scrutin.clone(),
                rights,
                rights_with_credentials: rights,
                resends: 0,
                voting_keys: public,
            },
        )?;

        // Ballots, made on every core, with the style's fixed-base tables built once.
        let encryptor = BallotEncryptor::new(&style);
        let indices: Vec<u64> = (0..ballots_here).collect();
        let made: Vec<Result<Made, String>> = par_map(&indices, |&i| {
            let mut r = ChaCha20Rng::seed_from_u64(spec.seed ^ (i << 20) ^ (n as u64) << 48);
            let choices: Vec<ContestChoice> = style
                .contests()
                .iter()
                .map(|c| choice_of(&mut r, c.option_count(), c.max_selections()))
                .collect();
            let ballot = encryptor
                .encrypt(&choices, &keys[i as usize], &mut r)
                .map_err(|e| e.to_string())?;
            let rows = ballot
                .contests
                .iter()
                .map(|c| {
                    let (blank, options) = c.ciphertexts().map_err(|e| e.to_string())?;
                    Ok(std::iter::once(blank).chain(options).collect())
                })
                .collect::<Result<Vec<Vec<Ciphertext>>, String>>()?;
            Ok(Made {
                code: ballot.tracking_code().0,
                ballot,
                rows,
                choices,
            })
        });
        let mut made: Vec<Made> = made.into_iter().collect::<Result<_, _>>()?;
        done += made.len() as u64;
        if let Some(p) = progress {
            p(done, spec.ballots);
        }
        total_points += points_per_ballot(&style) * made.len() as u64;

        // Board: epochs in arrival order, each sorted by tracking code.
        let mut file = Vec::new();
        let mut leaves = Vec::new();
        let mut heads = Vec::new();
        let epoch_size = spec.epoch_size.max(1);
        for (e, chunk) in made.chunks_mut(epoch_size).enumerate() {
            chunk.sort_by_key(|a| a.code);
            let epoch = e as u64 + 1;
            for m in chunk.iter() {
                file.extend_from_slice(
                    format!("{{\"epoch\":{epoch},\"ballot\":{}}}\n", m.ballot.to_json()).as_bytes(),
                );
                leaves.push(leaf_hash(&m.code));
            }
            let tree = MerkleTree::from_leaf_hashes(&leaves);
            let head = SignedTreeHead::sign(
                &scrutin,
                epoch,
                tree.len(),
                tree.root(),
                &time(journal.clock + 1),
                &platform,
            )
            .map_err(|e| e.to_string())?;
            journal.append(
                "epoch-head",
                json!({ "scrutin": scrutin, "epoch": epoch, "tree_size": tree.len(),
                        "root": hex::encode(head.root), "time": head.time,
                        "signature": hex::encode(head.signature),
                        "digest": hex::encode(head.digest()) }),
            )?;
            heads.push(head);
        }
        out.put(&paths::ballots(&scrutin), &file)?;
        drop(file);
        let count = made.len() as u64;
        seal(
            SealKind::BoxClosed,
            format!("scrutin/{scrutin}"),
            &box_closed_object(&scrutin, heads.last(), count),
            &mut journal,
        )?;
        out.json(
            &paths::board(&scrutin),
            &BoardRecord {
                scrutin: scrutin.clone(),
                heads,
            },
        )?;
        emargements.push(EmargementCount {
            scrutin: scrutin.clone(),
            count,
        });

        // Tally of both contests by trustees 1 and 2.
        let mut archive = Vec::new();
        for (position, p) in style.contests().iter().enumerate() {
            let id = p.contest_id().to_owned();
            let cid = ContestId::parse(&id).map_err(|e| e.to_string())?;
            let mut agg = Aggregator::new(p.option_count() + 1);
            let mut blank = 0u64;
            let mut votes = vec![0u64; p.option_count()];
            for m in &made {
                agg.add(&m.rows[position]).map_err(|e| e.to_string())?;
                let choice = &m.choices[position];
                if choice.blank {
                    blank += 1;
                }
                for &o in &choice.selected {
                    votes[o as usize] += 1;
                }
            }
            let sums = agg.finish();
            let encoded: Vec<EncodedCiphertext> = sums
                .iter()
                .map(|c| EncodedCiphertext {
                    alpha: c.alpha.compress().to_bytes(),
                    beta: c.beta.compress().to_bytes(),
                })
                .collect();
            let text = serde_json::to_string(&encoded).map_err(|e| e.to_string())?;
            journal.append(
                "tally-started",
                json!({ "contest": id, "ballots": count, "emargements": count, "registered": rights,
                        "fingerprint": hex::encode(p.fingerprint()),
                        "aggregates_sha256": hex::encode(Sha256::digest(text.as_bytes())) }),
            )?;
            let decryption = [&shares[0], &shares[1]]
                .iter()
                .map(|s| create_decryption_share(p.fingerprint(), s, &sums, &mut rng))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| e.to_string())?;
            let contest = structure.contest(&cid).ok_or("contest not in structure")?;
            let candidates = validated.get(&cid).ok_or("no candidates")?;
            let counts = ContestCount {
                ballots: count,
                blank,
                null: 0,
                votes,
            };
            let results = compute_results(contest, candidates, rights, count, &counts)
                .map_err(|e| e.to_string())?;
            let seats = allocate_from_results(candidates, &results);
            let tally = TallyRecord {
                contest: id.clone(),
                chamber: code.clone(),
                fingerprint: *p.fingerprint(),
                aggregates: encoded,
                ballots: count,
                emargements: count,
                registered: rights,
                started_at: time(journal.clock),
                shares: decryption,
                results: Some(PublishedResults {
                    format: RESULTS_FORMAT.into(),
                    contest: id.clone(),
                    trustees: vec![1, 2],
                    counts,
                    results,
                    seats,
                }),
                decrypted_at: Some(time(journal.clock)),
            };
            let object = tally.results_object().ok_or("results object")?;
            seal(
                SealKind::Results,
                format!("contest/{id}"),
                &object,
                &mut journal,
            )?;
            archive.push((id.clone(), Sha256::digest(&object).into()));
            out.json(&paths::tally(&id), &tally)?;
            contests.push(ContestInfo {
                id,
                chamber: code.clone(),
                scrutins: vec![scrutin.clone()],
                fingerprint: *p.fingerprint(),
            });
        }
        seal(
            SealKind::Archive,
            format!("scrutin/{scrutin}"),
            &archive_object(&scrutin, &archive),
            &mut journal,
        )?;
        journal.checkpoint(&platform)?;
        scrutins.push(ScrutinInfo {
            id: scrutin.clone(),
            chamber: code.clone(),
            label: "Services".into(),
            state: "closed".into(),
            opens_at: time(0),
            closes_at: time(86_400 * 7),
            closed: true,
            ballot_style: style,
        });
    }
    journal.checkpoint(&platform)?;

    let mut entries = Vec::new();
    for e in &journal.entries {
        serde_json::to_writer(&mut entries, e).map_err(|e| e.to_string())?;
        entries.write_all(b"\n").map_err(|e| e.to_string())?;
    }
    out.put(paths::JOURNAL_ENTRIES, &entries)?;
    out.json(paths::JOURNAL_CHECKPOINTS, &journal.checkpoints)?;
    out.json(paths::SEALS, &seals)?;
    out.json(paths::EMARGEMENTS, &emargements)?;
    let platform_key = platform.verifying_key().to_bytes();
    out.json(
        paths::ELECTION,
        &ElectionInfo {
            election: election.clone(),
            platform_key: Some(platform_key),
            scrutins,
            contests,
        },
    )?;
    let mut files = std::mem::take(&mut out.files);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let manifest = Manifest {
        format: FORMAT.into(),
        version: VERSION,
        election,
        exported_at: time(86_400 * 8),
        partial: false,
        files,
    };
    let mut bytes = serde_json::to_vec_pretty(&manifest).map_err(|e| e.to_string())?;
    bytes.push(b'\n');
    std::fs::write(dir.join(paths::MANIFEST), bytes).map_err(|e| e.to_string())?;
    Ok(Generated {
        dir: dir.to_path_buf(),
        scrutins: chambers_n,
        contests: chambers_n * 2,
        ballots: done,
        points: total_points,
        platform_key,
    })
}

/// Rewrites `manifest.json` of a record directory with the current digests of the files it
/// lists (tests of tampering: an attacker who changes a file can rewrite the manifest too,
/// so the other checks must catch the change).
pub fn reseal_manifest(dir: &Path) -> Result<(), String> {
    let path = dir.join(paths::MANIFEST);
    let text = std::fs::read(&path).map_err(|e| e.to_string())?;
    let mut manifest: Manifest = serde_json::from_slice(&text).map_err(|e| e.to_string())?;
    for f in &mut manifest.files {
        let bytes = std::fs::read(dir.join(&f.path)).map_err(|e| e.to_string())?;
        *f = FileDigest::of(f.path.clone(), &bytes);
    }
    let mut bytes = serde_json::to_vec_pretty(&manifest).map_err(|e| e.to_string())?;
    bytes.push(b'\n');
    std::fs::write(&path, bytes).map_err(|e| e.to_string())
}
