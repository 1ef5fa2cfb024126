//! Duro Portal's browser app: two programs over this library. The sign-in app
//! (`main.rs`) is the first visit's only download; once someone is signed in it
//! loads the account app (`bin/portal-account.rs`) and hands over (`handoff`).
//! `pages/` holds a folder per page and a file per component; `context` the
//! shared state; `messages` every sentence; `api` the one API client.
pub mod account_app;
pub mod api;
mod chrome;
pub mod config;
mod context;
pub mod embed;
pub mod format;
mod handoff;
mod link;
pub mod messages;
mod pages;
pub mod route;
pub mod session;
pub mod sign_in_app;

pub use context::{AppContext, Navigation, Notice};
pub use link::{split_param, take_arrival, Arrival};
pub use pages::cards::CardsPage;
pub use pages::sign_in::{CodeStep, EmailStep, SignInPage, HINT_READ_MS};
pub use pages::subscriptions::{SubscriptionCard, SubscriptionsPage};
pub use pages::wallet::WalletPage;
