//! `matrix.toml`: the one source of truth for which interpreters run and which probes are built.
//!
//! Parsed in passes: TOML into raw serde structs (unknown keys rejected), then validation into
//! [`Matrix`] with the file, line and key in every error. No IO but reading the file.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use crate::manifest::line_of;
use crate::version::PyVersion;

/// A validated matrix.
#[derive(Clone, Debug)]
pub struct Matrix {
    pub origin: String,
    pub interpreters: Vec<InterpreterSource>,
    pub builds: BuildSelection,
    pub settings: Settings,
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
    interpreters: Vec<Spanned<RawInterpreter>>,
    builds: Option<RawBuilds>,
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
    executable: Option<String>,
    discover: Option<Spanned<String>>,
    versions: Option<Vec<Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBuilds {
    limited_api: Spanned<toml::Value>,
}

impl Matrix {
    pub fn read(path: &Path) -> Result<Matrix, MatrixError> {
        let text = std::fs::read_to_string(path).map_err(|source| MatrixError::Read { path: path.to_owned(), source })?;
        Matrix::parse(&text, &path.display().to_string())
    }

    pub fn parse(text: &str, origin: &str) -> Result<Matrix, MatrixError> {
        let invalid = |offset: usize, message: String| MatrixError::Invalid { origin: origin.to_owned(), line: line_of(text, offset), message };
        let raw: RawMatrix = toml::from_str(text).map_err(|err| invalid(err.span().map_or(0, |s| s.start), err.message().to_owned()))?;
        let version = |spanned: &Spanned<String>, key: &str| {
            spanned.get_ref().parse::<PyVersion>().map_err(|err| invalid(spanned.span().start, format!("`{key}`: {err}")))
        };

        let mut interpreters = Vec::new();
        for item in &raw.interpreters {
            let start = item.span().start;
            let raw = item.get_ref();
            let versions = raw
                .versions
                .iter()
                .flatten()
                .map(|v| version(v, "interpreters.versions"))
                .collect::<Result<Vec<_>, _>>()?;
            let source = match (&raw.executable, &raw.discover) {
                (Some(exe), None) if raw.versions.is_none() => InterpreterSource::Executable(PathBuf::from(exe)),
                (Some(_), None) => return Err(invalid(start, "`interpreters.versions` goes with `discover`, not `executable`".into())),
                (None, Some(how)) => match how.get_ref().as_str() {
                    "pyenv" => InterpreterSource::Pyenv { versions },
                    "path" => InterpreterSource::Path { versions },
                    other => return Err(invalid(how.span().start, format!("`interpreters.discover`: `{other}` is not one of pyenv, path"))),
                },
                (Some(_), Some(_)) => return Err(invalid(start, "an interpreter has either `executable` or `discover`, not both".into())),
                (None, None) => return Err(invalid(start, "an interpreter needs `executable = \"...\"` or `discover = \"pyenv\"`".into())),
            };
            interpreters.push(source);
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
                            let text = item.as_str().ok_or_else(|| invalid(start, "`builds.limited_api`: expected \"auto\" or a list of versions like [\"3.6\"]".into()))?;
                            versions.push(text.parse::<PyVersion>().map_err(|err| invalid(start, format!("`builds.limited_api`: {err}")))?);
                        }
                        BuildSelection::Versions(versions)
                    }
                    _ => return Err(invalid(start, "`builds.limited_api`: expected \"auto\" or a list of versions like [\"3.6\"]".into())),
                }
            }
        };

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
        Ok(Matrix { origin: origin.to_owned(), interpreters, builds, settings })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_default_matrix() {
        let matrix = Matrix::parse(include_str!("../../matrix.toml"), "matrix.toml").unwrap();
        assert!(matches!(&matrix.interpreters[0], InterpreterSource::Pyenv { versions } if versions.len() == 8));
        assert_eq!(matrix.builds, BuildSelection::Auto);
    }

    #[test]
    fn errors_name_line_and_key() {
        let err = Matrix::parse("[[interpreters]]\ndiscover = \"pyenv\"\nversions = [\"3.6\", \"x\"]\n", "m.toml").unwrap_err();
        assert_eq!(err.to_string(), "m.toml:3: `interpreters.versions`: `x` is not a Python version of the form MAJOR.MINOR (for example 3.12)");
        let err = Matrix::parse("[[interpreters]]\ndiscover = \"conda\"\n", "m.toml").unwrap_err();
        assert!(err.to_string().starts_with("m.toml:2: `interpreters.discover`"), "{err}");
        let err = Matrix::parse("[[interpreters]]\nexecutable = \"python3\"\nflavour = 1\n", "m.toml").unwrap_err();
        assert!(err.to_string().starts_with("m.toml:3: unknown field `flavour`"), "{err}");
        let err = Matrix::parse("[[interpreters]\n", "m.toml").unwrap_err();
        assert!(err.to_string().starts_with("m.toml:1:"), "{err}");
    }
}
