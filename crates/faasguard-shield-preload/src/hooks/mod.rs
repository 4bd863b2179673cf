//! The exported hooks. Each one takes the re-entrancy guard, asks the state (absent: the
//! library is a pass-through), and either calls the real function or fails the call.

mod common;
mod exec;
mod fs;
mod net;

/// Runs when the library is loaded: reads `FAASGUARD_SHIELD_EFFECTIVE` once.
extern "C" fn load() {
    crate::state::init();
}

#[used]
#[unsafe(link_section = ".init_array")]
static LOAD: extern "C" fn() = load;
