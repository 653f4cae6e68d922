//! Every sentence a person can see or hear, by key, with its English: the text every other
//! locale falls back to, and the list translators and deployers work from
//! (`src/i18n/builtin/en.json` is this table as JSON, kept equal to it by a test).
//!
//! `{name}` marks a placeholder. A counted text has a form per plural category of the locale
//! (CLDR: `zero`, `one`, `two`, `few`, `many`, `other`), chosen by the browser's
//! `Intl.PluralRules` for `{count}`.

macro_rules! texts {
    ($( $name:ident = $key:literal : $english:literal, )*) => {
        /// A sentence with one form.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Text { $($name),* }

        impl Text {
            pub const ALL: &'static [Text] = &[$(Text::$name),*];

            /// Its key in the locale files.
            pub fn key(self) -> &'static str {
                match self { $(Text::$name => $key),* }
            }

            pub fn english(self) -> &'static str {
                match self { $(Text::$name => $english),* }
            }
        }
    };
}

macro_rules! counted_texts {
    ($( $name:ident = $key:literal : { one: $one:literal, other: $other:literal }, )*) => {
        /// A sentence about a number (`{count}`), with a form per plural category.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Counted { $($name),* }

        impl Counted {
            pub const ALL: &'static [Counted] = &[$(Counted::$name),*];

            pub fn key(self) -> &'static str {
                match self { $(Counted::$name => $key),* }
            }

            /// English's two forms, `one` and `other`.
            pub fn english(self) -> [(&'static str, &'static str); 2] {
                match self { $(Counted::$name => [("one", $one), ("other", $other)]),* }
            }
        }
    };
}

texts! {
    // The frame of every page.
    LanguageLabel = "language.label": "Language",
    ErrorPrefix = "field.error_prefix": "Error:",
    Sending = "form.sending": "Sending…",
    Saving = "form.saving": "Saving…",
    NeedsJavascript = "form.needs_javascript": "This page needs JavaScript to send. Turn it on in your browser's settings, then reload the page.",
    RequestNewLink = "link.request_new": "Request a new link",

    // The request page.
    RecoverHeading = "recover.heading": "Forgot your password?",
    RecoverLead = "recover.lead": "Enter the email address you use to sign in. We'll send you a link to choose a new password.",
    EmailLabel = "recover.email_label": "Email address",
    SendLink = "recover.send": "Send reset link",
    SentHeading = "recover.sent_heading": "Check your email",
    SentLead = "recover.sent_lead": "If an account exists for {address}, we've sent a link to reset its password.",
    SentNote = "recover.sent_note": "The link works once and expires soon. If it has not arrived in a few minutes, check your spam folder.",
    SendAgain = "recover.send_again": "Send the link again",
    UseDifferentAddress = "recover.use_different_address": "Use a different email address",
    AnnounceSent = "recover.announce_sent": "Check your email.",
    AnnounceSentAgain = "recover.announce_sent_again": "We sent the link to {address} again.",
    EnterCode = "recover.enter_code": "Enter the code from the email",
    EmailEmpty = "email.empty": "Enter your email address",
    EmailMalformed = "email.malformed": "Enter an email address in the correct format, like name@example.com",

    // The reset page.
    ResetHeading = "reset.heading": "Choose a new password",
    ResetAccount = "reset.account": "For the account {address}",
    ResetLeadWithCode = "reset.lead_with_code": "Enter the code from the email, then choose a new password.",
    ResetLeadWithAddress = "reset.lead_with_address": "Enter your email address and the code from the email, then choose a new password.",
    CodeHeading = "code.heading": "Enter the code from the email",
    CodeHintSent = "code.hint": "It is on a line of its own in the email, under the link. Pasting the whole link works too.",
    CodeLead = "code.lead": "If an account exists for {address}, the email we sent has a code on a line of its own. Enter it here, then choose a new password.",
    CodeWrong = "code.wrong": "This code is wrong or has expired. Check the newest email, or send a new code.",
    CodeSpentHeading = "code.spent_heading": "This code can no longer be used",
    CodeSpentLead = "code.spent_lead": "Codes work once, expire after a short time and stop working after too many wrong tries. Your password has not been changed.",
    SendNewCode = "code.send_new": "Send a new code",
    CodeLabel = "reset.code_label": "Reset code",
    CodeHint = "reset.code_hint": "It is on its own line in the email, under the link. A link cut short brings you here; pasting the whole link works too.",
    NewPasswordLabel = "reset.new_password_label": "New password",
    ConfirmPasswordLabel = "reset.confirm_password_label": "Confirm new password",
    ShowPasswords = "reset.show_passwords": "Show passwords",
    AnnouncePasswordsShown = "reset.announce_passwords_shown": "Your passwords are shown.",
    AnnouncePasswordsHidden = "reset.announce_passwords_hidden": "Your passwords are hidden.",
    PasswordRulesLabel = "reset.rules_label": "Password rules",
    RuleMatch = "reset.rule_match": "Both passwords match",
    RuleDone = "reset.rule_done": "(done)",
    RuleNotYet = "reset.rule_not_yet": "(not yet)",
    SetPassword = "reset.set_password": "Set new password",
    NoCode = "reset.no_code": "No email, or the code has expired?",
    InvalidLinkHeading = "reset.invalid_link_heading": "This link is invalid or has expired",
    UsedHeading = "reset.used_heading": "This link has already been used",
    UsedLead = "reset.used_lead": "Each reset link works only once. If it wasn't you who used it, someone else may have changed your password: ask for a new link now, and check that your email account is secure.",
    ExpiredHeading = "reset.expired_heading": "This link has expired",
    ExpiredLead = "reset.expired_lead": "Reset links work for {lifetime} after they are sent. Your password has not been changed.",
    IncompleteHeading = "reset.incomplete_heading": "This link is incomplete",
    IncompleteLead = "reset.incomplete_lead": "Your email app may have cut the link short. Enter the code from the same email instead, or ask for a new link.",
    SendNewLinkTo = "reset.send_new_link_to": "Send a new link to {address}",
    InvalidCodeHeading = "reset.invalid_code_heading": "This code is invalid or has expired",
    InvalidLead = "reset.invalid_lead": "Reset links and codes work once and expire after a short time. Your password has not been changed.",
    DoneHeading = "reset.done_heading": "Your password has been changed",
    AnnounceDone = "reset.announce_done": "Your password has been changed.",
    DoneLead = "reset.done_lead": "You can now sign in with your new password. For your safety, you have been signed out on every device.",
    DoneLeadSessionsKept = "reset.done_lead_sessions_kept": "You can now sign in with your new password. Devices that were already signed in stay signed in: if you think someone else has used your account, sign out everywhere from your account settings.",
    DoneLeadPlain = "reset.done_lead_plain": "You can now sign in with your new password.",
    Continue = "reset.continue": "Continue",
    SignIn = "reset.sign_in": "Sign in",
    NotAResetHeading = "reset.not_a_reset_heading": "This link is not for this page",
    NotAResetLead = "reset.not_a_reset_lead": "This site handles password resets only. Nothing was sent and nothing about your account has changed.",
    NotAResetNote = "reset.not_a_reset_note": "To verify or change your email address, open the link on the site or app that sent it, or ask its support team. To reset your password, request a new link.",
    PasswordEmpty = "password.empty": "Enter a new password",
    ConfirmationEmpty = "password.confirmation_empty": "Enter your new password again",
    PasswordsDiffer = "password.mismatch": "The passwords do not match",
    PasswordCommon = "password.common": "This password is too common or too easy to guess. Choose a different one.",
    PasswordContainsEmail = "password.contains_email": "Your password must not contain your email address.",
    CodeEmpty = "code.empty": "Enter the reset code from the email",
    CodeMalformed = "code.malformed": "Enter the code exactly as it is in the email, with no spaces",
    CodeLinkWithoutCode = "code.link_without_code": "This link has no code in it. Copy the code from the email instead",

    // Answers from the API that concern the whole form.
    InvalidLink = "error.invalid_link": "This link is invalid or has expired.",
    ServerError = "error.server": "Something went wrong on our side (error {status}). Nothing you typed was lost: try again in a moment.",
    NetworkError = "error.network": "We could not reach the server. Check your connection, then try again.",
    Timeout = "error.timeout": "The server took too long to answer. Try again in a moment.",

    // The other pages.
    NotFoundHeading = "not_found.heading": "Page not found",
    NotFoundLead = "not_found.lead": "If you typed the address, check it is correct. If you pasted it from an email, make sure you copied the whole link.",
    NotFoundLink = "not_found.link": "Request a password reset link",
    ConfigProblemHeading = "config_problem.heading": "This page is not set up correctly",
    ConfigProblemNote = "config_problem.note": "Nothing was sent. If you run this site, fix its configuration and reload; otherwise, try again later.",
}

counted_texts! {
    SendAgainIn = "recover.send_again_in": { one: "Send again in {count} second", other: "Send again in {count} seconds" },
    ResetLead = "reset.lead": {
        one: "Use at least {count} character. A few unrelated words make a password that is long, strong and easy to remember.",
        other: "Use at least {count} characters. A few unrelated words make a password that is long, strong and easy to remember."
    },
    RuleMinimum = "reset.rule_minimum": { one: "At least {count} character", other: "At least {count} characters" },
    RuleMaximum = "reset.rule_maximum": {
        one: "No more than {count} character (now {now})",
        other: "No more than {count} characters (now {now})"
    },
    PasswordTooShort = "password.too_short": {
        one: "Your password must be at least {count} character long",
        other: "Your password must be at least {count} characters long"
    },
    PasswordTooLong = "password.too_long": {
        one: "Your password must be {count} character or fewer (it has {now})",
        other: "Your password must be {count} characters or fewer (it has {now})"
    },
    RateLimitedSeconds = "error.rate_limited_seconds": {
        one: "Too many attempts. Wait {count} second and try again.",
        other: "Too many attempts. Wait {count} seconds and try again."
    },
    RateLimitedMinutes = "error.rate_limited_minutes": {
        one: "Too many attempts. Wait {count} minute and try again.",
        other: "Too many attempts. Wait {count} minutes and try again."
    },
    TryAgainIn = "form.try_again_in": { one: "You can try again in {count} second.", other: "You can try again in {count} seconds." },
    LifetimeMinutes = "lifetime.minutes": { one: "{count} minute", other: "{count} minutes" },
    LifetimeHours = "lifetime.hours": { one: "{count} hour", other: "{count} hours" },
}

pub use reclaim_contract::locale::{fill, placeholders};

/// The text before and after `{name}`, for a value shown in its own element (`<strong>`).
pub fn around(text: &str, name: &str) -> (String, String) {
    const MARK: &str = "\u{0}";
    let marked = fill(text, &[(name, MARK)]);
    match marked.split_once('\u{0}') {
        Some((before, after)) => (before.to_owned(), after.to_owned()),
        None => (marked, String::new()),
    }
}
