//! Reads the dynamic symbols of ELF files: which versioned symbols a shared object needs
//! (`GLIBC_2.34` for `dlsym`, ...), so a probe can be checked against each platform's C library
//! before it is loaded there; and every symbol it imports or exports (`dynamic_symbols`), so a
//! wheel's extensions can be checked against what an interpreter exports.
//! A small reader of ELF64 little-endian, the only kind the probes are built as (probe builds
//! are Linux-only: see `build::BuildError::LinuxOnly`).

use std::fmt;
use std::path::{Path, PathBuf};

/// An undefined symbol bound to a version of a needed library.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionedImport {
    pub symbol: String,
    /// e.g. `GLIBC_2.34`
    pub version: String,
    /// e.g. `libc.so.6`
    pub library: String,
}

/// A glibc version, `2.34`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GlibcVersion {
    pub major: u32,
    pub minor: u32,
}

impl GlibcVersion {
    /// Parses `GLIBC_2.34` or `2.34`; `GLIBC_PRIVATE` and others are not versions.
    pub fn parse(text: &str) -> Option<GlibcVersion> {
        let digits = text.strip_prefix("GLIBC_").unwrap_or(text);
        let (major, rest) = digits.split_once('.')?;
        let minor = rest.split('.').next()?;
        Some(GlibcVersion { major: major.parse().ok()?, minor: minor.parse().ok()? })
    }
}

impl fmt::Display for GlibcVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ElfError {
    #[error("cannot read {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} is not a 64-bit little-endian ELF file, or is truncated ({what})", path.display())]
    Malformed { path: PathBuf, what: &'static str },
}

const SHT_DYNSYM: u32 = 11;
const SHT_GNU_VERNEED: u32 = 0x6fff_fffe;
const SHT_GNU_VERSYM: u32 = 0x6fff_ffff;

struct Section {
    kind: u32,
    offset: usize,
    size: usize,
    link: usize,
    info: usize,
}

/// The versioned undefined symbols of a shared object.
pub fn versioned_imports(path: &Path) -> Result<Vec<VersionedImport>, ElfError> {
    let bytes = std::fs::read(path).map_err(|source| ElfError::Read { path: path.to_owned(), source })?;
    parse(&bytes).map_err(|what| ElfError::Malformed { path: path.to_owned(), what })
}

fn u16_at(bytes: &[u8], at: usize) -> Result<usize, &'static str> {
    bytes.get(at..at + 2).map(|b| u16::from_le_bytes([b[0], b[1]]) as usize).ok_or("u16")
}

fn u32_at(bytes: &[u8], at: usize) -> Result<u32, &'static str> {
    bytes.get(at..at + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]])).ok_or("u32")
}

fn u64_at(bytes: &[u8], at: usize) -> Result<usize, &'static str> {
    bytes
        .get(at..at + 8)
        .map(|b| u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) as usize)
        .ok_or("u64")
}

fn string_at(bytes: &[u8], table: &Section, at: usize) -> Result<String, &'static str> {
    let start = table.offset + at;
    let tail = bytes.get(start..table.offset + table.size).ok_or("string")?;
    let end = tail.iter().position(|&b| b == 0).ok_or("string end")?;
    Ok(String::from_utf8_lossy(&tail[..end]).into_owned())
}

fn sections(bytes: &[u8]) -> Result<Vec<Section>, &'static str> {
    if bytes.len() < 64 || &bytes[..4] != b"\x7fELF" || bytes[4] != 2 || bytes[5] != 1 {
        return Err("header");
    }
    let (shoff, shentsize, shnum) = (u64_at(bytes, 0x28)?, u16_at(bytes, 0x3a)?, u16_at(bytes, 0x3c)?);
    (0..shnum)
        .map(|n| {
            let base = shoff + n * shentsize;
            Ok(Section {
                kind: u32_at(bytes, base + 4)?,
                offset: u64_at(bytes, base + 24)?,
                size: u64_at(bytes, base + 32)?,
                link: u32_at(bytes, base + 40)? as usize,
                info: u32_at(bytes, base + 44)? as usize,
            })
        })
        .collect()
}

fn parse(bytes: &[u8]) -> Result<Vec<VersionedImport>, &'static str> {
    let u16_at = |at: usize| u16_at(bytes, at);
    let u32_at = |at: usize| u32_at(bytes, at);
    let string_at = |table: &Section, at: usize| string_at(bytes, table, at);
    let sections = sections(bytes)?;
    let find = |kind| sections.iter().find(|s| s.kind == kind);
    let (Some(dynsym), Some(versym), Some(verneed)) = (find(SHT_DYNSYM), find(SHT_GNU_VERSYM), find(SHT_GNU_VERNEED))
    else {
        return Ok(Vec::new());
    };
    let dynstr = sections.get(dynsym.link).ok_or("dynstr")?;
    let verstr = sections.get(verneed.link).ok_or("verneed strings")?;

    // Version index -> (version name, library).
    let mut versions: Vec<(usize, String, String)> = Vec::new();
    let mut entry = verneed.offset;
    for _ in 0..verneed.info {
        let (count, file, aux, next) = (
            u16_at(entry + 2)?,
            u32_at(entry + 4)? as usize,
            u32_at(entry + 8)? as usize,
            u32_at(entry + 12)? as usize,
        );
        let library = string_at(verstr, file)?;
        let mut at = entry + aux;
        for _ in 0..count {
            let (index, name, next_aux) =
                (u16_at(at + 6)? & 0x7fff, u32_at(at + 8)? as usize, u32_at(at + 12)? as usize);
            versions.push((index, string_at(verstr, name)?, library.clone()));
            if next_aux == 0 {
                break;
            }
            at += next_aux;
        }
        if next == 0 {
            break;
        }
        entry += next;
    }

    let mut imports = Vec::new();
    for n in 0..dynsym.size / 24 {
        let base = dynsym.offset + n * 24;
        let undefined = u16_at(base + 6)? == 0;
        let index = u16_at(versym.offset + n * 2)? & 0x7fff;
        if !undefined || index < 2 {
            continue;
        }
        if let Some((_, version, library)) = versions.iter().find(|(i, _, _)| *i == index) {
            imports.push(VersionedImport {
                symbol: string_at(dynstr, u32_at(base)? as usize)?,
                version: version.clone(),
                library: library.clone(),
            });
        }
    }
    Ok(imports)
}

/// A symbol of a file's dynamic symbol table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DynamicSymbol {
    pub name: String,
    /// Defined here (exported), rather than imported from elsewhere.
    pub defined: bool,
    /// Weak binding: an import the loader may leave unresolved (address 0) instead of failing.
    pub weak: bool,
}

const STB_GLOBAL: u8 = 1;
const STB_WEAK: u8 = 2;
const STB_GNU_UNIQUE: u8 = 10;

/// The global and weak symbols of a file's dynamic symbol table: what it imports (undefined)
/// and what it exports (defined). Local symbols are left out: the loader never binds to them.
pub fn dynamic_symbols(path: &Path) -> Result<Vec<DynamicSymbol>, ElfError> {
    let bytes = std::fs::read(path).map_err(|source| ElfError::Read { path: path.to_owned(), source })?;
    parse_symbols(&bytes).map_err(|what| ElfError::Malformed { path: path.to_owned(), what })
}

fn parse_symbols(bytes: &[u8]) -> Result<Vec<DynamicSymbol>, &'static str> {
    let sections = sections(bytes)?;
    let Some(dynsym) = sections.iter().find(|s| s.kind == SHT_DYNSYM) else {
        return Ok(Vec::new()); // a static executable exports nothing
    };
    let dynstr = sections.get(dynsym.link).ok_or("dynstr")?;
    let mut symbols = Vec::new();
    // Entry 0 is the reserved null symbol.
    for n in 1..dynsym.size / 24 {
        let base = dynsym.offset + n * 24;
        let info = *bytes.get(base + 4).ok_or("st_info")?;
        let binding = info >> 4;
        if !matches!(binding, STB_GLOBAL | STB_WEAK | STB_GNU_UNIQUE) {
            continue;
        }
        let name = string_at(bytes, dynstr, u32_at(bytes, base)? as usize)?;
        if name.is_empty() {
            continue;
        }
        symbols.push(DynamicSymbol { name, defined: u16_at(bytes, base + 6)? != 0, weak: binding == STB_WEAK });
    }
    Ok(symbols)
}

/// The imports that need a newer glibc than `available`.
pub fn too_new_for(imports: &[VersionedImport], available: GlibcVersion) -> Vec<&VersionedImport> {
    imports.iter().filter(|i| GlibcVersion::parse(&i.version).is_some_and(|needed| needed > available)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Elsewhere the test binary is not ELF (Mach-O on macOS), and there is no glibc.
    #[cfg(target_os = "linux")]
    #[test]
    fn reads_the_glibc_versions_of_a_real_library() {
        // The test binary itself links against glibc with versioned symbols.
        let exe = std::env::current_exe().unwrap();
        let imports = versioned_imports(&exe).unwrap();
        assert!(
            imports.iter().any(|i| i.version.starts_with("GLIBC_") && i.library.starts_with("libc.so")),
            "{imports:?}"
        );
        assert!(
            too_new_for(&imports, GlibcVersion { major: 2, minor: 0 }).len()
                == imports.iter().filter(|i| GlibcVersion::parse(&i.version).is_some()).count()
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn lists_imports_and_exports() {
        let exe = std::env::current_exe().unwrap();
        let symbols = dynamic_symbols(&exe).unwrap();
        // The test binary imports malloc from the C library and defines no symbol by that name.
        assert!(symbols.iter().any(|s| s.name == "malloc" && !s.defined), "{symbols:?}");
        assert!(matches!(dynamic_symbols(Path::new("/nonexistent")), Err(ElfError::Read { .. })));
    }

    #[test]
    fn parses_versions() {
        assert_eq!(GlibcVersion::parse("GLIBC_2.34"), Some(GlibcVersion { major: 2, minor: 34 }));
        assert_eq!(GlibcVersion::parse("GLIBC_2.2.5"), Some(GlibcVersion { major: 2, minor: 2 }));
        assert_eq!(GlibcVersion::parse("GLIBC_PRIVATE"), None);
        assert!(GlibcVersion::parse("2.31") < GlibcVersion::parse("2.34"));
    }
}
