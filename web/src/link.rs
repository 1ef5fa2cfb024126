//! A portal link's token, taken from the address bar as the page starts.

/// Reads `token` from the fragment (`#token=…`, as our links are made) or the
/// query (`?token=…`), and removes it from the address bar at once, so it never
/// stays in history or leaks through a Referer.
pub fn take_link_token() -> Option<String> {
    let window = web_sys::window()?;
    let location = window.location();
    let (hash, search) = (location.hash().ok()?, location.search().ok()?);
    let (from_hash, rest_hash) = split_token(hash.trim_start_matches('#'));
    let (from_search, rest_search) = split_token(search.trim_start_matches('?'));
    let token = from_hash.or(from_search)?;
    let mut clean = location.pathname().ok()?;
    if !rest_search.is_empty() {
        clean.push('?');
        clean.push_str(&rest_search);
    }
    if !rest_hash.is_empty() {
        clean.push('#');
        clean.push_str(&rest_hash);
    }
    let _ = window.history().ok()?.replace_state_with_url(
        &wasm_bindgen::JsValue::NULL,
        "",
        Some(&clean),
    );
    Some(token)
}

/// Splits `a=1&token=x&b=2` into the token and the other parameters.
pub fn split_token(params: &str) -> (Option<String>, String) {
    let mut token = None;
    let mut rest = Vec::new();
    for pair in params.split('&').filter(|p| !p.is_empty()) {
        match pair.strip_prefix("token=") {
            Some(value) if !value.is_empty() => token = Some(value.to_string()),
            Some(_) => {}
            None => rest.push(pair),
        }
    }
    (token, rest.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_taken_and_other_parameters_kept() {
        assert_eq!(
            split_token("a=1&token=xyz&b=2"),
            (Some("xyz".to_string()), "a=1&b=2".to_string())
        );
        assert_eq!(split_token("token="), (None, String::new()));
        assert_eq!(split_token("utm=mail"), (None, "utm=mail".to_string()));
    }
}
