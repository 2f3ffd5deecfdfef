//! The first checks: the manifest's digests, the election's parameters (scrutins, ballot
//! styles, contests, structure, candidates) and the key ceremonies.

use std::collections::{BTreeMap, BTreeSet};

use scrutin_crypto::ballot::ContestParams;
use scrutin_crypto::dkg::DkgOutcome;
use scrutin_election::candidates::{CANDIDATES_FORMAT, validate_candidates};
use scrutin_election::record::{FORMAT, FileDigest, Manifest, VERSION, paths};
use scrutin_election::{CandidateFile, Contest, ContestCandidates, ContestId};
use sha2::{Digest, Sha256};

use crate::load::Record;
use crate::parallel::par_map;
use crate::report::Check;
use crate::source::{Source, safe};
use crate::{Progress, VerifyOptions};

/// Files every record has.
const REQUIRED: [&str; 5] = [
    paths::ELECTION,
    paths::JOURNAL_ENTRIES,
    paths::JOURNAL_CHECKPOINTS,
    paths::SEALS,
    paths::EMARGEMENTS,
];

/// Check `manifest`: format, and every file's size and SHA-256; no file missing, none
/// unlisted.
pub(crate) fn manifest(src: &dyn Source, manifest: &Manifest, options: &VerifyOptions) -> Check {
    let mut c = Check::new("manifest", "Empreintes SHA-256 des fichiers du dossier");
    if manifest.format != FORMAT || manifest.version != VERSION {
        c.problem(format!(
            "format « {} » version {} : « {FORMAT} » version {VERSION} attendu",
            manifest.format, manifest.version
        ));
    }
    let mut seen = BTreeSet::new();
    for f in &manifest.files {
        if !safe(&f.path) || f.path == paths::MANIFEST {
            c.problem(format!("chemin refusé dans le manifeste : {}", f.path));
        }
        if !seen.insert(f.path.as_str()) {
            c.problem(format!("{} listé deux fois", f.path));
        }
    }
    for r in REQUIRED {
        if !seen.contains(r) {
            c.problem(format!("fichier obligatoire absent du manifeste : {r}"));
        }
    }
    let total = manifest.files.len() as u64;
    let progress = |done: u64| {
        if let Some(p) = &options.progress {
            p(Progress {
                stage: "empreintes",
                done,
                total,
            });
        }
    };
    progress(0);
    // Hash the files on every core, a few at a time so the progress bar moves.
    let mut done = 0u64;
    for group in manifest.files.chunks(8) {
        let got: Vec<Result<FileDigest, String>> = par_map(group, |f: &FileDigest| {
            if safe(&f.path) {
                src.read(&f.path)
                    .map(|b| FileDigest::of(f.path.clone(), &b))
            } else {
                Err("chemin refusé".into())
            }
        });
        for (expected, got) in group.iter().zip(got) {
            match got {
                Err(e) => c.fail(format!("{} : illisible ou absent ({e})", expected.path)),
                Ok(got) if got.size != expected.size => c.fail(format!(
                    "{} : {} octets, le manifeste en annonce {}",
                    expected.path, got.size, expected.size
                )),
                Ok(got) if got.sha256 != expected.sha256 => c.fail(format!(
                    "{} : empreinte {} , le manifeste annonce {}",
                    expected.path,
                    hex::encode(got.sha256),
                    hex::encode(expected.sha256)
                )),
                Ok(_) => c.ok(),
            }
        }
        done += group.len() as u64;
        progress(done);
    }
    for path in src.list() {
        if path != paths::MANIFEST && !seen.contains(path.as_str()) {
            c.fail(format!("{path} : fichier présent mais absent du manifeste"));
        }
    }
    let bytes: u64 = manifest.files.iter().map(|f| f.size).sum();
    let n = manifest.files.len();
    c.finish(format!(
        "{n} fichiers, {bytes} octets : tailles et empreintes comparées"
    ))
}

/// What the parameters establish, for the later checks.
#[derive(Default)]
pub(crate) struct Context {
    /// Contest parameters by contest id, as the ballot styles hold them.
    pub params: BTreeMap<String, ContestParams>,
    /// The structure's contest, by id (when the record has the structure).
    pub structure: BTreeMap<String, Contest>,
    /// The validated candidate lists, by contest id (when the record has them).
    pub candidates: BTreeMap<String, ContestCandidates>,
    /// Verified key ceremonies: chamber → (threshold, outcome recomputed from the
    /// transcript).
    pub outcomes: BTreeMap<String, (u32, DkgOutcome)>,
}

/// Check `parameters`: the election, its scrutins and ballot styles, its contests, and
/// against the structure and candidate lists when the record holds them.
pub(crate) fn parameters(record: &Record, given_key: Option<[u8; 32]>, ctx: &mut Context) -> Check {
    let mut c = Check::new(
        "parameters",
        "Paramètres : scrutins, bulletins, élections, candidats, clé de la plateforme",
    );
    let election = match &record.election {
        Ok(e) => e,
        Err(e) => {
            c.problem(e.clone());
            return c.finish("election.json illisible");
        }
    };
    if election.election != record.manifest.election {
        c.problem(format!(
            "election.json nomme l'élection {}, le manifeste {}",
            election.election, record.manifest.election
        ));
    }
    match (given_key, election.platform_key, record.platform_key) {
        (_, _, None) => {
            c.problem("aucune clé publique de la plateforme valide : ni donnée, ni dans le dossier")
        }
        (Some(g), Some(r), _) if g != r => c.problem(format!(
            "la clé de la plateforme du dossier ({}) n'est pas celle que vous avez donnée ({})",
            hex::encode(r),
            hex::encode(g)
        )),
        _ => c.ok(),
    }
    let mut ids = BTreeSet::new();
    for s in &election.scrutins {
        let style = &s.ballot_style;
        if !ids.insert(s.id.as_str()) {
            c.fail(format!("scrutin {} listé deux fois", s.id));
        } else if style.election_id() != election.election || style.scrutin_id() != s.id {
            c.fail(format!(
                "scrutin {} : son bulletin est celui de {} / {}",
                s.id,
                style.election_id(),
                style.scrutin_id()
            ));
        } else {
            c.ok();
        }
        for p in style.contests() {
            match ctx.params.get(p.contest_id()) {
                Some(q) if q.fingerprint() != p.fingerprint() => c.fail(format!(
                    "élection {} : paramètres différents dans le bulletin du scrutin {}",
                    p.contest_id(),
                    s.id
                )),
                Some(_) => {}
                None => {
                    ctx.params.insert(p.contest_id().to_owned(), p.clone());
                }
            }
        }
    }
    let mut listed = BTreeSet::new();
    for contest in &election.contests {
        listed.insert(contest.id.as_str());
        let Some(p) = ctx.params.get(&contest.id) else {
            c.fail(format!(
                "élection {} : dans aucun bulletin de scrutin",
                contest.id
            ));
            continue;
        };
        let mut ok = p.fingerprint() == &contest.fingerprint;
        if !ok {
            c.fail(format!(
                "élection {} : empreinte différente de celle des bulletins",
                contest.id
            ));
        }
        for s in election.scrutins.iter().filter(|s| {
            s.ballot_style
                .contests()
                .iter()
                .any(|q| q.contest_id() == contest.id)
        }) {
            if !contest.scrutins.contains(&s.id) || s.chamber != contest.chamber {
                ok = false;
                c.fail(format!(
                    "élection {} : le scrutin {} (CCI {}) la contient mais n'est pas listé avec elle (CCI {})",
                    contest.id, s.id, s.chamber, contest.chamber
                ));
            }
        }
        if ok {
            c.ok();
        }
    }
    for id in ctx.params.keys() {
        if !listed.contains(id.as_str()) {
            c.fail(format!(
                "élection {id} : présente dans un bulletin mais pas listée"
            ));
        }
    }

    // The structure: seats and scrutins of every contest.
    match &record.structure {
        None => {
            c.skip("structure électorale absente du dossier : sièges non comparés à la structure")
        }
        Some(Err(e)) => c.problem(e.clone()),
        Some(Ok(structure)) => {
            for contest in &election.contests {
                let Ok(id) = ContestId::parse(&contest.id) else {
                    c.fail(format!("élection {} : identifiant invalide", contest.id));
                    continue;
                };
                match structure.contest(&id) {
                    None => c.fail(format!("élection {} : absente de la structure", contest.id)),
                    Some(def) => {
                        let seats_ok = ctx
                            .params
                            .get(&contest.id)
                            .is_none_or(|p| p.seats() == def.seats);
                        let scrutins_ok = contest
                            .scrutins
                            .iter()
                            .all(|s| def.scrutins.iter().any(|d| d.as_str() == s));
                        if seats_ok && scrutins_ok && def.chamber.as_str() == contest.chamber {
                            c.ok();
                        } else {
                            c.fail(format!(
                                "élection {} : sièges, CCI ou scrutins différents de la structure",
                                contest.id
                            ));
                        }
                        ctx.structure.insert(contest.id.clone(), def.clone());
                    }
                }
            }
            // Candidates: validated like the platform does, options as on the ballots.
            let mut lists = Vec::new();
            for (chamber, loaded) in &record.candidates {
                match loaded {
                    Err(e) => c.problem(e.clone()),
                    Ok((_, object)) => {
                        for l in &object.candidates {
                            match serde_json::from_value::<ContestCandidates>(l.entries.clone()) {
                                Ok(list) => lists.push(list),
                                Err(e) => c.fail(format!(
                                    "candidats de {} (CCI {chamber}) illisibles : {e}",
                                    l.contest
                                )),
                            }
                        }
                    }
                }
            }
            let (validated, _issues) = validate_candidates(
                structure,
                CandidateFile {
                    format: CANDIDATES_FORMAT.into(),
                    contests: lists,
                },
            );
            for contest in &election.contests {
                let Some(p) = ctx.params.get(&contest.id) else {
                    continue;
                };
                let Some(list) = ContestId::parse(&contest.id)
                    .ok()
                    .and_then(|id| validated.get(&id))
                    .filter(|l| !l.entries.is_empty())
                else {
                    c.skip(format!(
                        "élection {} : liste des candidats absente du dossier",
                        contest.id
                    ));
                    continue;
                };
                let options: Vec<String> =
                    list.option_ids().iter().map(|o| o.to_string()).collect();
                if options == p.options() {
                    c.ok();
                } else {
                    c.fail(format!(
                        "élection {} : les candidats enregistrés ne sont pas les choix du bulletin",
                        contest.id
                    ));
                }
                ctx.candidates.insert(contest.id.clone(), list.clone());
            }
        }
    }
    let n = election.scrutins.len();
    let m = election.contests.len();
    c.finish(format!(
        "élection {} : {n} scrutins, {m} élections, bulletins et empreintes cohérents",
        election.election
    ))
}

/// Check `dkg`: every key ceremony's transcript verifies and gives the published key and
/// verification keys; every contest is encrypted under its COE's key.
pub(crate) fn dkg(record: &Record, ctx: &mut Context) -> Check {
    let mut c = Check::new(
        "dkg",
        "Cérémonies des clés : transcriptions et clés publiques",
    );
    let election = record.election.as_ref().ok();
    for (chamber, loaded) in &record.trustees {
        let t = match loaded {
            Ok(t) => t,
            Err(e) => {
                c.fail(e.clone());
                continue;
            }
        };
        let params = &t.transcript.parameters;
        if t.status != "complete" {
            c.skip(format!("CCI {chamber} : cérémonie pas encore terminée"));
            continue;
        }
        let outcome = match t.transcript.verify() {
            Ok(o) => o,
            Err(e) => {
                c.fail(format!(
                    "CCI {chamber} : la transcription ne se vérifie pas : {e}"
                ));
                continue;
            }
        };
        let digest = t.transcript.digest();
        let key = outcome.public_key.compress().to_bytes();
        let mut why = Vec::new();
        if t.outcome.as_ref() != Some(&outcome) {
            why.push("le résultat publié diffère de celui recalculé");
        }
        if t.public_key != Some(key) {
            why.push("la clé publiée n'est pas celle de la transcription");
        }
        if t.transcript_digest != Some(digest) {
            why.push("l'empreinte publiée n'est pas celle de la transcription");
        }
        if t.key_id != params.key_id || election.is_some_and(|e| e.election != params.election_id) {
            why.push("identifiants d'élection ou de clé différents");
        }
        if record.journal.is_ok() {
            let journaled = record.journaled("ceremony-complete").iter().any(|p| {
                p["chamber"] == chamber.as_str()
                    && p["transcript_sha256"] == hex::encode(digest)
                    && p["public_key"] == hex::encode(key)
            });
            if !journaled {
                why.push("pas d'entrée « ceremony-complete » correspondante au journal");
            }
        }
        if why.is_empty() {
            c.ok();
            ctx.outcomes
                .insert(chamber.clone(), (params.threshold, outcome));
        } else {
            c.fail(format!("CCI {chamber} : {}", why.join(" ; ")));
        }
    }
    for contest in record.contests() {
        let Some(p) = ctx.params.get(&contest.id) else {
            continue;
        };
        match ctx.outcomes.get(&contest.chamber) {
            Some((_, o)) if &o.public_key == p.public_key() => c.ok(),
            Some(_) => c.fail(format!(
                "élection {} : chiffrée sous une autre clé que celle de la COE {}",
                contest.id, contest.chamber
            )),
            None => c.fail(format!(
                "élection {} : aucune cérémonie vérifiée pour la CCI {}",
                contest.id, contest.chamber
            )),
        }
    }
    let n = ctx.outcomes.len();
    c.finish(format!(
        "{n} cérémonie(s) vérifiée(s) ; chaque élection chiffrée sous la clé de sa COE"
    ))
}

/// SHA-256 of bytes.
pub(crate) fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}
