//! Loading code: static validation's typed refusals, the process-wide
//! compile cache, the checksum the App sees, and the refused IBC entry
//! points.

use cosmwasm_std::testing::{mock_dependencies, mock_env};
use cw_multi_test::App;
use cw_multitest::{EntryPoint, WasmCode, WasmCodeError};
use cw_runtime::ValidationError;

use crate::common::{code, fixture};

#[test]
fn invalid_code_is_refused_with_the_rule_it_breaks() {
    let err = WasmCode::from_bytes(b"\0asm\x01\0\0\0 and then garbage").unwrap_err();
    assert!(
        matches!(
            err,
            WasmCodeError::Validation(ValidationError::InvalidWasm { .. })
        ),
        "{err:?}"
    );
    // A valid module that is not a contract: no interface version marker.
    let module = b"\0asm\x01\0\0\0";
    let err = WasmCode::from_bytes(module).unwrap_err();
    assert!(matches!(err, WasmCodeError::Validation(_)), "{err:?}");
    assert!(err.to_string().contains("refuse to store"), "{err}");

    let err = WasmCode::from_file("/nonexistent/contract.wasm").unwrap_err();
    assert!(matches!(err, WasmCodeError::Read { .. }), "{err:?}");
}

#[test]
fn each_code_is_compiled_once_per_process() {
    let first = code("cw1_whitelist");
    let before = cw_multitest::cache_metrics().unwrap();
    for _ in 0..3 {
        let again = code("cw1_whitelist");
        assert_eq!(again.code_checksum(), first.code_checksum());
    }
    let after = cw_multitest::cache_metrics().unwrap();
    // Other tests may compile other codes meanwhile, never this one again:
    // its lookups are all hits.
    assert!(after.hits_memory + after.hits_pinned >= before.hits_memory + before.hits_pinned + 3);
    assert!(
        first
            .module_info()
            .exports
            .iter()
            .any(|export| export == "execute")
    );
}

#[test]
fn the_app_sees_the_real_checksum() {
    let mut app = App::default();
    let code = code("cw20_base");
    let checksum = code.code_checksum();
    let code_id = app.store_code(Box::new(code));
    let info = app.wrap().query_wasm_code_info(code_id).unwrap();
    assert_eq!(info.checksum, checksum);
    let bytes = std::fs::read(fixture("cw20_base")).unwrap();
    let expected: [u8; 32] = sha2_digest(&bytes);
    assert_eq!(checksum.as_slice(), expected);
}

fn sha2_digest(bytes: &[u8]) -> [u8; 32] {
    *cw_runtime::Checksum::of(bytes).as_bytes()
}

/// Outside an App, too: `mock_dependencies` are cosmwasm-std's own
/// backends; IBC entry points are refused before anything runs.
#[test]
fn ibc_entry_points_are_refused() {
    let code = code("probe");
    let log = code.gas_log();
    let mut deps = mock_dependencies();
    let err = code
        .call_raw(
            EntryPoint::IbcChannelOpen,
            deps.as_mut(),
            &mock_env(),
            None,
            b"{}",
        )
        .unwrap_err();
    assert!(
        matches!(
            err,
            WasmCodeError::UnsupportedEntryPoint {
                entry_point: "ibc_channel_open"
            }
        ),
        "{err:?}"
    );
    assert!(log.records().is_empty());
    // The same backends run a real call.
    let result = code
        .call_raw(
            EntryPoint::Instantiate,
            deps.as_mut(),
            &mock_env(),
            Some(br#"{"sender":"someone","funds":[]}"#),
            b"{}",
        )
        .unwrap();
    assert!(
        result.starts_with(br#"{"ok":"#),
        "{}",
        String::from_utf8_lossy(&result)
    );
}

/// With `CW_MULTITEST_CACHE_DIR` set, compiled modules are kept on disk, so
/// the next test binary (another process) loads them instead of compiling.
/// The engine is made once per process, so this runs in a child process of
/// its own with the variable set.
#[test]
fn compiled_modules_are_kept_on_disk_when_a_folder_is_named() {
    let dir = std::env::temp_dir().join(format!("cw-multitest-disk-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "loading::load_cw20_alone",
            "--exact",
            "--ignored",
            "--test-threads=1",
        ])
        .env(cw_multitest::CACHE_DIR_VAR, &dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    fn files(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir).map_or(0, |entries| {
            entries
                .flatten()
                .map(|e| {
                    let path = e.path();
                    if path.is_dir() { files(&path) } else { 1 }
                })
                .sum()
        })
    }
    let kept = files(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(kept >= 1, "no artifact in {}", dir.display());
}

/// Run by `compiled_modules_are_kept_on_disk_when_a_folder_is_named`.
#[test]
#[ignore = "run in a process of its own with CW_MULTITEST_CACHE_DIR set"]
fn load_cw20_alone() {
    cw_multitest::WasmCode::from_file(tests::fixture_path("cw20_base")).unwrap();
}
