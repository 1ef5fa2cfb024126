//! Wallet top-ups (P), and the dev checkout page that pays them. The checkout
//! is the reference server's stand-in for a hosted payment page: it exists only
//! in dev mode, says so on the page, and charges through the test processor.
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use portal_core::api::{ErrorEnvelope, TopupRequest, TopupResponse};
use portal_core::paths;
use serde::Deserialize;

use super::billing::idempotency_key;
use crate::error::AppError;
use crate::extract::{ApiJson, SignedIn};
use crate::state::AppState;
use crate::wallet::{self, Checkout, Paid, TypedCard};

fn require_checkout(state: &AppState) -> Result<(), AppError> {
    if state.config.dev_mode() {
        Ok(())
    } else {
        // Without a payment processor there is nothing to pay a top-up with:
        // the path is absent, as on a host that offers no top-ups.
        Err(AppError::NotFound(
            "Top-ups are not offered here: this server has no payment processor.".into(),
        ))
    }
}

/// Top up the wallet through a checkout. Project choice: Duro describes the top-up, not this path.
#[utoipa::path(
    post, path = paths::WALLET_TOPUP, tag = "Customer Portal",
    params(
        ("Idempotency-Key" = Option<String>, Header, description = "A repeat with the same key gets the same checkout"),
    ),
    security(("session" = [])),
    request_body = TopupRequest,
    responses(
        (status = 200, description = "Where to pay; the checkout returns the customer to the portal's wallet", body = TopupResponse),
        (status = 400, description = "Body not JSON, or a malformed Idempotency-Key", body = ErrorEnvelope),
        (status = 401, description = "No live session", body = ErrorEnvelope),
        (status = 404, description = "No wallet, or top-ups not offered (the reference server offers them in dev mode only)", body = ErrorEnvelope),
        (status = 409, description = "The wallet is frozen or closed", body = ErrorEnvelope),
        (status = 422, description = "Below the minimum (₦100) or too large; or the Idempotency-Key was used for another request", body = ErrorEnvelope),
    )
)]
pub async fn topup(
    State(state): State<AppState>,
    SignedIn { email }: SignedIn,
    headers: HeaderMap,
    ApiJson(body): ApiJson<TopupRequest>,
) -> Result<Json<TopupResponse>, AppError> {
    require_checkout(&state)?;
    let key = idempotency_key(&headers)?;
    let now = state.clock.now();
    let public_url = state.config.public_url.clone();
    let answer = state
        .store
        .write(move |conn| {
            wallet::topup(conn, &email, body.amount, key.as_deref(), now, &public_url)
        })
        .await?;
    Ok(Json(answer))
}

/// The checkout page's own policy: no script, its inline style, forms to itself.
const CHECKOUT_CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'";

fn page(status: StatusCode, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>Test checkout \u{2014} Duro Portal (dev)</title><style>\
body{{font:16px/1.5 system-ui,sans-serif;margin:0;padding:1rem;background:#f6f7f9;color:#1b1f24}}\
main{{max-width:26rem;margin:2rem auto;background:#fff;border:1px solid #d0d5dd;border-radius:12px;padding:1.5rem}}\
.dev{{background:#fff4d6;border:1px solid #b78103;border-radius:8px;padding:.5rem .75rem;font-size:.9rem}}\
label{{display:block;margin-top:1rem;font-weight:600}}input{{font:inherit;width:100%;box-sizing:border-box;padding:.6rem;border:1px solid #667085;border-radius:8px}}\
button,a.button{{display:inline-block;font:inherit;margin-top:1.25rem;padding:.65rem 1rem;border-radius:8px;border:1px solid #1d4ed8;background:#1d4ed8;color:#fff;text-decoration:none;cursor:pointer}}\
a.button.secondary{{background:#fff;color:#1d4ed8;margin-left:.5rem}}\
.error{{color:#b42318;font-weight:600}}\
@media (prefers-color-scheme:dark){{body{{background:#0f1419;color:#e6e8eb}}main{{background:#1a2027;border-color:#3a434d}}\
.dev{{background:#3a2e05;border-color:#d6a21e}}input{{background:#0f1419;color:#e6e8eb;border-color:#8a94a0}}\
.error{{color:#ff8a80}}a.button.secondary{{background:transparent;color:#9cc2ff;border-color:#9cc2ff}}button{{background:#3b6fe0;border-color:#3b6fe0}}}}\
</style></head><body><main>{body}</main></body></html>"
    );
    let mut response = (status, axum::response::Html(html)).into_response();
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CHECKOUT_CSP),
    );
    response
}

fn wallet_url(state: &AppState) -> String {
    format!("{}/wallet", state.config.public_url.trim_end_matches('/'))
}

fn checkout_form(
    id: &str,
    amount: &portal_core::Money,
    problem: Option<&str>,
    back: &str,
) -> String {
    let problem = problem
        .map(|p| format!("<p class=\"error\" role=\"alert\">{p}</p>"))
        .unwrap_or_default();
    format!(
        "<h1>Top up {amount}</h1>\
<p class=\"dev\">Test checkout of the reference server (dev mode). No money moves. \
Card numbers ending 4242 pay; 9995 declines for insufficient funds; 0002 is declined.</p>\
{problem}\
<form method=\"post\" action=\"/dev/checkout/{id}\">\
<label for=\"number\">Card number</label>\
<input id=\"number\" name=\"number\" inputmode=\"numeric\" autocomplete=\"cc-number\" value=\"4242 4242 4242 4242\" required>\
<label for=\"expiry\">Expiry (MM/YY)</label>\
<input id=\"expiry\" name=\"expiry\" autocomplete=\"cc-exp\" value=\"12/30\" required>\
<button type=\"submit\">Pay {amount}</button><a class=\"button secondary\" href=\"{back}\">Cancel</a>\
</form>"
    )
}

fn no_checkout(state: &AppState, status: StatusCode, message: &str) -> Response {
    let back = wallet_url(state);
    page(
        status,
        &format!("<h1>Test checkout</h1><p>{message}</p><a class=\"button\" href=\"{back}\">Back to your wallet</a>"),
    )
}

/// `GET /dev/checkout/{id}`: the test checkout page.
pub async fn checkout_page(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    require_checkout(&state)?;
    let now = state.clock.now();
    let found = {
        let id = id.clone();
        state
            .store
            .run(move |conn| wallet::checkout(conn, &id, now))
            .await?
    };
    Ok(match found {
        None => no_checkout(&state, StatusCode::NOT_FOUND, "There is no such checkout."),
        Some(Checkout::Expired) => no_checkout(
            &state,
            StatusCode::GONE,
            "This checkout has expired. Start the top-up again from the portal.",
        ),
        Some(Checkout::Paid(amount)) => no_checkout(
            &state,
            StatusCode::OK,
            &format!("{amount} has been added to your wallet."),
        ),
        Some(Checkout::Pending(amount)) => page(
            StatusCode::OK,
            &checkout_form(&id, &amount, None, &wallet_url(&state)),
        ),
    })
}

#[derive(Debug, Deserialize)]
pub struct CheckoutForm {
    #[serde(default)]
    number: String,
    #[serde(default)]
    expiry: String,
}

/// `POST /dev/checkout/{id}`: pays the checkout with the typed test card and
/// returns to the portal's wallet; a decline or a typo shows the form again.
pub async fn checkout_pay(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: Result<Form<CheckoutForm>, axum::extract::rejection::FormRejection>,
) -> Result<Response, AppError> {
    require_checkout(&state)?;
    let now = state.clock.now();
    let Some(Checkout::Pending(amount)) = ({
        let id = id.clone();
        state
            .store
            .run(move |conn| wallet::checkout(conn, &id, now))
            .await?
    }) else {
        // Paid (a form sent twice), expired or unknown: the page says which.
        return checkout_page(State(state), Path(id)).await;
    };
    let back = wallet_url(&state);
    let Ok(Form(form)) = form else {
        let body = checkout_form(
            &id,
            &amount,
            Some("Enter the card number and expiry."),
            &back,
        );
        return Ok(page(StatusCode::UNPROCESSABLE_ENTITY, &body));
    };
    let typed = match TypedCard::parse(&form.number, &form.expiry) {
        Ok(typed) => typed,
        Err(problem) => {
            let body = checkout_form(&id, &amount, Some(problem), &back);
            return Ok(page(StatusCode::UNPROCESSABLE_ENTITY, &body));
        }
    };
    let processor = state.processor.clone();
    let paid = {
        let id = id.clone();
        state
            .store
            .write(move |conn| wallet::pay_checkout(conn, processor.as_ref(), &id, &typed, now))
            .await
    };
    Ok(match paid {
        Ok(Paid::Credited) => Redirect::to(&back).into_response(),
        Ok(Paid::Declined(reason)) => page(
            StatusCode::PAYMENT_REQUIRED,
            &checkout_form(
                &id,
                &amount,
                Some(&format!("The card was declined. {reason}")),
                &back,
            ),
        ),
        Err(crate::billing::BillingError::Conflict(message)) => {
            no_checkout(&state, StatusCode::CONFLICT, &message)
        }
        Err(error) => return Err(error.into()),
    })
}
