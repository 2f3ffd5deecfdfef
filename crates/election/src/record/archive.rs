//! The archive form of a record: one POSIX tar file (ustar, POSIX.1-1988) holding the
//! record's files. A few dozen lines instead of a dependency, and the same code on the
//! server (writing) and in the browser's verification page (reading).
//!
//! Reading accepts what `tar` tools commonly write for a directory: regular files, directory
//! entries (skipped), GNU long names (`L`) and pax headers (`x`, `g`; their `path` is used),
//! and a leading `./`.

use std::io::{self, Cursor, Read, Seek, SeekFrom, Write};

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

/// Longest long-name record read (GNU `L` or pax `x` header body).
const MAX_NAME_RECORD: u64 = 1 << 20;

/// One regular file of a tar archive: its path (without a leading `./`) and where its
/// bytes are in the archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TarEntry {
    /// Path inside the archive.
    pub path: String,
    /// Offset of the first byte of the file's content.
    pub offset: u64,
    /// Size of the content in bytes.
    pub size: u64,
}

fn io_error(at: u64) -> impl Fn(io::Error) -> String {
    move |e| format!("tar archive at byte {at}: {e}")
}

/// Lists the regular files of a tar archive in archive order, reading only the headers
/// (and the long-name records some carry): the contents are skipped, so an archive of
/// any size is listed in little memory.
pub fn index_tar<R: Read + Seek>(r: &mut R) -> Result<Vec<TarEntry>, String> {
    let len = r.seek(SeekFrom::End(0)).map_err(io_error(0))?;
    let mut files = Vec::new();
    let mut pos = 0u64;
    let mut long_name: Option<String> = None;
    let mut h = [0u8; BLOCK];
    while pos + BLOCK as u64 <= len {
        r.seek(SeekFrom::Start(pos)).map_err(io_error(pos))?;
        r.read_exact(&mut h).map_err(io_error(pos))?;
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
        let size = parse_octal(&h[124..136]).ok_or("bad tar size field")?;
        let start = pos + BLOCK as u64;
        start
            .checked_add(size)
            .filter(|&e| e <= len)
            .ok_or_else(|| format!("tar entry at byte {pos} runs past the end"))?;
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
        let body = |r: &mut R| -> Result<Vec<u8>, String> {
            if size > MAX_NAME_RECORD {
                return Err(format!(
                    "tar entry at byte {pos}: long-name record too large"
                ));
            }
            let mut body = vec![0u8; size as usize];
            r.read_exact(&mut body).map_err(io_error(start))?;
            Ok(body)
        };
        match h[156] {
            b'0' | 0 => {
                let clean = path.trim_start_matches("./").to_owned();
                if !clean.is_empty() {
                    files.push(TarEntry {
                        path: clean,
                        offset: start,
                        size,
                    });
                }
            }
            b'L' => long_name = Some(text_field(&body(r)?)),
            b'x' => long_name = pax_path(&body(r)?),
            // Directories, global pax headers, links and others carry no record file.
            _ => {}
        }
        pos = start + size.div_ceil(BLOCK as u64) * BLOCK as u64;
    }
    Ok(files)
}

/// Reads every regular file of a tar archive held in memory: `(path, bytes)` in archive
/// order, paths without a leading `./`.
pub fn read_tar(data: &[u8]) -> Result<Vec<(String, &[u8])>, String> {
    Ok(index_tar(&mut Cursor::new(data))?
        .into_iter()
        .map(|e| {
            // `index_tar` checked that every entry lies within `data`.
            let start = e.offset as usize;
            (e.path, &data[start..start + e.size as usize])
        })
        .collect())
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

    #[test]
    fn an_archive_file_is_indexed_without_reading_its_contents() {
        let long = format!("{}/{}.json", "d".repeat(120), "f".repeat(90));
        let mut w = TarWriter::new(Vec::new());
        w.append("manifest.json", b"{}").unwrap();
        w.append("ballots/011-C.jsonl", &[7u8; 1500]).unwrap();
        w.append(&long, b"x").unwrap();
        let bytes = w.finish().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.tar");
        std::fs::write(&path, &bytes).unwrap();
        let index = index_tar(&mut std::fs::File::open(&path).unwrap()).unwrap();
        let paths: Vec<&str> = index.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            ["manifest.json", "ballots/011-C.jsonl", long.as_str()]
        );
        for (e, (p, b)) in index.iter().zip(read_tar(&bytes).unwrap()) {
            assert_eq!(e.path, p);
            let start = e.offset as usize;
            assert_eq!(&bytes[start..start + e.size as usize], b);
        }
        assert_eq!(index[1].size, 1500);
    }

    #[test]
    fn a_truncated_archive_is_refused() {
        let mut w = TarWriter::new(Vec::new());
        w.append("ballots/a.jsonl", &[1u8; 2000]).unwrap();
        let bytes = w.finish().unwrap();
        let err = read_tar(&bytes[..BLOCK + 1000]).unwrap_err();
        assert!(err.contains("runs past the end"), "{err}");
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
