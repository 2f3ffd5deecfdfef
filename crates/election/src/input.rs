//! Reading real-world CSV as CELE and CCI France export it: `;` or `,` (or tab) delimiter,
//! UTF-8 with or without byte-order mark or Windows-1252 (detected, or chosen by the
//! user), quoted fields, CRLF, an optional header row. Everything streams: the file is
//! never held in memory.
//!
//! Detection of the encoding without reading the whole file: as long as the bytes are
//! ASCII, UTF-8 and Windows-1252 read the same. At the first non-ASCII byte the decoder
//! decides once: a valid UTF-8 sequence means UTF-8, anything else Windows-1252. Bytes
//! that are invalid later in a file read as UTF-8 are reported on their row.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{self, Chain, Cursor, Read};
use std::rc::Rc;

use serde::{Deserialize, Serialize};

use crate::error::ImportError;

/// Largest record (one CSV row) accepted, in bytes: far above any valid CCI row, low
/// enough to stop an unclosed quote from swallowing the file.
pub const MAX_RECORD_BYTES: usize = 64 * 1024;

/// How to decode the file's bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EncodingChoice {
    /// Detect: a UTF-8 byte-order mark or valid UTF-8 means UTF-8, else Windows-1252.
    #[default]
    Auto,
    /// UTF-8 (a byte-order mark is skipped).
    Utf8,
    /// Windows-1252 (a UTF-8 byte-order mark still wins: it cannot begin a 1252 file).
    Windows1252,
}

impl std::str::FromStr for EncodingChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "auto" => Ok(EncodingChoice::Auto),
            "utf-8" | "utf8" => Ok(EncodingChoice::Utf8),
            "windows-1252" | "cp1252" | "latin1" | "latin-1" | "iso-8859-1" | "ansi" => {
                Ok(EncodingChoice::Windows1252)
            }
            other => Err(format!(
                "encodage inconnu « {other} » : auto, utf-8 ou windows-1252"
            )),
        }
    }
}

/// Options for reading a CCI file.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ReadOptions {
    /// Encoding, or detection.
    pub encoding: EncodingChoice,
    /// Field delimiter, or `None` to detect it from the first line (`;`, `,` or tab).
    pub delimiter: Option<u8>,
    /// Most issues listed in the report (all are counted).
    pub max_listed_issues: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            encoding: EncodingChoice::Auto,
            delimiter: None,
            max_listed_issues: 10_000,
        }
    }
}

/// The encoding finally used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DetectedEncoding {
    /// Only ASCII was seen (UTF-8 and Windows-1252 agree).
    Ascii,
    /// UTF-8 with a byte-order mark.
    Utf8Bom,
    /// UTF-8 without byte-order mark.
    Utf8,
    /// Windows-1252.
    Windows1252,
}

impl DetectedEncoding {
    /// Name for reports.
    pub fn label(self) -> &'static str {
        match self {
            DetectedEncoding::Ascii => "ASCII (UTF-8)",
            DetectedEncoding::Utf8Bom => "UTF-8 (BOM)",
            DetectedEncoding::Utf8 => "UTF-8",
            DetectedEncoding::Windows1252 => "Windows-1252",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Start,
    Sniff,
    Utf8,
    Windows1252,
}

/// A reader that turns the file's bytes into UTF-8 (pass-through for UTF-8).
pub struct DecodingReader<R> {
    inner: R,
    choice: EncodingChoice,
    mode: Mode,
    bom: bool,
    decoder: Option<encoding_rs::Decoder>,
    finished: bool,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    out: Vec<u8>,
    out_start: usize,
    out_end: usize,
}

const CHUNK: usize = 64 * 1024;

impl<R: Read> DecodingReader<R> {
    /// Wraps a byte reader.
    pub fn new(inner: R, choice: EncodingChoice) -> Self {
        DecodingReader {
            inner,
            choice,
            mode: Mode::Start,
            bom: false,
            decoder: None,
            finished: false,
            buf: vec![0; CHUNK],
            start: 0,
            end: 0,
            eof: false,
            out: vec![0; CHUNK * 3 + 16],
            out_start: 0,
            out_end: 0,
        }
    }

    /// The encoding in use so far (final once the file is read).
    pub fn detected(&self) -> DetectedEncoding {
        match self.mode {
            Mode::Utf8 if self.bom => DetectedEncoding::Utf8Bom,
            Mode::Utf8 => DetectedEncoding::Utf8,
            Mode::Windows1252 => DetectedEncoding::Windows1252,
            Mode::Start | Mode::Sniff => DetectedEncoding::Ascii,
        }
    }

    /// Reads more input, compacting the buffer; returns false at end of input.
    fn fill(&mut self) -> io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            self.buf.resize(self.buf.len() * 2, 0);
        }
        loop {
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    fn begin(&mut self) -> io::Result<()> {
        // Enough bytes to see a byte-order mark or a file signature.
        while self.end - self.start < 8 && self.fill()? {}
        let head = &self.buf[self.start..self.end];
        if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
            self.start += 3;
            self.bom = true;
            self.mode = Mode::Utf8;
            return Ok(());
        }
        if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
            return Err(io::Error::other(ImportErrorKind::Utf16));
        }
        if head.starts_with(b"PK\x03\x04") {
            return Err(io::Error::other(ImportErrorKind::NotText(
                "classeur Excel .xlsx ou archive zip",
            )));
        }
        if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
            return Err(io::Error::other(ImportErrorKind::NotText(
                "classeur Excel .xls",
            )));
        }
        if head.starts_with(b"%PDF") {
            return Err(io::Error::other(ImportErrorKind::NotText("document PDF")));
        }
        self.mode = match self.choice {
            EncodingChoice::Auto => Mode::Sniff,
            EncodingChoice::Utf8 => Mode::Utf8,
            EncodingChoice::Windows1252 => Mode::Windows1252,
        };
        Ok(())
    }

    /// In sniffing mode: passes the ASCII prefix through and decides at the first
    /// non-ASCII byte.
    fn sniff(&mut self) -> io::Result<()> {
        loop {
            let avail = &self.buf[self.start..self.end];
            let Some(pos) = avail.iter().position(|b| !b.is_ascii()) else {
                return Ok(());
            };
            if pos > 0 {
                // The caller passes the ASCII bytes first; the decision waits.
                return Ok(());
            }
            match std::str::from_utf8(avail) {
                Ok(_) => self.mode = Mode::Utf8,
                Err(e) if e.valid_up_to() > 0 => self.mode = Mode::Utf8,
                Err(e) if e.error_len().is_none() && !self.eof => {
                    // The first non-ASCII character straddles the buffer end.
                    if self.fill()? {
                        continue;
                    }
                    self.mode = Mode::Windows1252;
                }
                Err(_) => self.mode = Mode::Windows1252,
            }
            return Ok(());
        }
    }
}

/// Internal marker carried inside `io::Error` so that file-level problems found while
/// streaming come back as the right [`ImportError`].
#[derive(Debug)]
pub(crate) enum ImportErrorKind {
    Utf16,
    NotText(&'static str),
}

impl std::fmt::Display for ImportErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImportErrorKind::Utf16 => f.write_str("UTF-16"),
            ImportErrorKind::NotText(what) => f.write_str(what),
        }
    }
}

impl std::error::Error for ImportErrorKind {}

/// Turns an I/O error from the decoding layer back into the import error it stands for.
pub(crate) fn import_error(e: io::Error) -> ImportError {
    if let Some(kind) = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<ImportErrorKind>())
    {
        return match kind {
            ImportErrorKind::Utf16 => ImportError::Utf16,
            ImportErrorKind::NotText(what) => ImportError::NotText(what),
        };
    }
    ImportError::Io(e)
}

impl<R: Read> Read for DecodingReader<R> {
    fn read(&mut self, dst: &mut [u8]) -> io::Result<usize> {
        if dst.is_empty() {
            return Ok(0);
        }
        if self.mode == Mode::Start {
            self.begin()?;
        }
        loop {
            // Decoded bytes waiting from a previous call.
            if self.out_start < self.out_end {
                let n = dst.len().min(self.out_end - self.out_start);
                dst[..n].copy_from_slice(&self.out[self.out_start..self.out_start + n]);
                self.out_start += n;
                return Ok(n);
            }
            if self.start == self.end && !self.fill()? {
                if self.mode == Mode::Windows1252 {
                    self.flush_decoder(true);
                    if self.out_start < self.out_end {
                        continue;
                    }
                }
                return Ok(0);
            }
            if self.mode == Mode::Sniff {
                self.sniff()?;
            }
            match self.mode {
                Mode::Sniff => {
                    let avail = &self.buf[self.start..self.end];
                    let ascii = avail
                        .iter()
                        .position(|b| !b.is_ascii())
                        .unwrap_or(avail.len());
                    let n = dst.len().min(ascii);
                    dst[..n].copy_from_slice(&avail[..n]);
                    self.start += n;
                    return Ok(n);
                }
                Mode::Utf8 if self.start == self.end => {
                    // Nothing buffered: read straight into the caller's buffer.
                    return loop {
                        match self.inner.read(dst) {
                            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                            other => break other,
                        }
                    };
                }
                Mode::Utf8 => {
                    let n = dst.len().min(self.end - self.start);
                    dst[..n].copy_from_slice(&self.buf[self.start..self.start + n]);
                    self.start += n;
                    return Ok(n);
                }
                Mode::Windows1252 => self.flush_decoder(false),
                Mode::Start => self.begin()?,
            }
        }
    }
}

impl<R: Read> DecodingReader<R> {
    fn flush_decoder(&mut self, last: bool) {
        if self.finished {
            return;
        }
        self.finished = last;
        let decoder = self
            .decoder
            .get_or_insert_with(|| encoding_rs::WINDOWS_1252.new_decoder_without_bom_handling());
        let (_, read, written) = decoder.decode_to_utf8_without_replacement(
            &self.buf[self.start..self.end],
            &mut self.out,
            last,
        );
        self.start += read;
        self.out_start = 0;
        self.out_end = written;
    }
}

/// Type of the reader handed to the CSV parser: the first line (already read to find the
/// delimiter) followed by the rest of the decoded stream, with its newlines noted.
pub type Decoded<R> = LineIndex<Chain<Cursor<Vec<u8>>, DecodingReader<R>>>;

/// Notes the offsets of newlines as bytes go by, so that a record's byte offset gives its
/// physical line. (The csv crate's own line numbers skip blank lines and drift on CRLF.)
/// Offsets are dropped once passed, so memory stays bounded by the parser's buffer.
pub struct LineIndex<R> {
    inner: R,
    offset: u64,
    content: bool,
    newlines: Rc<RefCell<VecDeque<Newline>>>,
}

/// A newline: its offset, and whether the line it ends is blank (only `\r` or nothing).
#[derive(Clone, Copy, Debug)]
pub struct Newline {
    offset: u64,
    blank: bool,
}

impl<R: Read> Read for LineIndex<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut nl = self.newlines.borrow_mut();
        let mut rest = &buf[..n];
        let mut at = 0usize;
        // Jump from newline to newline; a line has content if any byte but '\r' is in
        // it, which the first byte of a real line already shows.
        while let Some(pos) = rest.iter().position(|&b| b == b'\n') {
            self.content |= rest[..pos].iter().any(|&b| b != b'\r');
            nl.push_back(Newline {
                offset: self.offset + (at + pos) as u64,
                blank: !self.content,
            });
            self.content = false;
            at += pos + 1;
            rest = &rest[pos + 1..];
        }
        self.content |= rest.iter().any(|&b| b != b'\r');
        self.offset += n as u64;
        Ok(n)
    }
}

/// A CSV stream ready to be read record by record.
pub struct CsvSource<R: Read> {
    reader: csv::Reader<Decoded<R>>,
    delimiter: u8,
    newlines: Rc<RefCell<VecDeque<Newline>>>,
    lines_before: u64,
}

impl<R: Read> CsvSource<R> {
    /// Opens a byte stream: checks it is text, detects the encoding lazily and the
    /// delimiter from the first line.
    pub fn open(input: R, options: &ReadOptions) -> Result<Self, ImportError> {
        let mut decoder = DecodingReader::new(input, options.encoding);
        // Read the first line (bounded) to find the delimiter.
        let mut first = Vec::with_capacity(4096);
        let mut chunk = [0u8; 4096];
        loop {
            let n = decoder.read(&mut chunk).map_err(import_error)?;
            if n == 0 {
                break;
            }
            first.extend_from_slice(&chunk[..n]);
            if first.contains(&b'\n') || first.len() > MAX_RECORD_BYTES {
                break;
            }
        }
        if first.contains(&0) {
            return Err(ImportError::NotText("fichier binaire"));
        }
        if first.iter().all(|b| b.is_ascii_whitespace()) {
            // Maybe only blank lines first: look further before calling it empty.
            let mut rest = Vec::new();
            (&mut decoder)
                .take(MAX_RECORD_BYTES as u64)
                .read_to_end(&mut rest)
                .map_err(import_error)?;
            if rest.iter().all(|b| b.is_ascii_whitespace()) {
                return Err(ImportError::Empty);
            }
            first.extend_from_slice(&rest);
        }
        let newlines: Rc<RefCell<VecDeque<Newline>>> = Rc::new(RefCell::new(VecDeque::new()));
        let delimiter = match options.delimiter {
            Some(d) => d,
            None => detect_delimiter(&first).ok_or(ImportError::NoDelimiter)?,
        };
        let reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .quoting(true)
            .double_quote(true)
            // Not the default CRLF terminator: with it the crate's line numbers drift on
            // CRLF files. A '\r' left before '\n' is white space that the cell trim removes.
            .terminator(csv::Terminator::Any(b'\n'))
            .buffer_capacity(256 * 1024)
            .from_reader(LineIndex {
                inner: Cursor::new(first).chain(decoder),
                offset: 0,
                content: false,
                newlines: Rc::clone(&newlines),
            });
        Ok(CsvSource {
            reader,
            delimiter,
            newlines,
            lines_before: 0,
        })
    }

    /// The delimiter in use.
    pub fn delimiter(&self) -> u8 {
        self.delimiter
    }

    /// The encoding in use so far (final at the end of the file).
    pub fn encoding(&self) -> DetectedEncoding {
        self.reader.get_ref().inner.get_ref().1.detected()
    }

    /// Reads the next record into `record`; false at end of file. Returns the line where
    /// the record starts.
    pub fn next(&mut self, record: &mut csv::ByteRecord) -> Result<Option<u64>, ImportError> {
        loop {
            match self.read_one(record)? {
                // A line of spaces only is a blank line too.
                Some(_) if record.len() == 1 && record[0].trim_ascii().is_empty() => continue,
                other => return Ok(other),
            }
        }
    }

    fn read_one(&mut self, record: &mut csv::ByteRecord) -> Result<Option<u64>, ImportError> {
        match self.reader.read_byte_record(record) {
            Ok(true) => {
                // The crate reports the offset just after the previous record: newlines
                // before it, then the blank lines it skipped, precede this record.
                let start = record.position().map_or(0, |p| p.byte());
                let mut newlines = self.newlines.borrow_mut();
                while newlines.front().is_some_and(|n| n.offset < start) {
                    newlines.pop_front();
                    self.lines_before += 1;
                }
                while newlines.front().is_some_and(|n| n.blank) {
                    newlines.pop_front();
                    self.lines_before += 1;
                }
                let line = self.lines_before + 1;
                if record.as_slice().len() > MAX_RECORD_BYTES {
                    return Err(ImportError::RecordTooLong {
                        line,
                        limit: MAX_RECORD_BYTES,
                    });
                }
                Ok(Some(line))
            }
            Ok(false) => Ok(None),
            Err(e) => match e.into_kind() {
                csv::ErrorKind::Io(io) => Err(import_error(io)),
                other => Err(ImportError::Io(io::Error::other(format!("{other:?}")))),
            },
        }
    }
}

/// Finds the delimiter of the first line: the most frequent of `;`, `,` and tab outside
/// quotes (ties favour `;`, the French spreadsheet default).
pub fn detect_delimiter(first_line: &[u8]) -> Option<u8> {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &b in first_line {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => break,
            b';' if !quoted => counts[0] += 1,
            b',' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let candidates = [b';', b',', b'\t'];
    let (best, count) = counts
        .iter()
        .enumerate()
        .fold((0, 0), |acc, (i, &c)| if c > acc.1 { (i, c) } else { acc });
    (count > 0).then_some(candidates[best])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8], choice: EncodingChoice) -> (String, DetectedEncoding) {
        let mut r = DecodingReader::new(bytes, choice);
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        (String::from_utf8(out).unwrap(), r.detected())
    }

    #[test]
    fn utf8_bom_is_skipped() {
        let (s, e) = decode(b"\xEF\xBB\xBFNOM;Hel\xC3\xA8ne", EncodingChoice::Auto);
        assert_eq!(s, "NOM;Hel\u{e8}ne");
        assert_eq!(e, DetectedEncoding::Utf8Bom);
    }

    #[test]
    fn windows_1252_is_detected_at_first_non_ascii_byte() {
        let (s, e) = decode(b"NOM;H\xE9l\xE8ne \x80", EncodingChoice::Auto);
        assert_eq!(s, "NOM;Hél\u{e8}ne €");
        assert_eq!(e, DetectedEncoding::Windows1252);
    }

    #[test]
    fn utf8_detected_even_when_late_in_file() {
        let mut bytes = vec![b'a'; 200_000];
        bytes.extend_from_slice("é".as_bytes());
        let (s, e) = decode(&bytes, EncodingChoice::Auto);
        assert!(s.ends_with('é'));
        assert_eq!(e, DetectedEncoding::Utf8);
    }

    #[test]
    fn forced_windows_1252_decodes_utf8_bytes_as_1252() {
        let (s, e) = decode("é".as_bytes(), EncodingChoice::Windows1252);
        assert_eq!(s, "Ã©");
        assert_eq!(e, DetectedEncoding::Windows1252);
    }

    #[test]
    fn byte_at_a_time_reader_still_detects() {
        struct OneByte<'a>(&'a [u8]);
        impl Read for OneByte<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if self.0.is_empty() || buf.is_empty() {
                    return Ok(0);
                }
                buf[0] = self.0[0];
                self.0 = &self.0[1..];
                Ok(1)
            }
        }
        let src = "ab\u{e9}c\u{20ac}".as_bytes();
        let mut r = DecodingReader::new(OneByte(src), EncodingChoice::Auto);
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        assert_eq!(out, src);
        assert_eq!(r.detected(), DetectedEncoding::Utf8);
    }

    #[test]
    fn binary_and_utf16_files_get_one_clear_error() {
        let err = |b: &'static [u8]| CsvSource::open(b, &ReadOptions::default()).err();
        assert!(matches!(
            err(b"PK\x03\x04rest"),
            Some(ImportError::NotText(_))
        ));
        assert!(matches!(err(b"\xFF\xFEa\x00"), Some(ImportError::Utf16)));
        assert!(matches!(err(b""), Some(ImportError::Empty)));
        assert!(matches!(
            err(b"\xEF\xBB\xBF\r\n\n"),
            Some(ImportError::Empty)
        ));
        assert!(matches!(
            err(b"abc\x00def;x"),
            Some(ImportError::NotText(_))
        ));
        assert!(matches!(
            err(b"just one column\n"),
            Some(ImportError::NoDelimiter)
        ));
    }

    #[test]
    fn delimiter_detection_ignores_quoted_text() {
        assert_eq!(detect_delimiter(b"a;b;\"c,d,e\"\n1,2"), Some(b';'));
        assert_eq!(detect_delimiter(b"a,b,c"), Some(b','));
        assert_eq!(detect_delimiter(b"a\tb"), Some(b'\t'));
        assert_eq!(detect_delimiter(b"abc"), None);
    }
}
#[cfg(test)]
mod line_tests {
    use super::*;

    fn lines(text: &[u8]) -> Vec<(u64, Vec<String>)> {
        let mut s = CsvSource::open(text, &ReadOptions::default()).unwrap();
        let mut r = csv::ByteRecord::new();
        let mut v = vec![];
        while let Some(l) = s.next(&mut r).unwrap() {
            let fields = r
                .iter()
                .map(|f| String::from_utf8_lossy(f).trim().to_owned())
                .collect();
            v.push((l, fields));
        }
        v
    }

    #[test]
    fn physical_line_numbers_with_lf_crlf_quotes_and_blank_lines() {
        for text in [
            &b"a;b\nc;d\ne;\"f\nf\"\n\ng;\"h\"\n"[..],
            &b"a;b\r\nc;d\r\ne;\"f\r\nf\"\r\n\r\ng;\"h\"\r\n"[..],
        ] {
            let got = lines(text);
            let nums: Vec<u64> = got.iter().map(|g| g.0).collect();
            assert_eq!(nums, vec![1, 2, 3, 6]);
            assert_eq!(got[3].1, vec!["g", "h"]);
            assert_eq!(got[1].1, vec!["c", "d"]);
        }
    }
}
