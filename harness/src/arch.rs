//! Processor architectures, by Debian's names, and everything that differs between them for the
//! harness: the cross compiler's triple, Debian's multiarch folder, clang's target, the ELF
//! machine and class of their objects, and whether this host runs them natively or under qemu.
//! A leaf: pure data, no IO.

/// A processor architecture the harness can build probes for and run interpreters of, by
/// Debian's name. Everything that differs per architecture is answered here: the GNU triple of
/// its cross compiler, Debian's multiarch folder (where `pyconfig.h` lives), clang's target, the
/// ELF machine and class its objects must have, and how it runs on this host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Arch {
    Amd64,
    I386,
    Arm64,
    S390x,
}

/// How an architecture's programs run on this host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Execution {
    /// The host's own, or one its kernel runs directly (i386 on x86-64).
    Native,
    /// Under qemu user-mode emulation: `qemu-<name>-static`.
    Emulated { qemu: &'static str },
}

impl Arch {
    pub const ALL: [Arch; 4] = [Arch::Amd64, Arch::I386, Arch::Arm64, Arch::S390x];

    /// The architecture this harness was built for.
    pub fn host() -> Arch {
        match std::env::consts::ARCH {
            "x86" => Arch::I386,
            "aarch64" => Arch::Arm64,
            "s390x" => Arch::S390x,
            _ => Arch::Amd64,
        }
    }

    /// Debian's name: `amd64`, `i386`, `arm64`, `s390x`.
    pub fn name(self) -> &'static str {
        match self {
            Arch::Amd64 => "amd64",
            Arch::I386 => "i386",
            Arch::Arm64 => "arm64",
            Arch::S390x => "s390x",
        }
    }

    pub fn parse(name: &str) -> Option<Arch> {
        Arch::ALL.into_iter().find(|a| a.name() == name)
    }

    /// The GNU triple of Debian's cross compiler (`i686-linux-gnu-gcc`) and clang's target.
    pub fn triple(self) -> &'static str {
        match self {
            Arch::Amd64 => "x86_64-linux-gnu",
            Arch::I386 => "i686-linux-gnu",
            Arch::Arm64 => "aarch64-linux-gnu",
            Arch::S390x => "s390x-linux-gnu",
        }
    }

    /// Debian's multiarch folder name (`/usr/include/i386-linux-gnu/python3.13/pyconfig.h`).
    pub fn multiarch(self) -> &'static str {
        match self {
            Arch::I386 => "i386-linux-gnu",
            other => other.triple(),
        }
    }

    /// The ELF `e_machine` of its objects.
    pub fn elf_machine(self) -> u16 {
        match self {
            Arch::Amd64 => 62,
            Arch::I386 => 3,
            Arch::Arm64 => 183,
            Arch::S390x => 22,
        }
    }

    pub fn pointer_bits(self) -> u8 {
        if self == Arch::I386 { 32 } else { 64 }
    }

    pub fn big_endian(self) -> bool {
        self == Arch::S390x
    }

    /// The architecture of an ELF object's machine and class (32 or 64 bits).
    pub fn of_elf(machine: u16, bits: u8) -> Option<Arch> {
        Arch::ALL.into_iter().find(|a| a.elf_machine() == machine && a.pointer_bits() == bits)
    }

    /// The Debian package that brings its cross compiler to an x86-64 host.
    pub fn cross_compiler_package(self) -> String {
        format!("gcc-{}", self.triple())
    }

    /// How it runs on `host`.
    pub fn execution_on(self, host: Arch) -> Execution {
        match (self, host) {
            (a, h) if a == h => Execution::Native,
            (Arch::I386, Arch::Amd64) => Execution::Native,
            (Arch::Amd64, _) => Execution::Emulated { qemu: "x86_64" },
            (Arch::I386, _) => Execution::Emulated { qemu: "i386" },
            (Arch::Arm64, _) => Execution::Emulated { qemu: "aarch64" },
            (Arch::S390x, _) => Execution::Emulated { qemu: "s390x" },
        }
    }

    /// Environment its programs need under emulation: qemu's default arm64 CPU emulates pointer
    /// authentication in software, about 12 times slower than without it.
    pub fn emulator_env(self) -> &'static [(&'static str, &'static str)] {
        match self.execution_on(Arch::host()) {
            Execution::Emulated { .. } if self == Arch::Arm64 => &[("QEMU_CPU", "max,pauth=off")],
            _ => &[],
        }
    }
}

impl std::fmt::Display for Arch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn architectures_know_their_names_triples_and_elf_machines() {
        for arch in Arch::ALL {
            assert_eq!(Arch::parse(arch.name()), Some(arch));
            assert_eq!(Arch::of_elf(arch.elf_machine(), arch.pointer_bits()), Some(arch));
        }
        assert_eq!(Arch::parse("armhf"), None);
        assert_eq!(Arch::I386.multiarch(), "i386-linux-gnu");
        assert_eq!(Arch::I386.triple(), "i686-linux-gnu");
        assert_eq!(Arch::I386.execution_on(Arch::Amd64), Execution::Native);
        assert_eq!(Arch::S390x.execution_on(Arch::Amd64), Execution::Emulated { qemu: "s390x" });
        assert!(Arch::S390x.big_endian() && !Arch::Arm64.big_endian());
    }
}
