//! Duro Portal's reference API server: the portal contract on axum + SQLite.
pub mod app;
pub mod billing;
pub mod clock;
pub mod crypto;
pub mod error;
pub mod extract;
pub mod latency;
pub mod links;
pub mod mail;
pub mod openapi;
pub mod routes;
pub mod seed;
pub mod signin;
pub mod state;
pub mod store;
pub mod wallet;
pub mod web_app;

pub use app::Application;
pub use clock::Clock;
pub use state::{Config, ConnectionLimits, Limits};
