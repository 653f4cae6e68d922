// Sends a form a person sent before the app ran, without waiting for the app. The page's
// inline script (BOOTSTRAP in src/bin/prerender.rs) imports this module only then, and calls
// `sendAhead` once `config.json` and the backend's description are in: on a slow phone the wasm
// arrives about half a second after the page paints, and the request leaves that much sooner.
//
// It sends exactly what the app would send (src/backend.rs over reclaim_contract::backend: the
// same description, settings, values and language), and only when it is sure to. Whatever it
// does not read the way the app does (a configuration the app would refuse or that needs more
// than the plain rules below, an address or a language tag outside the plain cases, a backend
// that checks links first) is left to the app, which sends it as soon as it runs. The app takes
// this request's answer rather than sending again (`http::send`), so the page reads as for any
// other send; it compares `call` with the request it would send, and sends its own if they
// differ.
//
// The contract's constants it needs are copied below, exported for a test that holds them
// equal to the contract's (tests/web/send_ahead.rs).
//
// Known limit: the backend's description is used as it is; the app checks it against the
// contract's schema first (a deployer's own description with a mistake the app refuses could
// still be sent here).

/** The locales built in (reclaim_contract::locale::BUILT_IN). */
export const BUILT_IN = ["en", "es", "fr", "de", "pt-BR", "ja", "zh-Hans", "ar"];
/** The contract's password bounds (MIN_PASSWORD_CHARS, MAX_PASSWORD_CHARS). */
export const MIN_PASSWORD = 8;
export const MAX_PASSWORD = 128;
/** http::REQUEST_TIMEOUT. */
export const TIMEOUT_MS = 15000;
/** The statuses whose answer has no body (and a `Response` made with one would not be). */
const NULL_BODY_STATUSES = [101, 103, 204, 205, 304];
/** The calls a description may name (reclaim_contract::backend::schema::CALLS). */
const CALLS = ["request", "reset", "check", "reset_with_code"];
/** ASCII whitespace, which both sides trim (JavaScript's `trim` takes more than Rust's). */
const SPACE = "[\\t\\n\\f\\r ]*";
/** An ASCII subset of reclaim_contract::check_email: a dot-atom local part of at most 64
 * characters, and a domain of labels whose last is letters only. */
const EMAIL = new RegExp(
  `^${SPACE}((?=[^@]{1,64}@)[\\w!#$%&'*+/=?^\`{|}~-]+(?:\\.[\\w!#$%&'*+/=?^\`{|}~-]+)*` +
    `@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63})${SPACE}$`,
  "i",
);
/** A link's secret as the app reads it, when it is printable ASCII without `%` (which decoding
 * could read two ways), at most reclaim_contract::link::MAX_TOKEN_LEN. */
const SECRET = new RegExp(`^${SPACE}([!-$&-~]{1,1024})${SPACE}$`);
/** An http(s) origin with an optional path, no query, fragment or space
 * (reclaim_contract::link::base_url), without its trailing slashes. */
const BASE_URL = /^https?:\/\/[^/?#\s][^?#\s]*$/;
/** An http(s) origin alone, as `continue_origins` lists them. */
const ORIGIN = /^https?:\/\/[^/?#\s]+\/*$/;

class LeftToTheApp extends Error {}

/** Stops here: the app sends the form. */
function leave() {
  throw new LeftToTheApp();
}

/**
 * Sends the form `form` ("recovery-form" or "reset-form") as the app would, and returns
 * `{call, language, answer}`: `call` names the request as `http::sent_as` does, `language` is
 * the locale it was sent in, `answer` is the fetch's promise, its body already read. `null`
 * when the form is left to the app.
 *
 * @param config  config.json as parsed (`{}` when there is none)
 * @param backend the backend's description as parsed
 * @param form    the id of the form sent
 * @param opened  the query and fragment the page was opened with, `?` and `#` included
 * @param asked   the language tags the reader asked for, most wanted first: `?lang=`, the
 *                stored choice, then the browser's (src/i18n/choice.rs)
 */
export function sendAhead(config, backend, form, opened, asked) {
  try {
    const request = wireRequest(config, backend, form, opened, asked);
    // Read whole at once: the app may take it after the request's timeout has passed, which
    // would cut off a body still unread.
    const answer = fetch(request.url, request.init).then(async (response) => {
      const body = await response.text();
      const { status, statusText, headers } = response;
      return new Response(NULL_BODY_STATUSES.includes(status) ? null : body, { status, statusText, headers });
    });
    // The app takes the answer, a failure included; until then a failure is nobody's error.
    answer.catch(() => {});
    return { call: request.call, language: request.language, answer };
  } catch (error) {
    if (error instanceof LeftToTheApp) return null;
    throw error;
  }
}

function wireRequest(config, backend, form, opened, asked) {
  const pages = pageSettings(config);
  if (backend?.constructor !== Object) leave();
  const resetting = form === "reset-form";
  const call = resetting ? backend.reset : form === "recovery-form" ? backend.request : null;
  const link = backend.link ?? {};
  // A backend that checks a link does so as the page renders: a reset sent before would spend
  // the link that the check then finds used. A link that supplies settings or names its
  // purpose is read by the app alone.
  if (call?.constructor !== Object) leave();
  if (resetting && (backend.check || link.purpose || link.settings)) leave();

  const values = backendSettings(config, backend);
  const locale = chosenLocale(pages, asked);
  values.set("pages", location.origin);
  const typed = (id) => document.getElementById(id).value;
  if (resetting) {
    if (linkParam(opened, link.error) !== null) leave(); // The backend refused the link.
    const secret = SECRET.exec(linkParam(opened, link.secret) ?? "");
    const password = typed("new-password");
    const chars = [...password].length;
    const acceptable =
      password === typed("confirm-password") &&
      password.isWellFormed() &&
      chars >= pages.minimum &&
      chars <= MAX_PASSWORD;
    if (!secret || !acceptable) leave();
    values.set("secret", secret[1]);
    values.set("password", password);
  } else {
    const email = EMAIL.exec(typed("email"));
    if (!email || email[1].length > 254) leave();
    values.set("email", email[1]);
  }

  // reclaim_contract::locale::fill: each `{name}` replaced by its value, an unknown one kept.
  const fill = (template) =>
    template.replace(/\{([^{}]*)\}/g, (whole, name) => (values.has(name) ? values.get(name) : whole));
  const text = (key) => (typeof call[key] === "string" ? fill(call[key]) : "");
  const pairs = (key) =>
    Object.entries(call[key] ?? {})
      .filter(([, template]) => typeof template === "string")
      .map(([name, template]) => [name, fill(template)]);
  if (text("method") === "GET") leave();

  const base = pages.base ?? (typeof backend.api_base === "string" ? backend.api_base.replace(/\/+$/, "") : location.origin);
  const address = base + text("path");
  const query = pairs("query");
  const encoding = text("encoding") === "json" ? "json" : "form";
  const fields = pairs("fields");
  const headers = pairs("headers");
  const url = new URL(address);
  for (const [name, value] of query) url.searchParams.append(name, value);
  return {
    call: JSON.stringify(["POST", address, query, encoding, fields, headers]),
    language: locale,
    url,
    init: {
      method: "POST",
      // In the app's order; the browser sets a form's Content-Type itself.
      headers: [
        ["Accept-Language", locale],
        ...headers,
        ...(encoding === "json" ? [["Content-Type", "application/json"]] : []),
      ],
      body: encoding === "json" ? JSON.stringify(Object.fromEntries(fields)) : new URLSearchParams(fields),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    },
  };
}

/** config.json's own keys (reclaim_contract::config::PAGE_KEYS) where they hold what the app
 * reads the plain way; `null` is as absent. Anything else leaves: the app shows the deployer
 * the mistake, or reads what this does not. */
function pageSettings(config) {
  if (config?.constructor !== Object) leave();
  const given = (key) => config[key] ?? null;
  const text = (key, { mayBeEmpty = false } = {}) => {
    const value = given(key);
    const fits = typeof value === "string" && !/^\s|\s$/.test(value) && (mayBeEmpty || value !== "");
    if (value !== null && !fits) leave();
    return value;
  };
  const list = (key, fits) => {
    const value = given(key);
    if (value !== null && (!Array.isArray(value) || !value.every((item) => typeof item === "string" && fits(item)))) {
      leave();
    }
    return value;
  };

  const backend = text("backend");
  if (backend !== null && !/^[a-z0-9-]+$/.test(backend)) leave();
  text("sign_in_url");
  text("app_name");
  list("continue_origins", (origin) => ORIGIN.test(origin));
  // Only the built-in locales, spelled as built in, each once: the app reads others more ways.
  const offered = list("locales", (tag) => BUILT_IN.includes(tag)) ?? BUILT_IN;
  if (!offered.length || new Set(offered).size !== offered.length) leave();
  const named = text("default_locale");
  if (named !== null && !offered.includes(named)) leave();
  const fallback = named ?? (offered.includes("en") ? "en" : offered[0]);

  const minimum = given("min_password_length") ?? MIN_PASSWORD;
  if (!Number.isInteger(minimum) || minimum < MIN_PASSWORD || minimum > MAX_PASSWORD) leave();

  // Empty (or only slashes): the description's, else the pages' own origin.
  let base = text("api_base", { mayBeEmpty: true });
  if (base !== null) {
    base = base.replace(/\/+$/, "");
    if (base && !BASE_URL.test(base)) leave();
  }
  return { offered, fallback, minimum, base: base || null };
}

export const PAGE_KEYS = [
  "backend",
  "api_base",
  "sign_in_url",
  "min_password_length",
  "app_name",
  "locales",
  "default_locale",
  "continue_origins",
];

/** The backend's settings (reclaim_contract::backend::Api): config.json's, else the
 * description's defaults. A key that is neither the pages' nor a setting, or a setting the
 * deployment must give and did not, leaves: the app shows the deployer that. */
function backendSettings(config, backend) {
  const settings = backend.settings ?? {};
  if (settings?.constructor !== Object) leave();
  const values = new Map();
  for (const [key, value] of Object.entries(config)) {
    if (PAGE_KEYS.includes(key)) continue;
    if (!Object.hasOwn(settings, key)) leave();
    if (value === null) continue;
    if (typeof value !== "string" || !value.trim() || /^\s|\s$/.test(value)) leave();
    values.set(key, value);
  }
  for (const [key, fallback] of Object.entries(settings)) {
    if (values.has(key)) continue;
    if (typeof fallback !== "string") leave();
    values.set(key, fallback);
  }
  // A setting that is a call's whole encoding, or starts its path, must make sense there.
  for (const name of CALLS) {
    const call = backend[name];
    for (const [part, fits] of [
      ["encoding", (value) => value === "form" || value === "json"],
      ["path", (value) => value.startsWith("/") && !/[?# ]/.test(value)],
    ]) {
      const setting = /^\{([^}]*)\}/.exec(typeof call?.[part] === "string" ? call[part] : "");
      if (setting && values.has(setting[1]) && !fits(values.get(setting[1]))) leave();
    }
  }
  return values;
}

/** The locale the app chooses (i18n::choice::choose with reclaim_contract::locale::match_locale)
 * where the tags asked for match the plain way: exactly, or by language alone where neither
 * tag names a script. Chinese, or a script subtag, is left to the app. */
function chosenLocale({ offered, fallback }, asked) {
  const subtags = (tag) => tag.toLowerCase().split(/[-_]/);
  const scripted = ([language, ...rest]) => language === "zh" || rest.some((part) => /^[a-z]{4}$/.test(part));
  const match = (tag) => {
    tag = (tag ?? "").trim();
    if (!tag) return undefined;
    const exact = offered.find((offer) => offer.toLowerCase() === tag.toLowerCase());
    if (exact) return exact;
    const wanted = subtags(tag);
    if (scripted(wanted)) leave();
    return offered.find((offer) => subtags(offer)[0] === wanted[0] && !scripted(subtags(offer)));
  };
  for (const tag of asked) {
    const locale = match(tag);
    if (locale) return locale;
  }
  return fallback;
}

/** A parameter of the opened link, from its query, else its fragment (as
 * reclaim_contract::backend::Backend::read_link reads it); `null` when absent. */
function linkParam(opened, name) {
  if (typeof name !== "string") return null;
  const hash = opened.indexOf("#");
  const [query, fragment] = hash < 0 ? [opened, ""] : [opened.slice(0, hash), opened.slice(hash + 1)];
  return new URLSearchParams(query).get(name) ?? new URLSearchParams(fragment).get(name);
}
