//! The parent side of a worker: one interpreter process running `probes/worker.py`.
//!
//! Requests and replies are the typed ops of [`crate::protocol`], one JSON line each. A reply
//! that does not come within the timeout kills the worker's process group; a worker that dies
//! is a crash with its exit status and the tail of its stderr (where faulthandler writes the
//! Python stack, and the probe's crash handler the entry it was calling: [`Breadcrumb`]).

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin};
use std::sync::mpsc;
use std::time::Duration;

use crate::interpreter::Interpreter;
use crate::process::{self, CommandLine, Exit};
use crate::protocol::{Op, WorkerError};

/// Why a request got no reply.
#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    /// The worker died: a signal (SIGSEGV, SIGABRT from a fatal error) or an exit.
    Crashed { exit: Exit, stderr: String },
    /// No reply in time; the worker was killed.
    TimedOut { after: Duration, stderr: String },
    /// The worker replied something that is not the protocol.
    Protocol { message: String, stderr: String },
}

impl Fault {
    pub fn stderr(&self) -> &str {
        match self {
            Fault::Crashed { stderr, .. } | Fault::TimedOut { stderr, .. } | Fault::Protocol { stderr, .. } => stderr,
        }
    }

    pub fn summary(&self) -> String {
        match self {
            Fault::Crashed { exit, .. } => format!("worker {exit}"),
            Fault::TimedOut { after, .. } => format!("no reply within {:.1}s; worker killed", after.as_secs_f64()),
            Fault::Protocol { message, .. } => format!("protocol error: {message}"),
        }
    }

    pub fn timed_out(&self) -> bool {
        matches!(self, Fault::TimedOut { .. })
    }

    /// What the probe's crash handler wrote before the process died, if anything.
    pub fn breadcrumb(&self) -> Breadcrumb {
        Breadcrumb::read(self.stderr())
    }
}

/// Where in the probe a worker died, as the probe's crash handler (`abi3probe.c`,
/// `on_fatal_signal`) wrote it to stderr: the API entry its own code was calling (set-up or
/// dispatch), the routine running. Each worker has its own stderr file, so it holds one crash.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Breadcrumb {
    /// `(phase, entry)`: `("set-up", "PyModule_AddObject")`.
    pub call: Option<(String, String)>,
    pub routine: Option<String>,
}

impl Breadcrumb {
    pub fn read(stderr: &str) -> Breadcrumb {
        let mut crumb = Breadcrumb::default();
        for line in stderr.lines() {
            if let Some(rest) = line.strip_prefix("abi3probe: fatal signal in the probe's ") {
                if let Some((phase, entry)) = rest.split_once(" call to ") {
                    crumb.call = Some((phase.to_owned(), entry.trim().to_owned()));
                }
            } else if let Some(routine) = line.strip_prefix("abi3probe: fatal signal in routine ") {
                crumb.routine = Some(routine.trim().to_owned());
            }
        }
        crumb
    }
}

pub struct Worker {
    child: Child,
    stdin: Option<ChildStdin>,
    replies: mpsc::Receiver<String>,
    stderr_path: PathBuf,
    pub command: CommandLine,
}

/// How much of a dead worker's stderr goes into a result.
const STDERR_TAIL: usize = 3000;

impl Worker {
    /// Starts `worker.py` (already staged on the interpreter's platform) in the interpreter.
    pub fn start(
        interpreter: &Interpreter,
        worker_py: &Path,
        oracles_py: &Path,
        stderr_path: &Path,
    ) -> Result<Worker, process::ProcessError> {
        // Not `-I`: it would ignore PYTHONHASHSEED. `process` clears every other PYTHON* variable.
        let command = interpreter.command().args([
            "-s".to_owned(),
            "-X".to_owned(),
            "faulthandler".to_owned(),
            worker_py.display().to_string(),
            oracles_py.display().to_string(),
        ]);
        let mut child = process::spawn_piped(&command, stderr_path)?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take();
        let (sender, replies) = mpsc::channel();
        if let Some(stdout) = stdout {
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines() {
                    let Ok(line) = line else { break };
                    if sender.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        Ok(Worker { child, stdin, replies, stderr_path: stderr_path.to_owned(), command })
    }

    /// Sends one request and waits for its reply.
    pub fn request<R: Op>(&mut self, request: &R, timeout: Duration) -> Result<R::Reply, Fault> {
        let line = serde_json::to_string(request).map_err(|err| Fault::Protocol {
            message: format!("request not serializable: {err}"),
            stderr: String::new(),
        })?;
        let reply = self.exchange(line, timeout)?;
        serde_json::from_str(&reply).map_err(|err| {
            let message = match serde_json::from_str::<WorkerError>(&reply) {
                Ok(WorkerError { error }) => format!("the worker could not serve the request: {error}"),
                Err(_) => format!("{err} in reply {:?}", process::tail(&reply, 300)),
            };
            Fault::Protocol { message, stderr: self.stderr_tail() }
        })
    }

    fn exchange(&mut self, mut line: String, timeout: Duration) -> Result<String, Fault> {
        line.push('\n');
        let written = match self.stdin.as_mut() {
            Some(stdin) => stdin.write_all(line.as_bytes()).and_then(|()| stdin.flush()).is_ok(),
            None => false,
        };
        if !written {
            return Err(self.died());
        }
        match self.replies.recv_timeout(timeout) {
            Ok(reply) => Ok(reply),
            Err(mpsc::RecvTimeoutError::Timeout) => {
                // SIGABRT first: faulthandler dumps every thread's Python stack to stderr, which
                // says where it hung. Then the whole group goes.
                if let Ok(pid) = i32::try_from(self.child.id()) {
                    // SAFETY: signalling our own child.
                    unsafe {
                        libc::kill(pid, libc::SIGABRT);
                    }
                }
                let _ = process::wait_with_timeout(&mut self.child, Duration::from_secs(2));
                process::kill_group(&mut self.child);
                let _ = self.child.wait();
                Err(Fault::TimedOut { after: timeout, stderr: self.stderr_tail() })
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(self.died()),
        }
    }

    fn died(&mut self) -> Fault {
        self.stdin = None;
        let status = process::wait_with_timeout(&mut self.child, Duration::from_secs(10)).ok().flatten();
        let stderr = self.stderr_tail();
        match status {
            Some(status) => Fault::Crashed { exit: Exit::from_status(status), stderr },
            None => Fault::TimedOut { after: Duration::from_secs(10), stderr },
        }
    }

    pub fn stderr_tail(&self) -> String {
        let bytes = std::fs::read(&self.stderr_path).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        process::tail(&text, STDERR_TAIL).to_owned()
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.stdin = None;
        // A worker asked to stop exits at end of input; one that does not is killed.
        if process::wait_with_timeout(&mut self.child, Duration::from_millis(500)).ok().flatten().is_none() {
            process::kill_group(&mut self.child);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_breadcrumb_names_the_last_crash_call_and_routine() {
        let stderr = "\nabi3probe: fatal signal in the probe's dispatch call to PyTuple_GetSlice\n\
                      \nabi3probe: fatal signal in routine long_as_double\nFatal Python error: Segmentation fault\n";
        let crumb = Breadcrumb::read(stderr);
        assert_eq!(crumb.call, Some(("dispatch".into(), "PyTuple_GetSlice".into())));
        assert_eq!(crumb.routine.as_deref(), Some("long_as_double"));
        assert_eq!(Breadcrumb::read("Segmentation fault").call, None);
    }
}
