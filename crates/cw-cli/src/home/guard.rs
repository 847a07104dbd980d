//! redb 4.6 panics on some damaged pages instead of returning an error
//! (`unreachable!()` in `tree_store/btree.rs`, "Invalid page type byte" in
//! `tree_store/btree_base.rs`, found by flipping bytes of a `chain.redb`).
//! [`catch`] turns such a panic into an error message, without the panic's
//! own report on stderr, so `cwr` says what is wrong and exits 2 instead of
//! 101. The database is not used again after a caught panic.

use std::cell::{Cell, RefCell};
use std::panic::{AssertUnwindSafe, PanicHookInfo};
use std::sync::Once;

thread_local! {
    /// Whether this thread is inside [`catch`].
    static CATCHING: Cell<bool> = const { Cell::new(false) };
    /// The report of a panic caught on this thread.
    static CAUGHT: RefCell<Option<String>> = const { RefCell::new(None) };
}

static INSTALL: Once = Once::new();

/// Runs `body`; a panic inside it becomes `Err(report)` ("message at
/// file:line:column").
pub(super) fn catch<R>(body: impl FnOnce() -> R) -> Result<R, String> {
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        // Panics outside `catch`, and on other threads, are reported as
        // before.
        std::panic::set_hook(Box::new(move |info| {
            if CATCHING.get() {
                CAUGHT.set(Some(report(info)));
            } else {
                previous(info);
            }
        }));
    });
    let was_catching = CATCHING.replace(true);
    let result = std::panic::catch_unwind(AssertUnwindSafe(body));
    CATCHING.set(was_catching);
    result.map_err(|_| {
        CAUGHT
            .take()
            .unwrap_or_else(|| "a panic without a message".to_owned())
    })
}

fn report(info: &PanicHookInfo<'_>) -> String {
    let message = info.payload_as_str().unwrap_or("a panic without a message");
    match info.location() {
        Some(at) => format!(
            "{message} at {}:{}:{}",
            crate_relative(at.file()),
            at.line(),
            at.column()
        ),
        None => message.to_owned(),
    }
}

/// `redb-4.6.0/src/btree.rs` for a path into Cargo's registry (the folders
/// above the crate's own say nothing), the path itself otherwise.
fn crate_relative(file: &str) -> &str {
    let is_crate_folder = |folder: &str| {
        folder.rsplit_once('-').is_some_and(|(_, version)| {
            version.contains('.') && version.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        })
    };
    let mut start = 0;
    for (i, _) in file.match_indices('/') {
        let folder = file[i + 1..].split('/').next().unwrap_or_default();
        if is_crate_folder(folder) && file[..i].contains("/registry/src/") {
            start = i + 1;
            break;
        }
    }
    &file[start..]
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_panic_becomes_its_report_and_values_pass_through() {
        assert_eq!(super::catch(|| 7), Ok(7));
        let caught = super::catch(|| -> u8 { panic!("damaged page {}", 3) }).unwrap_err();
        assert!(caught.starts_with("damaged page 3 at "), "{caught}");
        assert!(caught.contains("guard.rs"), "{caught}");
    }

    #[test]
    fn registry_paths_start_at_the_crate() {
        assert_eq!(
            super::crate_relative(
                "/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/redb-4.6.0/src/a.rs"
            ),
            "redb-4.6.0/src/a.rs"
        );
        assert_eq!(super::crate_relative("src/home.rs"), "src/home.rs");
    }
}
