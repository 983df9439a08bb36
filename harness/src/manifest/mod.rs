//! CPython's Stable ABI manifest (`Misc/stable_abi.toml`): every entry the promise covers.
//!
//! Parsed in two passes: TOML into raw items (unknown keys and kinds are kept as warnings, since
//! CPython says the format is not fixed), then validation into [`Manifest`], where every error
//! names the file, line and key. No IO here: callers hand in the text.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::variant::Target;
use crate::version::PyVersion;

mod write;

/// The manifest shipped with the harness, current through 3.15; see `generated/README.md`.
pub const DEFAULT_MANIFEST: &str = include_str!("generated/stable_abi.toml");
pub const DEFAULT_MANIFEST_NAME: &str = "<built-in manifest>";

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Function,
    Data,
    Const,
    Macro,
    Struct,
    Typedef,
    FeatureMacro,
}

impl EntryKind {
    const ALL: [EntryKind; 7] = [
        EntryKind::Function,
        EntryKind::Data,
        EntryKind::Const,
        EntryKind::Macro,
        EntryKind::Struct,
        EntryKind::Typedef,
        EntryKind::FeatureMacro,
    ];

    /// The table name in `stable_abi.toml`.
    pub fn toml_name(self) -> &'static str {
        match self {
            EntryKind::Function => "function",
            EntryKind::Data => "data",
            EntryKind::Const => "const",
            EntryKind::Macro => "macro",
            EntryKind::Struct => "struct",
            EntryKind::Typedef => "typedef",
            EntryKind::FeatureMacro => "feature_macro",
        }
    }

    /// Exported symbols: what the dynamic linker must find.
    pub fn is_symbol(self) -> bool {
        matches!(self, EntryKind::Function | EntryKind::Data)
    }
}

impl fmt::Display for EntryKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.toml_name())
    }
}

/// How much of a struct the Stable ABI freezes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StructAbiKind {
    /// The whole layout is frozen.
    FullAbi,
    /// Only the listed members are frozen.
    Members,
    /// Only handled through pointers.
    Opaque,
    /// `abi3t-opaque` (PEP 803): the whole layout is frozen in abi3 (as `FullAbi`), and the
    /// struct is opaque in abi3t (`PyModuleDef`, whose `PyModuleDef_Base` holds a `PyObject`).
    Abi3tOpaque,
}

impl StructAbiKind {
    pub const ALL: [StructAbiKind; 4] =
        [StructAbiKind::FullAbi, StructAbiKind::Members, StructAbiKind::Opaque, StructAbiKind::Abi3tOpaque];

    /// The kind `stable_abi.toml` spells `name`, if it is one.
    pub fn from_toml_name(name: &str) -> Option<StructAbiKind> {
        StructAbiKind::ALL.into_iter().find(|kind| kind.toml_name() == name)
    }

    /// The name `stable_abi.toml` spells it with.
    pub fn toml_name(self) -> &'static str {
        match self {
            StructAbiKind::FullAbi => "full-abi",
            StructAbiKind::Members => "members",
            StructAbiKind::Opaque => "opaque",
            StructAbiKind::Abi3tOpaque => "abi3t-opaque",
        }
    }

    /// What the kind means for one target: under abi3 `abi3t-opaque` is `full-abi`; under
    /// abi3t everything but `full-abi` is opaque (PEP 803 makes `PyObject` and `PyVarObject`
    /// opaque, so `members` structs are).
    pub fn for_target(self, target: Target) -> StructAbiKind {
        match (self, target) {
            (StructAbiKind::Abi3tOpaque, Target::Abi3) => StructAbiKind::FullAbi,
            (StructAbiKind::FullAbi, _) => StructAbiKind::FullAbi,
            (kind, Target::Abi3) => kind,
            (_, Target::Abi3t) => StructAbiKind::Opaque,
        }
    }
}

/// Whether a feature macro is defined on Windows (`windows` in the manifest).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnWindows {
    Yes,
    No,
    Maybe,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Entry {
    pub name: String,
    pub kind: EntryKind,
    /// The version the entry joined the Stable ABI; `None` only for feature macros.
    pub added: Option<PyVersion>,
    /// A feature macro the entry depends on.
    pub ifdef: Option<String>,
    /// Part of the Stable ABI but not of the Limited API (called by public macros).
    pub abi_only: bool,
    pub struct_abi_kind: Option<StructAbiKind>,
    /// `abi3t_opaque = true`: opaque in abi3t whatever `struct_abi_kind` says (PEP 803).
    pub abi3t_opaque: bool,
    pub members: Vec<String>,
    pub doc: Option<String>,
    pub windows: Option<OnWindows>,
    /// 1-based line of the entry's table header, for messages.
    #[serde(skip)]
    pub line: usize,
}

impl Entry {
    /// Whether the entry belongs to the Stable ABI of `version`.
    pub fn available_in(&self, version: PyVersion) -> bool {
        self.added.is_some_and(|added| added <= version)
    }

    /// How much of this struct the Stable ABI of `target` freezes (`None` for anything but a
    /// struct). A struct without a kind is opaque, as CPython's tooling reads it.
    pub fn struct_kind_for(&self, target: Target) -> Option<StructAbiKind> {
        if self.kind != EntryKind::Struct {
            return None;
        }
        if target == Target::Abi3t && self.abi3t_opaque {
            return Some(StructAbiKind::Opaque);
        }
        Some(self.struct_abi_kind.unwrap_or(StructAbiKind::Opaque).for_target(target))
    }

    /// Whether this struct must be an incomplete type under `Py_TARGET_ABI3T`.
    pub fn opaque_in_abi3t(&self) -> bool {
        self.struct_kind_for(Target::Abi3t) == Some(StructAbiKind::Opaque)
    }
}

#[derive(Clone, Debug)]
pub struct Manifest {
    /// Where the text came from (a path, or [`DEFAULT_MANIFEST_NAME`]).
    pub origin: String,
    pub entries: Vec<Entry>,
    /// Things a tolerant reader skipped: unknown kinds or keys.
    pub warnings: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("cannot read manifest {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{origin}:{line}: malformed TOML: {message}")]
    Syntax { origin: String, line: usize, message: String },
    #[error("{origin}:{line}: `{key}`: {message}")]
    Invalid { origin: String, line: usize, key: String, message: String },
}

impl Manifest {
    /// The built-in manifest.
    pub fn builtin() -> Manifest {
        // The shipped file is checked by a test, so a failure here is a build defect.
        Manifest::parse(DEFAULT_MANIFEST, DEFAULT_MANIFEST_NAME).expect("the built-in manifest parses")
    }

    pub fn read(path: &Path) -> Result<Manifest, ManifestError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| ManifestError::Read { path: path.to_owned(), source })?;
        Manifest::parse(&text, &path.display().to_string())
    }

    pub fn parse(text: &str, origin: &str) -> Result<Manifest, ManifestError> {
        let raw: toml::Table = toml::from_str(text).map_err(|err| ManifestError::Syntax {
            origin: origin.to_owned(),
            line: err.span().map_or(0, |span| line_of(text, span.start)),
            message: err.message().to_owned(),
        })?;
        let headers = TableHeaders::index(text);
        let mut entries = Vec::new();
        let mut warnings = Vec::new();
        for (kind_name, items) in &raw {
            let Some(kind) = EntryKind::ALL.into_iter().find(|k| k.toml_name() == kind_name) else {
                warnings.push(format!("{origin}: unknown item kind `{kind_name}` skipped"));
                continue;
            };
            let Some(items) = items.as_table() else {
                let line = headers.line_of_key(kind_name);
                return Err(ManifestError::Invalid {
                    origin: origin.to_owned(),
                    line,
                    key: kind_name.clone(),
                    message: "expected a table of items".into(),
                });
            };
            for (name, item) in items {
                let line = headers.line_of(kind_name, name);
                let Some(item) = item.as_table() else {
                    return Err(ManifestError::Invalid {
                        origin: origin.to_owned(),
                        line,
                        key: format!("{kind_name}.{name}"),
                        message: format!("expected a table, found {}", item.type_str()),
                    });
                };
                entries.push(parse_entry(kind, name, item, Context { origin, line }, &mut warnings)?);
            }
        }
        entries.sort_by(|a, b| (a.kind, &a.name).cmp(&(b.kind, &b.name)));
        let manifest = Manifest { origin: origin.to_owned(), entries, warnings };
        manifest.check_feature_macros()?;
        Ok(manifest)
    }

    pub fn get(&self, name: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.name == name)
    }

    pub fn of_kind(&self, kind: EntryKind) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(move |e| e.kind == kind)
    }

    /// The newest version any entry was added in.
    pub fn newest_version(&self) -> Option<PyVersion> {
        self.entries.iter().filter_map(|e| e.added).max()
    }

    fn check_feature_macros(&self) -> Result<(), ManifestError> {
        for entry in &self.entries {
            if let Some(feature) = &entry.ifdef {
                let known = self.of_kind(EntryKind::FeatureMacro).any(|f| &f.name == feature);
                if !known {
                    return Err(ManifestError::Invalid {
                        origin: self.origin.clone(),
                        line: entry.line,
                        key: format!("{}.{}.ifdef", entry.kind, entry.name),
                        message: format!("`{feature}` is not a declared feature_macro"),
                    });
                }
            }
        }
        Ok(())
    }
}

#[derive(Clone, Copy)]
struct Context<'a> {
    origin: &'a str,
    line: usize,
}

fn parse_entry(
    kind: EntryKind,
    name: &str,
    table: &toml::Table,
    cx: Context<'_>,
    warnings: &mut Vec<String>,
) -> Result<Entry, ManifestError> {
    let invalid = |field: &str, message: String| ManifestError::Invalid {
        origin: cx.origin.to_owned(),
        line: cx.line,
        key: format!("{kind}.{name}.{field}"),
        message,
    };
    let string = |field: &str| -> Result<Option<String>, ManifestError> {
        match table.get(field) {
            None => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(invalid(field, format!("expected a string, found {}", other.type_str()))),
        }
    };
    for key in table.keys() {
        if !["added", "ifdef", "abi_only", "struct_abi_kind", "abi3t_opaque", "members", "doc", "windows"]
            .contains(&key.as_str())
        {
            warnings.push(format!("{}:{}: unknown key `{kind}.{name}.{key}` ignored", cx.origin, cx.line));
        }
    }
    let added = match string("added")? {
        Some(text) => Some(text.parse::<PyVersion>().map_err(|err| invalid("added", err.to_string()))?),
        None if kind == EntryKind::FeatureMacro => None,
        None => {
            return Err(invalid(
                "added",
                "missing: every item but a feature_macro needs the version it was added in".into(),
            ));
        }
    };
    let boolean = |field: &str| -> Result<bool, ManifestError> {
        match table.get(field) {
            None => Ok(false),
            Some(toml::Value::Boolean(b)) => Ok(*b),
            Some(other) => Err(invalid(field, format!("expected true or false, found {}", other.type_str()))),
        }
    };
    let abi_only = boolean("abi_only")?;
    let abi3t_opaque = boolean("abi3t_opaque")?;
    if abi3t_opaque && kind != EntryKind::Struct {
        return Err(invalid("abi3t_opaque", "only a struct can be opaque in abi3t".into()));
    }
    let members: Vec<String> = match table.get("members") {
        None => Vec::new(),
        Some(toml::Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_str().map(str::to_owned).ok_or_else(|| invalid("members", "expected a list of strings".into()))
            })
            .collect::<Result<_, _>>()?,
        Some(other) => {
            return Err(invalid("members", format!("expected a list of strings, found {}", other.type_str())));
        }
    };
    let struct_abi_kind = match string("struct_abi_kind")? {
        None => None,
        Some(name) => Some(StructAbiKind::from_toml_name(&name).ok_or_else(|| {
            invalid("struct_abi_kind", format!("`{name}` is not one of full-abi, members, opaque, abi3t-opaque"))
        })?),
    };
    if struct_abi_kind == Some(StructAbiKind::Members) && members.is_empty() {
        return Err(invalid("members", "a struct with struct_abi_kind = 'members' must list its members".into()));
    }
    let windows = match table.get("windows") {
        None => None,
        Some(toml::Value::Boolean(true)) => Some(OnWindows::Yes),
        Some(toml::Value::Boolean(false)) => Some(OnWindows::No),
        Some(toml::Value::String(s)) if s == "maybe" => Some(OnWindows::Maybe),
        Some(other) => return Err(invalid("windows", format!("expected true, false or 'maybe', found {other}"))),
    };
    Ok(Entry {
        name: name.to_owned(),
        kind,
        added,
        ifdef: string("ifdef")?,
        abi_only,
        struct_abi_kind,
        abi3t_opaque,
        members,
        doc: string("doc")?,
        windows,
        line: cx.line,
    })
}

/// Where each `[kind.name]` table starts, since the TOML value tree carries no positions.
struct TableHeaders {
    lines: BTreeMap<String, usize>,
}

impl TableHeaders {
    fn index(text: &str) -> TableHeaders {
        let mut lines = BTreeMap::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if let Some(header) = line.strip_prefix('[').and_then(|rest| rest.split(']').next()) {
                let key: String = header.chars().filter(|c| !c.is_whitespace() && *c != '"' && *c != '\'').collect();
                lines.entry(key).or_insert(n + 1);
            }
        }
        TableHeaders { lines }
    }

    fn line_of(&self, kind: &str, name: &str) -> usize {
        self.lines.get(&format!("{kind}.{name}")).copied().unwrap_or(0)
    }

    fn line_of_key(&self, key: &str) -> usize {
        self.lines.iter().find(|(k, _)| k.starts_with(key)).map_or(0, |(_, line)| *line)
    }
}

/// 1-based line number of a byte offset.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())].iter().filter(|&&b| b == b'\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_manifest_is_complete() {
        let manifest = Manifest::builtin();
        assert!(manifest.warnings.is_empty(), "{:?}", manifest.warnings);
        let count = |kind| manifest.of_kind(kind).count();
        assert!(count(EntryKind::Function) >= 800, "functions: {}", count(EntryKind::Function));
        assert!(count(EntryKind::Data) >= 140);
        assert!(count(EntryKind::Struct) >= 25);
        assert!(count(EntryKind::Typedef) >= 40);
        assert!(count(EntryKind::FeatureMacro) >= 5);
        assert!(count(EntryKind::Const) + count(EntryKind::Macro) >= 150);
        assert!(manifest.newest_version() >= Some(PyVersion::new(3, 15)));
        let fork = manifest.get("PyOS_AfterFork_Child").unwrap();
        assert_eq!(fork.ifdef.as_deref(), Some("HAVE_FORK"));
        assert!(manifest.get("_Py_Dealloc").unwrap().abi_only);
        let object = manifest.get("PyObject").unwrap();
        assert_eq!(object.struct_abi_kind, Some(StructAbiKind::Members));
        assert_eq!(object.members, ["ob_refcnt", "ob_type"]);
        // PEP 803's facts, from the overlay `cargo xtask manifest` applies.
        for name in ["PyModuleDef", "PyModuleDef_Base"] {
            assert_eq!(manifest.get(name).unwrap().struct_abi_kind, Some(StructAbiKind::Abi3tOpaque), "{name}");
        }
        let abi3t_opaque: Vec<&str> =
            manifest.of_kind(EntryKind::Struct).filter(|e| e.opaque_in_abi3t()).map(|e| e.name.as_str()).collect();
        for name in ["PyObject", "PyVarObject", "PyModuleDef", "PyModuleDef_Base", "PyTypeObject"] {
            assert!(abi3t_opaque.contains(&name), "{name} is opaque in abi3t: {abi3t_opaque:?}");
        }
        assert!(!abi3t_opaque.contains(&"PyType_Spec") && !abi3t_opaque.contains(&"PyMethodDef"));
    }

    #[test]
    fn abi3t_kinds_and_key() {
        let text = "[struct.PyModuleDef]\nadded = '3.2'\nstruct_abi_kind = 'abi3t-opaque'\n\
                    [struct.PyObject]\nadded = '3.2'\nstruct_abi_kind = 'members'\nmembers = ['ob_refcnt']\n\
                    [struct.PyType_Spec]\nadded = '3.2'\nstruct_abi_kind = 'full-abi'\n\
                    [struct.PyGadget]\nadded = '3.15'\nstruct_abi_kind = 'full-abi'\nabi3t_opaque = true\n\
                    [struct.PyThreadState]\nadded = '3.2'\nstruct_abi_kind = 'opaque'\n";
        let manifest = Manifest::parse(text, "m.toml").unwrap();
        assert!(manifest.warnings.is_empty(), "{:?}", manifest.warnings);
        let kinds = |name: &str| {
            let entry = manifest.get(name).unwrap();
            (entry.struct_kind_for(Target::Abi3), entry.struct_kind_for(Target::Abi3t), entry.opaque_in_abi3t())
        };
        use StructAbiKind::*;
        assert_eq!(kinds("PyModuleDef"), (Some(FullAbi), Some(Opaque), true));
        assert_eq!(kinds("PyObject"), (Some(Members), Some(Opaque), true));
        assert_eq!(kinds("PyType_Spec"), (Some(FullAbi), Some(FullAbi), false));
        assert_eq!(kinds("PyGadget"), (Some(FullAbi), Some(Opaque), true));
        assert_eq!(kinds("PyThreadState"), (Some(Opaque), Some(Opaque), true));
        let err = Manifest::parse("[function.F]\nadded = '3.2'\nabi3t_opaque = true\n", "m.toml").unwrap_err();
        assert!(err.to_string().contains("`function.F.abi3t_opaque`"), "{err}");
        let err = Manifest::parse("[struct.S]\nadded = '3.2'\nabi3t_opaque = 'yes'\n", "m.toml").unwrap_err();
        assert!(err.to_string().contains("expected true or false"), "{err}");
        let again = Manifest::parse(&manifest.to_toml("x"), "again").unwrap();
        assert_eq!(again.get("PyModuleDef").unwrap().struct_abi_kind, Some(Abi3tOpaque));
        assert!(again.get("PyGadget").unwrap().abi3t_opaque);
    }

    #[test]
    fn errors_name_line_and_key() {
        let text = "[function.PyFoo]\n    added = '3.2'\n[function.PyBar]\n    added = 'three'\n";
        let err = Manifest::parse(text, "m.toml").unwrap_err().to_string();
        assert!(err.starts_with("m.toml:3: `function.PyBar.added`"), "{err}");
        let err = Manifest::parse("[function.PyFoo\n", "m.toml").unwrap_err().to_string();
        assert!(err.starts_with("m.toml:1: malformed TOML"), "{err}");
        let err = Manifest::parse("[data.X]\nadded='3.2'\nifdef='NOPE'\n", "m.toml").unwrap_err().to_string();
        assert!(err.contains("`data.X.ifdef`") && err.contains("NOPE"), "{err}");
    }

    #[test]
    fn tolerates_unknown_kinds_and_keys() {
        let text = "[gadget.X]\nadded='3.2'\n[function.F]\nadded='3.3'\nfancy=1\n";
        let manifest = Manifest::parse(text, "m.toml").unwrap();
        assert_eq!(manifest.entries.len(), 1);
        assert_eq!(manifest.warnings.len(), 2);
    }
}
