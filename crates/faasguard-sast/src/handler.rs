//! Handler resolution: from a runtime and a `Handler` setting to the file and function, and
//! discovery of handler-shaped exports when there is no IaC.
