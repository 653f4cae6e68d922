//! The pages' HTTP, all of it: a call to the recovery API (with its timeout and the reader's
//! language), and the files a deployment puts beside the pages (`config.json`, a backend's
//! description, locale files). What an answer means is the backend's business, not this
//! module's.

use std::{
    cell::{Cell, RefCell},
    rc::Rc,
    time::Duration,
};

use gloo_net::http::{Request, Response};
use leptos::prelude::{window, TimeoutHandle};
use reclaim_contract::{
    backend::{self, Encoding, Method},
    json::Json,
};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, UrlSearchParams};

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

/// A call sent before the page that makes it was rendered (see [`send_ahead`]).
struct Ahead {
    request: backend::Request,
    language: String,
    started: Started,
}

thread_local! {
    static AHEAD: RefCell<Option<Ahead>> = const { RefCell::new(None) };
}

/// Sends `request` now, for a page not rendered yet that will send it: the next [`send`] of
/// the same request in the same language takes this one's answer (whether it has come or not)
/// rather than asking again. A person who sent a form before the app ran is waiting on it;
/// the page's own send then reads the answer as for any other.
pub fn send_ahead(request: backend::Request, language: String) {
    let started = start(&request, &language).ok();
    AHEAD.set(started.map(|started| Ahead {
        request,
        language,
        started,
    }));
}

/// Sends `request`, aborting after [`REQUEST_TIMEOUT`], unless the same request was sent ahead
/// (see [`send_ahead`]). `language` is the page's locale, sent as `Accept-Language` (a
/// CORS-safelisted header) so the API writes its mail in it.
pub async fn send(request: &backend::Request, language: &str) -> Result<Answer, Unanswered> {
    let ahead = AHEAD.with_borrow_mut(|ahead| {
        ahead.take_if(|ahead| ahead.request == *request && ahead.language == language)
    });
    let Started {
        fetching,
        timer,
        timed_out,
    } = match ahead {
        Some(ahead) => ahead.started,
        None => start(request, language)?,
    };
    let answer = match JsFuture::from(fetching).await {
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
        Err(_) if timed_out.get() => Err(Unanswered::Timeout),
        Err(_) => Err(Unanswered::Network),
    };
    browser::cancel(timer);
    answer
}

/// A request on its way: the browser's `fetch`, and the timer that aborts it after
/// [`REQUEST_TIMEOUT`].
struct Started {
    fetching: js_sys::Promise,
    timer: Option<TimeoutHandle>,
    /// Set when the timer fired.
    timed_out: Rc<Cell<bool>>,
}

/// Starts `request`: the browser's `fetch` is called before this returns.
fn start(request: &backend::Request, language: &str) -> Result<Started, Unanswered> {
    let controller = AbortController::new().map_err(|_| Unanswered::Network)?;
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
    .abort_signal(Some(&controller.signal()));
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
    let fetching = window().fetch_with_request(&built.into());
    let timed_out = Rc::new(Cell::new(false));
    let timer = {
        let timed_out = timed_out.clone();
        browser::after(REQUEST_TIMEOUT, move || {
            timed_out.set(true);
            controller.abort();
        })
    };
    Ok(Started {
        fetching,
        timer,
        timed_out,
    })
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
