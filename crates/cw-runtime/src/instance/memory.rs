//! The guest's linear memory, mapped by the runtime instead of Wasmer so an
//! instance can be put back exactly as instantiation left it: the same size
//! in pages and the same bytes, with nothing past that size reachable.
//!
//! Wasmer's own memories cannot shrink, and a memory that stayed grown would
//! change what `memory.size` and `memory.grow` return to the contract, and
//! so its gas and results. This memory honours the style the code was
//! compiled for (`tunables::compiled_memory_style` decides it per module):
//!
//! - **Dynamic** (memories that start with at least one page): the code
//!   checks every access against the current size, so a reset only lowers
//!   the size; pages grown into stay open for the next call's growth, and no
//!   reset changes a page protection. Refused for a memory that can be
//!   empty, where Singlepass's check wraps around (see
//!   `compiled_memory_style`).
//! - **Static** (memories that start empty, and modules compiled elsewhere):
//!   the code checks nothing, so only `[0, size)` is accessible and a reset
//!   makes the pages past the initial size inaccessible again.
//!
//! Whatever the style, the reservation covers every address a 32-bit access
//! can form (4 GiB plus Wasmer's static offset guard), inaccessible past
//! what is open: even code whose check were wrong could only fault inside
//! this instance's own reservation, never reach another mapping.

use std::io;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use wasmer::sys::vm::{LinearMemory, Trap, VMMemoryDefinition};
use wasmer::{MemoryError, MemoryStyle, MemoryType, Pages};
use wasmer_types::TrapCode;

/// How much memory above the initial size a reset keeps mapped (zeroed),
/// so the next call's growth does not fault it in again; pages beyond it
/// go back to the system.
pub(crate) const RETAINED_GROWN_BYTES: usize = 1 << 20;

/// The contents instantiation gave the memory: byte runs at offsets, the
/// rest zero.
#[derive(Debug, Default)]
struct Image {
    runs: Vec<(usize, Box<[u8]>)>,
}

/// Which pages of the memory the process held when the last reset ended,
/// and the process's page-fault count then.
///
/// A page the process does not hold becomes held only through a page fault
/// of the process (no thread of ours maps pages any other way), so while the
/// count is unchanged the record is still true and a reset need not ask the
/// kernel again. Any fault anywhere in the process, or a failed reset, sends
/// the next reset back to `mincore`.
#[derive(Debug, Default)]
struct Residency {
    /// The fault count after the last successful reset; `None` before it.
    faults: Option<u64>,
    /// One `mincore` byte per system page from the start of the mapping
    /// (bit 0: held).
    pages: Vec<u8>,
}

/// The memory's mapping and its bookkeeping, shared by the memory Wasmer
/// owns and the [`MemoryReset`] the instance keeps.
#[derive(Debug)]
struct Shared {
    mapping: Reservation,
    /// Where compiled code reads the base and current length: a slot in the
    /// instance's context, valid while the instance lives.
    definition: NonNull<VMMemoryDefinition>,
    minimum: Pages,
    maximum: Option<Pages>,
    style: MemoryStyle,
    /// Bytes of the reservation that may ever become accessible.
    addressable: usize,
    /// Bytes of the reservation that are accessible now, from the start:
    /// the current size under the static style; under the dynamic style the
    /// most the memory has ever been grown to.
    opened: AtomicUsize,
    image: Mutex<Image>,
    residency: Mutex<Residency>,
}

// SAFETY: the mapping is plain process memory and `definition` points into
// the instance context that owns this memory; both are only touched through
// the store, which Rust's borrow rules already keep on one thread at a time.
unsafe impl Send for Shared {}
// SAFETY: as above; the only state shared by reference is behind a `Mutex`.
unsafe impl Sync for Shared {}

impl Shared {
    fn current_bytes(&self) -> usize {
        // SAFETY: `definition` is valid while the instance lives (see field).
        unsafe { self.definition.as_ref().current_length }
    }

    fn set_current_bytes(&self, bytes: usize) {
        // SAFETY: as in `current_bytes`; no Wasm runs while the store is
        // borrowed for this.
        unsafe { (*self.definition.as_ptr()).current_length = bytes };
    }

    fn current_pages(&self) -> Pages {
        Pages((self.current_bytes() / wasmer::WASM_PAGE_SIZE) as u32)
    }

    /// Makes `[0, bytes)` accessible, opening only what is not open yet.
    fn open_to(&self, bytes: usize) -> io::Result<()> {
        let opened = self.opened.load(Ordering::Relaxed);
        if bytes > opened {
            self.mapping.protect(opened, bytes - opened, true)?;
            self.opened.store(bytes, Ordering::Relaxed);
        }
        Ok(())
    }

    /// Whether the compiled code checks accesses against the current size
    /// (so pages past it may stay accessible).
    fn bounds_checked(&self) -> bool {
        matches!(self.style, MemoryStyle::Dynamic { .. })
    }
}

/// A linear memory whose instance can be reset (see the module docs).
#[derive(Debug)]
pub(crate) struct ResettableMemory {
    shared: Arc<Shared>,
}

/// The instance's handle on its memory: puts it back to the state
/// instantiation left.
///
/// Exactly one exists per memory ([`ResettableMemory::new`] makes the pair),
/// it is not `Clone`, and [`reset`](Self::reset) takes `&mut self`: the
/// instance that owns it (and the store that owns the memory) lends it
/// mutably, so a reset cannot overlap another reset, nor a call (the store
/// is borrowed for both), which is what writing the pages without a lock
/// relies on.
#[derive(Debug)]
pub(crate) struct MemoryReset {
    shared: Arc<Shared>,
}

// Compile-time proof that `MemoryReset` is not `Clone`: the call below
// picks the blanket impl only if the `Clone` impl does not also apply (if it
// did, the type parameter would be ambiguous and this would not compile).
trait AmbiguousIfClone<A> {
    fn unique() {}
}
impl<T: ?Sized> AmbiguousIfClone<()> for T {}
impl<T: Clone> AmbiguousIfClone<u8> for T {}
const _: fn() = || <MemoryReset as AmbiguousIfClone<_>>::unique();

impl ResettableMemory {
    /// Maps a memory of type `ty` in `style`, publishing its base and length
    /// at `definition`; returns it with the one handle that resets it.
    ///
    /// # Safety
    /// `definition` must be valid for writes for as long as the memory and
    /// its [`MemoryReset`] live (Wasmer's contract for
    /// `Tunables::create_vm_memory`).
    pub(crate) unsafe fn new(
        ty: &MemoryType,
        style: &MemoryStyle,
        definition: NonNull<VMMemoryDefinition>,
    ) -> Result<(Self, MemoryReset), MemoryError> {
        let limit = ty.maximum.unwrap_or(Pages::max_value());
        if ty.minimum > limit || limit > Pages::max_value() {
            return Err(MemoryError::InvalidMemory {
                reason: format!(
                    "minimum of {} pages and maximum of {} pages",
                    ty.minimum.0, limit.0
                ),
            });
        }
        if matches!(style, MemoryStyle::Dynamic { .. }) && ty.minimum.0 == 0 {
            return Err(MemoryError::InvalidMemory {
                reason: "bounds-checked code over a memory that starts empty: Singlepass's \
                         check does not hold at size zero"
                    .into(),
            });
        }
        // Static code relies on the whole 32-bit space plus the offset guard
        // being reserved; dynamic code checks bounds, and gets the same
        // reservation so that no address it can form leaves this mapping.
        let addressable = limit.bytes().0;
        let guard = usize::try_from(style.offset_guard_size()).map_err(|_| {
            MemoryError::Generic("the offset guard does not fit in the address space".into())
        })?;
        let reach = MemoryStyle::static_bound()
            .bytes()
            .0
            .checked_add(guard.max(reserved_guard_bytes()))
            .ok_or_else(|| {
                MemoryError::Generic("the reservation does not fit in the address space".into())
            })?;
        let region_error = |e: io::Error| MemoryError::Region(e.to_string());
        let mapping = Reservation::new(reach).map_err(region_error)?;
        let initial = ty.minimum.bytes().0;
        mapping.protect(0, initial, true).map_err(region_error)?;
        // SAFETY: the caller guarantees `definition` is valid for writes.
        unsafe {
            definition.as_ptr().write(VMMemoryDefinition {
                base: mapping.base.as_ptr(),
                current_length: initial,
            });
        }
        let shared = Arc::new(Shared {
            mapping,
            definition,
            minimum: ty.minimum,
            maximum: ty.maximum,
            style: *style,
            addressable,
            opened: AtomicUsize::new(initial),
            image: Mutex::new(Image::default()),
            residency: Mutex::new(Residency::default()),
        });
        let reset = MemoryReset {
            shared: Arc::clone(&shared),
        };
        Ok((Self { shared }, reset))
    }
}

impl LinearMemory for ResettableMemory {
    fn ty(&self) -> MemoryType {
        MemoryType::new(self.shared.current_pages(), self.shared.maximum, false)
    }

    fn size(&self) -> Pages {
        self.shared.current_pages()
    }

    fn style(&self) -> MemoryStyle {
        self.shared.style
    }

    fn grow(&mut self, delta: Pages) -> Result<Pages, MemoryError> {
        let shared = &self.shared;
        let previous = shared.current_pages();
        if delta.0 == 0 {
            return Ok(previous);
        }
        let refused = MemoryError::CouldNotGrow {
            current: previous,
            attempted_delta: delta,
        };
        let Some(grown) = previous.checked_add(delta) else {
            return Err(refused);
        };
        if grown > shared.maximum.unwrap_or(Pages::max_value()) || grown > Pages::max_value() {
            return Err(refused);
        }
        let to = grown.bytes().0;
        if to > shared.addressable {
            return Err(refused);
        }
        shared
            .open_to(to)
            .map_err(|e| MemoryError::Region(e.to_string()))?;
        shared.set_current_bytes(to);
        Ok(previous)
    }

    fn grow_at_least(&mut self, min_size: u64) -> Result<(), MemoryError> {
        let current = self.shared.current_bytes() as u64;
        if min_size <= current {
            return Ok(());
        }
        let page = wasmer::WASM_PAGE_SIZE as u64;
        let pages = u32::try_from((min_size - current).div_ceil(page)).map_err(|_| {
            MemoryError::CouldNotGrow {
                current: self.shared.current_pages(),
                attempted_delta: Pages::max_value(),
            }
        })?;
        self.grow(Pages(pages)).map(|_| ())
    }

    fn vmmemory(&self) -> NonNull<VMMemoryDefinition> {
        self.shared.definition
    }

    fn try_clone(&self) -> Result<Box<dyn LinearMemory + Send + Sync + 'static>, MemoryError> {
        Err(MemoryError::MemoryNotShared)
    }

    fn copy(&self) -> Result<Box<dyn LinearMemory + Send + Sync + 'static>, MemoryError> {
        Err(MemoryError::UnsupportedOperation {
            message: "a contract's memory cannot be copied".into(),
        })
    }

    /// Writes a data segment, as Wasmer's memories do, and keeps a copy for
    /// [`MemoryReset::reset`].
    unsafe fn initialize_with_data(&self, start: usize, data: &[u8]) -> Result<(), Trap> {
        let fits = start
            .checked_add(data.len())
            .is_some_and(|end| end <= self.shared.current_bytes());
        if !fits {
            return Err(Trap::lib(TrapCode::HeapAccessOutOfBounds));
        }
        // SAFETY: the range is inside the accessible part of the mapping
        // (checked above) and no Wasm runs during instantiation's writes.
        unsafe { self.shared.mapping.write(start, data) };
        self.shared
            .image
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .runs
            .push((start, data.into()));
        Ok(())
    }
}

impl MemoryReset {
    /// Puts the memory back to its instantiated state: the initial size and
    /// zero everywhere but the recorded contents. Under the static style the
    /// pages past the initial size become inaccessible again; under the
    /// dynamic style they stay open (zeroed), as the code checks the size.
    ///
    /// Pages the process holds are zeroed in place, so the next call does
    /// not fault them in again; pages it does not hold (never touched, or
    /// swapped out) are replaced with fresh zero pages.
    ///
    /// # Errors
    /// The operating system refused to query or remap the pages; the memory
    /// is then in an unknown state and must not be run again.
    pub(crate) fn reset(&mut self) -> io::Result<()> {
        self.reset_with(&System)
    }

    /// [`reset`](Self::reset), with what the kernel says of page faults and
    /// swap coming from `kernel` (tests simulate swap through it).
    fn reset_with(&mut self, kernel: &dyn Kernel) -> io::Result<()> {
        let shared = &self.shared;
        let initial = shared.minimum.bytes().0;
        let current = shared.current_bytes();
        let mut residency = shared
            .residency
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // Until this reset has finished, the record proves nothing.
        let faults = residency.faults.take();
        let known = faults.is_some() && faults == kernel.page_faults()?;
        shared.mapping.scrub(
            current.max(initial),
            initial,
            &mut residency.pages,
            known,
            kernel,
        )?;
        if !shared.bounds_checked() {
            let opened = shared.opened.load(Ordering::Relaxed);
            shared
                .mapping
                .protect(initial, opened.saturating_sub(initial), false)?;
            shared.opened.store(initial, Ordering::Relaxed);
        }
        shared.set_current_bytes(initial);
        let image = shared.image.lock().unwrap_or_else(PoisonError::into_inner);
        for (start, bytes) in &image.runs {
            // SAFETY: every run was inside `[0, initial)` when recorded and
            // that range is accessible.
            unsafe { shared.mapping.write(*start, bytes) };
            // The write holds these pages now, whatever the scrub found (a
            // page swapped out was discarded and recorded as not held): the
            // record must say so, or the next reset that trusts it would
            // skip a page the contract can write without faulting.
            shared
                .mapping
                .record_held(&mut residency.pages, *start, bytes.len());
        }
        // Counted after every write of ours, which may have faulted pages in.
        residency.faults = kernel.page_faults()?;
        Ok(())
    }
}

/// The guard every reservation has past the 4 GiB a 32-bit address reaches:
/// Wasmer's static offset guard (4 GiB and one page, as an access may add a
/// 32-bit offset to a 32-bit address and be up to 16 bytes wide).
fn reserved_guard_bytes() -> usize {
    usize::try_from(MemoryStyle::static_offset_guard_size()).unwrap_or(usize::MAX)
}

/// An address-space reservation, inaccessible until parts are opened.
#[derive(Debug)]
struct Reservation {
    base: NonNull<u8>,
    length: usize,
    /// The operating system's page size.
    page: usize,
}

impl Reservation {
    fn new(length: usize) -> io::Result<Self> {
        // SAFETY: a fresh anonymous mapping at an address the kernel picks
        // touches no existing memory.
        let pointer = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                length,
                libc::PROT_NONE,
                libc::MAP_PRIVATE | libc::MAP_ANON | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if pointer == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        let base = NonNull::new(pointer.cast::<u8>())
            .ok_or_else(|| io::Error::other("mmap returned a null mapping"))?;
        // SAFETY: sysconf has no preconditions.
        let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) })
            .ok()
            .filter(|page| page.is_power_of_two())
            .ok_or_else(|| io::Error::other("the system page size is unknown"))?;
        let reservation = Self { base, length, page };
        // Huge pages would make a reset zero 2 MiB for every page touched.
        #[cfg(target_os = "linux")]
        {
            // SAFETY: advice on our own mapping; it changes no contents.
            let status = unsafe { libc::madvise(pointer, length, libc::MADV_NOHUGEPAGE) };
            if status != 0 {
                return Err(io::Error::last_os_error());
            }
        }
        Ok(reservation)
    }

    fn check(&self, offset: usize, length: usize) -> io::Result<()> {
        match offset.checked_add(length) {
            Some(end) if end <= self.length => Ok(()),
            _ => Err(io::Error::other(format!(
                "range {offset}+{length} outside the {}-byte reservation",
                self.length
            ))),
        }
    }

    /// Makes `[offset, offset + length)` readable and writable, or not.
    fn protect(&self, offset: usize, length: usize, accessible: bool) -> io::Result<()> {
        self.check(offset, length)?;
        if length == 0 {
            return Ok(());
        }
        // SAFETY: the range is inside this reservation (checked above).
        let status = unsafe {
            libc::mprotect(
                self.base.as_ptr().add(offset).cast(),
                length,
                protection(accessible),
            )
        };
        if status != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Replaces `[offset, offset + length)` with fresh zero pages, readable
    /// and writable.
    #[cfg(not(target_os = "linux"))]
    fn fresh(&self, offset: usize, length: usize) -> io::Result<()> {
        self.check(offset, length)?;
        if length == 0 {
            return Ok(());
        }
        // SAFETY: `MAP_FIXED` over a range inside this reservation only
        // replaces pages this reservation owns.
        let pointer = unsafe {
            libc::mmap(
                self.base.as_ptr().add(offset).cast(),
                length,
                protection(true),
                libc::MAP_PRIVATE | libc::MAP_ANON | libc::MAP_FIXED | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if pointer == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Makes `[0, end)` all zero, leaving it accessible. Pages the process
    /// holds are zeroed in place (above `keep`, up to
    /// [`RETAINED_GROWN_BYTES`]); the rest are discarded. Both must be
    /// multiples of the system page size, `keep <= end`, and `[0, end)`
    /// accessible.
    ///
    /// `record` has a `mincore` byte per page; it is refreshed from the
    /// kernel unless `known` (it is still true: see [`Residency`]), and left
    /// true for what this scrub discards.
    fn scrub(
        &self,
        end: usize,
        keep: usize,
        record: &mut Vec<u8>,
        known: bool,
        kernel: &dyn Kernel,
    ) -> io::Result<()> {
        self.check(0, end)?;
        if !end.is_multiple_of(self.page) || !keep.is_multiple_of(self.page) || keep > end {
            return Err(io::Error::other(format!(
                "cannot scrub {end} bytes keeping {keep} with {}-byte pages",
                self.page
            )));
        }
        let pages = end / self.page;
        if record.len() < pages {
            // Pages past the last scrub's end: not held unless faulted in,
            // which `known` rules out.
            record.resize(pages, 0);
        }
        let resident = &mut record[..pages];
        // Only a fresh scan can find a page swapped out: a page recorded as
        // not held was zero when recorded and untouched since.
        let may_hold_swapped = if known {
            false
        } else {
            // SAFETY: the range is inside this reservation and `resident`
            // has a byte for each of its pages.
            let status =
                unsafe { libc::mincore(self.base.as_ptr().cast(), end, resident.as_mut_ptr()) };
            if status != 0 {
                return Err(io::Error::last_os_error());
            }
            kernel.swap_configured()?
        };
        let boundary = keep / self.page;
        let mut retained = 0;
        let mut index = 0;
        while index < resident.len() {
            let held = resident[index] & 1 == 1;
            let limit = if index < boundary {
                boundary
            } else {
                resident.len()
            };
            let run = resident[index..limit]
                .iter()
                .take_while(|flags| (**flags & 1 == 1) == held)
                .count();
            let (offset, length) = (index * self.page, run * self.page);
            let keep_mapped = index < boundary || retained + length <= RETAINED_GROWN_BYTES;
            if held && keep_mapped {
                if index >= boundary {
                    retained += length;
                }
                // SAFETY: inside the reservation and accessible (the caller's
                // promise); no Wasm runs meanwhile.
                unsafe { std::ptr::write_bytes(self.base.as_ptr().add(offset), 0, length) };
            } else if held || may_hold_swapped {
                self.discard(offset, length)?;
                resident[index..index + run].fill(0);
            }
            index += run;
        }
        Ok(())
    }

    /// Marks the pages of `[offset, offset + length)` as held in `record`
    /// (one `mincore` byte per page, grown as needed).
    fn record_held(&self, record: &mut Vec<u8>, offset: usize, length: usize) {
        if length == 0 {
            return;
        }
        let first = offset / self.page;
        let last = (offset + length - 1) / self.page;
        if record.len() <= last {
            record.resize(last + 1, 0);
        }
        for flags in &mut record[first..=last] {
            *flags |= 1;
        }
    }

    /// Drops whatever `[offset, offset + length)` holds (a page the kernel
    /// swapped out still holds bytes), so it reads as zero; it stays
    /// accessible.
    #[cfg(target_os = "linux")]
    fn discard(&self, offset: usize, length: usize) -> io::Result<()> {
        self.check(offset, length)?;
        // SAFETY: the range is inside this private anonymous mapping, which
        // Linux refills with zero pages on the next touch.
        let status = unsafe {
            libc::madvise(
                self.base.as_ptr().add(offset).cast(),
                length,
                libc::MADV_DONTNEED,
            )
        };
        if status != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// As on Linux; elsewhere `MADV_DONTNEED` need not zero, so remap.
    #[cfg(not(target_os = "linux"))]
    fn discard(&self, offset: usize, length: usize) -> io::Result<()> {
        self.fresh(offset, length)
    }

    /// # Safety
    /// `[offset, offset + data.len())` must be inside the reservation and
    /// accessible, with nothing else reading or writing it meanwhile.
    unsafe fn write(&self, offset: usize, data: &[u8]) {
        // SAFETY: per the caller's promise.
        unsafe {
            std::ptr::copy_nonoverlapping(
                data.as_ptr(),
                self.base.as_ptr().add(offset),
                data.len(),
            );
        }
    }
}

/// What the kernel says that a reset relies on: how many pages the process
/// has faulted in, and whether the system has swap. [`System`] asks the
/// kernel; tests substitute answers to reach the swap path on any machine.
trait Kernel {
    /// The page faults of the whole process so far, or `None` where they
    /// are not counted reliably.
    fn page_faults(&self) -> io::Result<Option<u64>>;
    /// Whether a page the process does not hold may still hold bytes.
    fn swap_configured(&self) -> io::Result<bool>;
}

/// The running system's answers.
struct System;

impl Kernel for System {
    fn page_faults(&self) -> io::Result<Option<u64>> {
        process_page_faults()
    }

    fn swap_configured(&self) -> io::Result<bool> {
        swap_configured()
    }
}

/// Whether a page the process does not hold may still hold bytes: only if
/// the system has swap. Without swap, Linux never takes an anonymous page
/// away, so a page not held reads as zero (and `swapoff` brings every
/// swapped page back before it returns).
#[cfg(target_os = "linux")]
fn swap_configured() -> io::Result<bool> {
    // SAFETY: `sysinfo` fills the struct it is given; zero is a valid value
    // of every field.
    let mut info: libc::sysinfo = unsafe { std::mem::zeroed() };
    // SAFETY: `info` is a valid, writable `sysinfo`.
    if unsafe { libc::sysinfo(&mut info) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(info.totalswap != 0)
}

/// The page faults of the whole process so far (minor and major), or
/// `None` where they are not counted reliably.
#[cfg(target_os = "linux")]
fn process_page_faults() -> io::Result<Option<u64>> {
    // SAFETY: `getrusage` fills the struct it is given; zero is a valid
    // value of every field.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is a valid, writable `rusage`.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return Err(io::Error::last_os_error());
    }
    let count = |n: libc::c_long| u64::try_from(n).unwrap_or(0);
    Ok(Some(count(usage.ru_minflt) + count(usage.ru_majflt)))
}

/// Elsewhere, never trust a record: every reset scans.
#[cfg(not(target_os = "linux"))]
fn process_page_faults() -> io::Result<Option<u64>> {
    Ok(None)
}

/// Elsewhere, assume swap.
#[cfg(not(target_os = "linux"))]
fn swap_configured() -> io::Result<bool> {
    Ok(true)
}

fn protection(accessible: bool) -> libc::c_int {
    if accessible {
        libc::PROT_READ | libc::PROT_WRITE
    } else {
        libc::PROT_NONE
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        // SAFETY: the whole reservation is ours and nothing refers to it once
        // the last owner drops.
        unsafe {
            libc::munmap(self.base.as_ptr().cast(), self.length);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STYLES: [MemoryStyle; 2] = [
        MemoryStyle::Static,
        MemoryStyle::Dynamic {
            offset_guard_size: 0,
        },
    ];

    /// A memory of `initial` pages whose definition lives on the heap, as
    /// Wasmer's would in an instance context.
    fn memory(initial: u32) -> (ResettableMemory, MemoryReset, Box<VMMemoryDefinition>) {
        memory_in(initial, &MemoryStyle::Static)
    }

    fn memory_in(
        initial: u32,
        style: &MemoryStyle,
    ) -> (ResettableMemory, MemoryReset, Box<VMMemoryDefinition>) {
        let mut definition = Box::new(VMMemoryDefinition {
            base: std::ptr::null_mut(),
            current_length: 0,
        });
        let location = NonNull::from(definition.as_mut());
        let ty = MemoryType::new(Pages(initial), Some(Pages(512)), false);
        // SAFETY: the box outlives the memory in every test below.
        let (memory, reset) = unsafe { ResettableMemory::new(&ty, style, location) }.unwrap();
        (memory, reset, definition)
    }

    fn contents(definition: &VMMemoryDefinition) -> &[u8] {
        // SAFETY: `[0, current_length)` is accessible while the memory lives.
        unsafe { std::slice::from_raw_parts(definition.base, definition.current_length) }
    }

    fn fill(definition: &VMMemoryDefinition, byte: u8) {
        // SAFETY: as in `contents`, and nothing else touches it meanwhile.
        unsafe { std::ptr::write_bytes(definition.base, byte, definition.current_length) };
    }

    #[test]
    fn a_reset_zeroes_every_page_touched_and_keeps_only_the_data_segments() {
        for style in &STYLES {
            zeroes_and_keeps_the_data_segments(style);
        }
    }

    fn zeroes_and_keeps_the_data_segments(style: &MemoryStyle) {
        let (mut memory, mut handle, definition) = memory_in(2, style);
        // SAFETY: inside the two accessible pages.
        unsafe { memory.initialize_with_data(70_000, b"segment").unwrap() };
        // Grow well past what a reset keeps mapped, and dirty everything.
        let grown = (3 * RETAINED_GROWN_BYTES / wasmer::WASM_PAGE_SIZE) as u32;
        assert_eq!(memory.grow(Pages(grown)).unwrap(), Pages(2));
        fill(&definition, 0xAB);
        handle.reset().unwrap();
        assert_eq!(memory.size(), Pages(2));
        let reset = contents(&definition);
        assert_eq!(&reset[70_000..70_007], b"segment");
        let nonzero = reset.iter().filter(|&&byte| byte != 0).count();
        assert_eq!(nonzero, b"segment".len());
        // Growing again gives zero pages, kept mapped or not.
        memory.grow(Pages(grown)).unwrap();
        assert!(
            contents(&definition)[2 * wasmer::WASM_PAGE_SIZE..]
                .iter()
                .all(|&b| b == 0)
        );
        // And the cycle repeats.
        fill(&definition, 0xCD);
        handle.reset().unwrap();
        assert_eq!(contents(&definition).iter().filter(|&&b| b != 0).count(), 7);
    }

    fn opened_bytes(memory: &ResettableMemory) -> usize {
        memory.shared.opened.load(Ordering::Relaxed)
    }

    #[test]
    fn only_a_static_memory_closes_the_grown_pages_on_reset() {
        let page = wasmer::WASM_PAGE_SIZE;
        for style in &STYLES {
            let (mut memory, mut handle, definition) = memory_in(1, style);
            assert_eq!(opened_bytes(&memory), page);
            memory.grow(Pages(3)).unwrap();
            assert_eq!(opened_bytes(&memory), 4 * page);
            handle.reset().unwrap();
            assert_eq!(definition.current_length, page, "{style:?}");
            let opened = match style {
                MemoryStyle::Static => page,
                MemoryStyle::Dynamic { .. } => 4 * page,
            };
            assert_eq!(opened_bytes(&memory), opened, "{style:?}");
            // Growing again opens only what was never open.
            memory.grow(Pages(1)).unwrap();
            assert_eq!(opened_bytes(&memory), opened.max(2 * page), "{style:?}");
            memory.grow(Pages(4)).unwrap();
            assert_eq!(opened_bytes(&memory), 6 * page, "{style:?}");
            assert!(contents(&definition).iter().all(|&b| b == 0));
        }
    }

    #[test]
    fn a_page_faulted_in_raises_the_process_fault_count() {
        let reservation = Reservation::new(1 << 20).unwrap();
        reservation.protect(0, 1 << 20, true).unwrap();
        for page in 0..4 {
            let before = process_page_faults().unwrap().unwrap();
            // SAFETY: inside the accessible part of the reservation.
            unsafe { reservation.write(page * reservation.page, b"x") };
            let after = process_page_faults().unwrap().unwrap();
            assert!(after > before, "page {page}: {before} -> {after}");
        }
    }

    #[test]
    fn a_known_record_decides_which_pages_are_zeroed() {
        let reservation = Reservation::new(1 << 20).unwrap();
        let page = reservation.page;
        reservation.protect(0, 2 * page, true).unwrap();
        // SAFETY: both pages are accessible.
        unsafe {
            reservation.write(0, b"first");
            reservation.write(page, b"second");
        }
        let byte = |offset: usize| {
            // SAFETY: inside the two accessible pages.
            unsafe { *reservation.base.as_ptr().add(offset) }
        };
        // A record that leaves the second page out is believed...
        let mut record = vec![1, 0];
        reservation
            .scrub(2 * page, 2 * page, &mut record, true, &System)
            .unwrap();
        assert_eq!((byte(0), byte(page)), (0, b's'));
        // ...and a fresh scan finds it.
        reservation
            .scrub(2 * page, 2 * page, &mut record, false, &System)
            .unwrap();
        assert_eq!(byte(page), 0);
        assert_eq!(
            record.iter().map(|flags| flags & 1).collect::<Vec<_>>(),
            [1, 1]
        );
    }

    #[test]
    fn bounds_checked_code_over_a_memory_that_can_be_empty_is_refused() {
        let mut definition = Box::new(VMMemoryDefinition {
            base: std::ptr::null_mut(),
            current_length: 0,
        });
        let location = NonNull::from(definition.as_mut());
        let ty = MemoryType::new(Pages(0), None, false);
        // SAFETY: the box outlives the memory.
        let refused = unsafe { ResettableMemory::new(&ty, &STYLES[1], location) };
        assert!(
            matches!(refused, Err(MemoryError::InvalidMemory { .. })),
            "{:?}",
            refused.map(|_| ())
        );
        // Unchecked code over the same memory is what the runtime compiles.
        // SAFETY: as above.
        let (memory, _reset) = unsafe { ResettableMemory::new(&ty, &STYLES[0], location) }.unwrap();
        assert_eq!(memory.size(), Pages(0));
        assert_eq!(opened_bytes(&memory), 0);
    }

    #[test]
    fn every_reservation_covers_the_whole_reach_of_a_32_bit_access() {
        // An access is a 32-bit address plus a 32-bit offset, up to 8 bytes
        // wide: below 8 GiB + 8. Every byte of that must be ours, whatever
        // the style, so that a wrong check cannot reach another mapping.
        let reach = (8usize << 30) + 8;
        for style in &STYLES {
            let (memory, _reset, _definition) = memory_in(1, style);
            assert!(memory.shared.mapping.length >= reach, "{style:?}");
        }
    }

    /// A kernel whose fault count never moves (so every record is trusted)
    /// and which says the system has swap.
    struct SwapAndNoFaults;

    impl Kernel for SwapAndNoFaults {
        fn page_faults(&self) -> io::Result<Option<u64>> {
            Ok(Some(7))
        }
        fn swap_configured(&self) -> io::Result<bool> {
            Ok(true)
        }
    }

    /// Issue 20: with swap, a reset that finds a data-segment page swapped
    /// out discards it and writes the segment back, which holds the page
    /// again; the record must say so, or the next reset (trusting the
    /// record, no fault since) skips that page and what the contract wrote
    /// there survives into the next call.
    #[test]
    fn a_page_the_data_segments_fault_back_in_is_recorded_as_held() {
        for style in &STYLES {
            let (memory, mut handle, definition) = memory_in(1, style);
            // SAFETY: inside the accessible page.
            unsafe { memory.initialize_with_data(100, b"segment").unwrap() };
            let page = memory.shared.mapping.page;
            // The kernel swaps the segment's page out: not held any more.
            memory.shared.mapping.discard(0, page).unwrap();
            handle.reset_with(&SwapAndNoFaults).unwrap();
            assert_eq!(&contents(&definition)[100..107], b"segment");
            // The contract writes beside the segment (no fault: the page is
            // held), then the instance is reset with the record trusted.
            // SAFETY: inside the accessible page, nothing else runs.
            unsafe { definition.base.add(200).write(0xAB) };
            handle.reset_with(&SwapAndNoFaults).unwrap();
            let reset = contents(&definition);
            assert_eq!(
                reset[200], 0,
                "{style:?}: the contract's byte survived the reset"
            );
            assert_eq!(&reset[100..107], b"segment");
        }
    }

    #[test]
    fn growth_stops_at_the_maximum_and_reports_the_previous_size() {
        let (mut memory, _reset, definition) = memory(1);
        assert_eq!(memory.grow(Pages(0)).unwrap(), Pages(1));
        assert_eq!(memory.grow(Pages(10)).unwrap(), Pages(1));
        assert_eq!(definition.current_length, 11 * wasmer::WASM_PAGE_SIZE);
        assert!(matches!(
            memory.grow(Pages(502)),
            Err(MemoryError::CouldNotGrow { .. })
        ));
        assert_eq!(memory.size(), Pages(11));
        assert_eq!(memory.ty().minimum, Pages(11));
        // A data segment past the end is refused, as Wasmer refuses it.
        // SAFETY: the call checks the range itself.
        let outside = unsafe { memory.initialize_with_data(11 * wasmer::WASM_PAGE_SIZE, b"x") };
        assert!(outside.is_err());
    }
}
