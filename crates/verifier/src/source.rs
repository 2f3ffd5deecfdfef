//! Where a record's files come from: a directory, a tar archive file (read in place: a
//! record of 300,000 ballots is gigabytes), or a tar archive held in memory (the
//! browser's verification page).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Cursor, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use scrutin_election::record::archive::{index_tar, read_tar};
use scrutin_election::record::paths;

/// Read access to the files of a record, by their `/`-separated path inside it.
pub trait Source: Sync {
    /// What the record is (for the report).
    fn describe(&self) -> String;
    /// Every file present, sorted.
    fn list(&self) -> Vec<String>;
    /// A file's bytes.
    fn read(&self, path: &str) -> Result<Vec<u8>, String>;
    /// A file line by line, without holding it whole (large ballot files).
    fn lines(&self, path: &str) -> Result<Box<dyn BufRead + '_>, String>;
}

/// A record directory.
pub struct DirSource {
    root: PathBuf,
}

impl DirSource {
    /// The directory `root`.
    pub fn new(root: &Path) -> DirSource {
        DirSource {
            root: root.to_path_buf(),
        }
    }

    fn full(&self, path: &str) -> Result<PathBuf, String> {
        if !safe(path) {
            return Err(format!("chemin refusé : {path}"));
        }
        Ok(self.root.join(path))
    }
}

/// A record path: relative, `/`-separated, without `.` or `..` components.
pub fn safe(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && path
            .split('/')
            .all(|c| !c.is_empty() && c != "." && c != "..")
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        match e.file_type() {
            Ok(t) if t.is_dir() => walk(root, &path, out),
            Ok(_) => {
                if let Ok(rel) = path.strip_prefix(root) {
                    let parts: Vec<String> = rel
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect();
                    out.push(parts.join("/"));
                }
            }
            Err(_) => {}
        }
    }
}

impl Source for DirSource {
    fn describe(&self) -> String {
        self.root.display().to_string()
    }

    fn list(&self) -> Vec<String> {
        let mut out = Vec::new();
        walk(&self.root, &self.root, &mut out);
        out.sort();
        out
    }

    fn read(&self, path: &str) -> Result<Vec<u8>, String> {
        let full = self.full(path)?;
        std::fs::read(&full).map_err(|e| format!("{path} : {e}"))
    }

    fn lines(&self, path: &str) -> Result<Box<dyn BufRead + '_>, String> {
        let full = self.full(path)?;
        let file = std::fs::File::open(&full).map_err(|e| format!("{path} : {e}"))?;
        Ok(Box::new(BufReader::with_capacity(1 << 20, file)))
    }
}

/// The files of an archive by path, refusing a path given twice. A record archived with
/// its top directory (`record/manifest.json`…) is read from inside that directory.
fn archive_files<T>(
    entries: impl IntoIterator<Item = (String, T)>,
) -> Result<BTreeMap<String, T>, String> {
    let mut files: BTreeMap<String, T> = BTreeMap::new();
    for (path, at) in entries {
        if files.contains_key(&path) {
            return Err(format!("l'archive contient deux fois {path}"));
        }
        files.insert(path, at);
    }
    if !files.contains_key(paths::MANIFEST) {
        let tops: Vec<String> = files
            .keys()
            .filter_map(|p| p.strip_suffix(&format!("/{}", paths::MANIFEST)))
            .filter(|top| !top.contains('/'))
            .map(str::to_owned)
            .collect();
        if let [top] = tops.as_slice() {
            let prefix = format!("{top}/");
            files = files
                .into_iter()
                .filter_map(|(p, b)| p.strip_prefix(&prefix).map(|q| (q.to_owned(), b)))
                .collect();
        }
    }
    Ok(files)
}

/// A record as one tar archive in memory.
pub struct ArchiveSource<'a> {
    name: String,
    files: BTreeMap<String, &'a [u8]>,
}

impl<'a> ArchiveSource<'a> {
    /// Reads the archive's table of files.
    pub fn new(name: impl Into<String>, data: &'a [u8]) -> Result<ArchiveSource<'a>, String> {
        let entries = read_tar(data).map_err(|e| format!("archive illisible : {e}"))?;
        Ok(ArchiveSource {
            name: name.into(),
            files: archive_files(entries)?,
        })
    }
}

impl Source for ArchiveSource<'_> {
    fn describe(&self) -> String {
        self.name.clone()
    }

    fn list(&self) -> Vec<String> {
        self.files.keys().cloned().collect()
    }

    fn read(&self, path: &str) -> Result<Vec<u8>, String> {
        self.files
            .get(path)
            .map(|b| b.to_vec())
            .ok_or_else(|| format!("{path} : absent de l'archive"))
    }

    fn lines(&self, path: &str) -> Result<Box<dyn BufRead + '_>, String> {
        let bytes = self
            .files
            .get(path)
            .ok_or_else(|| format!("{path} : absent de l'archive"))?;
        Ok(Box::new(Cursor::new(*bytes)))
    }
}

/// A record as one tar archive file, read in place: only its table of files is held;
/// each file is read from its offset when asked for.
pub struct TarFileSource {
    path: PathBuf,
    /// Offset and size of each file's content.
    files: BTreeMap<String, (u64, u64)>,
}

impl TarFileSource {
    /// Reads the archive's table of files (its headers only).
    pub fn open(path: &Path) -> Result<TarFileSource, String> {
        let mut file = File::open(path).map_err(|e| format!("lecture impossible : {e}"))?;
        let entries = index_tar(&mut file).map_err(|e| format!("archive illisible : {e}"))?;
        Ok(TarFileSource {
            path: path.to_path_buf(),
            files: archive_files(entries.into_iter().map(|e| (e.path, (e.offset, e.size))))?,
        })
    }

    /// The archive opened at the start of `path`'s content, limited to it.
    fn content(&self, path: &str) -> Result<std::io::Take<File>, String> {
        let &(offset, size) = self
            .files
            .get(path)
            .ok_or_else(|| format!("{path} : absent de l'archive"))?;
        let mut file = File::open(&self.path).map_err(|e| format!("{path} : {e}"))?;
        file.seek(SeekFrom::Start(offset))
            .map_err(|e| format!("{path} : {e}"))?;
        Ok(file.take(size))
    }
}

impl Source for TarFileSource {
    fn describe(&self) -> String {
        self.path.display().to_string()
    }

    fn list(&self) -> Vec<String> {
        self.files.keys().cloned().collect()
    }

    fn read(&self, path: &str) -> Result<Vec<u8>, String> {
        let mut content = self.content(path)?;
        let size = content.limit();
        let mut out = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        content
            .read_to_end(&mut out)
            .map_err(|e| format!("{path} : {e}"))?;
        if out.len() as u64 != size {
            return Err(format!("{path} : archive tronquée"));
        }
        Ok(out)
    }

    fn lines(&self, path: &str) -> Result<Box<dyn BufRead + '_>, String> {
        let content = self.content(path)?;
        Ok(Box::new(BufReader::with_capacity(1 << 20, content)))
    }
}
