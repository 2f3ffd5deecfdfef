//! The journal's hash chain and signed checkpoints, the chain of seals, and the objects the
//! seals cover, recomputed from the record where the record holds them.

use scrutin_crypto::hashchain::verify_chain;
use scrutin_crypto::seal::{NO_PREVIOUS_SEAL, Seal, SealKind};
use scrutin_crypto::timestamp::Timestamp;
use scrutin_election::record::{archive_object, box_closed_object, national_object};

use super::setup::sha256;
use crate::load::Record;
use crate::report::Check;
use crate::scan::Scan;

/// Check `journal`: the hash chain from entry 0 and every signed checkpoint.
pub(crate) fn journal(record: &Record) -> Check {
    let mut c = Check::new(
        "journal",
        "Journal : chaînage SHA-256 et points de contrôle signés",
    );
    let entries = match &record.journal {
        Ok(e) => e,
        Err(e) => {
            c.problem(e.clone());
            return c.finish("journal illisible");
        }
    };
    let checkpoints = match &record.checkpoints {
        Ok(cp) => cp,
        Err(e) => {
            c.problem(e.clone());
            return c.finish("points de contrôle illisibles");
        }
    };
    let Some(key) = &record.platform_key else {
        c.problem(
            "pas de clé de la plateforme : signatures des points de contrôle non vérifiables",
        );
        return c.finish("non vérifiable");
    };
    match verify_chain(entries, checkpoints, key) {
        Ok(summary) => {
            c.ok_n(summary.length + checkpoints.len() as u64);
            let after = match summary.last_checkpoint {
                Some(s) => summary.length - s - 1,
                None => summary.length,
            };
            let last = summary
                .last_checkpoint
                .map_or("aucun".to_owned(), |s| format!("n° {s}"));
            c.finish(format!(
                "{} entrées chaînées, {} points de contrôle signés (dernier : {last} ; {after} entrée(s) après lui)",
                summary.length,
                checkpoints.len()
            ))
        }
        Err(e) => {
            c.fail(format!("{e}"));
            c.finish(format!("{} entrées, chaîne rompue", entries.len()))
        }
    }
}

/// Check `seals`: every seal's signature, the chain (each names the digest of the one
/// before, times never go back), and each seal journaled.
pub(crate) fn seals(record: &Record) -> Check {
    let mut c = Check::new("seals", "Sceaux : signatures et chaînage");
    let seals = match &record.seals {
        Ok(s) => s,
        Err(e) => {
            c.problem(e.clone());
            return c.finish("sceaux illisibles");
        }
    };
    let Some(key) = &record.platform_key else {
        c.problem("pas de clé de la plateforme : sceaux non vérifiables");
        return c.finish("non vérifiable");
    };
    let journaled: Vec<String> = record
        .journaled("seal")
        .iter()
        .filter_map(|p| p["digest"].as_str().map(str::to_owned))
        .collect();
    let digests: Vec<String> = seals.iter().map(|s| hex::encode(s.digest())).collect();
    // Seals made while the record was exported come after the journal (exported first):
    // unjournaled seals at the end of the chain, dated at or after the journal's end.
    let newer = digests
        .iter()
        .zip(seals)
        .rev()
        .take_while(|(d, s)| !journaled.contains(d) && record.after_journal(&s.time))
        .count();
    let mut previous: Option<&Seal> = None;
    for (i, seal) in seals.iter().enumerate() {
        let name = format!("sceau n° {i} ({}, {})", seal.kind, seal.scope);
        let mut why = Vec::new();
        if let Err(e) = seal.verify(key) {
            why.push(e.to_string());
        }
        let expected = previous.map_or(NO_PREVIOUS_SEAL, Seal::digest);
        if seal.previous != expected {
            why.push("il ne nomme pas l'empreinte du sceau précédent".to_owned());
        }
        if let Some(p) = previous
            && let (Ok(a), Ok(b)) = (Timestamp::parse(&p.time), Timestamp::parse(&seal.time))
            && b < a
        {
            why.push("daté avant le sceau précédent".to_owned());
        }
        if record.journal.is_ok() && !journaled.contains(&digests[i]) {
            if i >= seals.len() - newer {
                c.skip(format!("{name} : postérieur au journal exporté"));
            } else {
                why.push("absent du journal".to_owned());
            }
        }
        if why.is_empty() {
            c.ok();
        } else {
            c.fail(format!("{name} : {}", why.join(" ; ")));
        }
        previous = Some(seal);
    }
    // The other way round: every seal the journal records is in the record.
    for d in &journaled {
        if !digests.contains(d) {
            c.problem(format!(
                "le journal enregistre un sceau absent du dossier ({d})"
            ));
        }
    }
    let n = seals.len();
    c.finish(format!(
        "{n} sceaux signés par la plateforme, chaînés et journalisés"
    ))
}

/// Check `seal-subjects`: the object of every seal that the record allows to rebuild is
/// rebuilt and its SHA-256 compared with the sealed one.
pub(crate) fn seal_subjects(record: &Record, scan: &Scan) -> Check {
    let mut c = Check::new(
        "seal-subjects",
        "Objets scellés recalculés depuis le dossier",
    );
    let Ok(seals) = &record.seals else {
        c.skip("sceaux illisibles (voir « seals »)");
        return c.finish("non vérifiable");
    };
    let mut not_rebuilt: std::collections::BTreeMap<String, usize> = Default::default();
    let mut superseded = 0usize;
    for (i, seal) in seals.iter().enumerate() {
        let name = format!("sceau n° {i} ({}, {})", seal.kind, seal.scope);
        // A stage sealed again after a legitimate, journaled change (credentials after a
        // resend): only the latest seal covers today's object.
        if seals[i + 1..]
            .iter()
            .any(|later| later.kind == seal.kind && later.scope == seal.scope)
        {
            superseded += 1;
            continue;
        }
        let chamber = seal.scope.strip_prefix("chamber/");
        let scrutin = seal.scope.strip_prefix("scrutin/");
        let contest = seal.scope.strip_prefix("contest/");
        let object: Result<Vec<u8>, String> = match (&seal.kind, chamber, scrutin, contest) {
            (SealKind::Custom(k), Some(ch), _, _) if k == "election-key" => {
                match record.trustees.get(ch) {
                    Some(Ok(t)) => Ok(t.transcript.canonical_bytes()),
                    _ => Err(format!("cérémonie de la CCI {ch} absente du dossier")),
                }
            }
            (SealKind::Candidates, Some(ch), _, _) => match record.candidates.get(ch) {
                Some(Ok((bytes, _))) => Ok(bytes.clone()),
                _ => Err(format!("candidats de la CCI {ch} absents du dossier")),
            },
            (SealKind::BoxClosed, _, Some(s), _) => {
                let head = record
                    .boards
                    .get(s)
                    .and_then(|b| b.as_ref().ok())
                    .and_then(|b| b.heads.last());
                match scan.scrutins.get(s) {
                    Some(sc) => Ok(box_closed_object(s, head, sc.lines)),
                    None => Err(format!("scrutin {s} absent du dossier")),
                }
            }
            (SealKind::Results, _, _, Some(ct)) => match record.tallies.get(ct) {
                Some(Ok(t)) => t
                    .results_object()
                    .ok_or_else(|| format!("résultats de {ct} absents du dossier")),
                _ => Err(format!("dépouillement de {ct} absent du dossier")),
            },
            (SealKind::Archive, _, Some(s), _) => archive_of(record, s),
            (SealKind::Custom(k), _, _, _) if k == "national" && seal.scope == "national" => {
                Ok(national_object(&seals[..i]))
            }
            (kind, _, _, _) => {
                *not_rebuilt.entry(kind.name()).or_default() += 1;
                continue;
            }
        };
        match object {
            Ok(o) if sha256(&o) == seal.subject => c.ok(),
            Ok(_) => c.fail(format!(
                "{name} : l'objet recalculé depuis le dossier n'a pas l'empreinte scellée"
            )),
            Err(why) => c.fail(format!("{name} : {why}")),
        }
    }
    if !not_rebuilt.is_empty() {
        let list: Vec<String> = not_rebuilt
            .iter()
            .map(|(k, n)| format!("{k} ({n})"))
            .collect();
        c.skip(format!(
            "objets non publiés (données personnelles ou logiciels), seule la signature est vérifiée : {}",
            list.join(", ")
        ));
    }
    if superseded > 0 {
        c.skip(format!(
            "{superseded} sceau(x) remplacé(s) par un sceau ultérieur de la même étape : seule leur signature est vérifiée"
        ));
    }
    let n = c.checked;
    c.finish(format!("{n} objet(s) scellé(s) recalculé(s)"))
}

/// The `archive` object of a scrutin: its contests' results objects, in structure order.
fn archive_of(record: &Record, scrutin: &str) -> Result<Vec<u8>, String> {
    let ids: Vec<String> = match &record.structure {
        Some(Ok(st)) => st
            .contests()
            .iter()
            .filter(|c| c.scrutins.iter().any(|s| s.as_str() == scrutin))
            .map(|c| c.id.to_string())
            .collect(),
        _ => record
            .contests()
            .iter()
            .filter(|c| c.scrutins.iter().any(|s| s == scrutin))
            .map(|c| c.id.clone())
            .collect(),
    };
    let mut contests = Vec::new();
    for id in ids {
        let object = match record.tallies.get(&id) {
            Some(Ok(t)) => t
                .results_object()
                .ok_or_else(|| format!("résultats de {id} absents du dossier"))?,
            _ => return Err(format!("dépouillement de {id} absent du dossier")),
        };
        contests.push((id, sha256(&object)));
    }
    Ok(archive_object(scrutin, &contests))
}
