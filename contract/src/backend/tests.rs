//! The engine's pure half against the shipped descriptions: every answer each backend gives
//! has its page state, every link shape is read, and a description with a mistake is refused
//! naming the key.

use super::*;
use crate::{json::parse, link::params};

fn preset(name: &str) -> Backend {
    let (_, text) = PRESETS.iter().find(|(n, _)| *n == name).unwrap();
    Backend::from_json(name, &parse(text).unwrap()).unwrap_or_else(|e| panic!("{e}"))
}

fn config(text: &str) -> Config {
    Config::from_json(&parse(text).unwrap()).unwrap()
}

fn api(name: &str, config_text: &str) -> Api {
    Api::new(&config(config_text), preset(name)).unwrap_or_else(|e| panic!("{e}"))
}

/// A request's fields in name order (a native JSON parser may not keep a file's order).
fn sorted(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    let mut fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    fields.sort();
    fields
}

fn body(text: &str) -> Json {
    parse(text).unwrap_or(Json::Null)
}

#[test]
fn every_shipped_description_is_valid() {
    for (name, text) in PRESETS {
        let backend = Backend::from_json(name, &parse(text).unwrap());
        assert!(backend.is_ok(), "{name}: {}", backend.unwrap_err());
    }
}

mod contract {
    use super::*;

    fn request(status: u16, text: &str) -> Result<(), Refusal> {
        let backend = preset("reclaim");
        backend.answer(Call::Request, status, &body(text))
    }

    fn reset(status: u16, text: &str) -> Result<(), Refusal> {
        let backend = preset("reclaim");
        backend.answer(Call::Reset, status, &body(text))
    }

    #[test]
    fn a_request_reads_404_like_200() {
        assert_eq!(request(200, "{}"), Ok(()));
        assert_eq!(request(204, ""), Ok(()));
        assert_eq!(
            request(404, r#"{"error":"not_found","message":"No such account"}"#),
            Ok(())
        );
    }

    #[test]
    fn an_invalid_address_is_worded_by_the_pages_unless_the_code_is_unknown() {
        assert_eq!(
            request(
                400,
                r#"{"error":"invalid_email","message":"Not an email address."}"#
            ),
            Err(Refusal::InvalidEmail { message: None })
        );
        assert_eq!(
            request(400, r#"{"message":"That is not an address"}"#),
            Err(Refusal::InvalidEmail {
                message: Some("That is not an address.".into())
            })
        );
        assert_eq!(
            request(400, "<html>"),
            Err(Refusal::InvalidEmail { message: None })
        );
    }

    #[test]
    fn a_refused_link_says_what_the_server_said_of_it() {
        for (status, body, dead) in [
            (410, r#"{"error":"used_token"}"#, DeadLink::Used),
            (410, r#"{"error":"expired_token"}"#, DeadLink::Expired),
            (400, r#"{"error":"invalid_token"}"#, DeadLink::Malformed),
            (410, "", DeadLink::Unknown),
        ] {
            assert_eq!(
                reset(status, body),
                Err(Refusal::InvalidLink(dead)),
                "{status} {body}"
            );
        }
        for status in [401, 403, 404] {
            assert_eq!(
                reset(status, r#"{"error":"used_token"}"#),
                Err(Refusal::InvalidLink(DeadLink::Unknown)),
                "{status}"
            );
        }
    }

    #[test]
    fn a_weak_password_carries_the_reasons_or_else_the_apis_sentence() {
        assert_eq!(
            reset(
                422,
                r#"{"error":"weak_password","message":"Too common.","reasons":["common","nonsense"]}"#
            ),
            Err(Refusal::WeakPassword {
                reasons: vec![WeakReason::Common],
                message: None
            })
        );
        assert_eq!(
            reset(
                422,
                r#"{"error":"weak_password","message":"Needs a digit."}"#
            ),
            Err(Refusal::WeakPassword {
                reasons: vec![],
                message: Some("Needs a digit.".into())
            })
        );
        assert_eq!(
            reset(422, ""),
            Err(Refusal::WeakPassword {
                reasons: vec![],
                message: None
            })
        );
    }

    #[test]
    fn rate_limits_and_server_failures_whatever_the_body() {
        assert_eq!(reset(429, ""), Err(Refusal::RateLimited));
        assert_eq!(request(429, "{}"), Err(Refusal::RateLimited));
        assert_eq!(
            request(502, "<html>Bad gateway</html>"),
            Err(Refusal::Server { status: 502 })
        );
        assert_eq!(
            reset(500, r#"{"error":"boom"}"#),
            Err(Refusal::Server { status: 500 })
        );
        assert_eq!(request(415, ""), Err(Refusal::Server { status: 415 }));
    }

    #[test]
    fn calls_follow_the_settings() {
        let defaults = api("reclaim", "{}");
        let request = defaults
            .request(
                Call::Request,
                "https://pages.example",
                &[(EMAIL, "a@example.com")],
                &[],
            )
            .unwrap();
        assert_eq!(request.url, "https://pages.example/account/recovery");
        assert_eq!(request.encoding, Encoding::Form);
        assert_eq!(
            request.fields,
            [("email".to_owned(), "a@example.com".to_owned())]
        );
        let configured = api(
            "reclaim",
            r#"{"api_base":"https://api.example.com/v2/","reset_path":"/reset","encoding":"json"}"#,
        );
        let reset = configured
            .request(
                Call::Reset,
                "https://pages.example",
                &[(SECRET, "t0k"), (PASSWORD, "  pass {email} word ")],
                &[],
            )
            .unwrap();
        assert_eq!(reset.url, "https://api.example.com/v2/reset");
        assert_eq!(reset.encoding, Encoding::Json);
        // Values are sent exactly as typed, even one that looks like a placeholder.
        assert_eq!(
            sorted(&reset.fields),
            [("new_password", "  pass {email} word "), ("token", "t0k")]
        );
    }

    #[test]
    fn its_link_is_the_token_in_the_query_or_the_fragment() {
        let backend = preset("reclaim");
        let present = LinkSecret::Present("abc".into());
        assert_eq!(
            backend
                .read_link(&params("token=abc&lang=fr"), &params(""))
                .secret,
            present
        );
        assert_eq!(
            backend
                .read_link(&params("lang=fr"), &params("token=abc"))
                .secret,
            present
        );
        assert_eq!(
            backend.read_link(&params("lang=fr"), &params("top")).secret,
            LinkSecret::Missing
        );
        assert_eq!(
            backend.read_link(&params("token="), &params("")).secret,
            LinkSecret::Missing
        );
        assert!(backend.is_link(&params("token=abc"), &params("")));
        assert!(!backend.is_link(&params("utm_source=mail"), &params("")));
    }

    /// The reference server's link and answer, as `link` and `wire` build them, read by its
    /// description: the return address from both link styles, and `sessions_ended`.
    #[test]
    fn it_reads_the_return_address_and_the_sessions_as_the_server_writes_them() {
        use crate::link::{reset_fragment_link, reset_link};
        use crate::wire::SESSIONS_ENDED_FIELD;
        let backend = preset("reclaim");
        let back = "https://app.example.com/home?tab=a&b=1";
        for link in [
            reset_link("https://id.example.com", "t0k", "ar", Some(back)),
            reset_fragment_link("https://id.example.com", "t0k", "ar", Some(back)),
        ] {
            let (before, fragment) = link.split_once('#').unwrap_or((&link, ""));
            let (_, query) = before.split_once('?').unwrap();
            let opened = backend.read_link(&params(query), &params(fragment));
            assert_eq!(opened.secret, LinkSecret::Present("t0k".into()), "{link}");
            assert_eq!(opened.continue_to.as_deref(), Some(back), "{link}");
        }
        let link = reset_link("https://id.example.com", "t0k", "ar", None);
        let (_, query) = link.split_once('?').unwrap();
        assert_eq!(
            backend.read_link(&params(query), &params("")).continue_to,
            None
        );
        for call in [Call::Reset, Call::ResetWithCode] {
            let answer = |text: String| backend.ends_sessions(call, &body(&text));
            assert_eq!(
                answer(format!(r#"{{"{SESSIONS_ENDED_FIELD}":true}}"#)),
                Some(true)
            );
            assert_eq!(
                answer(format!(r#"{{"{SESSIONS_ENDED_FIELD}":false}}"#)),
                Some(false)
            );
            assert_eq!(answer("{}".to_owned()), None);
        }
    }

    #[test]
    fn a_typed_code_is_a_short_code_a_pasted_link_or_a_secret() {
        let backend = preset("reclaim");
        let token = "8ak40MgEY_iEvHTXPcTOqXfM4bvXsaS_P52JJdihffE";
        for pasted in [
            format!(" https://id.example.com/reset?token={token}\n"),
            format!("https://id.example.com/reset?lang=ar#token={token}"),
            format!("/reset?token={token}"),
            format!("  {token} "),
        ] {
            assert_eq!(
                backend.entered_code(&pasted),
                Ok(EnteredCode::Secret(token.into())),
                "{pasted}"
            );
        }
        // The short code, however it was typed: the server ignores case and the dash.
        for typed in ["KQ7M-XW3P", " kq7m xw3p ", "kq7mxw3p"] {
            let Ok(EnteredCode::Short(code)) = backend.entered_code(typed) else {
                panic!("{typed}")
            };
            assert!(!code.contains(' '), "{typed}: {code}");
        }
        assert_eq!(backend.entered_code("  "), Err(CodeError::Empty));
        assert_eq!(
            backend.entered_code(&format!("{token} {token}")),
            Err(CodeError::Malformed)
        );
        assert_eq!(
            backend.entered_code("https://id.example.com/reset?lang=en"),
            Err(CodeError::LinkWithoutCode)
        );
    }
}

mod firebase {
    use super::*;

    fn answer(call: &str, message: &str) -> Result<(), Refusal> {
        let backend = preset("firebase");
        let call = match call {
            "request" => Call::Request,
            "check" => Call::Check,
            _ => Call::Reset,
        };
        let body = Json::Object(vec![(
            "error".into(),
            Json::Object(vec![("message".into(), Json::Text(message.into()))]),
        )]);
        backend.answer(call, 400, &body)
    }

    /// Every error message Firebase documents for these calls, and the page state it becomes.
    #[test]
    fn every_error_message_has_its_page_state() {
        use Refusal::*;
        let server = Err(Server { status: 400 });
        let invalid = Err(InvalidLink(DeadLink::Unknown));
        let cases: &[(&str, &str, Result<(), Refusal>)] = &[
            // Asking for a link: nothing may tell whether the account exists.
            ("request", "EMAIL_NOT_FOUND", Ok(())),
            ("request", "USER_NOT_FOUND", Ok(())),
            ("request", "USER_DISABLED", Ok(())),
            ("request", "RESET_PASSWORD_EXCEED_LIMIT", Ok(())),
            ("request", "TOO_MANY_ATTEMPTS_TRY_LATER", Err(RateLimited)),
            (
                "request",
                "INVALID_EMAIL",
                Err(InvalidEmail { message: None }),
            ),
            (
                "request",
                "MISSING_EMAIL",
                Err(InvalidEmail { message: None }),
            ),
            ("request", "OPERATION_NOT_ALLOWED", server.clone()),
            (
                "request",
                "API key not valid. Please pass a valid API key.",
                server.clone(),
            ),
            // Checking the code.
            ("check", "INVALID_OOB_CODE", invalid.clone()),
            (
                "check",
                "EXPIRED_OOB_CODE",
                Err(InvalidLink(DeadLink::Expired)),
            ),
            ("check", "MISSING_OOB_CODE", invalid.clone()),
            ("check", "USER_DISABLED", invalid.clone()),
            ("check", "USER_NOT_FOUND", invalid.clone()),
            ("check", "EMAIL_NOT_FOUND", invalid.clone()),
            ("check", "TOO_MANY_ATTEMPTS_TRY_LATER", Err(RateLimited)),
            ("check", "OPERATION_NOT_ALLOWED", server.clone()),
            // Setting the password.
            ("reset", "INVALID_OOB_CODE", invalid.clone()),
            (
                "reset",
                "EXPIRED_OOB_CODE",
                Err(InvalidLink(DeadLink::Expired)),
            ),
            ("reset", "USER_DISABLED", invalid.clone()),
            (
                "reset",
                "WEAK_PASSWORD : Password should be at least 6 characters",
                Err(WeakPassword {
                    reasons: vec![],
                    message: Some("Password should be at least 6 characters.".into()),
                }),
            ),
            (
                "reset",
                "WEAK_PASSWORD",
                Err(WeakPassword {
                    reasons: vec![],
                    message: None,
                }),
            ),
            (
                "reset",
                " TOO_MANY_ATTEMPTS_TRY_LATER : wait ",
                Err(RateLimited),
            ),
            ("reset", "OPERATION_NOT_ALLOWED", server.clone()),
            ("reset", "MISSING_PASSWORD", server.clone()),
        ];
        for (call, message, expected) in cases {
            assert_eq!(&answer(call, message), expected, "{call} {message}");
        }
    }

    #[test]
    fn a_check_names_the_account() {
        let backend = preset("firebase");
        let check = Call::Check;
        let body = body(r#"{"requestType":"PASSWORD_RESET","email":"ada@example.com"}"#);
        assert_eq!(backend.answer(check, 200, &body), Ok(()));
        assert_eq!(backend.account(check, &body), Some("ada@example.com"));
    }

    #[test]
    fn its_calls_carry_the_key_and_json() {
        let firebase = api(
            "firebase",
            r#"{"backend":"firebase","firebase_api_key":"AIza x"}"#,
        );
        assert_eq!(
            firebase.base.as_deref(),
            Some("https://identitytoolkit.googleapis.com")
        );
        let request = firebase
            .request(
                Call::Request,
                "https://p.example",
                &[(EMAIL, "a@b.example")],
                &[],
            )
            .unwrap();
        assert_eq!(
            request.url,
            "https://identitytoolkit.googleapis.com/v1/accounts:sendOobCode"
        );
        assert_eq!(request.query, [("key".to_owned(), "AIza x".to_owned())]);
        assert_eq!(request.encoding, Encoding::Json);
        assert_eq!(
            sorted(&request.fields),
            [("email", "a@b.example"), ("requestType", "PASSWORD_RESET")]
        );
    }

    #[test]
    fn the_action_link_is_read() {
        let backend = preset("firebase");
        let link = backend.read_link(&params("mode=resetPassword&oobCode=c0De-1_x&apiKey=AIza&lang=fr&continueUrl=https%3A%2F%2Fapp.example.com%2Fhome%3Fa%3D1"), &params(""));
        assert_eq!(link.secret, LinkSecret::Present("c0De-1_x".into()));
        assert_eq!(
            link.continue_to.as_deref(),
            Some("https://app.example.com/home?a=1")
        );
        assert_eq!(
            link.settings,
            [("firebase_api_key".to_owned(), "AIza".to_owned())]
        );
        for mode in [
            "verifyEmail",
            "recoverEmail",
            "verifyAndChangeEmail",
            "signIn",
        ] {
            let link = backend.read_link(
                &params(&format!("mode={mode}&oobCode=abc&apiKey=k")),
                &params(""),
            );
            assert_eq!(link.secret, LinkSecret::NotAReset, "{mode}");
        }
        // Cut before its code: the person types the code instead.
        assert_eq!(
            backend
                .read_link(&params("mode=resetPassword&apiKey=k"), &params(""))
                .secret,
            LinkSecret::Missing
        );
        assert_eq!(
            backend
                .read_link(&params("oobCode=abc"), &params(""))
                .secret,
            LinkSecret::Present("abc".into())
        );
        let bad = backend.read_link(
            &params("mode=resetPassword&oobCode=a&continueUrl=javascript%3Aalert(1)"),
            &params(""),
        );
        assert_eq!(bad.continue_to, None);
        assert!(backend.is_link(&params("mode=verifyEmail"), &params("")));
        assert!(!backend.is_link(&params("token=abc"), &params("")));
    }

    #[test]
    fn a_pasted_action_link_gives_its_code() {
        let backend = preset("firebase");
        for pasted in [
            "abc",
            "https://id.example.com/reset?mode=resetPassword&oobCode=abc&apiKey=k&lang=en",
            "http://127.0.0.1:8081/?oobCode=abc#top",
        ] {
            assert_eq!(
                backend.entered_code(pasted),
                Ok(EnteredCode::Secret("abc".into())),
                "{pasted}"
            );
        }
        // Firebase mails no short code: what is typed is the link's code.
        assert_eq!(
            backend.entered_code("ab-CD"),
            Ok(EnteredCode::Secret("ab-CD".into()))
        );
        for cut in [
            "https://id.example.com/reset?mode=resetPassword&apiKey=k",
            "https://id.example.com/?mode=verifyEmail&oobCode=abc",
        ] {
            assert_eq!(
                backend.entered_code(cut),
                Err(CodeError::LinkWithoutCode),
                "{cut}"
            );
        }
    }

    #[test]
    fn a_key_only_a_link_gives_serves_that_link_alone() {
        let without_key = api("firebase", r#"{"backend":"firebase"}"#);
        let backend = preset("firebase");
        let no_link = backend.read_link(&params(""), &params(""));
        let err = without_key.complete_for(&no_link).unwrap_err();
        assert!(err.0.contains("firebase_api_key"), "{err}");
        let link = backend.read_link(
            &params("mode=resetPassword&oobCode=c&apiKey=from-link"),
            &params(""),
        );
        assert_eq!(without_key.complete_for(&link), Ok(()));
        let reset = without_key
            .request(
                Call::Reset,
                "https://p.example",
                &[(SECRET, "c"), (PASSWORD, "pw")],
                &link.settings,
            )
            .unwrap();
        assert_eq!(reset.query, [("key".to_owned(), "from-link".to_owned())]);
        // The key config.json names wins over the link's.
        let with_key = api(
            "firebase",
            r#"{"backend":"firebase","firebase_api_key":"configured"}"#,
        );
        let reset = with_key
            .request(
                Call::Reset,
                "https://p.example",
                &[(SECRET, "c"), (PASSWORD, "p")],
                &link.settings,
            )
            .unwrap();
        assert_eq!(reset.query, [("key".to_owned(), "configured".to_owned())]);
    }
}

/// Each answer below is one the real server gave (django-allauth 65, Better Auth 1.7,
/// PocketBase 0.40), body as received; the end-to-end tests drive the pages against the servers.
mod allauth {
    use super::*;

    fn answer(call: Call, status: u16, text: &str) -> Result<(), Refusal> {
        preset("allauth").answer(call, status, &body(text))
    }

    fn weak(reason: WeakReason) -> Result<(), Refusal> {
        Err(Refusal::WeakPassword {
            reasons: vec![reason],
            message: None,
        })
    }

    #[test]
    fn a_request_reads_alike_for_any_address_and_refuses_a_malformed_one() {
        assert_eq!(answer(Call::Request, 200, r#"{"status": 200}"#), Ok(()));
        assert_eq!(
            answer(
                Call::Request,
                400,
                r#"{"status": 400, "errors": [{"message": "Enter a valid email address.", "code": "invalid", "param": "email"}]}"#
            ),
            Err(Refusal::InvalidEmail { message: None })
        );
        assert_eq!(
            answer(Call::Request, 429, r#"{"status": 429}"#),
            Err(Refusal::RateLimited)
        );
    }

    #[test]
    fn the_check_names_the_account_or_refuses_the_key() {
        let valid = body(
            r#"{"status": 200, "data": {"user": {"id": 1, "display": "alice", "email": "alice@example.com", "has_usable_password": true, "username": "alice"}}}"#,
        );
        let backend = preset("allauth");
        assert_eq!(backend.answer(Call::Check, 200, &valid), Ok(()));
        assert_eq!(
            backend.account(Call::Check, &valid),
            Some("alice@example.com")
        );
        assert_eq!(
            answer(
                Call::Check,
                400,
                r#"{"status": 400, "errors": [{"message": "The password reset token was invalid.", "code": "invalid_password_reset", "param": "key"}]}"#
            ),
            Err(Refusal::InvalidLink(DeadLink::Unknown))
        );
    }

    #[test]
    fn a_reset_is_done_on_its_401_and_each_refusal_has_its_state() {
        // Reset, but not signed in.
        assert_eq!(
            answer(
                Call::Reset,
                401,
                r#"{"status": 401, "data": {"flows": [{"id": "login"}, {"id": "signup"}]}, "meta": {"is_authenticated": false}}"#
            ),
            Ok(())
        );
        assert_eq!(
            answer(
                Call::Reset,
                400,
                r#"{"status": 400, "errors": [{"message": "The password reset token was invalid.", "code": "invalid_password_reset", "param": "key"}]}"#
            ),
            Err(Refusal::InvalidLink(DeadLink::Unknown))
        );
        assert_eq!(
            answer(
                Call::Reset,
                400,
                r#"{"status": 400, "errors": [{"message": "This password is too common.", "code": "password_too_common", "param": "password"}, {"message": "This password is entirely numeric.", "code": "password_entirely_numeric", "param": "password"}]}"#
            ),
            weak(WeakReason::Common)
        );
        assert_eq!(
            answer(
                Call::Reset,
                400,
                r#"{"status": 400, "errors": [{"message": "The password is too similar to the email address.", "code": "password_too_similar", "param": "password"}]}"#
            ),
            weak(WeakReason::ContainsEmail)
        );
        // A rule the pages have no words for: allauth's sentence, in the language asked for.
        assert_eq!(
            answer(
                Call::Reset,
                400,
                r#"{"status": 400, "errors": [{"message": "Ce mot de passe est enti\u00e8rement num\u00e9rique.", "code": "password_entirely_numeric", "param": "password"}]}"#
            ),
            Err(Refusal::WeakPassword {
                reasons: vec![],
                message: Some("Ce mot de passe est entièrement numérique.".into())
            })
        );
        assert_eq!(
            answer(Call::Reset, 429, r#"{"status": 429}"#),
            Err(Refusal::RateLimited)
        );
    }

    #[test]
    fn its_calls_are_json_and_the_check_sends_the_key_as_a_header() {
        let allauth = api(
            "allauth",
            r#"{"backend":"allauth","api_base":"https://api.example.com"}"#,
        );
        let check = allauth
            .request(Call::Check, "https://p.example", &[(SECRET, "1-x-y")], &[])
            .unwrap();
        assert_eq!(check.method, Method::Get);
        assert_eq!(
            check.url,
            "https://api.example.com/_allauth/app/v1/auth/password/reset"
        );
        assert_eq!(
            check.headers,
            [("X-Password-Reset-Key".to_owned(), "1-x-y".to_owned())]
        );
        let reset = allauth
            .request(
                Call::Reset,
                "https://p.example",
                &[(SECRET, "1-x-y"), (PASSWORD, "pw")],
                &[],
            )
            .unwrap();
        assert_eq!(
            (reset.method, reset.encoding),
            (Method::Post, Encoding::Json)
        );
        assert_eq!(
            sorted(&reset.fields),
            [("key", "1-x-y"), ("password", "pw")]
        );
        let link = preset("allauth").read_link(
            &params("key=1-dj2hl6-14989d01e2139f20cc866f02cfc28f97"),
            &params(""),
        );
        assert_eq!(
            link.secret,
            LinkSecret::Present("1-dj2hl6-14989d01e2139f20cc866f02cfc28f97".into())
        );
    }
}

mod better_auth {
    use super::*;

    fn answer(call: Call, status: u16, text: &str) -> Result<(), Refusal> {
        preset("better-auth").answer(call, status, &body(text))
    }

    #[test]
    fn each_answer_has_its_state() {
        let said = r#"{"status":true,"message":"If this email exists in our system, check your email for the reset link"}"#;
        assert_eq!(answer(Call::Request, 200, said), Ok(()));
        for malformed in [
            r#"{"message":"[body.email] Invalid email address","code":"VALIDATION_ERROR"}"#,
            r#"{"message":"Invalid email","code":"INVALID_EMAIL"}"#,
        ] {
            assert_eq!(
                answer(Call::Request, 400, malformed),
                Err(Refusal::InvalidEmail { message: None })
            );
        }
        // A redirectTo outside trustedOrigins: the deployment's mistake, not the person's.
        assert_eq!(
            answer(
                Call::Request,
                403,
                r#"{"message":"Invalid redirectURL","code":"INVALID_REDIRECT_URL"}"#
            ),
            Err(Refusal::Server { status: 403 })
        );
        assert_eq!(answer(Call::Reset, 200, r#"{"status":true}"#), Ok(()));
        assert_eq!(
            answer(
                Call::Reset,
                400,
                r#"{"message":"Invalid token","code":"INVALID_TOKEN"}"#
            ),
            Err(Refusal::InvalidLink(DeadLink::Unknown))
        );
        for (text, reason) in [
            (
                r#"{"message":"Password too short","code":"PASSWORD_TOO_SHORT"}"#,
                WeakReason::TooShort,
            ),
            (
                r#"{"message":"Password too long","code":"PASSWORD_TOO_LONG"}"#,
                WeakReason::TooLong,
            ),
        ] {
            assert_eq!(
                answer(Call::Reset, 400, text),
                Err(Refusal::WeakPassword {
                    reasons: vec![reason],
                    message: None
                })
            );
        }
        assert_eq!(
            answer(
                Call::Request,
                429,
                r#"{"message":"Too many requests. Please try again later."}"#
            ),
            Err(Refusal::RateLimited)
        );
    }

    #[test]
    fn the_request_names_where_its_link_lands_and_the_link_is_read_after_the_redirect() {
        let better_auth = api(
            "better-auth",
            r#"{"backend":"better-auth","api_base":"https://api.example.com"}"#,
        );
        let request = better_auth
            .request(
                Call::Request,
                "https://reset.example.com",
                &[(EMAIL, "a@example.com")],
                &[],
            )
            .unwrap();
        assert_eq!(
            request.url,
            "https://api.example.com/api/auth/request-password-reset"
        );
        assert_eq!(
            sorted(&request.fields),
            [
                ("email", "a@example.com"),
                ("redirectTo", "https://reset.example.com/reset")
            ]
        );
        let backend = preset("better-auth");
        assert_eq!(
            backend
                .read_link(&params("token=Qu0T30wVfb8b56ZvLG7AWtDm"), &params(""))
                .secret,
            LinkSecret::Present("Qu0T30wVfb8b56ZvLG7AWtDm".into())
        );
        assert_eq!(
            backend
                .read_link(&params("error=INVALID_TOKEN"), &params(""))
                .secret,
            LinkSecret::Refused
        );
        assert!(backend.is_link(&params("error=INVALID_TOKEN"), &params("")));
    }
}

mod pocketbase {
    use super::*;

    fn answer(call: Call, status: u16, text: &str) -> Result<(), Refusal> {
        preset("pocketbase").answer(call, status, &body(text))
    }

    #[test]
    fn each_answer_has_its_state() {
        assert_eq!(answer(Call::Request, 204, ""), Ok(()));
        assert_eq!(
            answer(
                Call::Request,
                400,
                r#"{"data":{"email":{"code":"validation_is_email","message":"Must be a valid email address."}},"message":"An error occurred while validating the submitted data.","status":400}"#
            ),
            Err(Refusal::InvalidEmail { message: None })
        );
        // Another collection name that does not exist: the deployment's mistake.
        assert_eq!(
            answer(
                Call::Request,
                404,
                r#"{"data":{},"message":"Missing or invalid collection context.","status":404}"#
            ),
            Err(Refusal::Server { status: 404 })
        );
        assert_eq!(answer(Call::Reset, 204, ""), Ok(()));
        assert_eq!(
            answer(
                Call::Reset,
                400,
                r#"{"data":{"token":{"code":"validation_invalid_token","message":"Invalid or expired token."}},"message":"An error occurred while validating the submitted data.","status":400}"#
            ),
            Err(Refusal::InvalidLink(DeadLink::Unknown))
        );
        // A refused token wins over a refused password: the link is what to fix.
        assert_eq!(
            answer(
                Call::Reset,
                400,
                r#"{"data":{"password":{"code":"validation_length_out_of_range","message":"The length must be between 8 and 255.","params":{"max":255,"min":8}},"token":{"code":"validation_invalid_token","message":"Invalid or expired token."}},"message":"An error occurred while validating the submitted data.","status":400}"#
            ),
            Err(Refusal::InvalidLink(DeadLink::Unknown))
        );
        assert_eq!(
            answer(
                Call::Reset,
                400,
                r#"{"data":{"password":{"code":"validation_length_out_of_range","message":"The length must be between 10 and 255.","params":{"max":255,"min":10}}},"message":"An error occurred while validating the submitted data.","status":400}"#
            ),
            Err(Refusal::WeakPassword {
                reasons: vec![WeakReason::TooShort],
                message: None
            })
        );
        // Over bcrypt's 72 bytes: no reason the pages can word, so PocketBase's sentence.
        assert_eq!(
            answer(
                Call::Reset,
                400,
                r#"{"data":{"password":{"code":"validation_invalid_value","message":"Invalid value."}},"message":"Failed to set new password.","status":400}"#
            ),
            Err(Refusal::WeakPassword {
                reasons: vec![],
                message: Some("Invalid value.".into())
            })
        );
        assert_eq!(
            answer(
                Call::Request,
                429,
                r#"{"data":{},"message":"Too Many Requests.","status":429}"#
            ),
            Err(Refusal::RateLimited)
        );
    }

    #[test]
    fn the_collection_is_a_setting() {
        let users = api(
            "pocketbase",
            r#"{"backend":"pocketbase","api_base":"https://pb.example.com"}"#,
        );
        let reset = users
            .request(
                Call::Reset,
                "https://p.example",
                &[(SECRET, "eyJ"), (PASSWORD, "pw")],
                &[],
            )
            .unwrap();
        assert_eq!(
            reset.url,
            "https://pb.example.com/api/collections/users/confirm-password-reset"
        );
        assert_eq!(
            sorted(&reset.fields),
            [
                ("password", "pw"),
                ("passwordConfirm", "pw"),
                ("token", "eyJ")
            ]
        );
        let members = api(
            "pocketbase",
            r#"{"backend":"pocketbase","api_base":"https://pb.example.com","collection":"members"}"#,
        );
        let request = members
            .request(
                Call::Request,
                "https://p.example",
                &[(EMAIL, "a@example.com")],
                &[],
            )
            .unwrap();
        assert_eq!(
            request.url,
            "https://pb.example.com/api/collections/members/request-password-reset"
        );
    }
}

mod mistakes {
    use super::*;

    fn refused(description: &str) -> String {
        Backend::from_json("mine", &parse(description).expect("JSON"))
            .expect_err(description)
            .0
    }

    const GOOD_RESET: &str = r#""reset": {"path": "/r", "fields": {"t": "{secret}", "p": "{password}"}, "answers": [{"status": 400, "means": "invalid_link"}]}"#;
    const GOOD_REQUEST: &str = r#""request": {"path": "/q", "fields": {"e": "{email}"}}"#;
    const GOOD_LINK: &str = r#""link": {"secret": "token"}"#;

    fn with(parts: &[&str]) -> String {
        format!("{{{}}}", parts.join(","))
    }

    #[test]
    fn a_good_one_is_taken() {
        assert!(Backend::from_json(
            "mine",
            &parse(&with(&[GOOD_REQUEST, GOOD_RESET, GOOD_LINK])).unwrap()
        )
        .is_ok());
    }

    #[test]
    fn each_mistake_is_named() {
        for (description, expected) in [
            (
                with(&[GOOD_REQUEST, GOOD_RESET, GOOD_LINK, r#""reqest": {}"#]),
                "backends/mine.json: reqest is not a key here",
            ),
            (
                with(&[
                    r#""request": {"path": "/q", "fields": {"e": "{emial}"}}"#,
                    GOOD_RESET,
                    GOOD_LINK,
                ]),
                "request.fields.e uses {emial}, which does not exist here",
            ),
            (
                with(&[
                    r#""request": {"path": "/q", "fields": {"e": "{email}"}, "encode": "json"}"#,
                    GOOD_RESET,
                    GOOD_LINK,
                ]),
                "request.encode is not a key here",
            ),
            (
                with(&[r#""request": {"path": "/q"}"#, GOOD_RESET, GOOD_LINK]),
                "request never sends {email}",
            ),
            (with(&[GOOD_RESET, GOOD_LINK]), "request is missing"),
            (
                with(&[
                    GOOD_REQUEST,
                    r#""reset": {"path": "/r", "fields": {"t": "{secret}", "p": "{password}"}}"#,
                    GOOD_LINK,
                ]),
                "reset.answers has no answer refusing a link",
            ),
            (with(&[GOOD_REQUEST, GOOD_RESET]), "link is missing"),
            (
                with(&[
                    GOOD_REQUEST,
                    GOOD_RESET,
                    r#""link": {"secret": "t", "settings": {"key": "k"}}"#,
                ]),
                "link.settings.key is not one of the backend's settings",
            ),
            (
                with(&[
                    GOOD_REQUEST,
                    GOOD_RESET,
                    GOOD_LINK,
                    r#""answers": [{"status": 600, "means": "ok"}]"#,
                ]),
                "answers.0.status must be a status like 410",
            ),
            (
                with(&[
                    GOOD_REQUEST,
                    GOOD_RESET,
                    GOOD_LINK,
                    r#""answers": [{"code": "X", "means": "fine"}]"#,
                ]),
                "answers.0.means must be one of \"ok\"",
            ),
            (
                with(&[
                    GOOD_REQUEST,
                    GOOD_RESET,
                    GOOD_LINK,
                    r#""answers": [{"means": "ok"}]"#,
                ]),
                "answers.0 needs a status or a code",
            ),
            (
                with(&[
                    GOOD_REQUEST,
                    GOOD_RESET,
                    GOOD_LINK,
                    r#""answers": [{"code": "X", "means": "ok", "reason": "common"}]"#,
                ]),
                "answers.0.reason is only for \"weak_password\"",
            ),
            (
                with(&[
                    GOOD_REQUEST,
                    GOOD_RESET,
                    GOOD_LINK,
                    r#""settings": {"app_name": "x"}"#,
                ]),
                "settings.app_name is not a setting name",
            ),
            (
                with(&[
                    r#""request": {"path": "q", "fields": {"e": "{email}"}}"#,
                    GOOD_RESET,
                    GOOD_LINK,
                ]),
                "request.path must be a path starting with /",
            ),
            (
                "[]".to_owned(),
                "backends/mine.json: must be an object, not a list",
            ),
        ] {
            let said = refused(&description);
            assert!(
                said.contains(expected),
                "{description}\n  said: {said}\n  expected: {expected}"
            );
        }
    }

    #[test]
    fn config_keys_the_backend_does_not_have_are_refused() {
        let err =
            Api::new(&config(r#"{"firebase_api_key":"AIza"}"#), preset("reclaim")).unwrap_err();
        assert!(
            err.0
                .contains("unknown key \"firebase_api_key\" for the backend \"reclaim\""),
            "{err}"
        );
        assert!(err.0.contains("request_path"), "{err}");
        let err = Api::new(
            &config(r#"{"api_bse":"https://x.example"}"#),
            preset("reclaim"),
        )
        .unwrap_err();
        assert!(
            err.0.contains("\"api_bse\"") && err.0.contains("api_base"),
            "{err}"
        );
        let err = Api::new(&config(r#"{"encoding":"xml"}"#), preset("reclaim")).unwrap_err();
        assert_eq!(
            err.0,
            "config.json: encoding must be \"form\" or \"json\", not \"xml\""
        );
        let err = Api::new(&config(r#"{"request_path":7}"#), preset("reclaim")).unwrap_err();
        assert_eq!(
            err.0,
            "config.json: request_path must be a non-empty string, not a number"
        );
    }
}

/// The backends' docs (`docs/backends/`): "Your own API"'s example is a description the pages
/// take, with its `config.json`; it explains every key, meaning, reason and placeholder the
/// checker knows; and each backend page's `config.json` is one the pages take.
mod docs {
    use super::*;

    /// The page of `docs/backends/` about `name`.
    fn page(name: &str) -> &'static str {
        match name {
            "your-own-api" => include_str!("../../../docs/backends/your-own-api.md"),
            "firebase" => include_str!("../../../docs/backends/firebase.md"),
            "allauth" => include_str!("../../../docs/backends/allauth.md"),
            "better-auth" => include_str!("../../../docs/backends/better-auth.md"),
            "pocketbase" => include_str!("../../../docs/backends/pocketbase.md"),
            other => panic!("no docs/backends/{other}.md"),
        }
    }

    /// The ```json blocks of `text`, parsed, in order.
    fn json_blocks(text: &str) -> Vec<Json> {
        text.split("```json\n")
            .skip(1)
            .map(|block| {
                let json = block.split("```").next().unwrap();
                parse(json).unwrap_or_else(|e| panic!("not JSON ({e:?}):\n{json}"))
            })
            .collect()
    }

    #[test]
    fn the_example_is_a_description_the_pages_take() {
        let blocks = json_blocks(page("your-own-api"));
        let [description, config_file] = &blocks[..] else {
            panic!(
                "expected the description and its config.json, found {} blocks",
                blocks.len()
            );
        };
        let backend = Backend::from_json("larkspur", description).unwrap_or_else(|e| panic!("{e}"));
        let config = Config::from_json(config_file).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.backend, "larkspur");
        let api = Api::new(&config, backend).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(api.complete_for(&OpenedLink::default()), Ok(()));
        let request = api
            .request(
                Call::Request,
                "https://reset.larkspur.example",
                &[(EMAIL, "ada@example.com")],
                &[],
            )
            .unwrap();
        assert_eq!(
            request.url,
            "https://accounts.larkspur.example/v1/tenants/acme/password-resets"
        );
        assert_eq!(sorted(&request.headers), [("X-Client-Id", "web-7f3a9c")]);
        let link = api.backend.read_link(&params("flow=password-reset&reset_token=t0k&return_to=https%3A%2F%2Fapp.larkspur.example%2F"), &params(""));
        assert_eq!(link.secret, LinkSecret::Present("t0k".into()));
        assert_eq!(
            config
                .continue_to(link.continue_to.as_deref().unwrap())
                .as_deref(),
            Some("https://app.larkspur.example/")
        );
    }

    #[test]
    fn every_key_meaning_reason_and_placeholder_is_explained() {
        let text = page("your-own-api");
        let quoted = |word: &str| text.contains(&format!("`{word}`"));
        let names = schema::key_names()
            .into_iter()
            .chain(schema::MEANINGS)
            .chain(WeakReason::ALL.map(WeakReason::as_str));
        for name in names {
            assert!(
                quoted(name),
                "docs/backends/your-own-api.md does not explain `{name}`"
            );
        }
        for value in [EMAIL, SECRET, PASSWORD, CODE, PAGES, CONTINUE, RESET_PAGE] {
            assert!(
                quoted(&format!("{{{value}}}")),
                "{{{value}}} is not explained"
            );
        }
    }

    #[test]
    fn each_backends_config_is_one_the_pages_take() {
        for name in ["firebase", "allauth", "better-auth", "pocketbase"] {
            let heading = format!("docs/backends/{name}.md");
            let blocks = json_blocks(page(name));
            let config = Config::from_json(&blocks[0]).unwrap_or_else(|e| panic!("{heading}: {e}"));
            assert_eq!(config.backend, name, "{heading}");
            let api = Api::new(&config, preset(name)).unwrap_or_else(|e| panic!("{heading}: {e}"));
            assert_eq!(
                api.complete_for(&OpenedLink::default()),
                Ok(()),
                "{heading}"
            );
        }
    }
}

mod codes {
    use super::*;

    #[test]
    fn allauths_code_mode_keeps_its_session_for_the_code() {
        let backend = preset("allauth-codes");
        let answer = body(
            r#"{"status":401,"data":{"flows":[]},"meta":{"is_authenticated":false,"session_token":"s3ss"}}"#,
        );
        assert_eq!(backend.answer(Call::Request, 401, &answer), Ok(()));
        let kept = backend.keeps(Call::Request, &answer);
        assert_eq!(kept, [("session".to_owned(), "s3ss".to_owned())]);
        let api = Api::new(
            &config(r#"{"backend":"allauth-codes","api_base":"https://api.example"}"#),
            backend,
        )
        .unwrap();
        let reset = api
            .request(
                Call::ResetWithCode,
                "https://p.example",
                &[
                    (EMAIL, "a@example.com"),
                    (CODE, "ZNTZ-PPGD"),
                    (PASSWORD, "pw"),
                ],
                &kept,
            )
            .unwrap();
        assert_eq!(
            reset.headers,
            [("X-Session-Token".to_owned(), "s3ss".to_owned())]
        );
        assert_eq!(
            sorted(&reset.fields),
            [("key", "ZNTZ-PPGD"), ("password", "pw")]
        );
        let refused = body(
            r#"{"status":400,"errors":[{"message":"Incorrect code.","code":"incorrect_code","param":"key"}]}"#,
        );
        assert_eq!(
            api.backend.answer(Call::ResetWithCode, 400, &refused),
            Err(Refusal::InvalidLink(DeadLink::Unknown))
        );
        // Three wrong codes end the flow: every answer after is 409.
        assert_eq!(
            api.backend
                .answer(Call::ResetWithCode, 409, &body(r#"{"status":409}"#)),
            Err(Refusal::InvalidLink(DeadLink::Unknown))
        );
        assert_eq!(
            api.backend.answer(Call::ResetWithCode, 401, &body("{}")),
            Ok(())
        );
    }

    #[test]
    fn better_auths_one_time_codes() {
        let backend = preset("better-auth-codes");
        for code in ["INVALID_OTP", "TOO_MANY_ATTEMPTS", "OTP_EXPIRED"] {
            let status = if code == "TOO_MANY_ATTEMPTS" {
                403
            } else {
                400
            };
            let refused = body(&format!(r#"{{"code":"{code}","message":"x"}}"#));
            assert_eq!(
                backend.answer(Call::ResetWithCode, status, &refused),
                if code == "TOO_MANY_ATTEMPTS" {
                    Err(Refusal::InvalidLink(DeadLink::TooManyTries))
                } else {
                    Err(Refusal::InvalidLink(DeadLink::Unknown))
                },
                "{code}"
            );
        }
        let short = body(r#"{"code":"PASSWORD_TOO_SHORT","message":"Password too short"}"#);
        assert_eq!(
            backend.answer(Call::ResetWithCode, 400, &short),
            Err(Refusal::WeakPassword {
                reasons: vec![WeakReason::TooShort],
                message: None
            })
        );
        // Six digits, typed with spaces or not: a short code.
        assert_eq!(
            backend.entered_code("123 456"),
            Ok(EnteredCode::Short("123456".into()))
        );
    }
}

/// Nothing a link or a field carries can steer a request: where it goes is the description's
/// and `config.json`'s alone.
mod steering {
    use super::*;

    fn backend(description: &str) -> Result<Backend, ConfigError> {
        Backend::from_json("mine", &parse(description).expect("JSON"))
    }

    const LINK: &str = r#""link": {"secret": "token", "settings": {"tenant": "t"}}"#;
    const SETTINGS: &str = r#""settings": {"prefix": "/v1", "tenant": null}"#;

    fn with_reset_path(path: &str) -> String {
        format!(
            r#"{{{SETTINGS}, "request": {{"path": "/q", "fields": {{"e": "{{email}}"}}}},
               "reset": {{"path": "{path}", "fields": {{"p": "{{password}}", "t": "{{secret}}"}},
                          "answers": [{{"status": 400, "means": "invalid_link"}}]}}, {LINK}}}"#
        )
    }

    #[test]
    fn a_path_may_start_only_with_a_literal_or_a_setting_of_config_json() {
        for path in [
            "/reset",
            "{prefix}/reset",
            "/t/{secret}/reset",
            "/{tenant}/reset",
        ] {
            assert!(backend(&with_reset_path(path)).is_ok(), "{path}");
        }
        for path in [
            "{secret}",
            "{secret}/reset",
            "{email}/reset",
            "{password}",
            "{pages}/reset",
            // A setting a link may supply is a value from a link.
            "{tenant}/reset",
            "reset",
        ] {
            let refused = backend(&with_reset_path(path)).expect_err(path).0;
            assert!(
                refused.contains(
                    "reset.path must be a path starting with / or with a setting of config.json"
                ),
                "{path}: {refused}"
            );
        }
    }

    fn reset_to(path: &str, secret: &str) -> Option<Request> {
        let config = Config::from_json(
            &parse(r#"{"backend": "mine", "api_base": "https://api.example.com"}"#).unwrap(),
        )
        .unwrap();
        let api = Api::new(&config, backend(&with_reset_path(path)).unwrap()).unwrap();
        api.request(
            Call::Reset,
            "https://pages.example",
            &[(SECRET, secret), (PASSWORD, "pw")],
            &[("tenant".into(), "../admin?x=#".into())],
        )
    }

    #[test]
    fn values_go_into_a_path_as_one_encoded_segment() {
        let sent = |secret: &str| reset_to("/t/{secret}/reset", secret).map(|r| r.url);
        assert_eq!(
            sent(".evil.example/steal").as_deref(),
            Some("https://api.example.com/t/.evil.example%2Fsteal/reset")
        );
        assert_eq!(
            sent("../../admin/users?x=").as_deref(),
            Some("https://api.example.com/t/..%2F..%2Fadmin%2Fusers%3Fx%3D/reset")
        );
        assert_eq!(
            sent("a#b%c d").as_deref(),
            Some("https://api.example.com/t/a%23b%25c%20d/reset")
        );
        // A link's own setting is a value from a link too.
        assert_eq!(
            reset_to("/{tenant}/reset", "s").map(|r| r.url).as_deref(),
            Some("https://api.example.com/..%2Fadmin%3Fx%3D%23/reset")
        );
        // In a body or a query, a value is sent as it is: the encoding there is the HTTP
        // client's.
        let request = reset_to("/t/{secret}/reset", "a/b?c").unwrap();
        assert!(request.fields.contains(&("t".into(), "a/b?c".into())));
    }

    #[test]
    fn a_request_that_would_leave_the_api_is_not_made() {
        for secret in [".", ".."] {
            assert_eq!(reset_to("/t/{secret}/reset", secret), None, "{secret}");
        }
        // An encoded dot is encoded again: a segment of its own, not a step up.
        assert_eq!(
            reset_to("/t/{secret}/reset", "%2e%2E")
                .map(|r| r.url)
                .as_deref(),
            Some("https://api.example.com/t/%252e%252E/reset")
        );
        // Its own path segment only: dots inside a segment are just dots.
        assert!(reset_to("/t/{secret}/reset", "a..b").is_some());
    }
}
