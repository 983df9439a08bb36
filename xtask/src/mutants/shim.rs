//! The mutants' shim: which faults apply to a function (from the signature bindgen read from
//! the headers, and the reference kind its contract states), and the C source of one preload
//! library that wraps every such function and injects the fault `ABI_HARNESS_MUTANT` selects.
//!
//! Types are classified from bindgen's spelling (`*mut PyObject`, `c_int`, `Py_ssize_t`,
//! `fn(arg1: *mut c_void)`) after following the header's typedefs, and written back as the C
//! type of the same size and class (every pointer as `void *`, which on the platforms we build
//! on is passed like any other pointer): the shim needs no Python header, so it can wrap every
//! function with one compiler run.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use abi_harness::headers::extract::{Extraction, Signature as CSignature};
use abi_harness::properties::contracts::signature::Ret;

/// Calls of the mutated function from the probe that are left alone between two injections:
/// every `EVERY`-th call is broken (the 3rd, 6th, ...), as the trial in issue 14 did, so a
/// property that calls an entry once per process never sees the fault.
pub(crate) const EVERY: u32 = 3;

/// One fault kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Kind {
    /// A wrong but well-typed result on success.
    Wrong,
    /// The error value (NULL, -1, all ones, -1.0) on success, with no exception set.
    Error,
    /// The real result, with an exception set where the call had none.
    Exception,
    /// A new reference returned with one reference fewer (the caller over-releases).
    NewAsBorrowed,
    /// A borrowed reference returned with one reference more (the caller leaks it).
    BorrowedAsNew,
    /// The out-parameter at this index is not written (the caller's value is left).
    OutUnwritten(usize),
}

impl Kind {
    /// The name in `ABI_HARNESS_MUTANT`, the generated data and the reasons file.
    pub(crate) fn name(self) -> String {
        match self {
            Kind::Wrong => "wrong".into(),
            Kind::Error => "error-without-exception".into(),
            Kind::Exception => "exception-without-error".into(),
            Kind::NewAsBorrowed => "new-as-borrowed".into(),
            Kind::BorrowedAsNew => "borrowed-as-new".into(),
            Kind::OutUnwritten(n) => format!("out{n}-unwritten"),
        }
    }

    /// The number the C side compares with.
    pub(crate) fn code(self) -> usize {
        match self {
            Kind::Wrong => 1,
            Kind::Error => 2,
            Kind::Exception => 3,
            Kind::NewAsBorrowed => 4,
            Kind::BorrowedAsNew => 5,
            Kind::OutUnwritten(n) => 10 + n,
        }
    }
}

/// A C type as the shim passes it.
#[derive(Clone, Debug, PartialEq)]
enum CType {
    Void,
    NoReturn,
    Int {
        bytes: u8,
        signed: bool,
    },
    Float {
        bytes: u8,
    },
    Ptr(Pointee),
    /// Passed by value (a struct): the shim cannot forward it without the headers.
    Other(String),
}

#[derive(Clone, Debug, PartialEq)]
enum Pointee {
    /// `PyObject *` (and `PyTypeObject *`): a Python object.
    Object,
    Type,
    /// A C string.
    Char,
    /// A pointer to a pointer, or to a number: what an out-parameter points to.
    Slot(Box<CType>),
    /// Anything else (structs, `void *`, function pointers, buffers of characters).
    Other,
}

impl CType {
    fn c(&self) -> String {
        match self {
            CType::Void | CType::NoReturn => "void".into(),
            CType::Int { bytes, signed } => format!("{}int{}_t", if *signed { "" } else { "u" }, u32::from(*bytes) * 8),
            CType::Float { bytes: 4 } => "float".into(),
            CType::Float { .. } => "double".into(),
            CType::Ptr(_) => "void *".into(),
            CType::Other(name) => name.clone(),
        }
    }
}

/// Reads bindgen's spelling of a type, following the extraction's typedefs.
fn classify(spelled: &str, typedefs: &BTreeMap<String, String>) -> CType {
    let mut ty = spelled.trim().to_owned();
    for _ in 0..16 {
        if let Some(pointee) = ty.strip_prefix("*mut ").or_else(|| ty.strip_prefix("*const ")) {
            return CType::Ptr(pointee_of(pointee.trim(), typedefs));
        }
        if ty.starts_with("fn(") {
            return CType::Ptr(Pointee::Other);
        }
        if let Some(primitive) = primitive(&ty) {
            return primitive;
        }
        match typedefs.get(&ty) {
            Some(alias) => ty = alias.trim().to_owned(),
            None => break,
        }
    }
    CType::Other(ty)
}

fn pointee_of(pointee: &str, typedefs: &BTreeMap<String, String>) -> Pointee {
    match pointee {
        "PyObject" | "_object" => return Pointee::Object,
        "PyTypeObject" | "_typeobject" => return Pointee::Type,
        "c_char" => return Pointee::Char,
        // Buffers of characters, not one value.
        "wchar_t" | "Py_UCS4" | "Py_UNICODE" | "c_void" | "c_uchar" => return Pointee::Other,
        _ => {}
    }
    match classify(pointee, typedefs) {
        inner @ (CType::Ptr(_) | CType::Float { .. }) => Pointee::Slot(Box::new(inner)),
        inner @ CType::Int { bytes, .. } if bytes >= 4 => Pointee::Slot(Box::new(inner)),
        _ => Pointee::Other,
    }
}

fn primitive(name: &str) -> Option<CType> {
    let int = |bytes, signed| Some(CType::Int { bytes, signed });
    match name {
        "()" => Some(CType::Void),
        "!" => Some(CType::NoReturn),
        "c_char" | "c_schar" | "i8" => int(1, true),
        "c_uchar" | "u8" => int(1, false),
        "c_short" | "i16" => int(2, true),
        "c_ushort" | "u16" => int(2, false),
        "c_int" | "i32" => int(4, true),
        "c_uint" | "u32" => int(4, false),
        "c_long" | "c_longlong" | "i64" | "isize" => int(8, true),
        "c_ulong" | "c_ulonglong" | "u64" | "usize" => int(8, false),
        "f32" | "c_float" => Some(CType::Float { bytes: 4 }),
        "f64" | "c_double" => Some(CType::Float { bytes: 8 }),
        _ => None,
    }
}

/// What the reference kind of a function's result is, where a contract says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reference {
    New,
    Borrowed,
    Unknown,
}

impl Reference {
    pub(crate) fn of(ret: Ret) -> Reference {
        match ret {
            Ret::New | Ret::OptionalNew => Reference::New,
            Ret::Borrowed | Ret::OptionalBorrowed => Reference::Borrowed,
            _ => Reference::Unknown,
        }
    }
}

/// One wrapped function and its faults.
#[derive(Debug)]
pub(crate) struct Wrapped {
    pub(crate) name: String,
    params: Vec<CType>,
    ret: CType,
    pub(crate) kinds: Vec<Kind>,
    /// Fault kinds that do not apply, with the reason.
    pub(crate) not_applicable: Vec<(String, String)>,
}

/// The faults of one function, or why none can be injected at all.
pub(crate) fn plan(
    name: &str,
    signature: Option<&CSignature>,
    extraction: &Extraction,
    reference: Reference,
) -> Result<Wrapped, String> {
    let Some(signature) = signature else {
        return Err("not declared by the chosen interpreter's headers under its own Py_LIMITED_API, so the shim \
                    has no signature to forward"
            .into());
    };
    if signature.variadic {
        return Err("variadic: a wrapper cannot forward `...` to the real function".into());
    }
    let ret = classify(&signature.ret, &extraction.typedefs);
    let mut params: Vec<CType> = signature.params.iter().map(|(_, ty)| classify(ty, &extraction.typedefs)).collect();
    if let Some(CType::Other(by_value)) = params.iter().chain([&ret]).find(|t| matches!(t, CType::Other(_))) {
        return Err(format!("takes or returns `{by_value}` by value, which the header-free shim cannot forward"));
    }
    let mut kinds = Vec::new();
    let mut not_applicable = Vec::new();
    let mut skip = |kind: &str, reason: &str| not_applicable.push((kind.to_owned(), reason.to_owned()));
    match &ret {
        CType::NoReturn => return Err("does not return (noreturn)".into()),
        CType::Void => {
            kinds.push(Kind::Exception);
            skip("wrong", "returns nothing");
            skip("error-without-exception", "returns nothing");
        }
        CType::Int { .. } | CType::Float { .. } => kinds.extend([Kind::Wrong, Kind::Error, Kind::Exception]),
        CType::Ptr(Pointee::Object | Pointee::Type | Pointee::Char) => {
            kinds.extend([Kind::Wrong, Kind::Error, Kind::Exception])
        }
        CType::Ptr(_) => {
            kinds.extend([Kind::Error, Kind::Exception]);
            skip("wrong", "returns an untyped or struct pointer: no other valid value of that type is at hand");
        }
        CType::Other(_) => unreachable!("refused above"),
    }
    let returns_object = matches!(ret, CType::Ptr(Pointee::Object | Pointee::Type));
    match (returns_object, reference) {
        (true, Reference::New) => {
            kinds.push(Kind::NewAsBorrowed);
            skip("borrowed-as-new", "its contract says the result is a new reference");
        }
        (true, Reference::Borrowed) => {
            kinds.push(Kind::BorrowedAsNew);
            skip("new-as-borrowed", "its contract says the result is a borrowed reference");
        }
        (true, Reference::Unknown) => {
            let reason = "the result's reference kind is not stated: its contract has a C body, not a signature";
            skip("new-as-borrowed", reason);
            skip("borrowed-as-new", reason);
        }
        (false, _) => {
            skip("new-as-borrowed", "does not return an object");
            skip("borrowed-as-new", "does not return an object");
        }
    }
    // Out-parameters: a `*mut` pointer to one pointer or number. A `*const` one (`PyObject *const
    // *args`, `const Py_ssize_t *indices`) is an input array, never written.
    for (n, (param, (_, spelled))) in params.iter_mut().zip(&signature.params).enumerate() {
        if let CType::Ptr(Pointee::Slot(_)) = param {
            if spelled.trim_start().starts_with("*mut ") {
                kinds.push(Kind::OutUnwritten(n));
            } else {
                *param = CType::Ptr(Pointee::Other);
            }
        }
    }
    Ok(Wrapped { name: name.to_owned(), params, ret, kinds, not_applicable })
}

/// The shim's C source: every wrapper, indexed in the order given.
pub(crate) fn c_source(functions: &[Wrapped]) -> String {
    let mut c = String::new();
    c.push_str(
        PRELUDE.replace("@EVERY@", &EVERY.to_string()).replace("@COUNT@", &functions.len().to_string()).trim_start(),
    );
    c.push_str("\nstatic const char *const names[] = {\n");
    for function in functions {
        let _ = writeln!(c, "    \"{}\",", function.name);
    }
    c.push_str("};\n\n#include \"shim_runtime.h\"\n");
    for (index, function) in functions.iter().enumerate() {
        wrapper(&mut c, index, function);
    }
    c
}

fn wrapper(c: &mut String, index: usize, function: &Wrapped) {
    let name = &function.name;
    let ret = function.ret.c();
    let params: Vec<String> = function.params.iter().enumerate().map(|(n, t)| format!("{} a{n}", t.c())).collect();
    let types: Vec<String> = function.params.iter().map(CType::c).collect();
    let args: Vec<String> = (0..function.params.len()).map(|n| format!("a{n}")).collect();
    let (params, types) =
        if params.is_empty() { ("void".to_owned(), "void".to_owned()) } else { (params.join(", "), types.join(", ")) };
    let args = args.join(", ");
    let _ =
        writeln!(c, "\n/* {name} */\ntypedef {ret} (*real_{index}_t)({types});\nstatic real_{index}_t real_{index};");
    let _ = writeln!(c, "{ret} {name}({params})\n{{");
    let _ = writeln!(c, "    if (!real_{index}) real_{index} = (real_{index}_t)shim_real(\"{name}\");");
    let returns = !matches!(function.ret, CType::Void);
    let call = format!("real_{index}({args})");
    let pass = if returns { format!("return {call};") } else { format!("{{ {call}; return; }}") };
    let _ = writeln!(c, "    if (!shim_watching({index}) || !shim_from_probe(__builtin_return_address(0))) {pass}");
    let _ = writeln!(c, "    int now = shim_call({index});");
    let _ = writeln!(c, "    void *before = now ? shim_occurred() : NULL;");
    for (n, param) in function.params.iter().enumerate() {
        if let CType::Ptr(Pointee::Slot(inner)) = param {
            let _ = writeln!(
                c,
                "    {} slot{n};\n    if (now && selected_kind == {} && a{n}) {{ memcpy(&slot{n}, a{n}, sizeof slot{n}); a{n} = &slot{n}; shim_injected(); }}",
                inner.c(),
                Kind::OutUnwritten(n).code()
            );
        }
    }
    if returns {
        let _ = writeln!(c, "    {ret} r = {call};");
    } else {
        let _ = writeln!(c, "    {call};");
    }
    let _ = writeln!(c, "    if (!now) {}", if returns { "return r;" } else { "return;" });
    let _ = writeln!(c, "    int ok = shim_succeeded(before);");
    let mutate = match &function.ret {
        CType::Void => "shim_void(ok)".to_owned(),
        CType::Int { signed: true, .. } => "r = shim_signed(r, ok)".to_owned(),
        CType::Int { signed: false, bytes } => {
            let max = if *bytes == 8 { "UINT64_MAX".to_owned() } else { format!("UINT{}_MAX", u32::from(*bytes) * 8) };
            format!("r = shim_unsigned(r, ok, {max})")
        }
        CType::Float { .. } => "r = shim_double(r, ok)".to_owned(),
        CType::Ptr(Pointee::Object) => "r = shim_object(r, ok, 0)".to_owned(),
        CType::Ptr(Pointee::Type) => "r = shim_object(r, ok, 1)".to_owned(),
        CType::Ptr(Pointee::Char) => "r = shim_cstr(r, ok)".to_owned(),
        CType::Ptr(_) => "r = shim_pointer(r, ok)".to_owned(),
        CType::NoReturn | CType::Other(_) => unreachable!("never wrapped"),
    };
    let _ = writeln!(c, "    {mutate};");
    if returns {
        let _ = writeln!(c, "    return r;");
    }
    c.push_str("}\n");
}

/// The start of the generated file: what the runtime needs to know about the table.
const PRELUDE: &str = "
/* Generated by `cargo xtask mutants` (xtask/src/mutants/shim.rs) from the signatures the
 * chosen interpreter's headers declare: do not edit. A preload library that wraps every
 * applicable function of the Stable ABI and breaks the one ABI_HARNESS_MUTANT selects
 * (\"INDEX:KIND\"), on one call in @EVERY@ made from the probe (abi3probe); calls from
 * anywhere else pass straight through. ABI_HARNESS_MUTANT=count only counts. */
#define SHIM_EVERY @EVERY@
#define SHIM_FUNCTIONS @COUNT@
";

/// The hand-written part of the shim, included by the generated file.
pub(crate) const RUNTIME: &str = include_str!("shim_runtime.h");
