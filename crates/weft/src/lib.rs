//! Wiring: configuration, start-up and shutdown of `weft serve`, and the other subcommands.
//! No rules live here.

pub mod backup;
pub mod bench;
pub mod cli;
pub mod config;
pub mod seed;
pub mod smtp_inbound;
pub mod startup;

pub use config::ServeConfig;
pub use startup::Application;
