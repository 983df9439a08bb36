//! Build variants: the other ways a real extension of one limited-API version is built, each a
//! promise of its own (issue 13). The default is what the probe always was: C, the host's
//! `cc` (gcc), the `abi3` target, `PY_SSIZE_T_CLEAN` defined. A leaf: pure data, no IO.

use std::fmt;

use crate::version::PyVersion;

/// How one probe build differs from the default. Each field is one axis of `[[builds.variants]]`
/// in `matrix.toml`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Variant {
    pub target: Target,
    /// `PY_SSIZE_T_CLEAN` defined before `Python.h`. Without it, headers before 3.13 give the
    /// `#` formats of `PyArg_Parse*` and `Py_BuildValue` `int` lengths and link the plain symbols.
    pub ssize_t_clean: bool,
    pub language: Language,
    pub compiler: Compiler,
}

/// The stable ABI a build targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    /// `Py_LIMITED_API`: `.abi3.so`.
    Abi3,
    /// PEP 803's `Py_TARGET_ABI3T` (3.15+): opaque `PyObject`, a `PyModExport_` hook,
    /// `.abi3t.so`; loads in free-threaded and GIL-enabled interpreters alike.
    Abi3t,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Language {
    C,
    /// The probe's source compiled as C++ (`-x c++`): the headers take their `__cplusplus`
    /// paths (casts, `Py_NULL`, inline functions).
    Cxx,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Compiler {
    /// The host's `cc` (`$CC`), or Debian's cross gcc for another architecture.
    Gcc,
    /// Debian's `clang` (`$ABI_HARNESS_CLANG`), host architecture only.
    Clang,
}

impl Target {
    /// The preprocessor definitions that select this target at `limited_api`, as compiler
    /// arguments: the one place both the probe builds and the static check take them from.
    pub fn defines(self, limited_api: PyVersion) -> Vec<String> {
        let hex = limited_api.limited_api_hex();
        let mut defines = vec![format!("-DPy_LIMITED_API={hex}")];
        if self == Target::Abi3t {
            defines.push(format!("-DPy_TARGET_ABI3T={hex}"));
        }
        defines
    }
}

/// The first limited-API version with `Py_TARGET_ABI3T`.
pub const ABI3T_SINCE: PyVersion = PyVersion::new(3, 15);
/// From 3.13 on the headers use `Py_ssize_t` lengths whether `PY_SSIZE_T_CLEAN` is defined or not.
pub const SSIZE_T_CLEAN_IMPLIED_SINCE: PyVersion = PyVersion::new(3, 13);

/// What the promise says an interpreter does with an extension built for a target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loading {
    /// It loads (given a limited API at or below the interpreter's version).
    Loads,
    /// It must be refused, whatever the limited API: the import system must not pick the file
    /// up, and a copy installed under a suffix it accepts must fail to load with an ImportError
    /// (`load_as`), not load and not crash.
    Refused { why: &'static str, load_as: Option<&'static str> },
}

impl Target {
    /// PEP 384 (abi3 on every CPython 3.2+), PEP 703 (a free-threaded build has no abi3) and
    /// PEP 803 (abi3t from 3.15, on both kinds of build).
    pub fn loading(self, minor: PyVersion, free_threaded: bool) -> Loading {
        match self {
            Target::Abi3 if free_threaded => Loading::Refused {
                why: "a free-threaded interpreter does not load abi3 extensions (PEP 703): their objects have the GIL-enabled PyObject layout",
                // What such a copy does is not promised (nothing in the file says how it was built).
                load_as: None,
            },
            Target::Abi3t if minor < ABI3T_SINCE => Loading::Refused {
                why: "abi3t starts with 3.15 (PEP 803): an older interpreter must not load an extension built for it",
                load_as: Some(".abi3.so"),
            },
            _ => Loading::Loads,
        }
    }
}

impl Default for Variant {
    fn default() -> Variant {
        Variant { target: Target::Abi3, ssize_t_clean: true, language: Language::C, compiler: Compiler::Gcc }
    }
}

impl Variant {
    pub fn is_default(&self) -> bool {
        *self == Variant::default()
    }

    /// The words naming how it differs from the default, in a fixed order: `abi3t`, `no-clean`,
    /// `c++`, `clang`. Empty for the default.
    pub fn words(&self) -> Vec<&'static str> {
        let mut words = Vec::new();
        if self.target == Target::Abi3t {
            words.push("abi3t");
        }
        if !self.ssize_t_clean {
            words.push("no-clean");
        }
        if self.language == Language::Cxx {
            words.push("c++");
        }
        if self.compiler == Compiler::Clang {
            words.push("clang");
        }
        words
    }

    /// The suffix of a build id: `+abi3t`, `+no-clean+clang`; empty for the default.
    pub fn id_suffix(&self) -> String {
        self.words().iter().map(|w| format!("+{w}")).collect()
    }

    /// The variant named by `words` joined with `+` (`no-clean+clang`; empty: the default), as
    /// a replay command gives it.
    pub fn from_words(text: &str) -> Result<Variant, String> {
        let mut variant = Variant::default();
        for word in text.split('+').filter(|w| !w.is_empty()) {
            match word {
                "abi3t" => variant.target = Target::Abi3t,
                "no-clean" => variant.ssize_t_clean = false,
                "c++" => variant.language = Language::Cxx,
                "clang" => variant.compiler = Compiler::Clang,
                other => return Err(format!("`{other}` is not a build variant (abi3t, no-clean, c++, clang)")),
            }
        }
        Ok(variant)
    }

    /// The extension's file name suffix the interpreter's import system looks for.
    pub fn extension_suffix(&self) -> &'static str {
        match self.target {
            Target::Abi3 => ".abi3.so",
            Target::Abi3t => ".abi3t.so",
        }
    }

    /// Why this variant cannot be built for `limited_api` with headers of `headers`, if it can't.
    pub fn unsupported(&self, limited_api: PyVersion, headers: PyVersion) -> Option<String> {
        if self.target == Target::Abi3t && (limited_api < ABI3T_SINCE || headers < ABI3T_SINCE) {
            return Some(format!(
                "target = \"abi3t\" needs limited API and headers {ABI3T_SINCE} or newer (PEP 803), not limited API {limited_api} with {headers} headers"
            ));
        }
        if !self.ssize_t_clean && headers >= SSIZE_T_CLEAN_IMPLIED_SINCE {
            return Some(format!(
                "ssize_t_clean = false changes nothing with {headers} headers: from {SSIZE_T_CLEAN_IMPLIED_SINCE} on they use Py_ssize_t lengths either way; use it with older headers"
            ));
        }
        None
    }
}

impl fmt::Display for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_default() {
            return f.write_str("default (C, gcc, abi3, PY_SSIZE_T_CLEAN)");
        }
        f.write_str(&self.words().join("+"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abi3t_is_refused_before_3_15_and_abi3_by_free_threaded_builds() {
        let v = |m| PyVersion::new(3, m);
        assert_eq!(Target::Abi3.loading(v(6), false), Loading::Loads);
        assert_eq!(Target::Abi3t.loading(v(15), false), Loading::Loads);
        assert_eq!(Target::Abi3t.loading(v(15), true), Loading::Loads);
        assert!(matches!(Target::Abi3t.loading(v(14), false), Loading::Refused { load_as: Some(".abi3.so"), .. }));
        assert!(matches!(Target::Abi3.loading(v(15), true), Loading::Refused { load_as: None, .. }));
    }

    #[test]
    fn a_variant_is_named_by_what_differs_from_the_default() {
        assert_eq!(Variant::default().id_suffix(), "");
        let variant = Variant { ssize_t_clean: false, compiler: Compiler::Clang, ..Variant::default() };
        assert_eq!(variant.id_suffix(), "+no-clean+clang");
        assert_eq!(Variant::from_words(&variant.words().join("+")), Ok(variant));
        assert!(Variant::from_words("c99").is_err());
        assert_eq!(Variant { target: Target::Abi3t, ..Variant::default() }.extension_suffix(), ".abi3t.so");
    }

    #[test]
    fn variants_that_mean_nothing_for_their_headers_are_refused() {
        let abi3t = Variant { target: Target::Abi3t, ..Variant::default() };
        assert!(abi3t.unsupported(PyVersion::new(3, 14), PyVersion::new(3, 15)).is_some());
        assert!(abi3t.unsupported(PyVersion::new(3, 15), PyVersion::new(3, 15)).is_none());
        let unclean = Variant { ssize_t_clean: false, ..Variant::default() };
        assert!(unclean.unsupported(PyVersion::new(3, 6), PyVersion::new(3, 6)).is_none());
        assert!(unclean.unsupported(PyVersion::new(3, 6), PyVersion::new(3, 13)).is_some());
    }
}
