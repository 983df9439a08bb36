//! The one place that starts processes: interpreters, compilers, workers.
//!
//! Every child gets a clean Python environment (no `PYTHON*` variable but a fixed hash seed, no
//! user site, SIGINT at its default), its own process group (so a timeout kills everything it
//! started), and dies with the harness (`PR_SET_PDEATHSIG`, Linux only), so Ctrl-C never leaves
//! workers behind.
//! Process groups and signals make this module Unix-only.

use std::fmt;
use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// Besides every `PYTHON*` variable: others that change what an interpreter runs.
const ENV_TO_CLEAR: &[&str] = &["VIRTUAL_ENV", "CONDA_PREFIX", "__PYVENV_LAUNCHER__"];

/// A command line, kept for messages and replays.
#[derive(Clone, Debug)]
pub struct CommandLine {
    pub program: PathBuf,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
}

impl CommandLine {
    pub fn new(program: impl Into<PathBuf>) -> Self {
        CommandLine { program: program.into(), args: Vec::new(), env: Vec::new() }
    }

    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.args.push(arg.into());
        self
    }

    pub fn args<I: IntoIterator<Item = S>, S: Into<String>>(mut self, args: I) -> Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        command.args(&self.args);
        // Every PYTHON* variable goes, not a known list: any of them may change behaviour.
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("PYTHON") {
                command.env_remove(&key);
            }
        }
        for key in ENV_TO_CLEAR {
            command.env_remove(key);
        }
        command.env("PYTHONNOUSERSITE", "1");
        command.env("PYTHONDONTWRITEBYTECODE", "1");
        // Fixed string hashing: set and dict-key order, and hash() results, repeat across runs
        // and interpreters, so outcome fingerprints compare.
        command.env("PYTHONHASHSEED", "0");
        command.envs(self.env.iter().map(|(k, v)| (k, v)));
        command.process_group(0);
        // A harness started in the background (`cmd &` in a script) inherits SIGINT ignored,
        // and so would every child: Python then installs no KeyboardInterrupt handler, and the
        // signal contracts would meet another interpreter than the one users run. Children
        // start with the default disposition, whatever the harness's own.
        // SAFETY: signal() is async-signal-safe and touches only the child's own state.
        unsafe {
            command.pre_exec(|| {
                libc::signal(libc::SIGINT, libc::SIG_DFL);
                Ok(())
            });
        }
        // Linux only: other Unixes have no parent-death signal, so there a harness killed with
        // SIGKILL leaves its workers running (a timeout or a normal exit still ends them).
        #[cfg(target_os = "linux")]
        // SAFETY: prctl is async-signal-safe and touches only the child's own state.
        unsafe {
            command.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        command
    }
}

impl fmt::Display for CommandLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (key, value) in &self.env {
            write!(f, "{key}={} ", shell_quote(value))?;
        }
        write!(f, "{}", shell_quote(&self.program.to_string_lossy()))?;
        for arg in &self.args {
            write!(f, " {}", shell_quote(arg))?;
        }
        Ok(())
    }
}

/// Quotes a word for a POSIX shell, only when it needs it.
pub fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty() && word.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_./=:,+@%".contains(&b));
    if plain { word.to_owned() } else { format!("'{}'", word.replace('\'', r"'\''")) }
}

/// How a finished process ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Exit {
    Code(i32),
    Signal(i32),
}

impl Exit {
    pub fn from_status(status: ExitStatus) -> Exit {
        match (status.code(), status.signal()) {
            (Some(code), _) => Exit::Code(code),
            (None, Some(signal)) => Exit::Signal(signal),
            (None, None) => Exit::Code(-1),
        }
    }

    pub fn success(&self) -> bool {
        *self == Exit::Code(0)
    }
}

impl fmt::Display for Exit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Exit::Code(code) => write!(f, "exit code {code}"),
            Exit::Signal(signal) => write!(f, "killed by {}", signal_name(*signal)),
        }
    }
}

/// `SIGSEGV` rather than 11.
pub fn signal_name(signal: i32) -> String {
    let name = match signal {
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGABRT => "SIGABRT",
        libc::SIGBUS => "SIGBUS",
        libc::SIGFPE => "SIGFPE",
        libc::SIGILL => "SIGILL",
        libc::SIGKILL => "SIGKILL",
        libc::SIGTERM => "SIGTERM",
        libc::SIGINT => "SIGINT",
        libc::SIGTRAP => "SIGTRAP",
        libc::SIGPIPE => "SIGPIPE",
        _ => return format!("signal {signal}"),
    };
    name.to_owned()
}

/// A finished short-lived process.
#[derive(Debug)]
pub struct Output {
    pub exit: Exit,
    pub stdout: String,
    pub stderr: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ProcessError {
    #[error("cannot start `{command}`")]
    Spawn {
        command: String,
        #[source]
        source: std::io::Error,
    },
    #[error("`{command}` did not finish within {}s and was killed", timeout.as_secs())]
    TimedOut { command: String, timeout: Duration },
    #[error("`{command}` failed ({exit})\n{}", indent_output(stdout, stderr))]
    Failed { command: String, exit: Exit, stdout: String, stderr: String },
    #[error("io error while running `{command}`")]
    Io {
        command: String,
        #[source]
        source: std::io::Error,
    },
}

fn indent_output(stdout: &str, stderr: &str) -> String {
    let mut out = String::new();
    for (label, text) in [("stdout", stdout), ("stderr", stderr)] {
        let text = tail(text, 4000);
        if !text.trim().is_empty() {
            out.push_str(&format!("--- {label}:\n{}\n", text.trim_end()));
        }
    }
    out
}

/// The last `limit` bytes of a text, cut at a character boundary.
pub fn tail(text: &str, limit: usize) -> &str {
    if text.len() <= limit {
        return text;
    }
    let mut start = text.len() - limit;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}

/// Runs a short command to completion with a timeout; output goes through temporary files so a
/// chatty child can never block on a full pipe.
pub fn run(command: &CommandLine, timeout: Duration) -> Result<Output, ProcessError> {
    let text = command.to_string();
    let io = |source| ProcessError::Io { command: text.clone(), source };
    let mut stdout_file = tempfile_in_tmp().map_err(io)?;
    let mut stderr_file = tempfile_in_tmp().map_err(io)?;
    let mut child = command
        .command()
        .stdin(Stdio::null())
        .stdout(stdout_file.try_clone().map_err(io)?)
        .stderr(stderr_file.try_clone().map_err(io)?)
        .spawn()
        .map_err(|source| ProcessError::Spawn { command: text.clone(), source })?;
    let status = wait_with_timeout(&mut child, timeout).map_err(io)?;
    let Some(status) = status else {
        return Err(ProcessError::TimedOut { command: text, timeout });
    };
    let read = |file: &mut std::fs::File| -> std::io::Result<String> {
        use std::io::Seek;
        file.seek(std::io::SeekFrom::Start(0))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    };
    Ok(Output {
        exit: Exit::from_status(status),
        stdout: read(&mut stdout_file).map_err(io)?,
        stderr: read(&mut stderr_file).map_err(io)?,
    })
}

/// Like [`run`], but a non-zero exit is an error carrying the output.
pub fn run_ok(command: &CommandLine, timeout: Duration) -> Result<Output, ProcessError> {
    let output = run(command, timeout)?;
    if output.exit.success() {
        Ok(output)
    } else {
        Err(ProcessError::Failed {
            command: command.to_string(),
            exit: output.exit,
            stdout: output.stdout,
            stderr: output.stderr,
        })
    }
}

fn tempfile_in_tmp() -> std::io::Result<std::fs::File> {
    // An unnamed file: nothing to clean up, even after a crash.
    let dir = std::env::temp_dir();
    let path = dir.join(format!("abi-harness-{}-{}", std::process::id(), unique()));
    let file = std::fs::OpenOptions::new().read(true).write(true).create_new(true).open(&path)?;
    std::fs::remove_file(&path)?;
    Ok(file)
}

/// A number no other call in this process gets: for scratch file names.
pub fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    COUNTER.fetch_add(1, Ordering::Relaxed)
}

/// Waits for a child; on timeout kills its whole process group and returns `None`.
pub fn wait_with_timeout(child: &mut Child, timeout: Duration) -> std::io::Result<Option<ExitStatus>> {
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(1);
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        if Instant::now() >= deadline {
            kill_group(child);
            let _ = child.wait();
            return Ok(None);
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(50));
    }
}

/// Kills a child and everything in its process group.
pub fn kill_group(child: &mut Child) {
    if let Ok(pid) = i32::try_from(child.id()) {
        // SAFETY: signalling a process group we created; a stale id at worst hits nothing.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
    let _ = child.kill();
}

/// Spawns a long-lived child with piped stdin/stdout and stderr to `stderr_path`.
pub fn spawn_piped(command: &CommandLine, stderr_path: &Path) -> Result<Child, ProcessError> {
    let text = command.to_string();
    let stderr =
        std::fs::File::create(stderr_path).map_err(|source| ProcessError::Io { command: text.clone(), source })?;
    command
        .command()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .map_err(|source| ProcessError::Spawn { command: text, source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_when_needed() {
        assert_eq!(shell_quote("/usr/bin/python3"), "/usr/bin/python3");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote("[1, 2]"), "'[1, 2]'");
    }

    #[test]
    fn reports_signals_and_timeouts() {
        let out = run(&CommandLine::new("sh").args(["-c", "kill -SEGV $$"]), Duration::from_secs(10)).unwrap();
        assert_eq!(out.exit, Exit::Signal(libc::SIGSEGV));
        assert_eq!(out.exit.to_string(), "killed by SIGSEGV");
        let err = run(&CommandLine::new("sleep").arg("30"), Duration::from_millis(200)).unwrap_err();
        assert!(matches!(err, ProcessError::TimedOut { .. }));
    }
}
