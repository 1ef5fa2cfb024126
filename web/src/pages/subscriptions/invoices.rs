//! A subscription's invoices, newest first, behind a disclosure button: nothing is
//! asked of the server until it is opened, so a big account pays nothing for
//! it. A paid invoice opens its receipt, which prints alone (the print style
//! hides the rest of the page), so "Save as PDF" in the print dialog keeps it.
use std::sync::Arc;

use leptos::html;
use leptos::prelude::*;
use portal_core::api::{Invoice, InvoiceStatus, Mode};
use wasm_bindgen::JsCast;

use crate::api::ClientError;
use crate::format::local_date;
use crate::{messages, AppContext};

/// What the subscription's card knows that a receipt names.
#[derive(Clone)]
pub struct Billed {
    pub merchant: Arc<str>,
    pub plan: String,
    pub mode: Mode,
    pub id: String,
}

#[derive(Clone)]
enum Page {
    NotOffered,
    Problem(String),
    Items {
        invoices: Vec<Invoice>,
        next: Option<String>,
    },
}

/// A button that shows and hides the list (the disclosure pattern, not
/// `<details>`: a thousand cards parsed a third faster without its shadow tree
/// each). The list is made when first shown and kept when hidden.
#[component]
pub fn Invoices(
    billed: Billed,
    /// The subscription as buttons name it (`messages::subject`), as it changes.
    #[prop(into)]
    subject: Signal<String>,
) -> impl IntoView {
    let shown = RwSignal::new(false);
    let opened = RwSignal::new(false);
    view! {
        <div class="invoices">
            <button
                class="invoices-toggle"
                type="button"
                data-testid="invoices-toggle"
                aria-label=move || subject.with(|subject| messages::button_name(messages::INVOICES, subject))
                aria-expanded=move || if shown.get() { "true" } else { "false" }
                on:click=move |_| {
                    shown.update(|shown| *shown = !*shown);
                    opened.set(true);
                }
            >
                {messages::INVOICES}
            </button>
            {move || {
                opened
                    .get()
                    .then(|| {
                        view! {
                            <div hidden=move || !shown.get()>
                                <InvoiceList billed=billed.clone()/>
                            </div>
                        }
                    })
            }}
        </div>
    }
}

#[component]
fn InvoiceList(billed: Billed) -> impl IntoView {
    let context = expect_context::<AppContext>();
    let shown = RwSignal::new(Vec::<Invoice>::new());
    let receipt = RwSignal::new(None::<Invoice>);
    let load = Action::new_local({
        let (mode, id) = (billed.mode.clone(), billed.id.clone());
        move |cursor: &Option<String>| {
            let (context, mode, id, cursor) =
                (context.clone(), mode.clone(), id.clone(), cursor.clone());
            async move {
                let Some(session) = context.session().get_untracked() else {
                    context.session_ended();
                    return Page::NotOffered;
                };
                match context
                    .api
                    .invoices(&session.token, &mode, &id, cursor.as_deref())
                    .await
                {
                    Ok(page) => {
                        // A host that sends a row again (or the same cursor back)
                        // adds nothing: no row twice, no "older" that never ends.
                        let mut added = Vec::new();
                        shown.update(|all| {
                            for invoice in page.items {
                                if !all.iter().any(|seen| seen.id == invoice.id) {
                                    all.push(invoice.clone());
                                    added.push(invoice);
                                }
                            }
                        });
                        let next = page
                            .next_cursor
                            .filter(|next| !added.is_empty() && Some(next) != cursor.as_ref());
                        Page::Items {
                            invoices: added,
                            next,
                        }
                    }
                    Err(error) if error.is_unauthorized() => {
                        context.session_ended();
                        Page::NotOffered
                    }
                    Err(ClientError::Api { status: 404, .. }) => Page::NotOffered,
                    Err(error) => Page::Problem(messages::request_problem(&error)),
                }
            }
        }
    });
    load.dispatch(None);
    let loading = load.pending();
    let rows = move || {
        let billed = billed.clone();
        shown.with(|all| {
            all.iter()
                .map(|invoice| {
                    let paid = invoice.status == InvoiceStatus::Paid;
                    let this = invoice.clone();
                    // Its receipt opens under it.
                    let (id, printed, billed) = (invoice.id.clone(), invoice.clone(), billed.clone());
                    let open = move || receipt.with(|r| r.as_ref().is_some_and(|r| r.id == id));
                    let number = messages::invoice_number(invoice);
                    view! {
                        <li data-testid="invoice">
                            <div>
                                <strong>{number.clone()}</strong>
                                <div class="muted">{messages::invoice_line(invoice)}</div>
                            </div>
                            <span class="price">{invoice.amount_due().to_string()}</span>
                            <span>
                                <span class=format!("badge {}", messages::invoice_tone(&invoice.status))>
                                    {messages::invoice_status(&invoice.status)}
                                </span>
                                {paid.then(|| view! {
                                    " "
                                    <button
                                        type="button"
                                        class="link-button"
                                        data-testid="open-receipt"
                                        aria-label=format!("Receipt for {number}")
                                        on:click=move |_| receipt.set(Some(this.clone()))
                                    >
                                        "Receipt"
                                    </button>
                                })}
                            </span>
                            {move || open().then(|| view! {
                                <Receipt invoice=printed.clone() billed=billed.clone() close=receipt/>
                            })}
                        </li>
                    }
                })
                .collect_view()
        })
    };
    let more = move || match load.value().get() {
        None => view! { <p class="muted" role="status">"Loading invoices\u{2026}"</p> }.into_any(),
        Some(Page::NotOffered) => {
            view! { <p class="muted">{messages::INVOICES_NOT_OFFERED}</p> }.into_any()
        }
        Some(Page::Problem(problem)) => view! {
            <p class="field-error" role="alert">{problem}</p>
        }
        .into_any(),
        Some(Page::Items { invoices, .. }) if invoices.is_empty() && shown.with(Vec::is_empty) => {
            view! { <p class="muted">{messages::NO_INVOICES}</p> }.into_any()
        }
        Some(Page::Items {
            next: Some(cursor), ..
        }) => view! {
            <button
                type="button"
                class="button secondary small"
                data-testid="more-invoices"
                aria-busy=move || loading.get().then_some("true")
                on:click=move |_| {
                    if !loading.get_untracked() {
                        load.dispatch(Some(cursor.clone()));
                    }
                }
            >
                "Show older invoices"
            </button>
        }
        .into_any(),
        Some(Page::Items { .. }) => ().into_any(),
    };
    view! {
        <ul class="history" data-testid="invoices">{rows}</ul>
        {more}
    }
}

#[component]
fn Receipt(invoice: Invoice, billed: Billed, close: RwSignal<Option<Invoice>>) -> impl IntoView {
    let heading: NodeRef<html::H4> = NodeRef::new();
    let section: NodeRef<html::Section> = NodeRef::new();
    // Closed, the focus goes back to the button that opened it, not to the page.
    let close_receipt = move |_| {
        let opener = section
            .get_untracked()
            .and_then(|section| section.parent_element())
            .and_then(|row| {
                row.query_selector("[data-testid='open-receipt']")
                    .ok()
                    .flatten()
            })
            .and_then(|button| button.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(opener) = opener {
            let _ = opener.focus();
        }
        close.set(None);
    };
    // Opened, the receipt's heading takes the focus, so it is read out.
    Effect::new(move |_| {
        if let Some(heading) = heading.get() {
            let _ = heading.focus();
        }
    });
    let period = messages::invoice_period(&invoice);
    let rows = [
        ("Merchant", billed.merchant.to_string()),
        ("Plan", billed.plan.clone()),
        ("Invoice", messages::invoice_number(&invoice)),
        ("Period", period),
        ("Amount paid", invoice.amount_paid().to_string()),
        (
            "Paid with",
            invoice
                .card
                .as_ref()
                .map_or_else(|| "\u{2014}".to_string(), |card| card.label()),
        ),
        (
            "Paid on",
            invoice
                .paid_at
                .as_deref()
                .and_then(local_date)
                .unwrap_or_else(|| "\u{2014}".to_string()),
        ),
    ]
    .into_iter()
    .map(|(term, value)| view! { <dt>{term}</dt><dd>{value}</dd> })
    .collect_view();
    view! {
        <section class="receipt" aria-labelledby="receipt-title" data-testid="receipt" node_ref=section>
            <h4 id="receipt-title" class="pay-title" tabindex="-1" node_ref=heading>"Receipt"</h4>
            <dl>{rows}</dl>
            <div class="actions">
                <button
                    type="button"
                    class="button primary small"
                    data-testid="print-receipt"
                    on:click=move |_| {
                        let _ = window().print();
                    }
                >
                    "Print or save as PDF"
                </button>
                <button
                    type="button"
                    class="button secondary small"
                    data-testid="close-receipt"
                    on:click=close_receipt
                >
                    "Close"
                </button>
            </div>
        </section>
    }
}
