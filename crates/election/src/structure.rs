//! The election structure: chambers, categories, sub-categories, scrutins (one row of the
//! structure file each, R-10) and the contests derived from them.
//!
//! A scrutin is one chamber × category × optional sub-category: the voter list is split
//! by scrutin. Each scrutin holds two elections in one voting operation, the CCIR and the
//! CCIT election; an election with 0 seats is absent. When the R731-8 flag is set on a
//! category with sub-categories, its CCIR election is one contest shared by all the
//! sub-categories, while each sub-category keeps its own CCIT election. A voting right
//! votes in the contests of its scrutin: its *ballot style*.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ids::{CategoryCode, ChamberCode, ContestId, ContestKind, ScrutinId, SubCategoryCode};
use crate::report::{Outcome, Rule};

/// One row of the structure file (annex §7.1.2, columns A–V), validated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScrutinDefinition {
    /// A CODE CCI.
    pub chamber: ChamberCode,
    /// B LIBELLE CCI.
    pub chamber_label: String,
    /// C CODE CATEGORIE.
    pub category: CategoryCode,
    /// D LIBELLE CATEGORIE.
    pub category_label: String,
    /// E CODE SOUS CATEGORIE.
    pub sub_category: Option<SubCategoryCode>,
    /// F LIBELLE SOUS CATEGORIE (the code when the file leaves it empty).
    pub sub_category_label: Option<String>,
    /// G NB SIEGES CCIR (0: no CCIR election).
    pub seats_ccir: u32,
    /// H NB SIEGES CCIT (0: no CCIT election).
    pub seats_ccit: u32,
    /// I TITRE SITE DE VOTE.
    pub site_title: String,
    /// J BULLETIN DE VOTE LIBELLE CCIR.
    pub label_ccir: Option<String>,
    /// K BULLETIN DE VOTE LIBELLE CCIT.
    pub label_ccit: Option<String>,
    /// L BULLETIN DE VOTE LIBELLE TYPE CATEGORIE (« Catégorie », « Sous-catégorie »…).
    pub category_type_label: String,
    /// M BULLETIN DE VOTE LIBELLE SIEGE 1.
    pub seat_label_1: Option<String>,
    /// N BULLETIN DE VOTE LIBELLE SIEGE 2.
    pub seat_label_2: String,
    /// O BULLETIN DE VOTE LIBELLE SIEGE 3.
    pub seat_label_3: String,
    /// P BULLETIN DE VOTE TITRE BULLETIN 1 (title of the CCIR ballot).
    pub ballot_title_ccir: Option<String>,
    /// Q BULLETIN DE VOTE TITRE BULLETIN 2 (title of the CCIT ballot).
    pub ballot_title_ccit: String,
    /// R MESSAGE ASSISTANCE.
    pub assistance_message: Option<String>,
    /// S TELEPHONE CCI.
    pub phone: Option<String>,
    /// T EMAIL CCI.
    pub email: Option<String>,
    /// U URL SITE CCI PF (where candidates' statements are also published).
    pub statements_url: String,
    /// V R731-8: the category's CCIR election pools its sub-categories.
    pub r731_8: bool,
}

impl ScrutinDefinition {
    /// The scrutin id of this row.
    pub fn id(&self) -> ScrutinId {
        ScrutinId::new(&self.chamber, &self.category, self.sub_category.as_ref())
    }
}

/// One election: the unit of ballot and tally.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contest {
    /// `011-C/CCIR`, `381-C-C1/CCIT`, `381-C/CCIR` (pooled).
    pub id: ContestId,
    /// CCIR or CCIT.
    pub kind: ContestKind,
    /// Chamber.
    pub chamber: ChamberCode,
    /// Category.
    pub category: CategoryCode,
    /// Sub-category, when the contest is that of one sub-category.
    pub sub_category: Option<SubCategoryCode>,
    /// True for a CCIR election shared by the sub-categories of a category (R731-8).
    pub pooled: bool,
    /// The scrutins whose voters vote in this contest, in structure order.
    pub scrutins: Vec<ScrutinId>,
    /// Seats to fill: the most candidates a voter may choose.
    pub seats: u32,
    /// Ballot title (column P for CCIR, Q for CCIT).
    pub ballot_title: String,
    /// Chamber label printed on the ballot (column J for CCIR, K for CCIT), if given.
    pub chamber_ballot_label: Option<String>,
}

impl Contest {
    /// The scope part of the id (`011-C`, `381-C-C1`).
    pub fn scope(&self) -> &str {
        self.id
            .as_str()
            .split_once('/')
            .map_or(self.id.as_str(), |(s, _)| s)
    }
}

/// A problem between rows of the structure (duplicates, disagreements), by row index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StructureProblem {
    /// Index of the row concerned in the input order.
    pub row: usize,
    /// The rule broken.
    pub rule: Rule,
    /// Blocking or warning.
    pub outcome: Outcome,
    /// French explanation.
    pub message: String,
}

/// The election structure: scrutins in file order, their contests, and each scrutin's
/// ballot style.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Structure {
    scrutins: Vec<ScrutinDefinition>,
    contests: Vec<Contest>,
    ballot_styles: BTreeMap<ScrutinId, Vec<ContestId>>,
}

/// How a voter row's chamber, category and sub-category resolve against the structure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// The row belongs to the scrutin at this index.
    Scrutin(usize),
    /// No such chamber.
    UnknownChamber,
    /// The chamber has no such category.
    UnknownCategory,
    /// The category has sub-categories and none was given.
    SubCategoryRequired,
    /// The category has sub-categories and this is not one of them.
    UnknownSubCategory,
}

impl Structure {
    /// Builds the structure from validated rows, checking the rules between rows. Returns
    /// the structure (built from the first of each duplicated scrutin) and the problems;
    /// the structure is usable only when no problem is blocking.
    pub fn build(rows: Vec<ScrutinDefinition>) -> (Structure, Vec<StructureProblem>) {
        let mut problems = Vec::new();
        let mut seen: BTreeMap<ScrutinId, usize> = BTreeMap::new();
        let mut kept: Vec<(usize, ScrutinDefinition)> = Vec::new();
        for (i, row) in rows.into_iter().enumerate() {
            let id = row.id();
            if let Some(&first) = seen.get(&id) {
                problems.push(StructureProblem {
                    row: i,
                    rule: Rule::DuplicateScrutin,
                    outcome: Outcome::Blocking,
                    message: format!(
                        "le scrutin {id} figure déjà à la ligne de données {}",
                        first + 1
                    ),
                });
                continue;
            }
            seen.insert(id, i);
            kept.push((i, row));
        }

        // Labels of a chamber and of a category must agree; the first is kept.
        let mut chamber_labels: BTreeMap<&ChamberCode, &str> = BTreeMap::new();
        let mut category_labels: BTreeMap<(&ChamberCode, &CategoryCode), &str> = BTreeMap::new();
        for (i, row) in &kept {
            let first = chamber_labels
                .entry(&row.chamber)
                .or_insert(&row.chamber_label);
            if *first != row.chamber_label {
                problems.push(StructureProblem {
                    row: *i,
                    rule: Rule::LabelMismatch,
                    outcome: Outcome::Warning,
                    message: format!(
                        "libellé de la CCI {} différent d'une ligne précédente (« {} ») : le premier est conservé",
                        row.chamber, first
                    ),
                });
            }
            let first = category_labels
                .entry((&row.chamber, &row.category))
                .or_insert(&row.category_label);
            if *first != row.category_label {
                problems.push(StructureProblem {
                    row: *i,
                    rule: Rule::LabelMismatch,
                    outcome: Outcome::Warning,
                    message: format!(
                        "libellé de la catégorie {} de la CCI {} différent d'une ligne précédente (« {} ») : le premier est conservé",
                        row.category, row.chamber, first
                    ),
                });
            }
        }

        // Group rows by chamber × category, in order of first appearance.
        let mut groups: Vec<((ChamberCode, CategoryCode), Vec<usize>)> = Vec::new();
        for (k, (_, row)) in kept.iter().enumerate() {
            let key = (row.chamber.clone(), row.category.clone());
            match groups.iter_mut().find(|(g, _)| *g == key) {
                Some((_, members)) => members.push(k),
                None => groups.push((key, vec![k])),
            }
        }

        let mut contests = Vec::new();
        let mut ballot_styles: BTreeMap<ScrutinId, Vec<ContestId>> = BTreeMap::new();
        for ((chamber, category), members) in &groups {
            let with_sub = members
                .iter()
                .filter(|&&k| kept[k].1.sub_category.is_some())
                .count();
            if with_sub > 0 && with_sub < members.len() {
                for &k in members {
                    if kept[k].1.sub_category.is_none() {
                        problems.push(StructureProblem {
                            row: kept[k].0,
                            rule: Rule::SubCategoryMix,
                            outcome: Outcome::Blocking,
                            message: format!(
                                "la catégorie {category} de la CCI {chamber} a des sous-catégories : cette ligne doit en indiquer une"
                            ),
                        });
                    }
                }
            }
            let first_flag = kept[members[0]].1.r731_8;
            let mut flags_agree = true;
            for &k in &members[1..] {
                if kept[k].1.r731_8 != first_flag {
                    flags_agree = false;
                    problems.push(StructureProblem {
                        row: kept[k].0,
                        rule: Rule::FlagMismatch,
                        outcome: Outcome::Blocking,
                        message: format!(
                            "R731-8 vaut {} ici et {} sur une ligne précédente de la catégorie {category} de la CCI {chamber}",
                            kept[k].1.r731_8, first_flag
                        ),
                    });
                }
            }
            let pooled = first_flag && flags_agree && with_sub > 0;
            if first_flag && with_sub == 0 {
                problems.push(StructureProblem {
                    row: kept[members[0]].0,
                    rule: Rule::FlagWithoutSubCategories,
                    outcome: Outcome::Warning,
                    message: format!(
                        "R731-8 est à true pour la catégorie {category} de la CCI {chamber} qui n'a pas de sous-catégorie : sans effet"
                    ),
                });
            }

            let mut pooled_ccir: Option<ContestId> = None;
            if pooled {
                let seats: Vec<u32> = members
                    .iter()
                    .map(|&k| kept[k].1.seats_ccir)
                    .filter(|&s| s > 0)
                    .collect();
                let common = seats.first().copied().unwrap_or(0);
                for &k in members {
                    let s = kept[k].1.seats_ccir;
                    if s > 0 && s != common {
                        problems.push(StructureProblem {
                            row: kept[k].0,
                            rule: Rule::PooledSeats,
                            outcome: Outcome::Blocking,
                            message: format!(
                                "élection CCIR commune (R731-8) : {s} sièges ici, {common} sur une autre ligne de la catégorie"
                            ),
                        });
                    }
                }
                if common > 0 {
                    let first_titled = members
                        .iter()
                        .map(|&k| &kept[k].1)
                        .find(|r| r.seats_ccir > 0)
                        .unwrap_or(&kept[members[0]].1);
                    for &k in members {
                        let r = &kept[k].1;
                        if r.seats_ccir > 0 && r.ballot_title_ccir != first_titled.ballot_title_ccir
                        {
                            problems.push(StructureProblem {
                                row: kept[k].0,
                                rule: Rule::LabelMismatch,
                                outcome: Outcome::Warning,
                                message: "titre du bulletin CCIR différent entre sous-catégories d'une élection commune : le premier est conservé".to_owned(),
                            });
                        }
                    }
                    let scope = format!("{chamber}-{category}");
                    let id = ContestId::new(&scope, ContestKind::Ccir);
                    contests.push(Contest {
                        id: id.clone(),
                        kind: ContestKind::Ccir,
                        chamber: chamber.clone(),
                        category: category.clone(),
                        sub_category: None,
                        pooled: true,
                        scrutins: members.iter().map(|&k| kept[k].1.id()).collect(),
                        seats: common,
                        ballot_title: first_titled.ballot_title_ccir.clone().unwrap_or_default(),
                        chamber_ballot_label: first_titled.label_ccir.clone(),
                    });
                    pooled_ccir = Some(id);
                }
            }

            for &k in members {
                let row = &kept[k].1;
                let sid = row.id();
                let mut style = Vec::new();
                if let Some(id) = &pooled_ccir {
                    style.push(id.clone());
                } else if !pooled && row.seats_ccir > 0 {
                    let id = ContestId::new(sid.as_str(), ContestKind::Ccir);
                    contests.push(Contest {
                        id: id.clone(),
                        kind: ContestKind::Ccir,
                        chamber: row.chamber.clone(),
                        category: row.category.clone(),
                        sub_category: row.sub_category.clone(),
                        pooled: false,
                        scrutins: vec![sid.clone()],
                        seats: row.seats_ccir,
                        ballot_title: row.ballot_title_ccir.clone().unwrap_or_default(),
                        chamber_ballot_label: row.label_ccir.clone(),
                    });
                    style.push(id);
                }
                if row.seats_ccit > 0 {
                    let id = ContestId::new(sid.as_str(), ContestKind::Ccit);
                    contests.push(Contest {
                        id: id.clone(),
                        kind: ContestKind::Ccit,
                        chamber: row.chamber.clone(),
                        category: row.category.clone(),
                        sub_category: row.sub_category.clone(),
                        pooled: false,
                        scrutins: vec![sid.clone()],
                        seats: row.seats_ccit,
                        ballot_title: row.ballot_title_ccit.clone(),
                        chamber_ballot_label: row.label_ccit.clone(),
                    });
                    style.push(id);
                }
                ballot_styles.insert(sid, style);
            }
        }

        // Contests in structure order: CCIR before CCIT of the same scope, pooled CCIR
        // before the sub-categories' CCIT elections (already so by construction).
        let structure = Structure {
            scrutins: kept.into_iter().map(|(_, r)| r).collect(),
            contests,
            ballot_styles,
        };
        problems.sort_by_key(|p| p.row);
        (structure, problems)
    }

    /// Builds the structure and fails on any blocking problem (for programmatic use).
    pub fn new(rows: Vec<ScrutinDefinition>) -> Result<Structure, Vec<StructureProblem>> {
        let (structure, problems) = Structure::build(rows);
        let blocking: Vec<_> = problems
            .into_iter()
            .filter(|p| p.outcome == Outcome::Blocking)
            .collect();
        if blocking.is_empty() {
            Ok(structure)
        } else {
            Err(blocking)
        }
    }

    /// The scrutins, in file order.
    pub fn scrutins(&self) -> &[ScrutinDefinition] {
        &self.scrutins
    }

    /// A scrutin by id.
    pub fn scrutin(&self, id: &ScrutinId) -> Option<&ScrutinDefinition> {
        self.scrutins.iter().find(|s| &s.id() == id)
    }

    /// The contests, CCIR before CCIT within a scope, in structure order.
    pub fn contests(&self) -> &[Contest] {
        &self.contests
    }

    /// A contest by id.
    pub fn contest(&self, id: &ContestId) -> Option<&Contest> {
        self.contests.iter().find(|c| &c.id == id)
    }

    /// The ballot style of a scrutin's voting rights: its contests in ballot order (the
    /// CCIR election first, then the CCIT election; R-15).
    pub fn ballot_style(&self, scrutin: &ScrutinId) -> Option<&[ContestId]> {
        self.ballot_styles.get(scrutin).map(Vec::as_slice)
    }

    /// Chamber codes, in order of first appearance.
    pub fn chambers(&self) -> Vec<&ChamberCode> {
        let mut out: Vec<&ChamberCode> = Vec::new();
        for s in &self.scrutins {
            if !out.contains(&&s.chamber) {
                out.push(&s.chamber);
            }
        }
        out
    }

    /// The label of a chamber (from its first row).
    pub fn chamber_label(&self, chamber: &str) -> Option<&str> {
        self.scrutins
            .iter()
            .find(|s| s.chamber.as_str() == chamber)
            .map(|s| s.chamber_label.as_str())
    }

    /// True when the chamber appears in the structure.
    pub fn has_chamber(&self, chamber: &str) -> bool {
        self.scrutins.iter().any(|s| s.chamber.as_str() == chamber)
    }

    /// Resolves a voter row's codes to its scrutin (annex §7.1.3, columns 1, 3 and 4):
    /// the sub-category is ignored for a category without sub-categories and required
    /// and checked for one with sub-categories.
    pub fn resolve(&self, chamber: &str, category: &str, sub_category: &str) -> Resolution {
        let mut chamber_found = false;
        let mut category_found = false;
        let mut category_has_subs = false;
        for (i, s) in self.scrutins.iter().enumerate() {
            if s.chamber.as_str() != chamber {
                continue;
            }
            chamber_found = true;
            if s.category.as_str() != category {
                continue;
            }
            category_found = true;
            match &s.sub_category {
                None => return Resolution::Scrutin(i),
                Some(sub) => {
                    category_has_subs = true;
                    if sub.as_str() == sub_category {
                        return Resolution::Scrutin(i);
                    }
                }
            }
        }
        if !chamber_found {
            Resolution::UnknownChamber
        } else if !category_found {
            Resolution::UnknownCategory
        } else if category_has_subs && sub_category.is_empty() {
            Resolution::SubCategoryRequired
        } else {
            Resolution::UnknownSubCategory
        }
    }

    /// The scrutin at an index returned by [`Structure::resolve`].
    pub fn scrutin_at(&self, index: usize) -> Option<&ScrutinDefinition> {
        self.scrutins.get(index)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A structure row with plausible labels, for tests.
    pub(crate) fn row(
        chamber: &str,
        category: &str,
        sub: Option<&str>,
        ccir: u32,
        ccit: u32,
        pooled: bool,
    ) -> ScrutinDefinition {
        ScrutinDefinition {
            chamber: ChamberCode::parse(chamber).unwrap(),
            chamber_label: format!("CCI {chamber}"),
            category: CategoryCode::parse(category).unwrap(),
            category_label: format!("Catégorie {category}"),
            sub_category: sub.map(|s| SubCategoryCode::parse(s).unwrap()),
            sub_category_label: sub.map(|s| format!("Sous-catégorie {s}")),
            seats_ccir: ccir,
            seats_ccit: ccit,
            site_title: "Élections 2026".into(),
            label_ccir: Some("CCI de région".into()),
            label_ccit: Some(format!("CCI {chamber}")),
            category_type_label: "Catégorie".into(),
            seat_label_1: None,
            seat_label_2: "CCIT".into(),
            seat_label_3: "CCIT".into(),
            ballot_title_ccir: (ccir > 0).then(|| "Élection CCIR et CCIT".to_owned()),
            ballot_title_ccit: "Élection CCIT".into(),
            assistance_message: None,
            phone: None,
            email: None,
            statements_url: "www.example.cci.fr".into(),
            r731_8: pooled,
        }
    }

    #[test]
    fn contests_and_ballot_styles_without_sub_categories() {
        let s = Structure::new(vec![
            row("011", "C", None, 2, 8, false),
            row("011", "I", None, 0, 6, false),
        ])
        .unwrap();
        let ids: Vec<_> = s.contests().iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["011-C/CCIR", "011-C/CCIT", "011-I/CCIT"]);
        let style = s.ballot_style(&ScrutinId::parse("011-C").unwrap()).unwrap();
        assert_eq!(style.len(), 2);
        assert_eq!(style[0].kind(), ContestKind::Ccir);
        let style = s.ballot_style(&ScrutinId::parse("011-I").unwrap()).unwrap();
        assert_eq!(style, [ContestId::parse("011-I/CCIT").unwrap()]);
    }

    #[test]
    fn r731_8_pools_the_ccir_election_of_sub_categories() {
        let s = Structure::new(vec![
            row("381", "C", Some("C1"), 1, 5, true),
            row("381", "C", Some("C2"), 1, 4, true),
            row("381", "I", Some("I1"), 1, 3, false),
            row("381", "I", Some("I2"), 1, 3, false),
        ])
        .unwrap();
        let ids: Vec<_> = s.contests().iter().map(|c| c.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "381-C/CCIR",
                "381-C-C1/CCIT",
                "381-C-C2/CCIT",
                "381-I-I1/CCIR",
                "381-I-I1/CCIT",
                "381-I-I2/CCIR",
                "381-I-I2/CCIT"
            ]
        );
        let pooled = &s.contests()[0];
        assert!(pooled.pooled);
        assert_eq!(pooled.seats, 1);
        assert_eq!(pooled.scrutins.len(), 2);
        let c2 = s
            .ballot_style(&ScrutinId::parse("381-C-C2").unwrap())
            .unwrap();
        assert_eq!(c2[0].as_str(), "381-C/CCIR");
        assert_eq!(c2[1].as_str(), "381-C-C2/CCIT");
    }

    #[test]
    fn pooled_rows_must_agree_on_ccir_seats_and_flag() {
        let err = Structure::new(vec![
            row("381", "C", Some("C1"), 1, 5, true),
            row("381", "C", Some("C2"), 2, 4, true),
        ])
        .unwrap_err();
        assert_eq!(err[0].rule, Rule::PooledSeats);
        // A zero on one row is accepted: the shared election has the common seats.
        assert!(
            Structure::new(vec![
                row("381", "C", Some("C1"), 1, 5, true),
                row("381", "C", Some("C2"), 0, 4, true),
            ])
            .is_ok()
        );
        let err = Structure::new(vec![
            row("381", "C", Some("C1"), 1, 5, true),
            row("381", "C", Some("C2"), 1, 4, false),
        ])
        .unwrap_err();
        assert_eq!(err[0].rule, Rule::FlagMismatch);
        assert_eq!(err[0].row, 1);
    }

    #[test]
    fn duplicates_and_mixed_sub_categories_are_blocking() {
        let err = Structure::new(vec![
            row("011", "C", None, 2, 8, false),
            row("011", "C", None, 2, 8, false),
        ])
        .unwrap_err();
        assert_eq!(err[0].rule, Rule::DuplicateScrutin);
        let err = Structure::new(vec![
            row("011", "C", Some("C1"), 2, 8, false),
            row("011", "C", None, 2, 8, false),
        ])
        .unwrap_err();
        assert_eq!(err[0].rule, Rule::SubCategoryMix);
    }

    #[test]
    fn resolve_follows_the_annex_sub_category_rule() {
        let s = Structure::new(vec![
            row("011", "C", None, 2, 8, false),
            row("381", "S", Some("S1"), 1, 5, false),
            row("381", "S", Some("S2"), 1, 5, false),
        ])
        .unwrap();
        // Ignored without sub-categories.
        assert_eq!(s.resolve("011", "C", "ZZ"), Resolution::Scrutin(0));
        assert_eq!(s.resolve("381", "S", "S2"), Resolution::Scrutin(2));
        assert_eq!(s.resolve("381", "S", ""), Resolution::SubCategoryRequired);
        assert_eq!(s.resolve("381", "S", "S9"), Resolution::UnknownSubCategory);
        assert_eq!(s.resolve("381", "C", "S1"), Resolution::UnknownCategory);
        assert_eq!(s.resolve("999", "C", ""), Resolution::UnknownChamber);
    }
}
