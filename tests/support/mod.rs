//! Helpers shared by integration tests.

pub mod lsp_client;
pub mod newsroom;
