//! The azureml-mms code generator, as a library: `cargo xtask` is a thin
//! command line over it, and the tests and benchmarks call it in-process.
//!
//! The pipeline reads left to right: [`load`] (files → OpenAPI 3.0
//! documents, with file and JSON-pointer locations) → `normalize`
//! (documents → one IR) → `emit` (IR → Rust and files).

pub mod api;
pub mod codegen;
pub mod conformance;
pub mod diagnostic;
pub mod emit;
pub mod ir;
pub mod lint_specs;
pub mod load;
pub mod naming;
pub mod normalize;
pub mod python_tools;
pub mod synthetic;
pub mod validate;
