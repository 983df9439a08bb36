//! The wheel corpus (`wheels.toml`) and wheel file names: which real abi3 wheels are checked,
//! pinned by file name and SHA-256, and what a file name promises (limited-API tag, platform).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::version::PyVersion;
use crate::wheels::WheelsError;

/// One wheel to check: from the corpus (fetched from PyPI) or given as a local file.
#[derive(Clone, Debug, PartialEq)]
pub struct WheelSpec {
    pub package: String,
    pub version: String,
    /// The wheel's file name on PyPI (or the local file's name).
    pub file: String,
    /// Pinned in the corpus; computed for a local wheel.
    pub sha256: Option<String>,
    /// The oldest limited API the wheel claims (its `cp3X` tag).
    pub limited_api: PyVersion,
    pub toolchain: String,
    pub evidence: String,
    /// The smoke script (host path); `None`: importing the extensions is the smoke test.
    pub smoke: Option<PathBuf>,
    /// Requirements the smoke script needs, fetched per interpreter (`cffi>=1.0.1`).
    pub requires: Vec<String>,
    /// A local wheel's path: never fetched.
    pub local: Option<PathBuf>,
}

impl WheelSpec {
    /// The report's build id: `wheel:bcrypt-5.0.0`.
    pub fn id(&self) -> String {
        format!("wheel:{}-{}", self.package, self.version)
    }

    /// A local abi3 wheel (`--wheel PATH`), checked with `import` as its smoke test.
    pub fn local(path: &Path) -> Result<WheelSpec, WheelsError> {
        let file = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| WheelsError::BadName { file: path.display().to_string(), why: "no file name" })?;
        let name = WheelName::parse(&file)?;
        if !path.is_file() {
            return Err(WheelsError::Missing { file, hint: format!("no such file: {}", path.display()) });
        }
        Ok(WheelSpec {
            package: name.distribution.clone(),
            version: name.version.clone(),
            limited_api: name.limited_api,
            file,
            sha256: None,
            toolchain: "unknown (local wheel)".into(),
            evidence: format!("local file {}", path.display()),
            smoke: None,
            requires: Vec::new(),
            local: Some(path.to_owned()),
        })
    }
}

/// What a wheel file name says (PEP 427 with compressed tag sets).
#[derive(Clone, Debug, PartialEq)]
pub struct WheelName {
    pub distribution: String,
    pub version: String,
    /// The oldest `cp3X` among the Python tags.
    pub limited_api: PyVersion,
    /// The newest glibc the platform tags require at least (`manylinux_2_17` → 2.17), the
    /// lowest among alternatives.
    pub glibc: (u32, u32),
}

impl WheelName {
    /// Parses and validates a name: an abi3 wheel for Linux x86_64 (glibc), or an error naming it.
    pub fn parse(file: &str) -> Result<WheelName, WheelsError> {
        let bad = |why| WheelsError::BadName { file: file.to_owned(), why };
        let stem = file.strip_suffix(".whl").ok_or_else(|| bad("not a .whl file"))?;
        let parts: Vec<&str> = stem.split('-').collect();
        if parts.len() != 5 && parts.len() != 6 {
            return Err(bad("not NAME-VERSION[-BUILD]-PYTHON-ABI-PLATFORM.whl"));
        }
        let (python, abi, platform) = (parts[parts.len() - 3], parts[parts.len() - 2], parts[parts.len() - 1]);
        if !abi.split('.').any(|a| a == "abi3") {
            return Err(WheelsError::NotAbi3 { file: file.to_owned(), abi: abi.to_owned() });
        }
        let limited_api = python
            .split('.')
            .filter_map(|tag| tag.strip_prefix("cp3"))
            .filter_map(|minor| minor.parse::<u8>().ok())
            .map(|minor| PyVersion::new(3, minor))
            .min()
            .ok_or_else(|| bad("no cp3X python tag: the limited-API version is unknown"))?;
        let glibc = platform
            .split('.')
            .filter_map(manylinux_glibc)
            .min()
            .ok_or_else(|| WheelsError::WrongPlatform { file: file.to_owned(), platform: platform.to_owned() })?;
        Ok(WheelName { distribution: parts[0].to_owned(), version: parts[1].to_owned(), limited_api, glibc })
    }
}

/// The glibc a Linux x86_64 platform tag requires; `None` for other platforms.
fn manylinux_glibc(tag: &str) -> Option<(u32, u32)> {
    let arch = tag.strip_suffix("_x86_64")?;
    match arch {
        "manylinux1" => Some((2, 5)),
        "manylinux2010" => Some((2, 12)),
        "manylinux2014" => Some((2, 17)),
        // A plain `linux` tag is a local build: it promises nothing, so assume the host's C library.
        "linux" => Some((2, 0)),
        _ => {
            let (major, minor) = arch.strip_prefix("manylinux_")?.split_once('_')?;
            Some((major.parse().ok()?, minor.parse().ok()?))
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCorpus {
    wheel: Vec<RawWheel>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWheel {
    package: String,
    version: String,
    file: String,
    sha256: String,
    limited_api: String,
    toolchain: String,
    evidence: String,
    smoke: String,
    #[serde(default)]
    requires: Vec<String>,
}

/// The corpus file: every wheel, validated (name, tag and pin agree; smoke scripts exist).
#[derive(Clone, Debug)]
pub struct Corpus {
    pub origin: String,
    pub wheels: Vec<WheelSpec>,
}

impl Corpus {
    pub fn read(path: &Path) -> Result<Corpus, WheelsError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| WheelsError::ReadCorpus { path: path.to_owned(), source })?;
        Corpus::parse(&text, path)
    }

    /// Parses corpus text; smoke scripts are relative to the corpus file's folder.
    pub fn parse(text: &str, path: &Path) -> Result<Corpus, WheelsError> {
        let origin = path.display().to_string();
        let raw: RawCorpus = toml::from_str(text)
            .map_err(|err| WheelsError::Corpus { origin: origin.clone(), message: err.to_string() })?;
        let base = path.parent().unwrap_or(Path::new("."));
        let mut wheels = Vec::new();
        for raw in raw.wheel {
            let invalid = |message: String| WheelsError::Corpus {
                origin: origin.clone(),
                message: format!("wheel `{}`: {message}", raw.package),
            };
            let name = WheelName::parse(&raw.file)?;
            let limited_api: PyVersion = raw
                .limited_api
                .parse()
                .map_err(|_| invalid(format!("limited_api `{}` is not a version like \"3.9\"", raw.limited_api)))?;
            if limited_api != name.limited_api {
                return Err(invalid(format!(
                    "limited_api {limited_api} disagrees with the file name's tag cp3{}",
                    name.limited_api.minor
                )));
            }
            if name.version != raw.version {
                return Err(invalid(format!("version {} disagrees with the file name", raw.version)));
            }
            if raw.sha256.len() != 64 || !raw.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(invalid("sha256 is not 64 hex digits".into()));
            }
            let smoke = base.join(&raw.smoke);
            if !smoke.is_file() {
                return Err(invalid(format!("smoke script {} does not exist", smoke.display())));
            }
            if wheels.iter().any(|w: &WheelSpec| w.package == raw.package) {
                return Err(invalid("listed twice".into()));
            }
            wheels.push(WheelSpec {
                package: raw.package,
                version: raw.version,
                file: raw.file,
                sha256: Some(raw.sha256.to_ascii_lowercase()),
                limited_api,
                toolchain: raw.toolchain,
                evidence: raw.evidence,
                smoke: Some(smoke),
                requires: raw.requires,
                local: None,
            });
        }
        Ok(Corpus { origin, wheels })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tags_from_names() {
        let name = WheelName::parse("bcrypt-5.0.0-cp39-abi3-manylinux2014_x86_64.manylinux_2_17_x86_64.whl").unwrap();
        assert_eq!(name.limited_api, PyVersion::new(3, 9));
        assert_eq!(name.glibc, (2, 17));
        assert_eq!(name.distribution, "bcrypt");
        let name = WheelName::parse("pyzmq-27.3.0-cp312-abi3-manylinux_2_26_x86_64.manylinux_2_28_x86_64.whl").unwrap();
        assert_eq!((name.limited_api, name.glibc), (PyVersion::new(3, 12), (2, 26)));
    }

    #[test]
    fn refuses_what_is_not_an_abi3_linux_wheel() {
        let not_abi3 = WheelName::parse("orjson-3.10.0-cp312-cp312-manylinux_2_17_x86_64.whl").unwrap_err();
        assert!(matches!(not_abi3, WheelsError::NotAbi3 { .. }), "{not_abi3}");
        let mac = WheelName::parse("bcrypt-5.0.0-cp39-abi3-macosx_10_12_universal2.whl").unwrap_err();
        assert!(matches!(mac, WheelsError::WrongPlatform { .. }), "{mac}");
        assert!(mac.to_string().contains("bcrypt-5.0.0-cp39-abi3-macosx_10_12_universal2.whl"));
        let arm = WheelName::parse("bcrypt-5.0.0-cp39-abi3-manylinux_2_17_aarch64.whl").unwrap_err();
        assert!(matches!(arm, WheelsError::WrongPlatform { .. }));
        assert!(matches!(WheelName::parse("bcrypt.tar.gz"), Err(WheelsError::BadName { .. })));
    }
}
