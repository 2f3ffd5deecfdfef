//! Synthetic CCI files for load tests and benchmarks: a structure file and a voter file
//! of any size, in the real formats, reproducible from a seed. Every generated row is
//! valid; values look like real ones (accented names, companies, French and foreign
//! addresses, about 10 % e-mails and mobiles, some unknown birth dates, some persons
//! with several rights).

use std::io::{self, Write};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Chamber code of the synthetic chamber.
pub const SYNTHETIC_CHAMBER: &str = "999";

/// The synthetic structure: chamber 999 with categories C (sub-categories C1, C2 and a
/// pooled CCIR election, R731-8), I (I1, I2) and S (no sub-category).
pub fn write_structure<W: Write>(mut w: W) -> io::Result<()> {
    writeln!(w, "{}", crate::structure_file::header().join(";"))?;
    let rows: [(&str, &str, &str, &str, u32, u32, bool); 5] = [
        ("C", "Commerce", "C1", "moins de 10 salariés", 1, 6, true),
        ("C", "Commerce", "C2", "10 salariés et plus", 1, 4, true),
        ("I", "Industrie", "I1", "moins de 10 salariés", 1, 4, false),
        ("I", "Industrie", "I2", "10 salariés et plus", 1, 3, false),
        ("S", "Services", "", "", 3, 12, false),
    ];
    for (cat, cat_label, sub, sub_label, ccir, ccit, pooled) in rows {
        writeln!(
            w,
            "{SYNTHETIC_CHAMBER};CCI Synthétique;{cat};{cat_label};{sub};{sub_label};{ccir};{ccit};\
             Élections des membres de la CCI Synthétique 2026;\
             Chambre de commerce et d'industrie de région Synthèse;CCI Synthétique;\
             {};CCI de région Synthèse;CCI Synthétique;CCI Synthétique;\
             Élection des membres de la CCI de région et de la CCI Synthétique;\
             Élection des membres de la CCI Synthétique;\
             , au 01 02 03 04 05, du lundi au vendredi de 9 h à 18 h;01 02 03 04 05;\
             elections@synthetique.cci.fr;www.synthetique.cci.fr;{pooled}",
            if sub.is_empty() {
                "Catégorie"
            } else {
                "Sous-catégorie"
            }
        )?;
    }
    Ok(())
}

const LAST: &[&str] = &[
    "MARTIN",
    "BERNARD",
    "THOMAS",
    "PETIT",
    "ROBERT",
    "RICHARD",
    "DURAND",
    "DUBOIS",
    "MOREAU",
    "LAURENT",
    "SIMON",
    "MICHEL",
    "LEFÈVRE",
    "LEROY",
    "ROUX",
    "DAVID",
    "BERTRAND",
    "MOREL",
    "FOURNIER",
    "GIRARD",
    "BONNET",
    "DUPONT",
    "LAMBERT",
    "FONTAINE",
    "ROUSSEAU",
    "VINCENT",
    "MULLER",
    "LEFÈBVRE",
    "FAURE",
    "ANDRÉ",
    "MERCIER",
    "BLANC",
    "GUÉRIN",
    "BOYER",
    "GARNIER",
    "CHEVALIER",
    "FRANÇOIS",
    "LEGRAND",
    "GAUTHIER",
    "GARCIA",
    "PERRIN",
    "ROBIN",
    "CLÉMENT",
    "MORIN",
    "NICOLAS",
    "HENRY",
    "ROUSSEL",
    "MATHIEU",
    "GAUTIER",
    "MASSON",
    "D'ALMEIDA",
    "LE GALL",
    "N'DIAYE",
    "DE LA FONTAINE-SAINT-AUBIN",
];
const FIRST_F: &[&str] = &[
    "Marie",
    "Nathalie",
    "Isabelle",
    "Sylvie",
    "Catherine",
    "Françoise",
    "Hélène",
    "Chloé",
    "Léa",
    "Zoé",
    "Anaïs",
    "Béatrice",
    "Cécile",
    "Noémie",
    "Anne-Sophie",
];
const FIRST_M: &[&str] = &[
    "Jean",
    "Philippe",
    "Michel",
    "Alain",
    "Patrick",
    "Nicolas",
    "Christophe",
    "Pierre",
    "François",
    "Jérôme",
    "Stéphane",
    "Loïc",
    "Hervé",
    "Jean-Marie",
    "Gaël",
];
const COMPANY: &[&str] = &[
    "BOULANGERIE",
    "GARAGE",
    "TRANSPORTS",
    "PHARMACIE",
    "SARL",
    "SAS",
    "BOUCHERIE",
    "HÔTEL-RESTAURANT",
    "CONSEIL",
    "MENUISERIE",
    "IMPRIMERIE",
    "ÉLECTRICITÉ",
];
const STREET: &[&str] = &[
    "RUE DE LA RÉPUBLIQUE",
    "AVENUE JEAN JAURÈS",
    "PLACE DU MARCHÉ",
    "RUE VICTOR HUGO",
    "BOULEVARD GAMBETTA",
    "CHEMIN DES ÉCOLIERS",
    "ROUTE DE LYON",
    "IMPASSE DES LILAS",
];
const CITY: &[&str] = &[
    "BOURG-EN-BRESSE",
    "OYONNAX",
    "AMBÉRIEU-EN-BUGEY",
    "BELLEY",
    "GEX",
    "NANTUA",
    "SAINT-GENIS-POUILLY",
    "CHÂTILLON-SUR-CHALARONNE",
    "MONTLUEL",
    "TRÉVOUX",
];
const NAF: &[&str] = &[
    "1071C", "4520A", "4941A", "4773Z", "5610A", "7022Z", "1629Z",
];

/// Writes a synthetic voter file of `voters` rows (plus the header) for the synthetic
/// structure, `;`-delimited UTF-8 with CRLF line ends. Returns the rows written.
pub fn write_voters<W: Write>(mut w: W, voters: u64, seed: u64) -> io::Result<u64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut line = String::with_capacity(512);
    line.push_str(&crate::voters::header().join(";"));
    line.push_str("\r\n");
    w.write_all(line.as_bytes())?;
    // Scrutins with their weights (small firms are most voters).
    let scrutins: [(&str, &str, u32); 5] = [
        ("C", "C1", 30),
        ("C", "C2", 8),
        ("I", "I1", 12),
        ("I", "I2", 5),
        ("S", "", 45),
    ];
    let total_weight: u32 = scrutins.iter().map(|s| s.2).sum();
    let mut previous_person: Option<(String, String, String, bool)> = None;
    for n in 1..=voters {
        line.clear();
        let mut pick = rng.gen_range(0..total_weight);
        let (cat, sub, _) = scrutins
            .iter()
            .find(|s| {
                if pick < s.2 {
                    true
                } else {
                    pick -= s.2;
                    false
                }
            })
            .copied()
            .unwrap_or(scrutins[4]);
        // About 2 % of rights belong to the person of the previous row (several
        // qualities, R-17): same names and birth date, another company and number.
        let (last, first, birth, female) = match &previous_person {
            Some(p) if rng.gen_ratio(1, 50) => p.clone(),
            _ => {
                let female = rng.gen_bool(0.4);
                let first = if female {
                    FIRST_F[rng.gen_range(0..FIRST_F.len())]
                } else {
                    FIRST_M[rng.gen_range(0..FIRST_M.len())]
                };
                let birth = if rng.gen_ratio(3, 100) {
                    "01011901".to_owned()
                } else {
                    format!(
                        "{:02}{:02}{}",
                        rng.gen_range(1..=28),
                        rng.gen_range(1..=12),
                        rng.gen_range(1940..=2004)
                    )
                };
                (
                    LAST[rng.gen_range(0..LAST.len())].to_owned(),
                    first.to_owned(),
                    birth,
                    female,
                )
            }
        };
        previous_person = Some((last.clone(), first.clone(), birth.clone(), female));
        let civility = if female { "MME" } else { "M." };
        let company = format!(
            "{} {}",
            COMPANY[rng.gen_range(0..COMPANY.len())],
            LAST[rng.gen_range(0..LAST.len())]
        );
        let siren = rng.gen_range(0..1_000_000_000u64);
        let nic = rng.gen_range(0..100_000u64);
        let street = format!(
            "{} {}",
            rng.gen_range(1..200),
            STREET[rng.gen_range(0..STREET.len())]
        );
        let city = CITY[rng.gen_range(0..CITY.len())];
        let foreign = rng.gen_ratio(1, 100);
        let (postcode, country) = if foreign {
            ("1204".to_owned(), "SUISSE")
        } else {
            (format!("01{:03}", rng.gen_range(0..1000)), "")
        };
        let email = if rng.gen_ratio(1, 10) {
            format!(
                "{}.{}{}@exemple-entreprise.fr",
                ascii_lower(&first),
                ascii_lower(&last),
                n % 1000
            )
        } else {
            String::new()
        };
        let phone = if rng.gen_ratio(1, 10) {
            format!("06{:08}", rng.gen_range(0..100_000_000u64))
        } else {
            String::new()
        };
        let delegation = if rng.gen_ratio(1, 5) { "GEX" } else { "" };
        let recipient = format!("{civility} {last} {first}");
        let recipient: String = recipient.chars().take(38).collect();
        let company: String = company.chars().take(38).collect();
        let last34: String = last.chars().take(34).collect();
        use std::fmt::Write as _;
        let _ = write!(
            line,
            "{SYNTHETIC_CHAMBER};{delegation};{cat};{sub};{n:010};K{n};{civility};{last34};{first};{birth};{last34};D;0101;{siren:09};{nic:05};{company};;{naf};{form};\
             {recipient};;;{street};;{postcode};{city};{country};\
             {company};;;{street};;{postcode};{city};{country};{email};{phone}\r\n",
            naf = NAF[rng.gen_range(0..NAF.len())],
            form = if rng.gen_bool(0.6) { "A" } else { "B" },
        );
        w.write_all(line.as_bytes())?;
    }
    w.flush()?;
    Ok(voters)
}

fn ascii_lower(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            'é' | 'è' | 'ê' | 'É' | 'È' => Some('e'),
            'ï' | 'î' => Some('i'),
            'ç' | 'Ç' => Some('c'),
            'ë' => Some('e'),
            c if c.is_ascii_alphanumeric() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::ReadOptions;

    #[test]
    fn synthetic_files_are_valid_and_reproducible() {
        let mut s = Vec::new();
        write_structure(&mut s).unwrap();
        let st = crate::structure_file::read_structure(&s[..], &ReadOptions::default()).unwrap();
        assert!(st.report.is_loadable(), "{}", st.report.to_text());
        let structure = st.structure.unwrap();
        let mut a = Vec::new();
        write_voters(&mut a, 3_000, 7).unwrap();
        let mut b = Vec::new();
        write_voters(&mut b, 3_000, 7).unwrap();
        assert_eq!(a, b);
        let import =
            crate::voters::validate_voters(&structure, &a[..], &ReadOptions::default()).unwrap();
        assert_eq!(
            import.report.counts.blocking,
            0,
            "{}",
            import.report.to_text()
        );
        assert_eq!(import.report.accepted, 3_000);
        assert_eq!(import.control.len(), 1);
        assert_eq!(import.control[0].total, 3_000);
    }
}
