//! The parent side of a worker: one interpreter process running `probes/worker.py`.
//!
//! Requests and replies are JSON lines. A reply that does not come within the timeout kills the
//! worker's process group; a worker that dies is a crash with its exit status and the tail of
//! its stderr (where faulthandler writes the Python stack).

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value as Json;

use crate::interpreter::Interpreter;
use crate::process::{self, CommandLine, Exit};

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
    pub fn request(&mut self, request: &Json, timeout: Duration) -> Result<Json, Fault> {
        self.request_line(request.to_string(), timeout)
    }

    /// `request` for a request already in its JSON text form.
    pub fn request_line(&mut self, mut line: String, timeout: Duration) -> Result<Json, Fault> {
        line.push('\n');
        let written = match self.stdin.as_mut() {
            Some(stdin) => stdin.write_all(line.as_bytes()).and_then(|()| stdin.flush()).is_ok(),
            None => false,
        };
        if !written {
            return Err(self.died());
        }
        match self.replies.recv_timeout(timeout) {
            Ok(reply) => serde_json::from_str(&reply).map_err(|err| Fault::Protocol {
                message: format!("{err} in reply {:?}", process::tail(&reply, 300)),
                stderr: self.stderr_tail(),
            }),
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
