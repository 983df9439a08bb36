//! The report model: what a run found, as data. Serialized as `report.json` (schema in
//! ARCHITECTURE.md); built only from the run's journal, never from memory alone.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::manifest::EntryKind;
use crate::plan::Shard;

/// Bumped on any incompatible change of `report.json`.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    Crash,
    Timeout,
    Skip,
    /// Differs from the build's own version by CPython's documented design (the detail gives
    /// the reference): neither a pass nor a failure. Never used for a crash or corruption.
    Changed,
}

impl Status {
    /// A finding against the Stable ABI promise (or the interpreter under test).
    pub fn is_failure(self) -> bool {
        matches!(self, Status::Fail | Status::Crash | Status::Timeout)
    }
}

/// Which check produced a result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Check {
    /// The strongly linked probe imports: all its symbols resolve.
    Import,
    /// The entry's symbol resolves in the interpreter's process.
    Presence,
    /// A property test against an oracle.
    Semantic,
    /// On a debug build: a property's probe call leaks no references (`sys.gettotalrefcount`).
    Refleak,
    /// Compile-time facts of the headers (values, layouts, signatures), compared across versions.
    Static,
}

/// How a result's entry reaches an extension; a manifest kind, or `probe` for import checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResultKind {
    Function,
    Data,
    Const,
    Macro,
    Struct,
    Typedef,
    FeatureMacro,
    Probe,
}

impl From<EntryKind> for ResultKind {
    fn from(kind: EntryKind) -> Self {
        match kind {
            EntryKind::Function => ResultKind::Function,
            EntryKind::Data => ResultKind::Data,
            EntryKind::Const => ResultKind::Const,
            EntryKind::Macro => ResultKind::Macro,
            EntryKind::Struct => ResultKind::Struct,
            EntryKind::Typedef => ResultKind::Typedef,
            EntryKind::FeatureMacro => ResultKind::FeatureMacro,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EntryResult {
    pub entry: String,
    pub kind: ResultKind,
    pub check: Check,
    pub status: Status,
    /// For anything but a pass: what happened, the counterexample and the replay command.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// For semantic results: the probe routine (an entry may have several properties).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub property: Option<String>,
    /// For semantic passes: a digest of the probe's outcomes over the generated cases. The
    /// cases depend only on the seed, so equal digests mean equal behaviour across cells.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// For a failure that is a known, upstream-confirmed break: its summary and reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known: Option<String>,
    /// For property failures: the minimal case, machine-readable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<CaseRecord>,
    /// For semantic and refleak results: how long the check took, in milliseconds (where a
    /// run's time goes: `cargo xtask bench` lists the costliest properties).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elapsed_ms: Option<u64>,
    /// For semantic passes: a short digest of each case's probe outcome, for finding the first
    /// case of a difference. Kept in memory by the run, never written (it would double the
    /// journal).
    #[serde(skip)]
    pub case_digests: Option<Vec<u32>>,
}

impl EntryResult {
    pub fn new(
        entry: impl Into<String>,
        kind: ResultKind,
        check: Check,
        status: Status,
        detail: Option<String>,
    ) -> EntryResult {
        EntryResult {
            entry: entry.into(),
            kind,
            check,
            status,
            detail,
            property: None,
            fingerprint: None,
            known: None,
            case: None,
            elapsed_ms: None,
            case_digests: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseRecord {
    /// The probe routine that was called.
    pub routine: String,
    /// The arguments as Python source, e.g. `(1001,)`.
    pub args: String,
    /// The arguments in the worker's wire form, for `abi-harness replay --args`.
    pub wire: serde_json::Value,
    pub seed: u64,
    pub replay: String,
    /// A standalone C reproducer (semantic failures and crashes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reproducer: Option<ReproducerRecord>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReproducerRecord {
    /// The C file, in the run's `reproducers/` folder.
    pub file: String,
    /// Shell commands: compile it with the build's flags; import it in the interpreter.
    pub build: String,
    pub run: String,
    /// The file's text, until the run writes it.
    #[serde(skip)]
    pub source: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InterpreterRecord {
    pub executable: String,
    pub version: String,
    pub platform: String,
    pub debug: bool,
    pub soabi: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BuildRecord {
    /// Unique within a run: `3.6`, or `3.6@3.15.2` for a build with newer headers.
    pub id: String,
    /// The `Py_LIMITED_API` version, e.g. `3.6`.
    pub limited_api: String,
    /// The full version of the interpreter whose headers built the probe.
    pub headers: String,
    /// The platform that interpreter lives on.
    pub headers_platform: String,
    pub probe: String,
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
        (self.interpreter.platform.clone(), self.interpreter.executable.clone(), self.build.id.clone())
    }

    pub fn counts(&self) -> Counts {
        Counts::of(self.results.iter())
    }
}

pub type CellKey = (String, String, String);

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    pub pass: u64,
    pub fail: u64,
    pub crash: u64,
    pub timeout: u64,
    pub skip: u64,
    #[serde(default)]
    pub changed: u64,
    /// Failures (of any status) that are known breaks.
    pub known: u64,
}

impl Counts {
    pub fn of<'a>(results: impl Iterator<Item = &'a EntryResult>) -> Counts {
        let mut counts = Counts::default();
        for result in results {
            if result.status.is_failure() && result.known.is_some() {
                counts.known += 1;
            }
            *match result.status {
                Status::Pass => &mut counts.pass,
                Status::Fail => &mut counts.fail,
                Status::Crash => &mut counts.crash,
                Status::Timeout => &mut counts.timeout,
                Status::Skip => &mut counts.skip,
                Status::Changed => &mut counts.changed,
            } += 1;
        }
        counts
    }

    pub fn add(&mut self, other: &Counts) {
        self.pass += other.pass;
        self.fail += other.fail;
        self.crash += other.crash;
        self.timeout += other.timeout;
        self.skip += other.skip;
        self.changed += other.changed;
        self.known += other.known;
    }

    pub fn failures(&self) -> u64 {
        self.fail + self.crash + self.timeout
    }

    /// Failures that are not known breaks: what fails a run.
    pub fn new_failures(&self) -> u64 {
        self.failures() - self.known
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
    /// The baseline cell and the differing cell.
    #[serde(skip)]
    pub cells: Option<(CellKey, CellKey)>,
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
    /// Adds the coverage view of this report's results.
    pub fn with_coverage(
        mut self,
        manifest: &crate::manifest::Manifest,
    ) -> Result<Report, crate::coverage::ReasonsError> {
        let reasons = crate::coverage::reasons(manifest)?;
        let entries = crate::coverage::from_report(manifest, &reasons, &self);
        let summary = crate::coverage::Summary::of(manifest, &entries);
        self.coverage = Some(CoverageView { summary, entries });
        Ok(self)
    }

    pub fn new(header: RunHeader, mut cells: Vec<CellReport>, static_check: Option<StaticReport>) -> Report {
        let differences = differences(&mut cells, &crate::changes::behaviour_changes().unwrap_or_default());
        let mut summary = Counts::default();
        for cell in &cells {
            summary.add(&cell.counts());
        }
        if let Some(check) = &static_check {
            summary.add(&Counts::of(check.results.iter().map(|r| &r.result)));
        }
        let complete = header.planned_here().all(|key| cells.iter().any(|c| &c.key() == key));
        Report { schema: SCHEMA_VERSION, header, complete, summary, differences, cells, coverage: None, static_check }
    }
}

/// Compares every cell's semantic fingerprints with those of the cell that runs the same build
/// in the interpreter whose headers built it. A passing result whose difference a documented
/// behaviour change explains becomes `changed`, citing it.
fn differences(cells: &mut [CellReport], changes: &[crate::changes::BehaviourChange]) -> Vec<Difference> {
    let mut found = Vec::new();
    let is_baseline = |c: &CellReport| {
        c.interpreter.version == c.build.headers
            && c.interpreter.platform == c.build.headers_platform
            && !c.interpreter.debug
    };
    /// (entry, property) → outcome fingerprint on the build's own version.
    type Fingerprints = BTreeMap<(String, String), String>;
    let baselines: Vec<(BuildRecord, InterpreterRecord, CellKey, Fingerprints)> = cells
        .iter()
        .filter(|c| is_baseline(c))
        .map(|baseline| {
            let fingerprints = baseline
                .results
                .iter()
                .filter_map(|r| Some(((r.entry.clone(), r.property.clone()?), r.fingerprint.clone()?)))
                .collect();
            (baseline.build.clone(), baseline.interpreter.clone(), baseline.key(), fingerprints)
        })
        .collect();
    for (build, base_interpreter, base_key, fingerprints) in &baselines {
        // Debug interpreters run fewer cases (cell::cases_on), so their fingerprints are not
        // comparable; their release twins are.
        for cell in
            cells.iter_mut().filter(|c| &c.build == build && &c.interpreter != base_interpreter && !c.interpreter.debug)
        {
            let version = cell.interpreter.version.clone();
            let key = cell.key();
            for result in &mut cell.results {
                let (Some(property), Some(fingerprint)) = (result.property.clone(), result.fingerprint.as_deref())
                else {
                    continue;
                };
                if fingerprints.get(&(result.entry.clone(), property.clone())).is_none_or(|base| base == fingerprint) {
                    continue;
                }
                let explained = changes.iter().find(|c| c.explains(&result.entry, &base_interpreter.version, &version));
                if let Some(change) = explained.filter(|_| result.status == Status::Pass) {
                    result.status = Status::Changed;
                    result.detail = Some(format!(
                        "outcomes differ from those on {} (the build's own version) by design: {} ({})",
                        base_interpreter.version, change.summary, change.reference
                    ));
                }
                found.push(Difference {
                    entry: result.entry.clone(),
                    property,
                    limited_api: cell.build.limited_api.clone(),
                    baseline: base_interpreter.version.clone(),
                    version: version.clone(),
                    explained_by: explained.map(|c| c.reference.clone()),
                    first_case: None,
                    cells: Some((base_key.clone(), key.clone())),
                });
            }
        }
    }
    found
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
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StaticFact {
    pub entry: String,
    pub kind: ResultKind,
    pub limited_api: String,
    pub aspect: String,
    pub values: Vec<FactValue>,
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
