//! The plan of a run, made once: which probe builds to make, which cells to run (and which of
//! them carries each interpreter's presence check), which header sets the static check reads,
//! and which part a shard runs. Pure: the matrix and interpreters' facts in, the plan out.

use crate::arch::Arch;
use crate::build::BuildSpec;
use crate::headers::HeaderSet;
use crate::interpreter::Interpreter;
use crate::key::{CellKey, Shard};
use crate::matrix::{BuildSelection, Matrix, NewerHeaders, VariantBuilds, VersionPick};
use crate::outcome::Check;
use crate::variant::{Compiler, Language, Loading, Variant};
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
    #[error(
        "no default build is at or below the given interpreters' versions (the oldest build is limited API {oldest})"
    )]
    NothingToCheck { oldest: PyVersion },
    #[error("{origin}:{line}: `builds.variants`: {message}")]
    Variant { origin: String, line: usize, message: String },
}

/// A run's plan: the builds, the cells of the whole plan (a shard runs a part, but its report
/// lists them all), the header sets of the static check, the checks asked for.
#[derive(Debug)]
pub struct Plan {
    pub interpreters: Vec<Interpreter>,
    pub builds: Vec<BuildSpec>,
    pub cells: Vec<PlannedCell>,
    pub header_sets: Vec<HeaderSet>,
    pub checks: Vec<Check>,
    pub shard: Option<Shard>,
    /// What the plan left out and why, for the console.
    pub notes: Vec<String>,
}

/// One build in one interpreter.
#[derive(Clone, Debug, PartialEq)]
pub struct PlannedCell {
    pub key: CellKey,
    /// Indices into `Plan::builds` and `Plan::interpreters`.
    pub build: usize,
    pub interpreter: usize,
    /// This cell runs its interpreter's presence check (see [`presence_carrier`]).
    pub carries_presence: bool,
}

impl Plan {
    /// The plan of these builds on these interpreters. Only the static check asked for: no
    /// build, no cell. Presence (and static) only: only the cells that carry presence, and
    /// their builds.
    pub fn new(
        mut builds: Vec<BuildSpec>,
        interpreters: Vec<Interpreter>,
        header_sets: Vec<HeaderSet>,
        checks: Vec<Check>,
        shard: Option<Shard>,
    ) -> Plan {
        if checks.iter().all(|c| *c == Check::Static) {
            builds.clear();
        }
        let presence_only =
            checks.contains(&Check::Presence) && checks.iter().all(|c| matches!(c, Check::Presence | Check::Static));
        if presence_only {
            let mut carriers: Vec<usize> = interpreters.iter().filter_map(|i| presence_carrier(&builds, i)).collect();
            carriers.sort();
            carriers.dedup();
            builds = carriers.into_iter().map(|n| builds[n].clone()).collect();
        }
        let mut cells = Vec::new();
        for (b, build) in builds.iter().enumerate() {
            for (i, interpreter) in interpreters.iter().enumerate() {
                if !runs_in(build, interpreter) {
                    continue;
                }
                let carries_presence = presence_carrier(&builds, interpreter) == Some(b);
                if presence_only && !carries_presence {
                    continue;
                }
                let key = CellKey::new(&interpreter.platform, interpreter.executable.display().to_string(), build.id());
                cells.push(PlannedCell { key, build: b, interpreter: i, carries_presence });
            }
        }
        Plan { interpreters, builds, cells, header_sets, checks, shard, notes: Vec::new() }
    }

    /// The cells this run runs: the whole plan, or its shard's part.
    pub fn cells_here(&self) -> impl Iterator<Item = &PlannedCell> {
        self.cells.iter().filter(|cell| self.shard.is_none_or(|shard| shard.contains(&cell.key)))
    }

    /// The builds the cells here need, in plan order.
    pub fn builds_here(&self) -> Vec<usize> {
        let mut needed: Vec<usize> = self.cells_here().map(|c| c.build).collect();
        needed.sort();
        needed.dedup();
        needed
    }
}

/// The builds of a matrix: one per limited-API version, then those with newer headers, then
/// those with debug interpreters' own headers.
pub fn matrix_builds(matrix: &Matrix, interpreters: &[Interpreter]) -> Result<Vec<BuildSpec>, PlanError> {
    let mut specs = builds(&matrix.builds, interpreters)?;
    let newer = newer_header_builds(&matrix.newer_header_builds, &specs, interpreters)?;
    let variants = variant_builds(&matrix.variant_builds, &specs, &matrix.origin)?;
    specs.extend(newer);
    specs.extend(variants);
    if matrix.debug_header_builds {
        specs.extend(debug_header_builds(interpreters));
    }
    Ok(specs)
}

/// The builds that `abi-harness check` runs on `targets`: the matrix's, those at or below the
/// newest target's version, and those a target must refuse (an abi3t build for an interpreter
/// older than 3.15: its refusal cell).
pub fn check_builds(
    matrix: &Matrix,
    header_sources: &[Interpreter],
    targets: &[Interpreter],
) -> Result<Vec<BuildSpec>, PlanError> {
    let specs = matrix_builds(matrix, header_sources)?;
    let newest = targets.iter().map(|t| t.minor).max();
    let oldest = specs.iter().map(|s| s.limited_api).min();
    let specs: Vec<BuildSpec> =
        specs.into_iter().filter(|s| Some(s.limited_api) <= newest || targets.iter().any(|t| refuses(s, t))).collect();
    match (specs.is_empty(), oldest) {
        (true, Some(oldest)) => Err(PlanError::NothingToCheck { oldest }),
        (true, None) => Err(PlanError::NoHeadersAtAll),
        _ => Ok(specs),
    }
}

/// Whether the promise covers `build` in `interpreter`: the same architecture, and the
/// interpreter is at or above the build's version, or it must refuse the build's target
/// whatever the version (an abi3t build before 3.15, an abi3 build on a free-threaded
/// interpreter: a refusal cell, [`refuses`]). A debug-header build runs on debug interpreters
/// only: an extension built with `Py_DEBUG` headers is not meant to load in a release build.
fn runs_in(build: &BuildSpec, interpreter: &Interpreter) -> bool {
    build.arch() == interpreter.arch
        && (interpreter.minor >= build.limited_api || refuses(build, interpreter))
        && (!build.headers.debug || interpreter.debug)
}

/// The promise is that `interpreter` refuses `build`: its cell checks the refusal, nothing else.
pub fn refuses(build: &BuildSpec, interpreter: &Interpreter) -> bool {
    matches!(build.variant.target.loading(interpreter.minor, interpreter.free_threaded), Loading::Refused { .. })
}

/// Presence depends only on the interpreter, so one cell per interpreter carries it: the one
/// whose build is the newest release-header build at or below the interpreter's version
/// (ties: the build with its own version's headers, then the first). Decided from the builds
/// alone, so it holds for any subset of the cells (a `--entry` run, a shard).
pub fn presence_carrier(builds: &[BuildSpec], interpreter: &Interpreter) -> Option<usize> {
    builds
        .iter()
        .enumerate()
        .filter(|(_, b)| {
            !b.headers.debug
                && b.variant.is_default()
                && b.arch() == interpreter.arch
                && b.limited_api <= interpreter.minor
                && !refuses(b, interpreter)
        })
        .max_by_key(|(n, b)| (b.limited_api, b.headers.minor == b.limited_api, std::cmp::Reverse(*n)))
        .map(|(n, _)| n)
}

/// The architectures among `arches`, each once: the host's first, then the others in order.
fn host_first(arches: impl Iterator<Item = Arch>) -> Vec<Arch> {
    let mut arches: Vec<Arch> = arches.collect();
    arches.sort_by_key(|a| (*a != Arch::host(), *a));
    arches.dedup();
    arches
}

/// The builds a selection asks for, each with the headers of an interpreter of its version, per
/// architecture: every architecture among the interpreters gets its own builds, made with its
/// own interpreters' headers (a version listed in the selection is built for each architecture
/// that has an interpreter of it). The host's architecture first, then the others in order.
pub fn builds(selection: &BuildSelection, header_sources: &[Interpreter]) -> Result<Vec<BuildSpec>, PlanError> {
    let arches = host_first(header_sources.iter().map(|i| i.arch));
    let mut specs = Vec::new();
    for arch in &arches {
        let of_arch: Vec<Interpreter> = header_sources.iter().filter(|i| i.arch == *arch).cloned().collect();
        let selection = match selection {
            BuildSelection::Auto => BuildSelection::Auto,
            BuildSelection::Versions(versions) if arches.len() == 1 => BuildSelection::Versions(versions.clone()),
            BuildSelection::Versions(versions) => BuildSelection::Versions(
                versions.iter().copied().filter(|v| of_arch.iter().any(|i| i.minor == *v)).collect(),
            ),
        };
        specs.extend(builds_of_one_arch(&selection, &of_arch)?);
    }
    if let BuildSelection::Versions(versions) = selection {
        if let Some(missing) = versions.iter().find(|v| !specs.iter().any(|s| s.limited_api == **v)) {
            return Err(PlanError::NoInterpreterFor(*missing));
        }
    }
    if specs.is_empty() {
        return builds_of_one_arch(selection, header_sources);
    }
    Ok(specs)
}

fn builds_of_one_arch(selection: &BuildSelection, header_sources: &[Interpreter]) -> Result<Vec<BuildSpec>, PlanError> {
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
            Some(headers) => Ok(BuildSpec { limited_api, headers, variant: Variant::default() }),
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

/// The builds of `[[builds.variants]]`: for each architecture, its default build of each named
/// limited-API version (made with that version's own headers; `oldest` and `newest` among that
/// architecture's), made again the variant's way. C++ and clang are made for the host only:
/// the cross compilers here are C compilers, and clang's cross builds are not set up.
pub fn variant_builds(
    tables: &[VariantBuilds],
    builds: &[BuildSpec],
    origin: &str,
) -> Result<Vec<BuildSpec>, PlanError> {
    let arches = host_first(builds.iter().map(BuildSpec::arch));
    let mut specs: Vec<BuildSpec> = Vec::new();
    for table in tables {
        let error = |message: String| PlanError::Variant { origin: origin.to_owned(), line: table.line, message };
        let host_only = table.variant.language != Language::C || table.variant.compiler != Compiler::Gcc;
        for pick in &table.limited_api {
            let mut made = 0;
            let mut wanted = None;
            for arch in arches.iter().filter(|a| !host_only || **a == Arch::host()) {
                let own: Vec<&BuildSpec> = builds
                    .iter()
                    .filter(|b| b.arch() == *arch && b.variant.is_default() && b.headers.minor == b.limited_api)
                    .collect();
                let version = match pick {
                    VersionPick::Version(version) => Some(*version),
                    VersionPick::Oldest => own.iter().map(|b| b.limited_api).min(),
                    VersionPick::Newest => own.iter().map(|b| b.limited_api).max(),
                };
                wanted = wanted.or(version);
                let Some(base) = version.and_then(|v| own.iter().find(|b| b.limited_api == v)) else { continue };
                if let Some(why) = table.variant.unsupported(base.limited_api, base.headers.minor) {
                    return Err(error(why));
                }
                let spec = BuildSpec { variant: table.variant, ..(*base).clone() };
                if !specs.iter().any(|s| s.id() == spec.id()) {
                    specs.push(spec);
                }
                made += 1;
            }
            if made == 0 {
                let place = if host_only { "on this host (C++ and clang are host-only)" } else { "here" };
                return Err(error(match wanted {
                    Some(version) => format!(
                        "no limited-API {version} build {place} to make another way (add a {version} interpreter with headers)"
                    ),
                    None => format!("no build {place} to make another way"),
                }));
            }
        }
    }
    Ok(specs)
}

/// Builds with newer headers than their limited-API version; `oldest` is the oldest version
/// among `builds`.
pub fn newer_header_builds(
    extra: &[NewerHeaders],
    builds: &[BuildSpec],
    header_sources: &[Interpreter],
) -> Result<Vec<BuildSpec>, PlanError> {
    let arches = host_first(builds.iter().map(BuildSpec::arch));
    let mut specs = Vec::new();
    for wanted in extra {
        for arch in &arches {
            // Each architecture's own oldest version, with that architecture's headers.
            let oldest = builds.iter().filter(|b| b.arch() == *arch).map(|b| b.limited_api).min();
            let limited_api = match wanted.limited_api.or(oldest) {
                Some(version) => version,
                None => continue,
            };
            let of_arch: Vec<Interpreter> = header_sources.iter().filter(|i| i.arch == *arch).cloned().collect();
            if arches.len() > 1 && !of_arch.iter().any(|i| i.minor == wanted.headers) {
                continue;
            }
            let selection = BuildSelection::Versions(vec![wanted.headers]);
            for spec in builds_of_one_arch(&selection, &of_arch)? {
                specs.push(BuildSpec { limited_api, headers: spec.headers, variant: Variant::default() });
            }
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
        .map(|i| BuildSpec { limited_api: i.minor, headers: i.clone(), variant: Variant::default() })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interpreter(version: &str, debug: bool) -> Interpreter {
        let minor: PyVersion = version.parse().unwrap();
        Interpreter {
            executable: format!("/usr/bin/python{version}{}", if debug { "d" } else { "" }).into(),
            sys_executable: String::new(),
            version: version.into(),
            minor,
            implementation: "cpython".into(),
            build_info: String::new(),
            soabi: None,
            debug,
            free_threaded: false,
            extension_suffixes: Vec::new(),
            include_dir: None,
            features: Default::default(),
            platform: "host".into(),
            root: None,
            machine: "x86_64".into(),
            arch: Arch::host(),
            glibc: None,
        }
    }

    /// 3.6 and 3.12 with their own headers, 3.6 with 3.12's, 3.12's debug headers.
    fn builds() -> Vec<BuildSpec> {
        let (v36, v312) = (PyVersion::new(3, 6), PyVersion::new(3, 12));
        vec![
            BuildSpec { limited_api: v36, headers: interpreter("3.6.15", false), variant: Variant::default() },
            BuildSpec { limited_api: v312, headers: interpreter("3.12.1", false), variant: Variant::default() },
            BuildSpec { limited_api: v36, headers: interpreter("3.12.1", false), variant: Variant::default() },
            BuildSpec { limited_api: v312, headers: interpreter("3.12.1", true), variant: Variant::default() },
        ]
    }

    fn interpreters() -> Vec<Interpreter> {
        vec![interpreter("3.6.15", false), interpreter("3.12.1", false), interpreter("3.12.1", true)]
    }

    fn cells(plan: &Plan) -> Vec<(String, &str, bool)> {
        plan.cells
            .iter()
            .map(|c| (c.key.build.clone(), plan.interpreters[c.interpreter].version.as_str(), c.carries_presence))
            .collect()
    }

    #[test]
    fn every_build_runs_on_newer_interpreters_and_one_cell_per_interpreter_carries_presence() {
        let plan = Plan::new(builds(), interpreters(), Vec::new(), Check::ALL.to_vec(), None);
        let cells = cells(&plan);
        assert_eq!(cells.len(), 3 + 2 + 3 + 1, "{cells:?}");
        // Debug-header builds run on debug interpreters only.
        assert!(cells.iter().filter(|c| c.0 == "3.12d").count() == 1);
        for version in ["3.6.15", "3.12.1"] {
            let carriers: Vec<_> = plan
                .cells
                .iter()
                .filter(|c| c.carries_presence && plan.interpreters[c.interpreter].version == version)
                .collect();
            assert_eq!(carriers.len(), if version == "3.6.15" { 1 } else { 2 }, "one per interpreter: {cells:?}");
        }
        // The newest release-header build with its own version's headers carries it.
        assert!(cells.contains(&("3.12".into(), "3.12.1", true)));
        assert!(cells.contains(&("3.6@3.12.1".into(), "3.12.1", false)));
    }

    #[test]
    fn variants_remake_a_default_build_under_their_own_id_and_never_carry_presence() {
        use crate::matrix::{VariantBuilds, VersionPick};
        use crate::variant::{Compiler, Target};
        let table = |limited_api: Vec<VersionPick>, variant: Variant| VariantBuilds { limited_api, variant, line: 7 };
        let unclean = Variant { ssize_t_clean: false, ..Variant::default() };
        let clang = Variant { compiler: Compiler::Clang, ..Variant::default() };
        let tables = [table(vec![VersionPick::Oldest], unclean), table(vec![VersionPick::Newest], clang)];
        let variants = variant_builds(&tables, &builds(), "m.toml").unwrap();
        let ids: Vec<String> = variants.iter().map(BuildSpec::id).collect();
        assert_eq!(ids, ["3.6+no-clean", "3.12+clang"], "own headers, release, host: {ids:?}");
        let mut all = builds();
        all.extend(variants);
        let plan = Plan::new(all, interpreters(), Vec::new(), Check::ALL.to_vec(), None);
        let cells = cells(&plan);
        assert!(cells.contains(&("3.6+no-clean".into(), "3.12.1", false)), "{cells:?}");
        assert!(cells.iter().filter(|c| c.0.contains('+')).all(|c| !c.2), "presence stays with default builds");

        let abi3t = Variant { target: Target::Abi3t, ..Variant::default() };
        let err = variant_builds(&[table(vec![VersionPick::Oldest], abi3t)], &builds(), "m.toml").unwrap_err();
        assert!(err.to_string().starts_with("m.toml:7: `builds.variants`: target = \"abi3t\" needs"), "{err}");
        let err =
            variant_builds(&[table(vec![VersionPick::Version(PyVersion::new(3, 9))], clang)], &builds(), "m.toml")
                .unwrap_err();
        assert!(err.to_string().contains("no limited-API 3.9 build"), "{err}");
    }

    #[test]
    fn builds_an_interpreter_must_refuse_get_refusal_cells_that_never_carry_presence() {
        use crate::variant::Target;
        let abi3t = Variant { target: Target::Abi3t, ..Variant::default() };
        let v315 = PyVersion::new(3, 15);
        let mut all = builds();
        all.push(BuildSpec { limited_api: v315, headers: interpreter("3.15.0", false), variant: Variant::default() });
        all.push(BuildSpec { limited_api: v315, headers: interpreter("3.15.0", false), variant: abi3t });
        let free_threaded = Interpreter { free_threaded: true, ..interpreter("3.15.0t", false) };
        let mut interpreters = interpreters();
        interpreters.extend([interpreter("3.15.0", false), free_threaded]);
        let plan = Plan::new(all, interpreters, Vec::new(), Check::ALL.to_vec(), None);
        let cells = cells(&plan);
        // abi3t on every interpreter older than 3.15 (refused; 3.12 release and debug), on 3.15 and
        // on 3.15t (loaded).
        let abi3t_on: Vec<&str> = cells.iter().filter(|c| c.0 == "3.15+abi3t").map(|c| c.1).collect();
        assert_eq!(abi3t_on, ["3.6.15", "3.12.1", "3.12.1", "3.15.0", "3.15.0t"], "{cells:?}");
        // abi3 builds on the free-threaded 3.15t: every one, refused; none carries presence.
        let on_free_threaded: Vec<_> = cells.iter().filter(|c| c.1 == "3.15.0t").collect();
        assert_eq!(on_free_threaded.len(), 5, "3.6, 3.12, 3.6@3.12 and 3.15 refused, 3.15+abi3t: {cells:?}");
        assert!(on_free_threaded.iter().all(|c| !c.2), "a refusal cell does not carry presence");
        let refused: Vec<_> = plan
            .cells
            .iter()
            .filter(|c| refuses(&plan.builds[c.build], &plan.interpreters[c.interpreter]))
            .map(|c| (c.key.build.as_str(), plan.interpreters[c.interpreter].version.as_str()))
            .collect();
        assert_eq!(
            refused,
            [
                ("3.6", "3.15.0t"),
                ("3.12", "3.15.0t"),
                ("3.6@3.12.1", "3.15.0t"),
                ("3.15", "3.15.0t"),
                ("3.15+abi3t", "3.6.15"),
                ("3.15+abi3t", "3.12.1"),
                ("3.15+abi3t", "3.12.1")
            ]
        );
    }

    #[test]
    fn target_and_no_clean_variants_are_made_per_architecture_and_cxx_and_clang_on_the_host_only() {
        use crate::matrix::{VariantBuilds, VersionPick};
        use crate::variant::Target;
        let foreign = if Arch::host() == Arch::S390x { Arch::Arm64 } else { Arch::S390x };
        let on = |version: &str, arch: Arch| Interpreter { arch, ..interpreter(version, false) };
        let spec = |version: &str, arch: Arch| BuildSpec {
            limited_api: on(version, arch).minor,
            headers: on(version, arch),
            variant: Variant::default(),
        };
        let builds = vec![spec("3.15.0", Arch::host()), spec("3.13.5", foreign), spec("3.15.0", foreign)];
        let table = |limited_api: Vec<VersionPick>, variant: Variant| VariantBuilds { limited_api, variant, line: 3 };
        let abi3t = Variant { target: Target::Abi3t, ..Variant::default() };
        let clang = Variant { compiler: Compiler::Clang, ..Variant::default() };
        let tables = [table(vec![VersionPick::Newest], abi3t), table(vec![VersionPick::Newest], clang)];
        let ids: Vec<String> = variant_builds(&tables, &builds, "m.toml").unwrap().iter().map(BuildSpec::id).collect();
        assert_eq!(ids, ["3.15+abi3t".to_owned(), format!("3.15+abi3t-{foreign}"), "3.15+clang".to_owned()]);
        // Only a foreign architecture: a clang variant has nothing to be made from.
        let err = variant_builds(&[table(vec![VersionPick::Newest], clang)], &builds[1..], "m.toml").unwrap_err();
        assert!(err.to_string().contains("C++ and clang are host-only"), "{err}");
    }

    #[test]
    fn every_architecture_gets_its_own_builds_and_runs_only_them() {
        let with_headers = |version: &str, debug: bool, arch: Arch| Interpreter {
            arch,
            platform: if arch == Arch::host() { "host".into() } else { format!("sid-{arch}") },
            include_dir: Some(std::env::temp_dir()),
            ..interpreter(version, debug)
        };
        let foreign = if Arch::host() == Arch::S390x { Arch::Arm64 } else { Arch::S390x };
        let interpreters = vec![
            with_headers("3.12.1", false, Arch::host()),
            with_headers("3.13.5", false, foreign),
            with_headers("3.15.0", false, foreign),
        ];
        let by_arch = |specs: &[BuildSpec]| specs.iter().map(|s| (s.id(), s.arch())).collect::<Vec<_>>();
        // Headers are "there" only if Python.h is: build the specs by hand from the same rule.
        let mut specs: Vec<BuildSpec> = interpreters
            .iter()
            .map(|i| BuildSpec { limited_api: i.minor, headers: i.clone(), variant: Variant::default() })
            .collect();
        let newer = vec![NewerHeaders { headers: PyVersion::new(3, 15), limited_api: None }];
        let extra = newer_header_builds(&newer, &specs, &interpreters).unwrap_or_default();
        assert!(extra.is_empty(), "no Python.h in the temp folder: nothing to build from");
        specs.push(BuildSpec {
            limited_api: PyVersion::new(3, 13),
            headers: interpreters[2].clone(),
            variant: Variant::default(),
        });
        assert_eq!(
            by_arch(&specs),
            [
                ("3.12".to_owned(), Arch::host()),
                (format!("3.13-{foreign}"), foreign),
                (format!("3.15-{foreign}"), foreign),
                (format!("3.13@3.15.0-{foreign}"), foreign),
            ]
        );
        let plan = Plan::new(specs, interpreters, Vec::new(), Check::ALL.to_vec(), None);
        for cell in &plan.cells {
            assert_eq!(plan.builds[cell.build].arch(), plan.interpreters[cell.interpreter].arch, "{cell:?}");
        }
        // 3.12 on the host; 3.13 and 3.13@3.15 on both foreign ones, 3.15 on 3.15.
        assert_eq!(plan.cells.len(), 1 + 2 + 2 + 1);
        let carriers = plan.cells.iter().filter(|c| c.carries_presence).count();
        assert_eq!(carriers, 3, "one per interpreter, from its own architecture's builds");
    }

    #[test]
    fn presence_alone_runs_only_the_carriers_and_static_alone_runs_no_cell() {
        let plan = Plan::new(builds(), interpreters(), Vec::new(), vec![Check::Presence], None);
        assert!(plan.cells.iter().all(|c| c.carries_presence));
        assert_eq!(plan.cells.len(), 3);
        assert_eq!(plan.builds.len(), 2, "only the carriers' builds are made");
        let plan = Plan::new(builds(), interpreters(), Vec::new(), vec![Check::Static], None);
        assert!(plan.cells.is_empty() && plan.builds.is_empty());
    }

    #[test]
    fn a_shard_runs_its_part_but_plans_the_whole() {
        let whole = Plan::new(builds(), interpreters(), Vec::new(), Check::ALL.to_vec(), None);
        let mut here = 0;
        for index in 1..=3 {
            let plan =
                Plan::new(builds(), interpreters(), Vec::new(), Check::ALL.to_vec(), Some(Shard { index, count: 3 }));
            assert_eq!(plan.cells, whole.cells);
            here += plan.cells_here().count();
            assert!(plan.builds_here().iter().all(|&b| plan.cells_here().any(|c| c.build == b)));
        }
        assert_eq!(here, whole.cells.len());
    }
}
