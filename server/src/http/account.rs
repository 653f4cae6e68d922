//! `/account/*`: request a reset link, reset the password with it (or with the code mailed
//! beside it), log in, and see whether a session still lives.

use std::time::Duration;

use axum::extract::{FromRequest, Request, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use reclaim_contract::wire;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::json;

use super::extract::{ApiBody, MailLocale};
use super::rate_limit::{check_all, retry_after_secs};
use super::{ApiError, AppState};
use crate::domain::{Client, EmailAddress, NewPassword, ResetCode, SecretToken, TokenHash};
use crate::mail::MailKind;
use crate::store::{CodeCheck, RedeemOutcome, ResetTokenState};

/// How long a login session lasts.
const SESSION_LIFETIME: Duration = Duration::from_secs(12 * 60 * 60);
/// The session cookie's name.
const SESSION_COOKIE: &str = "reclaim_session";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(wire::RECOVERY_PATH, post(request_recovery))
        .route(wire::RESET_PASSWORD_PATH, post(reset_password))
        .route(wire::LOGIN_PATH, post(login))
        .route(wire::SESSION_PATH, get(session))
}

/// Body of `POST /account/recovery`: the `email`, and where the person goes back to after
/// the reset (`continue`), if anywhere.
#[derive(Deserialize)]
pub(super) struct RecoveryBody {
    pub(super) email: String,
    #[serde(rename = "continue")]
    pub(super) continue_to: Option<String>,
}

/// Body of `POST /account/reset-password`: the link's `token`, or the `email` a code was
/// mailed to and the `code` as typed; and the `new_password`.
#[derive(Deserialize)]
pub(super) struct ResetPasswordBody {
    pub(super) token: Option<SecretString>,
    pub(super) email: Option<String>,
    pub(super) code: Option<SecretString>,
    pub(super) new_password: SecretString,
}

/// An account whose password a reset request may set, and the token that redeems the grant.
struct Redeemable {
    email: EmailAddress,
    token: TokenHash,
    /// Presented as a code: every failure is then said as `invalid_token`.
    by_code: bool,
}

/// Body of `POST /account/login`.
#[derive(Deserialize)]
pub(super) struct LoginBody {
    pub(super) email: String,
    pub(super) password: SecretString,
}

/// The success body of every endpoint.
fn ok() -> Json<serde_json::Value> {
    Json(json!({}))
}

/// `POST /account/recovery`: 200 `{}` for any well-formed address.
///
/// Only parsing, rate limiting and storing the request happen here; the account lookup and
/// the mail happen in the recovery worker afterwards, so nothing in the answer, its headers or
/// its timing depends on whether the account exists. Every limit applies to every address
/// alike. The request is in the database before the 200, so a crash cannot lose it; when the
/// server is saturated (global limit, full backlog) the answer is 503 with Retry-After. The
/// mail is written in the language of `Accept-Language`, stored with the request, and so is
/// the `continue` address when its origin is a `--continue-origin`: any other is dropped
/// without a word (the answer is the same), and the mail goes out without it.
async fn request_recovery(
    State(state): State<AppState>,
    client: Client,
    MailLocale(locale): MailLocale,
    request: Request,
) -> Result<Json<serde_json::Value>, ApiError> {
    let limits = &state.limits;
    // Saturation first, before anything that keeps per-key state, so a flood that is refused
    // leaves nothing behind. The global limit is only peeked at here and counted last, so
    // requests that a client's own limits refuse spend none of everyone's allowance.
    state.recovery.has_room()?;
    limits.recovery_global.peek(&()).map_err(unavailable)?;
    // Then the client, still before reading the body.
    limits
        .recovery_per_ip
        .check(&client)
        .map_err(rate_limited)?;
    let ApiBody(body) = ApiBody::<RecoveryBody>::from_request(request, &state).await?;
    let email = EmailAddress::parse(&body.email).map_err(|_| ApiError::InvalidEmail)?;
    let asked = (email.lookup_key(), client);
    check_all(
        &[&limits.recovery_per_email, &limits.recovery_per_email_daily],
        &asked,
    )
    .map_err(rate_limited)?;
    limits.recovery_global.check(&()).map_err(unavailable)?;
    let continue_to = body
        .continue_to
        .as_deref()
        .and_then(|url| state.return_origins.allow(url));
    if body.continue_to.is_some() && continue_to.is_none() {
        tracing::debug!("a return address off the allowed origins was dropped");
    }
    state
        .recovery
        .enqueue(&email, client, locale, continue_to.as_ref())
        .await?;
    Ok(ok())
}

/// `POST /account/reset-password`: sets a new password with a reset link's token, or with the
/// code mailed beside it and the address it was mailed to.
///
/// 200 `{"sessions_ended": true}`: the change ended every session of the account, and queued
/// the "password changed" notice, in one transaction, whichever form was used.
///
/// Checks, in order: the token is well formed and known (400 `invalid_token`), still live
/// (410 `used_token` / `expired_token`), then the password policy (422 `weak_password`), so
/// a person who picks a weak password keeps a working link. A code that is not the live code
/// of that address, for whatever reason, is 400 `invalid_token` too (see [`by_code`]). The
/// grant is only spent by the final conditional update, which exactly one of several
/// concurrent requests can win, and spends the link and its code together. The "password
/// changed" notice is written in the language of this request's `Accept-Language`.
async fn reset_password(
    State(state): State<AppState>,
    client: Client,
    MailLocale(locale): MailLocale,
    request: Request,
) -> Result<Json<serde_json::Value>, ApiError> {
    state
        .limits
        .reset_per_ip
        .check(&client)
        .map_err(rate_limited)?;
    let ApiBody(body) = ApiBody::<ResetPasswordBody>::from_request(request, &state).await?;
    let grant = match (&body.token, &body.email, &body.code) {
        (Some(token), None, None) => by_link(&state, token).await?,
        (None, Some(email), Some(code)) => by_code(&state, email, code).await?,
        _ => {
            return Err(ApiError::InvalidRequest(
                "send `token`, or `email` and `code`, with `new_password`".to_owned(),
            ))
        }
    };
    let password = NewPassword::parse_with(
        body.new_password.expose_secret().to_owned(),
        &grant.email,
        state.password_policy,
    )
    .map_err(ApiError::WeakPassword)?;
    let password_hash = state.hashes.hash(&password).await?;
    // Built before the change so that it goes into the outbox in the same transaction; a
    // notice that cannot be built is logged, and does not stop the change.
    let notice = match state.mailer.password_changed_message(&grant.email, locale) {
        Ok(notice) => Some(
            state
                .mailer
                .queue(MailKind::PasswordChanged, &grant.email, &notice),
        ),
        Err(error) => {
            tracing::error!(
                error = format!("{error:#}"),
                "password-changed notice not built"
            );
            None
        }
    };
    match state
        .database
        .redeem_reset_token(grant.token, password_hash, notice)
        .await?
    {
        RedeemOutcome::Changed { .. } => {
            let with = if grant.by_code { "code" } else { "link" };
            tracing::info!("password changed with a reset {with}");
            state.mail_written.notify_one();
            // The same transaction ended every session of the account: the pages may say so.
            Ok(Json(json!({ wire::SESSIONS_ENDED_FIELD: true })))
        }
        RedeemOutcome::NotRedeemable(_) if grant.by_code => Err(ApiError::InvalidToken),
        RedeemOutcome::NotRedeemable(dead) => Err(token_error(dead)),
    }
}

/// The grant of a reset link's token, if it is live.
async fn by_link(state: &AppState, token: &SecretString) -> Result<Redeemable, ApiError> {
    let token = SecretToken::parse(token.expose_secret()).ok_or(ApiError::InvalidToken)?;
    match state.database.reset_token_state(token.hash()).await? {
        ResetTokenState::Valid { email } => Ok(Redeemable {
            email,
            token: token.hash(),
            by_code: false,
        }),
        dead => Err(token_error(dead)),
    }
}

/// The grant of the code typed for `email`, if it is the code of a live link of that account.
///
/// Anything else is the answer to an unknown link, 400 `invalid_token`, with the same body: a
/// wrong code, an expired, spent or revoked one, and an address without an account alike, in
/// the same time (the store does the same work for each, see `check_reset_code`). So the code
/// form tells no more about who has an account than the recovery request does. Something that
/// cannot be an address or a code is refused before the store, counted against nobody.
async fn by_code(
    state: &AppState,
    email: &str,
    code: &SecretString,
) -> Result<Redeemable, ApiError> {
    let (Ok(email), Some(code)) = (
        EmailAddress::parse(email),
        ResetCode::parse(code.expose_secret()),
    ) else {
        return Err(ApiError::InvalidToken);
    };
    let hash = code.hash(&state.code_key, &email);
    match state
        .database
        .check_reset_code(email.lookup_key(), hash)
        .await?
    {
        CodeCheck::Valid { email, token } => Ok(Redeemable {
            email,
            token,
            by_code: true,
        }),
        CodeCheck::Invalid => Err(ApiError::InvalidToken),
    }
}

fn token_error(state: ResetTokenState) -> ApiError {
    match state {
        ResetTokenState::Used => ApiError::UsedToken,
        ResetTokenState::Expired => ApiError::ExpiredToken,
        ResetTokenState::Unknown | ResetTokenState::Valid { .. } => ApiError::InvalidToken,
    }
}

/// `POST /account/login` (reference server only): 200 `{}` with a session cookie, or 401.
///
/// An unknown address costs a dummy hash verification, so the answer takes as long as a wrong
/// password for an existing account.
async fn login(
    State(state): State<AppState>,
    client: Client,
    request: Request,
) -> Result<Response, ApiError> {
    state
        .limits
        .login_per_ip
        .check(&client)
        .map_err(rate_limited)?;
    let ApiBody(body) = ApiBody::<LoginBody>::from_request(request, &state).await?;
    let user = match EmailAddress::parse(&body.email) {
        Ok(email) => state.database.find_user(&email).await?,
        Err(_) => None,
    };
    let stored_hash = user.as_ref().map(|user| user.password_hash.clone());
    let (true, Some(user)) = (state.hashes.verify(stored_hash, body.password).await?, user) else {
        return Err(ApiError::InvalidCredentials);
    };
    let session = SecretToken::generate();
    state
        .database
        .create_session(user.id, session.hash(), SESSION_LIFETIME)
        .await?;
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    let cookie = format!(
        "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        session.expose(),
        SESSION_LIFETIME.as_secs()
    );
    let cookie =
        HeaderValue::from_str(&cookie).map_err(|e| anyhow::anyhow!("session cookie: {e}"))?;
    tracing::info!(user_id = user.id, "logged in");
    Ok(([(header::SET_COOKIE, cookie)], ok()).into_response())
}

/// `GET /account/session` (reference server only): 200 `{}` while the session cookie set by
/// [`login`] lives, else 401 `not_signed_in`; so a person (and the tests) can see a password
/// change end the sessions signed in before it. Only a hash of the cookie is looked up.
async fn session(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    let cookie = session_cookie(&headers)
        .and_then(SecretToken::parse)
        .ok_or(ApiError::NotSignedIn)?;
    match state.database.session_user(cookie.hash()).await? {
        Some(_) => Ok(ok().into_response()),
        None => Err(ApiError::NotSignedIn),
    }
}

/// The value of the session cookie among the request's `Cookie` headers.
fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|cookies| cookies.split(';'))
        .find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == SESSION_COOKIE).then_some(value)
        })
}

fn rate_limited(wait: Duration) -> ApiError {
    ApiError::RateLimited {
        retry_after_secs: retry_after_secs(wait),
    }
}

fn unavailable(wait: Duration) -> ApiError {
    ApiError::Unavailable {
        retry_after_secs: retry_after_secs(wait),
    }
}
