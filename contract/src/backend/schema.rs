//! What a description may say, as data, and the one walk that checks a description against it.
//! Every visitor downloads this checker, so the rules are a table read by one small function
//! rather than code per key; what the table cannot say (a setting named in a link must exist,
//! a reset must have an answer for a refused link) is checked after the walk.

use super::{CODE, CONTINUE, EMAIL, PAGES, PASSWORD, RESET_PAGE, SECRET};
use crate::{
    config::{ConfigError, PAGE_KEYS},
    json::Json,
    link::base_url,
    locale::placeholders,
};

/// The kind of value a key holds.
pub(super) enum Shape {
    Text,
    /// A text whose `{name}`s must be among these values or the backend's settings.
    Template(&'static [&'static str]),
    /// A path from the API's base: starts with `/`, or with a setting only `config.json` can
    /// give (never a value from a link or a field: it could send the call to another host).
    Path(&'static [&'static str]),
    /// `"form"`, `"json"`, or a setting saying which.
    Encoding,
    OneOf(&'static [&'static str]),
    /// A status (`410`), a class (`"4xx"`), or a list of them.
    Status,
    /// A text or a list of texts.
    Texts,
    Bool,
    /// An http(s) origin with an optional path.
    Base,
    /// An object with these keys.
    Object(&'static [Key]),
    /// `true`, `false`, or a path in the answer's body to one of them.
    Flag,
    /// An object whose every value has this shape (any keys).
    Map(&'static Shape),
    List(&'static Shape),
    /// `settings`: names of the backend's own keys of config.json, each with a default text
    /// or `null` (config.json must give it).
    Settings,
    /// `link.settings`: settings a link may supply, each with its parameter.
    LinkSettings,
}

/// A key of an object, its shape, and whether it must be there.
pub(super) struct Key(pub &'static str, pub Shape, pub bool);

macro_rules! call {
    ($values:expr) => {
        Shape::Object(&[
            Key("method", Shape::OneOf(&["POST", "GET"]), false),
            Key("path", Shape::Path($values), true),
            Key("query", Shape::Map(&Shape::Template($values)), false),
            Key("encoding", Shape::Encoding, false),
            Key("fields", Shape::Map(&Shape::Template($values)), false),
            Key("headers", Shape::Map(&Shape::Template($values)), false),
            Key("answers", ANSWERS, false),
            Key("account", Shape::Text, false),
            Key("keep", Shape::Map(&Shape::Text), false),
            Key("ends_sessions", Shape::Flag, false),
        ])
    };
}

pub(super) const MEANINGS: [&str; 10] = [
    "ok",
    "invalid_email",
    "invalid_link",
    "used_link",
    "expired_link",
    "malformed_link",
    "too_many_tries",
    "weak_password",
    "rate_limited",
    "server_error",
];

/// The meanings that refuse a link or code.
const LINK_REFUSALS: [&str; 5] = [
    "invalid_link",
    "used_link",
    "expired_link",
    "malformed_link",
    "too_many_tries",
];

const ANSWERS: Shape = Shape::List(&Shape::Object(&[
    Key("status", Shape::Status, false),
    Key("code", Shape::Texts, false),
    Key("means", Shape::OneOf(&MEANINGS), true),
    Key(
        "reason",
        Shape::OneOf(&["too_short", "too_long", "common", "contains_email"]),
        false,
    ),
    Key("show_message", Shape::Bool, false),
]));

/// The calls a description may name, the values each may send, and those it must send.
pub(super) const CALLS: [(&str, &[&str], bool); 4] = [
    ("request", &[EMAIL], true),
    ("reset", &[SECRET, PASSWORD], true),
    ("check", &[SECRET], false),
    ("reset_with_code", &[CODE, PASSWORD], false),
];

const DESCRIPTION: Shape = Shape::Object(&[
    Key("api_base", Shape::Base, false),
    Key("settings", Shape::Settings, false),
    Key(
        "request",
        call!(&[EMAIL, PAGES, CONTINUE, RESET_PAGE]),
        true,
    ),
    Key("reset", call!(&[SECRET, PASSWORD, PAGES]), true),
    Key("check", call!(&[SECRET, PAGES]), false),
    Key(
        "reset_with_code",
        call!(&[EMAIL, CODE, PASSWORD, PAGES]),
        false,
    ),
    Key(
        "error",
        Shape::Object(&[
            Key("code", Shape::Text, false),
            Key("message", Shape::Text, false),
            Key("reasons", Shape::Text, false),
        ]),
        false,
    ),
    Key("answers", ANSWERS, false),
    Key(
        "link",
        Shape::Object(&[
            Key("secret", Shape::Text, true),
            Key(
                "purpose",
                Shape::Object(&[
                    Key("param", Shape::Text, true),
                    Key("reset", Shape::Text, true),
                ]),
                false,
            ),
            Key("error", Shape::Text, false),
            Key("continue", Shape::Text, false),
            Key("settings", Shape::LinkSettings, false),
        ]),
        true,
    ),
]);

/// Every key a description may have, at any depth, once each (for the README's list).
#[cfg(test)]
pub(super) fn key_names() -> Vec<&'static str> {
    fn walk(shape: &Shape, names: &mut Vec<&'static str>) {
        match shape {
            Shape::Object(keys) => {
                for Key(name, inner, _) in *keys {
                    if !names.contains(name) {
                        names.push(name);
                    }
                    walk(inner, names);
                }
            }
            Shape::Map(inner) | Shape::List(inner) => walk(inner, names),
            _ => {}
        }
    }
    let mut names = Vec::new();
    walk(&DESCRIPTION, &mut names);
    names
}

/// Checks a whole description; the first mistake is named with its place
/// (`backends/mine.json: reset.fields.token uses {tokn}, …`).
pub(super) fn check(file: &str, description: &Json) -> Result<(), ConfigError> {
    // A call may use the backend's settings, and what the request keeps from its answer (a
    // session the code must be sent with).
    fn names(object: Option<&Json>) -> Vec<&str> {
        object
            .and_then(Json::fields)
            .map(|fields| fields.iter().map(|(name, _)| name.as_str()).collect())
            .unwrap_or_default()
    }
    let configured = names(description.get("settings"));
    let from_links = names(
        description
            .get("link")
            .and_then(|link| link.get("settings")),
    );
    let path_starts: Vec<&str> = configured
        .iter()
        .copied()
        .filter(|name| !from_links.contains(name))
        .collect();
    let mut settings = configured.clone();
    settings.extend(names(
        description
            .get("request")
            .and_then(|request| request.get("keep")),
    ));
    let walk = Walk {
        file,
        settings: &settings,
        path_starts: &path_starts,
    };
    walk.value(description, &DESCRIPTION, "")?;
    for (call, required, _) in CALLS {
        let Some(value) = description.get(call) else {
            continue;
        };
        let sends: Vec<&str> = ["path", "query", "fields", "headers"]
            .into_iter()
            .filter_map(|key| value.get(key))
            .flat_map(templates)
            .flat_map(placeholders)
            .collect();
        if let Some(missing) = required.iter().find(|name| !sends.contains(name)) {
            return Err(walk.problem(call, &format!("never sends {{{missing}}}")));
        }
        // Without an answer for a refused link, a used link would read as a server error.
        let refuses = |answers: Option<&Json>| match answers {
            Some(Json::List(rules)) => rules.iter().any(|rule| {
                rule.get("means")
                    .and_then(Json::as_text)
                    .is_some_and(|means| LINK_REFUSALS.contains(&means))
            }),
            _ => false,
        };
        if call != "request"
            && !refuses(value.get("answers"))
            && !refuses(description.get("answers"))
        {
            return Err(walk.problem(
                &format!("{call}.answers"),
                "has no answer refusing a link (\"invalid_link\", \"used_link\", …): a used or expired link would read as a server error",
            ));
        }
    }
    Ok(())
}

/// The texts of a call's part: the path itself, or the values of its query, fields, headers.
fn templates(part: &Json) -> Vec<&str> {
    match part {
        Json::Text(text) => vec![text],
        other => other
            .fields()
            .unwrap_or_default()
            .iter()
            .filter_map(|(_, v)| v.as_text())
            .collect(),
    }
}

struct Walk<'a> {
    file: &'a str,
    settings: &'a [&'a str],
    /// The settings a path may start with.
    path_starts: &'a [&'a str],
}

impl Walk<'_> {
    fn problem(&self, place: &str, what: &str) -> ConfigError {
        match place {
            "" => ConfigError(format!("{}: {what}", self.file)),
            place => ConfigError(format!("{}: {place} {what}", self.file)),
        }
    }

    fn wrong(&self, place: &str, expected: &str, value: &Json) -> ConfigError {
        self.problem(
            place,
            &format!("must be {expected}, not {}", value.describe()),
        )
    }

    fn value(&self, value: &Json, shape: &Shape, place: &str) -> Result<(), ConfigError> {
        let text = || {
            value
                .as_text()
                .ok_or_else(|| self.wrong(place, "a string", value))
        };
        let within = |key: &str| {
            if place.is_empty() {
                key.to_owned()
            } else {
                format!("{place}.{key}")
            }
        };
        match shape {
            Shape::Text => text().map(drop),
            Shape::Template(values) => {
                let known = |name: &&str| values.contains(name) || self.settings.contains(name);
                match placeholders(text()?).into_iter().find(|name| !known(name)) {
                    None => Ok(()),
                    Some(name) => {
                        let known: Vec<String> =
                            values.iter().chain(self.settings).map(|k| format!("{{{k}}}")).collect();
                        Err(self.problem(
                            place,
                            &format!("uses {{{name}}}, which does not exist here (known: {})", known.join(", ")),
                        ))
                    }
                }
            }
            Shape::Path(values) => {
                let path = text()?;
                let starts_with_setting = path
                    .strip_prefix('{')
                    .and_then(|rest| rest.split_once('}'))
                    .is_some_and(|(name, _)| self.path_starts.contains(&name));
                if !(path.starts_with('/') || starts_with_setting) || path.contains(['?', '#', ' ']) {
                    return Err(self.wrong(
                        place,
                        "a path starting with / or with a setting of config.json (never a value from a link or a field)",
                        value,
                    ));
                }
                self.value(value, &Shape::Template(values), place)
            }
            Shape::Encoding => match text()? {
                "form" | "json" => Ok(()),
                setting if setting.starts_with('{') && self.settings.contains(&&setting[1..setting.len() - 1]) => Ok(()),
                _ => Err(self.wrong(place, "\"form\", \"json\" or a {setting}", value)),
            },
            Shape::OneOf(options) => match options.contains(&text()?) {
                true => Ok(()),
                false => {
                    let quoted: Vec<String> = options.iter().map(|o| format!("\"{o}\"")).collect();
                    Err(self.wrong(place, &format!("one of {}", quoted.join(", ")), value))
                }
            },
            Shape::Status => {
                let one = |status: &Json| match status {
                    Json::Number(n) => n.fract() == 0.0 && (100.0..600.0).contains(n),
                    Json::Text(class) => matches!(class.as_bytes(), [b'1'..=b'5', b'x', b'x']),
                    _ => false,
                };
                let ok = match value {
                    Json::List(statuses) => !statuses.is_empty() && statuses.iter().all(one),
                    status => one(status),
                };
                ok.then_some(()).ok_or_else(|| {
                    self.wrong(place, "a status like 410, a class like \"4xx\", or a list of them", value)
                })
            }
            Shape::Texts => match value {
                Json::List(items) if items.iter().all(|item| item.as_text().is_some()) => Ok(()),
                Json::Text(_) => Ok(()),
                _ => Err(self.wrong(place, "a string or a list of strings", value)),
            },
            Shape::Bool => match value {
                Json::Bool(_) => Ok(()),
                _ => Err(self.wrong(place, "true or false", value)),
            },
            Shape::Flag => match value {
                Json::Bool(_) | Json::Text(_) => Ok(()),
                _ => Err(self.wrong(place, "true, false, or where the answer says which", value)),
            },
            Shape::Base => match base_url(text()?) {
                Some(_) => Ok(()),
                None => Err(self.wrong(place, "an origin like https://api.example.com", value)),
            },
            Shape::Object(keys) => {
                let fields = self.object(value, place)?;
                if let Some((key, _)) = fields.iter().find(|(key, _)| !keys.iter().any(|k| k.0 == key)) {
                    let known: Vec<&str> = keys.iter().map(|k| k.0).collect();
                    return Err(self.problem(&within(key), &format!("is not a key here (known: {})", known.join(", "))));
                }
                for Key(key, shape, required) in *keys {
                    match value.get(key) {
                        None | Some(Json::Null) if *required => return Err(self.problem(&within(key), "is missing")),
                        None | Some(Json::Null) => {}
                        Some(inner) => self.value(inner, shape, &within(key))?,
                    }
                }
                // An answer matches on its status, its code, or both; only a weak password has a reason.
                if keys.iter().any(|k| k.0 == "means") {
                    if value.get("status").is_none() && value.get("code").is_none() {
                        return Err(self.problem(place, "needs a status or a code to match"));
                    }
                    if value.get("reason").is_some() && value.text_at("means") != Some("weak_password") {
                        return Err(self.problem(&within("reason"), "is only for \"weak_password\""));
                    }
                }
                Ok(())
            }
            Shape::Map(inner) => self
                .object(value, place)?
                .iter()
                .try_for_each(|(key, item)| self.value(item, inner, &within(key))),
            Shape::List(inner) => match value {
                Json::List(items) => items
                    .iter()
                    .enumerate()
                    .try_for_each(|(i, item)| self.value(item, inner, &within(&i.to_string()))),
                _ => Err(self.wrong(place, "a list", value)),
            },
            Shape::Settings => self.object(value, place)?.iter().try_for_each(|(name, default)| {
                let well_named = name.starts_with(|c: char| c.is_ascii_lowercase())
                    && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
                let ours = PAGE_KEYS.contains(&name.as_str()) || [EMAIL, SECRET, PASSWORD, CODE, PAGES, CONTINUE, RESET_PAGE].contains(&name.as_str());
                match default {
                    _ if !well_named || ours => Err(self.problem(
                        &within(name),
                        "is not a setting name: lower-case letters, digits and _, and not one of the pages' own keys",
                    )),
                    Json::Null | Json::Text(_) => Ok(()),
                    other => Err(self.wrong(&within(name), "a string or null", other)),
                }
            }),
            Shape::LinkSettings => self.object(value, place)?.iter().try_for_each(|(name, param)| {
                match self.settings.contains(&name.as_str()) {
                    true => self.value(param, &Shape::Text, &within(name)),
                    false => Err(self.problem(&within(name), "is not one of the backend's settings")),
                }
            }),
        }
    }

    fn object<'j>(
        &self,
        value: &'j Json,
        place: &str,
    ) -> Result<&'j [(String, Json)], ConfigError> {
        value
            .fields()
            .ok_or_else(|| self.wrong(place, "an object", value))
    }
}
