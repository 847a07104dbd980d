//! `cwr check`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cw_validate::{ModuleInfo, ValidationConfig, ValidationError, validate};
use serde_json::json;
use sha2::{Digest, Sha256};

/// Validates every file; prints a report per file.
pub(crate) fn run(files: &[PathBuf], as_json: bool, capabilities: Option<Vec<String>>) -> ExitCode {
    let mut config = ValidationConfig::default();
    if let Some(capabilities) = capabilities {
        config.capabilities = capabilities.into_iter().filter(|c| !c.is_empty()).collect();
    }
    let mut rejected = false;
    for path in files {
        let wasm = match std::fs::read(path) {
            Ok(wasm) => wasm,
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", path.display());
                return ExitCode::from(2);
            }
        };
        let checksum = hex::encode(Sha256::digest(&wasm));
        let verdict = validate(&wasm, &config);
        rejected |= verdict.is_err();
        if as_json {
            println!("{}", to_json(path, &checksum, wasm.len(), &verdict));
        } else {
            print_text(path, &checksum, wasm.len(), &verdict);
        }
    }
    if rejected {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn to_json(
    path: &Path,
    checksum: &str,
    size: usize,
    verdict: &Result<ModuleInfo, ValidationError>,
) -> serde_json::Value {
    match verdict {
        Ok(info) => json!({
            "file": path.display().to_string(), "checksum": checksum, "size_bytes": size, "ok": true,
            "exports": info.exports, "imports": info.imports,
            "required_capabilities": info.required_capabilities,
            "function_count": info.function_count, "initial_memory_pages": info.initial_memory_pages,
            "migrate_version": info.migrate_version,
        }),
        Err(e) => json!({
            "file": path.display().to_string(), "checksum": checksum, "size_bytes": size, "ok": false,
            "error": e.to_string(),
        }),
    }
}

fn print_text(
    path: &Path,
    checksum: &str,
    size: usize,
    verdict: &Result<ModuleInfo, ValidationError>,
) {
    println!("{}", path.display());
    println!("  size      {size} bytes");
    println!("  checksum  {checksum}");
    match verdict {
        Ok(info) => {
            println!(
                "  functions {} defined, memory {} pages initially",
                info.function_count, info.initial_memory_pages
            );
            println!("  exports   {}", info.exports.join(", "));
            println!(
                "  imports   {}",
                if info.imports.is_empty() {
                    "(none)".to_string()
                } else {
                    info.imports.join(", ")
                }
            );
            let caps: Vec<&str> = info
                .required_capabilities
                .iter()
                .map(String::as_str)
                .collect();
            println!(
                "  requires  {}",
                if caps.is_empty() {
                    "(nothing)".to_string()
                } else {
                    caps.join(", ")
                }
            );
            if let Some(v) = info.migrate_version {
                println!("  migrate version {v}");
            }
            println!("  PASS");
        }
        Err(e) => println!("  FAIL: {e}"),
    }
}
