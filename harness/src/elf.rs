//! Reads the dynamic symbols of ELF files: which versioned symbols a shared object needs
//! (`GLIBC_2.34` for `dlsym`, ...), so a probe can be checked against each platform's C library
//! before it is loaded there; and every symbol it imports or exports (`dynamic_symbols`), so a
//! wheel's extensions can be checked against what an interpreter exports.
//! A small reader of ELF files of either class (32 or 64 bits) and byte order: probes are built
//! for the host and for foreign architectures (i386, arm64, big-endian s390x), and `identify`
//! checks each one's machine and class before anything loads it.

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
    #[error("{} is not an ELF file, or is truncated ({what})", path.display())]
    Malformed { path: PathBuf, what: &'static str },
}

/// What an ELF file is built for: its machine, class and byte order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ElfIdentity {
    /// `e_machine`: 62 x86-64, 3 i386, 183 AArch64, 22 s390.
    pub machine: u16,
    /// 32 or 64.
    pub bits: u8,
    pub big_endian: bool,
}

impl ElfIdentity {
    /// The architecture it is built for, if the harness knows it.
    pub fn arch(&self) -> Option<crate::arch::Arch> {
        crate::arch::Arch::of_elf(self.machine, self.bits)
    }
}

impl fmt::Display for ElfIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.arch() {
            Some(arch) => write!(f, "{arch} ({}-bit ELF, machine {})", self.bits, self.machine),
            None => write!(f, "a {}-bit ELF file of machine {}", self.bits, self.machine),
        }
    }
}

/// Reads an ELF file's identity from its first bytes.
pub fn identify(path: &Path) -> Result<ElfIdentity, ElfError> {
    use std::io::Read;
    let mut head = [0u8; 20];
    std::fs::File::open(path)
        .and_then(|mut file| file.read_exact(&mut head))
        .map_err(|source| ElfError::Read { path: path.to_owned(), source })?;
    let reader = Reader::new(&head).map_err(|what| ElfError::Malformed { path: path.to_owned(), what })?;
    let machine = reader.u16(18).map_err(|what| ElfError::Malformed { path: path.to_owned(), what })? as u16;
    Ok(ElfIdentity { machine, bits: if reader.wide { 64 } else { 32 }, big_endian: reader.big })
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

/// Reads fields of one ELF file in its own class and byte order.
#[derive(Clone, Copy)]
struct Reader<'b> {
    bytes: &'b [u8],
    /// ELF64 (else ELF32).
    wide: bool,
    big: bool,
}

impl<'b> Reader<'b> {
    fn new(bytes: &'b [u8]) -> Result<Reader<'b>, &'static str> {
        if bytes.len() < 20 || &bytes[..4] != b"\x7fELF" {
            return Err("header");
        }
        let wide = match bytes[4] {
            1 => false,
            2 => true,
            _ => return Err("class"),
        };
        let big = match bytes[5] {
            1 => false,
            2 => true,
            _ => return Err("byte order"),
        };
        Ok(Reader { bytes, wide, big })
    }

    fn take<const N: usize>(&self, at: usize, what: &'static str) -> Result<[u8; N], &'static str> {
        let mut raw: [u8; N] = self.bytes.get(at..at + N).and_then(|b| b.try_into().ok()).ok_or(what)?;
        if self.big {
            raw.reverse();
        }
        Ok(raw)
    }

    fn u8(&self, at: usize) -> Result<u8, &'static str> {
        self.bytes.get(at).copied().ok_or("u8")
    }

    fn u16(&self, at: usize) -> Result<usize, &'static str> {
        Ok(u16::from_le_bytes(self.take(at, "u16")?) as usize)
    }

    fn u32(&self, at: usize) -> Result<u32, &'static str> {
        Ok(u32::from_le_bytes(self.take(at, "u32")?))
    }

    fn u64(&self, at: usize) -> Result<usize, &'static str> {
        Ok(u64::from_le_bytes(self.take(at, "u64")?) as usize)
    }

    /// An address or offset: 8 bytes in ELF64, 4 in ELF32.
    fn word(&self, at: usize) -> Result<usize, &'static str> {
        if self.wide { self.u64(at) } else { Ok(self.u32(at)? as usize) }
    }

    fn string(&self, table: &Section, at: usize) -> Result<String, &'static str> {
        let start = table.offset + at;
        let tail = self.bytes.get(start..table.offset + table.size).ok_or("string")?;
        let end = tail.iter().position(|&b| b == 0).ok_or("string end")?;
        Ok(String::from_utf8_lossy(&tail[..end]).into_owned())
    }

    fn sections(&self) -> Result<Vec<Section>, &'static str> {
        let (shoff, shentsize, shnum) = if self.wide {
            (self.u64(0x28)?, self.u16(0x3a)?, self.u16(0x3c)?)
        } else {
            (self.u32(0x20)? as usize, self.u16(0x2e)?, self.u16(0x30)?)
        };
        // sh_type, sh_offset, sh_size, sh_link, sh_info
        let fields: [usize; 5] = if self.wide { [4, 24, 32, 40, 44] } else { [4, 16, 20, 24, 28] };
        (0..shnum)
            .map(|n| {
                let base = shoff + n * shentsize;
                Ok(Section {
                    kind: self.u32(base + fields[0])?,
                    offset: self.word(base + fields[1])?,
                    size: self.word(base + fields[2])?,
                    link: self.u32(base + fields[3])? as usize,
                    info: self.u32(base + fields[4])? as usize,
                })
            })
            .collect()
    }

    /// A dynamic symbol's size and where its name, binding and section index are.
    fn symbol_layout(&self) -> SymbolLayout {
        if self.wide {
            SymbolLayout { size: 24, info: 4, shndx: 6 }
        } else {
            SymbolLayout { size: 16, info: 12, shndx: 14 }
        }
    }
}

struct SymbolLayout {
    size: usize,
    info: usize,
    shndx: usize,
}

fn parse(bytes: &[u8]) -> Result<Vec<VersionedImport>, &'static str> {
    let elf = Reader::new(bytes)?;
    let sections = elf.sections()?;
    let find = |kind| sections.iter().find(|s| s.kind == kind);
    let (Some(dynsym), Some(versym), Some(verneed)) = (find(SHT_DYNSYM), find(SHT_GNU_VERSYM), find(SHT_GNU_VERNEED))
    else {
        return Ok(Vec::new());
    };
    let dynstr = sections.get(dynsym.link).ok_or("dynstr")?;
    let verstr = sections.get(verneed.link).ok_or("verneed strings")?;

    // Version index -> (version name, library). Verneed and Vernaux are alike in both classes.
    let mut versions: Vec<(usize, String, String)> = Vec::new();
    let mut entry = verneed.offset;
    for _ in 0..verneed.info {
        let (count, file, aux, next) = (
            elf.u16(entry + 2)?,
            elf.u32(entry + 4)? as usize,
            elf.u32(entry + 8)? as usize,
            elf.u32(entry + 12)? as usize,
        );
        let library = elf.string(verstr, file)?;
        let mut at = entry + aux;
        for _ in 0..count {
            let (index, name, next_aux) =
                (elf.u16(at + 6)? & 0x7fff, elf.u32(at + 8)? as usize, elf.u32(at + 12)? as usize);
            versions.push((index, elf.string(verstr, name)?, library.clone()));
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

    let layout = elf.symbol_layout();
    let mut imports = Vec::new();
    for n in 0..dynsym.size / layout.size {
        let base = dynsym.offset + n * layout.size;
        let undefined = elf.u16(base + layout.shndx)? == 0;
        let index = elf.u16(versym.offset + n * 2)? & 0x7fff;
        if !undefined || index < 2 {
            continue;
        }
        if let Some((_, version, library)) = versions.iter().find(|(i, _, _)| *i == index) {
            imports.push(VersionedImport {
                symbol: elf.string(dynstr, elf.u32(base)? as usize)?,
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
    let elf = Reader::new(bytes)?;
    let sections = elf.sections()?;
    let Some(dynsym) = sections.iter().find(|s| s.kind == SHT_DYNSYM) else {
        return Ok(Vec::new()); // a static executable exports nothing
    };
    let dynstr = sections.get(dynsym.link).ok_or("dynstr")?;
    let layout = elf.symbol_layout();
    let mut symbols = Vec::new();
    // Entry 0 is the reserved null symbol.
    for n in 1..dynsym.size / layout.size {
        let base = dynsym.offset + n * layout.size;
        let binding = elf.u8(base + layout.info)? >> 4;
        if !matches!(binding, STB_GLOBAL | STB_WEAK | STB_GNU_UNIQUE) {
            continue;
        }
        let name = elf.string(dynstr, elf.u32(base)? as usize)?;
        if name.is_empty() {
            continue;
        }
        symbols.push(DynamicSymbol { name, defined: elf.u16(base + layout.shndx)? != 0, weak: binding == STB_WEAK });
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
    fn reads_either_class_and_byte_order() {
        // The first 20 bytes of an s390x (64-bit, big-endian) and an i386 (32-bit, little-endian)
        // object: the identity lives in e_ident and e_machine.
        let mut s390x = [0u8; 20];
        s390x[..6].copy_from_slice(b"\x7fELF\x02\x02");
        s390x[18..20].copy_from_slice(&22u16.to_be_bytes());
        let mut i386 = [0u8; 20];
        i386[..6].copy_from_slice(b"\x7fELF\x01\x01");
        i386[18..20].copy_from_slice(&3u16.to_le_bytes());
        let dir = tempfile::tempdir().unwrap();
        for (bytes, arch, bits, big) in
            [(s390x, crate::arch::Arch::S390x, 64, true), (i386, crate::arch::Arch::I386, 32, false)]
        {
            let path = dir.path().join(arch.name());
            std::fs::write(&path, bytes).unwrap();
            let identity = identify(&path).unwrap();
            assert_eq!((identity.arch(), identity.bits, identity.big_endian), (Some(arch), bits, big));
        }
        let path = dir.path().join("text");
        std::fs::write(&path, b"#!/bin/sh\nexit 0\n\n\n\n\n").unwrap();
        assert!(matches!(identify(&path), Err(ElfError::Malformed { .. })));
    }

    #[test]
    fn parses_versions() {
        assert_eq!(GlibcVersion::parse("GLIBC_2.34"), Some(GlibcVersion { major: 2, minor: 34 }));
        assert_eq!(GlibcVersion::parse("GLIBC_2.2.5"), Some(GlibcVersion { major: 2, minor: 2 }));
        assert_eq!(GlibcVersion::parse("GLIBC_PRIVATE"), None);
        assert!(GlibcVersion::parse("2.31") < GlibcVersion::parse("2.34"));
    }
}
