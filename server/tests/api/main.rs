//! The server's integration tests, one binary: each module starts the real server
//! on port 0 with a fresh database (see `helpers`) and talks to it over HTTP.
mod billing;
mod hardening;
mod helpers;
mod http;
mod lifecycle;
mod links;
mod portal;
mod signin;
mod smtp;
mod wallet;
mod web_app;
