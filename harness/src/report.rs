//! The report model: what a run found, as data. Serialized as `report.json` (schema in
//! ARCHITECTURE.md); built only from the run's journal (`assemble`), never from memory alone.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use crate::key::{CellKey, Shard};
pub use crate::outcome::{CaseRecord, Check, Counts, EntryResult, ReproducerRecord, ResultKind, Status};

/// Bumped on any incompatible change of `report.json`.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InterpreterRecord {
    pub executable: String,
    pub version: String,
    pub platform: String,
    pub debug: bool,
    pub soabi: Option<String>,
    /// The architecture it is built for, Debian's name (`amd64`, `i386`, `arm64`, `s390x`);
    /// empty in reports written before architectures were recorded.
    #[serde(default)]
    pub arch: String,
}

impl InterpreterRecord {
    /// The architecture as labels show it: `None` for amd64 (the unmarked one, and what
    /// reports from before architectures ran on), else its name.
    pub fn arch_mark(&self) -> Option<&str> {
        match self.arch.as_str() {
            "" | "amd64" => None,
            other => Some(other),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BuildRecord {
    /// Unique within a run: `3.6`, `3.6@3.15.2` for a build with newer headers, `3.6+no-clean`
    /// for a variant.
    pub id: String,
    /// The `Py_LIMITED_API` version, e.g. `3.6`.
    pub limited_api: String,
    /// The full version of the interpreter whose headers built the probe.
    pub headers: String,
    /// The platform that interpreter lives on.
    pub headers_platform: String,
    pub probe: String,
    /// How it was built, when not the default way (C, gcc, abi3, `PY_SSIZE_T_CLEAN`): the words
    /// of its id's `+` suffix (`no-clean`, `abi3t`, `c++`, `clang`), joined by `+`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub variant: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellReport {
    pub interpreter: InterpreterRecord,
    pub build: BuildRecord,
    pub results: Vec<EntryResult>,
    pub duration_ms: u64,
    /// Property cases the cell ran.
    pub cases: u64,
}

impl CellReport {
    /// (interpreter platform, interpreter executable, build id): unique within a run.
    pub fn key(&self) -> CellKey {
        CellKey::new(&self.interpreter.platform, &self.interpreter.executable, &self.build.id)
    }

    pub fn counts(&self) -> Counts {
        Counts::of(self.results.iter())
    }
}

/// The head of a run: what ran where, with which settings. First line of the journal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunHeader {
    pub schema: u32,
    pub tool: String,
    pub tool_version: String,
    pub started_unix: u64,
    pub manifest: String,
    pub settings: BTreeMap<String, serde_json::Value>,
    /// Every interpreter with its facts (`sys.version`, flags).
    pub interpreters: Vec<serde_json::Value>,
    /// The cells planned, as (platform, interpreter executable, build id): the whole plan, also
    /// in a shard's report, so that shards can be checked against each other when merged.
    pub planned: Vec<CellKey>,
    /// The part of `planned` this run ran (`--shard K/N`); absent for a whole run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<Shard>,
}

impl RunHeader {
    /// The planned cells this run is responsible for: all, or its shard's.
    pub fn planned_here(&self) -> impl Iterator<Item = &CellKey> {
        self.planned.iter().filter(|key| self.shard.is_none_or(|shard| shard.contains(key)))
    }
}

/// A property whose probe outcomes on an interpreter differ from those on the build's own
/// version, while agreeing with the oracle on both: the behaviour changed at the Python level
/// too. Not a failure; listed so that changes across versions are visible.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Difference {
    pub entry: String,
    pub property: String,
    pub limited_api: String,
    /// The build's own interpreter version, whose outcomes are the reference.
    pub baseline: String,
    pub version: String,
    /// The reference of the documented behaviour change that explains it, if one does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explained_by: Option<String>,
    /// The first case whose outcome differs, where the run that wrote the report saw both
    /// cells' outcomes (not in a report built from an earlier run's journal or merged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_case: Option<FirstDifferingCase>,
}

/// The evidence of a difference: the case, and a command per interpreter that shows its outcome.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FirstDifferingCase {
    /// Its index among the property's generated cases.
    pub index: u32,
    /// The arguments, as a Python literal.
    pub args: String,
    pub replay_baseline: String,
    pub replay: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema: u32,
    pub header: RunHeader,
    pub complete: bool,
    pub summary: Counts,
    /// Agreement with the build's own version: where outcomes differ across versions.
    pub differences: Vec<Difference>,
    pub cells: Vec<CellReport>,
    /// Every manifest entry with the strongest check that ran (see `coverage`); filled in where
    /// the manifest is at hand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<CoverageView>,
    /// The static check of the headers, when it ran; its results count in `summary`.
    #[serde(rename = "static", default, skip_serializing_if = "Option::is_none")]
    pub static_check: Option<StaticReport>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CoverageView {
    pub summary: crate::coverage::Summary,
    pub entries: Vec<crate::coverage::Coverage>,
}

impl Report {
    /// A report of these cells: totals and completeness computed, no interpretation added
    /// (differences, `changed`, known breaks and coverage are `assemble`'s).
    pub fn new(header: RunHeader, cells: Vec<CellReport>, static_check: Option<StaticReport>) -> Report {
        let mut report = Report {
            schema: SCHEMA_VERSION,
            header,
            complete: false,
            summary: Counts::default(),
            differences: Vec::new(),
            cells,
            coverage: None,
            static_check,
        };
        report.recount();
        report
    }

    /// Every result on a manifest entry: the cells', then the static check's (names the
    /// headers leak are not entries).
    pub fn entry_results(&self) -> impl Iterator<Item = &EntryResult> {
        let static_results =
            self.static_check.iter().flat_map(|s| s.results.iter().filter(|r| !r.leak).map(|r| &r.result));
        self.cells.iter().flat_map(|cell| &cell.results).chain(static_results)
    }

    /// Totals and completeness again, after results changed.
    pub fn recount(&mut self) {
        let mut summary = Counts::default();
        for cell in &self.cells {
            summary.add(&cell.counts());
        }
        if let Some(check) = &self.static_check {
            summary.add(&Counts::of(check.results.iter().map(|r| &r.result)));
        }
        self.summary = summary;
        self.complete = self.header.planned_here().all(|key| self.cells.iter().any(|c| &c.key() == key));
    }
}

/// The static check: every header set read, every fact compared, one result per entry and
/// limited-API version, and the names the headers expose beyond the manifest.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StaticReport {
    pub header_sets: Vec<HeaderSetRecord>,
    /// Every fact compared: per entry, limited-API version and aspect (`value`, `signature`,
    /// `type`, `size`, `align`, `member NAME`, ...), each distinct value with the header sets
    /// that give it.
    pub compared: Vec<StaticFact>,
    pub results: Vec<StaticResult>,
    /// Functions and data the headers declare under `Py_LIMITED_API` that the manifest lacks.
    pub leaks: Vec<Leak>,
    /// Header reads done now, and found in the cache; the time both took.
    pub parsed: u64,
    pub cached: u64,
    pub extract_ms: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HeaderSetRecord {
    /// `3.12.1@host`, `3.13.5d@sid`; an interpreter under test has its executable added.
    pub label: String,
    pub version: String,
    pub platform: String,
    pub debug: bool,
    pub include_dir: String,
    /// The `Py_LIMITED_API` versions it was read at.
    pub limited_api: Vec<String>,
    #[serde(default)]
    pub under_test: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The architecture it was read for (clang's target); header sets are compared only
    /// within their architecture.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arch: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StaticFact {
    pub entry: String,
    pub kind: ResultKind,
    pub limited_api: String,
    pub aspect: String,
    pub values: Vec<FactValue>,
    /// The architecture whose header sets were compared, where the run read more than the
    /// host's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arch: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FactValue {
    /// As the headers write it (`*const c_char`, `61`, `fn(a: *mut PyObject) -> c_int`), or
    /// `(not declared)`.
    pub value: String,
    pub headers: Vec<String>,
}

/// A static result: an entry at one limited-API version, over every header set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StaticResult {
    pub limited_api: String,
    /// The header set the others are compared with (the limited-API version's own).
    pub baseline: String,
    /// The header sets that disagree with the baseline or lack the entry (for a leak: those
    /// declaring it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub differing: Vec<String>,
    /// A name the headers expose beyond the manifest (listed in `leaks`), not a manifest entry.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub leak: bool,
    /// The architecture whose header sets were compared, where the run read more than the
    /// host's (each architecture is compared within itself).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arch: Option<String>,
    #[serde(flatten)]
    pub result: EntryResult,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Leak {
    pub name: String,
    pub kind: ResultKind,
    /// `private` (`_Py`), `unstable` (`PyUnstable_`, PEP 689) or `public`.
    pub class: String,
    /// Header sets declaring it under their own version's `Py_LIMITED_API`.
    pub headers: Vec<String>,
}
