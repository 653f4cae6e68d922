//! What the check found: one finding per thing checked, in plain words with the fix, printed
//! as sentences for a person or as JSON for CI.

use serde::Serialize;

/// How a finding stands. Only a failure makes the check fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    /// Works, but not as well as it could (a missing path answered 200, plain http).
    Warn,
    Fail,
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// Which check, the same in every run: `csp-connect`, `contrast`, … (for CI and tests).
    pub check: &'static str,
    pub status: Status,
    /// What it is about: a path, a file, a scheme.
    pub subject: String,
    /// What holds, or what is wrong and what a person meets because of it.
    pub message: String,
    /// How to put it right.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub site: String,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn new(site: &url::Url) -> Report {
        Report {
            site: site.to_string(),
            findings: Vec::new(),
        }
    }

    /// Whether everything holds: no finding failed.
    pub fn holds(&self) -> bool {
        self.failures().next().is_none()
    }

    pub fn failures(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.status == Status::Fail)
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.status == Status::Warn)
    }

    pub(crate) fn ok(
        &mut self,
        check: &'static str,
        subject: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.push(check, Status::Ok, subject.into(), message.into(), None);
    }

    pub(crate) fn warn(
        &mut self,
        check: &'static str,
        subject: impl Into<String>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) {
        self.push(
            check,
            Status::Warn,
            subject.into(),
            message.into(),
            Some(fix.into()),
        );
    }

    pub(crate) fn fail(
        &mut self,
        check: &'static str,
        subject: impl Into<String>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) {
        self.push(
            check,
            Status::Fail,
            subject.into(),
            message.into(),
            Some(fix.into()),
        );
    }

    fn push(
        &mut self,
        check: &'static str,
        status: Status,
        subject: String,
        message: String,
        fix: Option<String>,
    ) {
        self.findings.push(Finding {
            check,
            status,
            subject,
            message,
            fix,
        });
    }

    /// For a person: each finding on a line (`ok`, `warn`, `FAIL`), the fix under each
    /// problem, and a count at the end.
    pub fn to_text(&self) -> String {
        let mut text = format!("Checking {} as a browser would.\n\n", self.site);
        for finding in &self.findings {
            let status = match finding.status {
                Status::Ok => "ok",
                Status::Warn => "warn",
                Status::Fail => "FAIL",
            };
            text.push_str(&format!(
                "{status:<5} {}: {}\n",
                finding.subject, finding.message
            ));
            if let Some(fix) = &finding.fix {
                text.push_str(&format!("      fix: {fix}\n"));
            }
        }
        let count =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let failures = self.failures().count();
        let warnings = self.warnings().count();
        let holding = match self.findings.len() - failures - warnings {
            1 => "1 check holds".to_owned(),
            n => format!("{n} checks hold"),
        };
        text.push_str(&format!(
            "\n{}, {}, {holding}.\n",
            count(failures, "problem", "problems"),
            count(warnings, "warning", "warnings"),
        ));
        text
    }

    /// For CI: `{"site", "ok", "findings": [{"check", "status", "subject", "message", "fix"}]}`.
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct Json<'a> {
            site: &'a str,
            ok: bool,
            findings: &'a [Finding],
        }
        let json = Json {
            site: &self.site,
            ok: self.holds(),
            findings: &self.findings,
        };
        serde_json::to_string_pretty(&json).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Report {
        let mut report = Report::new(&url::Url::parse("https://reset.example.com/").unwrap());
        report.ok("page", "/recover", "the page, as text/html");
        report.warn("hsts", "/", "plain http", "serve over https");
        report.fail(
            "csp-connect",
            "/recover",
            "connect-src lacks the API",
            "add it",
        );
        report
    }

    #[test]
    fn only_a_failure_fails() {
        let mut report = report();
        assert!(!report.holds());
        report.findings.retain(|f| f.status != Status::Fail);
        assert!(report.holds());
    }

    #[test]
    fn text_names_each_finding_and_its_fix() {
        let text = report().to_text();
        assert!(
            text.contains("ok    /recover: the page, as text/html\n"),
            "{text}"
        );
        assert!(text.contains("FAIL  /recover: connect-src lacks the API\n      fix: add it\n"));
        assert!(
            text.ends_with("1 problem, 1 warning, 1 check holds.\n"),
            "{text}"
        );
    }

    #[test]
    fn json_carries_the_verdict_and_every_finding() {
        let json: serde_json::Value = serde_json::from_str(&report().to_json()).unwrap();
        assert_eq!(json["ok"], false);
        assert_eq!(json["site"], "https://reset.example.com/");
        assert_eq!(json["findings"][2]["check"], "csp-connect");
        assert_eq!(json["findings"][2]["status"], "fail");
        assert_eq!(json["findings"][0].get("fix"), None);
    }
}
