//! Starting a cell's worker: the interpreter, the import check, the presence check, the probe
//! and its properties. Set-up calls no API entry under test where it can help it (presence and
//! the routine list go through ctypes); where it must (the probe's own module set-up), the probe
//! marks each call, and a crash there is charged to that entry and set-up goes on without it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{Session, fault_status};
use crate::build::{LINK_MODULE, PROBE_MODULE};
use crate::protocol::{self, Define, Hello, Import, Op, Presence, PropertySpec, Routines};
use crate::report::{Check, EntryResult, ResultKind, Status};
use crate::worker::{Fault, Worker};

/// Replies to set-up requests come fast; this bounds a wedged start.
const SETUP_TIMEOUT: Duration = Duration::from_secs(60);

/// Set-up crashes charged to an entry, at most, before a cell gives up: each one removes one
/// call from set-up, and set-up has few.
const MAX_SETUP_CHARGES: usize = 6;

/// Why a start failed.
pub(super) enum StartError {
    /// The worker died or hung in a set-up step.
    Fault { step: &'static str, fault: Fault },
    /// Something else stopped it (no interpreter, a probe that does not import).
    Other(String),
}

impl StartError {
    /// In words, for a result's detail.
    pub(super) fn describe(&self) -> String {
        match self {
            StartError::Other(detail) => detail.clone(),
            StartError::Fault { step, fault } => {
                format!("worker failed during `{step}`: {}\n{}", fault.summary(), fault.stderr())
            }
        }
    }
}

impl<'a> Session<'a> {
    /// Starts a worker and loads the probes. The first start also records the import and
    /// presence results. A crash the probe's set-up marks as a call to an API entry is charged
    /// to that entry (a `crash` result) and the worker starts again without that call; any
    /// other failure ends the cell with a `crash` of the probe's import.
    pub(super) fn start(&mut self) -> Result<(), Box<EntryResult>> {
        loop {
            let error = match self.try_start() {
                Ok(()) => return Ok(()),
                Err(error) => error,
            };
            self.worker = None;
            let detail = match error {
                StartError::Other(detail) => detail,
                StartError::Fault { step, fault } => {
                    if step == "import-link" {
                        self.linked = true;
                        self.results.push(self.link_crash(&fault));
                        continue;
                    }
                    match fault.breadcrumb().call {
                        Some((phase, entry))
                            if phase == "set-up"
                                && !self.avoid.contains(&entry)
                                && self.avoid.len() < MAX_SETUP_CHARGES =>
                        {
                            self.results.push(self.setup_crash(&entry, &fault));
                            self.avoid.push(entry);
                            continue;
                        }
                        _ => StartError::Fault { step, fault }.describe(),
                    }
                }
            };
            return Err(Box::new(EntryResult::new(
                PROBE_MODULE,
                ResultKind::Probe,
                Check::Import,
                Status::Crash,
                Some(detail),
            )));
        }
    }

    /// Starts again after a crash, keeping what set-up has learnt; `false` if no worker runs
    /// (the first such failure is the cell's result; its later properties are skipped).
    pub(super) fn restart(&mut self) -> bool {
        self.worker = None;
        if self.gave_up {
            return false;
        }
        match self.start() {
            Ok(()) => true,
            Err(result) => {
                self.gave_up = true;
                self.results.push(*result);
                false
            }
        }
    }

    /// A file staged where the cell's interpreter sees it.
    pub(super) fn stage(&self, path: &Path) -> Result<PathBuf, StartError> {
        self.interpreter.platform().stage(path).map_err(|err| StartError::Other(crate::error_chain(&err)))
    }

    /// A worker on the cell's interpreter that speaks this protocol; nothing imported yet.
    pub(super) fn spawn_worker(&self) -> Result<Worker, StartError> {
        let (worker_py, oracles_py) = (self.stage(self.cx.worker_py)?, self.stage(self.cx.oracles_py)?);
        let mut worker = Worker::start(self.interpreter, &worker_py, &oracles_py, &self.stderr_path)
            .map_err(|err| StartError::Other(format!("cannot start a worker: {}", crate::error_chain(&err))))?;
        let hello =
            worker.request(&Hello {}, SETUP_TIMEOUT).map_err(|fault| StartError::Fault { step: "hello", fault })?;
        if hello.protocol != protocol::PROTOCOL_VERSION {
            return Err(StartError::Other(format!(
                "worker speaks protocol {}, expected {}",
                hello.protocol,
                protocol::PROTOCOL_VERSION
            )));
        }
        Ok(worker)
    }

    fn try_start(&mut self) -> Result<(), StartError> {
        let (probe, link_probe) = (self.stage(&self.build.probe)?, self.stage(&self.build.link_probe)?);
        self.worker = Some(self.spawn_worker()?);

        if !self.linked && self.cx.checks.contains(&Check::Import) {
            let path = link_probe.display().to_string();
            let imported = self.setup("import-link", &Import { module: LINK_MODULE, path: &path, avoid: &[] })?;
            self.linked = true;
            let results = self.import_results(&imported);
            self.results.extend(results);
        }
        let path = probe.display().to_string();
        let avoid = self.avoid.clone();
        let imported = self.setup("import", &Import { module: PROBE_MODULE, path: &path, avoid: &avoid })?;
        if !imported.ok {
            return Err(StartError::Other(format!(
                "the semantic probe did not import: {}",
                imported.error.as_deref().unwrap_or("?")
            )));
        }
        if self.presence && !self.presence_done && self.cx.checks.contains(&Check::Presence) {
            let names = self.presence_names();
            let reply = self.setup("presence", &Presence { names: &names })?;
            self.presence_done = true;
            for name in names {
                let kind = self.entry_kind(name);
                let absent = reply.missing.iter().any(|m| m == name);
                self.results.push(EntryResult::new(
                    name.to_owned(),
                    kind,
                    Check::Presence,
                    if absent { Status::Fail } else { Status::Pass },
                    absent.then(|| {
                        format!("`{name}` is not exported by {} (dlsym found nothing)", self.interpreter.label())
                    }),
                ));
            }
        }

        let available = self.setup("routines", &Routines {})?.routines;
        if self.build.variant.target == crate::variant::Target::Abi3t && !self.abi3t_skips_done {
            self.skip_hidden_by_abi3t(&available);
            self.abi3t_skips_done = true;
        }
        self.defined = self
            .cx
            .properties
            .iter()
            .enumerate()
            .filter(|(_, p)| available.iter().any(|r| r == p.routine))
            .filter(|(_, p)| self.cx.only_entries.is_empty() || self.cx.only_entries.iter().any(|e| e == p.entry))
            .map(|(n, _)| n)
            .collect();
        let properties = self
            .defined
            .iter()
            .map(|&n| PropertySpec { routine: self.cx.properties[n].routine, oracle: self.cx.properties[n].oracle })
            .collect();
        let defined = self.setup("define", &Define { properties })?;
        if !defined.ok {
            return Err(StartError::Other(format!(
                "defining properties failed: {}",
                defined.error.as_deref().unwrap_or("?")
            )));
        }
        Ok(())
    }

    /// An abi3t build leaves out the routines that need the object layout (the contract's
    /// `abi3t`): each such property of an entry the build's version offers is a `skip` with
    /// that reason, never silently absent.
    fn skip_hidden_by_abi3t(&mut self, available: &[String]) {
        let limited_api = self.build.limited_api;
        for property in self.cx.properties {
            let Some(reason) = property.not_abi3t else { continue };
            let offered = self.cx.manifest.get(property.entry).is_none_or(|e| e.available_in(limited_api));
            let wanted = self.cx.only_entries.is_empty() || self.cx.only_entries.iter().any(|e| e == property.entry);
            if offered && wanted && !available.iter().any(|r| r == property.routine) {
                let detail = format!("not built for abi3t (Py_TARGET_ABI3T): {reason}");
                self.results.push(self.semantic_result(property, Status::Skip, Some(detail)));
            }
        }
    }

    fn setup<R: Op>(&mut self, step: &'static str, request: &R) -> Result<R::Reply, StartError> {
        let worker = self.worker.as_mut().ok_or_else(|| StartError::Other("no worker".into()))?;
        worker.request(request, SETUP_TIMEOUT).map_err(|fault| StartError::Fault { step, fault })
    }

    /// Functions and data of the interpreter's own version, with their feature macro defined.
    fn presence_names(&self) -> Vec<&'a str> {
        self.cx
            .manifest
            .entries
            .iter()
            .filter(|e| e.kind.is_symbol() && e.available_in(self.interpreter.minor))
            .filter(|e| e.ifdef.as_deref().is_none_or(|f| self.interpreter.has_feature(f)))
            .map(|e| e.name.as_str())
            .collect()
    }

    /// A crash in a call the probe's set-up made to `entry`, charged to that entry.
    fn setup_crash(&self, entry: &str, fault: &Fault) -> EntryResult {
        EntryResult::new(
            entry,
            self.entry_kind(entry),
            Check::Import,
            fault_status(fault),
            Some(format!(
                "{} in `{entry}`, called by the set-up of an abi3 extension (the probe's module initialisation, limited API {} with {} headers) on {}; the cell went on with set-up avoiding `{entry}`\n{}",
                fault.summary(),
                self.build.limited_api,
                self.build.headers,
                self.interpreter.label(),
                fault.stderr().trim_end()
            )),
        )
    }

    /// The strongly linked probe took the worker down while it was imported.
    fn link_crash(&self, fault: &Fault) -> EntryResult {
        EntryResult::new(
            LINK_MODULE,
            ResultKind::Probe,
            Check::Import,
            fault_status(fault),
            Some(format!(
                "importing an extension built for limited API {} that references all {} function and data entries: {}\n{}",
                self.build.limited_api,
                self.build.linked_symbols.len(),
                fault.summary(),
                fault.stderr().trim_end()
            )),
        )
    }

    fn import_results(&self, reply: &protocol::Done) -> Vec<EntryResult> {
        let mut results = Vec::new();
        let error = reply.error.clone().unwrap_or_default();
        results.push(EntryResult::new(
            LINK_MODULE,
            ResultKind::Probe,
            Check::Import,
            if reply.ok { Status::Pass } else { Status::Fail },
            (!reply.ok).then(|| {
                format!(
                    "an extension built for limited API {} referencing all {} function and data entries does not import: {error}",
                    self.build.limited_api,
                    self.build.linked_symbols.len()
                )
            }),
        ));
        // The loader names the first symbol it could not bind: charge it to that entry.
        if let Some(symbol) =
            error.split("undefined symbol: ").nth(1).map(|rest| rest.split_whitespace().next().unwrap_or(""))
        {
            results.push(EntryResult::new(
                symbol.to_owned(),
                self.entry_kind(symbol),
                Check::Import,
                Status::Fail,
                Some(format!(
                    "an abi3 extension built for {} that uses `{symbol}` cannot be imported by {}: {error}",
                    self.build.limited_api,
                    self.interpreter.label()
                )),
            ));
        }
        results
    }
}
