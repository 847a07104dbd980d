//! The registry of verified builds, seeded from the fixture manifest.

use cw_fallback::{NativeKind, VerifiedBuilds, checksum};

#[test]
fn the_fixture_manifest_seeds_the_registry() {
    let manifest = tests::all_fixtures();
    let registry = VerifiedBuilds::from_named_checksums(
        manifest
            .fixtures
            .iter()
            .map(|f| (f.name.as_str(), f.sha256.as_str())),
    )
    .unwrap();
    assert_eq!(registry.len(), NativeKind::ALL.len());
    for kind in NativeKind::ALL {
        let record = manifest.fixture(kind.fixture_name()).unwrap();
        // The fixture is a build of exactly the version the emulator runs,
        // against the cosmwasm-std the emulator links.
        assert_eq!(record.package, kind.package());
        assert_eq!(record.version, kind.version());
        assert_eq!(record.cosmwasm_std, "2.3.6");
        let wasm = tests::fixture_bytes(kind.fixture_name());
        assert_eq!(registry.lookup(&checksum(&wasm)), Some(kind));
    }
    // Builds of other contracts are not verified.
    for other in manifest
        .fixtures
        .iter()
        .filter(|f| NativeKind::from_name(&f.name).is_none())
    {
        let wasm = tests::fixture_bytes(&other.name);
        assert_eq!(registry.lookup(&checksum(&wasm)), None, "{}", other.name);
    }
}
