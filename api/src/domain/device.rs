//! Visitor device and country from request headers: browser, OS and device kind from the
//! User-Agent (woothee, a maintained cross-language UA parser), country from the headers
//! CDNs and proxies set.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeviceKind {
    Desktop,
    Mobile,
    Tablet,
    Bot,
}

impl DeviceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceKind::Desktop => "desktop",
            DeviceKind::Mobile => "mobile",
            DeviceKind::Tablet => "tablet",
            DeviceKind::Bot => "bot",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    /// e.g. "Chrome", "Safari", "Firefox"; None when unknown.
    pub browser: Option<String>,
    /// e.g. "Windows 10", "Mac OSX", "iOS", "Android"; None when unknown.
    pub os: Option<String>,
    pub kind: Option<DeviceKind>,
}

fn known(value: &str) -> Option<String> {
    let v = value.trim();
    (!v.is_empty() && v != woothee::woothee::VALUE_UNKNOWN).then(|| v.to_string())
}

/// Parses a User-Agent header. Unknown parts are None rather than "UNKNOWN".
pub fn parse_user_agent(ua: &str) -> Device {
    let ua = ua.trim();
    if ua.is_empty() {
        return Device {
            browser: None,
            os: None,
            kind: None,
        };
    }
    let parsed = woothee::parser::Parser::new().parse(ua);
    let lower = ua.to_ascii_lowercase();
    let Some(r) = parsed else {
        let kind = looks_like_bot(&lower).then_some(DeviceKind::Bot);
        return Device {
            browser: None,
            os: None,
            kind,
        };
    };
    // woothee names OSes the way people read them: "Windows 10", "Mac OSX", "iPhone".
    let os = known(r.os);
    let tablet = r.os == "iPad"
        || lower.contains("tablet")
        || (lower.contains("android") && !lower.contains("mobile"))
        || lower.contains("kindle")
        || lower.contains("silk/");
    let kind = match r.category {
        "crawler" => Some(DeviceKind::Bot),
        _ if looks_like_bot(&lower) => Some(DeviceKind::Bot),
        "smartphone" | "mobilephone" if tablet => Some(DeviceKind::Tablet),
        "smartphone" | "mobilephone" => Some(DeviceKind::Mobile),
        "pc" => Some(DeviceKind::Desktop),
        _ if tablet => Some(DeviceKind::Tablet),
        _ => None,
    };
    let browser = known(r.name);
    Device { browser, os, kind }
}

fn looks_like_bot(lower_ua: &str) -> bool {
    [
        "bot",
        "crawler",
        "spider",
        "headlesschrome",
        "curl/",
        "wget/",
        "python-requests",
        "httpclient",
    ]
    .iter()
    .any(|m| lower_ua.contains(m))
}

/// Country from `CF-IPCountry` (Cloudflare) or `X-Country-Code` (other proxies): two
/// letters, upper-cased; Cloudflare's "XX" (unknown) and "T1" (Tor) are ignored.
pub fn country_from_headers(
    cf_ipcountry: Option<&str>,
    x_country_code: Option<&str>,
) -> Option<String> {
    [cf_ipcountry, x_country_code]
        .into_iter()
        .flatten()
        .find_map(|raw| {
            let c = raw.trim().to_ascii_uppercase();
            let ok = c.len() == 2
                && c.chars().all(|ch| ch.is_ascii_alphabetic())
                && c != "XX"
                && c != "T1";
            ok.then_some(c)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHROME_WIN: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
    const SAFARI_IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
    const SAFARI_IPAD: &str = "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1";
    const ANDROID_PHONE: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36";
    const ANDROID_TABLET: &str = "Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36";
    const FIREFOX_MAC: &str =
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:128.0) Gecko/20100101 Firefox/128.0";
    const FIREFOX_LINUX: &str =
        "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
    const GOOGLEBOT: &str =
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

    #[test]
    fn desktop_browsers() {
        let d = parse_user_agent(CHROME_WIN);
        assert_eq!(d.browser.as_deref(), Some("Chrome"));
        assert_eq!(d.os.as_deref(), Some("Windows 10"));
        assert_eq!(d.kind, Some(DeviceKind::Desktop));
        let d = parse_user_agent(FIREFOX_MAC);
        assert_eq!(d.browser.as_deref(), Some("Firefox"));
        assert_eq!(d.os.as_deref(), Some("Mac OSX"));
        assert_eq!(d.kind, Some(DeviceKind::Desktop));
        let d = parse_user_agent(FIREFOX_LINUX);
        assert_eq!(d.os.as_deref(), Some("Linux"));
        assert_eq!(d.kind, Some(DeviceKind::Desktop));
    }

    #[test]
    fn phones_and_tablets() {
        let d = parse_user_agent(SAFARI_IPHONE);
        assert_eq!(d.browser.as_deref(), Some("Safari"));
        assert_eq!(d.os.as_deref(), Some("iPhone"));
        assert_eq!(d.kind, Some(DeviceKind::Mobile));
        assert_eq!(parse_user_agent(SAFARI_IPAD).kind, Some(DeviceKind::Tablet));
        let d = parse_user_agent(ANDROID_PHONE);
        assert_eq!(d.os.as_deref(), Some("Android"));
        assert_eq!(d.kind, Some(DeviceKind::Mobile));
        assert_eq!(
            parse_user_agent(ANDROID_TABLET).kind,
            Some(DeviceKind::Tablet)
        );
    }

    #[test]
    fn bots_and_unknowns() {
        assert_eq!(parse_user_agent(GOOGLEBOT).kind, Some(DeviceKind::Bot));
        assert_eq!(parse_user_agent("curl/8.5.0").kind, Some(DeviceKind::Bot));
        let d = parse_user_agent("");
        assert_eq!(
            d,
            Device {
                browser: None,
                os: None,
                kind: None
            }
        );
        let d = parse_user_agent("something odd");
        assert_eq!(d.browser, None);
    }

    #[test]
    fn country_headers() {
        assert_eq!(
            country_from_headers(Some("de"), None).as_deref(),
            Some("DE")
        );
        assert_eq!(
            country_from_headers(Some(" FR "), Some("US")).as_deref(),
            Some("FR")
        );
        assert_eq!(
            country_from_headers(Some("XX"), Some("us")).as_deref(),
            Some("US")
        );
        assert_eq!(country_from_headers(Some("T1"), None), None);
        assert_eq!(country_from_headers(Some("USA"), None), None);
        assert_eq!(country_from_headers(Some("1A"), None), None);
        assert_eq!(country_from_headers(None, None), None);
    }
}
