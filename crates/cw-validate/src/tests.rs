use super::*;

const BASE: &str = r#"
    (memory 1)
    (export "memory" (memory 0))
    (func (export "allocate") (param i32) (result i32) i32.const 0)
    (func (export "deallocate") (param i32))
    (func (export "interface_version_8"))
"#;

fn module(extra: &str) -> Vec<u8> {
    wat::parse_str(format!("(module {extra} {BASE})")).unwrap()
}

fn check(wasm: &[u8]) -> Result<ModuleInfo, ValidationError> {
    validate(wasm, &ValidationConfig::default())
}

#[test]
fn accepts_the_minimal_contract_and_reports_it() {
    let info = check(&module(
        r#"(import "env" "db_read" (func (param i32) (result i32)))"#,
    ))
    .unwrap();
    assert_eq!(info.imports, ["env.db_read"]);
    assert_eq!(info.function_count, 3);
    assert_eq!(info.initial_memory_pages, 1);
    assert!(info.required_capabilities.is_empty());
}

#[test]
fn size_limit_is_checked_first() {
    let config = ValidationConfig {
        max_module_bytes: 10,
        ..ValidationConfig::default()
    };
    let err = validate(&[0u8; 11], &config).unwrap_err();
    assert_eq!(
        err,
        ValidationError::ModuleTooLarge {
            size_bytes: 11,
            limit_bytes: 10
        }
    );
}

#[test]
fn garbage_and_empty_input_are_invalid_wasm() {
    assert!(matches!(
        check(&[]),
        Err(ValidationError::InvalidWasm { .. })
    ));
    assert!(matches!(
        check(b"\0asm\x01\0\0\0garbage"),
        Err(ValidationError::InvalidWasm { .. })
    ));
}

#[test]
fn migrate_version_is_read_and_checked() {
    let ok = module(r#"(@custom "cw_migrate_version" "42")"#);
    assert_eq!(check(&ok).unwrap().migrate_version, Some(42));
    let bad = module(r#"(@custom "cw_migrate_version" "forty-two")"#);
    assert_eq!(
        check(&bad).unwrap_err(),
        ValidationError::InvalidMigrateVersion {
            value: "forty-two".into()
        }
    );
}

#[test]
fn locals_limit_names_the_function() {
    let err = check(&module("(func (local i32) (local i64) (local f32) (local f64)) (func (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64))")).unwrap_err();
    assert_eq!(
        err,
        ValidationError::TooManyLocals {
            function: 1,
            count: 101,
            limit: 100
        }
    );
}
