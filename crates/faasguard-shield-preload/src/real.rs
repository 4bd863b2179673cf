//! The next definition of a hooked symbol (`dlsym(RTLD_NEXT, …)`, libc's), resolved on first
//! use and cached.

use std::ffi::{CStr, c_void};
use std::sync::atomic::{AtomicPtr, Ordering};

/// One hooked symbol's real definition.
#[derive(Debug)]
pub struct Real {
    name: &'static CStr,
    ptr: AtomicPtr<c_void>,
}

impl Real {
    pub const fn new(name: &'static CStr) -> Real {
        Real {
            name,
            ptr: AtomicPtr::new(std::ptr::null_mut()),
        }
    }

    /// The address, or null when no later object defines the symbol.
    pub fn get(&self) -> *mut c_void {
        let p = self.ptr.load(Ordering::Relaxed);
        if !p.is_null() {
            return p;
        }
        // SAFETY: dlsym with RTLD_NEXT and a NUL-terminated name only looks the symbol up.
        let p = unsafe { libc::dlsym(libc::RTLD_NEXT, self.name.as_ptr()) };
        self.ptr.store(p, Ordering::Relaxed);
        p
    }
}

/// The real function as a typed pointer: `next!(REAL, fn(c_int) -> c_int)`; `None` when the
/// symbol is missing.
macro_rules! next {
    ($real:expr, fn($($arg:ty),* $(,)?) -> $ret:ty) => {{
        let p = $real.get();
        if p.is_null() {
            None
        } else {
            // SAFETY: dlsym returned the next definition of this very symbol, whose C
            // prototype is the one written at the call site.
            Some(unsafe {
                std::mem::transmute::<*mut std::ffi::c_void, unsafe extern "C" fn($($arg),*) -> $ret>(p)
            })
        }
    }};
}

pub(crate) use next;

/// Calls the real function with the caller's arguments, or evaluates `$missing`.
macro_rules! call_real {
    ($real:expr, fn($($ty:ty),* $(,)?) -> $ret:ty, ($($arg:expr),* $(,)?), $missing:expr) => {
        if let Some(real) = $crate::real::next!($real, fn($($ty),*) -> $ret) {
            // SAFETY: the caller's arguments, passed on unchanged.
            unsafe { real($($arg),*) }
        } else {
            $missing
        }
    };
}

pub(crate) use call_real;

/// Sets `errno`.
pub fn set_errno(value: i32) {
    // SAFETY: __errno_location returns this thread's errno slot.
    unsafe { *libc::__errno_location() = value };
}
