//! The C signature of a contract, in a small notation that says how to drive the call:
//! `RET(PARAM, ...)`, for example `new(O, s)` or `status(O, &O, *n)`.
//!
//! Return kinds carry the error contract the generated routine enforces:
//!
//! | kind | C type | error contract |
//! |---|---|---|
//! | `new`, `borrowed` | `PyObject *` | NULL exactly when an exception is set; the caller owns `new` |
//! | `new?`, `borrowed?` | `PyObject *` | the same, but NULL without an exception means "none" (None) |
//! | `status` | `int` | 0 on success, -1 exactly when an exception is set |
//! | `bool` | `int` | 0 or 1, or -1 exactly when an exception is set |
//! | `flag` | `int` | 0 or 1 and never an exception |
//! | `int`, `long`, `ssize`, `llong`, `i32`, `i64` | signed | -1 when an exception is set |
//! | `ulong`, `ullong`, `size_t`, `u32`, `u64`, `uint` | unsigned | all ones when an exception is set |
//! | `double` | `double` | -1.0 when an exception is set |
//! | `cstr` | `const char *` | NULL exactly when an exception is set; the bytes are returned |
//! | `cstr?` | `const char *` | NULL means "none" (None), never an exception |
//! | `void` | `void` | never an exception |
//!
//! An integer kind followed by `!` (`int!`) cannot fail: any exception breaks the contract.
//!
//! Parameters, each taking one Python argument unless said otherwise:
//! `O` an object; `Z` an object or NULL (None); `&O` an object whose reference the call steals
//! (`&Z`: or NULL);
//! `T` a type object; `s` a UTF-8 C string from a str; `z` the same or NULL (None); `y` a C
//! string from bytes; `y#` a buffer and its length (`const char *, Py_ssize_t`) from bytes;
//! `n`, `i`, `l`, `L`, `k`, `K`, `I`, `i32`, `u32`, `i64`, `u64`, `size_t`, `d` C numbers from an
//! int (a float for `d`); out-parameters `*O` (a new reference), `*B` (a borrowed one), `*n`,
//! `*i`, `*l`, `*d` take no argument: they are returned after the result, `(result, out, ...)`,
//! and the bytes on both sides of each are checked to be untouched.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ret {
    New,
    Borrowed,
    OptionalNew,
    OptionalBorrowed,
    Status,
    Bool,
    Flag,
    /// A C integer; `cannot_fail` for the `!` forms.
    Integer {
        ty: Integer,
        cannot_fail: bool,
    },
    Double,
    CStr,
    OptionalCStr,
    Void,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Integer {
    Int,
    UInt,
    Long,
    ULong,
    LongLong,
    ULongLong,
    Ssize,
    SizeT,
    I32,
    U32,
    I64,
    U64,
}

impl Integer {
    fn parse(code: &str) -> Option<Integer> {
        Some(match code {
            "int" | "i" => Integer::Int,
            "uint" | "I" => Integer::UInt,
            "long" | "l" => Integer::Long,
            "ulong" | "k" => Integer::ULong,
            "llong" | "L" => Integer::LongLong,
            "ullong" | "K" => Integer::ULongLong,
            "ssize" | "n" => Integer::Ssize,
            "size_t" => Integer::SizeT,
            "i32" => Integer::I32,
            "u32" => Integer::U32,
            "i64" => Integer::I64,
            "u64" => Integer::U64,
            _ => return None,
        })
    }

    pub fn c_type(self) -> &'static str {
        match self {
            Integer::Int => "int",
            Integer::UInt => "unsigned int",
            Integer::Long => "long",
            Integer::ULong => "unsigned long",
            Integer::LongLong => "long long",
            Integer::ULongLong => "unsigned long long",
            Integer::Ssize => "Py_ssize_t",
            Integer::SizeT => "size_t",
            Integer::I32 => "int32_t",
            Integer::U32 => "uint32_t",
            Integer::I64 => "int64_t",
            Integer::U64 => "uint64_t",
        }
    }

    pub fn is_signed(self) -> bool {
        matches!(self, Integer::Int | Integer::Long | Integer::LongLong | Integer::Ssize | Integer::I32 | Integer::I64)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Param {
    Object,
    ObjectOrNull,
    Stolen,
    StolenOrNull,
    Type,
    Utf8,
    Utf8OrNull,
    BytesZ,
    BytesAndSize,
    Integer(Integer),
    Double,
    OutNew,
    OutBorrowed,
    OutInteger(Integer),
    OutDouble,
}

impl Param {
    fn parse(code: &str) -> Option<Param> {
        Some(match code {
            "O" => Param::Object,
            "Z" => Param::ObjectOrNull,
            "&O" => Param::Stolen,
            "&Z" => Param::StolenOrNull,
            "T" => Param::Type,
            "s" => Param::Utf8,
            "z" => Param::Utf8OrNull,
            "y" => Param::BytesZ,
            "y#" => Param::BytesAndSize,
            "d" => Param::Double,
            "*O" => Param::OutNew,
            "*B" => Param::OutBorrowed,
            "*d" => Param::OutDouble,
            _ => {
                if let Some(out) = code.strip_prefix('*') {
                    return Integer::parse(out).map(Param::OutInteger);
                }
                return Integer::parse(code).map(Param::Integer);
            }
        })
    }

    /// Whether the parameter takes a Python argument (out-parameters do not).
    pub fn takes_argument(self) -> bool {
        !self.is_out()
    }

    pub fn is_out(self) -> bool {
        matches!(self, Param::OutNew | Param::OutBorrowed | Param::OutInteger(_) | Param::OutDouble)
    }

    /// The parameter's C type(s), for a prototype.
    pub fn c_types(self) -> &'static str {
        match self {
            Param::Object | Param::ObjectOrNull | Param::Stolen | Param::StolenOrNull => "PyObject *",
            Param::Type => "PyTypeObject *",
            Param::Utf8 | Param::Utf8OrNull | Param::BytesZ => "const char *",
            Param::BytesAndSize => "const char *, Py_ssize_t",
            Param::Integer(ty) => ty.c_type(),
            Param::Double => "double",
            Param::OutNew | Param::OutBorrowed => "PyObject **",
            Param::OutInteger(ty) => match ty {
                Integer::Int => "int *",
                Integer::UInt => "unsigned int *",
                Integer::Long => "long *",
                Integer::ULong => "unsigned long *",
                Integer::LongLong => "long long *",
                Integer::ULongLong => "unsigned long long *",
                Integer::Ssize => "Py_ssize_t *",
                Integer::SizeT => "size_t *",
                Integer::I32 => "int32_t *",
                Integer::U32 => "uint32_t *",
                Integer::I64 => "int64_t *",
                Integer::U64 => "uint64_t *",
            },
            Param::OutDouble => "double *",
        }
    }
}

impl Ret {
    fn parse(code: &str) -> Option<Ret> {
        let (code, cannot_fail) = match code.strip_suffix('!').filter(|c| !c.ends_with('?')) {
            Some(code) => (code, true),
            None => (code, false),
        };
        let ret = match code {
            "new" => Ret::New,
            "borrowed" => Ret::Borrowed,
            "new?" => Ret::OptionalNew,
            "borrowed?" => Ret::OptionalBorrowed,
            "status" => Ret::Status,
            "bool" => Ret::Bool,
            "flag" => Ret::Flag,
            "double" => Ret::Double,
            "cstr" => Ret::CStr,
            "cstr?" => Ret::OptionalCStr,
            "void" => Ret::Void,
            _ => return Integer::parse(code).filter(|_| code.len() > 1).map(|ty| Ret::Integer { ty, cannot_fail }),
        };
        (!cannot_fail).then_some(ret)
    }

    pub fn c_type(self) -> &'static str {
        match self {
            Ret::New | Ret::Borrowed | Ret::OptionalNew | Ret::OptionalBorrowed => "PyObject *",
            Ret::Status | Ret::Bool | Ret::Flag => "int",
            Ret::Integer { ty, .. } => ty.c_type(),
            Ret::Double => "double",
            Ret::CStr | Ret::OptionalCStr => "const char *",
            Ret::Void => "void",
        }
    }
}

/// A parsed signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    pub ret: Ret,
    pub params: Vec<Param>,
}

impl Signature {
    pub fn parse(text: &str) -> Result<Signature, String> {
        let text = text.trim();
        let open = text.find('(').ok_or("expected `RET(PARAM, ...)`")?;
        let inner = text[open + 1..].strip_suffix(')').ok_or("expected `)` at the end")?;
        let ret_code = text[..open].trim();
        let ret = Ret::parse(ret_code).ok_or_else(|| format!("unknown return kind `{ret_code}`"))?;
        let params = inner
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|code| Param::parse(code).ok_or_else(|| format!("unknown parameter kind `{code}`")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Signature { ret, params })
    }

    /// How many Python arguments the routine takes.
    pub fn arity(&self) -> usize {
        self.params.iter().filter(|p| p.takes_argument()).count()
    }
}

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let params: Vec<&str> = self.params.iter().map(|p| p.c_types()).collect();
        write!(f, "{}({})", self.ret.c_type(), if params.is_empty() { "void".to_owned() } else { params.join(", ") })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_notation() {
        let sig = Signature::parse("status(O, &O, *n, y#)").unwrap();
        assert_eq!(sig.ret, Ret::Status);
        assert_eq!(
            sig.params,
            vec![Param::Object, Param::Stolen, Param::OutInteger(Integer::Ssize), Param::BytesAndSize]
        );
        assert_eq!(sig.arity(), 3);
        assert_eq!(Signature::parse("int!()").unwrap().ret, Ret::Integer { ty: Integer::Int, cannot_fail: true });
        assert_eq!(sig.to_string(), "int(PyObject *, PyObject *, Py_ssize_t *, const char *, Py_ssize_t)");
    }

    #[test]
    fn refuses_unknown_codes() {
        assert!(Signature::parse("new(O, q)").unwrap_err().contains("`q`"));
        assert!(Signature::parse("nope(O)").unwrap_err().contains("`nope`"));
        assert!(Signature::parse("new!(O)").is_err());
        assert!(Signature::parse("new O").is_err());
    }
}
