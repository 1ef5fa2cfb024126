//! The one client for the portal API. It speaks portal-core's models and turns
//! every answer that is not a success into a typed [`ClientError`].
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use portal_core::api::{
    ApiError, CancelRequest, CardsResponse, ErrorCode, InvoicesResponse, Mode, PortalAccount,
    PortalAction, PortalSubscriptionAction, RetryRequest, RetryResponse, SignoutResponse,
    StartRequest, StartResponse, SubscriptionsResponse, TopupRequest, TopupResponse, VerifyRequest,
    WalletResponse, SESSION_HEADER,
};
use portal_core::paths;
use serde::de::DeserializeOwned;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Delete,
}

/// What the app asks of the network; the transport adds the base URL.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpRequest {
    pub method: Method,
    pub path: String,
    pub body: Option<String>,
    pub session: Option<String>,
    /// Finish it even if the page goes away meanwhile (signing out leaves the page).
    pub keepalive: bool,
    /// Sent as `Idempotency-Key`: a repeat of a payment charges nothing.
    pub idempotency_key: Option<String>,
}

/// Verify's answer as the sign-in app reads it: the session and the account,
/// and the list as JSON text, unread, for the account app to read.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInAnswer {
    pub session_token: String,
    pub account: PortalAccount,
    #[serde(default)]
    pub subscriptions: Option<Box<serde_json::value::RawValue>>,
}

/// One merchant of a made-up verify answer (`SignInAnswer::rehearse`): keys,
/// strings, numbers, a null and a nested plan to read past, as in a real list.
const MADE_UP_GROUP: &str = r#"{"tenantId":"ten_1","merchantName":"M","subscriptions":[{"id":"sub_1","status":"active","currentPeriodEnd":"2026-12-01T00:00:00Z","cancelAtPeriodEnd":false,"plan":{"id":"plan_1","name":"P","amount":150000,"currency":"NGN","interval":"month","intervalCount":1},"mode":null}]}"#;

impl SignInAnswer {
    /// Reads a made-up verify answer whose list has `groups` merchants,
    /// `times` times over, and drops it; says whether every read succeeded.
    ///
    /// The sign-in app reads the list only to find where it ends (it hands
    /// it on unread), but that scan grows with the list, and V8 runs a wasm
    /// function first as its baseline compiler made it, optimizing it only
    /// once it has run a while: for 1,000 subscriptions, 1.5–5.6 ms of the
    /// answer's handling, against 0.4–0.8 ms once rehearsed. Run while the
    /// code is typed, this leaves the scan optimized for the real answer. The
    /// answer is built here, not downloaded (a few hundred bytes of code and
    /// text for every visitor).
    pub fn rehearse(groups: usize, times: usize) -> bool {
        let mut answer = String::with_capacity(groups * (MADE_UP_GROUP.len() + 1) + 128);
        answer.push_str(r#"{"sessionToken":"made-up","account":{"email":"made-up@example.com","name":null},"subscriptions":["#);
        for group in 0..groups {
            if group > 0 {
                answer.push(',');
            }
            answer.push_str(MADE_UP_GROUP);
        }
        answer.push_str("]}");
        (0..times).all(|_| {
            serde_json::from_slice::<SignInAnswer>(std::hint::black_box(answer.as_bytes()))
                .is_ok_and(|read| read.subscriptions.is_some())
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct HttpResponse {
    pub status: u16,
    pub retry_after: Option<u64>,
    /// As it came: bytes, read by serde_json where they are, never made a
    /// JavaScript string first (a big account's list crossed the wasm boundary
    /// as text twice, each a character at a time).
    pub body: Vec<u8>,
}

/// The request never got an answer (offline, DNS, CORS refusal, server gone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetworkError;

pub type Transport = Arc<
    dyn Fn(HttpRequest) -> Pin<Box<dyn Future<Output = Result<HttpResponse, NetworkError>>>>
        + Send
        + Sync,
>;

#[derive(Debug, Clone, PartialEq)]
pub enum ClientError {
    /// The server answered with its error envelope.
    Api {
        status: u16,
        error: ApiError,
        retry_after: Option<u64>,
    },
    /// No answer: the person's network, or the server is unreachable.
    Network,
    /// An answer that is not what the contract describes.
    Unexpected { status: u16 },
}

impl ClientError {
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, ClientError::Api { status: 401, .. })
            || matches!(self, ClientError::Api { error, .. } if error.code == ErrorCode::Unauthorized)
    }

    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            ClientError::Api { error, .. } => Some(error),
            _ => None,
        }
    }
}

#[derive(Clone)]
pub struct ApiClient {
    transport: Transport,
}

impl ApiClient {
    /// The real network, against `base` ("" for the page's own origin).
    pub fn http(base: &str) -> ApiClient {
        let base = base.trim_end_matches('/').to_string();
        ApiClient {
            transport: Arc::new(move |request| Box::pin(fetch(base.clone(), request))),
        }
    }

    /// Any transport; unit tests use this to stand in for the network.
    pub fn with_transport(transport: Transport) -> ApiClient {
        ApiClient { transport }
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&impl Serialize>,
        session: Option<&str>,
        keepalive: bool,
    ) -> Result<T, ClientError> {
        self.send_call(method, path, body, session, keepalive, None)
            .await
    }

    async fn send_call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&impl Serialize>,
        session: Option<&str>,
        keepalive: bool,
        idempotency_key: Option<&str>,
    ) -> Result<T, ClientError> {
        let body = match body.map(serde_json::to_string).transpose() {
            Ok(body) => body,
            // Our own request models always serialize; were one ever not to, the
            // request is not sent rather than sent wrong.
            Err(_) => return Err(ClientError::Unexpected { status: 0 }),
        };
        let request = HttpRequest {
            method,
            path: path.to_string(),
            body,
            session: session.map(str::to_string),
            keepalive,
            idempotency_key: idempotency_key.map(str::to_string),
        };
        let response = (self.transport)(request)
            .await
            .map_err(|NetworkError| ClientError::Network)?;
        read_answer(response)
    }

    pub async fn start(&self, request: &StartRequest) -> Result<StartResponse, ClientError> {
        self.call(Method::Post, paths::START, Some(request), None, false)
            .await
    }

    pub async fn verify(&self, request: &VerifyRequest) -> Result<SignInAnswer, ClientError> {
        self.call(Method::Post, paths::VERIFY, Some(request), None, false)
            .await
    }

    pub async fn signout(&self, session: &str) -> Result<SignoutResponse, ClientError> {
        self.call(
            Method::Post,
            paths::SIGNOUT,
            None::<&()>,
            Some(session),
            true,
        )
        .await
    }

    pub async fn subscriptions(&self, session: &str) -> Result<SubscriptionsResponse, ClientError> {
        self.call(
            Method::Get,
            paths::SUBSCRIPTIONS,
            None::<&()>,
            Some(session),
            false,
        )
        .await
    }

    pub async fn act(
        &self,
        session: &str,
        mode: &Mode,
        id: &str,
        action: &PortalAction,
    ) -> Result<PortalSubscriptionAction, ClientError> {
        let path = paths::subscription_action(mode, id, action);
        let body = (*action == PortalAction::Cancel).then_some(CancelRequest {
            at_period_end: Some(true),
        });
        self.call(Method::Post, &path, body.as_ref(), Some(session), false)
            .await
    }
}

impl ApiClient {
    /// One page of a subscription's invoices (a `404` from a host that has no
    /// invoices is the caller's "not offered").
    pub async fn invoices(
        &self,
        session: &str,
        mode: &Mode,
        id: &str,
        cursor: Option<&str>,
    ) -> Result<InvoicesResponse, ClientError> {
        let path = paths::invoices(mode, id, cursor);
        self.call(Method::Get, &path, None::<&()>, Some(session), false)
            .await
    }

    /// Pays the open invoice now; `key` makes a repeat charge nothing.
    pub async fn retry(
        &self,
        session: &str,
        mode: &Mode,
        id: &str,
        card_id: Option<&str>,
        key: &str,
    ) -> Result<RetryResponse, ClientError> {
        let body = RetryRequest {
            card_id: card_id.map(str::to_string),
        };
        let path = paths::retry(mode, id);
        self.send_call(
            Method::Post,
            &path,
            Some(&body),
            Some(session),
            false,
            Some(key),
        )
        .await
    }

    pub async fn cards(&self, session: &str) -> Result<CardsResponse, ClientError> {
        self.call(Method::Get, paths::CARDS, None::<&()>, Some(session), false)
            .await
    }

    pub async fn set_default_card(
        &self,
        session: &str,
        id: &str,
    ) -> Result<CardsResponse, ClientError> {
        let path = paths::card_default(id);
        self.call(Method::Post, &path, None::<&()>, Some(session), false)
            .await
    }

    pub async fn remove_card(&self, session: &str, id: &str) -> Result<CardsResponse, ClientError> {
        let path = paths::card(id);
        self.call(Method::Delete, &path, None::<&()>, Some(session), false)
            .await
    }

    pub async fn wallet(&self, session: &str) -> Result<WalletResponse, ClientError> {
        self.call(
            Method::Get,
            paths::WALLET,
            None::<&()>,
            Some(session),
            false,
        )
        .await
    }

    /// Where to pay a top-up of `amount` minor units; `key` makes a repeat open
    /// the same checkout.
    pub async fn topup(
        &self,
        session: &str,
        amount: i64,
        key: &str,
    ) -> Result<TopupResponse, ClientError> {
        self.send_call(
            Method::Post,
            paths::WALLET_TOPUP,
            Some(&TopupRequest { amount }),
            Some(session),
            false,
            Some(key),
        )
        .await
    }
}

/// A success parses as `T`; anything else becomes a typed error.
pub fn read_answer<T: DeserializeOwned>(response: HttpResponse) -> Result<T, ClientError> {
    let status = response.status;
    if (200..300).contains(&status) {
        return serde_json::from_slice(&response.body)
            .map_err(|_| ClientError::Unexpected { status });
    }
    match serde_json::from_slice::<portal_core::api::ErrorEnvelope>(&response.body) {
        Ok(envelope) => Err(ClientError::Api {
            status,
            error: envelope.error,
            retry_after: response.retry_after,
        }),
        // A proxy's HTML page, an empty 502: still a server problem, typed by status.
        Err(_) => Err(ClientError::Unexpected { status }),
    }
}

async fn fetch(base: String, request: HttpRequest) -> Result<HttpResponse, NetworkError> {
    let url = format!("{base}{}", request.path);
    let method = match request.method {
        Method::Get => "GET",
        Method::Post => "POST",
        Method::Delete => "DELETE",
    };
    let mut headers = Vec::new();
    if let Some(session) = &request.session {
        headers.push((SESSION_HEADER, session.as_str()));
    }
    if let Some(key) = &request.idempotency_key {
        headers.push((paths::IDEMPOTENCY_HEADER, key.as_str()));
    }
    if request.body.is_some() {
        headers.push(("content-type", "application/json"));
    }
    send(
        method,
        &url,
        &headers,
        request.body.as_deref(),
        request.keepalive,
    )
    .await
}

/// One request through the browser's `fetch`; no answer at all is a `NetworkError`.
pub(crate) async fn send(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
    keepalive: bool,
) -> Result<HttpResponse, NetworkError> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;

    let init = web_sys::RequestInit::new();
    init.set_method(method);
    if keepalive {
        // RequestInit is a plain dictionary; web-sys has no setter for this member.
        let _ = js_sys::Reflect::set(&init, &"keepalive".into(), &true.into());
    }
    let sent_headers = web_sys::Headers::new().map_err(|_| NetworkError)?;
    for (name, value) in headers {
        sent_headers.set(name, value).map_err(|_| NetworkError)?;
    }
    init.set_headers(&sent_headers);
    if let Some(body) = body {
        init.set_body(&wasm_bindgen::JsValue::from_str(body));
    }
    let window = web_sys::window().ok_or(NetworkError)?;
    // `fetch(url, init)`, not `fetch(new Request(url, init))`: Firefox drops a
    // keepalive request made through a Request object when the page leaves,
    // and sign-out's revoking request is sent just as the page leaves.
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .and_then(|r| r.dyn_into())
        .map_err(|_| NetworkError)?;
    let retry_after = response
        .headers()
        .get("retry-after")
        .ok()
        .flatten()
        .and_then(|v| v.trim().parse().ok());
    let bytes = response.array_buffer().map_err(|_| NetworkError)?;
    // A body cut off on the way is no answer.
    let body = JsFuture::from(bytes).await.map_err(|_| NetworkError)?;
    Ok(HttpResponse {
        status: response.status(),
        retry_after,
        body: js_sys::Uint8Array::new(&body).to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rehearsed_answer_is_read_whole_and_its_list_is_a_list_the_contract_allows() {
        assert!(SignInAnswer::rehearse(3, 2));
        // Read as the account app reads the real list, not only as JSON.
        let list: Vec<portal_core::api::PortalMerchantGroup> =
            serde_json::from_str(&format!("[{MADE_UP_GROUP},{MADE_UP_GROUP}]")).unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[1].subscriptions.len(), 1);
        assert!(list[1].subscriptions[0].plan.is_some());
    }

    #[test]
    fn an_error_envelope_becomes_a_typed_error_with_its_wait() {
        let answer = HttpResponse {
            status: 429,
            retry_after: Some(120),
            body: r#"{"error":{"code":"rate_limited","message":"Slow down"}}"#.into(),
        };
        let error = read_answer::<StartResponse>(answer).unwrap_err();
        match error {
            ClientError::Api {
                status,
                error,
                retry_after,
            } => {
                assert_eq!((status, retry_after), (429, Some(120)));
                assert_eq!(error.code, ErrorCode::RateLimited);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_page_instead_of_json_is_unexpected_not_a_crash() {
        let answer = HttpResponse {
            status: 502,
            retry_after: None,
            body: "<html>Bad gateway</html>".into(),
        };
        assert_eq!(
            read_answer::<StartResponse>(answer),
            Err(ClientError::Unexpected { status: 502 })
        );
        let garbled = HttpResponse {
            status: 200,
            retry_after: None,
            body: "{\"mail\":1}".into(),
        };
        assert_eq!(
            read_answer::<StartResponse>(garbled),
            Err(ClientError::Unexpected { status: 200 })
        );
    }

    #[test]
    fn unauthorized_is_recognised() {
        let answer = HttpResponse {
            status: 401,
            retry_after: None,
            body: r#"{"error":{"code":"unauthorized","message":"Sign in"}}"#.into(),
        };
        assert!(read_answer::<StartResponse>(answer)
            .unwrap_err()
            .is_unauthorized());
    }
}
