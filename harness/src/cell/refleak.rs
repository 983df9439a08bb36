//! The reference-leak check on debug builds: every passing property's probe calls repeated
//! while `sys.gettotalrefcount()` watches. Screened together first (few collections), each
//! property alone only when the screening moves the total or crashes.

use std::time::Instant;

use serde_json::Value as Json;

use super::{Session, elapsed_ms, fault_status};
use crate::properties::Property;
use crate::protocol::{Refleak, RefleakScreen, ScreenItem};
use crate::report::{Check, EntryResult, Status};
use crate::value::{PyValue, args_to_wire, format_args};
use crate::worker::Fault;

/// How many passing properties one reference-leak screening measures together: fewer
/// collections, against a re-check of each when any of them moves the total.
pub(super) const SCREENED_TOGETHER: usize = 16;

/// How carefully to measure a reference-count drift: a cheap screening of every passing
/// property, then a careful measurement of what the screening flags.
#[derive(Clone, Copy)]
enum Measure {
    Screen,
    Careful,
}

impl Measure {
    /// Rounds of calls, warm-up rounds, readings (the smallest counts).
    fn plan(self) -> (i64, u32, u32) {
        match self {
            Measure::Screen => (8, 1, 1),
            Measure::Careful => (16, 2, 2),
        }
    }
}

/// A reference count that rose (or fell) with the calls.
struct Leak {
    delta: i64,
    oracle_delta: i64,
    calls: i64,
}

/// What the screening of many properties together found.
enum Screening {
    /// The total stayed where it was: none of them leaks.
    Clean,
    /// The total moved: each is checked alone.
    Moved,
    /// The worker died; the probe's crash handler may name the routine it was in.
    Crashed(Fault),
}

impl Session<'_> {
    /// The reference-leak checks of passing properties awaiting them (slots and samples). They
    /// are screened together first: when all their probe calls together leave the total where
    /// it was, no property leaks; otherwise each is checked alone, which also names the one
    /// that leaks. A crash in the screening is charged to the routine it was in, even when that
    /// property alone passes (then only the combination crashes, and the result says so).
    pub(super) fn check_refleaks(&mut self, awaiting: Vec<(usize, Vec<Vec<PyValue>>)>) {
        if awaiting.is_empty() {
            return;
        }
        let started = Instant::now();
        let crashed = match awaiting.len() > 1 {
            true => match self.screen_together(&awaiting) {
                Screening::Clean => {
                    let share = elapsed_ms(started) / awaiting.len() as u64;
                    for (slot, _) in &awaiting {
                        let mut result = self.refleak_result(&self.cx.properties[self.defined[*slot]]);
                        result.elapsed_ms = Some(share);
                        self.results.push(result);
                    }
                    return;
                }
                Screening::Moved => None,
                Screening::Crashed(fault) => Some(fault),
            },
            false => None,
        };
        let culprit = crashed.as_ref().and_then(|fault| fault.breadcrumb().routine);
        let together: Vec<&str> =
            awaiting.iter().map(|(slot, _)| self.cx.properties[self.defined[*slot]].routine).collect();
        for (slot, samples) in &awaiting {
            let started = Instant::now();
            let property = &self.cx.properties[self.defined[*slot]];
            let mut result = self.check_refleak(*slot, property, samples);
            if let (Some(fault), true) = (&crashed, culprit.as_deref() == Some(property.routine)) {
                if result.status == Status::Pass {
                    result = self.combination_crash(result, property, fault, &together);
                }
            }
            result.elapsed_ms = Some(elapsed_ms(started));
            self.results.push(result);
        }
    }

    /// True when the probe calls of all `awaiting` properties together, in the screening's
    /// rounds, move the reference total by less than one reference per round. The oracles are
    /// left out: what one oracle leaves behind could hide another property's leak.
    fn screen_together(&mut self, awaiting: &[(usize, Vec<Vec<PyValue>>)]) -> Screening {
        let (rounds, _, _) = Measure::Screen.plan();
        let wires: Vec<Vec<Json>> =
            awaiting.iter().map(|(_, samples)| samples.iter().map(|args| args_to_wire(args)).collect()).collect();
        let items = awaiting.iter().zip(&wires).map(|((slot, _), cases)| ScreenItem { p: *slot, cases }).collect();
        let request = RefleakScreen { items, calls: rounds };
        let Some(worker) = self.worker.as_mut() else { return Screening::Moved };
        match worker.request(&request, self.cx.settings.case_timeout * 12 * awaiting.len() as u32) {
            Ok(reply) if !reply.unsupported && reply.delta.abs() < rounds => Screening::Clean,
            Ok(_) => Screening::Moved,
            Err(fault) => {
                self.restart();
                Screening::Crashed(fault)
            }
        }
    }

    fn refleak_result(&self, property: &Property) -> EntryResult {
        let mut result = EntryResult::new(property.entry, self.kind_of(property), Check::Refleak, Status::Pass, None);
        result.property = Some(property.routine.to_owned());
        result
    }

    /// Calls the property's routine repeatedly with a few of its passing cases and watches the
    /// interpreter's total reference count: a steady rise of one or more per call is a leak.
    /// All cases are measured together; only a rise is narrowed down to its case.
    fn check_refleak(&mut self, slot: usize, property: &Property, samples: &[Vec<PyValue>]) -> EntryResult {
        let mut result = self.refleak_result(property);
        let all: Vec<&[PyValue]> = samples.iter().map(Vec::as_slice).collect();
        match self.measure_leak(slot, &all, Measure::Screen) {
            Ok(None) => {}
            Ok(Some(_)) => {
                // Name the case: the first that leaks alone (the batch's figures if none does).
                let mut found = None;
                for args in &all {
                    match self.measure_leak(slot, std::slice::from_ref(args), Measure::Careful) {
                        Ok(Some(leak)) => {
                            found = Some((args.to_vec(), leak));
                            break;
                        }
                        Ok(None) => {}
                        Err(fault) => return self.refleak_fault(result, property, args, &fault),
                    }
                }
                let (args, leak) = match found {
                    Some(found) => found,
                    None => match self.measure_leak(slot, &all, Measure::Careful) {
                        Ok(Some(leak)) => (samples.first().cloned().unwrap_or_default(), leak),
                        _ => return result, // not reproducible: the interpreter's own drift
                    },
                };
                result.status = Status::Fail;
                let (finding, moved) = if leak.delta > 0 {
                    ("reference leak", "raised")
                } else {
                    ("over-release (a reference released that was never owned)", "lowered")
                };
                result.detail = Some(format!(
                    "{finding}: {routine}{args} {moved} sys.gettotalrefcount() by {delta} over {calls} calls (about {per} per call); the Python-level equivalent by {oracle}\nbuild: limited API {limited} with {headers} headers; interpreter {interp}",
                    routine = property.routine,
                    args = format_args(&args),
                    delta = leak.delta.abs(),
                    calls = leak.calls,
                    per = leak.delta.abs() / leak.calls.max(1),
                    oracle = leak.oracle_delta,
                    limited = self.build.limited_api,
                    headers = self.build.headers,
                    interp = self.interpreter.label(),
                ));
                result.case = Some(self.case_record(property, &args, self.seed_for(property)));
            }
            Err(fault) => {
                let args = samples.first().map(Vec::as_slice).unwrap_or_default();
                return self.refleak_fault(result, property, args, &fault);
            }
        }
        result
    }

    /// One reference-count measurement over `cases`; `Some` when the probe's calls leave at
    /// least one reference per call more than the Python-level equivalent's, or one fewer (an
    /// over-release: a borrowed reference returned as new, a stolen argument not stolen).
    fn measure_leak(&mut self, slot: usize, cases: &[&[PyValue]], how: Measure) -> Result<Option<Leak>, Fault> {
        let (rounds, warmups, readings) = how.plan();
        let wire: Vec<Json> = cases.iter().map(|args| args_to_wire(args)).collect();
        let request = Refleak { p: slot, cases: &wire, calls: rounds, warmups, readings };
        let Some(worker) = self.worker.as_mut() else { return Ok(None) };
        let reply = worker.request(&request, self.cx.settings.case_timeout * 12)?;
        if reply.unsupported {
            return Ok(None);
        }
        let (delta, oracle_delta) = (reply.delta, reply.oracle_delta);
        let calls = rounds * i64::try_from(cases.len()).unwrap_or(i64::MAX);
        // What the Python-level equivalent also leaves behind is the interpreter's own
        // accounting, not the extension's.
        let leaked = delta >= rounds && delta - oracle_delta.max(0) >= rounds;
        let over_released = delta <= -rounds && delta - oracle_delta.min(0) <= -rounds;
        Ok((leaked || over_released).then_some(Leak { delta, oracle_delta, calls }))
    }

    fn refleak_fault(
        &mut self,
        mut result: EntryResult,
        property: &Property,
        args: &[PyValue],
        fault: &Fault,
    ) -> EntryResult {
        result.status = fault_status(fault);
        result.detail = Some(format!(
            "during the reference-leak check of {}{}: {}{}\n{}",
            property.routine,
            format_args(args),
            fault.summary(),
            super::failure::diagnosis(fault),
            fault.stderr().trim_end()
        ));
        self.restart();
        result
    }

    /// A property that passes its leak check alone but was running when the screening of
    /// `together` crashed: the combination takes the interpreter down.
    fn combination_crash(
        &self,
        mut result: EntryResult,
        property: &Property,
        fault: &Fault,
        together: &[&str],
    ) -> EntryResult {
        result.status = fault_status(fault);
        result.detail = Some(format!(
            "{} in {} while the reference-leak screening repeated it together with {} other properties' calls ({}); alone it passes, so an earlier call leaves the interpreter in a state that this one cannot take\nbuild: limited API {} with {} headers; interpreter {}\n{}",
            fault.summary(),
            property.routine,
            together.len().saturating_sub(1),
            together.join(", "),
            self.build.limited_api,
            self.build.headers,
            self.interpreter.label(),
            fault.stderr().trim_end()
        ));
        result
    }
}
