//! The reader's language, through the durable path: the `Accept-Language` of
//! `POST /account/recovery` picks the language of the reset mail and the `lang` of its link;
//! the `Accept-Language` of `POST /account/reset-password` picks that of the notice.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;
use crate::relay::{start_relay, wait_for_messages};

/// Asks for a reset link for alice, saying `accept_language`.
async fn request_recovery_in(app: &TestServer, accept_language: &str) {
    let request = app
        .client
        .post(app.url_for("/account/recovery"))
        .header("Accept-Language", accept_language)
        .json(&json!({ "email": ALICE }));
    assert_eq!(app.send(request).await.status(), StatusCode::OK);
}

/// Sets a new password with `token`, saying `accept_language` (or nothing).
async fn reset_password_in(app: &TestServer, token: &str, accept_language: Option<&str>) {
    let mut request = app
        .client
        .post(app.url_for("/account/reset-password"))
        .json(&json!({ "token": token, "new_password": NEW_PASSWORD }));
    if let Some(accept_language) = accept_language {
        request = request.header("Accept-Language", accept_language);
    }
    assert_eq!(app.send(request).await.status(), StatusCode::OK);
}

/// The reset mail for `accept_language`: subject, language, link and code, and the code
/// works (a weak password is refused for a live code only, and spends nothing).
async fn assert_reset_mail_in(
    accept_language: &str,
    tag: &str,
    subject: &str,
    sentence: &str,
) -> (TestServer, Mail) {
    let app = TestServer::start().await;
    request_recovery_in(&app, accept_language).await;
    let mail = app.outbox.wait_for_one(MailKind::Reset, ALICE).await;
    assert_eq!(mail.header("Subject").as_deref(), Some(subject), "{mail:?}");
    assert_eq!(mail.header("Content-Language").as_deref(), Some(tag));
    assert!(mail.body().contains(sentence), "{mail:?}");
    assert!(mail.body().contains(ALICE), "{mail:?}");
    let link = mail.reset_link();
    assert!(
        link.starts_with(&format!("{}/reset?token=", app.url)),
        "{link}"
    );
    assert!(link.ends_with(&format!("&lang={tag}")), "{link}");
    assert_eq!(mail.link_lang().as_deref(), Some(tag));
    let token = token_of(&link);
    assert_eq!(mail.token(), token);
    // The code grouped, alone between blank lines, after the page to enter it at, in the
    // same language; and it works.
    let code = mail.reset_code();
    let body = mail.body().replace("\r\n", "\n");
    let (before_code, _) = body
        .split_once(&format!("\n\n{code}\n\n"))
        .unwrap_or_else(|| panic!("the code {code} is not alone on its line: {mail:?}"));
    let page = format!("{}/reset?lang={tag} ", app.url);
    assert!(
        before_code.contains(&page),
        "no {page:?} before the code in {mail:?}"
    );
    let probe = app.reset_password_with_code(ALICE, &code, "short").await;
    assert_eq!(probe.status(), StatusCode::UNPROCESSABLE_ENTITY, "{mail:?}");
    (app, mail)
}

#[tokio::test]
async fn arabic_asked_arabic_mailed_and_the_link_opens_in_arabic() {
    let (app, mail) = assert_reset_mail_in(
        "ar-EG,ar;q=0.9",
        "ar",
        "إعادة تعيين كلمة المرور",
        "فافتح هذا الرابط لاختيار كلمة مرور جديدة",
    )
    .await;
    assert!(
        mail.body()
            .contains("تنتهي صلاحية الرابط والرمز بعد 30 دقيقة"),
        "{mail:?}"
    );
    // The link is exactly as sent in the raw message too (8bit, not base64).
    assert!(mail.raw.contains(&mail.reset_link()), "{mail:?}");
    reset_password_in(&app, &mail.token(), None).await;
    assert_eq!(
        app.login(ALICE, NEW_PASSWORD).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn japanese_asked_japanese_mailed() {
    let (app, mail) = assert_reset_mail_in(
        "ja-JP,ja;q=0.9,en;q=0.5",
        "ja",
        "パスワードの再設定",
        "次のリンクを開いて新しいパスワードを設定してください。",
    )
    .await;
    assert!(mail.body().contains("30分後に無効になります"), "{mail:?}");
    reset_password_in(&app, &mail.token(), None).await;
}

#[tokio::test]
async fn an_unknown_language_gets_english() {
    for accept_language in ["kl", "kl-GL, tlh;q=0.8", "*"] {
        let (_app, mail) = assert_reset_mail_in(
            accept_language,
            "en",
            "Reset your password",
            "If it was you, open this link to choose a new password:",
        )
        .await;
        assert!(
            mail.body()
                .contains("The link and the code expire in 30 minutes"),
            "{mail:?}"
        );
    }
}

#[tokio::test]
async fn without_accept_language_the_mail_is_english_and_says_so() {
    let app = TestServer::start().await;
    assert_eq!(app.request_recovery(ALICE).await.status(), StatusCode::OK);
    let mail = app.outbox.wait_for_one(MailKind::Reset, ALICE).await;
    assert_eq!(
        mail.header("Subject").as_deref(),
        Some("Reset your password")
    );
    assert_eq!(mail.link_lang().as_deref(), Some("en"));
    assert!(mail.reset_link().ends_with("&lang=en"), "{mail:?}");
}

#[tokio::test]
async fn the_notice_speaks_the_language_of_the_reset_request() {
    let app = TestServer::start().await;
    // Asked in Japanese; the password set from a page in German.
    request_recovery_in(&app, "ja").await;
    let mail = app.outbox.wait_for_one(MailKind::Reset, ALICE).await;
    reset_password_in(&app, &mail.token(), Some("de-AT,de;q=0.9")).await;
    let notice = app
        .outbox
        .wait_for_one(MailKind::PasswordChanged, ALICE)
        .await;
    assert_eq!(
        notice.header("Subject").as_deref(),
        Some("Ihr Passwort wurde geändert")
    );
    assert_eq!(notice.header("Content-Language").as_deref(), Some("de"));
    assert!(notice.body().contains("Wenn Sie das waren"), "{notice:?}");

    // Without a header (an API client): English.
    request_recovery_in(&app, "ja").await;
    let mail = app
        .outbox
        .wait_for(MailKind::Reset, ALICE, 2)
        .await
        .remove(1);
    reset_password_in(&app, &mail.token(), None).await;
    let notices = app
        .outbox
        .wait_for(MailKind::PasswordChanged, ALICE, 2)
        .await;
    assert_eq!(
        notices[1].header("Subject").as_deref(),
        Some("Your password was changed")
    );
}

#[tokio::test]
async fn the_fragment_link_names_the_language_in_its_query() {
    let app = TestServer::builder()
        .flag("--link-style", "fragment")
        .start()
        .await;
    request_recovery_in(&app, "zh-CN,zh;q=0.9").await;
    let mail = app.outbox.wait_for_one(MailKind::Reset, ALICE).await;
    assert_eq!(mail.header("Subject").as_deref(), Some("重置您的密码"));
    let link = mail.reset_link();
    let prefix = format!("{}/reset?lang=zh-Hans#token=", app.url);
    assert!(link.starts_with(&prefix), "{link}");
    reset_password_in(&app, &token_of(&link), None).await;
}

#[tokio::test]
async fn non_english_mail_goes_over_smtp_as_it_is() {
    let (port, messages) = start_relay();
    let app = TestServer::builder()
        .without_outbox()
        .flag("--smtp-url", format!("smtp://127.0.0.1:{port}"))
        .start()
        .await;
    request_recovery_in(&app, "pt-BR").await;
    let received = wait_for_messages(&messages, 1).await.remove(0);
    let mail = Mail::parse(&received.data);
    assert_eq!(
        mail.header("Subject").as_deref(),
        Some("Redefina sua senha")
    );
    assert!(
        mail.body()
            .contains("abra este link para escolher uma nova senha"),
        "{mail:?}"
    );
    assert_eq!(mail.link_lang().as_deref(), Some("pt-BR"));
    reset_password_in(&app, &mail.token(), Some("pt-BR")).await;
    let notice = Mail::parse(&wait_for_messages(&messages, 2).await.remove(1).data);
    assert_eq!(
        notice.header("Subject").as_deref(),
        Some("Sua senha foi alterada")
    );
}
