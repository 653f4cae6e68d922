// The page's first script: inline, first in the <head> of every prerendered page, so it runs
// before anything else is requested or painted. It does three things, and hands what it did
// to the app in `window.reclaimHandoff`, which the app reads once (src/start_up/handoff.rs):
//
// 1. It takes the address's query and fragment (a reset link's secret) out of the address bar
//    at once, keeping only the page and a built-in `?lang=`: a secret left there ends up in
//    history, screenshots, shared links and synced tabs. The app gets their parameters as
//    `opened`.
// 2. It holds a form sent before the app runs: the button says it is busy (and the live region
//    says so), the fields turn read-only, and the form's id waits in `held` for the app, which
//    sends exactly that once it has taken the page over. Only the first: a second tap sends
//    nothing more. The submit buttons are disabled in the HTML, so that Enter cannot submit a
//    form natively before this script has run; it enables them.
// 3. Once the first frame is on screen, it fetches every file the app's start waits on at once
//    (the configuration, then the backend's description it names, and the page language's
//    catalogs), leaving each response's promise in `fetched` by path (the description's by its
//    folder's, as its name is known only once config.json is in), and starts the app from
//    the JS glue and the wasm, which the page's <head> began to download before this ran.
//    The first frame needs none of them (the styles are in the page), so they wait for it
//    rather than share the line with the rest of the page.
//
// The build (src/bin/prerender.rs) writes the contract's constants in for the __NAMES__ below,
// minifies the result and names its hash in each page's Content-Security-Policy.
{
  const BUILT_IN = __BUILT_IN__;
  const DEFAULT_BACKEND = __DEFAULT_BACKEND__;
  const DEFAULT_LOCALE = __DEFAULT_LOCALE__;
  const LANG_PARAM = __LANG_PARAM__;
  const CONFIG_PATH = __CONFIG_PATH__;
  const DESCRIPTIONS_PATH = __DESCRIPTIONS_PATH__;
  const CATALOGS_PATH = __CATALOGS_PATH__;
  const OVERRIDES_PATH = __OVERRIDES_PATH__;

  // The query's and the fragment's parameters, decoded by the browser: [[name, value], ...].
  const params = (encoded) => [...new URLSearchParams(encoded)];
  const handoff = (window.reclaimHandoff = {
    opened: { query: params(location.search), fragment: params(location.hash.slice(1)) },
    held: null,
    fetched: {},
  });
  const app = document.querySelector("meta[name=reclaim-app]").dataset;
  const prerendered = (node) => node.closest("[data-prerendered]");

  // 1. An absolute address, so that a path starting with `//` is not read as another host.
  if (location.search || location.hash) {
    const asked = (new URLSearchParams(location.search).get(LANG_PARAM) || "").toLowerCase();
    const lang = BUILT_IN.find((tag) => tag.toLowerCase() === asked);
    const page = location.href.split(/[?#]/, 1)[0];
    try {
      history.replaceState(null, "", page + (lang ? `?${LANG_PARAM}=${lang}` : ""));
    } catch {
      // Nothing else can take it out; the app must still start.
    }
  }

  // 2.
  addEventListener("DOMContentLoaded", () => {
    for (const button of document.querySelectorAll("[data-prerendered] [type=submit]")) {
      button.disabled = false;
    }
  });
  addEventListener(
    "submit",
    (event) => {
      const form = event.target;
      if (!prerendered(form)) return;
      event.preventDefault();
      if (handoff.held) return;
      handoff.held = form.id;
      for (const field of form.elements) field.readOnly = true;
      const button = form.querySelector("[type=submit]");
      button.classList.add("button-busy");
      button.setAttribute("aria-disabled", "true");
      button.textContent = document.getElementById("announcer").textContent = button.dataset.busy;
    },
    true,
  );

  // 3. A requestAnimationFrame callback runs before a frame is painted: the second runs once
  // the first frame has been shown.
  const fetchFile = (path) => (handoff.fetched[path] = fetch(path));
  requestAnimationFrame(() =>
    requestAnimationFrame(() =>
      setTimeout(() => {
        // The description is left under the folder's path, at once: the app may start before
        // config.json has named it, and takes it if it names the same.
        handoff.fetched[DESCRIPTIONS_PATH] = fetchFile(CONFIG_PATH)
          .then((response) => (response.ok ? response.clone().json() : {}))
          .then((config) => {
            const backend = config.backend || DEFAULT_BACKEND;
            // Only a name the app would read too: it says what is wrong with any other.
            return /^[a-z0-9-]+$/.test(backend) ? fetch(`${DESCRIPTIONS_PATH}/${backend}.json`) : null;
          })
          .catch(() => null);
        const locale = document.documentElement.lang;
        if (locale !== DEFAULT_LOCALE) fetchFile(`${CATALOGS_PATH}/${locale}.json`);
        fetchFile(`${OVERRIDES_PATH}/${locale}.json`);
        const wasm = fetch(app.wasm);
        import(app.glue).then((glue) => glue.default({ module_or_path: wasm }));
      }),
    ),
  );
}
