//! Why the sign-in page greets someone who is back there. Carried from the
//! account app to the sign-in app in the address (`?notice=`), so both apps know it.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    SessionEnded,
    SignedOut,
    LinkRefused,
}

impl Notice {
    /// A stable name, to carry the notice across a page load.
    pub fn code(self) -> &'static str {
        match self {
            Notice::SessionEnded => "session_ended",
            Notice::SignedOut => "signed_out",
            Notice::LinkRefused => "link_refused",
        }
    }

    pub fn from_code(code: &str) -> Option<Notice> {
        [Notice::SessionEnded, Notice::SignedOut, Notice::LinkRefused]
            .into_iter()
            .find(|notice| notice.code() == code)
    }
}
