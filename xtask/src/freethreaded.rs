//! `cargo xtask freethreaded`: a free-threaded CPython (`--disable-gil`) built from source, for
//! the refusal cells of abi3 builds (PEP 703: a free-threaded interpreter must not load abi3
//! extensions). No distribution ships a free-threaded build, and pyenv's here are GIL-enabled;
//! Debian serves trixie's CPython 3.13 source, whose upstream tarball is built here unpatched.
//!
//! Cached in `~/.cache/abi-harness/cpython/<version>t` (or `$ABI_HARNESS_CPYTHON_CACHE`): built
//! into a scratch prefix and moved into place when installed, so an interrupted build leaves
//! nothing that looks finished. Prints the interpreter's path last.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use xshell::{Shell, cmd};

/// Debian trixie's `python3.13` source package (3.13.5-2+deb13u5): its upstream tarball and
/// that tarball's SHA-256, as trixie's `Sources` index lists them.
const VERSION: &str = "3.13.5";
const TARBALL_URL: &str = "http://deb.debian.org/debian/pool/main/p/python3.13/python3.13_3.13.5.orig.tar.xz";
const TARBALL_SHA256: &str = "93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640";

pub fn run(sh: &Shell, args: &[String]) -> Result<()> {
    if let Some(arg) = args.first() {
        bail!("`cargo xtask freethreaded` takes no arguments, got `{arg}`");
    }
    let python = ensure(sh)?;
    println!("{}", python.display());
    Ok(())
}

/// The free-threaded interpreter's path, built first if it is not in the cache.
pub fn ensure(sh: &Shell) -> Result<PathBuf> {
    let cache = abi_harness::user_cache_dir("ABI_HARNESS_CPYTHON_CACHE", "cpython");
    let prefix = cache.join(format!("{VERSION}t"));
    let python = interpreter_in(&prefix);
    if python.is_file() {
        check_free_threaded(sh, &python)?;
        eprintln!("free-threaded CPython {VERSION}: cached in {}", prefix.display());
        return Ok(python);
    }
    let started = Instant::now();
    let scratch = cache.join(format!("{VERSION}t.building"));
    if scratch.exists() {
        std::fs::remove_dir_all(&scratch).with_context(|| format!("removing {}", scratch.display()))?;
    }
    std::fs::create_dir_all(&scratch).with_context(|| format!("creating {}", scratch.display()))?;
    let tarball = scratch.join("cpython.tar.xz");
    eprintln!("free-threaded CPython {VERSION}: fetching {TARBALL_URL}");
    cmd!(sh, "curl --fail --silent --show-error --location --retry 3 -o {tarball} {TARBALL_URL}")
        .run()
        .context("fetching CPython's source from Debian (is deb.debian.org reachable, and curl installed?)")?;
    let listing = format!("{TARBALL_SHA256}  {}\n", tarball.display());
    cmd!(sh, "sha256sum --check --quiet -").stdin(listing).run().context("the source tarball's SHA-256")?;
    cmd!(sh, "tar -xf {tarball} -C {scratch}").run()?;
    let source = scratch.join(format!("Python-{VERSION}"));
    // Installed where it is built, then moved: the rpath names the final place.
    let installed = scratch.join("prefix");
    let rpath = format!("LDFLAGS=-Wl,-rpath,{}", prefix.join("lib").display());
    let jobs = std::thread::available_parallelism().map_or(2, |n| n.get()).to_string();
    let _in_source = sh.push_dir(&source);
    eprintln!(
        "free-threaded CPython {VERSION}: configure --disable-gil --enable-shared, make -j{jobs} (about 5 minutes)"
    );
    let configure =
        cmd!(sh, "./configure --quiet --disable-gil --enable-shared --prefix={prefix} {rpath}").ignore_stdout();
    configure.run().context("configuring CPython (is a C compiler installed?)")?;
    cmd!(sh, "make --silent -j{jobs}").ignore_stdout().quiet().run().context("building CPython")?;
    cmd!(sh, "make --silent install DESTDIR={installed}")
        .ignore_stdout()
        .quiet()
        .run()
        .context("installing CPython")?;
    drop(_in_source);
    // DESTDIR keeps the prefix's full path under it.
    let built = installed.join(prefix.strip_prefix("/").unwrap_or(&prefix));
    std::fs::rename(&built, &prefix).with_context(|| format!("moving {} to {}", built.display(), prefix.display()))?;
    std::fs::remove_dir_all(&scratch).with_context(|| format!("removing {}", scratch.display()))?;
    check_free_threaded(sh, &python)?;
    eprintln!(
        "free-threaded CPython {VERSION}: built in {:.0} s, in {}",
        started.elapsed().as_secs_f64(),
        prefix.display()
    );
    Ok(python)
}

fn interpreter_in(prefix: &Path) -> PathBuf {
    prefix.join("bin").join("python3.13t")
}

fn check_free_threaded(sh: &Shell, python: &Path) -> Result<()> {
    let script = "import sysconfig; print(sysconfig.get_config_var('Py_GIL_DISABLED'))";
    let answer = cmd!(sh, "{python} -c {script}").read().with_context(|| format!("running {}", python.display()))?;
    if answer.trim() != "1" {
        bail!("{} is not a free-threaded build (Py_GIL_DISABLED = {answer})", python.display());
    }
    Ok(())
}
