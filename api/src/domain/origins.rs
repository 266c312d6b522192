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

/// The origin of a full URL (e.g. the page the widget is on).
pub fn origin_of(url: &str) -> Option<String> {
    let u = url::Url::parse(url).ok()?;
    match u.origin() {
        o @ url::Origin::Tuple(..) => Some(o.ascii_serialization()),
        url::Origin::Opaque(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
