//! Helpers shared by faasguard's fuzz targets.

use std::sync::Once;

/// Builds the [`faasguard_iac::SourceFile`] a target hands to a loader: `path` relative to the
/// scan root, the bytes as (lossy) UTF-8, and an absolute path under a directory that does not
/// exist (so referenced code paths are looked up and not found).
pub fn source(path: &str, bytes: &[u8]) -> faasguard_iac::SourceFile {
    faasguard_iac::SourceFile {
        path: path.to_owned(),
        abs: std::path::PathBuf::from("/nonexistent").join(path),
        text: String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// Makes a stack overflow in a target a reported crash with its input saved.
///
/// Without a sanitizer, libFuzzer's SIGSEGV handler runs on the overflowed stack and the process
/// dies silently, so the input that overflowed is lost. Called on the first run (after libFuzzer
/// has installed its handlers), this gives the thread an alternate signal stack and re-installs
/// libFuzzer's SIGSEGV/SIGBUS handlers with `SA_ONSTACK`, so the handler runs, prints
/// "deadly signal" and writes the unit to the artifacts directory.
pub fn report_stack_overflows() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        const SIZE: usize = 1 << 20;
        let stack: &'static mut [u8] = Box::leak(vec![0_u8; SIZE].into_boxed_slice());
        let alt = libc::stack_t {
            ss_sp: stack.as_mut_ptr().cast(),
            ss_flags: 0,
            ss_size: SIZE,
        };
        // SAFETY: `alt` describes a leaked (so never freed) buffer of SIZE bytes; the sigaction
        // calls read the installed action and write it back with one more flag.
        unsafe {
            if libc::sigaltstack(&alt, std::ptr::null_mut()) != 0 {
                return;
            }
            for sig in [libc::SIGSEGV, libc::SIGBUS] {
                let mut act: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(sig, std::ptr::null(), &mut act) == 0
                    && act.sa_sigaction != libc::SIG_DFL
                    && act.sa_sigaction != libc::SIG_IGN
                {
                    act.sa_flags |= libc::SA_ONSTACK;
                    libc::sigaction(sig, &act, std::ptr::null_mut());
                }
            }
        }
    });
}
