//! How a run names its cells and splits them: `CellKey` and `Shard`. A leaf: the plan, the
//! report model, `merge` and `diff` all speak of cells by these, and it imports none of them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A cell's name, unique within a run: the interpreter's platform and executable, and the build
/// id. Written in `report.json` as `[platform, executable, build]`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(from = "(String, String, String)", into = "(String, String, String)")]
pub struct CellKey {
    pub platform: String,
    pub executable: String,
    pub build: String,
}

impl CellKey {
    pub fn new(platform: impl Into<String>, executable: impl Into<String>, build: impl Into<String>) -> CellKey {
        CellKey { platform: platform.into(), executable: executable.into(), build: build.into() }
    }
}

impl From<(String, String, String)> for CellKey {
    fn from((platform, executable, build): (String, String, String)) -> CellKey {
        CellKey { platform, executable, build }
    }
}

impl From<CellKey> for (String, String, String) {
    fn from(key: CellKey) -> Self {
        (key.platform, key.executable, key.build)
    }
}

impl fmt::Display for CellKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "build {} on {} ({})", self.build, self.executable, self.platform)
    }
}

/// Part `index` of `count` (1-based, as CI matrices count): `--shard 2/3`.
///
/// A cell belongs to the shard given by a hash of its key (platform, executable, build id), not
/// by its position in the plan: the assignment survives reordering of the matrix, interpreters
/// found in another order, and builds added elsewhere in the plan. Every cell is in exactly one
/// shard; shards may differ in size (a few cells more or less), and a shard may be empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("`{0}` is not a shard: expected K/N with 1 <= K <= N, e.g. 2/3")]
pub struct ShardError(String);

impl Shard {
    /// Whether the cell with this key is this shard's.
    pub fn contains(&self, key: &CellKey) -> bool {
        shard_slot(key, self.count) == self.index - 1
    }
}

/// The 0-based slot of a cell among `count` shards. Separators keep ("a", "bc") apart from
/// ("ab", "c"); SHA-256 rather than std's hasher, whose output may change between Rust releases.
fn shard_slot(key: &CellKey, count: u32) -> u32 {
    let mut hasher = Sha256::new();
    for part in [&key.platform, &key.executable, &key.build] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    let digest = hasher.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    (u64::from_be_bytes(first) % u64::from(count)) as u32
}

impl FromStr for Shard {
    type Err = ShardError;

    fn from_str(text: &str) -> Result<Shard, ShardError> {
        let invalid = || ShardError(text.to_owned());
        let (index, count) = text.trim().split_once('/').ok_or_else(invalid)?;
        let index: u32 = index.trim().parse().map_err(|_| invalid())?;
        let count: u32 = count.trim().parse().map_err(|_| invalid())?;
        if index == 0 || index > count {
            return Err(invalid());
        }
        Ok(Shard { index, count })
    }
}

impl TryFrom<String> for Shard {
    type Error = ShardError;

    fn try_from(text: String) -> Result<Shard, ShardError> {
        text.parse()
    }
}

impl From<Shard> for String {
    fn from(shard: Shard) -> String {
        shard.to_string()
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Vec<CellKey> {
        let mut keys = Vec::new();
        for minor in 6..=15 {
            for build in 6..=minor {
                keys.push(CellKey::new("host", format!("/usr/bin/python3.{minor}"), format!("3.{build}")));
            }
        }
        keys
    }

    #[test]
    fn a_cell_key_is_written_as_a_three_item_array() {
        let key = CellKey::new("sid", "/usr/bin/python3.13d", "3.13d");
        let text = serde_json::to_string(&key).unwrap();
        assert_eq!(text, r#"["sid","/usr/bin/python3.13d","3.13d"]"#);
        assert_eq!(serde_json::from_str::<CellKey>(&text).unwrap(), key);
    }

    #[test]
    fn shards_parse_and_print_as_k_of_n() {
        assert_eq!("2/3".parse(), Ok(Shard { index: 2, count: 3 }));
        assert_eq!(Shard { index: 1, count: 1 }.to_string(), "1/1");
        for bad in ["0/3", "4/3", "3", "a/3", "1/0", "", "1/3/4"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn every_cell_is_in_exactly_one_shard() {
        for count in 1..=5 {
            for key in keys() {
                let owners = (1..=count).filter(|&index| Shard { index, count }.contains(&key)).count();
                assert_eq!(owners, 1, "{key:?} in {owners} of {count} shards");
            }
        }
    }

    #[test]
    fn a_cell_keeps_its_shard_whatever_the_order() {
        let shard = Shard { index: 2, count: 3 };
        let forward: Vec<CellKey> = keys().into_iter().filter(|k| shard.contains(k)).collect();
        let mut reversed: Vec<CellKey> = keys().into_iter().rev().filter(|k| shard.contains(k)).collect();
        reversed.reverse();
        assert_eq!(forward, reversed);
        assert!(!forward.is_empty() && forward.len() < keys().len());
        // The rule itself is pinned (the same computation in Python gives these slots): CI
        // legs of one split must agree on it whatever machine runs them.
        assert_eq!(shard_slot(&CellKey::new("host", "/usr/bin/python3.12", "3.6"), 3), 1);
        assert_eq!(shard_slot(&CellKey::new("sid", "/usr/bin/python3.13d", "3.13d"), 7), 4);
    }
}
