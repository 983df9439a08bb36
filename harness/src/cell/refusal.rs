//! A refusal cell: a build the interpreter must not load (`variant::Loading::Refused`: an abi3t
//! build on an interpreter older than 3.15, an abi3 build on a free-threaded one). The loader's
//! rules are part of the promise: the import system must not pick the file up under its own
//! name, and a copy installed under a suffix the interpreter does accept must fail to load with
//! an ImportError that says why, not load and not crash. Nothing else runs in such a cell.

use std::time::Duration;

use super::setup::StartError;
use super::{Session, fault_status};
use crate::build::PROBE_MODULE;
use crate::protocol::{Refusal, RefusalReply};
use crate::report::{Check, EntryResult, ResultKind, Status};

/// The import system does not find the file under its own name: the entry is this and the
/// file's suffix (`refused by suffix .abi3t.so`), so that a known break can name one target.
const REFUSED_BY_SUFFIX: &str = "refused by suffix";
/// A copy under an accepted suffix fails to load with an ImportError.
const REFUSED_AT_LOAD: &str = "refused at load";

const REFUSAL_TIMEOUT: Duration = Duration::from_secs(60);

impl Session<'_> {
    pub(super) fn run_refusal(&mut self, why: &str, load_as: Option<&str>) {
        let file = self.build.probe.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let suffix = self.build.variant.extension_suffix();
        let by_suffix_entry = format!("{REFUSED_BY_SUFFIX} {suffix}");
        let reply = match self.ask_refusal(load_as) {
            Ok(reply) => reply,
            Err((at_load, outcome)) => {
                let entry = if at_load { REFUSED_AT_LOAD } else { &by_suffix_entry };
                self.results.push(refusal_result(entry, outcome));
                return;
            }
        };
        let by_suffix = match (&reply.find_error, reply.found) {
            (Some(error), _) => {
                (Status::Fail, format!("looking for {file} raised instead of passing it over: {error}"))
            }
            (None, true) => (
                Status::Fail,
                format!(
                    "the import system of {} picks up {file} (its suffixes: {:?}), but {why}",
                    self.interpreter.label(),
                    reply.suffixes
                ),
            ),
            (None, false) => (
                Status::Pass,
                format!(
                    "the import system passes {file} over: {suffix} is not among its suffixes {:?}",
                    reply.suffixes
                ),
            ),
        };
        self.results.push(refusal_result(&by_suffix_entry, by_suffix));
        let (Some(load_as), Some(loaded)) = (load_as, reply.loaded) else { return };
        let installed = format!("{PROBE_MODULE}{load_as}");
        let at_load = match (loaded.ok, loaded.exception.as_deref(), loaded.error.as_deref().unwrap_or("")) {
            (true, _, _) => {
                (Status::Fail, format!("installed as {installed}, the {} build loads, but {why}", self.build.id))
            }
            (false, Some("ImportError"), message) if !message.trim().is_empty() => {
                (Status::Pass, format!("installed as {installed}, it fails to load: ImportError: {message}"))
            }
            (false, exception, message) => (
                Status::Fail,
                format!(
                    "installed as {installed}, it fails to load with {}: {message:?}, where an ImportError that says why is due",
                    exception.unwrap_or("no exception")
                ),
            ),
        };
        self.results.push(refusal_result(REFUSED_AT_LOAD, at_load));
    }

    /// Starts a worker (no probe is imported) and asks it about the build's probe; or what went
    /// wrong: whether it is charged to loading the copy (else to the suffix check), its status
    /// and why.
    fn ask_refusal(&mut self, load_as: Option<&str>) -> Result<RefusalReply, (bool, (Status, String))> {
        let failed = |error: StartError| (false, (Status::Crash, error.describe()));
        let probe = self.stage(&self.build.probe).map_err(failed)?;
        let mut worker = self.spawn_worker().map_err(failed)?;
        let path = probe.display().to_string();
        let request = Refusal { module: PROBE_MODULE, path: &path, load_as };
        worker.request(&request, REFUSAL_TIMEOUT).map_err(|fault| {
            (
                load_as.is_some(),
                (
                    fault_status(&fault),
                    format!(
                        "the interpreter died where it must refuse the {} build{}: {}\n{}",
                        self.build.id,
                        load_as.map(|s| format!(" installed as {PROBE_MODULE}{s}")).unwrap_or_default(),
                        fault.summary(),
                        fault.stderr().trim_end()
                    ),
                ),
            )
        })
    }
}

fn refusal_result(entry: &str, (status, detail): (Status, String)) -> EntryResult {
    EntryResult::new(entry, ResultKind::Probe, Check::Import, status, Some(detail))
}
