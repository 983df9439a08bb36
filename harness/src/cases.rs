//! Generated property cases, shared by every cell of a run.
//!
//! A property's cases depend on the run's seed, the property and how many cases a cell runs,
//! never on the build or the interpreter: every cell gets the same ones. Generating them and
//! writing their wire form took about a third of the harness's time in each cell, so a run
//! does it once per property and case count and shares the result. The cache has a memory
//! budget: a nightly's thousand cases per property would not fit, and past the budget each
//! cell generates its own, as if there were no cache.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, RngSeed, TestRunner};
use sha2::{Digest, Sha256};

use crate::properties::Property;
use crate::value::PyValue;

/// Bounds shrinking so that one break cannot eat a CI job.
const MAX_SHRINK_ITERS: u32 = 512;

/// A property's seed: the run's seed and the property's routine, nothing about the cell.
pub fn seed_for(run_seed: u64, property: &Property) -> u64 {
    let mut hasher = Sha256::new();
    hasher.update(run_seed.to_le_bytes());
    hasher.update(property.routine.as_bytes());
    let digest = hasher.finalize();
    u64::from_le_bytes(digest[..8].try_into().unwrap_or([0; 8]))
}

/// How proptest generates and shrinks `cases` cases from `seed`: the one definition, so that a
/// case can be generated again from its index.
pub fn config(seed: u64, cases: u32) -> Config {
    Config {
        cases,
        rng_seed: RngSeed::Fixed(seed),
        // XorShift, not the default ChaCha: generating cases was a fifth of the harness's
        // time, and the cases need to be reproducible from the seed, not unpredictable.
        rng_algorithm: RngAlgorithm::XorShift,
        failure_persistence: None,
        max_shrink_iters: MAX_SHRINK_ITERS,
        max_shrink_time: 20_000,
        max_global_rejects: 4096,
        ..Config::default()
    }
}

/// The cases `config` generates for `property`, in the order a proptest run meets them.
///
/// A proptest run draws a fresh seed from its generator before each case and generates the case
/// from a generator reseeded with it (`TestRunner::run`, `gen_get_seed`); generating from one
/// unbroken generator gives other cases. The batch of all cases and the case-by-case run that
/// repeats it after a difference must meet the same cases, or a failure the batch saw can pass
/// in the repeat (`cargo xtask mutants` found faults passed that way): so each case here comes
/// from a generator forked the same way, and the next seed from the state that case left.
pub fn generate(property: &Property, config: &Config) -> Option<Vec<Vec<PyValue>>> {
    let strategy = property.strategy();
    let mut parent = TestRunner::new(config.clone());
    let mut cases = Vec::with_capacity(config.cases as usize);
    for _ in 0..config.cases {
        let mut runner = TestRunner::new_with_rng(config.clone(), parent.new_rng());
        cases.push(strategy.new_tree(&mut runner).ok()?.current());
        *parent.rng() = runner.rng().clone();
    }
    Some(cases)
}

/// One property's cases for one case count.
pub struct Cases {
    pub args: Vec<Vec<PyValue>>,
    /// The JSON array of the cases' wire forms, written once, sent as it is in every cell's
    /// request.
    pub wire: Box<serde_json::value::RawValue>,
}

impl Cases {
    pub fn new(args: Vec<Vec<PyValue>>) -> Option<Self> {
        let wire =
            serde_json::Value::Array(args.iter().map(|args| crate::value::args_to_wire(args)).collect()).to_string();
        Some(Cases { args, wire: serde_json::value::RawValue::from_string(wire).ok()? })
    }

    /// What keeping these cases costs, roughly: the wire text, and the values, which take
    /// about as much again.
    fn cost(&self) -> usize {
        self.wire.get().len() * 2
    }
}

pub struct CaseCache {
    entries: Mutex<Entries>,
    budget_bytes: usize,
}

#[derive(Default)]
struct Entries {
    by_key: HashMap<(usize, u32), Arc<Cases>>,
    bytes: usize,
}

impl CaseCache {
    /// The default matrix's cases (32 per property) take about 30 MiB.
    pub const DEFAULT_BUDGET_BYTES: usize = 128 << 20;

    pub fn new(budget_bytes: usize) -> Self {
        CaseCache { entries: Mutex::new(Entries::default()), budget_bytes }
    }

    /// The cases of property `property` (its index in the run's list) at `count` cases: the
    /// kept ones, or `generate`'s, which are kept while the budget allows. Two cells asking at
    /// once may both generate; the cases are the same, so either copy serves.
    pub fn get_or_generate(
        &self,
        property: usize,
        count: u32,
        generate: impl FnOnce() -> Option<Cases>,
    ) -> Option<Arc<Cases>> {
        let key = (property, count);
        if let Some(cases) = self.lock().by_key.get(&key) {
            return Some(Arc::clone(cases));
        }
        let cases = Arc::new(generate()?);
        let mut entries = self.lock();
        if entries.bytes + cases.cost() <= self.budget_bytes && !entries.by_key.contains_key(&key) {
            entries.bytes += cases.cost();
            entries.by_key.insert(key, Arc::clone(&cases));
        }
        Some(cases)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        // A panicking cell cannot leave the map half-updated: every update is one insert.
        self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cases(wire: &str) -> Cases {
        Cases {
            args: vec![vec![PyValue::None]],
            wire: serde_json::value::RawValue::from_string(wire.to_owned()).unwrap(),
        }
    }

    #[test]
    fn generated_cases_are_those_a_proptest_run_meets() {
        for property in crate::properties::catalogue().iter().step_by(7) {
            let config = config(seed_for(1, property), 16);
            let generated = generate(property, &config).expect("cases");
            let met = std::cell::RefCell::new(Vec::new());
            let mut runner = TestRunner::new(config.clone());
            let _ = runner.run(&property.strategy(), |args| {
                met.borrow_mut().push(args);
                Ok(())
            });
            // Compared as text: a NaN in a case is not equal to itself.
            assert_eq!(format!("{generated:?}"), format!("{:?}", met.into_inner()), "{}", property.routine);
        }
    }

    #[test]
    fn kept_cases_are_served_without_generating_again() {
        let cache = CaseCache::new(1 << 20);
        let first = cache.get_or_generate(3, 32, || Some(cases("[[\"n\"]]"))).expect("generated");
        let second = cache.get_or_generate(3, 32, || panic!("generated twice")).expect("kept");
        assert!(Arc::ptr_eq(&first, &second));
        // Another case count is another set of cases.
        let other = cache.get_or_generate(3, 8, || Some(cases("[]"))).expect("generated");
        assert_eq!(other.wire.get(), "[]");
    }

    #[test]
    fn past_the_budget_cases_are_generated_each_time() {
        let cache = CaseCache::new(10);
        let mut generated = 0;
        for _ in 0..2 {
            cache.get_or_generate(0, 32, || {
                generated += 1;
                Some(cases("[[\"n\"],[\"n\"]]"))
            });
        }
        assert_eq!(generated, 2);
    }
}
