//! Extraction: what one header set declares under one `Py_LIMITED_API`, read with bindgen.
//!
//! bindgen runs as a library on `#include <Python.h>` (libclang loaded at run time), with its
//! output kept as Rust source and parsed back with `syn`. Layouts come from the layout
//! assertions bindgen writes (`["Offset of field: X::m"][offset_of!(X, m) - 8usize]`): those
//! numbers are libclang's own record layout, and the callbacks offer no layout hook, so reading
//! them from the output is the one way to get sizes and offsets without compiling anything.
//! Integer `#define`s arrive as `pub const`; every macro name (function-like ones included,
//! which bindgen never binds) is seen through `ParseCallbacks::will_parse_macro`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use quote::ToTokens;
use serde::{Deserialize, Serialize};

use super::HeadersError;
use crate::variant::Target;
use crate::version::PyVersion;

/// Bumped whenever what is extracted (or how it is rendered) changes: part of the cache key.
pub(crate) const EXTRACTOR_VERSION: u32 = 4;

/// What one header set declares under one `Py_LIMITED_API`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Extraction {
    /// Declared functions (`extern`), by name.
    pub functions: BTreeMap<String, Signature>,
    /// Declared data (`extern` variables): their type.
    pub data: BTreeMap<String, String>,
    /// Integer constants (`#define` and enumerators), as decimal text.
    pub consts: BTreeMap<String, String>,
    /// Typedefs: the type they alias, as written.
    pub typedefs: BTreeMap<String, String>,
    /// Structs and unions with a definition (opaque ones have `layout: None`).
    pub structs: BTreeMap<String, Record>,
    /// Every macro name the preprocessor saw (system headers' too): where manifest macros, and
    /// consts clang cannot evaluate, are looked up.
    pub macros: BTreeSet<String>,
    /// Functions and data declared in the Python headers themselves (not system headers):
    /// what the limited API exposes, for the leak check.
    pub exposed: BTreeSet<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    /// (parameter name, type as written)
    pub params: Vec<(String, String)>,
    pub ret: String,
    pub variadic: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub size: Option<u64>,
    pub align: Option<u64>,
    /// Members in declaration order, with anonymous unions and structs flattened into their
    /// members (offsets added), the way C code names them.
    pub fields: Vec<Field>,
    /// Declared without a body (`struct _ts;`): handled only through pointers.
    pub opaque: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    pub name: String,
    pub ty: String,
    pub offset: Option<u64>,
}

/// Where a header set's files are and how to find the rest of them.
#[derive(Clone, Debug)]
pub struct HeaderPaths {
    /// The folder holding `Python.h`.
    pub include_dir: PathBuf,
    /// For a Debian root filesystem: its `/usr/include`, searched after the host's system
    /// headers (Debian's `pyconfig.h` includes its multiarch twin from there; the root
    /// filesystem's own C library headers must not shadow the host's).
    pub after_dir: Option<PathBuf>,
    /// For another architecture than the host's: clang's target triple and the root
    /// filesystem of that architecture, read as the system root (its C library headers and its
    /// multiarch folder, where `pyconfig.h` lives), so `Py_ssize_t`, `long`, pointers, byte
    /// order and every struct layout are that architecture's.
    pub target: Option<(String, PathBuf)>,
}

/// Prefix of the variables that carry const values through clang's own evaluator.
const CONST_PREFIX: &str = "abi_harness_const_";

/// The translation unit bindgen reads: Python.h, the headers Python.h leaves out but the
/// limited API has (`structmember.h` holds `PyMemberDef` before 3.12, `pythread.h` the
/// `PyThread_*` functions before 3.7), and one `static const long long` per manifest const
/// (signed: bindgen keeps values in an i64, and `-1` must stay `-1`). bindgen's
/// macro evaluator cannot expand function-like macros (3.15's slot ids are
/// `_Py_SLOT_COMPAT_VALUE(1, 84)`) or casts; clang's constant evaluator can.
///
/// Without PY_SSIZE_T_CLEAN: before 3.13 it renames the `PyArg_Parse*` family to their `_SizeT`
/// twins by macro, hiding the manifest's names.
pub(crate) fn translation_unit(const_names: &[String]) -> String {
    let mut text = String::from("#include <Python.h>\n");
    for extra in ["structmember.h", "pythread.h"] {
        text.push_str(&format!("#if __has_include(<{extra}>)\n#include <{extra}>\n#endif\n"));
    }
    for name in const_names {
        text.push_str(&format!(
            "#ifdef {name}\nstatic const long long {CONST_PREFIX}{name} = (long long)({name});\n#endif\n"
        ));
    }
    text
}

/// Checks that libclang can be loaded, with the install line if it cannot.
pub fn ensure_libclang() -> Result<(), HeadersError> {
    if clang_sys::is_loaded() {
        return Ok(());
    }
    clang_sys::load().map_err(|message| HeadersError::NoLibclang { message })
}

/// libclang's version, for the cache key.
pub fn libclang_version() -> Result<String, HeadersError> {
    ensure_libclang()?;
    Ok(bindgen::clang_version().full)
}

#[derive(Debug)]
struct MacroNames(Arc<Mutex<BTreeSet<String>>>);

impl bindgen::callbacks::ParseCallbacks for MacroNames {
    fn will_parse_macro(&self, name: &str) -> bindgen::callbacks::MacroParsingBehavior {
        if let Ok(mut names) = self.0.lock() {
            names.insert(name.to_owned());
        }
        bindgen::callbacks::MacroParsingBehavior::Default
    }
}

/// Runs bindgen on `Python.h` with `Py_LIMITED_API` set to `limited_api` (and, for abi3t,
/// `Py_TARGET_ABI3T` too, as a probe build defines them) and reads back what it declares.
pub fn extract(
    paths: &HeaderPaths,
    limited_api: PyVersion,
    target: Target,
    const_names: &[String],
) -> Result<Extraction, HeadersError> {
    ensure_libclang()?;
    let include_dir = &paths.include_dir;
    let macros = Arc::new(Mutex::new(BTreeSet::new()));
    let mut builder = bindgen::Builder::default()
        .header_contents("abi_harness_static.h", &translation_unit(const_names))
        .clang_arg(format!("-I{}", include_dir.display()))
        .clang_args(target.defines(limited_api))
        // Everything the Python headers declare, plus the system types it refers to.
        .allowlist_file(format!("{}/.*", regex_escape(&include_dir.display().to_string())))
        .allowlist_var(format!("{CONST_PREFIX}.*"))
        .formatter(bindgen::Formatter::None)
        .layout_tests(true)
        .generate_comments(false)
        .derive_debug(false)
        .derive_default(false)
        .prepend_enum_name(false)
        .default_enum_style(bindgen::EnumVariation::Consts)
        .parse_callbacks(Box::new(MacroNames(macros.clone())));
    if let Some((triple, sysroot)) = &paths.target {
        builder = builder.clang_arg(format!("--target={triple}")).clang_arg(format!("--sysroot={}", sysroot.display()));
    } else if let Some(after) = &paths.after_dir {
        builder = builder.clang_arg("-idirafter").clang_arg(after.display().to_string());
    }
    let bindings = builder.generate().map_err(|err| HeadersError::Bindgen {
        include_dir: include_dir.clone(),
        limited_api,
        abi3t: abi3t_words(target),
        message: err.to_string(),
    })?;
    let source = bindings.to_string();
    let mut extraction = read_bindings(&source).map_err(|message| HeadersError::Output {
        include_dir: include_dir.clone(),
        limited_api,
        abi3t: abi3t_words(target),
        message,
    })?;
    extraction.macros = macros.lock().map(|m| m.clone()).unwrap_or_default();
    Ok(extraction)
}

/// How an error names the target: nothing for abi3, the extra definition for abi3t.
fn abi3t_words(target: Target) -> &'static str {
    match target {
        Target::Abi3 => "",
        Target::Abi3t => " and Py_TARGET_ABI3T",
    }
}

/// Struct and union bodies as bindgen writes them: name → ((member, type) list, opaque).
type RawRecords = BTreeMap<String, (Vec<(String, String)>, bool)>;

/// Reads bindgen's output back into an [`Extraction`] (without macro names).
pub(crate) fn read_bindings(source: &str) -> Result<Extraction, String> {
    let file = syn::parse_file(source).map_err(|err| format!("bindgen's output does not parse: {err}"))?;
    let mut out = Extraction::default();
    let mut raw_structs: RawRecords = BTreeMap::new();
    let mut sizes: BTreeMap<String, u64> = BTreeMap::new();
    let mut aligns: BTreeMap<String, u64> = BTreeMap::new();
    let mut offsets: BTreeMap<(String, String), u64> = BTreeMap::new();
    for item in &file.items {
        match item {
            syn::Item::ForeignMod(block) => {
                for foreign in &block.items {
                    match foreign {
                        syn::ForeignItem::Fn(f) => {
                            let sig = &f.sig;
                            let params = sig
                                .inputs
                                .iter()
                                .filter_map(|arg| match arg {
                                    syn::FnArg::Typed(pat) => {
                                        Some((pat.pat.to_token_stream().to_string(), render(&pat.ty)))
                                    }
                                    syn::FnArg::Receiver(_) => None,
                                })
                                .collect();
                            let ret = match &sig.output {
                                syn::ReturnType::Default => "()".to_owned(),
                                syn::ReturnType::Type(_, ty) => render(ty),
                            };
                            let name = sig.ident.to_string();
                            out.exposed.insert(name.clone());
                            out.functions.insert(name, Signature { params, ret, variadic: sig.variadic.is_some() });
                        }
                        syn::ForeignItem::Static(s) => {
                            let name = s.ident.to_string();
                            out.exposed.insert(name.clone());
                            out.data.insert(name, render(&s.ty));
                        }
                        _ => {}
                    }
                }
            }
            syn::Item::Const(c) if c.ident == "_" => read_layout_block(&c.expr, &mut sizes, &mut aligns, &mut offsets),
            syn::Item::Const(c) => {
                if let Some(value) = int_value(&c.expr) {
                    evaluated_or_macro(&mut out.consts, &c.ident.to_string(), value);
                }
            }
            syn::Item::Type(t) => {
                out.typedefs.insert(t.ident.to_string(), render(&t.ty));
            }
            syn::Item::Struct(s) => {
                let fields: Vec<(String, String)> =
                    s.fields.iter().filter_map(|f| Some((f.ident.as_ref()?.to_string(), render(&f.ty)))).collect();
                // bindgen's stand-in for an incomplete type: `_unused: [u8; 0]`.
                let opaque = fields.len() == 1 && fields[0].0 == "_unused";
                raw_structs.insert(s.ident.to_string(), (fields, opaque));
            }
            syn::Item::Union(u) => {
                let fields = u
                    .fields
                    .named
                    .iter()
                    .filter_map(|f| Some((f.ident.as_ref()?.to_string(), render(&f.ty))))
                    .collect();
                raw_structs.insert(u.ident.to_string(), (fields, false));
            }
            _ => {}
        }
    }
    // Our own carriers are not the headers' declarations.
    out.consts.retain(|name, _| !name.starts_with(CONST_PREFIX));
    out.exposed.retain(|name| !name.starts_with(CONST_PREFIX));
    out.data.retain(|name, _| !name.starts_with(CONST_PREFIX));
    for (name, (_, opaque)) in &raw_structs {
        let mut flat = Vec::new();
        if !opaque {
            flatten(name, 0, &raw_structs, &offsets, &mut flat, 0);
        }
        let record =
            Record { size: sizes.get(name).copied(), align: aligns.get(name).copied(), fields: flat, opaque: *opaque };
        out.structs.insert(name.clone(), record);
    }
    Ok(out)
}

/// A const's value: clang's evaluation (`abi_harness_const_NAME`) over bindgen's own reading of
/// the macro, which it overrides whichever comes first.
fn evaluated_or_macro(consts: &mut BTreeMap<String, String>, ident: &str, value: String) {
    match ident.strip_prefix(CONST_PREFIX) {
        Some(name) => {
            consts.insert(format!("{CONST_PREFIX}{name}"), String::new());
            consts.insert(name.to_owned(), value);
        }
        None if consts.contains_key(&format!("{CONST_PREFIX}{ident}")) => {}
        None => {
            consts.insert(ident.to_owned(), value);
        }
    }
}

/// Members of `name` at `base`, anonymous members (`__bindgen_anon_N`) replaced by theirs.
fn flatten(
    name: &str,
    base: u64,
    structs: &RawRecords,
    offsets: &BTreeMap<(String, String), u64>,
    out: &mut Vec<Field>,
    depth: usize,
) {
    let Some((fields, _)) = structs.get(name) else { return };
    for (field, ty) in fields {
        let offset = offsets.get(&(name.to_owned(), field.clone())).map(|o| base + o);
        if field.starts_with("__bindgen_anon_") && depth < 8 {
            flatten(ty, offset.unwrap_or(base), structs, offsets, out, depth + 1);
        } else {
            out.push(Field { name: field.clone(), ty: ty.clone(), offset });
        }
    }
}

/// `["Size of X"][size_of::<X>() - 24usize];` and its `Alignment of` / `Offset of field: X::m`
/// siblings, as bindgen writes them.
fn read_layout_block(
    expr: &syn::Expr,
    sizes: &mut BTreeMap<String, u64>,
    aligns: &mut BTreeMap<String, u64>,
    offsets: &mut BTreeMap<(String, String), u64>,
) {
    let syn::Expr::Block(block) = expr else { return };
    for stmt in &block.block.stmts {
        let syn::Stmt::Expr(syn::Expr::Index(index), _) = stmt else { continue };
        let syn::Expr::Array(label) = &*index.expr else { continue };
        let Some(syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(label), .. })) = label.elems.first() else {
            continue;
        };
        let syn::Expr::Binary(difference) = &*index.index else { continue };
        let syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(number), .. }) = &*difference.right else { continue };
        let Ok(number) = number.base10_parse::<u64>() else { continue };
        let label = label.value();
        if let Some(name) = label.strip_prefix("Size of ") {
            sizes.insert(name.to_owned(), number);
        } else if let Some(name) = label.strip_prefix("Alignment of ") {
            aligns.insert(name.to_owned(), number);
        } else if let Some((record, field)) =
            label.strip_prefix("Offset of field: ").and_then(|rest| rest.split_once("::"))
        {
            offsets.insert((record.to_owned(), field.to_owned()), number);
        }
    }
}

/// An integer constant's value in decimal: `61`, `-1`, `0x10` as bindgen writes them.
fn int_value(expr: &syn::Expr) -> Option<String> {
    match expr {
        syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(int), .. }) => {
            int.base10_parse::<u128>().ok().map(|v| v.to_string())
        }
        syn::Expr::Unary(syn::ExprUnary { op: syn::UnOp::Neg(_), expr, .. }) => {
            int_value(expr).map(|v| format!("-{v}"))
        }
        syn::Expr::Paren(inner) => int_value(&inner.expr),
        syn::Expr::Cast(cast) => int_value(&cast.expr),
        _ => None,
    }
}

/// A type as written by bindgen, compactly: `*const c_char`, `Option<unsafe extern "C" fn(...)>`
/// becomes `fn(a: *mut PyObject) -> c_int` (a function pointer that may be NULL, as in C).
pub(crate) fn render(ty: &syn::Type) -> String {
    match ty {
        syn::Type::Ptr(ptr) => {
            format!("*{} {}", if ptr.mutability.is_some() { "mut" } else { "const" }, render(&ptr.elem))
        }
        syn::Type::Path(path) => {
            let Some(last) = path.path.segments.last() else { return String::new() };
            let name = last.ident.to_string();
            match &last.arguments {
                syn::PathArguments::AngleBracketed(args) => {
                    let inner: Vec<String> = args
                        .args
                        .iter()
                        .map(|arg| match arg {
                            syn::GenericArgument::Type(t) => render(t),
                            other => other.to_token_stream().to_string(),
                        })
                        .collect();
                    // The nullable function pointer: C has no other kind.
                    if name == "Option" && inner.len() == 1 && inner[0].starts_with("fn(") {
                        return inner[0].clone();
                    }
                    format!("{name}<{}>", inner.join(", "))
                }
                _ => name,
            }
        }
        syn::Type::BareFn(f) => {
            let mut params: Vec<String> = f
                .inputs
                .iter()
                .map(|arg| match &arg.name {
                    Some((name, _)) => format!("{name}: {}", render(&arg.ty)),
                    None => render(&arg.ty),
                })
                .collect();
            if f.variadic.is_some() {
                params.push("...".into());
            }
            let ret = match &f.output {
                syn::ReturnType::Default => String::new(),
                syn::ReturnType::Type(_, ty) => format!(" -> {}", render(ty)),
            };
            format!("fn({}){ret}", params.join(", "))
        }
        syn::Type::Array(array) => {
            let len = int_value(&array.len).unwrap_or_else(|| array.len.to_token_stream().to_string());
            format!("[{}; {len}]", render(&array.elem))
        }
        syn::Type::Tuple(t) if t.elems.is_empty() => "()".into(),
        syn::Type::Never(_) => "!".into(),
        syn::Type::Paren(p) => render(&p.elem),
        other => other.to_token_stream().to_string(),
    }
}

fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.+*?()|[]{}^$#&-~ ".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The multiarch folder Debian's `pyconfig.h` includes, if this include folder has one, so the
/// cache key covers it.
pub(crate) fn multiarch_config_dir(paths: &HeaderPaths) -> Option<PathBuf> {
    let after = paths.after_dir.as_ref()?;
    let name = paths.include_dir.file_name()?;
    std::fs::read_dir(after)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path().join(name))
        .find(|candidate| candidate.join("pyconfig.h").is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_bindgen_output() {
        let source = r#"
            pub const Py_tp_init: u32 = 61;
            pub const PY_NEG: i32 = -1;
            pub const Py_mod_create: u32 = 1;
            pub const abi_harness_const_Py_mod_create: ::std::os::raw::c_ulonglong = 84;
            pub type Py_ssize_t = isize;
            pub type PyObject = _object;
            pub type PyCFunction = ::std::option::Option<unsafe extern "C" fn(arg1: *mut PyObject, arg2: *mut PyObject) -> *mut PyObject>;
            #[repr(C)]
            pub struct _object { pub __bindgen_anon_1: _object__bindgen_ty_1, pub ob_type: *mut PyTypeObject }
            #[repr(C)]
            pub union _object__bindgen_ty_1 { pub ob_refcnt: Py_ssize_t, pub ob_refcnt_split: [u32; 2usize] }
            #[repr(C)]
            pub struct _ts { _unused: [u8; 0] }
            const _: () = {
                ["Size of _object"][::std::mem::size_of::<_object>() - 16usize];
                ["Alignment of _object"][::std::mem::align_of::<_object>() - 8usize];
                ["Offset of field: _object::ob_type"][::std::mem::offset_of!(_object, ob_type) - 8usize];
                ["Offset of field: _object__bindgen_ty_1::ob_refcnt"][::std::mem::offset_of!(_object__bindgen_ty_1, ob_refcnt) - 0usize];
            };
            unsafe extern "C" {
                pub fn PyObject_GetAttrString(arg1: *mut PyObject, arg2: *const ::std::os::raw::c_char) -> *mut PyObject;
                pub fn PyArg_ParseTuple(arg1: *mut PyObject, arg2: *const ::std::os::raw::c_char, ...) -> ::std::os::raw::c_int;
                pub static mut PyExc_TypeError: *mut PyObject;
            }
        "#;
        let e = read_bindings(source).unwrap();
        assert_eq!(e.consts["Py_tp_init"], "61");
        assert_eq!(e.consts["PY_NEG"], "-1");
        assert_eq!(e.consts["Py_mod_create"], "84", "clang's evaluation wins over bindgen's");
        assert!(!e.consts.keys().any(|k| k.starts_with(CONST_PREFIX)));
        assert_eq!(e.typedefs["PyCFunction"], "fn(arg1: *mut PyObject, arg2: *mut PyObject) -> *mut PyObject");
        let object = &e.structs["_object"];
        assert_eq!((object.size, object.align), (Some(16), Some(8)));
        assert_eq!(object.fields[0], Field { name: "ob_refcnt".into(), ty: "Py_ssize_t".into(), offset: Some(0) });
        assert_eq!(object.fields[2], Field { name: "ob_type".into(), ty: "*mut PyTypeObject".into(), offset: Some(8) });
        assert!(e.structs["_ts"].opaque);
        let sig = &e.functions["PyObject_GetAttrString"];
        assert_eq!(sig.params[1], ("arg2".to_owned(), "*const c_char".to_owned()));
        assert!(e.functions["PyArg_ParseTuple"].variadic);
        assert_eq!(e.data["PyExc_TypeError"], "*mut PyObject");
        assert!(e.exposed.contains("PyExc_TypeError"));
    }
}
