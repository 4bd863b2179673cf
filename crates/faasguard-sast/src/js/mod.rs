//! JavaScript and TypeScript taint analysis over oxc's AST.
//!
//! The handler's first parameter (the event) is the taint source. The walk is a single forward
//! pass over the handler's statements (run twice so that flows through later assignments and
//! loops are seen), tracking tainted variables by oxc_semantic symbol. Calls to functions of the
//! same file and to exported functions of one level of local modules are followed with the
//! tainted arguments bound to their parameters (bounded by depth and a budget). See
//! [`sinks`] for the sink, sanitizer and propagator tables.
//!
//! Parsing and the walk run on a thread with a large stack (oxc's parser and AST are recursive)
//! and the walk itself stops descending past [`taint::MAX_DEPTH`] levels, so deeply nested input
//! cannot overflow the stack. Module files are read on the caller's thread (the [`SourceFiles`]
//! trait is not `Sync`) and handed to the worker over a channel.

mod parse;
mod sinks;
mod taint;

use std::sync::mpsc;

use crate::{Analysis, Handler, Limits, Problem, SourceFiles};

/// Stack for the worker thread: enough for oxc to parse expressions nested ~10,000 deep.
const WORKER_STACK: usize = 512 << 20;

type ReadRequest = (String, mpsc::Sender<Option<String>>);

pub(crate) fn analyze(files: &dyn SourceFiles, handler: &Handler, limits: Limits) -> Analysis {
    let (tx, rx) = mpsc::channel::<ReadRequest>();
    let result = std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("faasguard-sast-js".into())
            .stack_size(WORKER_STACK)
            .spawn_scoped(scope, move || {
                let read = |path: &str| -> Option<String> {
                    let (reply_tx, reply_rx) = mpsc::channel();
                    tx.send((path.to_string(), reply_tx)).ok()?;
                    reply_rx.recv().ok().flatten()
                };
                taint::run(&read, handler, limits)
            });
        match worker {
            Ok(worker) => {
                // Serve reads until the worker drops its sender (it has finished).
                for (path, reply) in rx {
                    let _ = reply.send(files.read(&path));
                }
                worker.join().ok()
            }
            Err(_) => None,
        }
    });
    result.unwrap_or_else(|| Analysis {
        findings: Vec::new(),
        problems: vec![Problem {
            file: handler.file.clone(),
            line: None,
            message: "internal error: the JavaScript analysis did not complete".to_string(),
        }],
    })
}
