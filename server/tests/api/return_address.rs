//! A recovery request's `continue`: carried through the mail (`&continue=` in the link, either
//! link style) when its origin is a `--continue-origin`, dropped without a word otherwise.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

const APP: &str = "https://app.example.com";
const BACK: &str = "https://app.example.com/home?tab=2&from=reset";
const BACK_ENCODED: &str = "continue=https%3A%2F%2Fapp.example.com%2Fhome%3Ftab%3D2%26from%3Dreset";

async fn server(flags: &[&str]) -> TestServer {
    TestServer::builder().flags(flags).start().await
}

/// Asks for alice's link with `continue` (form encoded), and gives the answer and her mail.
async fn request_with(app: &TestServer, continue_to: &str, count: usize) -> (Value, Mail) {
    let body = format!(
        "email={}&continue={}",
        form_encode(ALICE),
        form_encode(continue_to)
    );
    let (status, _, answer) = json_of(app.post_form("/account/recovery", &body).await).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let mut mails = app.outbox.wait_for(MailKind::Reset, ALICE, count).await;
    (answer, mails.remove(count - 1))
}

#[tokio::test]
async fn an_allowed_return_address_rides_in_the_link() {
    let app = server(&["--continue-origin", APP]).await;
    let (_, mail) = request_with(&app, BACK, 1).await;
    let link = mail.reset_link();
    assert!(
        link.starts_with(&format!("{}/reset?token=", app.url))
            && link.ends_with(&format!("&lang=en&{BACK_ENCODED}")),
        "{link}"
    );
    assert_eq!(mail.link_continue().as_deref(), Some(BACK));
    // The page for the code stays as it was: only the link carries it.
    let page = format!("{}/reset?lang=en", app.url);
    assert!(
        mail.body().contains(&format!("go to {page} and")),
        "{}",
        mail.body()
    );
    // The link still works, and the return address changes nothing of the reset.
    let (status, _, body) = json_of(app.reset_password(&mail.token(), NEW_PASSWORD).await).await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, json!({"sessions_ended": true}))
    );
}

#[tokio::test]
async fn in_json_on_this_machine_and_in_the_fragment_style_too() {
    let app = server(&[
        "--continue-origin",
        APP,
        "--continue-origin",
        "http://127.0.0.1:3000",
        "--link-style",
        "fragment",
    ])
    .await;
    let back = "http://127.0.0.1:3000/welcome";
    let response = app
        .post_json(
            "/account/recovery",
            json!({ "email": ALICE, "continue": back }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let mail = app.outbox.wait_for_one(MailKind::Reset, ALICE).await;
    let link = mail.reset_link();
    let expected = format!(
        "{}/reset?lang=en&continue=http%3A%2F%2F127.0.0.1%3A3000%2Fwelcome#token=",
        app.url
    );
    assert!(link.starts_with(&expected), "{link}");
    assert_eq!(mail.link_continue().as_deref(), Some(back));
}

#[tokio::test]
async fn a_return_address_from_elsewhere_is_dropped_without_a_word() {
    // Seven requests for one address from one client: no limit in the way.
    let app = server(&[
        "--continue-origin",
        APP,
        "--recovery-per-email-limit",
        "0",
        "--recovery-per-email-daily-limit",
        "0",
    ])
    .await;
    let (allowed, _) = request_with(&app, BACK, 1).await;
    for (count, elsewhere) in [
        "https://evil.example/home",
        "https://app.example.com.evil.example/",
        "http://app.example.com/home",
        "javascript:alert(1)",
        "/home",
        "",
    ]
    .into_iter()
    .enumerate()
    {
        let (answer, mail) = request_with(&app, elsewhere, count + 2).await;
        assert_eq!(answer, allowed, "{elsewhere:?}: the answer tells");
        assert_eq!(mail.link_continue(), None, "{elsewhere:?}");
        assert!(
            !mail.body().contains("continue="),
            "{elsewhere:?}: {}",
            mail.body()
        );
    }
}

#[tokio::test]
async fn without_continue_origins_no_link_carries_one() {
    let app = server(&[]).await;
    let (_, mail) = request_with(&app, BACK, 1).await;
    assert_eq!(mail.link_continue(), None);
    assert!(
        mail.reset_link().ends_with("&lang=en"),
        "{}",
        mail.reset_link()
    );
}
