//! What a failure carries: the shrunk case, the command that replays it, a standalone C
//! reproducer, and in words what the worker's death says about its cause.

use std::path::{Path, PathBuf};

use super::Session;
use super::file_name_safe;
use super::properties::CaseFailure;
use crate::build::Build;
use crate::interpreter::Interpreter;
use crate::process::shell_quote;
use crate::properties::Property;
use crate::report::{CaseRecord, EntryResult, ReproducerRecord, Status};
use crate::value::{PyValue, args_to_wire, format_args};
use crate::worker::Fault;

impl Session<'_> {
    /// The result of a property whose shrunk case `args` does not hold.
    pub(super) fn failed(
        &mut self,
        property: &Property,
        args: &[PyValue],
        seed: u64,
        failure: Option<&CaseFailure>,
    ) -> EntryResult {
        let (status, message) = match failure {
            Some(CaseFailure::Disagrees(disagreement)) => (Status::Fail, disagreement.to_string()),
            Some(CaseFailure::Fault(fault)) => (
                super::fault_status(fault),
                format!("{}{}\n{}", fault.summary(), diagnosis(fault), fault.stderr().trim_end()),
            ),
            None => (Status::Fail, "the case failed, and its verdict was lost".to_owned()),
        };
        let mut case = self.case_record(property, args, seed);
        if status != Status::Timeout {
            case.reproducer = Some(self.reproducer(property, &case));
        }
        let verdict = match status {
            Status::Crash => "crash",
            Status::Timeout => "timeout",
            _ => "counterexample",
        };
        let mut detail = format!(
            "{verdict} for {routine}{args}\n{message}\nbuild: limited API {limited} with {headers} headers; interpreter {interp}; seed {seed}\nreplay: {replay}",
            routine = property.routine,
            args = format_args(args),
            message = message.trim_end(),
            limited = self.build.limited_api,
            headers = self.build.headers,
            interp = self.interpreter.label(),
            replay = case.replay,
        );
        if let Some(repro) = &case.reproducer {
            detail = format!("{detail}\nC reproducer: {}\n  {}\n  {}", repro.file, repro.build, repro.run);
        }
        let mut result = self.semantic_result(property, status, Some(detail));
        result.case = Some(case);
        result
    }

    pub(super) fn case_record(&self, property: &Property, args: &[PyValue], seed: u64) -> CaseRecord {
        let replay = replay_command(
            self.cx.harness_command,
            self.cx.cache_dir,
            self.build,
            self.interpreter,
            property.routine,
            args,
        );
        CaseRecord {
            routine: property.routine.to_owned(),
            args: format_args(args),
            wire: args_to_wire(args),
            seed,
            replay,
            reproducer: None,
        }
    }

    fn reproducer(&mut self, property: &Property, case: &CaseRecord) -> ReproducerRecord {
        let name = format!(
            "{}-{}-on-{}-{}",
            property.routine, self.build.id, self.interpreter.platform, self.interpreter.version
        );
        let file = self.cx.reproducer_dir.join(format!("{}.c", file_name_safe(&name)));
        let (build, run) = crate::reproducer::commands(self.build, self.interpreter, &file);
        let context = format!(
            "{}{} on {} (limited API {} with {} headers)",
            property.routine,
            case.args,
            self.interpreter.label(),
            self.build.limited_api,
            self.build.headers
        );
        let wire = case.wire.to_string();
        let source = crate::reproducer::source(
            &crate::reproducer::Case {
                routine: property.routine,
                oracle: property.oracle,
                wire: &wire,
                args: &case.args,
                context: &context,
            },
            &build,
            &run,
        );
        self.evidence.reproducers.push((file.clone(), source));
        ReproducerRecord { file: file.display().to_string(), build, run }
    }
}

/// What a crash's output says about its cause, in words, where it says something certain.
pub fn diagnosis(fault: &Fault) -> String {
    let mut words = String::new();
    if let Some((phase, entry)) = fault.breadcrumb().call {
        // The probe's own code was calling an entry around the routine (its dispatch).
        words.push_str(&format!(" in `{entry}`, called by the probe's {phase} before the routine ran"));
    }
    if fault.stderr().contains("negative ref count") {
        // Debug builds check every decrement (_Py_NegativeRefcount).
        words.push_str(" (over-release: a reference count went negative, so a reference was released that its holder never owned, such as a borrowed reference returned as new)");
    }
    words
}

/// The command that runs `routine` with `args` once, from `build`'s probe in `interpreter`,
/// and prints the probe's and the oracle's outcomes.
pub fn replay_command(
    harness_command: &str,
    cache_dir: &Path,
    build: &Build,
    interpreter: &Interpreter,
    routine: &str,
    args: &[PyValue],
) -> String {
    let wire = args_to_wire(args);
    let rootfs = |root: &Option<PathBuf>, flag: &str| {
        root.as_ref().map(|r| format!(" {flag} {}", shell_quote(&r.display().to_string()))).unwrap_or_default()
    };
    format!(
        "{harness_command} replay --interpreter {}{} --headers {}{} --limited-api {}{} --routine {routine} --args {} --cache {}",
        shell_quote(&interpreter.executable.display().to_string()),
        rootfs(&interpreter.root, "--rootfs"),
        shell_quote(&build.headers_executable.display().to_string()),
        rootfs(&build.headers_root, "--headers-rootfs"),
        build.limited_api,
        if build.variant.is_default() {
            String::new()
        } else {
            format!(" --variant {}", shell_quote(&build.variant.words().join("+")))
        },
        shell_quote(&wire.to_string()),
        // The run's own probe cache, absolute: a replay from anywhere reuses the run's build.
        shell_quote(&std::path::absolute(cache_dir).unwrap_or_else(|_| cache_dir.to_owned()).display().to_string()),
    )
}
