#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod bodies;
mod config;
mod error;
mod parse;

use std::collections::BTreeSet;

pub use config::{DEFAULT_CAPABILITIES, SUPPORTED_IMPORTS, ValidationConfig};

pub use bodies::{BodyObserver, ModuleObserver};
pub use error::ValidationError;
use parse::ParsedModule;

/// What validation learned about an accepted module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleInfo {
    /// Size of the module in bytes.
    pub size_bytes: usize,
    /// Exported function names, sorted.
    pub exports: Vec<String>,
    /// Imports as `module.name`, in module order.
    pub imports: Vec<String>,
    /// Capabilities the contract requires (its `requires_*` exports), sorted.
    pub required_capabilities: BTreeSet<String>,
    /// Number of functions the module defines.
    pub function_count: usize,
    /// Initial memory in 64 KiB pages.
    pub initial_memory_pages: u64,
    /// The contract's migrate version from its `cw_migrate_version` section.
    pub migrate_version: Option<u64>,
}

const INTERFACE_VERSION_PREFIX: &str = "interface_version_";
const SUPPORTED_INTERFACE_VERSION: &str = "interface_version_8";
const REQUIRED_EXPORTS: [&str; 2] = ["allocate", "deallocate"];
const REQUIRES_PREFIX: &str = "requires_";

/// Validates `wasm` against `config`; on success says what the module holds.
pub fn validate(wasm: &[u8], config: &ValidationConfig) -> Result<ModuleInfo, ValidationError> {
    validate_observed(wasm, config, &mut ())
}

/// [`validate`], with `observer` seeing every section and operator of the
/// one pass over the module.
pub fn validate_observed(
    wasm: &[u8],
    config: &ValidationConfig,
    observer: &mut impl ModuleObserver,
) -> Result<ModuleInfo, ValidationError> {
    if wasm.len() > config.max_module_bytes {
        return Err(ValidationError::ModuleTooLarge {
            size_bytes: wasm.len(),
            limit_bytes: config.max_module_bytes,
        });
    }
    let mut module = ParsedModule::parse(wasm, observer)?;
    check_tables(&module, config)?;
    check_memories(&module, config)?;
    check_interface_version(&module)?;
    check_exports(&module)?;
    check_imports(&module, config)?;
    let required_capabilities = check_capabilities(&module, config)?;
    check_functions(&module, config)?;
    bodies::validate_bodies(module.take_bodies(), observer)?;
    Ok(ModuleInfo {
        size_bytes: wasm.len(),
        exports: module.function_exports.iter().cloned().collect(),
        imports: module.imports.iter().map(|i| i.full_name.clone()).collect(),
        required_capabilities,
        function_count: module.function_count,
        initial_memory_pages: module.memories.first().map_or(0, |m| m.initial),
        migrate_version: module.migrate_version,
    })
}

fn check_tables(module: &ParsedModule, config: &ValidationConfig) -> Result<(), ValidationError> {
    match module.tables.as_slice() {
        [] => Ok(()),
        [table] => match table.maximum {
            None => Err(ValidationError::UnboundedTable),
            Some(maximum) if maximum > u64::from(config.table_size_limit_elements) => {
                Err(ValidationError::TableTooLarge {
                    maximum,
                    limit: config.table_size_limit_elements,
                })
            }
            Some(_) => Ok(()),
        },
        tables => Err(ValidationError::TooManyTables {
            count: tables.len(),
        }),
    }
}

fn check_memories(module: &ParsedModule, config: &ValidationConfig) -> Result<(), ValidationError> {
    let [memory] = module.memories.as_slice() else {
        return Err(ValidationError::MemoryCount {
            count: module.memories.len(),
        });
    };
    if memory.initial > u64::from(config.initial_memory_limit_pages) {
        return Err(ValidationError::InitialMemoryTooLarge {
            pages: memory.initial,
            limit: config.initial_memory_limit_pages,
        });
    }
    if let Some(maximum) = memory.maximum {
        return Err(ValidationError::MemoryMaximumSet { maximum });
    }
    Ok(())
}

fn check_interface_version(module: &ParsedModule) -> Result<(), ValidationError> {
    let markers: Vec<String> = module
        .function_exports
        .iter()
        .filter(|name| name.starts_with(INTERFACE_VERSION_PREFIX))
        .cloned()
        .collect();
    match markers.as_slice() {
        [] => Err(ValidationError::MissingInterfaceVersion),
        [one] if one == SUPPORTED_INTERFACE_VERSION => Ok(()),
        [one] => Err(ValidationError::UnsupportedInterfaceVersion { name: one.clone() }),
        _ => Err(ValidationError::MultipleInterfaceVersions { names: markers }),
    }
}

fn check_exports(module: &ParsedModule) -> Result<(), ValidationError> {
    for name in REQUIRED_EXPORTS {
        if !module.function_exports.contains(name) {
            return Err(ValidationError::MissingExport { name });
        }
    }
    Ok(())
}

fn check_imports(module: &ParsedModule, config: &ValidationConfig) -> Result<(), ValidationError> {
    if module.imports.len() > config.max_imports {
        return Err(ValidationError::TooManyImports {
            count: module.imports.len(),
            limit: config.max_imports,
        });
    }
    for import in &module.imports {
        if !SUPPORTED_IMPORTS.contains(&import.full_name.as_str()) {
            return Err(ValidationError::UnsupportedImport {
                name: import.full_name.clone(),
            });
        }
        if !import.is_function {
            return Err(ValidationError::NonFunctionImport {
                name: import.full_name.clone(),
            });
        }
    }
    Ok(())
}

fn check_capabilities(
    module: &ParsedModule,
    config: &ValidationConfig,
) -> Result<BTreeSet<String>, ValidationError> {
    let required: BTreeSet<String> = module
        .function_exports
        .iter()
        .filter_map(|name| name.strip_prefix(REQUIRES_PREFIX))
        .filter(|capability| !capability.is_empty())
        .map(str::to_owned)
        .collect();
    let missing: Vec<String> = required.difference(&config.capabilities).cloned().collect();
    if missing.is_empty() {
        Ok(required)
    } else {
        Err(ValidationError::MissingCapabilities { missing })
    }
}

fn check_functions(
    module: &ParsedModule,
    config: &ValidationConfig,
) -> Result<(), ValidationError> {
    if module.function_count > config.max_functions {
        return Err(ValidationError::TooManyFunctions {
            count: module.function_count,
            limit: config.max_functions,
        });
    }
    if module.max_type_params > config.max_function_params {
        return Err(ValidationError::TooManyParams {
            count: module.max_type_params,
            limit: config.max_function_params,
        });
    }
    if module.max_type_results > config.max_function_results {
        return Err(ValidationError::TooManyResults {
            count: module.max_type_results,
            limit: config.max_function_results,
        });
    }
    if module.total_function_params > config.max_total_function_params {
        return Err(ValidationError::TooManyTotalParams {
            count: module.total_function_params,
            limit: config.max_total_function_params,
        });
    }
    if let Some((function, &count)) = module
        .function_locals
        .iter()
        .enumerate()
        .find(|(_, locals)| **locals > config.max_function_locals as u64)
    {
        return Err(ValidationError::TooManyLocals {
            function: u32::try_from(function).unwrap_or(u32::MAX),
            count,
            limit: config.max_function_locals,
        });
    }
    let total_locals = module
        .function_locals
        .iter()
        .fold(0u64, |a, b| a.saturating_add(*b));
    if total_locals > config.max_total_function_locals as u64 {
        return Err(ValidationError::TooManyTotalLocals {
            count: total_locals,
            limit: config.max_total_function_locals,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests;

/// The `cw_migrate_version` of a module that was already validated (a
/// stored code loaded again), without validating it again: only the
/// section headers are read, and the code section is skipped whole, so
/// this costs a small fraction of [`validate`] (what a chain inside a
/// NEAR contract, which loads its codes on every call, needs).
///
/// # Errors
/// [`ValidationError::InvalidWasm`] when the sections do not parse;
/// [`ValidationError::InvalidMigrateVersion`] as [`validate`].
pub fn migrate_version(wasm: &[u8]) -> Result<Option<u64>, ValidationError> {
    use wasmparser::{Chunk, Parser, Payload};
    let mut parser = Parser::new(0);
    let mut rest = wasm;
    let mut version = None;
    loop {
        let (consumed, payload) = match parser.parse(rest, true)? {
            Chunk::Parsed { consumed, payload } => (consumed, payload),
            // With `eof` set the parser never asks for more data.
            Chunk::NeedMoreData(_) => {
                return Err(ValidationError::InvalidWasm {
                    offset: (wasm.len() - rest.len()) as u64,
                    message: "unexpected end of module".into(),
                });
            }
        };
        let mut skip = 0;
        match payload {
            Payload::CodeSectionStart { size, .. } => {
                parser.skip_section();
                skip = usize::try_from(size).unwrap_or(usize::MAX);
            }
            Payload::CustomSection(reader) if reader.name() == "cw_migrate_version" => {
                let raw = reader.data();
                version = Some(
                    std::str::from_utf8(raw)
                        .ok()
                        .and_then(|s| s.parse::<u64>().ok())
                        .ok_or_else(|| ValidationError::InvalidMigrateVersion {
                            value: String::from_utf8_lossy(raw).into_owned(),
                        })?,
                );
            }
            Payload::End(_) => return Ok(version),
            _ => {}
        }
        rest = rest.get(consumed.saturating_add(skip)..).ok_or_else(|| {
            ValidationError::InvalidWasm {
                offset: wasm.len() as u64,
                message: "a section runs past the end of the module".into(),
            }
        })?;
    }
}

/// Whether `wasm` is valid Wasm under the chain's feature set (MVP plus
/// mutable globals, saturating float-to-int, sign extension, multi-value,
/// floats and reference types: what [`validate`] accepts), with none of
/// the CosmWasm rules. For a module an embedder made from a validated one
/// (an instrumented module) and is about to hand to an engine that will not
/// validate it again.
///
/// # Errors
/// [`ValidationError::InvalidWasm`] where it does not validate.
pub fn validate_wasm(wasm: &[u8]) -> Result<(), ValidationError> {
    wasmparser::Validator::new_with_features(parse::chain_features()).validate_all(wasm)?;
    Ok(())
}
