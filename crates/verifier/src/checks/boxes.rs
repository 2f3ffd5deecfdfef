//! The ballot boxes: credential sets, the public board's signed heads against the ballots,
//! voting keys, the ballots themselves, and ballots against émargements.

use scrutin_crypto::merkle::{MerkleTree, leaf_hash};
use scrutin_crypto::timestamp::Timestamp;

use super::setup::sha256;
use crate::load::Record;
use crate::report::Check;
use crate::scan::{Problems, Scan};

fn add(c: &mut Check, p: &Problems) {
    for why in &p.first {
        c.problem(why.clone());
    }
    // Count the ones not listed too.
    let extra = p.count.saturating_sub(p.first.len() as u64);
    c.failed += extra;
}

/// Check `credentials`: per scrutin, the voting keys are distinct and number the rights
/// with credentials plus the resends, as the journal says.
pub(crate) fn credentials(record: &Record) -> Check {
    let mut c = Check::new(
        "credentials",
        "Listes des clés de vote : taille = droits + renvois journalisés",
    );
    let generated = record.journaled("credentials");
    let resends = record.journaled("resend");
    let mut keys = 0u64;
    for s in record.scrutins() {
        let set = match record.credentials.get(&s.id) {
            Some(Ok(set)) => set,
            Some(Err(e)) => {
                c.fail(e.clone());
                continue;
            }
            None => {
                c.fail(format!("scrutin {} : liste des clés de vote absente", s.id));
                continue;
            }
        };
        keys += set.voting_keys.len() as u64;
        let mut why = Vec::new();
        if set.scrutin != s.id {
            why.push(format!("le fichier est celui du scrutin {}", set.scrutin));
        }
        if set.voting_keys.windows(2).any(|w| w[0] >= w[1]) {
            why.push("clés non triées ou en double".to_owned());
        }
        let n = set.voting_keys.len() as u64;
        if n != set.rights_with_credentials + set.resends {
            why.push(format!(
                "{n} clés pour {} droits dotés d'un code et {} renvois",
                set.rights_with_credentials, set.resends
            ));
        }
        if set.rights_with_credentials > set.rights {
            why.push(format!(
                "{} droits dotés d'un code pour {} inscrits",
                set.rights_with_credentials, set.rights
            ));
        }
        if record.journal.is_ok() {
            let batches: Vec<&serde_json::Value> = generated
                .iter()
                .filter(|p| p["scrutin"] == s.id.as_str())
                .collect();
            let journaled: u64 = batches.iter().filter_map(|p| p["generated"].as_u64()).sum();
            let resent = resends
                .iter()
                .filter(|p| p["scrutin"] == s.id.as_str())
                .count() as u64;
            if journaled != set.rights_with_credentials {
                why.push(format!(
                    "le journal compte {journaled} codes générés, le dossier {} droits dotés",
                    set.rights_with_credentials
                ));
            }
            if resent != set.resends {
                why.push(format!(
                    "le journal compte {resent} renvois, le dossier {}",
                    set.resends
                ));
            }
            // With one generation and no resend, the journaled digest covers the whole set.
            if let [batch] = batches.as_slice()
                && set.resends == 0
            {
                let all: Vec<u8> = set.voting_keys.iter().flatten().copied().collect();
                if batch["voting_keys_sha256"] != hex::encode(sha256(&all)) {
                    why.push("l'empreinte journalisée des clés ne correspond pas".to_owned());
                }
            }
        } else {
            c.skip(format!(
                "scrutin {} : journal illisible, comptes non recoupés",
                s.id
            ));
        }
        if why.is_empty() {
            c.ok();
        } else {
            c.fail(format!("scrutin {} : {}", s.id, why.join(" ; ")));
        }
    }
    let n = c.checked;
    c.finish(format!("{n} scrutins, {keys} clés de vote publiques"))
}

/// Check `board`: per scrutin, the signed heads (signature, numbering, sizes, times), the
/// consistency of each head with the previous one, the roots recomputed from the ballots,
/// the last head covering exactly the ballots of the record, each ballot in its epoch,
/// and every head journaled.
pub(crate) fn board(record: &Record, scan: &Scan) -> Check {
    let mut c = Check::new(
        "board",
        "Tableau public : têtes signées, cohérence, racine finale = bulletins du dossier",
    );
    let epoch_heads = record.journaled("epoch-head");
    let mut heads_total = 0usize;
    for s in record.scrutins() {
        let id = &s.id;
        let board = match record.boards.get(id) {
            Some(Ok(b)) => b,
            Some(Err(e)) => {
                c.fail(e.clone());
                continue;
            }
            None => {
                c.fail(format!("scrutin {id} : tableau absent"));
                continue;
            }
        };
        let Some(sc) = scan.scrutins.get(id) else {
            c.fail(format!("scrutin {id} : bulletins absents"));
            continue;
        };
        add(&mut c, &sc.order);
        heads_total += board.heads.len();
        let mut why: Vec<String> = Vec::new();
        if board.scrutin != *id {
            why.push(format!("le fichier est celui du scrutin {}", board.scrutin));
        }
        let Some(key) = &record.platform_key else {
            c.fail(format!("scrutin {id} : pas de clé de la plateforme"));
            continue;
        };
        let mut previous: Option<&scrutin_crypto::merkle::SignedTreeHead> = None;
        for (i, h) in board.heads.iter().enumerate() {
            let e = i as u64 + 1;
            if h.log_id != *id || h.epoch != e {
                why.push(format!(
                    "tête n° {e} : nommée {} époque {}",
                    h.log_id, h.epoch
                ));
            }
            if h.verify(key).is_err() {
                why.push(format!("tête de l'époque {e} : signature invalide"));
            }
            if let Some(p) = previous {
                if h.tree_size <= p.tree_size {
                    why.push(format!("époque {e} : la taille ne croît pas"));
                }
                if let (Ok(a), Ok(b)) = (Timestamp::parse(&p.time), Timestamp::parse(&h.time))
                    && b < a
                {
                    why.push(format!("époque {e} : datée avant la précédente"));
                }
            } else if h.tree_size == 0 {
                why.push("époque 1 vide".to_owned());
            }
            if record.journal.is_ok()
                && !epoch_heads.iter().any(|p| {
                    p["scrutin"] == id.as_str()
                        && p["epoch"] == e
                        && p["digest"] == hex::encode(h.digest())
                })
            {
                // A head closed while the record was exported is newer than the journal.
                let last = board.heads[i..]
                    .iter()
                    .all(|later| record.after_journal(&later.time));
                if last {
                    c.skip(format!(
                        "scrutin {id}, époque {e} : tête postérieure au journal exporté"
                    ));
                } else {
                    why.push(format!("tête de l'époque {e} absente du journal"));
                }
            }
            previous = Some(h);
        }
        // The other way round: every head the journal records is in the record (a dropped
        // last epoch would hide its ballots).
        for p in epoch_heads.iter().filter(|p| p["scrutin"] == id.as_str()) {
            let found = board
                .heads
                .iter()
                .any(|h| p["epoch"] == h.epoch && p["digest"] == hex::encode(h.digest()));
            if !found {
                why.push(format!(
                    "le journal enregistre la tête de l'époque {} absente du dossier",
                    p["epoch"]
                ));
            }
        }
        // The log rebuilt from the ballots of the record.
        if sc.codes.iter().any(Option::is_none) || sc.file_error.is_some() {
            why.push("des bulletins illisibles empêchent de recalculer le journal public".into());
        } else {
            let leaves: Vec<[u8; 32]> = sc
                .codes
                .iter()
                .flatten()
                .map(|code| leaf_hash(code))
                .collect();
            let tree = MerkleTree::from_leaf_hashes(&leaves);
            let count = leaves.len() as u64;
            let last_size = board.heads.last().map_or(0, |h| h.tree_size);
            if last_size != count {
                why.push(format!(
                    "la dernière tête couvre {last_size} bulletins, le dossier en contient {count}"
                ));
            }
            let mut prev: Option<&scrutin_crypto::merkle::SignedTreeHead> = None;
            for h in &board.heads {
                if h.tree_size > count {
                    break;
                }
                match tree.root_at(h.tree_size) {
                    Ok(root) if root == h.root => {}
                    _ => why.push(format!(
                        "époque {} : la racine signée n'est pas celle des bulletins du dossier",
                        h.epoch
                    )),
                }
                if let Some(p) = prev {
                    let proof = tree.consistency_proof(p.tree_size, h.tree_size);
                    if proof.and_then(|pr| pr.verify(&p.root, &h.root)).is_err() {
                        why.push(format!(
                            "époques {} → {} : preuve de cohérence invalide",
                            p.epoch, h.epoch
                        ));
                    }
                }
                prev = Some(h);
            }
            // Each ballot lies in the epoch its line names.
            for (i, &e) in sc.epochs.iter().enumerate() {
                let i = i as u64;
                let end = board
                    .heads
                    .get((e as usize).wrapping_sub(1))
                    .map(|h| h.tree_size);
                let start = if e <= 1 {
                    Some(0)
                } else {
                    board.heads.get(e as usize - 2).map(|h| h.tree_size)
                };
                match (start, end) {
                    (Some(a), Some(b)) if a <= i && i < b => {}
                    _ => {
                        why.push(format!(
                            "le bulletin ligne {} n'est pas dans l'époque {e} qu'il nomme",
                            i + 1
                        ));
                        break;
                    }
                }
            }
        }
        if why.is_empty() {
            c.ok();
        } else {
            c.fail(format!("scrutin {id} : {}", why.join(" ; ")));
        }
    }
    let n = c.checked;
    c.finish(format!(
        "{n} scrutins, {heads_total} têtes d'époque signées, cohérentes et journalisées"
    ))
}

/// Check `voting-keys`: every ballot's voting key is in its scrutin's set, and no key
/// cast two ballots.
pub(crate) fn voting_keys(record: &Record, scan: &Scan) -> Check {
    let mut c = Check::new(
        "voting-keys",
        "Chaque bulletin : clé de vote de la liste du scrutin, utilisée une seule fois",
    );
    for s in record.scrutins() {
        let Some(sc) = scan.scrutins.get(&s.id) else {
            continue;
        };
        if sc.no_credentials && sc.lines > 0 {
            c.problem(format!(
                "scrutin {} : liste des clés absente, {} bulletins non rattachés",
                s.id, sc.lines
            ));
        }
        let bad = sc.unknown_keys.count + sc.reused_keys.count;
        c.ok_n(sc.lines.saturating_sub(bad));
        c.checked += bad;
        add(&mut c, &sc.unknown_keys);
        add(&mut c, &sc.reused_keys);
    }
    let n = c.checked;
    c.finish(format!("{n} bulletins : clé de vote inscrite et unique"))
}

/// Check `ballots`: every ballot parses, belongs to its scrutin, and its signature and
/// proofs verify (batch verification, the failing ones named).
pub(crate) fn ballots(record: &Record, scan: &Scan) -> Check {
    let mut c = Check::new(
        "ballots",
        "Chaque bulletin : signature et preuves de validité (vérification par lots)",
    );
    for s in record.scrutins() {
        let Some(sc) = scan.scrutins.get(&s.id) else {
            continue;
        };
        if let Some(e) = &sc.file_error {
            c.problem(format!("scrutin {} : {e}", s.id));
            continue;
        }
        let bad = sc.unreadable.count + sc.invalid.count;
        c.ok_n(sc.lines.saturating_sub(bad));
        c.checked += bad;
        add(&mut c, &sc.unreadable);
        add(&mut c, &sc.invalid);
    }
    let threads = crate::parallel::threads();
    let n = c.checked;
    c.finish(format!(
        "{n} bulletins vérifiés une fois chacun, par lots de {} ({threads} fil(s) de calcul)",
        scrutin_crypto::batch::CHUNK
    ))
}

/// Check `emargements`: in every closed scrutin, as many ballots as émargements.
pub(crate) fn emargements(record: &Record, scan: &Scan) -> Check {
    let mut c = Check::new(
        "emargements",
        "Bulletins dans l'urne = émargements, pour chaque scrutin clos",
    );
    if let Err(e) = &record.emargements {
        c.problem(e.clone());
        return c.finish("émargements illisibles");
    }
    for s in record.scrutins() {
        let ballots = scan.scrutins.get(&s.id).map_or(0, |sc| sc.lines);
        match (s.closed, record.emargement(&s.id)) {
            (false, None) => c.skip(format!(
                "scrutin {} : vote en cours, le nombre d'émargements n'est pas publié",
                s.id
            )),
            (false, Some(_)) => c.fail(format!(
                "scrutin {} : nombre d'émargements publié pendant le vote",
                s.id
            )),
            (true, None) => c.fail(format!(
                "scrutin {} clos : nombre d'émargements absent",
                s.id
            )),
            (true, Some(n)) if n == ballots => c.ok(),
            (true, Some(n)) => c.fail(format!(
                "scrutin {} : {ballots} bulletins pour {n} émargements",
                s.id
            )),
        }
    }
    let n = c.checked;
    c.finish(format!(
        "{n} scrutin(s) clos : autant de bulletins que d'émargements"
    ))
}
