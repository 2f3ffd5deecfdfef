//! The archive form of a record: one POSIX tar file (ustar, POSIX.1-1988) holding the
//! record's files. A few dozen lines instead of a dependency, and the same code on the
//! server (writing) and in the browser's verification page (reading).
//!
//! Reading accepts what `tar` tools commonly write for a directory: regular files, directory
//! entries (skipped), GNU long names (`L`) and pax headers (`x`, `g`; their `path` is used),
//! and a leading `./`.

use std::io::{self, Write};

const BLOCK: usize = 512;

/// Writes a tar archive file by file.
pub struct TarWriter<W: Write> {
    out: W,
}

impl<W: Write> TarWriter<W> {
    /// Starts an archive.
    pub fn new(out: W) -> TarWriter<W> {
        TarWriter { out }
    }

    /// Appends one regular file. Paths longer than 100 bytes are split into ustar's
    /// prefix and name (up to 255 bytes in all).
    pub fn append(&mut self, path: &str, bytes: &[u8]) -> io::Result<()> {
        let mut h = [0u8; BLOCK];
        let (prefix, name) = split_path(path).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("path too long for tar: {path}"),
            )
        })?;
        h[..name.len()].copy_from_slice(name.as_bytes());
        octal(&mut h[100..108], 0o644);
        octal(&mut h[108..116], 0);
        octal(&mut h[116..124], 0);
        octal(&mut h[124..136], bytes.len() as u64);
        octal(&mut h[136..148], 0);
        h[156] = b'0';
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        h[345..345 + prefix.len()].copy_from_slice(prefix.as_bytes());
        // The checksum is computed with its own field as spaces.
        h[148..156].copy_from_slice(b"        ");
        let sum: u64 = h.iter().map(|&b| u64::from(b)).sum();
        let field = format!("{sum:06o}\0 ");
        h[148..156].copy_from_slice(field.as_bytes());
        self.out.write_all(&h)?;
        self.out.write_all(bytes)?;
        let pad = (BLOCK - bytes.len() % BLOCK) % BLOCK;
        self.out.write_all(&[0u8; BLOCK][..pad])
    }

    /// Ends the archive (two zero blocks) and returns the writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.write_all(&[0u8; 2 * BLOCK])?;
        self.out.flush()?;
        Ok(self.out)
    }
}

fn split_path(path: &str) -> Option<(&str, &str)> {
    if path.len() <= 100 {
        return Some(("", path));
    }
    // Split at a '/' so that the prefix fits 155 bytes and the name 100.
    path.char_indices()
        .filter(|&(i, c)| c == '/' && i <= 155 && path.len() - i - 1 <= 100)
        .map(|(i, _)| (&path[..i], &path[i + 1..]))
        .next()
}

fn octal(field: &mut [u8], value: u64) {
    let text = format!("{value:0width$o}\0", width = field.len() - 1);
    field.copy_from_slice(text.as_bytes());
}

fn parse_octal(field: &[u8]) -> Option<u64> {
    let text: String = field
        .iter()
        .take_while(|&&b| b != 0)
        .map(|&b| b as char)
        .collect();
    let text = text.trim();
    if text.is_empty() {
        return Some(0);
    }
    u64::from_str_radix(text, 8).ok()
}

fn text_field(field: &[u8]) -> String {
    let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
    String::from_utf8_lossy(&field[..end]).into_owned()
}

/// The `path` record of a pax extended header, if any.
fn pax_path(data: &[u8]) -> Option<String> {
    let mut rest = data;
    while !rest.is_empty() {
        let space = rest.iter().position(|&b| b == b' ')?;
        let len: usize = std::str::from_utf8(&rest[..space]).ok()?.parse().ok()?;
        if len == 0 || len > rest.len() {
            return None;
        }
        let record = &rest[space + 1..len];
        let record = record.strip_suffix(b"\n").unwrap_or(record);
        if let Some(value) = record.strip_prefix(b"path=") {
            return String::from_utf8(value.to_vec()).ok();
        }
        rest = &rest[len..];
    }
    None
}

/// Reads every regular file of a tar archive held in memory: `(path, bytes)` in archive
/// order, paths without a leading `./`.
pub fn read_tar(data: &[u8]) -> Result<Vec<(String, &[u8])>, String> {
    let mut files = Vec::new();
    let mut pos = 0usize;
    let mut long_name: Option<String> = None;
    while pos + BLOCK <= data.len() {
        let h = &data[pos..pos + BLOCK];
        if h.iter().all(|&b| b == 0) {
            break;
        }
        let stored: u64 = parse_octal(&h[148..156]).ok_or("bad tar header checksum field")?;
        let sum: u64 = h
            .iter()
            .enumerate()
            .map(|(i, &b)| {
                if (148..156).contains(&i) {
                    u64::from(b' ')
                } else {
                    u64::from(b)
                }
            })
            .sum();
        if sum != stored {
            return Err(format!("tar header at byte {pos}: checksum mismatch"));
        }
        let size = usize::try_from(parse_octal(&h[124..136]).ok_or("bad tar size field")?)
            .map_err(|_| "tar entry too large")?;
        let start = pos + BLOCK;
        let end = start
            .checked_add(size)
            .filter(|&e| e <= data.len())
            .ok_or_else(|| format!("tar entry at byte {pos} runs past the end"))?;
        let body = &data[start..end];
        let name = text_field(&h[..100]);
        let prefix = if &h[257..262] == b"ustar" {
            text_field(&h[345..500])
        } else {
            String::new()
        };
        let path = match long_name.take() {
            Some(n) => n,
            None if prefix.is_empty() => name,
            None => format!("{prefix}/{name}"),
        };
        match h[156] {
            b'0' | 0 => {
                let clean = path.trim_start_matches("./").to_owned();
                if !clean.is_empty() {
                    files.push((clean, body));
                }
            }
            b'L' => long_name = Some(text_field(body)),
            b'x' => long_name = pax_path(body),
            // Directories, global pax headers, links and others carry no record file.
            _ => {}
        }
        pos = start + size.div_ceil(BLOCK) * BLOCK;
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn archives_round_trip_with_short_and_long_paths() {
        let long = format!("{}/{}.json", "d".repeat(120), "f".repeat(90));
        let files: Vec<(String, Vec<u8>)> = vec![
            ("manifest.json".into(), b"{}".to_vec()),
            ("ballots/011-C.jsonl".into(), vec![7u8; 1000]),
            ("empty".into(), Vec::new()),
            (long.clone(), b"x".to_vec()),
        ];
        let mut w = TarWriter::new(Vec::new());
        for (p, b) in &files {
            w.append(p, b).unwrap();
        }
        let bytes = w.finish().unwrap();
        assert_eq!(bytes.len() % BLOCK, 0);
        let read = read_tar(&bytes).unwrap();
        assert_eq!(read.len(), files.len());
        for ((p, b), (q, c)) in files.iter().zip(&read) {
            assert_eq!(p, q);
            assert_eq!(b.as_slice(), *c);
        }
    }

    #[test]
    fn a_damaged_header_is_refused() {
        let mut w = TarWriter::new(Vec::new());
        w.append("a", b"hello").unwrap();
        let mut bytes = w.finish().unwrap();
        bytes[0] = b'b';
        assert!(read_tar(&bytes).unwrap_err().contains("checksum"));
    }

    /// What GNU tar writes for `tar cf r.tar -C dir .` reads back (when tar is installed).
    #[test]
    fn reads_archives_made_by_the_tar_tool() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("r/ballots")).unwrap();
        std::fs::write(dir.path().join("r/manifest.json"), b"{}").unwrap();
        std::fs::write(dir.path().join("r/ballots/a.jsonl"), b"line\n").unwrap();
        let out = dir.path().join("r.tar");
        let Ok(status) = std::process::Command::new("tar")
            .arg("cf")
            .arg(&out)
            .arg("-C")
            .arg(dir.path().join("r"))
            .arg(".")
            .status()
        else {
            return;
        };
        assert!(status.success());
        let bytes = std::fs::read(&out).unwrap();
        let mut read: Vec<(String, Vec<u8>)> = read_tar(&bytes)
            .unwrap()
            .into_iter()
            .map(|(p, b)| (p, b.to_vec()))
            .collect();
        read.sort();
        assert_eq!(
            read,
            vec![
                ("ballots/a.jsonl".to_owned(), b"line\n".to_vec()),
                ("manifest.json".to_owned(), b"{}".to_vec()),
            ]
        );
    }
}
