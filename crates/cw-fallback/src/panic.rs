//! Turning a panic inside a native contract into what the Wasm build
//! reports: cosmwasm-std's panic handler sends `PanicHookInfo`'s text
//! (`panicked at {file}:{line}:{column}:\n{message}`) to the `abort`
//! import, and the call fails with [`VmFailure::Aborted`](cw_host::VmFailure).
//!
//! A process-wide hook is installed once; it captures the text only while
//! the current thread runs a native call, and hands every other panic to the
//! hook that was there before, so the rest of the program sees no change.
//! The file in the text is wherever the crate's sources were when it was
//! compiled: for a panic inside a shared dependency (cosmwasm-std,
//! cw-storage-plus, ...) built from the same registry path it is the Wasm
//! build's text exactly; for one in the contract crate itself the path may
//! differ (the fixture builds the contract as a workspace member).
//!
//! On a target that aborts on panic (`wasm32-unknown-unknown` by default)
//! nothing can be caught: a panic ends the embedding program. The emulated
//! contracts panic only on inputs that overflow `u128` arithmetic.

use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    /// `Some` while this thread runs a native call; then the text of the
    /// panic that happened in it, if any.
    static CAPTURED: RefCell<Option<Option<String>>> = const { RefCell::new(None) };
}

static INSTALL_HOOK: Once = Once::new();

fn install_hook() {
    INSTALL_HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let captured = CAPTURED
                .try_with(|slot| match slot.try_borrow_mut() {
                    Ok(mut slot) => match slot.as_mut() {
                        Some(text) => {
                            *text = Some(info.to_string());
                            true
                        }
                        None => false,
                    },
                    Err(_) => false,
                })
                .unwrap_or(false);
            if !captured {
                previous(info);
            }
        }));
    });
}

/// Runs `f`; a panic in it becomes `Err` with the text cosmwasm-std's panic
/// handler would have sent to `abort`. Nested calls (a native contract
/// querying another on the same thread) each capture their own panic.
pub(crate) fn catch<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    install_hook();
    let outer = CAPTURED.with(|slot| slot.replace(Some(None)));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    let captured = CAPTURED.with(|slot| slot.replace(outer)).flatten();
    result.map_err(|payload| {
        captured.unwrap_or_else(|| {
            // The hook did not run (another hook replaced ours): the payload
            // is all there is.
            payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "Box<dyn Any>".to_owned())
        })
    })
}

#[cfg(test)]
mod tests {
    use super::catch;

    #[test]
    fn a_panic_becomes_the_panic_handler_text() {
        let text = catch(|| -> u8 { panic!("boom {}", 7) }).unwrap_err();
        assert!(
            text.starts_with("panicked at crates/cw-fallback/src/panic.rs:"),
            "{text}"
        );
        assert!(text.ends_with(":\nboom 7"), "{text}");
        assert_eq!(catch(|| 5), Ok(5));
    }

    #[test]
    fn nested_calls_capture_their_own_panic() {
        let outer = catch(|| {
            let inner = catch(|| -> u8 { panic!("inner") }).unwrap_err();
            assert!(inner.ends_with("\ninner"));
            panic!("outer")
        })
        .unwrap_err();
        assert!(outer.ends_with("\nouter"), "{outer}");
    }
}
