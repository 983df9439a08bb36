//! Python versions and the `Py_LIMITED_API` values derived from them: one place computes the hex.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A CPython `major.minor` version, the unit of the Stable ABI promise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PyVersion {
    pub major: u8,
    pub minor: u8,
}

impl PyVersion {
    pub const fn new(major: u8, minor: u8) -> Self {
        PyVersion { major, minor }
    }

    /// The value a C extension defines `Py_LIMITED_API` to, e.g. `0x030C0000` for 3.12.
    pub fn limited_api_hex(self) -> String {
        format!("0x{:02X}{:02X}0000", self.major, self.minor)
    }
}

impl fmt::Display for PyVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("`{0}` is not a Python version of the form MAJOR.MINOR (for example 3.12)")]
pub struct VersionParseError(pub String);

impl FromStr for PyVersion {
    type Err = VersionParseError;

    /// Accepts `3.12` and also a full `3.12.1` / `3.15.0a1` (the micro part is dropped).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let err = || VersionParseError(text.to_owned());
        let mut parts = text.trim().splitn(3, '.');
        let major = parts.next().and_then(|p| p.parse().ok()).ok_or_else(err)?;
        let minor_text = parts.next().ok_or_else(err)?;
        let minor = minor_text.parse().map_err(|_| err())?;
        Ok(PyVersion { major, minor })
    }
}

impl Serialize for PyVersion {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PyVersion {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats() {
        let v: PyVersion = "3.12".parse().unwrap();
        assert_eq!(v, PyVersion::new(3, 12));
        assert_eq!(v.limited_api_hex(), "0x030C0000");
        assert_eq!("3.6.15".parse::<PyVersion>().unwrap(), PyVersion::new(3, 6));
        assert!("3".parse::<PyVersion>().is_err());
        assert!("three.six".parse::<PyVersion>().is_err());
        assert!(PyVersion::new(3, 9) < PyVersion::new(3, 10));
    }
}
