//! Web origins (`scheme://host[:port]`) for the widget's allowed-origins list.

/// Normalises one origin; `None` when it is not a plain http(s) origin.
pub fn normalize(raw: &str) -> Option<String> {
    let url = url::Url::parse(raw.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return None;
    }
    if url.path() != "/"
        || url.query().is_some()
        || url.fragment().is_some()
        || !url.username().is_empty()
    {
        return None;
    }
    Some(url.origin().ascii_serialization())
}

/// Normalises a list, dropping duplicates; `Err(bad)` names the first invalid entry.
pub fn normalize_all(list: &[String]) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for raw in list {
        let o = normalize(raw).ok_or_else(|| raw.clone())?;
        if !out.contains(&o) {
            out.push(o);
        }
    }
    Ok(out)
}

/// A widget key as every lookup uses it: surrounding whitespace (a `+` in a query string
/// decodes to a space) is not part of it.
pub fn widget_key(raw: &str) -> &str {
    raw.trim()
}

/// The origin of a full URL (e.g. the page the widget is on).
pub fn origin_of(url: &str) -> Option<String> {
    let u = url::Url::parse(url).ok()?;
    match u.origin() {
        o @ url::Origin::Tuple(..) => Some(o.ascii_serialization()),
        url::Origin::Opaque(_) => None,
    }
}

/// The page a visitor said they were on, kept only when it is on one of the workspace's
/// allowed origins. The page URL is self-reported by the widget, so a link built from it
/// (e.g. "Continue in the chat" in mail sent under the workspace's name) could point
/// anywhere; with no allowed origins listed there is nothing to check it against.
pub fn verified_page<'a>(allowed_origins: &[String], page_url: Option<&'a str>) -> Option<&'a str> {
    let page = page_url?;
    let origin = origin_of(page)?;
    allowed_origins.contains(&origin).then_some(page)
}

/// The page is not on a website the workspace allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "This website is not allowed to use this widget. Add its origin to the workspace's allowed origins."
)]
pub struct OriginNotAllowed;

/// When a workspace restricts origins, the widget's page (and the request's `Origin`,
/// unless it is Handoff's own frame at `own_origin`) must be one of them. An empty list
/// allows any website.
pub fn check_widget_origin(
    allowed_origins: &[String],
    page_url: Option<&str>,
    origin_header: Option<&str>,
    public_url: &str,
) -> Result<(), OriginNotAllowed> {
    if allowed_origins.is_empty() {
        return Ok(());
    }
    let own = origin_of(public_url);
    let allowed = |o: &str| allowed_origins.iter().any(|a| a == o);
    let mut checked = false;
    if let Some(page) = page_url {
        let o = origin_of(page).ok_or(OriginNotAllowed)?;
        if !allowed(&o) {
            return Err(OriginNotAllowed);
        }
        checked = true;
    }
    if let Some(raw) = origin_header {
        // An Origin that isn't an http(s) origin (`null` from a sandboxed frame or a data:
        // URL) can't be checked against the list, so it is refused.
        let h = normalize(raw).ok_or(OriginNotAllowed)?;
        if Some(&h) != own.as_ref() {
            if !allowed(&h) {
                return Err(OriginNotAllowed);
            }
            checked = true;
        }
    }
    if checked {
        Ok(())
    } else {
        Err(OriginNotAllowed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unparseable_origin_is_refused_when_origins_are_listed() {
        let own = "http://localhost:8080";
        let list = vec!["https://shop.example.com".to_string()];
        let page = Some("https://shop.example.com/cart");
        assert!(check_widget_origin(&list, page, Some("null"), own).is_err());
        assert!(check_widget_origin(&list, page, Some("data:text/html,x"), own).is_err());
        assert!(check_widget_origin(&list, page, Some("https://shop.example.com"), own).is_ok());
        // No list: anything goes, as before.
        assert!(check_widget_origin(&[], page, Some("null"), own).is_ok());
        assert_eq!(widget_key(" wk_abc "), "wk_abc");
    }

    #[test]
    fn only_pages_on_listed_origins_are_vouched_for() {
        let shop = ["https://shop.example.com".to_string()];
        let page = Some("https://shop.example.com/orders/7");
        assert_eq!(verified_page(&shop, page), page);
        assert_eq!(
            verified_page(&shop, Some("https://shop.example.com.evil.net/x")),
            None
        );
        assert_eq!(
            verified_page(&shop, Some("http://shop.example.com/orders/7")),
            None
        );
        assert_eq!(verified_page(&shop, Some("javascript:alert(1)")), None);
        assert_eq!(verified_page(&shop, None), None);
        assert_eq!(verified_page(&[], page), None);
    }

    #[test]
    fn widget_origin_rules() {
        let own = "http://localhost:8080";
        assert!(check_widget_origin(&[], None, None, own).is_ok());
        let shop = ["https://shop.example.com".to_string()];
        let check = |page, origin| check_widget_origin(&shop, page, origin, own);
        assert!(check(Some("https://shop.example.com/p/1"), Some(own)).is_ok());
        assert!(
            check(
                Some("https://shop.example.com/p/1"),
                Some("https://shop.example.com")
            )
            .is_ok()
        );
        assert!(check(Some("https://evil.example/p"), Some(own)).is_err());
        assert!(
            check(
                Some("https://shop.example.com/"),
                Some("https://evil.example")
            )
            .is_err()
        );
        assert!(check(None, None).is_err());
        assert!(check(Some("not a url"), None).is_err());
        assert_eq!(
            check(Some("https://evil.example/"), None),
            Err(OriginNotAllowed)
        );
    }

    #[test]
    fn normalizes_origins() {
        assert_eq!(
            normalize("https://Shop.Example.com/").as_deref(),
            Some("https://shop.example.com")
        );
        assert_eq!(
            normalize("http://localhost:3000").as_deref(),
            Some("http://localhost:3000")
        );
        assert_eq!(
            normalize("https://example.com:443").as_deref(),
            Some("https://example.com")
        );
        assert!(normalize("https://example.com/path").is_none());
        assert!(normalize("ftp://example.com").is_none());
        assert!(normalize("example.com").is_none());
        assert_eq!(
            normalize_all(&["https://a.com".into(), "https://a.com/".into()]),
            Ok(vec!["https://a.com".into()])
        );
        assert_eq!(
            origin_of("https://a.com/shop?x=1").as_deref(),
            Some("https://a.com")
        );
    }
}
