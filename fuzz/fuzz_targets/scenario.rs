//! The scenario parser (`cwr run`'s input) on arbitrary text: never panics;
//! every rejection is a `ScenarioError` with a message; parsing is
//! deterministic; a scenario that parses has every step's message pass
//! through `@name` / `$base64` substitution without a panic, and with
//! names fixed by the scenario, substitution is deterministic too.
#![no_main]

use std::path::Path;

use cw_cli::scenario::{Scenario, StepSpec};
use cw_cli::subst::Namer;
use libfuzzer_sys::fuzz_target;

/// A fixture check that needs no build tree: a few names are known, any
/// other is refused with a message, as `cwr`'s own check does.
fn fixture(name: &str) -> Result<(), String> {
    match name {
        "cw20_base" | "hackatom" | "probe" => Ok(()),
        other => Err(format!("unknown fixture {other:?}")),
    }
}

fuzz_target!(|input: &[u8]| {
    let Ok(text) = std::str::from_utf8(input) else {
        return;
    };
    let path = Path::new("fuzz.json");
    let first = Scenario::parse_with(text, path, Path::new("."), fixture);
    let second = Scenario::parse_with(text, path, Path::new("."), fixture);
    assert_eq!(
        format!("{first:?}"),
        format!("{second:?}"),
        "parse is deterministic"
    );
    let scenario = match first {
        Ok(scenario) => scenario,
        Err(error) => {
            assert!(!error.to_string().is_empty(), "an error says what is wrong");
            return;
        }
    };
    let substitute = || {
        // Any deterministic name -> address map will do: addresses are
        // opaque to substitution.
        let mut namer = Namer::new(|name| {
            if name.len() > 64 {
                Err(format!("name of {} bytes is too long", name.len()))
            } else {
                Ok(format!("addr_{name}"))
            }
        });
        let messages: Vec<String> = scenario
            .steps
            .iter()
            .filter_map(StepSpec::msg)
            .map(|msg| format!("{:?}", namer.message(msg)))
            .collect();
        messages
    };
    assert_eq!(substitute(), substitute(), "substitution is deterministic");
});
