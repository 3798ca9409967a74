use super::*;

#[test]
fn only_http_and_https_urls_are_targets() {
    assert!(Target::parse("https://shop.example/hooks").is_ok());
    assert!(Target::parse("http://shop.example:8080/hooks?x=1").is_ok());
    for bad in ["ftp://shop.example/", "file:///etc/passwd", "gopher://x/", "javascript:alert(1)"] {
        let err = Target::parse(bad).expect_err(bad);
        assert!(matches!(err, TargetError::Scheme(_)), "{bad}: {err:?}");
        assert!(err.is_malformed());
        assert!(err.to_string().starts_with("URL: "), "names the tag: {err}");
    }
    for bad in ["", "not a url", "http://", "https://exa mple.com/", "http://[::1/"] {
        assert!(Target::parse(bad).expect_err(bad).is_malformed(), "{bad}");
    }
}

#[test]
fn credentials_go_to_basic_auth_and_never_into_the_url_or_display() {
    let t = Target::parse("https://shop%40home:s3cr%3At@shop.example/hooks#frag").expect("parses");
    assert_eq!(t.url().as_str(), "https://shop.example/hooks");
    // base64("shop@home:s3cr:t")
    assert_eq!(t.basic_auth().as_deref(), Some("Basic c2hvcEBob21lOnMzY3I6dA=="));
    assert_eq!(t.redacted(), "https://shop%40home:***@shop.example/hooks");
    assert!(!format!("{t:?}").contains("s3cr"));
    assert_eq!(redacted("https://u:pw@x.example/a"), "https://u:***@x.example/a");
    assert_eq!(redacted("https://x.example/a"), "https://x.example/a");
    assert_eq!(redacted("/relative/redirect"), "/relative/redirect");
    assert_eq!(redacted("::nonsense u:pw@"), "<invalid URL>");
}

#[test]
fn a_user_without_password_is_basic_auth_with_an_empty_password() {
    let t = Target::parse("http://token@shop.example/").expect("parses");
    assert_eq!(t.basic_auth().as_deref(), Some("Basic dG9rZW46"));
    assert!(Target::parse("http://shop.example/").expect("parses").basic_auth().is_none());
}

#[test]
fn hosts_and_ports_are_read_as_browsers_read_them() {
    let t = Target::parse("http://0x7f.1:9000/").expect("parses");
    assert_eq!((t.host().as_str(), t.port()), ("127.0.0.1", 9000));
    let t = Target::parse("https://[::1]/").expect("parses");
    assert_eq!((t.host().as_str(), t.port()), ("::1", 443));
    let t = Target::parse("http://2130706433/").expect("parses");
    assert_eq!(t.host(), "127.0.0.1");
}

#[tokio::test]
async fn internal_literal_targets_are_refused_unless_allowed() {
    for url in [
        "http://127.0.0.1/",
        "http://10.1.2.3/",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]:8080/",
        "http://[::ffff:127.0.0.1]/",
        "http://0x7f.1/",
        "http://0/",
        "http://100.64.1.1/",
    ] {
        let t = Target::parse(url).expect(url);
        let err = t.resolve(false).await.expect_err(url);
        assert!(matches!(err, TargetError::Forbidden { .. }), "{url}: {err:?}");
        assert!(!err.is_malformed());
        assert!(t.resolve(true).await.is_ok(), "{url} allowed");
    }
}

#[tokio::test]
async fn names_resolving_to_loopback_are_refused() {
    let t = Target::parse("http://localhost:1234/").expect("parses");
    let err = t.resolve(false).await.expect_err("localhost is loopback");
    assert!(err.to_string().contains("loopback"), "{err}");
    let addrs = t.resolve(true).await.expect("allowed");
    assert!(addrs.iter().all(|a| a.port() == 1234 && a.ip().is_loopback()), "{addrs:?}");
}

#[test]
fn one_internal_address_among_public_ones_refuses_the_target() {
    let addrs: Vec<SocketAddr> =
        vec!["93.184.216.34:443".parse().expect("addr"), "10.0.0.1:443".parse().expect("addr")];
    assert!(matches!(check("mixed.example", &addrs, false), Err(TargetError::Forbidden { .. })));
    assert!(check("mixed.example", &addrs[..1], false).is_ok());
    assert!(check("mixed.example", &addrs, true).is_ok());
}
