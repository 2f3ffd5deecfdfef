//! Errors of the election domain. Row-level problems in CCI files are not errors: they are
//! [`Issue`](crate::report::Issue)s in an import report. The errors here stop a whole
//! operation (an unreadable file, an impossible tally).

use thiserror::Error;

/// An identifier that does not have its required form.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum IdError {
    /// Not three digits.
    #[error("code CCI invalide « {0} » : 3 chiffres attendus")]
    Chamber(String),
    /// Not one letter or digit.
    #[error("code catégorie invalide « {0} » : 1 lettre ou chiffre attendu")]
    Category(String),
    /// Not one or two letters or digits.
    #[error("code sous-catégorie invalide « {0} » : 1 ou 2 lettres ou chiffres attendus")]
    SubCategory(String),
    /// Not `CCC-K` or `CCC-K-SS`.
    #[error("identifiant de scrutin invalide « {0} »")]
    Scrutin(String),
    /// Not `SCOPE/CCIR` or `SCOPE/CCIT`.
    #[error("identifiant d'élection invalide « {0} »")]
    Contest(String),
    /// Not 13 digits.
    #[error("numéro d'électeur invalide « {0} » : 13 chiffres attendus")]
    Voter(String),
    /// Not 1–32 letters, digits, `-` or `_`.
    #[error("identifiant de candidat invalide « {0} »")]
    Option(String),
}

/// A CCI file that cannot be read at all (as opposed to a readable file with bad rows).
/// Each variant is one clear message for the person who uploaded the file.
#[derive(Debug, Error)]
pub enum ImportError {
    /// Reading the underlying file or stream failed.
    #[error("lecture du fichier impossible : {0}")]
    Io(#[from] std::io::Error),
    /// Nothing but (possibly) a byte-order mark and blank lines.
    #[error("le fichier est vide")]
    Empty,
    /// A spreadsheet or other binary file instead of CSV text.
    #[error(
        "ce n'est pas un fichier texte CSV ({0}) : enregistrez-le au format CSV (séparateur « ; »)"
    )]
    NotText(&'static str),
    /// UTF-16 text (byte-order mark FF FE or FE FF).
    #[error("encodage UTF-16 non pris en charge : enregistrez le fichier en UTF-8 ou Windows-1252")]
    Utf16,
    /// No `;`, `,` or tab in the first line.
    #[error("séparateur introuvable sur la première ligne : « ; » ou « , » attendu")]
    NoDelimiter,
    /// The first line has a column count that cannot be this kind of file.
    #[error(
        "ce n'est pas un {kind} : {found} colonnes sur la première ligne, {expected} attendues"
    )]
    WrongFileKind {
        /// What the file was expected to be.
        kind: &'static str,
        /// Columns found.
        found: usize,
        /// Columns expected.
        expected: usize,
    },
    /// A record too long to be a CCI row (typically an unclosed quote).
    #[error("ligne {line} : enregistrement de plus de {limit} octets (guillemet non fermé ?)")]
    RecordTooLong {
        /// Line where the record starts.
        line: u64,
        /// The limit in bytes.
        limit: usize,
    },
    /// The caller's row callback asked to stop.
    #[error("import interrompu")]
    Interrupted,
}

/// Tally figures that cannot describe a real count: they are rejected rather than
/// turned into a PV.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ResultsError {
    /// The number of vote counts differs from the number of candidates.
    #[error("{contest} : {got} décomptes de voix pour {expected} candidats")]
    OptionCount {
        /// Contest.
        contest: String,
        /// Counts given.
        got: usize,
        /// Candidates on the ballot.
        expected: usize,
    },
    /// blank + null exceeds the ballots in the box.
    #[error("{contest} : blancs ({blank}) + nuls ({null}) > bulletins ({ballots})")]
    BlankAndNullExceedBallots {
        /// Contest.
        contest: String,
        /// Blank ballots.
        blank: u64,
        /// Null ballots.
        null: u64,
        /// Ballots in the box.
        ballots: u64,
    },
    /// A candidate has more votes than there are expressed ballots.
    #[error("{contest} : le candidat {option} a {votes} voix pour {expressed} suffrages exprimés")]
    VotesExceedExpressed {
        /// Contest.
        contest: String,
        /// Candidate.
        option: String,
        /// Votes.
        votes: u64,
        /// Expressed ballots.
        expressed: u64,
    },
    /// The votes cannot come from the expressed ballots: each names 1 to N candidates.
    #[error(
        "{contest} : {total} voix ne peuvent venir de {expressed} bulletins de 1 à {seats} noms"
    )]
    VotesInconsistent {
        /// Contest.
        contest: String,
        /// Sum of votes.
        total: u64,
        /// Expressed ballots.
        expressed: u64,
        /// Seats (maximum names per ballot).
        seats: u32,
    },
    /// More voters than registered voters.
    #[error("{contest} : {voters} votants pour {registered} inscrits")]
    VotersExceedRegistered {
        /// Contest.
        contest: String,
        /// Voters (émargements).
        voters: u64,
        /// Registered rights.
        registered: u64,
    },
    /// The contest is not in the election.
    #[error("élection inconnue : {0}")]
    UnknownContest(String),
}
