//! Markup both apps share. The top bar (skip link and brand) is in index.html
//! itself: painted with the skeleton, it stays while each app comes and goes.
//! Plain markup, not components: every byte of the sign-in app is downloaded
//! by every visitor.

/// In a frame whose parent did not show it may embed the portal: no data, no
/// form; only a way to the portal on its own site.
pub const NOT_EMBEDDABLE: &str = "<main id=\"main\" class=\"page\"><section class=\"card stack\" role=\"alert\" data-testid=\"not-embeddable\">\
<h1 class=\"title\">Your subscriptions can\u{2019}t be shown on this page</h1>\
<p>This site isn\u{2019}t set up to show the portal inside it.</p>\
<a class=\"button primary\" href=\"/\" target=\"_blank\" rel=\"noopener noreferrer\">Open the portal in a new tab</a>\
</section></main>";

/// A path the portal does not have.
pub const NOT_FOUND: &str = "<section class=\"card stack\">\
<h1 class=\"title\">This page does not exist</h1>\
<p>The address may be mistyped or out of date.</p>\
<a class=\"button primary\" href=\"/\">Go to sign-in</a>\
</section>";

/// Inside `<div class="merchants" aria-busy="true" data-testid="loading">`: the
/// list's shape while it loads, and what a screen reader hears meanwhile.
pub fn skeleton_inner() -> String {
    let merchant = "<section class=\"merchant\" aria-hidden=\"true\"><div class=\"skeleton-line short\"></div><div class=\"skeleton-card\"></div></section>";
    format!(
        "<p class=\"visually-hidden\" role=\"status\">{}</p>{merchant}{merchant}",
        crate::messages::LOADING
    )
}
