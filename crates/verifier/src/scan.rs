//! The one pass over the ballots: each ballot is read, parsed and verified exactly once
//! (batch verification of `scrutin_crypto::batch`, on every core), and the same pass
//! gathers what the other checks need — tracking codes in board order, voting keys used,
//! and the recomputed aggregates of every decrypted or started contest.

use std::collections::{BTreeMap, HashSet};
use std::io::BufRead;

use rand_chacha::ChaCha20Rng;
use scrutin_crypto::ballot::{Ballot, BallotStyle};
use scrutin_crypto::elgamal::Ciphertext;
use scrutin_crypto::tally::Aggregator;
use scrutin_election::record::{BallotLine, paths};

use crate::load::Record;
use crate::parallel::par_map;
use crate::source::Source;
use crate::{Progress, VerifyOptions};

/// Ballots read, parsed and verified together.
const CHUNK: usize = 4096;

/// Most problems kept per list (counts are kept in full).
const KEEP: usize = 50;

/// A list of problems: the first ones in full, all of them counted.
#[derive(Default, Debug)]
pub(crate) struct Problems {
    pub count: u64,
    pub first: Vec<String>,
}

impl Problems {
    pub fn push(&mut self, why: String) {
        self.count += 1;
        if self.first.len() < KEEP {
            self.first.push(why);
        }
    }
}

/// What the pass found in one scrutin's ballot file.
#[derive(Default, Debug)]
pub(crate) struct ScrutinScan {
    /// The file could not be opened.
    pub file_error: Option<String>,
    /// Lines (ballots) in the file.
    pub lines: u64,
    /// Tracking codes in file order; `None` for a line that does not parse.
    pub codes: Vec<Option<[u8; 32]>>,
    /// The epoch of each line.
    pub epochs: Vec<u64>,
    /// Lines that do not parse, or belong to another scrutin.
    pub unreadable: Problems,
    /// Lines out of board order.
    pub order: Problems,
    /// Voting keys outside the scrutin's set.
    pub unknown_keys: Problems,
    /// Voting keys used by more than one ballot.
    pub reused_keys: Problems,
    /// Ballots whose signature or proofs fail.
    pub invalid: Problems,
    /// Ballots verified.
    pub verified: u64,
    /// The credential set was missing: keys could not be checked.
    pub no_credentials: bool,
}

/// The pass's results.
#[derive(Default)]
pub(crate) struct Scan {
    /// By scrutin.
    pub scrutins: BTreeMap<String, ScrutinScan>,
    /// Recomputed aggregates, by contest (only contests with a tally in the record).
    pub aggregates: BTreeMap<String, Aggregator>,
    /// Ballot parts that could not be added to an aggregate.
    pub aggregate_problems: Problems,
    /// Ballots in all.
    pub ballots: u64,
}

fn describe(scrutin: &str, line: u64, code: Option<&[u8; 32]>) -> String {
    match code {
        Some(c) => format!(
            "scrutin {scrutin}, bulletin ligne {line} (numéro de suivi {})",
            hex::encode(c)
        ),
        None => format!("scrutin {scrutin}, ligne {line}"),
    }
}

/// One parsed line.
struct Parsed {
    line: u64,
    epoch: u64,
    ballot: Ballot,
    code: [u8; 32],
}

/// The contests of a style that have a tally in the record: (position in the style,
/// contest id, fingerprint, width).
fn tallied_parts(style: &BallotStyle, record: &Record) -> Vec<(usize, String, [u8; 32], usize)> {
    style
        .contests()
        .iter()
        .enumerate()
        .filter(|(_, c)| record.tallies.contains_key(c.contest_id()))
        .map(|(i, c)| {
            (
                i,
                c.contest_id().to_owned(),
                *c.fingerprint(),
                c.option_count() + 1,
            )
        })
        .collect()
}

/// The row a ballot holds for the contest at `position` of its style, decoded.
/// The aggregates of one batch's chunk of ballots, as the batch check decoded them.
struct Partial {
    sums: Vec<Aggregator>,
    problems: Vec<String>,
    /// Indexes (in the batch) of the ballots added.
    seen: Vec<usize>,
}

impl Partial {
    fn absorb(&mut self, other: &Partial) {
        for (x, y) in self.sums.iter_mut().zip(&other.sums) {
            // Same widths by construction.
            let _ = x.merge(y);
        }
        self.problems.extend(other.problems.iter().cloned());
    }
}

fn row_of(
    ballot: &Ballot,
    position: usize,
    fingerprint: &[u8; 32],
) -> Result<Vec<Ciphertext>, String> {
    let part = ballot
        .contests
        .get(position)
        .filter(|p| &p.contest == fingerprint)
        .ok_or("pas de partie pour ce contest à sa place")?;
    let mut row = Vec::with_capacity(part.options.len() + 1);
    row.push(part.blank.decode().map_err(|e| e.to_string())?);
    for o in &part.options {
        row.push(o.decode().map_err(|e| e.to_string())?);
    }
    Ok(row)
}

/// Runs the pass over every scrutin's ballot file.
pub(crate) fn scan(
    src: &dyn Source,
    record: &Record,
    options: &VerifyOptions,
    rng: &mut ChaCha20Rng,
) -> Scan {
    let mut out = Scan::default();
    let total: u64 = record
        .boards
        .values()
        .filter_map(|b| b.as_ref().ok())
        .filter_map(|b| b.heads.last().map(|h| h.tree_size))
        .sum();
    let mut done = 0u64;
    let report = |done: u64| {
        if let Some(p) = &options.progress {
            p(Progress {
                stage: "bulletins",
                done,
                total,
            });
        }
    };
    report(0);
    for s in record.scrutins() {
        let mut scan = ScrutinScan::default();
        let keys: Option<HashSet<[u8; 32]>> = match record.credentials.get(&s.id) {
            Some(Ok(set)) => Some(set.voting_keys.iter().copied().collect()),
            _ => None,
        };
        scan.no_credentials = keys.is_none();
        let mut used: HashSet<[u8; 32]> = HashSet::new();
        let style = &s.ballot_style;
        let parts = tallied_parts(style, record);
        let path = paths::ballots(&s.id);
        let mut reader = match src.lines(&path) {
            Ok(r) => r,
            Err(e) => {
                scan.file_error = Some(e);
                out.scrutins.insert(s.id.clone(), scan);
                continue;
            }
        };
        let mut last: Option<(u64, [u8; 32])> = None;
        let mut line_no = 0u64;
        loop {
            // Read a chunk of lines.
            let mut lines: Vec<(u64, String)> = Vec::with_capacity(CHUNK);
            let mut eof = false;
            while lines.len() < CHUNK {
                let mut text = String::new();
                match reader.read_line(&mut text) {
                    Ok(0) => {
                        eof = true;
                        break;
                    }
                    Ok(_) => {
                        line_no += 1;
                        if !text.trim().is_empty() {
                            lines.push((line_no, text));
                        }
                    }
                    Err(e) => {
                        scan.unreadable
                            .push(format!("{path} : lecture interrompue ({e})"));
                        eof = true;
                        break;
                    }
                }
            }
            // Parse them and compute their tracking codes, in parallel.
            let parsed: Vec<Result<Parsed, (u64, String)>> = par_map(&lines, |(line, text)| {
                let l: BallotLine = serde_json::from_str(text)
                    .map_err(|e| (*line, format!("ligne illisible ({e})")))?;
                let code = l.ballot.tracking_code().0;
                Ok(Parsed {
                    line: *line,
                    epoch: l.epoch,
                    ballot: l.ballot,
                    code,
                })
            });
            drop(lines);
            let mut good: Vec<Parsed> = Vec::with_capacity(parsed.len());
            for p in parsed {
                scan.lines += 1;
                match p {
                    Err((line, why)) => {
                        scan.codes.push(None);
                        scan.epochs.push(0);
                        scan.unreadable
                            .push(format!("{}: {why}", describe(&s.id, line, None)));
                    }
                    Ok(p) => {
                        scan.codes.push(Some(p.code));
                        scan.epochs.push(p.epoch);
                        let here = describe(&s.id, p.line, Some(&p.code));
                        if p.ballot.scrutin_id != s.id {
                            scan.unreadable.push(format!(
                                "{here}: bulletin du scrutin {}, pas de celui-ci",
                                p.ballot.scrutin_id
                            ));
                        }
                        // Board order: epochs in order, codes increasing within an epoch.
                        if let Some((e, c)) = last
                            && (p.epoch < e || (p.epoch == e && p.code <= c))
                        {
                            scan.order.push(format!(
                                "{here}: hors de l'ordre du tableau (époque {}, après l'époque {e})",
                                p.epoch
                            ));
                        }
                        last = Some((p.epoch, p.code));
                        if let Some(keys) = &keys
                            && !keys.contains(&p.ballot.voting_key)
                        {
                            scan.unknown_keys.push(format!(
                                "{here}: clé de vote {} absente de la liste du scrutin",
                                hex::encode(p.ballot.voting_key)
                            ));
                        }
                        if !used.insert(p.ballot.voting_key) {
                            scan.reused_keys.push(format!(
                                "{here}: clé de vote {} déjà utilisée par un autre bulletin",
                                hex::encode(p.ballot.voting_key)
                            ));
                        }
                        good.push(p);
                    }
                }
            }
            // Every ballot of the chunk verified once, in one batch (parallel inside); the
            // aggregates of the contests that were tallied are summed from the points the
            // batch decoded, so each point is decompressed once.
            let pairs: Vec<(&Ballot, &BallotStyle)> =
                good.iter().map(|p| (&p.ballot, style)).collect();
            let here = |i: usize| describe(&s.id, good[i].line, Some(&good[i].code));
            let new_partial = || Partial {
                sums: parts
                    .iter()
                    .map(|(_, _, _, w)| Aggregator::new(*w))
                    .collect(),
                problems: Vec::new(),
                seen: Vec::new(),
            };
            let (outcome, partials) = scrutin_crypto::batch::verify_ballots_folding(
                &pairs,
                rng,
                new_partial,
                |acc: &mut Partial, i, rows| {
                    acc.seen.push(i);
                    for (k, (position, contest, _, _)) in parts.iter().enumerate() {
                        let added = rows
                            .get(*position)
                            .ok_or_else(|| "pas de partie pour ce contest à sa place".to_string())
                            .and_then(|row| acc.sums[k].add(row).map_err(|e| e.to_string()));
                        if let Err(why) = added {
                            acc.problems
                                .push(format!("{} : {contest} : {why}", here(i)));
                        }
                    }
                },
            );
            if let Err(failure) = outcome {
                for f in failure.failures {
                    scan.invalid.push(format!("{}: {}", here(f.index), f.error));
                }
            }
            scan.verified += good.len() as u64;
            drop(pairs);
            if !parts.is_empty() {
                let mut total = new_partial();
                for p in &partials {
                    total.absorb(p);
                }
                // A ballot whose encodings do not decode never reached the fold: its parts
                // are decoded here, so that what can be added still is (and the failure
                // to add is reported).
                let mut seen = vec![false; good.len()];
                for i in partials.iter().flat_map(|p| &p.seen) {
                    seen[*i] = true;
                }
                for (i, p) in good.iter().enumerate().filter(|(i, _)| !seen[*i]) {
                    for (k, (position, contest, fingerprint, _)) in parts.iter().enumerate() {
                        if let Err(why) = row_of(&p.ballot, *position, fingerprint)
                            .and_then(|row| total.sums[k].add(&row).map_err(|e| e.to_string()))
                        {
                            total
                                .problems
                                .push(format!("{} : {contest} : {why}", here(i)));
                        }
                    }
                }
                for ((_, contest, _, width), agg) in parts.iter().zip(&total.sums) {
                    let sum = out
                        .aggregates
                        .entry(contest.clone())
                        .or_insert_with(|| Aggregator::new(*width));
                    if sum.merge(agg).is_err() {
                        out.aggregate_problems
                            .push(format!("{contest} : largeur différente selon les scrutins"));
                    }
                }
                for e in total.problems {
                    out.aggregate_problems.push(e);
                }
            }
            done += good.len() as u64;
            report(done);
            if eof {
                break;
            }
        }
        out.ballots += scan.lines;
        out.scrutins.insert(s.id.clone(), scan);
    }
    // Contests tallied whose scrutins hold no ballot still have (empty) aggregates.
    for c in record.contests() {
        if record.tallies.contains_key(&c.id) && !out.aggregates.contains_key(&c.id) {
            let width = record
                .scrutins()
                .iter()
                .flat_map(|s| s.ballot_style.contests())
                .find(|p| p.contest_id() == c.id)
                .map_or(0, |p| p.option_count() + 1);
            out.aggregates.insert(c.id.clone(), Aggregator::new(width));
        }
    }
    out
}
