//! The wheel cache: wheels kept by content (`CACHE/sha256/HEX/FILE`), fetched with pip
//! (`pip download --only-binary :all: --no-deps`), and the smoke scripts' dependency wheels per
//! interpreter version (`CACHE/deps/cp3X/KEY`, naming the content-addressed file).
//!
//! Everything lands in a scratch folder first and is renamed into place after its hash is
//! checked, so the cache never holds a half download.

use std::path::{Path, PathBuf};
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::process::{self, CommandLine};
use crate::version::PyVersion;
use crate::wheels::WheelsError;
use crate::wheels::corpus::WheelSpec;

/// pip accepts a platform tag only exactly; these cover the corpus's wheels (glibc 2.5 to 2.28).
const PLATFORMS: &[&str] = &[
    "manylinux_2_28_x86_64",
    "manylinux_2_26_x86_64",
    "manylinux2014_x86_64",
    "manylinux_2_17_x86_64",
    "manylinux2010_x86_64",
    "manylinux1_x86_64",
];

const FETCH_TIMEOUT: Duration = Duration::from_secs(600);

/// Where wheels are kept: outside any checkout (like root filesystems), so a fresh clone and
/// `cargo clean` keep them; `ABI_HARNESS_WHEEL_CACHE` overrides.
pub fn default_cache() -> PathBuf {
    crate::user_cache_dir("ABI_HARNESS_WHEEL_CACHE", "wheels")
}

pub(crate) fn sha256_of(path: &Path) -> Result<String, std::io::Error> {
    let bytes = std::fs::read(path)?;
    Ok(crate::short_hex(&Sha256::digest(&bytes), 32))
}

/// How wheels are obtained.
pub(crate) struct Fetcher<'a> {
    pub cache: &'a Path,
    /// `None`: offline, the cache only.
    pub pip: Option<&'a Path>,
}

impl Fetcher<'_> {
    fn io(&self, path: &Path) -> impl Fn(std::io::Error) -> WheelsError {
        let path = path.to_owned();
        move |source| WheelsError::Cache { path: path.clone(), source }
    }

    /// The wheel file of a spec: a local file as it is, a corpus wheel from the cache (fetched
    /// now if it is missing and pip is at hand), its hash checked.
    pub fn wheel(&self, spec: &WheelSpec) -> Result<PathBuf, WheelsError> {
        if let Some(local) = &spec.local {
            return Ok(local.clone());
        }
        let Some(sha256) = &spec.sha256 else {
            return Err(WheelsError::Missing { file: spec.file.clone(), hint: "no sha256 pinned".into() });
        };
        let path = self.cache.join("sha256").join(sha256).join(&spec.file);
        if path.is_file() {
            // Checked on every use: a cache edited or damaged on disk is caught, not trusted.
            let actual = sha256_of(&path).map_err(self.io(&path))?;
            if &actual != sha256 {
                return Err(WheelsError::HashMismatch {
                    file: path.display().to_string(),
                    expected: sha256.clone(),
                    actual,
                });
            }
            return Ok(path);
        }
        let Some(pip) = self.pip else {
            return Err(WheelsError::Missing {
                file: spec.file.clone(),
                hint: format!("not in the cache {} and running offline", self.cache.display()),
            });
        };
        let requirement = format!("{}=={}", spec.package, spec.version);
        let abis = ["abi3".to_owned()];
        // Exactly the file's own platform tags: given a wider list, pip picks the newest
        // manylinux build of the release, which may be another file than the pinned one.
        let platforms: Vec<&str> =
            spec.file.trim_end_matches(".whl").rsplit('-').next().unwrap_or("").split('.').collect();
        let (scratch, fetched) = self.download(pip, &requirement, spec.limited_api, &abis, &platforms)?;
        let result = (|| {
            let got =
                fetched.iter().find(|p| p.file_name().is_some_and(|n| n == spec.file.as_str())).ok_or_else(|| {
                    WheelsError::Missing {
                        file: spec.file.clone(),
                        hint: format!(
                            "pip fetched {:?} for {requirement}, not this file",
                            fetched.iter().filter_map(|p| p.file_name()).collect::<Vec<_>>()
                        ),
                    }
                })?;
            let actual = sha256_of(got).map_err(self.io(got))?;
            if &actual != sha256 {
                return Err(WheelsError::HashMismatch { file: spec.file.clone(), expected: sha256.clone(), actual });
            }
            self.keep(got, &actual)
        })();
        let _ = std::fs::remove_dir_all(&scratch);
        result
    }

    /// A dependency's wheel for interpreters of `minor`: from the cache's record of an earlier
    /// fetch, or fetched now (the newest release pip picks for that version).
    pub fn dependency(&self, requirement: &str, minor: PyVersion) -> Result<PathBuf, WheelsError> {
        let key = crate::short_hex(&Sha256::digest(requirement.as_bytes()), 8);
        let tag = format!("cp3{}", minor.minor);
        let record = self.cache.join("deps").join(&tag).join(format!("{key}.txt"));
        if let Ok(text) = std::fs::read_to_string(&record) {
            if let Some((sha, file)) = text.trim().split_once(' ') {
                let path = self.cache.join("sha256").join(sha).join(file);
                if path.is_file() {
                    return Ok(path);
                }
            }
        }
        let Some(pip) = self.pip else {
            return Err(WheelsError::Missing {
                file: format!("{requirement} (for {tag})"),
                hint: format!("no dependency wheel in the cache {} and running offline", self.cache.display()),
            });
        };
        // 3.6 and 3.7 name their ABI with the pymalloc `m`.
        let own = if minor < PyVersion::new(3, 8) { format!("{tag}m") } else { tag.clone() };
        let abis = [own, "abi3".to_owned(), "none".to_owned()];
        let (scratch, fetched) = self.download(pip, requirement, minor, &abis, PLATFORMS)?;
        let result = (|| {
            let got = fetched.first().ok_or_else(|| WheelsError::Missing {
                file: format!("{requirement} (for {tag})"),
                hint: "pip fetched nothing".into(),
            })?;
            let sha = sha256_of(got).map_err(self.io(got))?;
            let kept = self.keep(got, &sha)?;
            let name = got.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            std::fs::create_dir_all(record.parent().unwrap_or(self.cache)).map_err(self.io(&record))?;
            crate::write_atomically(&record, format!("{sha} {name}\n").as_bytes()).map_err(self.io(&record))?;
            Ok(kept)
        })();
        let _ = std::fs::remove_dir_all(&scratch);
        result
    }

    /// Runs pip into a fresh scratch folder in the cache; returns the folder and its wheels.
    fn download(
        &self,
        pip: &Path,
        requirement: &str,
        minor: PyVersion,
        abis: &[String],
        platforms: &[&str],
    ) -> Result<(PathBuf, Vec<PathBuf>), WheelsError> {
        let scratch = self.cache.join(format!("tmp-{}-{}", std::process::id(), process::unique()));
        std::fs::create_dir_all(&scratch).map_err(self.io(&scratch))?;
        let mut command = CommandLine::new(pip)
            .args(["-m", "pip", "download", "--quiet", "--disable-pip-version-check"])
            .args(["--only-binary", ":all:", "--no-deps", "--implementation", "cp"])
            .args(["--python-version", &minor.to_string()])
            .args(["-d", &scratch.display().to_string()]);
        for platform in platforms {
            command = command.args(["--platform", platform]);
        }
        for abi in abis {
            command = command.args(["--abi", abi]);
        }
        let command = command.arg(requirement);
        if let Err(source) = process::run_ok(&command, FETCH_TIMEOUT) {
            let _ = std::fs::remove_dir_all(&scratch);
            return Err(WheelsError::Fetch { requirement: requirement.to_owned(), source: Box::new(source) });
        }
        let mut wheels: Vec<PathBuf> = std::fs::read_dir(&scratch)
            .map_err(self.io(&scratch))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "whl"))
            .collect();
        wheels.sort();
        Ok((scratch, wheels))
    }

    /// Moves a checked download to its content address.
    fn keep(&self, got: &Path, sha: &str) -> Result<PathBuf, WheelsError> {
        let name = got.file_name().unwrap_or_default();
        let dir = self.cache.join("sha256").join(sha);
        let path = dir.join(name);
        std::fs::create_dir_all(&dir).map_err(self.io(&dir))?;
        if let Err(err) = std::fs::rename(got, &path) {
            // Another run kept the same content meanwhile: fine, content-addressed.
            if !path.is_file() {
                return Err(self.io(&path)(err));
            }
        }
        Ok(path)
    }
}
