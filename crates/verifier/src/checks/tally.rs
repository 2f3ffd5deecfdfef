//! The tally: aggregates recomputed from the ballots, decryption shares and their proofs,
//! the combination and the discrete logarithms, the results and the seats.

use scrutin_crypto::dkg::DkgOutcome;
use scrutin_crypto::elgamal::Ciphertext;
use scrutin_crypto::tally::{
    DecryptionShare, DlogTable, decrypt, verify_decryption_share, verify_decryption_shares,
};
use scrutin_election::ContestCount;
use scrutin_election::record::{RESULTS_FORMAT, TallyRecord};
use scrutin_election::results::compute_results;
use scrutin_election::seats::allocate_from_results;

use super::setup::{Context, sha256};
use crate::load::Record;
use crate::report::Check;
use crate::scan::Scan;

/// The tallies of the record, by contest, with the problem of those that do not load.
fn tallies<'a>(record: &'a Record, c: &mut Check) -> Vec<&'a TallyRecord> {
    let mut out = Vec::new();
    for (key, t) in &record.tallies {
        match t {
            Ok(t) => out.push(t),
            Err(e) => c.fail(format!("{key} : {e}")),
        }
    }
    out
}

fn decoded(t: &TallyRecord) -> Result<Vec<Ciphertext>, String> {
    t.aggregates
        .iter()
        .map(|a| a.decode().map_err(|e| e.to_string()))
        .collect()
}

/// The verified ceremony of a tally's chamber (threshold, outcome) and the tally's decoded
/// aggregates; `None`, with the failure said in `c`, when either is missing.
fn ceremony_and_aggregates<'a>(
    t: &TallyRecord,
    ctx: &'a Context,
    c: &mut Check,
) -> Option<(&'a (u32, DkgOutcome), Vec<Ciphertext>)> {
    let id = &t.contest;
    let Some(ceremony) = ctx.outcomes.get(&t.chamber) else {
        c.fail(format!(
            "{id} : pas de cérémonie vérifiée pour la CCI {}",
            t.chamber
        ));
        return None;
    };
    match decoded(t) {
        Ok(aggregates) => Some((ceremony, aggregates)),
        Err(e) => {
            c.fail(format!("{id} : agrégats illisibles ({e})"));
            None
        }
    }
}

fn skip_untallied(record: &Record, c: &mut Check) {
    for contest in record.contests() {
        if !record.tallies.contains_key(&contest.id) {
            c.skip(format!(
                "élection {} : dépouillement pas commencé",
                contest.id
            ));
        }
    }
}

/// Check `aggregates`: each contest's aggregates equal those recomputed from the ballots of
/// its scrutins; its counts of ballots, émargements and registered match the record.
pub(crate) fn aggregates(record: &Record, scan: &Scan) -> Check {
    let mut c = Check::new(
        "aggregates",
        "Agrégats recalculés à partir des bulletins (chiffrés, sans rien déchiffrer)",
    );
    let started = record.journaled("tally-started");
    for why in &scan.aggregate_problems.first {
        c.problem(why.clone());
    }
    for t in tallies(record, &mut c) {
        let id = &t.contest;
        let Some(info) = record.contests().iter().find(|x| &x.id == id) else {
            c.fail(format!("{id} : dépouillement d'une élection inconnue"));
            continue;
        };
        let mut why = Vec::new();
        if t.fingerprint != info.fingerprint {
            why.push("empreinte de l'élection différente".to_owned());
        }
        match scan.aggregates.get(id) {
            Some(agg) => {
                let mine: Vec<_> = agg
                    .sums()
                    .iter()
                    .map(|s| (s.alpha.compress().to_bytes(), s.beta.compress().to_bytes()))
                    .collect();
                let theirs: Vec<_> = t.aggregates.iter().map(|a| (a.alpha, a.beta)).collect();
                if mine != theirs {
                    why.push("les agrégats publiés ne sont pas ceux des bulletins".to_owned());
                }
                if agg.count() != t.ballots {
                    why.push(format!(
                        "{} bulletins annoncés, {} dans les urnes",
                        t.ballots,
                        agg.count()
                    ));
                }
            }
            None => why.push("agrégats non recalculables".to_owned()),
        }
        let closed = info
            .scrutins
            .iter()
            .all(|s| record.scrutins().iter().any(|x| &x.id == s && x.closed));
        if closed {
            let emargements: u64 = info
                .scrutins
                .iter()
                .filter_map(|s| record.emargement(s))
                .sum();
            if emargements != t.emargements {
                why.push(format!(
                    "{} émargements annoncés, {emargements} dans le dossier",
                    t.emargements
                ));
            }
        } else {
            why.push("dépouillement d'un scrutin qui n'est pas clos".to_owned());
        }
        let registered: u64 = info
            .scrutins
            .iter()
            .filter_map(|s| record.credentials.get(s)?.as_ref().ok().map(|x| x.rights))
            .sum();
        if registered != t.registered {
            why.push(format!(
                "{} inscrits annoncés, {registered} dans le dossier",
                t.registered
            ));
        }
        if record.journal.is_ok() {
            let text = serde_json::to_string(&t.aggregates).unwrap_or_default();
            let digest = hex::encode(sha256(text.as_bytes()));
            if !started
                .iter()
                .any(|p| p["contest"] == id.as_str() && p["aggregates_sha256"] == digest)
            {
                why.push("agrégats absents du journal (« tally-started »)".to_owned());
            }
        }
        if why.is_empty() {
            c.ok();
        } else {
            c.fail(format!("{id} : {}", why.join(" ; ")));
        }
    }
    skip_untallied(record, &mut c);
    let n = c.checked;
    c.finish(format!(
        "{n} élection(s) : agrégats égaux à ceux recalculés"
    ))
}

/// Check `decryption-shares`: every decryption share's DLEQ proofs against its trustee's
/// verification key and the published aggregates.
pub(crate) fn decryption_shares(
    record: &Record,
    ctx: &Context,
    rng: &mut rand_chacha::ChaCha20Rng,
) -> Check {
    let mut c = Check::new(
        "decryption-shares",
        "Parts de déchiffrement : preuves d'égalité de logarithmes (DLEQ)",
    );
    let mut shares_total = 0usize;
    for t in tallies(record, &mut c) {
        let id = &t.contest;
        if t.shares.is_empty() {
            c.skip(format!("{id} : aucune part de déchiffrement encore"));
            continue;
        }
        let Some(((_, outcome), aggregates)) = ceremony_and_aggregates(t, ctx, &mut c) else {
            continue;
        };
        shares_total += t.shares.len();
        for (i, s) in t.shares.iter().enumerate() {
            if t.shares[..i].iter().any(|o| o.trustee == s.trustee) {
                c.fail(format!("{id} : deux parts du détenteur {}", s.trustee));
            }
        }
        // All proofs of the contest in one batch; one by one only to name a bad share.
        if verify_decryption_shares(
            &t.fingerprint,
            &t.shares,
            &outcome.verification_keys,
            &aggregates,
            rng,
        )
        .is_ok()
        {
            c.ok_n(t.shares.len() as u64);
            continue;
        }
        for s in &t.shares {
            match outcome.verification_key(s.trustee) {
                None => c.fail(format!("{id} : part du détenteur inconnu {}", s.trustee)),
                Some(y) => match verify_decryption_share(&t.fingerprint, s, &y, &aggregates) {
                    Ok(()) => c.ok(),
                    Err(e) => c.fail(format!("{id} : détenteur {} : {e}", s.trustee)),
                },
            }
        }
    }
    skip_untallied(record, &mut c);
    c.finish(format!(
        "{shares_total} part(s) de déchiffrement, chaque preuve vérifiée"
    ))
}

/// The counts as one vector: blank first, then the votes per option.
fn counts_vector(count: &ContestCount) -> Vec<u64> {
    std::iter::once(count.blank)
        .chain(count.votes.iter().copied())
        .collect()
}

/// Check `decryption`: the shares named by the results, combined by Lagrange interpolation,
/// and the small discrete logarithms give the published counts.
pub(crate) fn decryption(record: &Record, ctx: &Context) -> Check {
    let mut c = Check::new(
        "decryption",
        "Combinaison des parts et logarithmes discrets = comptes publiés",
    );
    for t in tallies(record, &mut c) {
        let id = &t.contest;
        let Some(results) = &t.results else {
            c.skip(format!("{id} : pas encore déchiffrée"));
            continue;
        };
        let Some(((threshold, _), aggregates)) = ceremony_and_aggregates(t, ctx, &mut c) else {
            continue;
        };
        let used: Vec<DecryptionShare> = results
            .trustees
            .iter()
            .filter_map(|i| t.shares.iter().find(|s| s.trustee == *i).cloned())
            .collect();
        if used.len() != results.trustees.len() {
            c.fail(format!(
                "{id} : les parts des détenteurs {:?} ne sont pas toutes dans le dossier",
                results.trustees
            ));
            continue;
        }
        let counts = DlogTable::new(t.ballots)
            .map_err(|e| e.to_string())
            .and_then(|table| {
                decrypt(*threshold, &aggregates, &used, &table).map_err(|e| e.to_string())
            });
        match counts {
            Err(e) => c.fail(format!("{id} : le déchiffrement combiné échoue : {e}")),
            Ok(counts) => {
                let published = counts_vector(&results.counts);
                if counts != published {
                    c.fail(format!(
                        "{id} : comptes déchiffrés {counts:?}, publiés {published:?}"
                    ));
                } else if results.counts.ballots != t.ballots || results.counts.null != 0 {
                    c.fail(format!(
                        "{id} : {} bulletins et {} nuls publiés pour {} bulletins agrégés",
                        results.counts.ballots, results.counts.null, t.ballots
                    ));
                } else {
                    c.ok();
                }
            }
        }
    }
    skip_untallied(record, &mut c);
    let n = c.checked;
    c.finish(format!(
        "{n} élection(s) : comptes retrouvés à partir des agrégats et d'au moins t parts"
    ))
}

/// Check `results`: the published results are those computed from the counts.
pub(crate) fn results(record: &Record, ctx: &Context) -> Check {
    let mut c = Check::new(
        "results",
        "Résultats : inscrits, votants, blancs, exprimés, voix par candidat",
    );
    for t in tallies(record, &mut c) {
        let id = &t.contest;
        let Some(r) = &t.results else {
            c.skip(format!("{id} : pas encore déchiffrée"));
            continue;
        };
        if r.format != RESULTS_FORMAT || &r.contest != id || r.results.contest.as_str() != id {
            c.fail(format!("{id} : document de résultats mal identifié"));
            continue;
        }
        let (Some(contest), Some(candidates)) = (ctx.structure.get(id), ctx.candidates.get(id))
        else {
            c.skip(format!(
                "{id} : structure ou liste des candidats absente du dossier, résultats non recalculés"
            ));
            continue;
        };
        match compute_results(contest, candidates, t.registered, t.emargements, &r.counts) {
            Err(e) => c.fail(format!("{id} : résultats impossibles : {e}")),
            Ok(expected) if expected == r.results => c.ok(),
            Ok(expected) => {
                let mut diff = Vec::new();
                if expected.expressed != r.results.expressed {
                    diff.push(format!(
                        "exprimés {} au lieu de {}",
                        r.results.expressed, expected.expressed
                    ));
                }
                if expected.votes != r.results.votes {
                    diff.push("voix par candidat".to_owned());
                }
                if expected.blank != r.results.blank || expected.ballots != r.results.ballots {
                    diff.push("bulletins ou blancs".to_owned());
                }
                if expected.voters != r.results.voters
                    || expected.registered != r.results.registered
                {
                    diff.push("votants ou inscrits".to_owned());
                }
                if diff.is_empty() {
                    diff.push("autres chiffres".to_owned());
                }
                c.fail(format!(
                    "{id} : résultats publiés différents du calcul ({})",
                    diff.join(", ")
                ));
            }
        }
    }
    skip_untallied(record, &mut c);
    let n = c.checked;
    c.finish(format!("{n} élection(s) : résultats recalculés identiques"))
}

/// Check `seats`: the published seat allocation is the one the election rules give.
pub(crate) fn seats(record: &Record, ctx: &Context) -> Check {
    let mut c = Check::new(
        "seats",
        "Attribution des sièges recalculée (majorité, âge, tirage public)",
    );
    for t in tallies(record, &mut c) {
        let id = &t.contest;
        let Some(r) = &t.results else {
            c.skip(format!("{id} : pas encore déchiffrée"));
            continue;
        };
        let Some(candidates) = ctx.candidates.get(id) else {
            c.skip(format!("{id} : liste des candidats absente du dossier"));
            continue;
        };
        let expected = allocate_from_results(candidates, &r.results);
        if expected == r.seats {
            c.ok();
        } else {
            let theirs: Vec<String> = r.seats.elected.iter().map(|o| o.to_string()).collect();
            let mine: Vec<String> = expected.elected.iter().map(|o| o.to_string()).collect();
            c.fail(format!(
                "{id} : sièges publiés différents du calcul (élus publiés {theirs:?}, calculés {mine:?})"
            ));
        }
    }
    skip_untallied(record, &mut c);
    let n = c.checked;
    c.finish(format!("{n} élection(s) : sièges identiques au calcul"))
}
