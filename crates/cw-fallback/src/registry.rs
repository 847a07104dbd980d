//! The registry of verified builds: which Wasm code (by its sha256) is a
//! build of an emulated contract, so a chain may run it natively.

use std::collections::BTreeMap;

use cw_host::Checksum;

use crate::error::FallbackError;
use crate::kind::NativeKind;

/// The sha256 of `wasm`: the code checksum a chain stores with the code.
#[must_use]
pub fn checksum(wasm: &[u8]) -> Checksum {
    Checksum::of(wasm)
}

/// Code checksums known to be builds of an emulated contract.
///
/// Only a build of exactly the version a [`NativeKind`] emulates belongs
/// here: the emulator runs that version's code, so another version's build
/// would behave differently. The registry is a plain map; what to do with a
/// hit (the Wasm / Native / Auto choice) is the chain layer's decision.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VerifiedBuilds {
    builds: BTreeMap<Checksum, NativeKind>,
}

impl VerifiedBuilds {
    /// An empty registry.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A registry seeded from `(name, sha256 hex)` pairs, such as the
    /// fixture manifest's `name` and `sha256` fields. A name is a fixture
    /// name (`cw20_base`) or a package name (`cw20-base`); pairs naming a
    /// contract that is not emulated are skipped.
    ///
    /// # Errors
    /// [`FallbackError::InvalidChecksum`] if the checksum of an emulated
    /// contract is not 64 hex digits.
    pub fn from_named_checksums<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, FallbackError> {
        let mut registry = Self::new();
        for (name, hex_text) in pairs {
            let Some(kind) = NativeKind::from_name(name) else {
                continue;
            };
            let mut checksum = [0u8; 32];
            hex::decode_to_slice(hex_text, &mut checksum).map_err(|_| {
                FallbackError::InvalidChecksum {
                    name: name.to_owned(),
                    text: hex_text.to_owned(),
                }
            })?;
            registry.insert(Checksum::from_bytes(checksum), kind);
        }
        Ok(registry)
    }

    /// The builds this crate's emulators are verified against
    /// ([`PUBLISHED_BUILDS`](crate::published::PUBLISHED_BUILDS)): what a
    /// chain may run natively with no build output at hand.
    #[must_use]
    pub fn published() -> Self {
        let mut registry = Self::new();
        for (name, hex_text) in crate::published::PUBLISHED_BUILDS {
            let mut checksum = [0u8; 32];
            // The generated table is checked by a test to decode and name
            // every emulated contract; an entry that did not would only be
            // left out, never misfiled.
            if let (Some(kind), Ok(())) = (
                NativeKind::from_name(name),
                hex::decode_to_slice(hex_text, &mut checksum),
            ) {
                registry.insert(Checksum::from_bytes(checksum), kind);
            }
        }
        registry
    }

    /// Records `checksum` as a build of `kind`; returns the kind it was
    /// recorded as before, if any.
    pub fn insert(&mut self, checksum: Checksum, kind: NativeKind) -> Option<NativeKind> {
        self.builds.insert(checksum, kind)
    }

    /// The emulated contract `checksum` is a build of, if it is verified.
    #[must_use]
    pub fn lookup(&self, checksum: &Checksum) -> Option<NativeKind> {
        self.builds.get(checksum).copied()
    }

    /// Number of verified builds.
    #[must_use]
    pub fn len(&self) -> usize {
        self.builds.len()
    }

    /// Whether no build is verified.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.builds.is_empty()
    }

    /// Every verified build, by checksum.
    pub fn iter(&self) -> impl Iterator<Item = (&Checksum, NativeKind)> {
        self.builds.iter().map(|(checksum, kind)| (checksum, *kind))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_from_named_checksums_and_skips_other_contracts() {
        let cw20 = "11".repeat(32);
        let nft = "22".repeat(32);
        let registry = VerifiedBuilds::from_named_checksums([
            ("cw20_base", cw20.as_str()),
            ("cw721-base", nft.as_str()),
            ("probe", "not even hex"),
        ])
        .unwrap();
        assert_eq!(registry.len(), 2);
        assert_eq!(
            registry.lookup(&Checksum::from_bytes([0x11; 32])),
            Some(NativeKind::Cw20Base)
        );
        assert_eq!(
            registry.lookup(&Checksum::from_bytes([0x22; 32])),
            Some(NativeKind::Cw721Base)
        );
        assert_eq!(registry.lookup(&Checksum::from_bytes([0x33; 32])), None);
    }

    #[test]
    fn refuses_a_malformed_checksum() {
        for text in ["abc", "zz".repeat(32).as_str(), "11".repeat(33).as_str()] {
            let error =
                VerifiedBuilds::from_named_checksums([("cw1_whitelist", text)]).unwrap_err();
            assert_eq!(
                error,
                FallbackError::InvalidChecksum {
                    name: "cw1_whitelist".into(),
                    text: text.into()
                }
            );
        }
    }

    #[test]
    fn insert_replaces_and_checksum_is_sha256() {
        let mut registry = VerifiedBuilds::new();
        assert!(registry.is_empty());
        let sum = checksum(b"");
        assert_eq!(
            hex::encode(sum),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(registry.insert(sum, NativeKind::Cw20Base), None);
        assert_eq!(
            registry.insert(sum, NativeKind::Cw1Whitelist),
            Some(NativeKind::Cw20Base)
        );
        assert_eq!(
            registry.iter().collect::<Vec<_>>(),
            [(&sum, NativeKind::Cw1Whitelist)]
        );
    }
}
