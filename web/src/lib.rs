//! Duro Portal's browser app: two programs over this library. The sign-in app
//! (`main.rs`, `sign_in/`) is the first visit's only download and carries no UI
//! framework; once someone is signed in it loads the account app
//! (`bin/portal-account.rs`, Leptos) and hands over (`handoff`). `pages/` holds
//! the account app's pages, a folder per page and a file per component;
//! `context` its shared state; `messages` every sentence; `api` the one API client.
#[cfg(feature = "account")]
pub mod account_app;
pub mod api;
mod chrome;
pub mod config;
#[cfg(feature = "account")]
mod context;
pub mod embed;
pub mod format;
mod handoff;
mod link;
pub mod messages;
mod notice;
#[cfg(feature = "account")]
mod pages;
pub mod route;
pub mod session;
pub mod sign_in;

#[cfg(feature = "account")]
pub use context::{AppContext, Navigation};
pub use link::{split_param, take_arrival, Arrival};
pub use notice::Notice;
#[cfg(feature = "account")]
pub use pages::{
    cards::CardsPage,
    subscriptions::{push_card, rehearse_list, CardFacts, SubscriptionCard, SubscriptionsPage},
    wallet::WalletPage,
};
pub use sign_in::{Arriving, CodeStep, EmailStep, SignInPage, HINT_READ_MS};
