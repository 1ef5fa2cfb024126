//! `config.json`, read at start, so one build can talk to any API host.
use portal_core::config::ApiBase;
use portal_core::embed::Ancestors;
use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeConfig {
    /// Where the portal API lives; empty means the page's own origin.
    pub api_base: String,
    /// The pages that may show the portal in a frame; none when empty.
    pub embed_origins: Ancestors,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConfigFile {
    #[serde(default)]
    api_base: String,
    #[serde(default)]
    embed_origins: Vec<String>,
}

/// Parses and checks the file; the error says what to fix.
pub fn parse(body: impl AsRef<[u8]>) -> Result<RuntimeConfig, String> {
    let config: ConfigFile = serde_json::from_slice(body.as_ref())
        .map_err(|e| format!("config.json is not valid: {e}"))?;
    let api_base = ApiBase::parse(&config.api_base).map_err(|e| format!("config.json: {e}"))?;
    let embed_origins = Ancestors::from_list(config.embed_origins.iter().map(String::as_str))
        .map_err(|e| format!("config.json: embedOrigins: {e}"))?;
    Ok(RuntimeConfig {
        api_base: api_base.as_str().to_string(),
        embed_origins,
    })
}

pub async fn load() -> Result<RuntimeConfig, String> {
    let response = crate::api::send("GET", "/config.json", &[], None, false)
        .await
        .map_err(|_| "config.json could not be loaded: the network request failed.".to_string())?;
    if !(200..300).contains(&response.status) {
        return Err(format!(
            "config.json could not be loaded (HTTP {}).",
            response.status
        ));
    }
    parse(&response.body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_same_origin_and_http_urls() {
        assert_eq!(parse("{}").unwrap().api_base, "");
        assert_eq!(parse(r#"{"apiBase":""}"#).unwrap().api_base, "");
        assert_eq!(
            parse(r#"{"apiBase":"https://sandbox.useduro.com/"}"#)
                .unwrap()
                .api_base,
            "https://sandbox.useduro.com"
        );
    }

    #[test]
    fn refuses_what_is_not_a_base_url() {
        assert!(parse("not json").is_err());
        assert!(parse(r#"{"apiBase":42}"#).is_err());
        assert!(parse(r#"{"apiBase":"javascript:alert(1)"}"#).is_err());
        assert!(parse(r#"{"apiBase":"sandbox.useduro.com"}"#).is_err());
    }

    #[test]
    fn embed_origins_are_origins_and_none_means_never_framed() {
        assert!(parse("{}").unwrap().embed_origins.is_empty());
        let config = parse(r#"{"embedOrigins":["https://shop.example.com","'self'"]}"#).unwrap();
        assert!(config.embed_origins.allow("https://shop.example.com", None));
        assert!(parse(r#"{"embedOrigins":"https://shop.example.com"}"#).is_err());
        for bad in [
            r#"{"embedOrigins":["*"]}"#,
            r#"{"embedOrigins":["https://shop.example.com/account"]}"#,
        ] {
            let problem = parse(bad).unwrap_err();
            assert!(problem.contains("embedOrigins"), "{bad}: {problem}");
        }
    }
}
