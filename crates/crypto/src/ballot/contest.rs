//! Contest parameters, their fingerprint, and ballot styles (`specs/protocol.md` §3).

use core::fmt;

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::traits::IsIdentity;
use serde::{Deserialize, Serialize};

use crate::encoding::{CanonicalWriter, serde_hex, sha256};
use crate::error::{CryptoError, Result};

/// Most options a contest may have: bounds the size of a ballot the servers accept.
pub const MAX_OPTIONS: usize = 1000;
/// Most contests a ballot style may hold.
pub const MAX_CONTESTS: usize = 64;
/// Longest identifier (election, scrutin, contest, option), in bytes.
pub const MAX_ID_LEN: usize = 256;

const CONTEST_TAG: &str = "scrutin/contest/v1";

fn check_id(what: &str, id: &str) -> Result<()> {
    if id.is_empty() || id.len() > MAX_ID_LEN {
        return Err(CryptoError::invalid(format!(
            "{what} must hold 1 to {MAX_ID_LEN} bytes, got {}",
            id.len()
        )));
    }
    if id.chars().any(char::is_control) {
        return Err(CryptoError::invalid(format!(
            "{what} must not contain control characters"
        )));
    }
    Ok(())
}

/// One contest (one election of the CCIR or the CCIT for a category): an approval vote
/// with blank over `k` options in ballot order, at most `N` = seats selections.
///
/// Built only through [`ContestParams::new`] (or its JSON form, checked the same way), so a
/// value always holds valid parameters and its fingerprint.
#[derive(Clone, Serialize, Deserialize)]
#[serde(try_from = "ContestParamsJson", into = "ContestParamsJson")]
pub struct ContestParams {
    election_id: String,
    contest_id: String,
    public_key: RistrettoPoint,
    public_key_bytes: [u8; 32],
    options: Vec<String>,
    seats: u32,
    fingerprint: [u8; 32],
}

/// The JSON form of [`ContestParams`].
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ContestParamsJson {
    election: String,
    contest: String,
    #[serde(with = "serde_hex::point")]
    public_key: RistrettoPoint,
    options: Vec<String>,
    seats: u32,
}

impl TryFrom<ContestParamsJson> for ContestParams {
    type Error = CryptoError;
    fn try_from(j: ContestParamsJson) -> Result<Self> {
        ContestParams::new(j.election, j.contest, j.public_key, j.options, j.seats)
    }
}

impl From<ContestParams> for ContestParamsJson {
    fn from(p: ContestParams) -> Self {
        ContestParamsJson {
            election: p.election_id,
            contest: p.contest_id,
            public_key: p.public_key,
            options: p.options,
            seats: p.seats,
        }
    }
}

impl ContestParams {
    /// Checks and builds contest parameters: non-empty identifiers, 1 to [`MAX_OPTIONS`]
    /// distinct options, at least one seat, a public key other than the identity.
    pub fn new(
        election_id: impl Into<String>,
        contest_id: impl Into<String>,
        public_key: RistrettoPoint,
        options: Vec<String>,
        seats: u32,
    ) -> Result<Self> {
        let election_id = election_id.into();
        let contest_id = contest_id.into();
        check_id("election id", &election_id)?;
        check_id("contest id", &contest_id)?;
        if options.is_empty() || options.len() > MAX_OPTIONS {
            return Err(CryptoError::invalid(format!(
                "contest {contest_id}: 1 to {MAX_OPTIONS} options required, got {}",
                options.len()
            )));
        }
        let mut sorted: Vec<&str> = options.iter().map(String::as_str).collect();
        sorted.sort_unstable();
        for o in &sorted {
            check_id("option id", o)?;
        }
        if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
            return Err(CryptoError::invalid(format!(
                "contest {contest_id}: option {} appears twice",
                w[0]
            )));
        }
        if seats == 0 {
            return Err(CryptoError::invalid(format!(
                "contest {contest_id}: at least one seat required"
            )));
        }
        if public_key.is_identity() {
            return Err(CryptoError::invalid(
                "the election public key must not be the identity",
            ));
        }
        let public_key_bytes = public_key.compress().to_bytes();
        let mut w = CanonicalWriter::new(CONTEST_TAG);
        w.str(&election_id).str(&contest_id).raw(&public_key_bytes);
        w.u32(options.len() as u32);
        for o in &options {
            w.str(o);
        }
        w.u32(seats);
        let fingerprint = sha256(w.as_bytes());
        Ok(ContestParams {
            election_id,
            contest_id,
            public_key,
            public_key_bytes,
            options,
            seats,
            fingerprint,
        })
    }

    /// The election this contest belongs to.
    pub fn election_id(&self) -> &str {
        &self.election_id
    }

    /// The contest's identifier.
    pub fn contest_id(&self) -> &str {
        &self.contest_id
    }

    /// The election public key `Y` ballots of this contest are encrypted to.
    pub fn public_key(&self) -> &RistrettoPoint {
        &self.public_key
    }

    /// The 32-byte encoding of `Y`.
    pub fn public_key_bytes(&self) -> &[u8; 32] {
        &self.public_key_bytes
    }

    /// Option identifiers in ballot order.
    pub fn options(&self) -> &[String] {
        &self.options
    }

    /// Number of options `k`.
    pub fn option_count(&self) -> usize {
        self.options.len()
    }

    /// Seats `N`: the most options a voter may select.
    pub fn seats(&self) -> u32 {
        self.seats
    }

    /// Most selections possible, `M = min(N, k)`: the sum proof has `M + 1` branches.
    pub fn max_selections(&self) -> usize {
        (self.seats as usize).min(self.options.len())
    }

    /// The contest fingerprint: SHA-256 of the canonical encoding (protocol §3.1).
    pub fn fingerprint(&self) -> &[u8; 32] {
        &self.fingerprint
    }
}

impl PartialEq for ContestParams {
    fn eq(&self, other: &Self) -> bool {
        self.fingerprint == other.fingerprint
    }
}

impl Eq for ContestParams {}

impl fmt::Debug for ContestParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ContestParams")
            .field("election_id", &self.election_id)
            .field("contest_id", &self.contest_id)
            .field("public_key", &hex::encode(self.public_key_bytes))
            .field("options", &self.options)
            .field("seats", &self.seats)
            .field("fingerprint", &hex::encode(self.fingerprint))
            .finish()
    }
}

/// What a voting right may vote on in one ballot box: the election, the scrutin (ballot box)
/// and the contests in ballot order (usually the CCIR and the CCIT election of a category,
/// A ballot holds one encrypted part per contest, in this order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "BallotStyleJson", into = "BallotStyleJson")]
pub struct BallotStyle {
    election_id: String,
    scrutin_id: String,
    contests: Vec<ContestParams>,
}

/// The JSON form of [`BallotStyle`].
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BallotStyleJson {
    election: String,
    scrutin: String,
    contests: Vec<ContestParams>,
}

impl TryFrom<BallotStyleJson> for BallotStyle {
    type Error = CryptoError;
    fn try_from(j: BallotStyleJson) -> Result<Self> {
        BallotStyle::new(j.election, j.scrutin, j.contests)
    }
}

impl From<BallotStyle> for BallotStyleJson {
    fn from(s: BallotStyle) -> Self {
        BallotStyleJson {
            election: s.election_id,
            scrutin: s.scrutin_id,
            contests: s.contests,
        }
    }
}

impl BallotStyle {
    /// Checks and builds a ballot style: 1 to [`MAX_CONTESTS`] contests of this election
    /// with distinct contest identifiers.
    pub fn new(
        election_id: impl Into<String>,
        scrutin_id: impl Into<String>,
        contests: Vec<ContestParams>,
    ) -> Result<Self> {
        let election_id = election_id.into();
        let scrutin_id = scrutin_id.into();
        check_id("election id", &election_id)?;
        check_id("scrutin id", &scrutin_id)?;
        if contests.is_empty() || contests.len() > MAX_CONTESTS {
            return Err(CryptoError::invalid(format!(
                "a ballot style holds 1 to {MAX_CONTESTS} contests, got {}",
                contests.len()
            )));
        }
        for (i, c) in contests.iter().enumerate() {
            if c.election_id != election_id {
                return Err(CryptoError::invalid(format!(
                    "contest {} belongs to election {}, not {election_id}",
                    c.contest_id, c.election_id
                )));
            }
            if contests[..i].iter().any(|d| d.contest_id == c.contest_id) {
                return Err(CryptoError::invalid(format!(
                    "contest {} appears twice in the ballot style",
                    c.contest_id
                )));
            }
        }
        Ok(BallotStyle {
            election_id,
            scrutin_id,
            contests,
        })
    }

    /// The election.
    pub fn election_id(&self) -> &str {
        &self.election_id
    }

    /// The scrutin (ballot box).
    pub fn scrutin_id(&self) -> &str {
        &self.scrutin_id
    }

    /// The contests in ballot order.
    pub fn contests(&self) -> &[ContestParams] {
        &self.contests
    }
}
