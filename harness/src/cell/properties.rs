//! Running a cell's properties: all cases of a property in one request when they hold, and
//! case by case under proptest (which shrinks) when one does not or the worker dies.

use std::cell::RefCell;
use std::collections::HashMap;
use std::time::{Duration, Instant};

use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};
use sha2::{Digest, Sha256};

use super::{Session, elapsed_ms};
use crate::judge::{self, Disagreement};
use crate::properties::Property;
use crate::protocol;
use crate::report::{Check, EntryResult, Status};
use crate::value::{PyValue, args_to_wire};
use crate::worker::Fault;

/// Worker crashes one property may cost (each a restart) while its failure is shrunk.
const MAX_CRASH_RESTARTS: u32 = 24;

/// Passing cases kept per property for the reference-leak check on debug builds.
pub(super) const SAMPLES_KEPT: usize = 3;

/// Why one case did not hold: the typed verdict the proptest closure records, by the case's
/// wire form, for the result to be made from once proptest has shrunk.
pub(super) enum CaseFailure {
    Disagrees(Disagreement),
    Fault(Fault),
}

#[derive(Default)]
struct RunState {
    cases: u64,
    samples: Vec<Vec<PyValue>>,
    /// The digest of the probe's outcome of each passing case.
    digests: Vec<String>,
    failures: HashMap<String, CaseFailure>,
    crash_restarts: u32,
    stop: bool,
}

/// What running one property gave: its result, the cases run, a few passing cases.
pub(super) struct PropertyRun {
    pub result: EntryResult,
    pub cases: u64,
    pub samples: Vec<Vec<PyValue>>,
}

impl Session<'_> {
    /// Runs every defined property; returns the number of cases run.
    pub(super) fn run_properties(&mut self) -> u64 {
        // Only a probe built with debug headers keeps the debug total with its inline
        // reference counting; with release headers every inline DECREF would look like a leak.
        let refleak = self.interpreter.debug && self.build.headers_debug && self.cx.checks.contains(&Check::Refleak);
        let mut awaiting_refleak = Vec::new();
        let mut cases = 0;
        for slot in 0..self.defined.len() {
            let property = &self.cx.properties[self.defined[slot]];
            let started = Instant::now();
            let mut run = self.run_property(slot, property);
            run.result.elapsed_ms = Some(elapsed_ms(started));
            cases += run.cases;
            let passed = run.result.status == Status::Pass;
            self.results.push(run.result);
            if passed && refleak {
                awaiting_refleak.push((slot, run.samples));
                if awaiting_refleak.len() == super::refleak::SCREENED_TOGETHER {
                    self.check_refleaks(std::mem::take(&mut awaiting_refleak));
                }
            }
        }
        self.check_refleaks(awaiting_refleak);
        cases
    }

    pub(super) fn semantic_result(&self, property: &Property, status: Status, detail: Option<String>) -> EntryResult {
        let mut result = EntryResult::new(property.entry, self.kind_of(property), Check::Semantic, status, detail);
        result.property = Some(property.routine.to_owned());
        result
    }

    /// Runs one property.
    fn run_property(&mut self, slot: usize, property: &Property) -> PropertyRun {
        let seed = self.seed_for(property);
        let skipped = |session: &Self, reason: String| PropertyRun {
            result: session.semantic_result(property, Status::Skip, Some(reason)),
            cases: 0,
            samples: Vec::new(),
        };
        if self.worker.is_none() && !self.restart() {
            return skipped(self, "no worker could be started after an earlier crash".into());
        }
        if self.interpreter.debug {
            if let Some((_, reason)) =
                crate::properties::RELEASE_ONLY.iter().find(|(routine, _)| *routine == property.routine)
            {
                return skipped(self, (*reason).to_owned());
            }
        }

        let config =
            crate::cases::config(seed, property.cases(super::cases_on(self.interpreter, self.cx.settings.cases)));
        // Fast path: all cases in one request. Only when one fails (or the worker dies) does the
        // case-by-case run below repeat them from the same seed, to find and shrink the failure.
        // A single case gains nothing from the batch, and a crash there would cost a second
        // restart when the case-by-case run repeats it.
        if let Some((cases, digests, samples)) =
            (config.cases > 1).then(|| self.run_batch(slot, property, &config)).flatten()
        {
            let result = self.passed(self.semantic_result(property, Status::Pass, None), &digests);
            return PropertyRun { result, cases, samples };
        }
        let mut runner = TestRunner::new(config);
        let state = RefCell::new(RunState::default());
        let strategy = property.strategy();
        let timeout = self.cx.settings.case_timeout;
        let session = RefCell::new(&mut *self);
        let outcome = runner.run(&strategy, |args| {
            let mut session = session.borrow_mut();
            let mut state = state.borrow_mut();
            if state.stop {
                return Ok(());
            }
            state.cases += 1;
            let wire = args_to_wire(&args);
            let reply = match session.worker.as_mut() {
                Some(worker) => worker.request(&protocol::Case { p: slot, args: &wire }, timeout),
                None => return Ok(()),
            };
            let key = wire.to_string();
            let failure = match reply {
                Ok(reply) => match judge::case(&reply) {
                    Ok(()) => {
                        if state.samples.len() < SAMPLES_KEPT {
                            state.samples.push(args.clone());
                        }
                        let [probe, _] = reply.digests;
                        state.digests.push(probe);
                        return Ok(());
                    }
                    Err(disagreement) => CaseFailure::Disagrees(disagreement),
                },
                Err(fault) => {
                    state.crash_restarts += 1;
                    // A hang costs a full timeout per try: report the first one unshrunk.
                    if fault.timed_out() || state.crash_restarts > MAX_CRASH_RESTARTS {
                        state.stop = true;
                    }
                    session.restart();
                    CaseFailure::Fault(fault)
                }
            };
            state.failures.insert(key.clone(), failure);
            Err(TestCaseError::fail(key))
        });
        let state = state.into_inner();
        match outcome {
            Ok(()) => PropertyRun {
                result: self.passed(self.semantic_result(property, Status::Pass, None), &state.digests),
                cases: state.cases,
                samples: state.samples,
            },
            Err(TestError::Abort(reason)) => PropertyRun {
                result: self.semantic_result(property, Status::Skip, Some(format!("property aborted: {reason}"))),
                cases: state.cases,
                samples: state.samples,
            },
            Err(TestError::Fail(_, args)) => {
                let failure = state.failures.get(&args_to_wire(&args).to_string());
                PropertyRun {
                    result: self.failed(property, &args, seed, failure),
                    cases: state.cases,
                    samples: state.samples,
                }
            }
        }
    }
}

impl Session<'_> {
    /// Runs every case of a property in one request. `Some` when all hold: the cases run, each
    /// case's probe outcome digest and a few samples; `None` when anything went wrong.
    fn run_batch(
        &mut self,
        slot: usize,
        property: &Property,
        config: &Config,
    ) -> Option<(u64, Vec<String>, Vec<Vec<PyValue>>)> {
        let cases = self.cx.cases.get_or_generate(self.defined[slot], config.cases, || {
            crate::cases::generate(property, config).and_then(crate::cases::Cases::new)
        })?;
        let timeout = self.cx.settings.case_timeout + Duration::from_millis(10) * config.cases;
        let reply = match self.worker.as_mut()?.request(&protocol::Cases { p: slot, cases: &cases.wire }, timeout) {
            Ok(reply) => reply,
            Err(_) => {
                self.restart();
                return None;
            }
        };
        // Any case that does not hold: the case-by-case run judges and shrinks it.
        if reply.digests.len() != cases.args.len()
            || reply.refs.len() != reply.digests.len()
            || !reply.digests.iter().zip(&reply.refs).all(|(digests, refs)| judge::batch_case(digests, refs))
        {
            return None;
        }
        let digests = reply.digests.into_iter().map(|[probe, _]| probe).collect();
        let samples = cases.args.iter().take(SAMPLES_KEPT).cloned().collect();
        Some((u64::from(config.cases), digests, samples))
    }

    /// A passing semantic result with its outcome digests: the fingerprint of them all (equal
    /// fingerprints, equal behaviour, since every cell runs the same cases), and a short form
    /// of each kept as evidence, for finding the first case of a difference.
    fn passed(&mut self, mut result: EntryResult, digests: &[String]) -> EntryResult {
        let mut fingerprint = Sha256::new();
        for digest in digests {
            fingerprint.update(digest.as_bytes());
            fingerprint.update([b'\n']);
        }
        result.fingerprint = Some(crate::short_hex(&fingerprint.finalize(), 8));
        let short = digests.iter().map(|d| u32::from_str_radix(d.get(..8).unwrap_or(d), 16).unwrap_or(0)).collect();
        if let Some(property) = &result.property {
            self.evidence.case_digests.insert((result.entry.clone(), property.clone()), short);
        }
        result
    }
}
