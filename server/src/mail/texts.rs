//! The words of the server's two messages, in every built-in locale: one [`MailTexts`] per
//! locale, English first. Each is written for its readers in the register of a careful
//! product (Japanese です/ます, German "Sie", French "vous", Spanish "tú" in words common to
//! Spain and Latin America, pt-BR "você", Simplified Chinese, Modern Standard Arabic), not
//! translated word for word; the structure is the same everywhere: the link, the page and the
//! code (`XXXX-XXXX`) on a line of its own, the lifetime of both, and what to do if it was not
//! you.
//!
//! Bodies are templates with `{name}` placeholders, filled by [`fill`]; every locale uses
//! exactly the placeholders English uses (a test checks). Lines are short enough for any mail
//! client and the link and the code stand alone on their lines, so a right-to-left text never
//! reorders them.

use std::time::Duration;

use crate::domain::Locale;

/// One locale's words for both messages.
pub struct MailTexts {
    /// The locale's canonical tag (`reclaim_contract::locale::BUILT_IN`).
    pub tag: &'static str,
    pub reset_subject: &'static str,
    /// Placeholders: `{to}` the account's address, `{url}` the link, `{page}` the reset page,
    /// `{code}` the short code, grouped, `{lifetime}` from [`MailTexts::duration`].
    pub reset_body: &'static str,
    pub changed_subject: &'static str,
    /// Placeholder: `{to}`.
    pub changed_body: &'static str,
    /// "30 minutes": a count of a unit, as the lifetime sentence needs it.
    pub duration: fn(u64, TimeUnit) -> String,
}

/// The unit a link lifetime is said in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    Second,
    Minute,
    Hour,
}

impl MailTexts {
    /// The words for `locale`.
    pub fn of(locale: Locale) -> &'static MailTexts {
        ALL.iter()
            .find(|texts| texts.tag == locale.tag())
            .copied()
            .unwrap_or(&EN)
    }

    /// "30 minutes", "1 hour", "45 seconds": rounded down, so the mail never promises more
    /// time than the link has.
    pub fn describe(&self, lifetime: Duration) -> String {
        let seconds = lifetime.as_secs();
        let (count, unit) = if seconds >= 3600 && seconds.is_multiple_of(3600) {
            (seconds / 3600, TimeUnit::Hour)
        } else if seconds >= 60 {
            (seconds / 60, TimeUnit::Minute)
        } else {
            (seconds, TimeUnit::Second)
        };
        (self.duration)(count, unit)
    }
}

pub use reclaim_contract::locale::fill;

/// Every locale, in `BUILT_IN` order.
pub const ALL: [&MailTexts; 8] = [&EN, &ES, &FR, &DE, &PT_BR, &JA, &ZH_HANS, &AR];

const EN: MailTexts = MailTexts {
    tag: "en",
    reset_subject: "Reset your password",
    reset_body: "\
Hello,

Someone asked to reset the password of the account for {to}.
If it was you, open this link to choose a new password:

{url}

If the link does not open, go to {page} and enter this code:

{code}

The link and the code expire in {lifetime} and work only once.

If you did not ask for this, you can ignore this email. Your password
stays the same, and nobody can change it without this link or code.
",
    changed_subject: "Your password was changed",
    changed_body: "\
Hello,

The password of the account for {to} was just changed with a
password reset link. Every other reset link and every signed-in
session of the account has been ended.

If you did this, there is nothing more to do.

If you did not, someone may be able to read your email. Secure your
email account first, then ask for a new password reset link.
",
    duration: |count, unit| {
        let unit = match unit {
            TimeUnit::Second => "second",
            TimeUnit::Minute => "minute",
            TimeUnit::Hour => "hour",
        };
        format!("{count} {unit}{}", if count == 1 { "" } else { "s" })
    },
};

const ES: MailTexts = MailTexts {
    tag: "es",
    reset_subject: "Restablece tu contraseña",
    reset_body: "\
Hola:

Recibimos una solicitud para restablecer la contraseña de la cuenta
de {to}.
Si fuiste tú, abre este enlace para elegir una contraseña nueva:

{url}

Si el enlace no se abre, ve a {page} y escribe este código:

{code}

El enlace y el código son válidos durante {lifetime} y solo se
pueden usar una vez.

Si no lo solicitaste, puedes ignorar este correo. Tu contraseña sigue
siendo la misma y nadie puede cambiarla sin este enlace o este código.
",
    changed_subject: "Se cambió tu contraseña",
    changed_body: "\
Hola:

Se acaba de cambiar la contraseña de la cuenta de {to} con un enlace
para restablecer la contraseña. Todos los demás enlaces para
restablecerla dejaron de funcionar y se cerraron todas las sesiones
iniciadas en la cuenta.

Si fuiste tú, no tienes que hacer nada más.

Si no fuiste tú, es posible que alguien pueda leer tu correo. Primero
protege tu cuenta de correo electrónico y después solicita un nuevo
enlace para restablecer la contraseña.
",
    duration: |count, unit| {
        let (one, many) = match unit {
            TimeUnit::Second => ("segundo", "segundos"),
            TimeUnit::Minute => ("minuto", "minutos"),
            TimeUnit::Hour => ("hora", "horas"),
        };
        format!("{count} {}", if count == 1 { one } else { many })
    },
};

// French sets a no-break space before `:` and after `«`; `\u{a0}` keeps it from wrapping.
const FR: MailTexts = MailTexts {
    tag: "fr",
    reset_subject: "Réinitialisez votre mot de passe",
    reset_body: "\
Bonjour,

Nous avons reçu une demande de réinitialisation du mot de passe du
compte {to}.
Si elle vient de vous, ouvrez ce lien pour choisir un nouveau mot de passe\u{a0}:

{url}

Si le lien ne s'ouvre pas, allez sur {page} et saisissez ce code\u{a0}:

{code}

Le lien et le code expirent dans {lifetime} et ne peuvent servir
qu'une seule fois.

Si vous n'êtes pas à l'origine de cette demande, vous pouvez ignorer
cet e-mail. Votre mot de passe reste inchangé, et personne ne peut le
modifier sans ce lien ou ce code.
",
    changed_subject: "Votre mot de passe a été modifié",
    changed_body: "\
Bonjour,

Le mot de passe du compte {to} vient d'être modifié à l'aide d'un lien
de réinitialisation. Tous les autres liens de réinitialisation ont été
désactivés et toutes les sessions ouvertes sur ce compte ont été fermées.

Si vous êtes à l'origine de cette modification, vous n'avez rien d'autre
à faire.

Sinon, quelqu'un peut avoir accès à vos e-mails. Sécurisez d'abord votre
compte de messagerie, puis demandez un nouveau lien de réinitialisation
du mot de passe.
",
    duration: |count, unit| {
        let (one, many) = match unit {
            TimeUnit::Second => ("seconde", "secondes"),
            TimeUnit::Minute => ("minute", "minutes"),
            TimeUnit::Hour => ("heure", "heures"),
        };
        // French counts 0 and 1 in the singular.
        format!("{count} {}", if count <= 1 { one } else { many })
    },
};

const DE: MailTexts = MailTexts {
    tag: "de",
    reset_subject: "Setzen Sie Ihr Passwort zurück",
    reset_body: "\
Guten Tag,

für das Konto {to} wurde das Zurücksetzen des Passworts angefordert.
Wenn Sie das waren, öffnen Sie diesen Link, um ein neues Passwort zu
wählen:

{url}

Falls sich der Link nicht öffnen lässt, gehen Sie zu {page} und geben
Sie diesen Code ein:

{code}

Der Link und der Code laufen in {lifetime} ab und funktionieren
nur einmal.

Wenn Sie das nicht angefordert haben, können Sie diese E-Mail
ignorieren. Ihr Passwort bleibt unverändert, und niemand kann es ohne
diesen Link oder Code ändern.
",
    changed_subject: "Ihr Passwort wurde geändert",
    changed_body: "\
Guten Tag,

das Passwort des Kontos {to} wurde soeben über einen Link zum
Zurücksetzen geändert. Alle anderen Links zum Zurücksetzen sind damit
ungültig, und alle Anmeldungen des Kontos wurden beendet.

Wenn Sie das waren, müssen Sie nichts weiter tun.

Wenn nicht, kann möglicherweise jemand Ihre E-Mails lesen. Sichern Sie
zuerst Ihr E-Mail-Konto, und fordern Sie dann einen neuen Link zum
Zurücksetzen des Passworts an.
",
    // "in 30 Minuten", "in 1 Stunde": the dative the sentence needs.
    duration: |count, unit| {
        let (one, many) = match unit {
            TimeUnit::Second => ("Sekunde", "Sekunden"),
            TimeUnit::Minute => ("Minute", "Minuten"),
            TimeUnit::Hour => ("Stunde", "Stunden"),
        };
        format!("{count} {}", if count == 1 { one } else { many })
    },
};

const PT_BR: MailTexts = MailTexts {
    tag: "pt-BR",
    reset_subject: "Redefina sua senha",
    reset_body: "\
Olá,

Recebemos um pedido para redefinir a senha da conta de {to}.
Se foi você, abra este link para escolher uma nova senha:

{url}

Se o link não abrir, acesse {page} e digite este código:

{code}

O link e o código expiram em {lifetime} e só podem ser usados uma vez.

Se você não fez esse pedido, pode ignorar este e-mail. Sua senha
continua a mesma, e ninguém pode alterá-la sem este link ou código.
",
    changed_subject: "Sua senha foi alterada",
    changed_body: "\
Olá,

A senha da conta de {to} acabou de ser alterada com um link de
redefinição de senha. Todos os outros links de redefinição deixaram
de funcionar, e todas as sessões abertas na conta foram encerradas.

Se foi você, não é preciso fazer mais nada.

Se não foi você, alguém pode estar lendo seus e-mails. Proteja
primeiro sua conta de e-mail e depois peça um novo link para
redefinir a senha.
",
    duration: |count, unit| {
        let (one, many) = match unit {
            TimeUnit::Second => ("segundo", "segundos"),
            TimeUnit::Minute => ("minuto", "minutos"),
            TimeUnit::Hour => ("hora", "horas"),
        };
        format!("{count} {}", if count == 1 { one } else { many })
    },
};

// Japanese wraps anywhere and mail clients wrap it themselves: one sentence a line.
const JA: MailTexts = MailTexts {
    tag: "ja",
    reset_subject: "パスワードの再設定",
    reset_body: "\
{to} のアカウントについて、パスワードの再設定のお申し込みがありました。
ご本人によるお申し込みの場合は、次のリンクを開いて新しいパスワードを設定してください。

{url}

リンクが開かない場合は、{page} にアクセスして、次のコードを入力してください。

{code}

このリンクとコードは{lifetime}後に無効になります。使用できるのは一度だけです。

お心当たりがない場合は、このメールを無視してください。パスワードは変更されません。このリンクまたはコードがなければ、誰もパスワードを変更できません。
",
    changed_subject: "パスワードが変更されました",
    changed_body: "\
{to} のアカウントのパスワードが、パスワード再設定用のリンクから変更されました。
このアカウントのほかの再設定用リンクはすべて無効になり、ログイン中のセッションもすべて終了しました。

ご自身で変更された場合は、これ以上の操作は必要ありません。

お心当たりがない場合は、第三者があなたのメールを読める状態にあるおそれがあります。まずメールアカウントの安全を確保してから、パスワード再設定用のリンクをあらためてお申し込みください。
",
    duration: |count, unit| {
        let unit = match unit {
            TimeUnit::Second => "秒",
            TimeUnit::Minute => "分",
            TimeUnit::Hour => "時間",
        };
        format!("{count}{unit}")
    },
};

const ZH_HANS: MailTexts = MailTexts {
    tag: "zh-Hans",
    reset_subject: "重置您的密码",
    reset_body: "\
您好：

我们收到了重置账户 {to} 密码的请求。
如果是您本人操作，请打开以下链接设置新密码：

{url}

如果链接无法打开，请访问 {page} 并输入以下代码：

{code}

该链接和代码将在 {lifetime}后失效，且只能使用一次。

如果这不是您本人的请求，可以忽略此邮件。您的密码不会改变；没有此链接或代码，任何人都无法更改您的密码。
",
    changed_subject: "您的密码已更改",
    changed_body: "\
您好：

账户 {to} 的密码刚刚通过密码重置链接进行了更改。该账户的其他所有重置链接均已失效，所有已登录的会话也已结束。

如果这是您本人的操作，则无需再做任何处理。

如果不是，可能有人能够查看您的电子邮件。请先保护好您的电子邮件账户，然后重新申请密码重置链接。
",
    duration: |count, unit| {
        let unit = match unit {
            TimeUnit::Second => "秒",
            TimeUnit::Minute => "分钟",
            TimeUnit::Hour => "小时",
        };
        format!("{count} {unit}")
    },
};

// Modern Standard Arabic. The link, the page and the code are left-to-right runs that the
// reader's bidi algorithm keeps whole; the link and the code stand on lines of their own.
const AR: MailTexts = MailTexts {
    tag: "ar",
    reset_subject: "إعادة تعيين كلمة المرور",
    reset_body: "\
مرحبًا،

وصلنا طلب لإعادة تعيين كلمة المرور للحساب {to}.
إذا كنت أنت من طلب ذلك، فافتح هذا الرابط لاختيار كلمة مرور جديدة:

{url}

إذا لم يُفتح الرابط، فانتقل إلى {page} وأدخل هذا الرمز:

{code}

تنتهي صلاحية الرابط والرمز بعد {lifetime}، ولا يمكن استخدامهما إلا مرة واحدة.

إذا لم تطلب ذلك، فيمكنك تجاهل هذه الرسالة. ستبقى كلمة المرور كما هي، ولا يمكن لأحد تغييرها دون هذا الرابط أو الرمز.
",
    changed_subject: "تم تغيير كلمة المرور",
    changed_body: "\
مرحبًا،

تم للتو تغيير كلمة المرور للحساب {to} باستخدام رابط لإعادة تعيين كلمة المرور. وقد أُلغيت جميع روابط إعادة التعيين الأخرى، وأُنهيت جميع جلسات تسجيل الدخول في هذا الحساب.

إذا كنت أنت من قام بذلك، فلا حاجة إلى أي إجراء آخر.

وإن لم تكن أنت، فقد يتمكن شخص آخر من قراءة بريدك الإلكتروني. أمِّن حساب بريدك الإلكتروني أولًا، ثم اطلب رابطًا جديدًا لإعادة تعيين كلمة المرور.
",
    // After بعد, in the genitive, by CLDR's Arabic plural categories: one, two, few (3–10),
    // many (11–99), other (100 and up, and 0).
    duration: |count, unit| {
        let (one, two, few, many) = match unit {
            TimeUnit::Second => ("ثانية واحدة", "ثانيتين", "ثوانٍ", "ثانية"),
            TimeUnit::Minute => ("دقيقة واحدة", "دقيقتين", "دقائق", "دقيقة"),
            TimeUnit::Hour => ("ساعة واحدة", "ساعتين", "ساعات", "ساعة"),
        };
        match (count, count % 100) {
            (1, _) => one.to_owned(),
            (2, _) => two.to_owned(),
            (_, 3..=10) => format!("{count} {few}"),
            _ => format!("{count} {many}"),
        }
    },
};

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use reclaim_contract::locale::BUILT_IN;

    use super::*;

    /// The `{name}`s of a template.
    fn placeholders(template: &str) -> BTreeSet<&str> {
        template
            .split('{')
            .skip(1)
            .filter_map(|part| part.split_once('}').map(|(name, _)| name))
            .collect()
    }

    #[test]
    fn every_built_in_locale_has_every_text() {
        let tags: Vec<&str> = ALL.iter().map(|texts| texts.tag).collect();
        assert_eq!(tags, BUILT_IN);
        for locale in Locale::all() {
            let texts = MailTexts::of(locale);
            assert_eq!(texts.tag, locale.tag());
            for (name, text) in [
                ("reset_subject", texts.reset_subject),
                ("reset_body", texts.reset_body),
                ("changed_subject", texts.changed_subject),
                ("changed_body", texts.changed_body),
            ] {
                assert!(!text.trim().is_empty(), "{} {name} is empty", texts.tag);
            }
            for count in [1, 2, 3, 11, 30, 100] {
                assert!(!(texts.duration)(count, TimeUnit::Minute).is_empty());
            }
        }
    }

    #[test]
    fn every_locale_uses_the_placeholders_english_uses() {
        assert_eq!(
            placeholders(EN.reset_body),
            BTreeSet::from(["to", "url", "page", "code", "lifetime"])
        );
        assert_eq!(placeholders(EN.changed_body), BTreeSet::from(["to"]));
        for texts in ALL {
            for (name, english, text) in [
                ("reset_subject", EN.reset_subject, texts.reset_subject),
                ("reset_body", EN.reset_body, texts.reset_body),
                ("changed_subject", EN.changed_subject, texts.changed_subject),
                ("changed_body", EN.changed_body, texts.changed_body),
            ] {
                assert_eq!(
                    placeholders(text),
                    placeholders(english),
                    "{} {name}",
                    texts.tag
                );
                // Each once: the link and the code appear exactly where the structure says.
                for placeholder in placeholders(text) {
                    let count = text.matches(&format!("{{{placeholder}}}")).count();
                    assert_eq!(
                        count, 1,
                        "{} {name} has {{{placeholder}}} {count} times",
                        texts.tag
                    );
                }
            }
        }
    }

    #[test]
    fn the_link_and_the_code_stand_on_lines_of_their_own() {
        for texts in ALL {
            let lines: Vec<&str> = texts.reset_body.lines().collect();
            let url = lines.iter().position(|l| *l == "{url}");
            let code = lines.iter().position(|l| *l == "{code}");
            let page = lines.iter().position(|l| l.contains("{page}"));
            let (Some(url), Some(page), Some(code)) = (url, page, code) else {
                panic!(
                    "{}: the link, the page or the code is not on its own line",
                    texts.tag
                );
            };
            assert!(
                url < page && page < code,
                "{}: link, page, code in that order",
                texts.tag
            );
            for line in &lines {
                assert!(line.len() <= 998, "{}: a line too long for mail", texts.tag);
            }
        }
    }

    #[test]
    fn fill_replaces_each_placeholder_once_and_nothing_else() {
        assert_eq!(
            fill(
                "{to} at {page}: {missing} {",
                &[("to", "{page}"), ("page", "/reset")]
            ),
            "{page} at /reset: {missing} {"
        );
    }

    #[test]
    fn durations_read_naturally() {
        let say = |tag: &str, seconds: u64| {
            MailTexts::of(Locale::from_tag(tag)).describe(Duration::from_secs(seconds))
        };
        assert_eq!(say("en", 1800), "30 minutes");
        assert_eq!(say("en", 3600), "1 hour");
        assert_eq!(say("en", 5400), "90 minutes");
        assert_eq!(say("en", 61), "1 minute");
        assert_eq!(say("en", 2), "2 seconds");
        assert_eq!(say("fr", 60), "1 minute");
        assert_eq!(say("de", 7200), "2 Stunden");
        assert_eq!(say("pt-BR", 1800), "30 minutos");
        assert_eq!(say("ja", 1800), "30分");
        assert_eq!(say("zh-Hans", 3600), "1 小时");
        assert_eq!(say("ar", 60), "دقيقة واحدة");
        assert_eq!(say("ar", 120), "دقيقتين");
        assert_eq!(say("ar", 300), "5 دقائق");
        assert_eq!(say("ar", 1800), "30 دقيقة");
        assert_eq!(say("ar", 6000), "100 دقيقة");
    }
}
