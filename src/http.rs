//! The pages' HTTP, all of it: a call to the recovery API (with its timeout and the reader's
//! language), and the files a deployment puts beside the pages (`config.json`, a backend's
//! description, locale files). What an answer means is the backend's business, not this
//! module's.

use std::time::Duration;

use gloo_net::http::{Request, Response};
use leptos::prelude::window;
use reclaim_contract::{
    backend::{self, Encoding, Method},
    json::Json,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, UrlSearchParams};

use crate::browser;

/// A request still unanswered after this long is aborted and reported: a person should never
/// watch a spinner forever on a dead connection.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// Why a call got no answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unanswered {
    /// Offline, DNS, CORS, connection reset.
    Network,
    /// No answer within [`REQUEST_TIMEOUT`].
    Timeout,
}

/// An API's answer, whatever its status.
pub struct Answer {
    pub status: u16,
    /// `Retry-After`, as the server sent it.
    pub retry_after: Option<String>,
    /// The body as JSON; `Null` when it is not JSON (a proxy's HTML page, an empty 500).
    pub body: Json,
}

/// Sends `request`, aborted after [`REQUEST_TIMEOUT`], unless the page's inline script sent
/// it already: a person who sent the form before the app ran is waiting on that request, and
/// the app takes its answer (whether it has come or not) rather than asking again. `language`
/// is the page's locale, sent as `Accept-Language` (a CORS-safelisted header) so the API writes
/// its mail in it.
pub async fn send(request: &backend::Request, language: &str) -> Result<Answer, Unanswered> {
    let fetching = match browser::sent_ahead(&sent_as(request)) {
        Some(answer) => answer,
        None => start(request, language)?,
    };
    match JsFuture::from(fetching).await {
        Ok(response) => {
            let response = Response::from(response.unchecked_into::<web_sys::Response>());
            let status = response.status();
            let retry_after = response.headers().get("Retry-After");
            // A body that fails to arrive, or is not JSON, just says nothing.
            let text = response.text().await.unwrap_or_default();
            Ok(Answer {
                status,
                retry_after,
                body: browser::parse_json(&text).unwrap_or(Json::Null),
            })
        }
        // What `AbortSignal.timeout` rejects the fetch with.
        Err(error) if browser::error_name(&error).as_deref() == Some("TimeoutError") => {
            Err(Unanswered::Timeout)
        }
        Err(_) => Err(Unanswered::Network),
    }
}

/// `request` as the page's inline script names a request it sent ahead (`reclaimAhead.call`):
/// `["POST", url, query, encoding, fields, headers]` in JSON, each list of `[name, value]`
/// pairs in the description's order. The app takes that request's answer only for the very
/// request it would send.
pub fn sent_as(request: &backend::Request) -> String {
    let pairs = |pairs: &[(String, String)]| -> js_sys::Array {
        pairs
            .iter()
            .map(|(name, value)| js_sys::Array::of2(&name.into(), &value.into()))
            .collect()
    };
    let method = match request.method {
        Method::Post => "POST",
        Method::Get => "GET",
    };
    let encoding = match request.encoding {
        Encoding::Form => "form",
        Encoding::Json => "json",
    };
    let parts: js_sys::Array = [
        JsValue::from_str(method),
        JsValue::from_str(&request.url),
        pairs(&request.query).into(),
        JsValue::from_str(encoding),
        pairs(&request.fields).into(),
        pairs(&request.headers).into(),
    ]
    .into_iter()
    .collect();
    js_sys::JSON::stringify(&parts)
        .map(String::from)
        .unwrap_or_default()
}

/// Starts `request`, to be aborted after [`REQUEST_TIMEOUT`]: the browser's `fetch` is called
/// before this returns.
fn start(request: &backend::Request, language: &str) -> Result<js_sys::Promise, Unanswered> {
    let timeout = AbortSignal::timeout_with_u32(REQUEST_TIMEOUT.as_millis() as u32);
    let mut builder = match request.method {
        Method::Post => Request::post(&request.url),
        Method::Get => Request::get(&request.url),
    }
    .query(
        request
            .query
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str())),
    )
    .header("Accept-Language", language)
    .abort_signal(Some(&timeout));
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    let built = match (request.method, request.encoding) {
        (Method::Get, _) => builder.build(),
        // The browser sets `application/x-www-form-urlencoded;charset=UTF-8` and encodes the
        // UTF-8 bytes exactly as typed.
        (Method::Post, Encoding::Form) => {
            let params = UrlSearchParams::new().map_err(|_| Unanswered::Network)?;
            for (name, value) in &request.fields {
                params.append(name, value);
            }
            builder.body(params)
        }
        (Method::Post, Encoding::Json) => builder
            .header("Content-Type", "application/json")
            .body(browser::json_object(&request.fields)),
    }
    .map_err(|_| Unanswered::Network)?;
    Ok(window().fetch_with_request(&built.into()))
}

/// Why a deployment's file could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileError {
    /// No answer at all.
    Unreachable,
    /// An answer other than the file or its absence.
    Status(u16),
}

/// One of the files a deployer puts beside the pages: its text, or `None` when there is none
/// (404, or a host that answers every path with its `index.html`).
pub async fn deploy_file(path: &str) -> Result<Option<String>, FileError> {
    // The page's inline script may have started this fetch already, long before the app ran.
    let response = match browser::started_fetch(path) {
        Some(started) => JsFuture::from(started)
            .await
            .map(|response| Response::from(response.unchecked_into::<web_sys::Response>()))
            .map_err(|_| FileError::Unreachable)?,
        None => Request::get(path)
            .send()
            .await
            .map_err(|_| FileError::Unreachable)?,
    };
    let is_html = response
        .headers()
        .get("Content-Type")
        .is_some_and(|t| t.to_ascii_lowercase().starts_with("text/html"));
    match response.status() {
        404 => Ok(None),
        200 if is_html => Ok(None),
        200 => response
            .text()
            .await
            .map(Some)
            .map_err(|_| FileError::Unreachable),
        status => Err(FileError::Status(status)),
    }
}
