//! A function drawn by wasm-smith, linked into a generated contract: any
//! control flow (nested blocks, `br_table` to loops, early returns, calls
//! between its own functions), integer and float arithmetic, its own
//! globals, and loads, stores and grows of the contract's one memory; the
//! metering and the engine see code no hand-written generator would write.
//!
//! wasm-smith is held to the chain's features: no SIMD, threads, bulk
//! memory, reference types, multi-value, tail calls, exceptions, GC or
//! memory64; no imports, tables, data or start function; exactly one export,
//! `f: (i32, i64) -> i64`. Its types, functions, globals and code are
//! re-encoded behind the contract's own (indices shifted); its memory is the
//! contract's memory, its data segments are dropped.

use std::convert::Infallible;

use arbitrary::Unstructured;
use wasm_encoder::reencode::{Error, Reencode};
use wasm_encoder::{CodeSection, FunctionSection, GlobalSection, TypeSection};
use wasmparser::{Parser, Payload};

/// The name and type of the one function wasm-smith must export.
const EXPORT: &str = r#"(module (func (export "f") (param i32 i64) (result i64) unreachable))"#;

/// A module wasm-smith drew from `bytes`, or `None` if the bytes did not
/// make one.
pub fn generate(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut config = wasm_smith::Config {
        exports: Some(wat::parse_str(EXPORT).ok()?),
        max_imports: 0,
        min_memories: 1,
        max_memories: 1,
        max_memory32_bytes: 1 << 20,
        max_tables: 0,
        max_data_segments: 0,
        max_element_segments: 0,
        max_funcs: 4,
        max_globals: 4,
        max_types: 8,
        max_instructions: 60,
        max_nesting_depth: 6,
        max_tags: 0,
        allow_start_export: false,
        ..wasm_smith::Config::default()
    };
    config.simd_enabled = false;
    config.relaxed_simd_enabled = false;
    config.threads_enabled = false;
    config.shared_everything_threads_enabled = false;
    config.bulk_memory_enabled = false;
    config.reference_types_enabled = false;
    config.multi_value_enabled = false;
    config.tail_call_enabled = false;
    config.exceptions_enabled = false;
    config.gc_enabled = false;
    config.memory64_enabled = false;
    config.wide_arithmetic_enabled = false;
    config.extended_const_enabled = false;
    config.custom_page_sizes_enabled = false;
    config.custom_descriptors_enabled = false;
    config.compact_imports_enabled = false;
    config.saturating_float_to_int_enabled = true;
    config.sign_extension_ops_enabled = true;
    let module = wasm_smith::Module::new(config, &mut Unstructured::new(bytes)).ok()?;
    Some(module.to_bytes())
}

/// Index offsets of the linked module's items in the contract.
#[derive(Debug, Clone, Copy)]
pub struct Offsets {
    /// Types the contract defines before the linked ones.
    pub types: u32,
    /// Functions (imports included) before the linked ones.
    pub functions: u32,
    /// Globals before the linked ones.
    pub globals: u32,
}

impl Reencode for Offsets {
    type Error = Infallible;

    fn type_index(&mut self, ty: u32) -> Result<u32, Error<Infallible>> {
        Ok(ty + self.types)
    }

    fn function_index(&mut self, func: u32) -> Result<u32, Error<Infallible>> {
        Ok(func + self.functions)
    }

    fn global_index(&mut self, global: u32) -> Result<u32, Error<Infallible>> {
        Ok(global + self.globals)
    }

    fn memory_index(&mut self, _memory: u32) -> Result<u32, Error<Infallible>> {
        Ok(0)
    }
}

/// A parsed wasm-smith module, ready to be linked.
#[derive(Debug, Clone)]
pub struct Linkable {
    wasm: Vec<u8>,
    /// Index of `f` among the module's functions.
    pub export: u32,
    /// Functions the module defines.
    pub functions: u32,
}

impl Linkable {
    /// Parses `wasm` (wasm-smith's output); `None` if it lacks `f` or has
    /// imports (it never should).
    pub fn new(wasm: Vec<u8>) -> Option<Self> {
        let mut export = None;
        let mut functions = 0;
        for payload in Parser::new(0).parse_all(&wasm) {
            match payload.ok()? {
                Payload::ImportSection(_) => return None,
                Payload::FunctionSection(reader) => functions = reader.count(),
                Payload::ExportSection(reader) => {
                    for item in reader {
                        let item = item.ok()?;
                        if item.name == "f" {
                            export = Some(item.index);
                        }
                    }
                }
                _ => {}
            }
        }
        Some(Self {
            export: export?,
            functions,
            wasm,
        })
    }

    /// Appends the module's types, functions, globals and code to the
    /// contract's sections, shifted by `offsets`.
    ///
    /// # Errors
    /// The module could not be re-read (it was parsed once already).
    pub fn link(
        &self,
        mut offsets: Offsets,
        types: &mut TypeSection,
        functions: &mut FunctionSection,
        globals: &mut GlobalSection,
        code: &mut CodeSection,
    ) -> Result<(), String> {
        let error = |e: Error<Infallible>| e.to_string();
        for payload in Parser::new(0).parse_all(&self.wasm) {
            match payload.map_err(|e| e.to_string())? {
                Payload::TypeSection(reader) => {
                    offsets.parse_type_section(types, reader).map_err(error)?;
                }
                Payload::FunctionSection(reader) => {
                    offsets
                        .parse_function_section(functions, reader)
                        .map_err(error)?;
                }
                Payload::GlobalSection(reader) => {
                    offsets
                        .parse_global_section(globals, reader)
                        .map_err(error)?;
                }
                Payload::CodeSectionEntry(body) => {
                    offsets.parse_function_body(code, body).map_err(error)?;
                }
                _ => {}
            }
        }
        Ok(())
    }
}
