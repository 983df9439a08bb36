//! What the headers say: compile-time facts of each interpreter's headers (const values,
//! struct layouts, signatures, typedefs) under each `Py_LIMITED_API` (from 3.15 also with
//! PEP 803's `Py_TARGET_ABI3T`), extracted with bindgen (`extract`, an edge: libclang and
//! files), cached by content here, and compared across versions and against the manifest
//! (`compare`, pure).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use sha2::{Digest, Sha256};

use crate::arch::Arch;
use crate::interpreter::Interpreter;
use crate::manifest::Manifest;
use crate::report::StaticReport;
use crate::variant::{ABI3T_SINCE, Target};
use crate::version::PyVersion;

pub mod compare;
pub mod extract;

pub use extract::{Extraction, HeaderPaths};

#[derive(Debug, thiserror::Error)]
pub enum HeadersError {
    #[error(
        "libclang cannot be loaded, so the headers cannot be read ({message}); install it with `apt-get install libclang-dev` (or set LIBCLANG_PATH to the folder holding libclang.so)"
    )]
    NoLibclang { message: String },
    #[error("bindgen cannot read the headers in {} with Py_LIMITED_API={limited_api}{abi3t}: {message}", include_dir.display())]
    Bindgen { include_dir: PathBuf, limited_api: PyVersion, abi3t: &'static str, message: String },
    #[error("reading bindgen's output for {} with Py_LIMITED_API={limited_api}{abi3t}: {message}", include_dir.display())]
    Output { include_dir: PathBuf, limited_api: PyVersion, abi3t: &'static str, message: String },
    #[error("cannot use the header cache at {}", path.display())]
    Cache {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// One interpreter's headers, as the static check sees them.
#[derive(Clone, Debug)]
pub struct HeaderSet {
    /// Unique within a run: `3.12.1@host`, `3.13.5d@sid`; for an interpreter under test
    /// (`abi-harness check`), its executable is added.
    pub label: String,
    pub version: String,
    pub minor: PyVersion,
    pub platform: String,
    pub debug: bool,
    pub paths: HeaderPaths,
    pub features: BTreeMap<String, bool>,
    /// Given to `abi-harness check`: compared with the others, never their reference.
    pub under_test: bool,
    /// The architecture the headers are read for: header sets are compared only with those of
    /// their own architecture (the promise is per platform).
    pub arch: Arch,
}

impl HeaderSet {
    /// The headers of an interpreter, if it has any the limited API can be read from.
    pub fn of(interpreter: &Interpreter, under_test: bool) -> Option<HeaderSet> {
        if !interpreter.has_headers() || interpreter.free_threaded {
            return None;
        }
        let include_dir = interpreter.include_dir.clone()?;
        let debug = if interpreter.debug { "d" } else { "" };
        let mut label = format!("{}{debug}@{}", interpreter.version, interpreter.platform);
        if under_test {
            label.push_str(&format!(" ({})", interpreter.executable.display()));
        }
        Some(HeaderSet {
            label,
            version: interpreter.version.clone(),
            minor: interpreter.minor,
            platform: interpreter.platform.clone(),
            debug: interpreter.debug,
            paths: HeaderPaths {
                include_dir,
                after_dir: interpreter.root.as_ref().map(|root| root.join("usr/include")),
                target: match (&interpreter.root, interpreter.arch == Arch::host()) {
                    (Some(root), false) => Some((interpreter.arch.triple().to_owned(), root.clone())),
                    _ => None,
                },
            },
            arch: interpreter.arch,
            features: interpreter.features.clone(),
            under_test,
        })
    }

    pub fn has_feature(&self, feature: &str) -> bool {
        self.features.get(feature).copied().unwrap_or(false)
    }

    /// Before 3.10, debug headers refuse `Py_LIMITED_API` (`#error`): nothing to read.
    pub fn refuses_limited_api(&self) -> bool {
        self.debug && self.minor < PyVersion::new(3, 10)
    }
}

/// The manifest kinds the comparison covers (macros by whether they are defined; feature
/// macros not at all): what the coverage view counts as `static`.
pub const STATIC_KINDS: [crate::manifest::EntryKind; 6] = {
    use crate::manifest::EntryKind::*;
    [Function, Data, Const, Macro, Struct, Typedef]
};

/// The limited-API versions a run reads headers at: the versions of the header sets themselves
/// (the matrix's, which is the one source of truth for versions).
pub fn versions_of(sets: &[HeaderSet]) -> Vec<PyVersion> {
    let mut versions: Vec<PyVersion> = sets.iter().map(|s| s.minor).collect();
    versions.sort();
    versions.dedup();
    versions
}

/// The limited-API versions to read a header set at: each version of `versions` at or below its
/// own.
pub fn limited_api_versions(set: &HeaderSet, versions: &[PyVersion]) -> Vec<PyVersion> {
    if set.refuses_limited_api() {
        return Vec::new();
    }
    versions.iter().copied().filter(|v| *v <= set.minor).collect()
}

/// Extractions of every header set at every limited-API version that applies, cached by
/// content under `cache_dir/headers`.
#[derive(Debug, Default)]
pub struct Extractions {
    /// (header set index, limited API) → extraction
    pub by_set: BTreeMap<(usize, PyVersion), Extraction>,
    /// The same under `Py_TARGET_ABI3T` too, at limited-API versions from 3.15 (PEP 803) on.
    pub abi3t: BTreeMap<(usize, PyVersion), Extraction>,
    pub parsed: u64,
    pub cached: u64,
    pub parse_ms: u64,
}

pub fn extract_all(
    sets: &[HeaderSet],
    versions: &[PyVersion],
    const_names: &[String],
    cache_dir: &Path,
) -> Result<Extractions, HeadersError> {
    let clang = extract::libclang_version()?;
    let unit = extract::translation_unit(const_names);
    let mut out = Extractions::default();
    let started = Instant::now();
    for (n, set) in sets.iter().enumerate() {
        let digest = digest_headers(&set.paths);
        let readings = limited_api_versions(set, versions).into_iter().flat_map(|limited_api| {
            let abi3t = (limited_api >= ABI3T_SINCE).then_some((limited_api, Target::Abi3t));
            std::iter::once((limited_api, Target::Abi3)).chain(abi3t)
        });
        for (limited_api, target) in readings {
            let mut hasher = Sha256::new();
            for part in [
                digest.as_str(),
                &limited_api.limited_api_hex(),
                &clang,
                &extract::EXTRACTOR_VERSION.to_string(),
                &unit,
                set.paths.target.as_ref().map_or("", |(triple, _)| triple.as_str()),
            ] {
                hasher.update(part.as_bytes());
                hasher.update([0]);
            }
            // Only abi3t adds a part: the keys of abi3 readings, and their cache, stay as they were.
            let mut abi3t = "";
            if target == Target::Abi3t {
                hasher.update(b"Py_TARGET_ABI3T");
                hasher.update([0]);
                abi3t = "+abi3t";
            }
            let key = crate::short_hex(&hasher.finalize(), 8);
            let debug = if set.debug { "d" } else { "" };
            let path = cache_dir
                .join("headers")
                .join(format!("{}{debug}-{}-limited-{limited_api}{abi3t}-{key}.json", set.minor, set.platform));
            let cached = std::fs::read(&path).ok().and_then(|bytes| serde_json::from_slice::<Extraction>(&bytes).ok());
            let extraction = match cached {
                Some(extraction) => {
                    out.cached += 1;
                    extraction
                }
                None => {
                    let extraction = extract::extract(&set.paths, limited_api, target, const_names)?;
                    out.parsed += 1;
                    write_cache(&path, &extraction)?;
                    extraction
                }
            };
            match target {
                Target::Abi3 => out.by_set.insert((n, limited_api), extraction),
                Target::Abi3t => out.abi3t.insert((n, limited_api), extraction),
            };
        }
    }
    out.parse_ms = started.elapsed().as_millis() as u64;
    Ok(out)
}

/// Reads every header set and compares them: the static section of a report.
pub fn check(
    manifest: &Manifest,
    sets: &[HeaderSet],
    versions: &[PyVersion],
    cache_dir: &Path,
) -> Result<StaticReport, HeadersError> {
    let const_names: Vec<String> =
        manifest.of_kind(crate::manifest::EntryKind::Const).map(|e| e.name.clone()).collect();
    // Each architecture's header sets among themselves: a struct may rightly differ between
    // x86-64 and s390x, but not between two versions on s390x.
    let mut arches: Vec<Arch> = sets.iter().map(|s| s.arch).collect();
    arches.sort_by_key(|a| (*a != Arch::host(), *a));
    arches.dedup();
    let mut report = StaticReport::default();
    for arch in arches {
        let group: Vec<HeaderSet> = sets.iter().filter(|s| s.arch == arch).cloned().collect();
        let extractions = extract_all(&group, versions, &const_names, cache_dir)?;
        let mut part = compare::compare(manifest, &group, &extractions.by_set);
        let abi3t = compare::compare_abi3t(manifest, &group, &extractions.by_set, &extractions.abi3t);
        part.header_sets.extend(abi3t.header_sets);
        part.compared.extend(abi3t.compared);
        part.results.extend(abi3t.results);
        let mark = (arch != Arch::host() || sets.iter().any(|s| s.arch != arch)).then(|| arch.to_string());
        for result in &mut part.results {
            result.arch = mark.clone();
        }
        for fact in &mut part.compared {
            fact.arch = mark.clone();
        }
        report.header_sets.extend(part.header_sets);
        report.compared.extend(part.compared);
        report.results.extend(part.results);
        report.leaks.extend(part.leaks);
        report.parsed += extractions.parsed;
        report.cached += extractions.cached;
        report.extract_ms += extractions.parse_ms;
    }
    Ok(report)
}

fn write_cache(path: &Path, extraction: &Extraction) -> Result<(), HeadersError> {
    let cache_error = |path: &Path| {
        let path = path.to_owned();
        move |source| HeadersError::Cache { path, source }
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(cache_error(dir))?;
    }
    let bytes = serde_json::to_vec(extraction)
        .map_err(|err| HeadersError::Cache { path: path.to_owned(), source: err.into() })?;
    // Through a rename: a reader never sees half an extraction.
    let scratch = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&scratch, bytes).map_err(cache_error(&scratch))?;
    std::fs::rename(&scratch, path).map_err(cache_error(path))
}

/// Every file the preprocessor may read from this header set: the include folder and, on
/// Debian, the multiarch `pyconfig.h` folder.
fn digest_headers(paths: &HeaderPaths) -> String {
    let mut hasher = Sha256::new();
    crate::build::hash_tree(&mut hasher, &paths.include_dir);
    if let Some(multiarch) = extract::multiarch_config_dir(paths) {
        crate::build::hash_tree(&mut hasher, &multiarch);
    }
    crate::short_hex(&hasher.finalize(), 16)
}
