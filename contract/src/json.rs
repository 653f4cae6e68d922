//! A JSON value, whoever parsed it: the browser's own parser in the pages (a JSON library in the
//! wasm would cost every visitor more than this module), serde_json in the server, the build and
//! the tests. The deployment's files (`config.json`, a backend's description, a locale file) and
//! the APIs' answers are read through it, so each is read by one piece of code on every side.

/// One JSON value. Objects keep their keys in the order the parser gives them: as written in the
/// browser, sorted by serde_json (whose `preserve_order` is off).
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Number(f64),
    Text(String),
    List(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    /// The value of `key` in an object; `None` for a missing key or a value that is no object.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The value as a message names it: a string is repeated, anything else named by its kind.
    pub fn describe(&self) -> String {
        match self {
            Json::Text(text) => format!("\"{text}\""),
            other => other.kind().to_owned(),
        }
    }

    pub fn as_text(&self) -> Option<&str> {
        match self {
            Json::Text(text) => Some(text),
            _ => None,
        }
    }

    /// The fields of an object, in order; `None` for anything else.
    pub fn fields(&self) -> Option<&[(String, Json)]> {
        match self {
            Json::Object(fields) => Some(fields),
            _ => None,
        }
    }

    /// Every non-empty text found at a dotted `path` (`error.message`), trimmed. A `*` step
    /// takes every item of a list or every value of an object (`errors.*.code`,
    /// `data.*.code`), and a number step an item of a list (`errors.0.code`); a list at the
    /// end of the path gives its texts (`reasons`).
    pub fn texts_at(&self, path: &str) -> Vec<&str> {
        let mut found = vec![self];
        for step in path.split('.').filter(|step| !step.is_empty()) {
            found = found
                .into_iter()
                .flat_map(|value| value.step(step))
                .collect();
        }
        found
            .into_iter()
            .flat_map(|value| match value {
                Json::List(items) => items.iter().collect(),
                other => vec![other],
            })
            .filter_map(Json::as_text)
            .map(str::trim)
            .filter(|text| !text.is_empty())
            .collect()
    }

    /// The value at a dotted `path` of object keys (`meta.sessions_ended`), if there is one.
    pub fn get_at(&self, path: &str) -> Option<&Json> {
        path.split('.')
            .filter(|step| !step.is_empty())
            .try_fold(self, |value, step| value.get(step))
    }

    /// The first text at `path` (see [`Json::texts_at`]).
    pub fn text_at(&self, path: &str) -> Option<&str> {
        self.texts_at(path).into_iter().next()
    }

    fn step(&self, step: &str) -> Vec<&Json> {
        match (self, step) {
            (Json::List(items), "*") => items.iter().collect(),
            (Json::Object(fields), "*") => fields.iter().map(|(_, value)| value).collect(),
            (Json::List(items), index) => index
                .parse::<usize>()
                .ok()
                .and_then(|i| items.get(i))
                .into_iter()
                .collect(),
            (object, key) => object.get(key).into_iter().collect(),
        }
    }

    /// What kind of value this is, for a deployer's error message ("not a list").
    pub fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Number(_) => "a number",
            Json::Text(_) => "a string",
            Json::List(_) => "a list",
            Json::Object(_) => "an object",
        }
    }
}

/// JSON read natively (the server, the build, the tests) becomes the same value the browser's
/// parser gives the pages.
#[cfg(any(test, feature = "serde_json"))]
impl From<serde_json::Value> for Json {
    fn from(value: serde_json::Value) -> Self {
        use serde_json::Value;
        match value {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(b),
            Value::Number(n) => Json::Number(n.as_f64().unwrap_or(f64::NAN)),
            Value::String(s) => Json::Text(s),
            Value::Array(items) => Json::List(items.into_iter().map(Json::from).collect()),
            Value::Object(fields) => Json::Object(
                fields
                    .into_iter()
                    .map(|(k, v)| (k, Json::from(v)))
                    .collect(),
            ),
        }
    }
}

/// Parses JSON text natively; the pages use the browser's parser instead.
#[cfg(any(test, feature = "serde_json"))]
pub fn parse(text: &str) -> Result<Json, String> {
    serde_json::from_str::<serde_json::Value>(text)
        .map(Json::from)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Json {
        Json::Text(s.into())
    }

    fn object(fields: &[(&str, Json)]) -> Json {
        Json::Object(
            fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn paths_walk_objects_lists_and_wildcards() {
        let body = object(&[
            ("error", object(&[("message", text(" INVALID_OOB_CODE "))])),
            (
                "errors",
                Json::List(vec![
                    object(&[("code", text("password_too_short"))]),
                    object(&[("code", text("password_too_common"))]),
                ]),
            ),
            (
                "data",
                object(&[
                    (
                        "token",
                        object(&[("code", text("validation_invalid_token"))]),
                    ),
                    ("password", object(&[("code", text(""))])),
                ]),
            ),
        ]);
        assert_eq!(body.text_at("error.message"), Some("INVALID_OOB_CODE"));
        assert_eq!(
            body.texts_at("errors.*.code"),
            ["password_too_short", "password_too_common"]
        );
        assert_eq!(body.text_at("errors.1.code"), Some("password_too_common"));
        assert_eq!(body.texts_at("data.*.code"), ["validation_invalid_token"]);
        assert!(body.texts_at("error.missing").is_empty());
        assert!(body.texts_at("errors.9.code").is_empty());
        assert!(text("x").texts_at("a.b").is_empty());
        assert_eq!(text("x").text_at(""), Some("x"));
        let reasons = object(&[("reasons", Json::List(vec![text("common"), Json::Null]))]);
        assert_eq!(reasons.texts_at("reasons"), ["common"]);
    }
}
