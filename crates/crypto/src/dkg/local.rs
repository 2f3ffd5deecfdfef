//! Every trustee's steps in one process: for demos, tests and benchmarks. A real ceremony
//! runs each trustee on its own device and only the messages travel.

use rand_core::{CryptoRng, RngCore};

use super::{DkgParameters, DkgTranscript, Registered, TrusteeShare};
use crate::error::Result;

/// Runs a whole honest ceremony with all trustees in this process; returns the public
/// transcript and every trustee's share (position `i − 1` for trustee `i`).
pub fn run_local_ceremony<R: RngCore + CryptoRng>(
    params: &DkgParameters,
    rng: &mut R,
) -> Result<(DkgTranscript, Vec<TrusteeShare>)> {
    let mut registered = Vec::new();
    let mut roster = Vec::new();
    for i in 1..=params.trustees {
        let (state, announcement) = Registered::new(params.clone(), i, rng)?;
        registered.push(state);
        roster.push(announcement);
    }
    let mut dealt = Vec::new();
    let mut dealings = Vec::new();
    for state in registered {
        let (state, dealing) = state.deal(&roster, rng)?;
        dealt.push(state);
        dealings.push(dealing);
    }
    let mut checked = Vec::new();
    let mut complaints = Vec::new();
    for state in dealt {
        let (state, mut own) = state.check_dealings(&dealings, rng)?;
        checked.push(state);
        complaints.append(&mut own);
    }
    let transcript = DkgTranscript::assemble(params.clone(), roster, dealings, complaints);
    let shares = checked
        .into_iter()
        .map(|state| state.finalize(&transcript))
        .collect::<Result<Vec<_>>>()?;
    Ok((transcript, shares))
}
