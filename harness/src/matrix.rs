//! `matrix.toml`: the one source of truth for which interpreters run and which probes are built.
//!
//! Parsed in passes: TOML into raw serde structs (unknown keys rejected), then validation into
//! [`Matrix`] with the file, line and key in every error. No IO but reading the file.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use crate::arch::Arch;
use crate::manifest::line_of;
use crate::platform::{DEFAULT_MIRROR, DebianSpec};
use crate::variant::{Compiler, Language, Target, Variant};
use crate::version::PyVersion;

/// A validated matrix.
#[derive(Clone, Debug)]
pub struct Matrix {
    pub origin: String,
    /// Debian root filesystems, by name; interpreters name them in `platform`.
    pub platforms: Vec<DebianSpec>,
    pub interpreters: Vec<InterpreterDecl>,
    pub builds: BuildSelection,
    /// Builds with newer headers than their limited-API version.
    pub newer_header_builds: Vec<NewerHeaders>,
    /// Also build with every debug interpreter's own headers (for reference-leak checks).
    pub debug_header_builds: bool,
    /// Builds made another way than the default (`[[builds.variants]]`).
    pub variant_builds: Vec<VariantBuilds>,
    pub settings: Settings,
}

/// One `[[builds.variants]]` table: the default builds of some limited-API versions made again
/// another way.
#[derive(Clone, Debug, PartialEq)]
pub struct VariantBuilds {
    pub limited_api: Vec<VersionPick>,
    pub variant: Variant,
    /// Its line in the matrix file, for errors found when the plan is made.
    pub line: usize,
}

/// A limited-API version named in a variant table: a version, or the oldest or newest build.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum VersionPick {
    Version(PyVersion),
    Oldest,
    Newest,
}

/// Interpreters of one platform (`None`: the host).
#[derive(Clone, Debug, PartialEq)]
pub struct InterpreterDecl {
    pub platform: Option<String>,
    pub source: InterpreterSource,
}

/// A build made with one version's headers for an older limited API, as extension authors with
/// new toolchains make them.
#[derive(Clone, Debug, PartialEq)]
pub struct NewerHeaders {
    pub headers: PyVersion,
    /// `None`: the oldest limited-API version among the builds.
    pub limited_api: Option<PyVersion>,
}

/// Where interpreters come from.
#[derive(Clone, Debug, PartialEq)]
pub enum InterpreterSource {
    /// A path or a command on PATH; may be a wrapper script.
    Executable(PathBuf),
    /// The pyenv versions folder (`$PYENV_ROOT/versions`, else `~/.pyenv/versions`); each listed
    /// version must be there.
    Pyenv { versions: Vec<PyVersion> },
    /// `python3.X` commands on PATH; each listed version must be there.
    Path { versions: Vec<PyVersion> },
}

/// Which limited-API versions get a probe build.
#[derive(Clone, Debug, PartialEq)]
pub enum BuildSelection {
    /// Every minor version among the interpreters that has headers.
    Auto,
    Versions(Vec<PyVersion>),
}

/// Knobs of a run; the command line may override them.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// Property cases per entry and cell.
    pub cases: u32,
    /// How long one case (one call into the probe) may take before the cell records a timeout.
    pub case_timeout: Duration,
    /// Base seed; each entry's seed derives from it, so runs are reproducible.
    pub seed: u64,
    /// Cells run at once; 0 means one per CPU.
    pub jobs: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { cases: 64, case_timeout: Duration::from_secs(10), seed: 0x5AB1_EAB1, jobs: 0 }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MatrixError {
    #[error("cannot read matrix {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{origin}:{line}: {message}")]
    Invalid { origin: String, line: usize, message: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMatrix {
    #[serde(default)]
    settings: Option<RawSettings>,
    #[serde(default)]
    platforms: Vec<Spanned<RawPlatform>>,
    #[serde(default)]
    interpreters: Vec<Spanned<RawInterpreter>>,
    builds: Option<RawBuilds>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlatform {
    name: Spanned<String>,
    /// The Debian suite: bullseye, bookworm, trixie, sid.
    debian: String,
    packages: Vec<String>,
    mirror: Option<String>,
    /// Debian's architecture name; the host's by default.
    arch: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    cases: Option<u32>,
    case_timeout_secs: Option<f64>,
    seed: Option<u64>,
    jobs: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInterpreter {
    platform: Option<Spanned<String>>,
    executable: Option<String>,
    executables: Option<Vec<String>>,
    discover: Option<Spanned<String>>,
    versions: Option<Vec<Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBuilds {
    limited_api: Spanned<toml::Value>,
    #[serde(default)]
    newer_headers: Vec<RawNewerHeaders>,
    #[serde(default)]
    debug_headers: bool,
    #[serde(default)]
    variants: Vec<Spanned<RawVariant>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVariant {
    limited_api: Vec<Spanned<String>>,
    target: Option<Spanned<String>>,
    ssize_t_clean: Option<bool>,
    language: Option<Spanned<String>>,
    compiler: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNewerHeaders {
    headers: Spanned<String>,
    limited_api: Spanned<String>,
}

impl Matrix {
    /// The matrix without its root filesystems: host interpreters only, and no builds that
    /// take headers from a platform's interpreters (what can run without root).
    pub fn host_only(mut self) -> Matrix {
        self.interpreters.retain(|d| d.platform.is_none());
        self.newer_header_builds.clear();
        self.debug_header_builds = false;
        self.variant_builds.clear();
        self
    }

    pub fn read(path: &Path) -> Result<Matrix, MatrixError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| MatrixError::Read { path: path.to_owned(), source })?;
        Matrix::parse(&text, &path.display().to_string())
    }

    pub fn parse(text: &str, origin: &str) -> Result<Matrix, MatrixError> {
        let invalid = |offset: usize, message: String| MatrixError::Invalid {
            origin: origin.to_owned(),
            line: line_of(text, offset),
            message,
        };
        let raw: RawMatrix =
            toml::from_str(text).map_err(|err| invalid(err.span().map_or(0, |s| s.start), err.message().to_owned()))?;
        let version = |spanned: &Spanned<String>, key: &str| {
            spanned
                .get_ref()
                .parse::<PyVersion>()
                .map_err(|err| invalid(spanned.span().start, format!("`{key}`: {err}")))
        };

        let mut platforms: Vec<DebianSpec> = Vec::new();
        for item in &raw.platforms {
            let raw = item.get_ref();
            let name = raw.name.get_ref().clone();
            if name == "host" || platforms.iter().any(|p| p.name == name) {
                return Err(invalid(raw.name.span().start, format!("`platforms.name`: `{name}` is already taken")));
            }
            if raw.packages.is_empty() {
                return Err(invalid(
                    item.span().start,
                    format!("platform `{name}`: `packages` lists the interpreters to install"),
                ));
            }
            let arch = match &raw.arch {
                None => Arch::host(),
                Some(arch) => Arch::parse(arch.get_ref()).ok_or_else(|| {
                    invalid(
                        arch.span().start,
                        format!(
                            "`platforms.arch`: `{}` is not one of {} (Debian's names; foreign ones need `apt-get install qemu-user-static binfmt-support` and the cross compiler `gcc-<triple>`, for example gcc-s390x-linux-gnu)",
                            arch.get_ref(),
                            Arch::ALL.map(Arch::name).join(", ")
                        ),
                    )
                })?,
            };
            platforms.push(DebianSpec {
                arch,
                name,
                suite: raw.debian.clone(),
                packages: raw.packages.clone(),
                mirror: raw.mirror.clone().unwrap_or_else(|| DEFAULT_MIRROR.to_owned()),
            });
        }

        let mut interpreters = Vec::new();
        for item in &raw.interpreters {
            let start = item.span().start;
            let raw = item.get_ref();
            let platform = match &raw.platform {
                None => None,
                Some(name) if name.get_ref() == "host" => None,
                Some(name) if platforms.iter().any(|p| &p.name == name.get_ref()) => Some(name.get_ref().clone()),
                Some(name) => {
                    return Err(invalid(
                        name.span().start,
                        format!("`interpreters.platform`: no platform named `{}` in `[[platforms]]`", name.get_ref()),
                    ));
                }
            };
            let versions = raw
                .versions
                .iter()
                .flatten()
                .map(|v| version(v, "interpreters.versions"))
                .collect::<Result<Vec<_>, _>>()?;
            let mut executables: Vec<String> = raw.executable.iter().cloned().collect();
            executables.extend(raw.executables.iter().flatten().cloned());
            let sources = match (executables.is_empty(), &raw.discover) {
                (false, None) if raw.versions.is_none() => {
                    executables.into_iter().map(|exe| InterpreterSource::Executable(PathBuf::from(exe))).collect()
                }
                (false, None) => {
                    return Err(invalid(
                        start,
                        "`interpreters.versions` goes with `discover`, not `executable`".into(),
                    ));
                }
                (true, Some(how)) => match how.get_ref().as_str() {
                    "pyenv" if platform.is_none() => vec![InterpreterSource::Pyenv { versions }],
                    "path" if platform.is_none() => vec![InterpreterSource::Path { versions }],
                    "pyenv" | "path" => {
                        return Err(invalid(
                            how.span().start,
                            "`interpreters.discover` works on the host only; list a platform's `executables`".into(),
                        ));
                    }
                    other => {
                        return Err(invalid(
                            how.span().start,
                            format!("`interpreters.discover`: `{other}` is not one of pyenv, path"),
                        ));
                    }
                },
                (false, Some(_)) => {
                    return Err(invalid(
                        start,
                        "an interpreter has either `executable(s)` or `discover`, not both".into(),
                    ));
                }
                (true, None) => {
                    return Err(invalid(
                        start,
                        "an interpreter needs `executable = \"...\"`, `executables = [...]` or `discover = \"pyenv\"`"
                            .into(),
                    ));
                }
            };
            interpreters
                .extend(sources.into_iter().map(|source| InterpreterDecl { platform: platform.clone(), source }));
        }

        let builds = match &raw.builds {
            None => BuildSelection::Auto,
            Some(builds) => {
                let start = builds.limited_api.span().start;
                match builds.limited_api.get_ref() {
                    toml::Value::String(s) if s == "auto" => BuildSelection::Auto,
                    toml::Value::Array(items) => {
                        let mut versions = Vec::new();
                        for item in items {
                            let text = item.as_str().ok_or_else(|| {
                                invalid(
                                    start,
                                    "`builds.limited_api`: expected \"auto\" or a list of versions like [\"3.6\"]"
                                        .into(),
                                )
                            })?;
                            versions.push(
                                text.parse::<PyVersion>()
                                    .map_err(|err| invalid(start, format!("`builds.limited_api`: {err}")))?,
                            );
                        }
                        BuildSelection::Versions(versions)
                    }
                    _ => {
                        return Err(invalid(
                            start,
                            "`builds.limited_api`: expected \"auto\" or a list of versions like [\"3.6\"]".into(),
                        ));
                    }
                }
            }
        };

        let mut newer_header_builds = Vec::new();
        for extra in raw.builds.iter().flat_map(|b| &b.newer_headers) {
            let headers = version(&extra.headers, "builds.newer_headers.headers")?;
            let limited_api = match extra.limited_api.get_ref().as_str() {
                "oldest" => None,
                _ => Some(version(&extra.limited_api, "builds.newer_headers.limited_api")?),
            };
            newer_header_builds.push(NewerHeaders { headers, limited_api });
        }

        let mut variant_builds = Vec::new();
        for item in raw.builds.iter().flat_map(|b| &b.variants) {
            let raw_variant = item.get_ref();
            let choose = |value: &Option<Spanned<String>>, key: &str, choices: &[&str]| -> Result<usize, MatrixError> {
                let Some(value) = value else { return Ok(0) };
                choices.iter().position(|c| c == value.get_ref()).ok_or_else(|| {
                    invalid(
                        value.span().start,
                        format!("`builds.variants.{key}`: `{}` is not one of {}", value.get_ref(), choices.join(", ")),
                    )
                })
            };
            let variant = Variant {
                target: [Target::Abi3, Target::Abi3t][choose(&raw_variant.target, "target", &["abi3", "abi3t"])?],
                ssize_t_clean: raw_variant.ssize_t_clean.unwrap_or(true),
                language: [Language::C, Language::Cxx][choose(&raw_variant.language, "language", &["c", "c++"])?],
                compiler: [Compiler::Gcc, Compiler::Clang]
                    [choose(&raw_variant.compiler, "compiler", &["gcc", "clang"])?],
            };
            if variant.is_default() {
                return Err(invalid(
                    item.span().start,
                    "`builds.variants`: this variant is the default build (C, gcc, abi3, PY_SSIZE_T_CLEAN); say what differs: `target`, `ssize_t_clean`, `language` or `compiler`".into(),
                ));
            }
            if raw_variant.limited_api.is_empty() {
                return Err(invalid(
                    item.span().start,
                    "`builds.variants.limited_api`: list the versions to build this way (\"3.6\", \"oldest\", \"newest\")".into(),
                ));
            }
            let limited_api = raw_variant
                .limited_api
                .iter()
                .map(|pick| match pick.get_ref().as_str() {
                    "oldest" => Ok(VersionPick::Oldest),
                    "newest" => Ok(VersionPick::Newest),
                    _ => version(pick, "builds.variants.limited_api").map(VersionPick::Version),
                })
                .collect::<Result<Vec<_>, _>>()?;
            variant_builds.push(VariantBuilds { limited_api, variant, line: line_of(text, item.span().start) });
        }

        let mut settings = Settings::default();
        if let Some(raw) = &raw.settings {
            settings.cases = raw.cases.unwrap_or(settings.cases);
            settings.seed = raw.seed.unwrap_or(settings.seed);
            settings.jobs = raw.jobs.unwrap_or(settings.jobs);
            if let Some(secs) = raw.case_timeout_secs {
                if !(secs.is_finite() && secs > 0.0) {
                    return Err(invalid(0, "`settings.case_timeout_secs` must be a positive number of seconds".into()));
                }
                settings.case_timeout = Duration::from_secs_f64(secs);
            }
        }
        if interpreters.is_empty() {
            return Err(invalid(0, "no interpreters: add an `[[interpreters]]` table".into()));
        }
        let debug_header_builds = raw.builds.as_ref().is_some_and(|b| b.debug_headers);
        Ok(Matrix {
            origin: origin.to_owned(),
            platforms,
            interpreters,
            builds,
            newer_header_builds,
            debug_header_builds,
            variant_builds,
            settings,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_default_matrix() {
        let matrix = Matrix::parse(include_str!("../../matrix.toml"), "matrix.toml").unwrap();
        assert!(matches!(&matrix.interpreters[0].source, InterpreterSource::Pyenv { versions } if versions.len() == 8));
        assert_eq!(matrix.builds, BuildSelection::Auto);
        assert_eq!(matrix.platforms.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["sid", "bullseye"]);
        assert!(matrix.interpreters.iter().any(|i| i.platform.as_deref() == Some("bullseye")));
        assert_eq!(matrix.newer_header_builds, [NewerHeaders { headers: PyVersion::new(3, 15), limited_api: None }]);
        assert!(matrix.platforms.iter().all(|p| p.arch == Arch::host()), "no `arch`: the host's");
        let variants: Vec<String> = matrix.variant_builds.iter().map(|v| v.variant.to_string()).collect();
        assert_eq!(variants, ["no-clean", "abi3t", "c++", "clang"], "the default matrix's build variants");
    }

    #[test]
    fn parses_the_architectures_matrix() {
        let matrix = Matrix::parse(include_str!("../../matrix-arch.toml"), "matrix-arch.toml").unwrap();
        let arches: Vec<Arch> = matrix.platforms.iter().map(|p| p.arch).collect();
        assert_eq!(arches, [Arch::I386, Arch::Arm64, Arch::S390x]);
    }

    #[test]
    fn errors_name_line_and_key() {
        let err = Matrix::parse("[[interpreters]]\ndiscover = \"pyenv\"\nversions = [\"3.6\", \"x\"]\n", "m.toml")
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "m.toml:3: `interpreters.versions`: `x` is not a Python version of the form MAJOR.MINOR (for example 3.12)"
        );
        let err = Matrix::parse("[[interpreters]]\ndiscover = \"conda\"\n", "m.toml").unwrap_err();
        assert!(err.to_string().starts_with("m.toml:2: `interpreters.discover`"), "{err}");
        let err = Matrix::parse("[[interpreters]]\nexecutable = \"python3\"\nflavour = 1\n", "m.toml").unwrap_err();
        assert!(err.to_string().starts_with("m.toml:3: unknown field `flavour`"), "{err}");
        let err =
            Matrix::parse("[[interpreters]]\nplatform = \"jessie\"\nexecutable = \"/usr/bin/python3\"\n", "m.toml")
                .unwrap_err();
        assert!(err.to_string().starts_with("m.toml:2: `interpreters.platform`: no platform named `jessie`"), "{err}");
        let err = Matrix::parse(
            "[[platforms]]\nname = \"sid-arm\"\ndebian = \"sid\"\npackages = [\"python3.13\"]\narch = \"armhf\"\n",
            "m.toml",
        )
        .unwrap_err();
        assert!(err.to_string().starts_with("m.toml:5: `platforms.arch`: `armhf` is not one of amd64, i386"), "{err}");
        let variant = |body: &str| {
            Matrix::parse(
                &format!(
                    "[[interpreters]]\ndiscover = \"pyenv\"\n\n[builds]\nlimited_api = \"auto\"\n\n[[builds.variants]]\n{body}"
                ),
                "m.toml",
            )
        };
        let err = variant("limited_api = [\"3.6\"]\ncompiler = \"icc\"\n").unwrap_err();
        assert!(
            err.to_string().starts_with("m.toml:9: `builds.variants.compiler`: `icc` is not one of gcc, clang"),
            "{err}"
        );
        let err = variant("limited_api = [\"3.6\"]\nssize_t_clean = true\n").unwrap_err();
        assert!(err.to_string().contains("this variant is the default build"), "{err}");
        let parsed = variant("limited_api = [\"oldest\", \"3.9\"]\nlanguage = \"c++\"\n").unwrap();
        assert_eq!(
            parsed.variant_builds[0].limited_api,
            [VersionPick::Oldest, VersionPick::Version(PyVersion::new(3, 9))]
        );
        let err = Matrix::parse("[[interpreters]\n", "m.toml").unwrap_err();
        assert!(err.to_string().starts_with("m.toml:1:"), "{err}");
    }
}
