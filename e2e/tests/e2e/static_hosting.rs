//! The pages on a static host, as a deployer would run them: Debian's nginx with the shipped
//! `deploy/nginx/reclaim.conf` (only its PLACEHOLDER lines replaced) serving `dist/` and
//! proxying `/account/` to the reference server. And the Netlify / Cloudflare Pages files in
//! `deploy/static/`, checked to say the same as the nginx file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use anyhow::{bail, ensure, Context, Result};
use reclaim_e2e::{eventually, run, ALICE, ALICE_PASSWORD};
use reclaim_testkit::reqwest::StatusCode;
use reclaim_testkit::{http_client, MailKind};
use serde_json::json;

use crate::{pages::*, *};

/// The deploy folder of this repository.
fn deploy_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .join("deploy")
}

pub fn read_deploy_file(relative: &str) -> Result<String> {
    let path = deploy_dir().join(relative);
    std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))
}

/// Debian's nginx in the foreground, one process, everything it writes inside its own folder.
pub struct Nginx {
    child: Child,
    dir: PathBuf,
    /// `http://127.0.0.1:<port>`.
    pub origin: String,
}

impl Nginx {
    /// Runs `site` (the shipped configuration from [`site_config`], or a test's variant of it)
    /// on `port`, with everything nginx writes in `dir`.
    pub fn start(dir: &Path, port: u16, site: &str) -> Result<Nginx> {
        let dir = dir.to_path_buf();
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join("reclaim.conf"), site)?;
        // What Debian's /etc/nginx/nginx.conf provides around a site, with paths in `dir`.
        // One process (no master): killing it stops nginx, and it never changes user.
        let main = format!(
            "master_process off;\n\
             pid {dir}/nginx.pid;\n\
             error_log {dir}/error.log info;\n\
             events {{ worker_connections 64; }}\n\
             http {{\n\
               include /etc/nginx/mime.types;\n\
               default_type application/octet-stream;\n\
               sendfile on;\n\
               access_log {dir}/access.log;\n\
               client_body_temp_path {dir}/body;\n\
               proxy_temp_path {dir}/proxy;\n\
               fastcgi_temp_path {dir}/fastcgi;\n\
               uwsgi_temp_path {dir}/uwsgi;\n\
               scgi_temp_path {dir}/scgi;\n\
               include {dir}/reclaim.conf;\n\
             }}\n",
            dir = dir.display()
        );
        std::fs::write(dir.join("nginx.conf"), main)?;
        let binary = nginx_binary()?;
        let output = Command::new(&binary)
            .args(["-t", "-q", "-e"])
            .arg(dir.join("error.log"))
            .arg("-p")
            .arg(&dir)
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .output()
            .with_context(|| format!("running {}", binary.display()))?;
        ensure!(
            output.status.success(),
            "nginx refuses deploy/nginx/reclaim.conf:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let child = Command::new(&binary)
            .arg("-e")
            .arg(dir.join("error.log"))
            .arg("-p")
            .arg(&dir)
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .args(["-g", "daemon off;"])
            .stdin(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        Ok(Nginx {
            child,
            dir,
            origin: format!("http://127.0.0.1:{port}"),
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }

    /// Waits until nginx answers; says what its error log says if it never does.
    pub async fn wait_ready(&mut self) -> Result<()> {
        let (client, url, child) = (http_client(), self.url("/"), &mut self.child);
        let ready = eventually("nginx to answer", || {
            let exited = child.try_wait();
            let request = client.get(&url).send();
            async move {
                if let Ok(Some(status)) = exited {
                    bail!("nginx exited with {status}");
                }
                Ok(request.await.ok().map(|_| ()))
            }
        })
        .await;
        if let Err(e) = ready {
            let log = std::fs::read_to_string(self.dir.join("error.log")).unwrap_or_default();
            bail!("{e:#}\nnginx's error log:\n{log}");
        }
        Ok(())
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `nginx` from scripts/setup.sh (Debian's package), or `$NGINX`.
fn nginx_binary() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("NGINX") {
        return Ok(PathBuf::from(path));
    }
    for candidate in ["/usr/sbin/nginx", "/usr/bin/nginx"] {
        if Path::new(candidate).is_file() {
            return Ok(PathBuf::from(candidate));
        }
    }
    bail!("nginx is not installed: run scripts/setup.sh (it installs Debian's nginx), or set NGINX")
}

/// The shipped site configuration with its PLACEHOLDER lines pointed at this test: `dist` served
/// on `port`, the API at `api` (`host:port`), the access log into `dir`. Fails when a placeholder
/// is gone or doubled, so the file and this test change together.
pub fn site_config(port: u16, dist: &Path, api: &str, dir: &Path) -> Result<String> {
    let mut config = read_deploy_file("nginx/reclaim.conf")?;
    for (placeholder, value) in [
        ("listen 80;", format!("listen 127.0.0.1:{port};")),
        (
            "server_name reclaim.example.com;",
            "server_name 127.0.0.1;".to_owned(),
        ),
        (
            "root /var/www/reclaim/dist;",
            format!("root \"{}\";", dist.display()),
        ),
        ("server 127.0.0.1:8080;", format!("server {api};")),
        (
            "access_log /var/log/nginx/access.log reclaim_no_query;",
            format!(
                "access_log \"{}\" reclaim_no_query;",
                dir.join("reclaim-access.log").display()
            ),
        ),
        (
            "error_log /var/log/nginx/error.log crit;",
            format!(
                "error_log \"{}\" crit;",
                dir.join("reclaim-error.log").display()
            ),
        ),
    ] {
        let found = config.matches(placeholder).count();
        ensure!(
            found == 1,
            "deploy/nginx/reclaim.conf has the placeholder `{placeholder}` {found} times, expected once"
        );
        config = config.replace(placeholder, &value);
    }
    Ok(config)
}

/// The request and reset flow through nginx, deep links, the not-found page with its 404, and
/// the headers on pages, assets, errors and API answers.
#[test]
fn nginx_serves_the_pages_and_the_flow_works_through_it() {
    let [port] = reclaim_e2e::free_ports().expect("a free port for nginx");
    let origin = format!("http://127.0.0.1:{port}");
    run(
        "nginx_serves_the_pages_and_the_flow_works_through_it",
        // As deploy/README.md runs the server behind nginx.
        &["--public-url", &origin, "--trusted-proxy", "127.0.0.1/32"],
        |env| async move {
            let dist = PathBuf::from(std::env::var_os("RECLAIM_DIST").context("RECLAIM_DIST")?);
            let api = env.server().url.trim_start_matches("http://").to_owned();
            let nginx_dir = env.server().dir().join("nginx");
            let site = site_config(port, &dist, &api, &nginx_dir)?;
            let mut nginx = Nginx::start(&nginx_dir, port, &site)?;
            nginx.wait_ready().await?;
            // Redirects are answers to check here, not to follow: a `/recover` → `/recover/`
            // hop is the kind of dance that loses `?token=` on some hosts.
            let client = reclaim_testkit::reqwest::Client::builder()
                .no_proxy()
                .redirect(reclaim_testkit::reqwest::redirect::Policy::none())
                .build()?;

            // Headers: the same policy as the reference server's, on every HTML answer,
            // including the not-found page; its status is a real 404.
            let server_csp = env.server().get("/recover").await;
            let server_csp = parse_csp(header(server_csp.headers(), "content-security-policy"));
            let mut problems = Vec::new();
            for (path, status) in [
                ("/", 200),
                ("/recover", 200),
                ("/recover/", 200),
                ("/reset", 200),
                ("/reset?token=abc", 200),
                ("/index.html", 200),
                ("/nowhere", 404),
                ("/recover/nowhere", 404),
            ] {
                let response = client.get(nginx.url(path)).send().await?;
                let headers = response.headers().clone();
                let mut problem = |what: String| problems.push(format!("{path}: {what}"));
                if response.status() != status {
                    problem(format!("status {}, expected {status}", response.status()));
                }
                if response.status().is_redirection() {
                    problem(format!("redirects to {:?}", header(&headers, "location")));
                }
                let nginx_csp = parse_csp(header(&headers, "content-security-policy"));
                if nginx_csp != server_csp {
                    problem(format!(
                        "CSP {nginx_csp:?} differs from the reference server's {server_csp:?}"
                    ));
                }
                for (name, expected) in [
                    ("content-type", "text/html; charset=utf-8"),
                    ("cache-control", "no-store"),
                    ("x-content-type-options", "nosniff"),
                    ("referrer-policy", "no-referrer"),
                    ("x-frame-options", "DENY"),
                    ("cross-origin-opener-policy", "same-origin"),
                ] {
                    if header(&headers, name) != expected {
                        problem(format!(
                            "{name} {:?}, expected {expected:?}",
                            header(&headers, name)
                        ));
                    }
                }
                if header(&headers, "permissions-policy").is_empty() {
                    problem("no Permissions-Policy".into());
                }
            }

            // HSTS only on what went over https (here, at a TLS proxy in front that says so).
            let plain = client.get(nginx.url("/recover")).send().await?;
            if !header(plain.headers(), "strict-transport-security").is_empty() {
                problems.push("/recover over http: Strict-Transport-Security".into());
            }
            let secure = client
                .get(nginx.url("/recover"))
                .header("x-forwarded-proto", "https")
                .send()
                .await?;
            if header(secure.headers(), "strict-transport-security") != "max-age=31536000" {
                problems.push("/recover over https: no Strict-Transport-Security".into());
            }
            // The access log shows paths, never a query: `?token=` there is a working link.
            let access_log = nginx.dir.join("reclaim-access.log");
            let logged = eventually("nginx to log /reset", || async {
                let logged = std::fs::read_to_string(&access_log).unwrap_or_default();
                Ok(logged.contains("GET /reset ").then_some(logged))
            })
            .await?;
            if logged.contains("token=") {
                problems.push(format!("the access log shows a token:\n{logged}"));
            }

            // Assets: the right types, compressed, hashed names cached for good, the files a
            // deployer edits (config.json, brand.css) revalidated.
            for file in std::fs::read_dir(&dist)? {
                let file = file?.path();
                let expected = match file.extension().and_then(|e| e.to_str()) {
                    Some("js") => "javascript",
                    Some("wasm") => "application/wasm",
                    Some("css") => "text/css",
                    Some("json") => "application/json",
                    _ => continue,
                };
                let hashed = has_content_hash(&file);
                let path = format!("/{}", file.file_name().unwrap().to_string_lossy());
                let response = client
                    .get(nginx.url(&path))
                    .header("accept-encoding", "gzip")
                    .send()
                    .await?;
                let headers = response.headers().clone();
                let mut problem = |what: String| problems.push(format!("{path}: {what}"));
                if response.status() != StatusCode::OK {
                    problem(format!("status {}", response.status()));
                }
                if !header(&headers, "content-type").contains(expected) {
                    problem(format!(
                        "content-type {:?}",
                        header(&headers, "content-type")
                    ));
                }
                let cache = header(&headers, "cache-control");
                if hashed && cache != "public, max-age=31536000, immutable" {
                    problem(format!("hashed asset with cache-control {cache:?}"));
                }
                if !hashed && cache != "no-cache" {
                    problem(format!("cache-control {cache:?}, expected no-cache"));
                }
                if header(&headers, "x-content-type-options") != "nosniff" {
                    problem("no nosniff".into());
                }
                if file.metadata()?.len() > 1024 && header(&headers, "content-encoding") != "gzip" {
                    problem("not gzipped for a client that accepts gzip".into());
                }
            }
            for hidden in ["/.git/config", "/.env"] {
                let status = client.get(nginx.url(hidden)).send().await?.status();
                if status != StatusCode::NOT_FOUND {
                    problems.push(format!("{hidden}: status {status}, expected 404"));
                }
            }

            // The API through nginx: the server's own answer, each security header once.
            let response = client
                .post(nginx.url("/account/login"))
                .json(&json!({ "email": ALICE, "password": "not the password" }))
                .send()
                .await?;
            if response.status() != StatusCode::UNAUTHORIZED {
                problems.push(format!("/account/login: status {}", response.status()));
            }
            for name in [
                "x-content-type-options",
                "cache-control",
                "content-security-policy",
            ] {
                let count = response.headers().get_all(name).iter().count();
                if count != 1 {
                    problems.push(format!("/account/login: {name} sent {count} times"));
                }
            }
            ensure!(
                problems.is_empty(),
                "nginx's answers:\n  {}",
                problems.join("\n  ")
            );
            // And `reclaim-check` finds nothing to say against the recipe as shipped.
            crate::deployment_check::assert_check_holds(&nginx.origin, &[]).await?;

            // A person through nginx: ask for a link, open it from the mail, set a password.
            let browser = env.browser_at(&nginx.origin).await?;
            let flow = ResetFlow::new(&browser, &env, ALICE);
            flow.request().await?;
            let mail = env
                .server()
                .outbox
                .wait_for(MailKind::Reset, ALICE, 1)
                .await;
            let link = MailedLink::with_token(mail[0].reset_link())?;
            ensure!(
                link.url.starts_with(&nginx.url("/reset?token=")),
                "the mailed link {} does not point at nginx ({})",
                link.url,
                nginx.origin
            );
            flow.open(&link).await?;
            let outcome = flow.choose(NEW_PASSWORD).await?;
            ensure!(
                outcome == CHANGED,
                "the reset through nginx ended on {outcome:?}"
            );
            browser.assert_same_origin().await?;
            browser.assert_console_clean(&[]).await?;

            // Signing in through nginx: the new password works, the old one no longer does.
            for (password, expected) in [
                (NEW_PASSWORD, StatusCode::OK),
                (ALICE_PASSWORD, StatusCode::UNAUTHORIZED),
            ] {
                let status = client
                    .post(nginx.url("/account/login"))
                    .json(&json!({ "email": ALICE, "password": password }))
                    .send()
                    .await?
                    .status();
                ensure!(
                    status == expected,
                    "signing in through nginx: {status}, expected {expected}"
                );
            }

            // Deep links, typed or followed, each landing on its page; an unknown path on the
            // not-found page (its 404 is expected in the console).
            for (path, heading) in [
                ("/reset?token=bogus", CHOOSE),
                ("/recover", REQUEST),
                ("/", REQUEST),
                ("/reset", CHOOSE),
                ("/nowhere", NOT_FOUND),
            ] {
                browser.goto(path).await?;
                browser
                    .wait_heading(heading)
                    .await
                    .with_context(|| format!("{path} through nginx"))?;
                browser.assert_same_origin().await?;
            }
            browser.assert_console_clean(&[404]).await?;
            drop(nginx);
            Ok(())
        },
    );
}

/// Neither of the site's logs ever records a reset link's secret, whatever nginx.conf sets:
/// requests carrying one to a missing page, to a path nginx refuses, with a Host it refuses,
/// and to the API while nothing answers behind it (the main configuration logs at `info`, as a
/// busy deployer might).
#[test]
fn nginx_logs_no_secret_whatever_goes_wrong() {
    let [port, closed] = reclaim_e2e::free_ports().expect("free ports for nginx and a dead API");
    let check = async {
        let dist = reclaim_e2e::dist_dir()?;
        let dir = tempfile::tempdir()?;
        let site = site_config(port, &dist, &format!("127.0.0.1:{closed}"), dir.path())?;
        let mut nginx = Nginx::start(dir.path(), port, &site)?;
        nginx.wait_ready().await?;
        const SECRET: &str = "Zq7SecretTokenNeverLogged";
        let client = reclaim_testkit::reqwest::Client::builder()
            .no_proxy()
            .redirect(reclaim_testkit::reqwest::redirect::Policy::none())
            .build()?;
        let token = format!("token={SECRET}");
        for path in [
            format!("/nowhere?{token}"),
            format!("/%2e%2e/?{token}"),
            format!("/reset/../../?{token}"),
            format!("/reset?{token}&lang=ar"),
        ] {
            client.get(nginx.url(&path)).send().await?;
        }
        client
            .get(nginx.url(&format!("/reset?{token}")))
            .header("host", "bad host/x")
            .send()
            .await?;
        let down = client
            .post(nginx.url(&format!("/account/reset-password?{token}")))
            .form(&[("token", SECRET), ("new_password", "x")])
            .send()
            .await?;
        ensure!(
            down.status().is_server_error(),
            "the API answered: {}",
            down.status()
        );
        // Give nginx a moment to write what it writes.
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let mut logged = Vec::new();
        for name in [
            "error.log",
            "access.log",
            "reclaim-error.log",
            "reclaim-access.log",
        ] {
            let text = std::fs::read_to_string(dir.path().join(name)).unwrap_or_default();
            if text.contains(SECRET) {
                logged.push(format!("{name}:\n{text}"));
            }
        }
        ensure!(
            logged.is_empty(),
            "a log holds the secret:\n{}",
            logged.join("\n")
        );
        Ok(())
    };
    block_on(check);
}

/// `_headers` rules in file order: (path pattern, [(header, value)]).
type HeaderRules = Vec<(String, Vec<(String, String)>)>;

fn parse_headers_file(text: &str) -> Result<HeaderRules> {
    let mut rules: HeaderRules = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if !line.starts_with(char::is_whitespace) {
            rules.push((trimmed.to_owned(), Vec::new()));
            continue;
        }
        let Some((name, value)) = trimmed.split_once(':') else {
            bail!("_headers line {}: not `Name: value`: {line:?}", number + 1);
        };
        let Some((_, headers)) = rules.last_mut() else {
            bail!("_headers line {}: a header before any path", number + 1);
        };
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    Ok(rules)
}

/// `add_header Name "value" always;` and `add_header Name $variable always;` of the nginx file.
fn nginx_add_headers(config: &str) -> BTreeMap<String, String> {
    config
        .lines()
        .map(str::trim)
        .filter_map(|line| line.strip_prefix("add_header "))
        .filter_map(|rest| {
            let (name, value) = rest.split_once(' ')?;
            let value = value.trim_end_matches(';').trim_end_matches(" always");
            Some((name.to_owned(), value.trim_matches('"').to_owned()))
        })
        .collect()
}

/// The value of `key` in the nginx `map` that sets `$variable` (quotes removed).
fn nginx_map_value(config: &str, variable: &str, key: &str) -> Result<String> {
    let start = config
        .find(&format!(" {variable} {{"))
        .with_context(|| format!("no map for {variable}"))?;
    let block = &config[start..];
    // The block ends at a `}` alone on its line (a regex key may hold `{12,}`).
    let block = &block[..block.find("\n}").unwrap_or(block.len())];
    for line in block.lines().skip(1) {
        let line = line.trim().trim_end_matches(';');
        if let Some(rest) = line.strip_prefix(key) {
            return Ok(rest.trim().trim_matches('"').to_owned());
        }
    }
    bail!("the map for {variable} has no {key}")
}

/// The build's `dist/_headers` is the recipe with one more header on each page: a `Link` that
/// asks for this build's wasm as the page's own `<link rel=preload>` does, so that the browser
/// starts that download with the response, on exactly the paths the recipe keeps out of caches
/// and set there by no other rule. That request leaves before the page's `<meta>` referrer
/// policy is read: the policy every path gets in the same file keeps a reset link's secret out
/// of its Referer. (The reference server sends the same `Link`; `the_app_is_downloaded_once`
/// shows the browser then downloads the wasm once.)
#[test]
fn the_builds_headers_ask_for_its_wasm_with_every_page() {
    let check = || -> Result<()> {
        let dist = reclaim_e2e::dist_dir()?;
        let recipe = read_deploy_file("static/_headers")?;
        let built = std::fs::read_to_string(dist.join("_headers"))?;
        ensure!(
            built.starts_with(&recipe),
            "dist/_headers does not start with deploy/static/_headers as it is"
        );
        let page = std::fs::read_to_string(dist.join("index.html"))?;
        let wasm = reclaim_contract::assets::wasm_of_page(&page)
            .context("dist/index.html names no wasm")?;
        ensure!(
            dist.join(wasm.trim_start_matches('/')).is_file(),
            "dist/index.html names {wasm}, which dist does not hold"
        );
        let preload = reclaim_contract::assets::wasm_preload_header(wasm);
        let rules = parse_headers_file(&built)?;
        let links: Vec<(&str, &str)> = rules
            .iter()
            .flat_map(|(path, headers)| {
                headers
                    .iter()
                    .filter(|(name, _)| name == "Link")
                    .map(move |(_, value)| (path.as_str(), value.as_str()))
            })
            .collect();
        let pages = [
            "/",
            "/index.html",
            "/recover",
            "/recover/",
            "/reset",
            "/reset/",
            "/404.html",
        ];
        ensure!(
            links == pages.map(|path| (path, preload.as_str())),
            "dist/_headers asks for the wasm on {links:#?}, expected once on each of {pages:?} \
             with {preload}"
        );
        let everywhere = &rules
            .iter()
            .find(|(path, _)| path == "/*")
            .context("dist/_headers has no /* rule")?
            .1;
        ensure!(
            everywhere.contains(&("Referrer-Policy".to_owned(), "no-referrer".to_owned())),
            "dist/_headers sends no `Referrer-Policy: no-referrer` on /*"
        );
        Ok(())
    };
    if let Err(e) = check() {
        panic!("{e:#}");
    }
}

/// The Netlify / Cloudflare Pages files send what nginx sends: the same header values, the
/// same caching, one rule per header for any path, and rewrites that keep the deep links.
#[test]
fn static_host_files_match_the_nginx_configuration() {
    let check = || -> Result<()> {
        let nginx = read_deploy_file("nginx/reclaim.conf")?;
        let rules = parse_headers_file(&read_deploy_file("static/_headers")?)?;
        let nginx_headers = nginx_add_headers(&nginx);
        let html_csp = nginx_map_value(&nginx, "$reclaim_csp", "\"~^text/html\"")?;
        let html_cache = nginx_map_value(&nginx, "$reclaim_cache_control", "\"~^text/html\"")?;
        let hashed_cache = nginx_map_value(
            &nginx,
            "$reclaim_asset_cache_control",
            "\"~-[0-9a-f]{12,}(_bg)?\\.[A-Za-z0-9]+$\"",
        )?;
        let other_cache = nginx_map_value(&nginx, "$reclaim_asset_cache_control", "default")?;
        ensure!(
            html_csp == reclaim_contract::policy::HOST_POLICY,
            "nginx's HTML policy is {html_csp:?}, not the host's half of the pages' policy"
        );

        let rule = |path: &str| {
            rules
                .iter()
                .find(|(pattern, _)| pattern == path)
                .map(|(_, headers)| headers.clone())
                .with_context(|| format!("_headers has no rule for {path}"))
        };
        // Every header nginx sends with a fixed value, on every path, with the same value.
        let everywhere: BTreeMap<String, String> = rule("/*")?.into_iter().collect();
        let mut expected: BTreeMap<String, String> = nginx_headers
            .iter()
            .filter(|(_, value)| !value.starts_with('$'))
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect();
        expected.insert("Content-Security-Policy".into(), html_csp.clone());
        ensure!(
            everywhere == expected,
            "_headers /* sends {everywhere:#?}\nnginx sends {expected:#?}"
        );

        // Caching per kind of file, as nginx does it.
        for (path, value) in [
            ("/", &html_cache),
            ("/index.html", &html_cache),
            ("/recover", &html_cache),
            ("/recover/", &html_cache),
            ("/reset", &html_cache),
            ("/reset/", &html_cache),
            ("/404.html", &html_cache),
            ("/*.js", &hashed_cache),
            ("/*.wasm", &hashed_cache),
            ("/favicon-*.svg", &hashed_cache),
            ("/config.json", &other_cache),
            ("/brand.css", &other_cache),
        ] {
            let headers = rule(path)?;
            ensure!(
                headers == [("Cache-Control".to_owned(), value.clone())],
                "_headers {path}: {headers:?}, expected Cache-Control: {value}"
            );
        }
        // Both hosts join a header set by two matching rules: only /* may overlap the others,
        // and it sets no header they set.
        for (pattern, headers) in rules.iter().filter(|(p, _)| p != "/*") {
            for (name, _) in headers {
                ensure!(
                    !everywhere.contains_key(name),
                    "_headers sets {name} on both /* and {pattern}"
                );
            }
        }

        // Rewrites: the routes served in place (200, query kept), no catch-all over the
        // assets, the API proxied.
        // As the build writes it into dist/, from deploy/static/_redirects.
        let redirects = std::fs::read_to_string(reclaim_e2e::dist_dir()?.join("_redirects"))?;
        let lines: Vec<Vec<&str>> = redirects
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .map(|line| line.split_whitespace().collect())
            .collect();
        for line in &lines {
            let with_query = line.len() == 4 && line[1].starts_with("lang=");
            ensure!(
                (2..=3).contains(&line.len()) || with_query,
                "_redirects: `{}` is not `from [lang=<tag>] to [status]`",
                line.join(" ")
            );
            ensure!(
                line[0] != "/*",
                "_redirects: a /* rule would catch the scripts and the wasm too"
            );
        }
        for (from, to) in [("/recover", "/recover/"), ("/reset", "/reset/")] {
            ensure!(
                lines.contains(&vec![from, to, "200"]),
                "_redirects lacks `{from} {to} 200`"
            );
        }
        // `?lang=<tag>` serves the build's copy of each page in every built-in locale but
        // English (the root's own), before the rules above, as nginx's map does.
        let mut rules_before_routes = 0;
        for (index, line) in lines.iter().enumerate() {
            if line.len() == 4 {
                rules_before_routes = rules_before_routes.max(index + 1);
            }
        }
        let first_route = lines
            .iter()
            .position(|l| l == &vec!["/recover", "/recover/", "200"])
            .unwrap_or(0);
        ensure!(
            rules_before_routes <= first_route,
            "_redirects: the lang= rules must come before `/recover /recover/ 200`"
        );
        let localised = reclaim_contract::locale::BUILT_IN
            .iter()
            .filter(|tag| **tag != reclaim_contract::locale::DEFAULT_LOCALE);
        for tag in localised {
            let condition = format!("lang={tag}");
            for (from, to) in [
                ("/", format!("/{tag}/index.html")),
                ("/recover", format!("/{tag}/recover/index.html")),
                ("/recover/", format!("/{tag}/recover/index.html")),
                ("/reset", format!("/{tag}/reset/index.html")),
                ("/reset/", format!("/{tag}/reset/index.html")),
            ] {
                ensure!(
                    lines.contains(&vec![from, condition.as_str(), to.as_str(), "200!"]),
                    "_redirects lacks `{from} {condition} {to} 200!`"
                );
            }
        }
        // nginx serves `/<tag>/…` for any well-formed `?lang=<tag>` (what exists is served,
        // the root's page otherwise), so it needs no list of locales.
        ensure!(
            nginx_map_value(&nginx, "$reclaim_lang_dir", "default")?.is_empty(),
            "nginx must ignore an unknown lang"
        );
        ensure!(
            lines.iter().any(|l| l[0] == "/account/*"
                && l[1].ends_with("/account/:splat")
                && l.get(2) == Some(&"200")),
            "_redirects does not proxy /account/* to the API"
        );
        Ok(())
    };
    if let Err(e) = check() {
        panic!("{e:#}");
    }
}
