//! What the address brings as the page starts: a portal link's token, or the
//! notice the account app leaves on its way back to sign-in. Both are taken out
//! of the address bar at once, so neither stays in history or a Referer.

/// What the address brought.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Arrival {
    pub token: Option<String>,
    pub notice: Option<String>,
}

/// Reads `token` from the fragment (`#token=…`, as our links are made) or the
/// query (`?token=…`), and `notice` from the query.
pub fn take_arrival() -> Arrival {
    take_from_address().unwrap_or_default()
}

fn take_from_address() -> Option<Arrival> {
    let window = web_sys::window()?;
    let location = window.location();
    let (hash, search) = (location.hash().ok()?, location.search().ok()?);
    let (from_hash, rest_hash) = split_param("token", hash.trim_start_matches('#'));
    let (from_search, rest_search) = split_param("token", search.trim_start_matches('?'));
    let (notice, rest_search) = split_param("notice", &rest_search);
    let token = from_hash.or(from_search);
    if token.is_none() && notice.is_none() {
        return Some(Arrival::default());
    }
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
    Some(Arrival { token, notice })
}

/// Splits `a=1&token=x&b=2` into the parameter's value and the other parameters.
pub fn split_param(name: &str, params: &str) -> (Option<String>, String) {
    let mut value = None;
    let mut rest = Vec::new();
    for pair in params.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some((key, found)) if key == name => {
                value = (!found.is_empty()).then(|| found.to_string()).or(value);
            }
            _ => rest.push(pair),
        }
    }
    (value, rest.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_taken_and_other_parameters_kept() {
        assert_eq!(
            split_param("token", "a=1&token=xyz&b=2"),
            (Some("xyz".to_string()), "a=1&b=2".to_string())
        );
        assert_eq!(split_param("token", "token="), (None, String::new()));
        assert_eq!(
            split_param("token", "utm=mail"),
            (None, "utm=mail".to_string())
        );
        assert_eq!(
            split_param("notice", "notice=signed_out"),
            (Some("signed_out".to_string()), String::new())
        );
    }
}
