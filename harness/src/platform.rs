//! Platforms: where an interpreter lives and runs. The host, or a Debian root filesystem
//! provisioned with `mmdebstrap` and entered with `chroot` (root only, Linux only: the probes
//! run there are built on a Linux host).
//!
//! A rootfs is cached by the hash of its declaration (suite, packages, mirror): a changed
//! declaration builds a new one; an unchanged one is reused across runs.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::process::{self, CommandLine};

/// Where interpreters run.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Platform {
    Host,
    Rootfs { name: String, root: PathBuf },
}

/// A Debian root filesystem as `matrix.toml` declares it.
#[derive(Clone, Debug, PartialEq)]
pub struct DebianSpec {
    pub name: String,
    pub suite: String,
    pub packages: Vec<String>,
    pub mirror: String,
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
        Ok(Platform::Rootfs { name, root: root.canonicalize().unwrap_or_else(|_| root.to_owned()) })
    }

    /// The command line that runs `program` (a path as the platform sees it) there.
    pub fn command(&self, program: &Path) -> CommandLine {
        match self {
            Platform::Host => CommandLine::new(program),
            Platform::Rootfs { root, .. } => {
                CommandLine::new("chroot").arg(root.display().to_string()).arg(program.display().to_string())
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
        let Platform::Rootfs { name, root } = self else { return Ok(host_file.to_owned()) };
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
        let key = crate::short_hex(&hasher.finalize(), 8);
        format!("debian-{}-{key}", self.suite)
    }

    /// The root filesystem, provisioned now unless the cache has it.
    pub fn provision(&self, cache_root: &Path) -> Result<Platform, PlatformError> {
        require_root(&self.name)?;
        let root = cache_root.join(self.cache_key());
        let marker = root.join(".abi-harness-complete");
        if !marker.is_file() {
            let mmdebstrap = CommandLine::new("mmdebstrap").arg("--version");
            if process::run_ok(&mmdebstrap, Duration::from_secs(30)).is_err() {
                return Err(PlatformError::NoMmdebstrap { name: self.name.clone() });
            }
            let started = Instant::now();
            eprintln!(
                "provisioning platform `{}`: Debian {} with {} (about a minute)",
                self.name,
                self.suite,
                self.packages.join(", ")
            );
            let scratch = cache_root.join(format!("{}.tmp{}", self.cache_key(), std::process::id()));
            let _ = std::fs::remove_dir_all(&scratch);
            let stage_error = |source| PlatformError::Stage { name: self.name.clone(), path: root.clone(), source };
            std::fs::create_dir_all(cache_root).map_err(stage_error)?;
            let command = CommandLine::new("mmdebstrap")
                .args(["--variant=apt", "--quiet"])
                // The mirror may be a snapshot whose Release files have expired.
                .arg("--aptopt=Acquire::Check-Valid-Until \"false\"")
                .arg(format!("--include={}", self.packages.join(",")))
                .arg(&self.suite)
                .arg(scratch.display().to_string())
                .arg(&self.mirror);
            process::run_ok(&command, Duration::from_secs(1800)).map_err(|source| PlatformError::Provision {
                name: self.name.clone(),
                suite: self.suite.clone(),
                source: Box::new(source),
            })?;
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
            eprintln!("provisioned `{}` in {:.0}s", self.name, started.elapsed().as_secs_f64());
        }
        Ok(Platform::Rootfs { name: self.name.clone(), root })
    }
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
        };
        let reordered = DebianSpec { packages: vec!["python3.14".into(), "python3.13".into()], ..spec.clone() };
        let changed = DebianSpec { packages: vec!["python3.13".into()], ..spec.clone() };
        assert_eq!(spec.cache_key(), reordered.cache_key());
        assert_ne!(spec.cache_key(), changed.cache_key());
        assert!(spec.cache_key().starts_with("debian-sid-"));
    }

    #[test]
    fn rootfs_paths_translate() {
        let platform = Platform::Rootfs { name: "sid".into(), root: PathBuf::from("/r") };
        assert_eq!(
            platform.host_path(Path::new("/usr/include/python3.13")),
            PathBuf::from("/r/usr/include/python3.13")
        );
        assert_eq!(platform.command(Path::new("/usr/bin/python3.13")).to_string(), "chroot /r /usr/bin/python3.13");
    }
}
