//! The worker protocol, as types: what the harness asks `probes/worker.py` and what it answers.
//!
//! One request and one reply per line, JSON. A request is `{"op": NAME, ...}`; each op has its
//! own reply type, and [`crate::worker::Worker`] pairs them ([`Op`]), so a cell and `replay` speak
//! the same protocol and neither assembles JSON by hand. `worker.py` documents the same ops from
//! its side. The protocol judges nothing: outcomes travel as they are, and [`crate::judge`]
//! decides whether they agree.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use serde_json::value::RawValue;

/// Bumped whenever a request or reply changes shape; `hello` checks it.
pub const PROTOCOL_VERSION: u32 = 3;

/// A request and the type of its reply.
pub trait Op: Serialize {
    type Reply: DeserializeOwned;
}

/// Who is there: the protocol version and the interpreter's `sys.version_info[:3]`.
#[derive(Serialize)]
#[serde(tag = "op", rename = "hello")]
pub struct Hello {}

#[derive(Debug, Deserialize)]
pub struct HelloReply {
    pub protocol: u32,
    pub version: [u32; 3],
}

impl Op for Hello {
    type Reply = HelloReply;
}

/// Import an extension module from a file. `avoid` names API entries the probe's own set-up must
/// not call (a crash there was charged to them earlier in the cell); the probe then takes
/// another way.
#[derive(Serialize)]
#[serde(tag = "op", rename = "import")]
pub struct Import<'a> {
    pub module: &'a str,
    pub path: &'a str,
    pub avoid: &'a [String],
}

/// Whether a step that only succeeds or fails (`import`, `define`) worked, and if not, why.
#[derive(Debug, Deserialize)]
pub struct Done {
    pub ok: bool,
    #[serde(default)]
    pub error: Option<String>,
}

impl Op for Import<'_> {
    type Reply = Done;
}

/// An extension the interpreter must not load: does the import system find the file under its
/// own name, and (with `load_as`, a suffix the interpreter accepts) what does loading a copy
/// installed under that suffix do? Nothing is put in `sys.modules`.
#[derive(Serialize)]
#[serde(tag = "op", rename = "refusal")]
pub struct Refusal<'a> {
    pub module: &'a str,
    pub path: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub load_as: Option<&'a str>,
}

#[derive(Debug, Deserialize)]
pub struct RefusalReply {
    /// The interpreter's `importlib.machinery.EXTENSION_SUFFIXES`.
    pub suffixes: Vec<String>,
    /// The import system found the file under its own name.
    pub found: bool,
    /// Looking for it raised (neither found nor refused).
    #[serde(default)]
    pub find_error: Option<String>,
    /// What loading the copy under `load_as` did.
    #[serde(default)]
    pub loaded: Option<Loaded>,
}

#[derive(Debug, Deserialize)]
pub struct Loaded {
    pub ok: bool,
    /// The exception's type name, where loading raised.
    pub exception: Option<String>,
    pub error: Option<String>,
}

impl Op for Refusal<'_> {
    type Reply = RefusalReply;
}

/// Which of `names` the dynamic linker cannot find in the worker's process. The worker looks
/// them up with ctypes, so no API entry under test is called.
#[derive(Serialize)]
#[serde(tag = "op", rename = "presence")]
pub struct Presence<'a> {
    pub names: &'a [&'a str],
}

#[derive(Debug, Deserialize)]
pub struct PresenceReply {
    pub missing: Vec<String>,
}

impl Op for Presence<'_> {
    type Reply = PresenceReply;
}

/// The routines compiled into the imported probe (read from its table without calling the API).
#[derive(Serialize)]
#[serde(tag = "op", rename = "routines")]
pub struct Routines {}

#[derive(Debug, Deserialize)]
pub struct RoutinesReply {
    pub routines: Vec<String>,
}

impl Op for Routines {
    type Reply = RoutinesReply;
}

/// The properties of this worker, by slot: slot `n` is `properties[n]`.
#[derive(Serialize)]
#[serde(tag = "op", rename = "define")]
pub struct Define<'a> {
    pub properties: Vec<PropertySpec<'a>>,
}

#[derive(Serialize)]
pub struct PropertySpec<'a> {
    pub routine: &'a str,
    pub oracle: &'a str,
}

impl Op for Define<'_> {
    type Reply = Done;
}

/// One case of the property in slot `p`: the probe's outcome and the oracle's, each on its own
/// fresh copy of the arguments.
#[derive(Serialize)]
#[serde(tag = "op", rename = "case")]
pub struct Case<'a> {
    pub p: usize,
    pub args: &'a Json,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct CaseReply {
    pub probe: Outcome,
    pub oracle: Outcome,
    /// The outcomes' digests, as in [`CasesReply`]; a passing case's probe digest goes into the
    /// fingerprint.
    pub digests: [String; 2],
}

impl Op for Case<'_> {
    type Reply = CaseReply;
}

/// Every case of a property at once (the common case: they all hold). Only digests come back.
#[derive(Serialize)]
#[serde(tag = "op", rename = "cases")]
pub struct Cases<'a> {
    pub p: usize,
    /// The cases' wire forms, generated once per run (`cases::Cases::wire`).
    pub cases: &'a RawValue,
}

/// Per case, the digest of the probe's outcome and of the oracle's (`worker.py`, `digest`), and
/// their reference footprints.
#[derive(Debug, Deserialize)]
pub struct CasesReply {
    pub digests: Vec<[String; 2]>,
    pub refs: Vec<[Option<Footprint>; 2]>,
}

impl Op for Cases<'_> {
    type Reply = CasesReply;
}

/// On a debug build: how much `calls` rounds of the property's probe calls over `cases` move
/// `sys.gettotalrefcount()`, and the same for its oracle.
#[derive(Serialize)]
#[serde(tag = "op", rename = "refleak")]
pub struct Refleak<'a> {
    pub p: usize,
    pub cases: &'a [Json],
    pub calls: i64,
    pub warmups: u32,
    pub readings: u32,
}

#[derive(Debug, Deserialize)]
pub struct RefleakReply {
    #[serde(default)]
    pub unsupported: bool,
    #[serde(default)]
    pub delta: i64,
    #[serde(default)]
    pub oracle_delta: i64,
}

impl Op for Refleak<'_> {
    type Reply = RefleakReply;
}

/// Many passing properties' probe calls measured together (one warm-up, one reading).
#[derive(Serialize)]
#[serde(tag = "op", rename = "refleak_screen")]
pub struct RefleakScreen<'a> {
    pub items: Vec<ScreenItem<'a>>,
    pub calls: i64,
}

#[derive(Serialize)]
pub struct ScreenItem<'a> {
    pub p: usize,
    pub cases: &'a [Json],
}

#[derive(Debug, Deserialize)]
pub struct ScreenReply {
    #[serde(default)]
    pub unsupported: bool,
    #[serde(default)]
    pub delta: i64,
}

impl Op for RefleakScreen<'_> {
    type Reply = ScreenReply;
}

/// What one call did: its result, the exception it raised, or the error contract it broke (the
/// probe's `ContractError`), and the arguments after the call; on a release build also its
/// reference footprint.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct Outcome {
    #[serde(flatten)]
    pub end: End,
    /// The arguments' wire forms after the call (a call may change them).
    pub after: Vec<Json>,
    /// How the call changed reference counts, where that can be seen (see `worker.py`,
    /// `footprint`); compared by the judge, kept out of the digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refs: Option<Footprint>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum End {
    /// The wire form of the returned value.
    Ret(Json),
    /// The exception's type name (`module.Qualname`, bare for builtins).
    Exc(String),
    /// The probe's error contract was broken: e.g. NULL returned with no exception set.
    Contract(String),
}

/// What a call did to its result's reference count, as `worker.py` reads it with
/// `sys.getrefcount`: for a result that is one of the objects the arguments reach (an
/// argument, an item of a list, tuple or dict argument), which one and the change the call
/// made (`None`: immortal, no reading); for a new object, how many references hold it
/// (`None`: too many to read, a shared object).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct Footprint {
    #[serde(default)]
    pub result: Option<usize>,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub delta: Option<i64>,
    #[serde(default)]
    pub fresh: Option<i64>,
}

/// What a worker answers when a request itself went wrong (an unknown op, a handler that
/// raised): never a finding about the interpreter, always a harness or protocol bug.
#[derive(Debug, Deserialize)]
pub struct WorkerError {
    pub error: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_carry_their_op() {
        let json = serde_json::to_value(Import { module: "m", path: "/p", avoid: &[] }).unwrap();
        assert_eq!(json, serde_json::json!({"op": "import", "module": "m", "path": "/p", "avoid": []}));
        assert_eq!(serde_json::to_value(Hello {}).unwrap(), serde_json::json!({"op": "hello"}));
        let wire = RawValue::from_string("[[[\"i\",\"1\"]]]".into()).unwrap();
        let text = serde_json::to_string(&Cases { p: 3, cases: &wire }).unwrap();
        assert_eq!(text, r#"{"op":"cases","p":3,"cases":[[["i","1"]]]}"#);
    }

    #[test]
    fn outcomes_read_each_way_a_call_can_end() {
        let ret: Outcome = serde_json::from_str(r#"{"ret":["i","2"],"after":[["i","1"]]}"#).unwrap();
        assert_eq!(ret.end, End::Ret(serde_json::json!(["i", "2"])));
        let exc: Outcome = serde_json::from_str(r#"{"exc":"TypeError","after":[]}"#).unwrap();
        assert_eq!(exc.end, End::Exc("TypeError".into()));
        let broken: Outcome =
            serde_json::from_str(r#"{"contract":"NULL without exception","after":[],"refs":{"fresh":1}}"#).unwrap();
        assert_eq!(broken.end, End::Contract("NULL without exception".into()));
        assert_eq!(broken.refs.unwrap().fresh, Some(1));
    }
}
