//! The verifier on synthetic records (made by `scrutin_verify::synthetic`, no store): a
//! complete record passes every check, in directory and archive form; a few tamperings are
//! caught by the right check. The end-to-end tests on records exported from a real
//! election are in `crates/cli/tests/record_verify.rs`.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use scrutin_election::record::archive::TarWriter;
use scrutin_verify::synthetic::{Spec, reseal_manifest, write_record};
use scrutin_verify::{Status, VerifyOptions, verify_archive, verify_path};

fn small(dir: &Path) -> scrutin_verify::synthetic::Generated {
    write_record(
        dir,
        &Spec {
            ballots: 40,
            contests: 4,
            epoch_size: 16,
            ..Spec::default()
        },
        None,
    )
    .unwrap()
}

fn tar_of(dir: &Path) -> Vec<u8> {
    let mut files = Vec::new();
    fn walk(root: &Path, d: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    walk(dir, dir, &mut files);
    files.sort();
    let mut w = TarWriter::new(Vec::new());
    for (p, b) in &files {
        w.append(p, b).unwrap();
    }
    w.finish().unwrap()
}

#[test]
fn a_complete_synthetic_record_passes_every_check() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("record");
    let made = small(&dir);
    let options = VerifyOptions {
        platform_key: Some(made.platform_key),
        ..VerifyOptions::default()
    };
    let report = verify_path(&dir, &options);
    assert!(report.passed(), "{report}");
    let names: Vec<&str> = report.checks.iter().map(|c| c.name).collect();
    assert_eq!(
        names,
        [
            "manifest",
            "parameters",
            "dkg",
            "journal",
            "seals",
            "seal-subjects",
            "credentials",
            "board",
            "voting-keys",
            "ballots",
            "emargements",
            "aggregates",
            "decryption-shares",
            "decryption",
            "results",
            "seats"
        ]
    );
    // Nothing skipped: the record is complete.
    for c in &report.checks {
        assert_eq!(c.status, Status::Passed, "{}: {}", c.name, c.detail);
    }
    assert_eq!(report.check("ballots").unwrap().checked, 40);
    assert_eq!(report.platform_key_source, Some("given"));

    // The same record as one archive.
    let tar = tar_of(&dir);
    let report = verify_archive("record.tar", &tar, &options);
    assert!(report.passed(), "{report}");
    // The same archive as a file, read in place, checks every ballot too.
    let tar_path = tmp.path().join("record.tar");
    std::fs::write(&tar_path, &tar).unwrap();
    let report = verify_path(&tar_path, &options);
    assert!(report.passed(), "{report}");
    assert_eq!(report.check("ballots").unwrap().checked, 40);
    // A ballot file altered inside the archive file is caught.
    let mut altered = tar.clone();
    let entry = scrutin_election::record::archive::index_tar(&mut std::io::Cursor::new(&tar))
        .unwrap()
        .into_iter()
        .find(|e| e.path.starts_with("ballots/"))
        .unwrap();
    altered[(entry.offset + entry.size / 2) as usize] ^= 1;
    std::fs::write(&tar_path, &altered).unwrap();
    let tampered = verify_path(&tar_path, &options);
    assert!(!tampered.passed());
    assert_eq!(tampered.check("manifest").unwrap().status, Status::Failed);

    // The JSON form says the same.
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["checks"][9]["name"], "ballots");
    assert_eq!(json["checks"][9]["status"], "passed");
}

#[test]
fn another_platform_key_than_the_published_one_fails() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("record");
    small(&dir);
    let report = verify_path(
        &dir,
        &VerifyOptions {
            platform_key: Some([9u8; 32]),
            ..VerifyOptions::default()
        },
    );
    assert!(!report.passed());
    let failed = report.failed_checks();
    for name in ["parameters", "journal", "seals", "board"] {
        assert!(failed.contains(&name), "{name} should fail: {failed:?}");
    }
}

#[test]
fn tampering_is_caught_by_the_right_check() {
    let tmp = tempfile::tempdir().unwrap();
    let pristine = tmp.path().join("record");
    small(&pristine);
    let copy = |name: &str| {
        let to = tmp.path().join(name);
        let status = std::process::Command::new("cp")
            .arg("-r")
            .arg(&pristine)
            .arg(&to)
            .status()
            .unwrap();
        assert!(status.success());
        to
    };
    let failed = |dir: &Path| verify_path(dir, &VerifyOptions::default()).failed_checks();

    // A file changed without rewriting the manifest.
    let d = copy("digest");
    let p = d.join("emargements.json");
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, text.replace("\"count\": 20", "\"count\": 21")).unwrap();
    assert_eq!(failed(&d)[0], "manifest");

    // A ballot's ciphertext changed (manifest rewritten): its signature fails.
    let d = copy("ballot");
    let p = d.join("ballots/100-S.jsonl");
    let text = std::fs::read_to_string(&p).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut v: serde_json::Value = serde_json::from_str(&lines[3]).unwrap();
    let beta = v["ballot"]["contests"][0]["options"][0]["beta"].clone();
    v["ballot"]["contests"][0]["options"][0]["beta"] =
        v["ballot"]["contests"][0]["blank"]["beta"].clone();
    v["ballot"]["contests"][0]["blank"]["beta"] = beta;
    lines[3] = v.to_string();
    std::fs::write(&p, lines.join("\n") + "\n").unwrap();
    reseal_manifest(&d).unwrap();
    let f = failed(&d);
    assert!(f.contains(&"ballots") && !f.contains(&"manifest"), "{f:?}");
    let report = verify_path(&d, &VerifyOptions::default());
    let ballots = report.check("ballots").unwrap();
    assert_eq!(ballots.failed, 1);
    assert!(
        ballots.failures[0].contains("100-S") && ballots.failures[0].contains("ligne 4"),
        "{:?}",
        ballots.failures
    );
}
