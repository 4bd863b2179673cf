//! faasguard-shield's end-to-end suite (issue 9, "Real parts"). This package has no library
//! code: everything is under `tests/`.
//!
//! - `tests/common/`: a fake Lambda Runtime API on 127.0.0.1, the layer root assembled from the
//!   built `libfaasguard_shield.so` and the shims, and the runner that starts a real runtime
//!   interface client under `faasguard-shield` (optionally behind `faasguard-shield-sim`);
//! - `tests/handlers/`: the Python and Node handlers that attempt each violation on request;
//! - `tests/python.rs`, `tests/node.rs`: the control × mode matrix, under the full kernel,
//!   without Landlock and Lambda-like.
//!
//! The clients are installed outside the repository by `scripts/test.sh`, which passes them in
//! `FAASGUARD_SHIELD_E2E_PY` (a Python with `awslambdaric`) and `FAASGUARD_SHIELD_E2E_NODE_RIC`
//! (a directory holding `node_modules/aws-lambda-ric`).
