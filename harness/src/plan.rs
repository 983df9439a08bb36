//! The plan of a run: which probe builds to make and which cells to run. Pure: interpreters'
//! facts in, builds and cells out.

use crate::build::{Build, BuildSpec};
use crate::interpreter::Interpreter;
use crate::matrix::{BuildSelection, NewerHeaders};
use crate::version::PyVersion;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PlanError {
    #[error("the matrix asks for a limited-API {0} build, but no interpreter of that version is in the matrix")]
    NoInterpreterFor(PyVersion),
    #[error("a limited-API {version} build needs {version} headers, but {interpreter} has none (no Python.h in {include_dir}); install its development files (Debian: `apt-get install python{version}-dev`; pyenv builds ship them)")]
    NoHeadersFor { version: PyVersion, interpreter: String, include_dir: String },
    #[error("no interpreter in the matrix has headers, so no probe can be built; install a -dev package or a pyenv version")]
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
    let with_headers: Vec<&Interpreter> = header_sources.iter().filter(|i| i.has_headers() && !i.free_threaded).collect();
    if with_headers.is_empty() && *selection == BuildSelection::Auto {
        if let Some(without) = header_sources.first() {
            return Err(PlanError::NoHeadersFor {
                version: without.minor,
                interpreter: without.label(),
                include_dir: without.include_dir.as_ref().map_or_else(|| "(none reported)".into(), |d| d.display().to_string()),
            });
        }
        return Err(PlanError::NoHeadersAtAll);
    }
    let headers_for = |version: PyVersion| {
        // Prefer a release build's headers (what extension authors build with), on the host.
        with_headers.iter().filter(|i| i.minor == version).min_by_key(|i| (i.debug, i.root.is_some())).map(|i| (*i).clone())
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
                    include_dir: without.include_dir.as_ref().map_or_else(|| "(none reported)".into(), |d| d.display().to_string()),
                }),
                None => Err(PlanError::NoInterpreterFor(limited_api)),
            },
        })
        .collect()
}

/// Builds with newer headers than their limited-API version; `oldest` is the oldest version
/// among `builds`.
pub fn newer_header_builds(extra: &[NewerHeaders], builds: &[BuildSpec], header_sources: &[Interpreter]) -> Result<Vec<BuildSpec>, PlanError> {
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
    presence_carrier(builds.iter().map(|b| (b.limited_api, b.headers_debug, b.headers.starts_with(&format!("{}.", b.limited_api)))), interpreter) == Some(build)
}

/// [`carries_presence`] before the builds are made: the index of the carrying spec.
pub fn presence_carrier_spec(specs: &[BuildSpec], interpreter: &Interpreter) -> Option<usize> {
    presence_carrier(specs.iter().map(|s| (s.limited_api, s.headers.debug, s.headers.minor == s.limited_api)), interpreter)
}

/// Over (limited API, debug headers, own version's headers) of each build.
fn presence_carrier(builds: impl Iterator<Item = (PyVersion, bool, bool)>, interpreter: &Interpreter) -> Option<usize> {
    builds
        .enumerate()
        .filter(|(_, (limited_api, debug, _))| !debug && *limited_api <= interpreter.minor)
        .max_by_key(|(n, (limited_api, _, own))| (*limited_api, *own, std::cmp::Reverse(*n)))
        .map(|(n, _)| n)
}
