mod account_bar;
pub mod account_nav;
pub mod cards;
pub mod subscriptions;
pub mod wallet;

pub use account_bar::AccountBar;
