//! The demo's files: the structure and candidates of one chamber from `fixtures/`, and its
//! voter file — the fixture rows plus synthetic rows, so that `--simulate N` has enough
//! voting rights (the fixture file of a chamber holds about twenty).

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, bail};
use scrutin_election::{ReadOptions, Structure, read_structure, read_voter_records};

/// The first elector number of the synthetic rows: far above the fixture numbers.
const SYNTHETIC_FIRST_NUMBER: u64 = 500_000;
/// Seed of the synthetic rows (the same demo every time).
const SEED: u64 = 2026;

/// The structure file restricted to one chamber: the header and that chamber's rows.
pub fn chamber_structure(fixtures: &Path, chamber: &str) -> anyhow::Result<Vec<u8>> {
    let path = fixtures.join("structure.csv");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut out = String::new();
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if i == 0 || line.starts_with(&format!("{chamber};")) {
            out.push_str(line);
        }
    }
    Ok(out.into_bytes())
}

/// The chamber's voter file: the fixture rows, then `extra` synthetic rows made by the
/// fixture generator and moved to this chamber (its categories have no sub-category here,
/// so the generator's sub-categories are dropped). Rows where the generator gives a second
/// right to the previous person are skipped: moved into one category, they could put one
/// person twice in the same scrutin.
pub fn chamber_voters(fixtures: &Path, chamber: &str, extra: u64) -> anyhow::Result<Vec<u8>> {
    let path = fixtures.join(format!("voters-{chamber}.csv"));
    let mut out = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
    if !out.ends_with(b"\n") {
        out.extend_from_slice(b"\r\n");
    }
    if extra == 0 {
        return Ok(out);
    }
    let mut generated = Vec::new();
    // Twice as many as needed: the skipped rows are about 2 %.
    scrutin_election::generator::write_voters(&mut generated, extra * 2 + 10, SEED)?;
    let text = String::from_utf8(generated).context("generated voter rows")?;
    let mut written = 0;
    let mut previous_person = String::new();
    for line in text.split("\r\n").skip(1) {
        if written == extra {
            break;
        }
        if line.is_empty() {
            continue;
        }
        let mut fields: Vec<String> = line.split(';').map(str::to_owned).collect();
        if fields.len() != scrutin_election::voters::header().len() {
            bail!("unexpected generated voter row: {line}");
        }
        // Surname, first name and birth date: the person.
        let person = format!("{}|{}|{}", fields[7], fields[8], fields[9]);
        if person == previous_person {
            continue;
        }
        previous_person = person;
        written += 1;
        fields[0] = chamber.to_owned();
        fields[1].clear(); // delegation
        fields[3].clear(); // sub-category
        fields[4] = format!("{:010}", SYNTHETIC_FIRST_NUMBER + written);
        fields[5] = format!("DEMO-{chamber}-{written:06}");
        out.extend_from_slice(fields.join(";").as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    Ok(out)
}

/// Birth dates (JJMMAAAA) by right id, from the voter file: voters type them at the second
/// login step, and the letters do not print them.
pub fn birth_dates(
    structure_csv: &[u8],
    voters_csv: &[u8],
) -> anyhow::Result<HashMap<String, String>> {
    let structure: Structure = read_structure(structure_csv, &ReadOptions::default())?
        .structure
        .context("the demo structure has blocking errors")?;
    let (records, _) = read_voter_records(&structure, voters_csv, &ReadOptions::default())?;
    Ok(records
        .iter()
        .map(|r| {
            (
                format!("{:013}", r.voter_id.value()),
                r.birth_date.to_jjmmaaaa(),
            )
        })
        .collect())
}
