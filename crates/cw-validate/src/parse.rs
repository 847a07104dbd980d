//! One pass over the module collecting what the rules need, with the
//! structure validated by wasmparser under the chain's feature set. Function
//! bodies are kept and validated last (see `bodies`), as cosmwasm-vm does.

use std::collections::BTreeSet;

use wasmparser::{
    BinaryReader, CompositeInnerType, ExternalKind, Name, NameSectionReader, Parser, Payload,
    TypeRef, ValidPayload, Validator, WasmFeatures,
};

use super::bodies::{ModuleObserver, PendingBody};
use crate::error::ValidationError;

/// The Wasm features chains enable (cosmwasm-vm 3.0's `ParsedWasm::parse`):
/// MVP plus mutable globals, saturating float-to-int, sign extension,
/// multi-value, floats and reference types (the last only so the encoding Rust
/// 1.82+ emits parses; its operators are rejected separately).
pub(crate) fn chain_features() -> WasmFeatures {
    WasmFeatures::MUTABLE_GLOBAL
        | WasmFeatures::SATURATING_FLOAT_TO_INT
        | WasmFeatures::SIGN_EXTENSION
        | WasmFeatures::MULTI_VALUE
        | WasmFeatures::FLOATS
        | WasmFeatures::REFERENCE_TYPES
}

pub(crate) struct Import {
    pub full_name: String,
    pub is_function: bool,
}

pub(crate) struct Limits {
    pub initial: u64,
    pub maximum: Option<u64>,
}

pub(crate) struct ParsedModule<'a> {
    pub function_exports: BTreeSet<String>,
    pub imports: Vec<Import>,
    pub tables: Vec<Limits>,
    pub memories: Vec<Limits>,
    pub function_count: usize,
    pub max_type_params: usize,
    pub max_type_results: usize,
    pub total_function_params: usize,
    pub function_locals: Vec<u64>,
    pub migrate_version: Option<u64>,
    bodies: Vec<PendingBody<'a>>,
}

impl<'a> ParsedModule<'a> {
    pub(crate) fn parse(
        wasm: &'a [u8],
        observer: &mut impl ModuleObserver,
    ) -> Result<Self, ValidationError> {
        let mut validator = Validator::new_with_features(chain_features());
        let mut module = ParsedModule {
            function_exports: BTreeSet::new(),
            imports: Vec::new(),
            tables: Vec::new(),
            memories: Vec::new(),
            function_count: 0,
            max_type_params: 0,
            max_type_results: 0,
            total_function_params: 0,
            function_locals: Vec::new(),
            migrate_version: None,
            bodies: Vec::new(),
        };
        let mut type_params: Vec<usize> = Vec::new();
        // The module name as Wasmer reads it (see `module_name_of`).
        let mut module_name: Option<&str> = None;
        for payload in Parser::new(0).parse_all(wasm) {
            let payload = payload?;
            let valid = validator.payload(&payload)?;
            observer.section(&payload)?;
            if let ValidPayload::Func(func, body) = valid {
                let mut locals = 0u64;
                for entry in body.get_locals_reader()? {
                    let (count, _) = entry?;
                    locals = locals.saturating_add(u64::from(count));
                }
                module.function_locals.push(locals);
                module.bodies.push((func, body));
                module.function_count += 1;
            }
            match payload {
                Payload::TypeSection(reader) => {
                    for group in reader {
                        for ty in group?.into_types() {
                            if let CompositeInnerType::Func(f) = &ty.composite_type.inner {
                                type_params.push(f.params().len());
                                module.max_type_params =
                                    module.max_type_params.max(f.params().len());
                                module.max_type_results =
                                    module.max_type_results.max(f.results().len());
                            }
                        }
                    }
                }
                Payload::FunctionSection(reader) => {
                    for type_index in reader {
                        let type_index = type_index? as usize;
                        // The validator has already checked the index.
                        let params = type_params.get(type_index).copied().unwrap_or(0);
                        module.total_function_params =
                            module.total_function_params.saturating_add(params);
                    }
                }
                Payload::ImportSection(reader) => {
                    for import in reader.into_imports() {
                        let import = import?;
                        module.imports.push(Import {
                            full_name: format!("{}.{}", import.module, import.name),
                            is_function: matches!(import.ty, TypeRef::Func(_)),
                        });
                    }
                }
                Payload::TableSection(reader) => {
                    for table in reader {
                        let ty = table?.ty;
                        module.tables.push(Limits {
                            initial: ty.initial,
                            maximum: ty.maximum,
                        });
                    }
                }
                Payload::MemorySection(reader) => {
                    for memory in reader {
                        let memory = memory?;
                        module.memories.push(Limits {
                            initial: memory.initial,
                            maximum: memory.maximum,
                        });
                    }
                }
                Payload::ExportSection(reader) => {
                    for export in reader {
                        let export = export?;
                        if export.kind == ExternalKind::Func {
                            module.function_exports.insert(export.name.to_string());
                        }
                    }
                }
                Payload::CustomSection(reader) if reader.name() == "name" => {
                    if let Some(name) = module_name_of(reader.data(), reader.data_offset()) {
                        module_name = Some(name);
                    }
                }
                Payload::CustomSection(reader) if reader.name() == "cw_migrate_version" => {
                    let raw = reader.data();
                    let parsed = std::str::from_utf8(raw)
                        .ok()
                        .and_then(|s| s.parse::<u64>().ok());
                    module.migrate_version =
                        Some(
                            parsed.ok_or_else(|| ValidationError::InvalidMigrateVersion {
                                value: String::from_utf8_lossy(raw).into_owned(),
                            })?,
                        );
                }
                _ => {}
            }
        }
        if let Some(name) = module_name.filter(|name| name.is_empty() || name.contains('\0'))
            && module.function_count > 0
        {
            return Err(ValidationError::UnusableModuleName {
                name: name.to_owned(),
            });
        }
        Ok(module)
    }

    /// The bodies, in module order, for [`super::bodies::validate_bodies`].
    pub(crate) fn take_bodies(&mut self) -> Vec<PendingBody<'a>> {
        std::mem::take(&mut self.bodies)
    }
}

/// The module name a `name` custom section sets, read as Wasmer 7.5.0's
/// translator reads it (`parse_name_section`: every subsection that parses,
/// skipping those that do not; the last module-name subsection wins), or
/// `None` if it sets none. Wasmer's Singlepass puts that name into each
/// function's DWARF unit, as a string (gimli asserts: no NUL byte) and as
/// the line program's file name (gimli asserts: not empty, no NUL byte):
/// cosmwasm-vm then panics compiling the module, and a chain (wasmvm catches
/// the panic) refuses the code.
fn module_name_of(data: &[u8], offset: u64) -> Option<&str> {
    let mut name = None;
    for subsection in NameSectionReader::new(BinaryReader::new(data, offset)) {
        if let Ok(Name::Module { name: module, .. }) = subsection {
            name = Some(module);
        }
    }
    name
}
