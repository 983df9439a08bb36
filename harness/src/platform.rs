//! Platforms: where an interpreter lives and runs. The host, or a Debian root filesystem
//! provisioned with `mmdebstrap` and entered with `chroot` (root only, Linux only: the probes
//! run there are built on a Linux host).
//!
//! A rootfs is cached by the hash of its declaration (suite, packages, mirror, and the
//! architecture when it is not the host's): a changed declaration builds a new one; an unchanged
//! one is reused across runs.
//!
//! A root filesystem may be of another architecture ([`Arch`]): i386 runs natively on an x86-64
//! kernel; arm64 and s390x run under qemu user-mode emulation, through the kernel's binfmt_misc
//! registration (Debian's `qemu-user-static`) when there is one, else by starting qemu directly
//! inside the chroot. Either way the emulator is copied into the root filesystem, since a chroot
//! cannot see the host's files.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

pub use crate::arch::{Arch, Execution};
use crate::process::{self, CommandLine};

/// Where interpreters run.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Platform {
    Host,
    Rootfs { name: String, root: PathBuf, arch: Arch },
}

/// A Debian root filesystem as `matrix.toml` declares it.
#[derive(Clone, Debug, PartialEq)]
pub struct DebianSpec {
    pub name: String,
    pub suite: String,
    pub packages: Vec<String>,
    pub mirror: String,
    /// Debian's name of the architecture (`--architectures=`); the host's by default.
    pub arch: Arch,
}

pub const DEFAULT_MIRROR: &str = "http://deb.debian.org/debian";

#[derive(Debug, thiserror::Error)]
pub enum PlatformError {
    #[error(
        "platform `{name}` is a Debian root filesystem, entered with chroot, which needs root: run the harness as root (for example with sudo), or remove the platform from the matrix"
    )]
    NotRoot { name: String },
    #[error("platform `{name}` needs mmdebstrap to provision its root filesystem: `apt-get install mmdebstrap`")]
    NoMmdebstrap { name: String },
    #[error("provisioning platform `{name}` (Debian {suite}) failed")]
    Provision {
        name: String,
        suite: String,
        #[source]
        source: Box<process::ProcessError>,
    },
    #[error("root filesystem {} does not exist or is not a directory", root.display())]
    NoRoot { root: PathBuf },
    #[error(
        "platform `{name}` is {arch}, which runs here under qemu user-mode emulation, but `{qemu}` was not found: install it with `apt-get install qemu-user-static binfmt-support` (and, where binfmt_misc is not mounted, `mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc`)"
    )]
    NoQemu { name: String, arch: Arch, qemu: String },
    #[error(
        "root filesystem {} of platform `{name}` is {found}, not {expected} as declared: fix the platform's `arch`, or remove the folder (`rm -rf {}`) so that it is provisioned again",
        root.display(),
        root.display()
    )]
    WrongArch { name: String, root: PathBuf, expected: Arch, found: String },
    #[error("cannot stage {} into platform `{name}`", path.display())]
    Stage {
        name: String,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl Platform {
    pub fn name(&self) -> &str {
        match self {
            Platform::Host => "host",
            Platform::Rootfs { name, .. } => name,
        }
    }

    pub fn arch(&self) -> Arch {
        match self {
            Platform::Host => Arch::host(),
            Platform::Rootfs { arch, .. } => *arch,
        }
    }

    pub fn root(&self) -> Option<&Path> {
        match self {
            Platform::Host => None,
            Platform::Rootfs { root, .. } => Some(root),
        }
    }

    /// A platform for a root filesystem given by the user (`check --rootfs DIR`).
    pub fn existing_rootfs(root: &Path) -> Result<Platform, PlatformError> {
        if !root.is_dir() {
            return Err(PlatformError::NoRoot { root: root.to_owned() });
        }
        require_root(&root.display().to_string())?;
        let name = format!("rootfs:{}", root.display());
        let root = root.canonicalize().unwrap_or_else(|_| root.to_owned());
        let arch = rootfs_arch(&root)
            .ok_or_else(|| PlatformError::WrongArch {
                name: name.clone(),
                root: root.clone(),
                expected: Arch::host(),
                found: "not a Debian root filesystem of a known architecture (no readable usr/bin/dpkg)".into(),
            })?
            .map_err(|found| PlatformError::WrongArch {
                name: name.clone(),
                root: root.clone(),
                expected: Arch::host(),
                found,
            })?;
        stage_emulator(&name, &root, arch)?;
        Ok(Platform::Rootfs { name, root, arch })
    }

    /// The command line that runs `program` (a path as the platform sees it) there: through
    /// `chroot`, and for an emulated architecture without a binfmt_misc registration, through
    /// the qemu copied into the root filesystem.
    pub fn command(&self, program: &Path) -> CommandLine {
        match self {
            Platform::Host => CommandLine::new(program),
            Platform::Rootfs { root, arch, .. } => {
                let mut command = CommandLine::new("chroot").arg(root.display().to_string());
                if let Execution::Emulated { qemu } = arch.execution_on(Arch::host())
                    && binfmt_registration(qemu).is_none()
                {
                    command = command.arg(direct_emulator_path(qemu).display().to_string());
                }
                for (key, value) in arch.emulator_env() {
                    command = command.env(*key, *value);
                }
                command.arg(program.display().to_string())
            }
        }
    }

    /// The host path of a path as the platform sees it.
    pub fn host_path(&self, inside: &Path) -> PathBuf {
        match self {
            Platform::Host => inside.to_owned(),
            Platform::Rootfs { root, .. } => root.join(inside.strip_prefix("/").unwrap_or(inside)),
        }
    }

    /// Makes a host file visible on the platform and returns the path the platform sees.
    /// Files are copied into a content-addressed folder, so staging is idempotent.
    pub fn stage(&self, host_file: &Path) -> Result<PathBuf, PlatformError> {
        let Platform::Rootfs { name, root, .. } = self else { return Ok(host_file.to_owned()) };
        let error = |source| PlatformError::Stage { name: name.clone(), path: host_file.to_owned(), source };
        let bytes = std::fs::read(host_file).map_err(error)?;
        let digest = Sha256::digest(&bytes);
        let key = crate::short_hex(&digest, 8);
        let file_name =
            host_file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "file".into());
        let inside = PathBuf::from("/var/tmp/abi-harness").join(key).join(file_name);
        let target = root.join(inside.strip_prefix("/").unwrap_or(&inside));
        if !target.is_file() {
            let dir = target.parent().unwrap_or(root);
            std::fs::create_dir_all(dir).map_err(error)?;
            // Cells stage in parallel; content-addressed, so whichever rename lands is right.
            if let Err(err) = crate::write_atomically(&target, &bytes) {
                if !target.is_file() {
                    return Err(error(err));
                }
            }
        }
        Ok(inside)
    }
}

/// Whether this process may chroot.
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

fn require_root(name: &str) -> Result<(), PlatformError> {
    if !is_root() {
        return Err(PlatformError::NotRoot { name: name.to_owned() });
    }
    Ok(())
}

impl DebianSpec {
    /// The cache folder name: changes whenever the declaration does.
    pub fn cache_key(&self) -> String {
        let mut packages = self.packages.clone();
        packages.sort();
        let mut hasher = Sha256::new();
        for part in [self.suite.as_str(), self.mirror.as_str(), &packages.join(","), "variant=apt"] {
            hasher.update(part.as_bytes());
            hasher.update([0]);
        }
        // The host's architecture leaves the key as it was before architectures existed, so
        // the root filesystems already cached stay valid.
        if self.arch != Arch::host() {
            hasher.update(format!("arch={}", self.arch).as_bytes());
            hasher.update([0]);
        }
        let key = crate::short_hex(&hasher.finalize(), 8);
        if self.arch == Arch::host() {
            format!("debian-{}-{key}", self.suite)
        } else {
            format!("debian-{}-{}-{key}", self.suite, self.arch)
        }
    }

    /// The root filesystem, provisioned now unless the cache has it; its architecture checked,
    /// and for an emulated one, the emulator staged into it.
    pub fn provision(&self, cache_root: &Path) -> Result<Platform, PlatformError> {
        self.provision_timed(cache_root).map(|(platform, _)| platform)
    }

    /// [`provision`](Self::provision), and how long provisioning took (`None`: cached).
    pub fn provision_timed(&self, cache_root: &Path) -> Result<(Platform, Option<Duration>), PlatformError> {
        require_root(&self.name)?;
        let root = cache_root.join(self.cache_key());
        let marker = root.join(".abi-harness-complete");
        let mut took = None;
        if let Execution::Emulated { qemu } = self.arch.execution_on(Arch::host()) {
            // Checked first: without the emulator mmdebstrap cannot configure the packages.
            host_emulator(&self.name, self.arch, qemu)?;
        }
        if !marker.is_file() {
            let mmdebstrap = CommandLine::new("mmdebstrap").arg("--version");
            if process::run_ok(&mmdebstrap, Duration::from_secs(30)).is_err() {
                return Err(PlatformError::NoMmdebstrap { name: self.name.clone() });
            }
            let started = Instant::now();
            let emulated = matches!(self.arch.execution_on(Arch::host()), Execution::Emulated { .. });
            eprintln!(
                "provisioning platform `{}`: Debian {} {} with {} ({})",
                self.name,
                self.suite,
                self.arch,
                self.packages.join(", "),
                if emulated { "a few minutes: its package scripts run under qemu" } else { "about a minute" }
            );
            let scratch = cache_root.join(format!("{}.tmp{}", self.cache_key(), std::process::id()));
            let _ = std::fs::remove_dir_all(&scratch);
            let stage_error = |source| PlatformError::Stage { name: self.name.clone(), path: root.clone(), source };
            std::fs::create_dir_all(cache_root).map_err(stage_error)?;
            let mut command = CommandLine::new("mmdebstrap");
            for (key, value) in self.arch.emulator_env() {
                command = command.env(*key, *value);
            }
            let command = command
                .args(["--variant=apt", "--quiet"])
                // The mirror may be a snapshot whose Release files have expired.
                .arg("--aptopt=Acquire::Check-Valid-Until \"false\"")
                .arg(format!("--architectures={}", self.arch))
                .arg(format!("--include={}", self.packages.join(",")))
                .arg(&self.suite)
                .arg(scratch.display().to_string())
                .arg(&self.mirror);
            // Emulated package scripts (byte-compiling the standard library under qemu) take
            // several times longer than native ones.
            let limit = Duration::from_secs(if emulated { 5400 } else { 1800 });
            if let Err(source) = process::run_ok(&command, limit) {
                // mmdebstrap killed at its time limit leaves /proc, /sys and /dev mounted in
                // its folder, where a later `rm -rf` would reach the host's: unmount them.
                unmount_below(&scratch);
                return Err(PlatformError::Provision {
                    name: self.name.clone(),
                    suite: self.suite.clone(),
                    source: Box::new(source),
                });
            }
            std::fs::write(scratch.join(".abi-harness-complete"), format!("{self:?}\n")).map_err(stage_error)?;
            if !marker.is_file() {
                let _ = std::fs::remove_dir_all(&root);
            }
            if let Err(err) = std::fs::rename(&scratch, &root) {
                // Another process provisioned the same declaration meanwhile: use its rootfs.
                let _ = std::fs::remove_dir_all(&scratch);
                if !marker.is_file() {
                    return Err(stage_error(err));
                }
            }
            took = Some(started.elapsed());
            eprintln!("provisioned `{}` in {:.0}s", self.name, started.elapsed().as_secs_f64());
        }
        match rootfs_arch(&root) {
            Some(Ok(found)) if found == self.arch => {}
            found => {
                let found = match found {
                    Some(Ok(arch)) => arch.to_string(),
                    Some(Err(other)) => other,
                    None => "unreadable (no usr/bin/dpkg)".into(),
                };
                return Err(PlatformError::WrongArch {
                    name: self.name.clone(),
                    root: root.clone(),
                    expected: self.arch,
                    found,
                });
            }
        }
        stage_emulator(&self.name, &root, self.arch)?;
        Ok((Platform::Rootfs { name: self.name.clone(), root, arch: self.arch }, took))
    }
}

/// Detaches every mount point at or below `dir` (deepest first), as a killed mmdebstrap leaves
/// them; best effort, since this runs on a failure path that reports the failure itself.
fn unmount_below(dir: &Path) {
    let Ok(mounts) = std::fs::read_to_string("/proc/mounts") else { return };
    let prefix = dir.display().to_string();
    let mut points: Vec<&str> = mounts
        .lines()
        .filter_map(|line| line.split(' ').nth(1))
        .filter(|point| *point == prefix || point.starts_with(&format!("{prefix}/")))
        .collect();
    points.sort_by_key(|point| std::cmp::Reverse(point.len()));
    for point in points {
        let _ = process::run_ok(&CommandLine::new("umount").args(["-l", point]), Duration::from_secs(30));
    }
}

/// The architecture of a root filesystem, read from its `dpkg` executable: `None` if there is
/// none, `Err` naming what it is if the harness does not know the architecture.
pub fn rootfs_arch(root: &Path) -> Option<Result<Arch, String>> {
    let identity = crate::elf::identify(&root.join("usr/bin/dpkg")).ok()?;
    Some(identity.arch().ok_or_else(|| identity.to_string()))
}

/// The binfmt_misc registration of `qemu-<name>`: the emulator path the kernel starts and
/// whether it opens it at registration time (flag `F`, then nothing needs copying), if the
/// registration is there and enabled.
fn binfmt_registration(qemu: &str) -> Option<(PathBuf, bool)> {
    let text = std::fs::read_to_string(format!("/proc/sys/fs/binfmt_misc/qemu-{qemu}")).ok()?;
    if text.lines().next()? != "enabled" {
        return None;
    }
    let interpreter = text.lines().find_map(|l| l.strip_prefix("interpreter "))?;
    let fixed = text.lines().find_map(|l| l.strip_prefix("flags: ")).is_some_and(|flags| flags.contains('F'));
    Some((PathBuf::from(interpreter), fixed))
}

/// Where the emulator goes inside a root filesystem when there is no binfmt_misc registration.
fn direct_emulator_path(qemu: &str) -> PathBuf {
    PathBuf::from(format!("/usr/libexec/abi-harness/qemu-{qemu}-static"))
}

/// The host's static qemu for an emulated architecture.
fn host_emulator(name: &str, arch: Arch, qemu: &str) -> Result<PathBuf, PlatformError> {
    let file = format!("qemu-{qemu}-static");
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(&file))
        .find(|candidate| candidate.is_file())
        .ok_or(PlatformError::NoQemu { name: name.to_owned(), arch, qemu: file })
}

/// Copies the host's static qemu into the root filesystem where the chroot will look for it:
/// the binfmt_misc registration's interpreter path (Debian registers without `F`, so the
/// kernel resolves it inside the chroot), or the harness's own path for direct invocation.
fn stage_emulator(name: &str, root: &Path, arch: Arch) -> Result<(), PlatformError> {
    let Execution::Emulated { qemu } = arch.execution_on(Arch::host()) else { return Ok(()) };
    let host = host_emulator(name, arch, qemu)?;
    let inside = match binfmt_registration(qemu) {
        Some((_, true)) => return Ok(()),
        Some((interpreter, false)) => interpreter,
        None => direct_emulator_path(qemu),
    };
    let target = root.join(inside.strip_prefix("/").unwrap_or(&inside));
    let error = |source| PlatformError::Stage { name: name.to_owned(), path: target.clone(), source };
    let wanted = std::fs::metadata(&host).map_err(error)?.len();
    if std::fs::symlink_metadata(&target).is_ok_and(|m| m.is_file() && m.len() == wanted) {
        return Ok(());
    }
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir).map_err(error)?;
    }
    let _ = std::fs::remove_file(&target);
    let bytes = std::fs::read(&host).map_err(error)?;
    crate::write_atomically(&target, &bytes).map_err(error)?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o755)).map_err(error)
}

/// Where provisioned root filesystems are kept: outside any checkout, so that a fresh clone
/// (and CI) reuses them. `ABI_HARNESS_ROOTFS_CACHE` overrides.
pub fn default_rootfs_cache() -> PathBuf {
    crate::user_cache_dir("ABI_HARNESS_ROOTFS_CACHE", "rootfs")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_key_follows_the_declaration() {
        let spec = DebianSpec {
            name: "sid".into(),
            suite: "sid".into(),
            packages: vec!["python3.13".into(), "python3.14".into()],
            mirror: DEFAULT_MIRROR.into(),
            arch: Arch::host(),
        };
        let reordered = DebianSpec { packages: vec!["python3.14".into(), "python3.13".into()], ..spec.clone() };
        let changed = DebianSpec { packages: vec!["python3.13".into()], ..spec.clone() };
        assert_eq!(spec.cache_key(), reordered.cache_key());
        assert_ne!(spec.cache_key(), changed.cache_key());
        assert!(spec.cache_key().starts_with("debian-sid-"));
        let foreign = if Arch::host() == Arch::S390x { Arch::Arm64 } else { Arch::S390x };
        let other_arch = DebianSpec { arch: foreign, ..spec.clone() };
        assert_ne!(spec.cache_key(), other_arch.cache_key());
        assert!(other_arch.cache_key().starts_with(&format!("debian-sid-{foreign}-")), "{}", other_arch.cache_key());
    }

    #[test]
    fn rootfs_paths_translate() {
        let platform = Platform::Rootfs { name: "sid".into(), root: PathBuf::from("/r"), arch: Arch::host() };
        assert_eq!(
            platform.host_path(Path::new("/usr/include/python3.13")),
            PathBuf::from("/r/usr/include/python3.13")
        );
        assert_eq!(platform.command(Path::new("/usr/bin/python3.13")).to_string(), "chroot /r /usr/bin/python3.13");
    }
}
