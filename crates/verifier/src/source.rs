//! Where a record's files come from: a directory, or a tar archive held in memory (the
//! browser's verification page, or a `.tar` file given on the command line).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Cursor};
use std::path::{Path, PathBuf};

use scrutin_election::record::archive::read_tar;
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

/// A record as one tar archive in memory.
pub struct ArchiveSource<'a> {
    name: String,
    files: BTreeMap<String, &'a [u8]>,
}

impl<'a> ArchiveSource<'a> {
    /// Reads the archive's table of files. A record archived with its top directory
    /// (`record/manifest.json`…) is read from inside that directory.
    pub fn new(name: impl Into<String>, data: &'a [u8]) -> Result<ArchiveSource<'a>, String> {
        let entries = read_tar(data).map_err(|e| format!("archive illisible : {e}"))?;
        let mut files: BTreeMap<String, &'a [u8]> = BTreeMap::new();
        for (path, bytes) in entries {
            if files.insert(path.clone(), bytes).is_some() {
                return Err(format!("l'archive contient deux fois {path}"));
            }
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
        Ok(ArchiveSource {
            name: name.into(),
            files,
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
