//! The printed lines of a server the tests started, read on a thread so that a test can wait
//! for one with a timeout.

use std::io::{BufRead, BufReader};
use std::process::ChildStdout;
use std::sync::mpsc;

/// Every line `stdout` prints, in order, until it closes.
pub fn lines_of(stdout: ChildStdout) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}
