//! The contract's endpoints, field names, error codes and 422 reasons, as they appear on the
//! wire. A deployer's own API speaks the same words.

/// `POST`: ask for a reset link. Body: [`EMAIL_FIELD`], and optionally [`CONTINUE_FIELD`].
pub const RECOVERY_PATH: &str = "/account/recovery";
/// `POST`: set a new password. Body: [`TOKEN_FIELD`] (the link's) and [`NEW_PASSWORD_FIELD`],
/// or, with the code typed from the mail, [`EMAIL_FIELD`], [`CODE_FIELD`] and
/// [`NEW_PASSWORD_FIELD`].
pub const RESET_PASSWORD_PATH: &str = "/account/reset-password";
/// `POST` (reference server only): sign in. Body: [`EMAIL_FIELD`], [`PASSWORD_FIELD`].
pub const LOGIN_PATH: &str = "/account/login";
/// `GET` (reference server only): whether the session cookie [`LOGIN_PATH`] set is still live.
pub const SESSION_PATH: &str = "/account/session";

pub const EMAIL_FIELD: &str = "email";
pub const TOKEN_FIELD: &str = "token";
/// The short code from the mail, as typed (see [`crate::reset_code`]): the server ignores case,
/// spaces and dashes.
pub const CODE_FIELD: &str = "code";
pub const NEW_PASSWORD_FIELD: &str = "new_password";
pub const PASSWORD_FIELD: &str = "password";
/// Where the person goes back to after the reset (an address on a site the server allows),
/// carried through the mail in the link's `continue` parameter.
pub const CONTINUE_FIELD: &str = "continue";
/// In a successful reset's body: `true` when every session of the account was ended.
pub const SESSIONS_ENDED_FIELD: &str = "sessions_ended";

/// An error body's fields: `{"error": "<code>", "message": "<sentence>", "reasons": [...]}`
/// (`reasons` on a 422 only). The pages word known codes and reasons themselves, in the
/// reader's language, and show `message` only for a code they do not know.
pub const ERROR_FIELD: &str = "error";
pub const MESSAGE_FIELD: &str = "message";
pub const REASONS_FIELD: &str = "reasons";

/// The `error` codes of the contract's error bodies that clients branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// 400 from the recovery endpoint.
    InvalidEmail,
    /// 400 from the reset endpoint: unknown or malformed token; with a code, a wrong, expired or
    /// spent code, or an address without an account, all alike.
    InvalidToken,
    /// 410: the token's time is up.
    ExpiredToken,
    /// 410: the token was used already.
    UsedToken,
    /// 422: the password policy refused the password; see [`WeakReason`].
    WeakPassword,
    /// 429, with `Retry-After`.
    RateLimited,
    /// 401 from the login endpoint.
    InvalidCredentials,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 7] = [
        ErrorCode::InvalidEmail,
        ErrorCode::InvalidToken,
        ErrorCode::ExpiredToken,
        ErrorCode::UsedToken,
        ErrorCode::WeakPassword,
        ErrorCode::RateLimited,
        ErrorCode::InvalidCredentials,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidEmail => "invalid_email",
            ErrorCode::InvalidToken => "invalid_token",
            ErrorCode::ExpiredToken => "expired_token",
            ErrorCode::UsedToken => "used_token",
            ErrorCode::WeakPassword => "weak_password",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::InvalidCredentials => "invalid_credentials",
        }
    }

    /// The code named by an error body's `error`, if the contract knows it.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|known| known.as_str() == code)
    }
}

/// One rule of the password policy a 422 names in `reasons`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeakReason {
    TooShort,
    TooLong,
    Common,
    ContainsEmail,
}

impl WeakReason {
    pub const ALL: [WeakReason; 4] = [
        WeakReason::TooShort,
        WeakReason::TooLong,
        WeakReason::Common,
        WeakReason::ContainsEmail,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WeakReason::TooShort => "too_short",
            WeakReason::TooLong => "too_long",
            WeakReason::Common => "common",
            WeakReason::ContainsEmail => "contains_email",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|known| known.as_str() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(code.as_str()), Some(code));
        }
        for reason in WeakReason::ALL {
            assert_eq!(WeakReason::parse(reason.as_str()), Some(reason));
        }
        assert_eq!(ErrorCode::parse("teapot"), None);
    }
}
