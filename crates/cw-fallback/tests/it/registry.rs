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

/// The table an installed `cwr` trusts names exactly the fixture builds the
/// differential tests ran: the manifest's checksums, and the file is what
/// `cargo xtask verified-builds` writes from it.
#[test]
fn the_published_builds_are_the_fixture_builds() {
    let manifest = tests::all_fixtures();
    let published = VerifiedBuilds::published();
    assert_eq!(published.len(), NativeKind::ALL.len());
    for kind in NativeKind::ALL {
        let wasm = tests::fixture_bytes(kind.fixture_name());
        assert_eq!(
            published.lookup(&checksum(&wasm)),
            Some(kind),
            "{}: the published checksum is not this build's; run `cargo xtask verified-builds`",
            kind.fixture_name()
        );
    }
    assert_eq!(
        include_str!("../../src/published.rs"),
        xtask::verified_builds::render(&manifest).unwrap(),
        "crates/cw-fallback/src/published.rs is stale: run `cargo xtask verified-builds`"
    );
}
