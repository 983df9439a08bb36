//! Whether a probe's outcome agrees with its oracle's: the one rule, used by cells (case by case
//! and for a batch's digests) and by `replay`. `worker.py` only reports what happened.

use crate::protocol::{CaseReply, End, Footprint, Outcome};
use crate::value::render_wire;

/// Why a case does not hold.
#[derive(Clone, Debug, PartialEq)]
pub enum Disagreement {
    /// The probe broke its error contract (NULL without an exception, an exception with a
    /// success status, ...): wrong whatever the oracle did.
    Contract(String),
    /// Results, exceptions or arguments after the call differ.
    Outcome { probe: String, oracle: String },
    /// Same outcome, but the call left different reference counts behind than its Python-level
    /// equivalent: a reference gained or lost.
    References(String),
}

impl std::fmt::Display for Disagreement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Disagreement::Contract(contract) => write!(f, "error contract broken: {contract}"),
            Disagreement::Outcome { probe, oracle } => write!(f, "  probe:  {probe}\n  oracle: {oracle}"),
            Disagreement::References(how) => write!(f, "reference counts differ: {how}"),
        }
    }
}

/// One case, both outcomes in full.
pub fn case(reply: &CaseReply) -> Result<(), Disagreement> {
    let (probe, oracle) = (&reply.probe, &reply.oracle);
    if let End::Contract(contract) = &probe.end {
        return Err(Disagreement::Contract(contract.clone()));
    }
    if probe.end != oracle.end || probe.after != oracle.after {
        return Err(Disagreement::Outcome { probe: describe(probe), oracle: describe(oracle) });
    }
    match (&probe.refs, &oracle.refs) {
        (Some(probe), Some(oracle)) => {
            references(probe, oracle).map_or(Ok(()), |how| Err(Disagreement::References(how)))
        }
        _ => Ok(()),
    }
}

/// How two reference footprints (`worker.py`, `footprint`) differ, in words; `None` when they
/// agree, or cannot be compared. Only what the call did to its result counts, and only where
/// the oracle's result says what is right without doubt:
/// - both returned the same one of the arguments' objects: the call must leave it with as many
///   more references as the oracle's call did (one, for a result returned as a new reference);
/// - the oracle's result is a new object held once (the worker's reference): a new object the
///   probe returns must not be held more often, or a reference leaked.
///
/// The arguments' own counts are not compared: a routine passes the API converted arguments
/// (a C string for a `str`), so its calls and the oracle's touch different objects.
fn references(probe: &Footprint, oracle: &Footprint) -> Option<String> {
    if let (Some(p), Some(o)) = (probe.result, oracle.result) {
        if p == o {
            if let (Some(p), Some(o), Some(path)) = (probe.delta, oracle.delta, &probe.path) {
                if p != o {
                    return Some(format!(
                        "the result ({path}) was left with {} reference{} {} than by its Python-level equivalent ({p:+} against {o:+}){}",
                        (p - o).abs(),
                        if (p - o).abs() == 1 { "" } else { "s" },
                        if p > o { "more" } else { "fewer" },
                        result_hint(p - o),
                    ));
                }
            }
        }
    }
    match (probe.fresh, oracle.fresh) {
        (Some(p), Some(1)) if p > 1 => Some(format!(
            "the result is a new object held {p} times where its Python-level equivalent's is held once{}",
            result_hint(p - 1),
        )),
        _ => None,
    }
}

fn result_hint(extra: i64) -> &'static str {
    match extra.signum() {
        1 => " (a new reference treated as borrowed, so a reference leaks)",
        -1 => " (a borrowed reference treated as new, so a reference is released that was never owned)",
        _ => "",
    }
}

/// One case of a batch, by the digests of its outcomes and their reference footprints: it
/// holds when the digests are equal, the probe's outcome kept its contract (`worker.py` starts
/// the digest of a broken contract with `!`) and the footprints agree, which is exactly when
/// [`case`] would agree; a case that does not hold is judged again on its own, which says how.
pub fn batch_case([probe, oracle]: &[String; 2], refs: &[Option<Footprint>; 2]) -> bool {
    let references_agree = match refs {
        [Some(probe), Some(oracle)] => references(probe, oracle).is_none(),
        _ => true,
    };
    probe == oracle && !probe.starts_with('!') && references_agree
}

/// `returns 3; arguments after: ([1], 2)`.
pub fn describe(outcome: &Outcome) -> String {
    let head = match &outcome.end {
        End::Ret(ret) => format!("returns {}", render_wire(ret)),
        End::Exc(exc) => format!("raises {exc}"),
        End::Contract(contract) => format!("breaks its error contract: {contract}"),
    };
    let after: Vec<String> = outcome.after.iter().map(render_wire).collect();
    if after.is_empty() { head } else { format!("{head}; arguments after: ({})", after.join(", ")) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn outcome(text: &str) -> Outcome {
        serde_json::from_str(text).unwrap()
    }

    fn reply(probe: &str, oracle: &str) -> CaseReply {
        CaseReply { probe: outcome(probe), oracle: outcome(oracle), digests: Default::default() }
    }

    #[test]
    fn equal_outcomes_hold_and_a_broken_contract_never_does() {
        let same = r#"{"ret":["i","2"],"after":[["i","1"]]}"#;
        assert_eq!(case(&reply(same, same)), Ok(()));
        let broken = r#"{"contract":"NULL without exception","after":[]}"#;
        assert_eq!(case(&reply(broken, broken)), Err(Disagreement::Contract("NULL without exception".into())));
    }

    #[test]
    fn differing_results_or_arguments_after_say_both_sides() {
        let err = case(&reply(r#"{"ret":["i","2"],"after":[]}"#, r#"{"exc":"TypeError","after":[]}"#)).unwrap_err();
        assert_eq!(err.to_string(), "  probe:  returns 2\n  oracle: raises TypeError");
        let err = case(&reply(r#"{"ret":["n"],"after":[["l",[]]]}"#, r#"{"ret":["n"],"after":[["l",[["i","1"]]]]}"#))
            .unwrap_err();
        assert!(matches!(err, Disagreement::Outcome { .. }), "{err:?}");
    }

    #[test]
    fn a_batch_holds_on_equal_digests_of_a_kept_contract() {
        let no = [None, None];
        assert!(batch_case(&["ab".into(), "ab".into()], &no));
        assert!(!batch_case(&["ab".into(), "ac".into()], &no));
        assert!(!batch_case(&["!ab".into(), "!ab".into()], &no));
        let leaked = [
            Some(Footprint { fresh: Some(2), ..Footprint::default() }),
            Some(Footprint { fresh: Some(1), ..Footprint::default() }),
        ];
        assert!(!batch_case(&["ab".into(), "ab".into()], &leaked));
    }

    fn item(delta: i64) -> Footprint {
        Footprint { result: Some(1), path: Some("item 0 of argument 1".into()), delta: Some(delta), fresh: None }
    }

    #[test]
    fn a_result_returned_with_a_reference_too_few_or_too_many_is_named() {
        let fewer = references(&item(0), &item(1)).unwrap();
        assert!(
            fewer.contains("item 0 of argument 1") && fewer.contains("borrowed reference treated as new"),
            "{fewer}"
        );
        let more = references(&item(2), &item(1)).unwrap();
        assert!(more.contains("1 reference more") && more.contains("leaks"), "{more}");
        assert_eq!(references(&item(1), &item(1)), None);
    }

    #[test]
    fn only_certain_readings_are_compared() {
        // Immortal results have no reading; results that are different objects are not compared.
        let immortal = Footprint { delta: None, ..item(0) };
        assert_eq!(references(&immortal, &item(1)), None);
        let other = Footprint { result: Some(0), ..item(0) };
        assert_eq!(references(&other, &item(1)), None);
        // A new object held once by the probe where the oracle's is shared (a cached value) is right.
        let fresh = |n| Footprint { fresh: Some(n), ..Footprint::default() };
        assert_eq!(references(&fresh(1), &fresh(2)), None);
        assert!(references(&fresh(2), &fresh(1)).is_some());
    }

    #[test]
    fn describe_names_the_end_and_the_arguments_after() {
        let o = Outcome { end: End::Exc("KeyError".into()), after: vec![json!(["i", "1"])], refs: None };
        assert_eq!(describe(&o), "raises KeyError; arguments after: (1)");
    }
}
