//! A native contract whose every call does what its message says, so a
//! test can make a contract fail, answer, dispatch or panic at any entry
//! point without a Wasm build. Registered for checksums of the probe's
//! Wasm with an extra custom section (`scripted_wasm`), so the chain stores
//! it as real, validated code that runs natively.
//!
//! The script is the message (for `reply`: the submessage's payload, when
//! it has one):
//! - `{"fail": "text"}`: the contract's error `text`;
//! - `{"respond": {...}}`: this `Response` (missing fields empty); for a
//!   query, the JSON of the value as the answer;
//! - `{"env": {}}`: the call's `Env` JSON as data (or query answer);
//! - `{"panic": "text"}`: writes `before-panic`, then panics (a host panic,
//!   not a contract abort);
//! - `{"garbage": {}}`: a result that is not JSON;
//! - `{"fault": "text"}`: writes `before-fault`, then reports a node fault
//!   (`NodeFault::Engine` with `text`), as a runtime whose disk or engine
//!   failed mid-call would;
//! - anything else: an empty response.
//!
//! Every call but a query stores `{"env", "info", "msg"}` (the raw JSON it
//! got) under `last/{entry point}`.

use cosmwasm_std::Binary;
use cw_gas::CosmWasmSchedule;
use cw_host::{CallBackend, CallInput, CallOutcome, Contract, EntryPoint, NodeFault};
use cw_runtime::chain::NativeFactory;
use serde_json::{Value, json};

/// Makes [`ScriptedContract`]s.
pub(crate) struct Scripted;

impl NativeFactory<CosmWasmSchedule> for Scripted {
    fn name(&self) -> &str {
        "scripted"
    }

    fn contract(&self) -> Box<dyn Contract<CosmWasmSchedule>> {
        Box::new(ScriptedContract)
    }
}

/// See the module documentation.
pub(crate) struct ScriptedContract;

impl Contract<CosmWasmSchedule> for ScriptedContract {
    fn call(
        &mut self,
        input: CallInput<'_>,
        mut backend: CallBackend<CosmWasmSchedule>,
    ) -> (CallOutcome, CallBackend<CosmWasmSchedule>) {
        let query = input.entry == EntryPoint::Query;
        if !query {
            let record = json!({
                "env": parse(input.env),
                "info": input.info.map(parse),
                "msg": String::from_utf8_lossy(input.msg),
            });
            let key = format!("last/{}", input.entry.export_name());
            backend
                .storage
                .set(key.as_bytes(), &serde_json::to_vec(&record).unwrap())
                .unwrap();
        }
        let script = script(input.entry, input.msg);
        let result = match script.as_object().and_then(|o| o.iter().next()) {
            Some((kind, body)) if kind == "fail" => {
                json!({"error": body.as_str().unwrap_or_default()})
            }
            Some((kind, body)) if kind == "respond" && query => {
                json!({"ok": Binary::from(serde_json::to_vec(body).unwrap())})
            }
            Some((kind, body)) if kind == "respond" => json!({"ok": response(body.clone())}),
            Some((kind, _)) if kind == "env" && query => json!({"ok": Binary::from(input.env)}),
            Some((kind, _)) if kind == "env" => {
                json!({"ok": response(json!({"data": Binary::from(input.env)}))})
            }
            Some((kind, body)) if kind == "panic" => {
                backend.storage.set(b"before-panic", b"1").unwrap();
                panic!("{}", body.as_str().unwrap_or("scripted panic"));
            }
            Some((kind, body)) if kind == "fault" => {
                backend.storage.set(b"before-fault", b"1").unwrap();
                let message = body.as_str().unwrap_or("scripted fault").to_owned();
                return (Err(NodeFault::Engine { message }), backend);
            }
            Some((kind, _)) if kind == "garbage" => {
                return (Ok(Ok(b"not json".to_vec())), backend);
            }
            _ if query => json!({"ok": ""}),
            _ => json!({"ok": response(json!({}))}),
        };
        (Ok(Ok(serde_json::to_vec(&result).unwrap())), backend)
    }
}

fn parse(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap_or(Value::Null)
}

/// The script: the message, or for a reply with a payload, the payload.
fn script(entry: EntryPoint, msg: &[u8]) -> Value {
    let msg = parse(msg);
    if entry == EntryPoint::Reply {
        let payload = msg["payload"].as_str().unwrap_or_default();
        let payload = Binary::from_base64(payload).unwrap_or_default();
        return parse(&payload);
    }
    msg
}

/// A `Response` with every field present.
fn response(body: Value) -> Value {
    let mut full = json!({"messages": [], "attributes": [], "events": [], "data": null});
    if let Value::Object(given) = body {
        for (key, value) in given {
            full[key] = value;
        }
    }
    full
}

/// The probe's Wasm with a custom section `name` holding `content`
/// appended: a different checksum, the same code.
pub(crate) fn with_custom_section(wasm: &[u8], name: &str, content: &[u8]) -> Vec<u8> {
    let mut payload = Vec::new();
    leb128(&mut payload, name.len());
    payload.extend_from_slice(name.as_bytes());
    payload.extend_from_slice(content);
    let mut out = wasm.to_vec();
    out.push(0);
    leb128(&mut out, payload.len());
    out.extend_from_slice(&payload);
    out
}

fn leb128(out: &mut Vec<u8>, mut value: usize) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}
