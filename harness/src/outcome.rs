//! One check's result, as data: its status, which check made it, the entry's kind, the
//! counterexample of a failure, and counts of results. A leaf of the report model: the report,
//! coverage, known breaks and the renderings build on it, and it imports none of them.

use serde::{Deserialize, Serialize};

use crate::manifest::EntryKind;

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

impl Check {
    pub const ALL: [Check; 5] = [Check::Import, Check::Presence, Check::Semantic, Check::Refleak, Check::Static];

    /// The name `--checks` and `report.json` use.
    pub fn name(self) -> &'static str {
        match self {
            Check::Import => "import",
            Check::Presence => "presence",
            Check::Semantic => "semantic",
            Check::Refleak => "refleak",
            Check::Static => "static",
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("`{0}` is not a check: expected one of import, presence, semantic, refleak, static")]
pub struct CheckError(String);

impl std::str::FromStr for Check {
    type Err = CheckError;

    fn from_str(text: &str) -> Result<Check, CheckError> {
        Check::ALL.into_iter().find(|c| c.name() == text.trim()).ok_or_else(|| CheckError(text.to_owned()))
    }
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
}

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
