//! HMAC-SHA256 against RFC 4231; where the key lives; what key file is refused.

use super::*;

fn hmac(key: &[u8], data: &[u8]) -> String {
    let mut mac = HmacSha256::new(key);
    mac.update(data);
    hex::encode(mac.finalize())
}

#[test]
fn hmac_matches_rfc_4231() {
    // Test case 1.
    assert_eq!(
        hmac(&[0x0b; 20], b"Hi There"),
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
    );
    // Test case 2.
    assert_eq!(
        hmac(b"Jefe", b"what do ya want for nothing?"),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
    // Test case 6: a key longer than a block is hashed first.
    assert_eq!(
        hmac(
            &[0xaa; 131],
            b"Test Using Larger Than Block-Size Key - Hash Key First"
        ),
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
    );
}

#[test]
fn the_default_place_follows_xdg_then_home() {
    let path = |xdg: Option<&str>, home: Option<&str>| {
        default_path(xdg.map(Into::into), home.map(Into::into))
    };
    assert_eq!(
        path(Some("/x"), Some("/h")),
        Some(PathBuf::from("/x/cw-runtime/artifact.key"))
    );
    assert_eq!(
        path(Some("relative"), Some("/h")),
        Some(PathBuf::from("/h/.cache/cw-runtime/artifact.key"))
    );
    assert_eq!(path(None, Some("h")), None);
    assert_eq!(path(None, None), None);
}

#[test]
fn a_key_is_made_once_private_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys").join(KEY_FILE);
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let path = path.clone();
            std::thread::spawn(move || ArtifactKey::load_or_create(&path).unwrap().0)
        })
        .collect();
    let keys: Vec<[u8; 32]> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert!(
        keys.iter().all(|k| *k == keys[0]),
        "two writers made two keys"
    );
    assert_ne!(keys[0], [0; 32]);
    let meta = std::fs::metadata(&path).unwrap();
    assert_eq!(meta.mode() & 0o777, 0o600);
    assert_eq!(
        std::fs::metadata(path.parent().unwrap()).unwrap().mode() & 0o777,
        0o700
    );
    assert_eq!(ArtifactKey::load_or_create(&path).unwrap().0, keys[0]);
    // No temporary file is left behind.
    assert_eq!(
        std::fs::read_dir(path.parent().unwrap()).unwrap().count(),
        1
    );
}

#[test]
fn a_key_others_can_read_or_a_linked_key_is_refused() {
    use std::os::unix::fs::PermissionsExt;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(KEY_FILE);
    ArtifactKey::load_or_create(&path).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    let error = ArtifactKey::load_or_create(&path).unwrap_err();
    assert!(
        matches!(
            DiskTrustError::find(&error),
            Some(DiskTrustError::KeyReadableByOthers { mode: 0o640, .. })
        ),
        "{error}"
    );

    let linked = dir.path().join("linked.key");
    std::os::unix::fs::symlink(&path, &linked).unwrap();
    let error = ArtifactKey::load_or_create(&linked).unwrap_err();
    assert!(
        matches!(
            DiskTrustError::find(&error),
            Some(DiskTrustError::BadKeyFile {
                problem: "is a symbolic link",
                ..
            })
        ),
        "{error}"
    );

    let short = dir.path().join("short.key");
    std::fs::write(&short, b"short").unwrap();
    std::fs::set_permissions(&short, std::fs::Permissions::from_mode(0o600)).unwrap();
    let error = ArtifactKey::load_or_create(&short).unwrap_err();
    assert!(
        error.to_string().contains("is not 32 bytes long"),
        "{error}"
    );
}
