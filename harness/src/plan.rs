//! The plan of a run: which probe builds to make and which cells to run, and which part of them
//! a shard runs. Pure: interpreters' facts in, builds and cells out.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::build::{Build, BuildSpec};
use crate::interpreter::Interpreter;
use crate::matrix::{BuildSelection, NewerHeaders};
use crate::report::CellKey;
use crate::version::PyVersion;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PlanError {
    #[error("the matrix asks for a limited-API {0} build, but no interpreter of that version is in the matrix")]
    NoInterpreterFor(PyVersion),
    #[error(
        "a limited-API {version} build needs {version} headers, but {interpreter} has none (no Python.h in {include_dir}); install its development files (Debian: `apt-get install python{version}-dev`; pyenv builds ship them)"
    )]
    NoHeadersFor { version: PyVersion, interpreter: String, include_dir: String },
    #[error(
        "no interpreter in the matrix has headers, so no probe can be built; install a -dev package or a pyenv version"
    )]
    NoHeadersAtAll,
}

/// One build and the interpreters it runs in.
#[derive(Debug)]
pub struct Plan {
    pub builds: Vec<BuildSpec>,
    /// (index into `builds`, index into the interpreters list)
    pub cells: Vec<(usize, usize)>,
}

/// The builds a selection asks for, each with the headers of an interpreter of its version.
pub fn builds(selection: &BuildSelection, header_sources: &[Interpreter]) -> Result<Vec<BuildSpec>, PlanError> {
    let with_headers: Vec<&Interpreter> =
        header_sources.iter().filter(|i| i.has_headers() && !i.free_threaded).collect();
    if with_headers.is_empty() && *selection == BuildSelection::Auto {
        if let Some(without) = header_sources.first() {
            return Err(PlanError::NoHeadersFor {
                version: without.minor,
                interpreter: without.label(),
                include_dir: without
                    .include_dir
                    .as_ref()
                    .map_or_else(|| "(none reported)".into(), |d| d.display().to_string()),
            });
        }
        return Err(PlanError::NoHeadersAtAll);
    }
    let headers_for = |version: PyVersion| {
        // Prefer a release build's headers (what extension authors build with), on the host.
        with_headers
            .iter()
            .filter(|i| i.minor == version)
            .min_by_key(|i| (i.debug, i.root.is_some()))
            .map(|i| (*i).clone())
    };
    let versions: Vec<PyVersion> = match selection {
        BuildSelection::Auto => {
            let mut versions: Vec<PyVersion> = with_headers.iter().map(|i| i.minor).collect();
            versions.sort();
            versions.dedup();
            if versions.is_empty() {
                return Err(PlanError::NoHeadersAtAll);
            }
            versions
        }
        BuildSelection::Versions(versions) => versions.clone(),
    };
    versions
        .into_iter()
        .map(|limited_api| match headers_for(limited_api) {
            Some(headers) => Ok(BuildSpec { limited_api, headers }),
            None => match header_sources.iter().find(|i| i.minor == limited_api) {
                Some(without) => Err(PlanError::NoHeadersFor {
                    version: limited_api,
                    interpreter: without.label(),
                    include_dir: without
                        .include_dir
                        .as_ref()
                        .map_or_else(|| "(none reported)".into(), |d| d.display().to_string()),
                }),
                None => Err(PlanError::NoInterpreterFor(limited_api)),
            },
        })
        .collect()
}

/// Builds with newer headers than their limited-API version; `oldest` is the oldest version
/// among `builds`.
pub fn newer_header_builds(
    extra: &[NewerHeaders],
    builds: &[BuildSpec],
    header_sources: &[Interpreter],
) -> Result<Vec<BuildSpec>, PlanError> {
    let oldest = builds.iter().map(|b| b.limited_api).min();
    let mut specs = Vec::new();
    for wanted in extra {
        let limited_api = match wanted.limited_api.or(oldest) {
            Some(version) => version,
            None => continue,
        };
        let selection = BuildSelection::Versions(vec![wanted.headers]);
        let with_headers = self::builds(&selection, header_sources)?;
        for spec in with_headers {
            specs.push(BuildSpec { limited_api, headers: spec.headers });
        }
    }
    Ok(specs)
}

/// One build per debug interpreter with headers, with those debug headers: what lets the
/// reference-leak check measure exactly on debug interpreters.
pub fn debug_header_builds(interpreters: &[Interpreter]) -> Vec<BuildSpec> {
    interpreters
        .iter()
        // Before 3.10 the headers refuse Py_LIMITED_API together with Py_DEBUG (#error).
        .filter(|i| i.debug && i.has_headers() && !i.free_threaded && i.minor >= PyVersion::new(3, 10))
        .map(|i| BuildSpec { limited_api: i.minor, headers: i.clone() })
        .collect()
}

/// Every (build, interpreter) pair the promise covers: the interpreter is at or above the build.
/// A debug-header build runs on debug interpreters only: an extension built with `Py_DEBUG`
/// headers is not meant to load in a release build.
pub fn cells(builds: &[BuildSpec], interpreters: &[Interpreter]) -> Vec<(usize, usize)> {
    let mut cells = Vec::new();
    for (b, build) in builds.iter().enumerate() {
        for (i, interpreter) in interpreters.iter().enumerate() {
            if interpreter.minor >= build.limited_api && (!build.headers.debug || interpreter.debug) {
                cells.push((b, i));
            }
        }
    }
    cells
}

/// Presence depends only on the interpreter, so one cell per interpreter carries it: the one
/// whose build is the newest release-header build at or below the interpreter's version
/// (ties: the build with its own version's headers, then the first). Decided from the builds
/// alone, so it holds for any subset of the cells (a `--entry` run, a shard).
pub fn carries_presence(builds: &[Build], build: usize, interpreter: &Interpreter) -> bool {
    presence_carrier(
        builds.iter().map(|b| (b.limited_api, b.headers_debug, b.headers.starts_with(&format!("{}.", b.limited_api)))),
        interpreter,
    ) == Some(build)
}

/// [`carries_presence`] before the builds are made: the index of the carrying spec.
pub fn presence_carrier_spec(specs: &[BuildSpec], interpreter: &Interpreter) -> Option<usize> {
    presence_carrier(
        specs.iter().map(|s| (s.limited_api, s.headers.debug, s.headers.minor == s.limited_api)),
        interpreter,
    )
}

/// Over (limited API, debug headers, own version's headers) of each build.
fn presence_carrier(builds: impl Iterator<Item = (PyVersion, bool, bool)>, interpreter: &Interpreter) -> Option<usize> {
    builds
        .enumerate()
        .filter(|(_, (limited_api, debug, _))| !debug && *limited_api <= interpreter.minor)
        .max_by_key(|(n, (limited_api, _, own))| (*limited_api, *own, std::cmp::Reverse(*n)))
        .map(|(n, _)| n)
}

/// Part `index` of `count` (1-based, as CI matrices count): `--shard 2/3`.
///
/// A cell belongs to the shard given by a hash of its key (platform, executable, build id), not
/// by its position in the plan: the assignment survives reordering of the matrix, interpreters
/// found in another order, and builds added elsewhere in the plan. Every cell is in exactly one
/// shard; shards may differ in size (a few cells more or less), and a shard may be empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("`{0}` is not a shard: expected K/N with 1 <= K <= N, e.g. 2/3")]
pub struct ShardError(String);

impl Shard {
    /// Whether the cell with this key is this shard's.
    pub fn contains(&self, key: &CellKey) -> bool {
        shard_slot(key, self.count) == self.index - 1
    }
}

/// The 0-based slot of a cell among `count` shards. Separators keep ("a", "bc") apart from
/// ("ab", "c"); SHA-256 rather than std's hasher, whose output may change between Rust releases.
fn shard_slot(key: &CellKey, count: u32) -> u32 {
    let mut hasher = Sha256::new();
    for part in [&key.0, &key.1, &key.2] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    let digest = hasher.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    (u64::from_be_bytes(first) % u64::from(count)) as u32
}

impl FromStr for Shard {
    type Err = ShardError;

    fn from_str(text: &str) -> Result<Shard, ShardError> {
        let invalid = || ShardError(text.to_owned());
        let (index, count) = text.trim().split_once('/').ok_or_else(invalid)?;
        let index: u32 = index.trim().parse().map_err(|_| invalid())?;
        let count: u32 = count.trim().parse().map_err(|_| invalid())?;
        if index == 0 || index > count {
            return Err(invalid());
        }
        Ok(Shard { index, count })
    }
}

impl TryFrom<String> for Shard {
    type Error = ShardError;

    fn try_from(text: String) -> Result<Shard, ShardError> {
        text.parse()
    }
}

impl From<Shard> for String {
    fn from(shard: Shard) -> String {
        shard.to_string()
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(platform: &str, executable: &str, build: &str) -> CellKey {
        (platform.to_owned(), executable.to_owned(), build.to_owned())
    }

    fn keys() -> Vec<CellKey> {
        let mut keys = Vec::new();
        for minor in 6..=15 {
            for build in 6..=minor {
                keys.push(key("host", &format!("/usr/bin/python3.{minor}"), &format!("3.{build}")));
            }
        }
        keys
    }

    #[test]
    fn shards_parse_and_print_as_k_of_n() {
        assert_eq!("2/3".parse(), Ok(Shard { index: 2, count: 3 }));
        assert_eq!(Shard { index: 1, count: 1 }.to_string(), "1/1");
        for bad in ["0/3", "4/3", "3", "a/3", "1/0", "", "1/3/4"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn every_cell_is_in_exactly_one_shard() {
        for count in 1..=5 {
            for key in keys() {
                let owners = (1..=count).filter(|&index| Shard { index, count }.contains(&key)).count();
                assert_eq!(owners, 1, "{key:?} in {owners} of {count} shards");
            }
        }
    }

    #[test]
    fn a_cell_keeps_its_shard_whatever_the_order() {
        let shard = Shard { index: 2, count: 3 };
        let forward: Vec<CellKey> = keys().into_iter().filter(|k| shard.contains(k)).collect();
        let mut reversed: Vec<CellKey> = keys().into_iter().rev().filter(|k| shard.contains(k)).collect();
        reversed.reverse();
        assert_eq!(forward, reversed);
        assert!(!forward.is_empty() && forward.len() < keys().len());
        // The rule itself is pinned (the same computation in Python gives these slots): CI
        // legs of one split must agree on it whatever machine runs them.
        assert_eq!(shard_slot(&key("host", "/usr/bin/python3.12", "3.6"), 3), 1);
        assert_eq!(shard_slot(&key("sid", "/usr/bin/python3.13d", "3.13d"), 7), 4);
    }
}
